//! The `features` phase: resolve editions features for every element.
//!
//! Each element's features are its parent's, overridden by the `features`
//! option written on it, starting at the file with the defaults of its
//! edition. proto2 and proto3 files are editions too (`PROTO2`, `PROTO3`),
//! and their syntax is lowered to features as protoc does: `required` is
//! `LEGACY_REQUIRED` presence, a group is `DELIMITED`, `[packed = true]` is
//! `PACKED` (and proto3's `[packed = false]` is `EXPANDED`). After
//! resolution a field's label, wire type (group or message) and presence
//! follow its features, so back ends never look at syntax again.
//!
//! The defaults are those of protoc 35.1's `descriptor.proto`
//! (`edition_defaults` of each `FeatureSet` field); files are accepted from
//! edition `PROTO2` up to `2024`, as protoc 35.1 accepts them.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ir::{
    DefaultSymbolVisibility, Edition, EnforceNamingStyle, EnumType, Features, FieldPresence,
    FieldType, FileId, JsonFormat, Label, MessageEncoding, MessageId, Pool, Presence,
    RepeatedFieldEncoding, Scope, Utf8Validation,
};
use crate::lower::OptionTarget;
use crate::wire;

/// The oldest edition protoc 35.1 compiles.
pub(crate) const MINIMUM_EDITION: Edition = Edition::PROTO2;
/// The newest edition protoc 35.1 compiles.
pub(crate) const MAXIMUM_EDITION: Edition = Edition::E2024;

impl Features {
    /// The defaults of `edition` for the built-in features.
    pub fn for_edition(edition: Edition) -> Features {
        let at_least = |e: Edition| edition >= e;
        let mut features = Features {
            field_presence: if at_least(Edition::E2023) || !at_least(Edition::PROTO3) {
                FieldPresence::Explicit
            } else {
                FieldPresence::Implicit
            },
            enum_type: if at_least(Edition::PROTO3) {
                EnumType::Open
            } else {
                EnumType::Closed
            },
            repeated_field_encoding: if at_least(Edition::PROTO3) {
                RepeatedFieldEncoding::Packed
            } else {
                RepeatedFieldEncoding::Expanded
            },
            utf8_validation: if at_least(Edition::PROTO3) {
                Utf8Validation::Verify
            } else {
                Utf8Validation::None
            },
            message_encoding: MessageEncoding::LengthPrefixed,
            json_format: if at_least(Edition::PROTO3) {
                JsonFormat::Allow
            } else {
                JsonFormat::LegacyBestEffort
            },
            enforce_naming_style: if at_least(Edition::UNSTABLE) {
                EnforceNamingStyle::Style2026
            } else if at_least(Edition::E2024) {
                EnforceNamingStyle::Style2024
            } else {
                EnforceNamingStyle::StyleLegacy
            },
            default_symbol_visibility: if at_least(Edition::E2024) {
                DefaultSymbolVisibility::ExportTopLevel
            } else {
                DefaultSymbolVisibility::ExportAll
            },
            encoded: Arc::from(&[][..]),
        };
        features.encoded = features.encode(&[]);
        features
    }

    /// The canonical `FeatureSet` encoding of the built-in values, followed
    /// by `extensions` (raw extension fields).
    fn encode(&self, extensions: &[u8]) -> Arc<[u8]> {
        let mut out = Vec::new();
        let values = [
            match self.field_presence {
                FieldPresence::Explicit => 1,
                FieldPresence::Implicit => 2,
                FieldPresence::LegacyRequired => 3,
            },
            match self.enum_type {
                EnumType::Open => 1,
                EnumType::Closed => 2,
            },
            match self.repeated_field_encoding {
                RepeatedFieldEncoding::Packed => 1,
                RepeatedFieldEncoding::Expanded => 2,
            },
            match self.utf8_validation {
                Utf8Validation::Verify => 2,
                Utf8Validation::None => 3,
            },
            match self.message_encoding {
                MessageEncoding::LengthPrefixed => 1,
                MessageEncoding::Delimited => 2,
            },
            match self.json_format {
                JsonFormat::Allow => 1,
                JsonFormat::LegacyBestEffort => 2,
            },
            match self.enforce_naming_style {
                EnforceNamingStyle::Style2024 => 1,
                EnforceNamingStyle::StyleLegacy => 2,
                EnforceNamingStyle::Style2026 => 3,
            },
            match self.default_symbol_visibility {
                DefaultSymbolVisibility::ExportAll => 1,
                DefaultSymbolVisibility::ExportTopLevel => 2,
                DefaultSymbolVisibility::LocalAll => 3,
                DefaultSymbolVisibility::Strict => 4,
            },
        ];
        for (i, v) in values.into_iter().enumerate() {
            wire::put_uint(&mut out, i as u32 + 1, v);
        }
        out.extend_from_slice(extensions);
        Arc::from(out)
    }

    /// The extension fields (number 1000 and up) carried in [`Features::encoded`].
    fn extension_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut reader = wire::Reader::new(&self.encoded);
        while let Some((number, value)) = reader.field() {
            if number >= 1000 {
                if let Some(v) = value.to_owned() {
                    wire::put_value(&mut out, number, &v);
                }
            }
        }
        out
    }

    /// These features overridden by an encoded `FeatureSet`.
    pub(crate) fn merged(&self, written: &[u8]) -> Features {
        if written.is_empty() {
            return self.clone();
        }
        let mut out = self.clone();
        let mut extensions = self.extension_bytes();
        let mut reader = wire::Reader::new(written);
        while let Some((number, value)) = reader.field() {
            let v = match value {
                wire::FieldValue::Varint(v) => v,
                other => {
                    if number >= 1000 {
                        if let Some(v) = other.to_owned() {
                            wire::put_value(&mut extensions, number, &v);
                        }
                    }
                    continue;
                }
            };
            match (number, v) {
                (1, 1) => out.field_presence = FieldPresence::Explicit,
                (1, 2) => out.field_presence = FieldPresence::Implicit,
                (1, 3) => out.field_presence = FieldPresence::LegacyRequired,
                (2, 1) => out.enum_type = EnumType::Open,
                (2, 2) => out.enum_type = EnumType::Closed,
                (3, 1) => out.repeated_field_encoding = RepeatedFieldEncoding::Packed,
                (3, 2) => out.repeated_field_encoding = RepeatedFieldEncoding::Expanded,
                (4, 2) => out.utf8_validation = Utf8Validation::Verify,
                (4, 3) => out.utf8_validation = Utf8Validation::None,
                (5, 1) => out.message_encoding = MessageEncoding::LengthPrefixed,
                (5, 2) => out.message_encoding = MessageEncoding::Delimited,
                (6, 1) => out.json_format = JsonFormat::Allow,
                (6, 2) => out.json_format = JsonFormat::LegacyBestEffort,
                (7, 1) => out.enforce_naming_style = EnforceNamingStyle::Style2024,
                (7, 2) => out.enforce_naming_style = EnforceNamingStyle::StyleLegacy,
                (7, 3) => out.enforce_naming_style = EnforceNamingStyle::Style2026,
                (8, 1) => out.default_symbol_visibility = DefaultSymbolVisibility::ExportAll,
                (8, 2) => out.default_symbol_visibility = DefaultSymbolVisibility::ExportTopLevel,
                (8, 3) => out.default_symbol_visibility = DefaultSymbolVisibility::LocalAll,
                (8, 4) => out.default_symbol_visibility = DefaultSymbolVisibility::Strict,
                (n, v) if n >= 1000 => wire::put_uint(&mut extensions, n, v),
                _ => {}
            }
        }
        out.encoded = out.encode(&extensions);
        out
    }
}

/// What the options phase knows about each element when features are
/// resolved: the `features` written on it and, for fields, `[packed = …]`.
#[derive(Debug, Default)]
pub(crate) struct Written(pub(crate) HashMap<OptionTarget, (Vec<u8>, Option<bool>)>);

impl Written {
    fn features(&self, target: OptionTarget) -> &[u8] {
        self.0
            .get(&target)
            .map(|(f, _)| f.as_slice())
            .unwrap_or(&[])
    }

    fn packed(&self, target: OptionTarget) -> Option<bool> {
        self.0.get(&target).and_then(|(_, p)| *p)
    }
}

/// Resolves the features of every element of `file`. `written` gives, per
/// element, what was written on it.
pub(crate) fn resolve_file(pool: &mut Pool, file: FileId, written: &Written) {
    let edition = pool[file].edition;
    let base = Features::for_edition(edition);
    let file_features = base.merged(written.features(OptionTarget::File(file)));
    pool.files[file.index()].features = file_features.clone();
    let messages = pool[file].messages.clone();
    for m in messages {
        resolve_message(pool, m, &file_features, written);
    }
    for e in pool[file].enums.clone() {
        resolve_enum(pool, e, &file_features, written);
    }
    for s in pool[file].services.clone() {
        let features = file_features.merged(written.features(OptionTarget::Service(s)));
        pool.services[s.index()].features = features.clone();
        for m in pool[s].methods.clone() {
            pool.methods[m.index()].features =
                features.merged(written.features(OptionTarget::Method(m)));
        }
    }
    for f in pool[file].extensions.clone() {
        resolve_field(pool, f, &file_features, written);
    }
}

fn resolve_message(pool: &mut Pool, message: MessageId, parent: &Features, written: &Written) {
    let features = parent.merged(written.features(OptionTarget::Message(message)));
    pool.messages[message.index()].features = features.clone();
    for o in pool[message].oneofs.clone() {
        pool.oneofs[o.index()].features = features.merged(written.features(OptionTarget::Oneof(o)));
    }
    for f in pool[message].fields.clone() {
        let parent = match pool[f].oneof {
            Some(o) if !pool[o].synthetic => pool[o].features.clone(),
            _ => features.clone(),
        };
        resolve_field(pool, f, &parent, written);
    }
    for i in 0..pool[message].extension_ranges.len() {
        let f = features.merged(written.features(OptionTarget::ExtensionRange(message, i)));
        pool.messages[message.index()].extension_ranges[i].features = f;
    }
    for f in pool[message].extensions.clone() {
        resolve_field(pool, f, &features, written);
    }
    for e in pool[message].nested_enums.clone() {
        resolve_enum(pool, e, &features, written);
    }
    for m in pool[message].nested_messages.clone() {
        resolve_message(pool, m, &features, written);
    }
}

fn resolve_enum(pool: &mut Pool, e: crate::ir::EnumId, parent: &Features, written: &Written) {
    let features = parent.merged(written.features(OptionTarget::Enum(e)));
    pool.enums[e.index()].features = features.clone();
    for v in pool[e].values.clone() {
        pool.enum_values[v.index()].features =
            features.merged(written.features(OptionTarget::EnumValue(v)));
    }
}

fn resolve_field(pool: &mut Pool, field: crate::ir::FieldId, parent: &Features, written: &Written) {
    let file = pool[field].file;
    let edition = pool[file].edition;
    let mut features = parent.merged(written.features(OptionTarget::Field(field)));
    let packed = written.packed(OptionTarget::Field(field));
    if !edition.is_editions() {
        if pool[field].label == Label::Required {
            features.field_presence = FieldPresence::LegacyRequired;
        }
        if matches!(pool[field].ty, FieldType::Group(_)) {
            features.message_encoding = MessageEncoding::Delimited;
        }
        if packed == Some(true) {
            features.repeated_field_encoding = RepeatedFieldEncoding::Packed;
        }
        if edition == Edition::PROTO3 && packed == Some(false) {
            features.repeated_field_encoding = RepeatedFieldEncoding::Expanded;
        }
        features.encoded = features.clone().encode(&features.extension_bytes());
    }
    // protoc's PostProcessFieldFeatures: presence and encoding from features.
    let f = &pool[field];
    let mut label = f.label;
    if features.field_presence == FieldPresence::LegacyRequired && label == Label::Optional {
        label = Label::Required;
    }
    let mut ty = f.ty;
    if let FieldType::Message(m) = ty {
        let in_map_entry = match f.scope {
            Scope::Message(parent) if f.extendee.is_none() => pool[parent].map_entry.is_some(),
            _ => false,
        };
        if features.message_encoding == MessageEncoding::Delimited
            && !in_map_entry
            && pool[m].map_entry.is_none()
        {
            ty = FieldType::Group(m);
        }
    }
    let in_real_oneof = f.oneof.is_some_and(|o| !pool[o].synthetic);
    let presence = match label {
        Label::Repeated => Presence::Repeated,
        Label::Required => Presence::Required,
        Label::Optional => {
            let tracks = f.proto3_optional
                || in_real_oneof
                || f.extendee.is_some()
                || ty.message().is_some()
                || features.field_presence != FieldPresence::Implicit;
            if tracks {
                Presence::Explicit
            } else {
                Presence::Implicit
            }
        }
    };
    let fm = &mut pool.fields[field.index()];
    fm.label = label;
    fm.ty = ty;
    fm.presence = presence;
    fm.features = features;
}
