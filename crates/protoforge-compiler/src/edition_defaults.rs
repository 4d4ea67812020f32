//! Edition defaults compiled from feature definitions: protoc's
//! `FeatureResolver::CompileDefaults`, which `protoc --edition_defaults_out`
//! writes and which code generators embed to resolve features themselves.
//!
//! The defaults come from the schema, not from tables: `google.protobuf.FeatureSet`
//! and every extension of it in the pool (the language features `pb.cpp`,
//! `pb.java`, … and users' own), each feature field with its
//! `edition_defaults` and `feature_support` options. For every edition where
//! some feature is introduced, removed or changes its default (up to the
//! requested maximum, plus `EDITION_UNSTABLE`), the result holds the value of
//! every feature, split into features that may still be overridden in that
//! edition and fixed ones (not yet introduced, or removed). The bytes are a
//! `google.protobuf.FeatureSetDefaults` serialized as protoc serializes it.

use std::collections::BTreeSet;
use std::fmt;

use crate::ir::{Edition, FieldId, FieldType, Label, MessageId, Pool, Scalar, Symbol};
use crate::wire::{self, FieldValue, Reader};

/// Why defaults could not be compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefaultsError {
    kind: DefaultsErrorKind,
    message: String,
}

/// What went wrong compiling defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DefaultsErrorKind {
    /// The pool has no `google.protobuf.FeatureSet` (no file loaded
    /// `descriptor.proto`).
    MissingFeatureSet,
    /// The edition range or a feature definition is invalid; the message is
    /// protoc's.
    Invalid,
}

impl DefaultsError {
    /// What went wrong.
    pub fn kind(&self) -> DefaultsErrorKind {
        self.kind
    }

    fn invalid(message: String) -> DefaultsError {
        DefaultsError {
            kind: DefaultsErrorKind::Invalid,
            message,
        }
    }
}

impl fmt::Display for DefaultsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DefaultsError {}

/// One feature field's definition, read from its options.
struct Feature {
    field: FieldId,
    /// `edition_defaults`: (edition, value text), in the order written.
    defaults: Vec<(i32, String)>,
    introduced: Option<i32>,
    removed: Option<i32>,
    has_support: bool,
    has_targets: bool,
}

impl Feature {
    fn read(pool: &Pool, field: FieldId) -> Feature {
        let mut feature = Feature {
            field,
            defaults: Vec::new(),
            introduced: None,
            removed: None,
            has_support: false,
            has_targets: !pool[field].options.targets.is_empty(),
        };
        let mut reader = Reader::new(&pool[field].options.encoded);
        while let Some((number, value)) = reader.field() {
            match (number, value) {
                (20, FieldValue::Bytes(b)) => {
                    let (mut edition, mut text) = (0, String::new());
                    let mut r = Reader::new(b);
                    while let Some((n, v)) = r.field() {
                        match (n, v) {
                            (3, FieldValue::Varint(e)) => edition = e as i32,
                            (2, FieldValue::Bytes(t)) => {
                                text = String::from_utf8_lossy(t).into_owned();
                            }
                            _ => {}
                        }
                    }
                    feature.defaults.push((edition, text));
                }
                (22, FieldValue::Bytes(b)) => {
                    feature.has_support = true;
                    let mut r = Reader::new(b);
                    while let Some((n, v)) = r.field() {
                        match (n, v) {
                            (1, FieldValue::Varint(e)) => feature.introduced = Some(e as i32),
                            (4, FieldValue::Varint(e)) => feature.removed = Some(e as i32),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        feature
    }
}

fn name(edition: i32) -> String {
    Edition(edition).display_name()
}

/// protoc's `ValidateDescriptor` for `FeatureSet` or a feature extension's
/// message: the features it defines.
fn features_of(pool: &Pool, message: MessageId) -> Result<Vec<Feature>, DefaultsError> {
    let m = &pool[message];
    if !m.oneofs.is_empty() {
        return Err(DefaultsError::invalid(format!(
            "Type {} contains unsupported oneof feature fields.",
            m.full_name
        )));
    }
    let mut out = Vec::new();
    for &f in &m.fields {
        let field = &pool[f];
        let full = &field.full_name;
        let problem = if field.label == Label::Required {
            Some("is an unsupported required field.")
        } else if field.label == Label::Repeated {
            Some("is an unsupported repeated field.")
        } else if !matches!(
            field.ty,
            FieldType::Enum(_) | FieldType::Scalar(Scalar::Bool)
        ) {
            Some("is not an enum or boolean.")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(DefaultsError::invalid(format!(
                "Feature field {full} {problem}"
            )));
        }
        let feature = Feature::read(pool, f);
        if !feature.has_targets {
            return Err(DefaultsError::invalid(format!(
                "Feature field {full} has no target specified."
            )));
        }
        if !feature
            .defaults
            .iter()
            .any(|(e, _)| *e == Edition::LEGACY.0)
        {
            return Err(DefaultsError::invalid(format!(
                "Feature field {full} has no default specified for EDITION_LEGACY, before it was introduced."
            )));
        }
        if !feature.has_support {
            return Err(DefaultsError::invalid(format!(
                "Feature field {full} has no feature support specified."
            )));
        }
        let Some(introduced) = feature.introduced else {
            return Err(DefaultsError::invalid(format!(
                "Feature field {full} does not specify the edition it was introduced in."
            )));
        };
        for &(edition, _) in &feature.defaults {
            if edition < Edition::E2023.0 {
                continue;
            }
            if edition < introduced {
                return Err(DefaultsError::invalid(format!(
                    "Feature field {full} has a default specified for edition {}, before it was introduced.",
                    name(edition)
                )));
            }
            if feature.removed.is_some_and(|removed| edition > removed) {
                return Err(DefaultsError::invalid(format!(
                    "Feature field {full} has a default specified for edition {}, after it was removed.",
                    name(edition)
                )));
            }
        }
        out.push(feature);
    }
    Ok(out)
}

/// The value `text` of an `edition_defaults` entry for `field`
/// (`TextFormat::ParseFieldValueFromString` of an enum or a bool).
fn parse_value(pool: &Pool, field: FieldId, text: &str) -> Option<u64> {
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    match pool[field].ty {
        FieldType::Scalar(Scalar::Bool) => match text {
            "true" | "True" | "t" | "1" => Some(1),
            "false" | "False" | "f" | "0" => Some(0),
            _ => None,
        },
        FieldType::Enum(e) => {
            let by_name = pool[e].values.iter().find(|v| pool[**v].name == text);
            let found = match by_name {
                Some(v) => Some(pool[*v].number),
                None => {
                    let (negative, digits) = match text.strip_prefix('-') {
                        Some(rest) => (true, rest.trim_start()),
                        None => (false, text),
                    };
                    let max = i32::MAX as u64 + u64::from(negative);
                    let magnitude = protoforge_syntax::literal::parse_int(digits.as_bytes(), max)?;
                    let n = if negative {
                        0i64.wrapping_sub_unsigned(magnitude) as i32
                    } else {
                        magnitude as i32
                    };
                    let known = pool[e].values.iter().any(|v| pool[*v].number == n);
                    (known || !pool[e].is_closed()).then_some(n)
                }
            };
            found.map(|n| i64::from(n) as u64)
        }
        _ => None,
    }
}

/// Encodes the features of `features` that belong in `fixed` (or not) for
/// `edition`, as field entries sorted by number.
fn fill(
    pool: &Pool,
    features: &[Feature],
    edition: i32,
    fixed: bool,
) -> Result<Vec<u8>, DefaultsError> {
    let mut entries: Vec<(i32, u64)> = Vec::new();
    for feature in features {
        let not_yet = feature.introduced.is_some_and(|i| edition < i);
        let gone = feature.removed.is_some_and(|r| edition >= r);
        let is_fixed = feature.has_support && (not_yet || gone);
        let field = &pool[feature.field];
        let mut sorted: Vec<&(i32, String)> = feature.defaults.iter().collect();
        sorted.sort_by_key(|(e, _)| *e);
        let Some((_, text)) = sorted.iter().rev().find(|(e, _)| *e <= edition) else {
            return Err(DefaultsError::invalid(format!(
                "No valid default found for edition {} in feature field {}",
                name(edition),
                field.full_name
            )));
        };
        let Some(value) = parse_value(pool, feature.field, text) else {
            return Err(DefaultsError::invalid(format!(
                "Parsing error in edition_defaults for feature field {}. Could not parse: {text}",
                field.full_name
            )));
        };
        if is_fixed == fixed {
            entries.push((field.number, value));
        }
    }
    entries.sort_by_key(|(number, _)| *number);
    let mut out = Vec::new();
    for (number, value) in entries {
        wire::put_uint(&mut out, number as u32, value);
    }
    Ok(out)
}

/// protoc's `FeatureResolver::CompileDefaults` over `pool`'s
/// `google.protobuf.FeatureSet` and all its extensions, for editions
/// `minimum..=maximum`: the serialized `FeatureSetDefaults`, byte for byte
/// as `protoc --edition_defaults_out` writes it.
pub fn compile(pool: &Pool, minimum: Edition, maximum: Edition) -> Result<Vec<u8>, DefaultsError> {
    let Some(Symbol::Message(feature_set)) = pool.lookup("google.protobuf.FeatureSet") else {
        return Err(DefaultsError {
            kind: DefaultsErrorKind::MissingFeatureSet,
            message: "Unable to find definition of google.protobuf.FeatureSet in descriptor pool."
                .to_string(),
        });
    };
    if minimum > maximum {
        return Err(DefaultsError::invalid(format!(
            "Invalid edition range, edition {} is newer than edition {}",
            minimum.display_name(),
            maximum.display_name()
        )));
    }
    let base = features_of(pool, feature_set)?;
    let mut extensions: Vec<(FieldId, i32)> = pool
        .fields()
        .filter(|(_, f)| f.extendee == Some(feature_set))
        .map(|(id, f)| (id, f.number))
        .collect();
    extensions.sort_by_key(|(_, number)| *number);
    let mut extension_features = Vec::new();
    for &(ext, number) in &extensions {
        let field = &pool[ext];
        let full = &field.full_name;
        let Some(message) = field.ty.message() else {
            return Err(DefaultsError::invalid(format!(
                "FeatureSet extension {full} is not of message type.  Feature extensions should always use messages to allow for evolution."
            )));
        };
        if field.label == Label::Repeated {
            return Err(DefaultsError::invalid(format!(
                "Only singular features extensions are supported.  Found repeated extension {full}"
            )));
        }
        if !pool[message].extensions.is_empty() || !pool[message].extension_ranges.is_empty() {
            return Err(DefaultsError::invalid(format!(
                "Nested extensions in feature extension {full} are not supported."
            )));
        }
        extension_features.push((number, features_of(pool, message)?));
    }

    let mut editions = BTreeSet::new();
    let all = std::iter::once(&base).chain(extension_features.iter().map(|(_, f)| f));
    for features in all {
        for feature in features {
            let candidates = std::iter::once(feature.introduced.unwrap_or(0))
                .chain(feature.removed)
                .chain(feature.defaults.iter().map(|(e, _)| *e));
            for edition in candidates {
                if edition <= maximum.0 || edition == Edition::UNSTABLE.0 {
                    editions.insert(edition);
                }
            }
        }
    }
    let first = editions.first().copied().unwrap_or(0);
    if first != Edition::LEGACY.0 {
        return Err(DefaultsError::invalid(format!(
            "Minimum edition {} is not EDITION_LEGACY",
            name(first)
        )));
    }
    if first > minimum.0 {
        return Err(DefaultsError::invalid(format!(
            "Minimum edition {} is earlier than the oldest valid edition {}",
            minimum.display_name(),
            name(first)
        )));
    }

    let mut out = Vec::new();
    for &edition in &editions {
        let mut halves = [Vec::new(), Vec::new()];
        for (half, fixed) in halves.iter_mut().zip([false, true]) {
            *half = fill(pool, &base, edition, fixed)?;
            for (number, features) in &extension_features {
                let body = fill(pool, features, edition, fixed)?;
                wire::put_bytes(half, *number as u32, &body);
            }
        }
        let mut entry = Vec::new();
        wire::put_uint(&mut entry, 3, edition as u64);
        wire::put_bytes(&mut entry, 4, &halves[0]);
        wire::put_bytes(&mut entry, 5, &halves[1]);
        wire::put_bytes(&mut out, 1, &entry);
    }
    wire::put_uint(&mut out, 4, minimum.0 as u64);
    wire::put_uint(&mut out, 5, maximum.0 as u64);
    Ok(out)
}
