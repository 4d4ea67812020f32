//! The `validate` phase: the checks of protoc's `DescriptorBuilder` (and the
//! few its command line adds), with protoc's messages and positions.
//!
//! protoc reports a builder error at a position it recorded while parsing
//! for the element and the kind of problem (the element's name, number,
//! type, default value, …); where it recorded none (oneofs, a message's
//! `NUMBER`, the command line's own checks) the error has no position and
//! prints as `file: message`. [`Site`] names those kinds; [`Checker::error`]
//! turns an element and a site into a position the same way.
//!
//! The checks run in three groups, in protoc's order: those protoc makes while
//! building a file's elements ([`build_checks`]), those it makes once options
//! are interpreted ([`option_checks`]), and those its command line makes
//! after every file is built ([`command_line_checks`]).

use std::collections::{HashMap, HashSet};

use protoforge_syntax::Span as SynSpan;

use crate::diagnostic::{DiagnosticKind, Severity};
use crate::ir::{
    Edition, EnumId, FieldId, FieldPresence, FieldType, FileId, JsonFormat, Label, MessageId, Pool,
    RepeatedFieldEncoding, Scalar, Scope, Symbol, Syntax,
};
use crate::lower::{Lowered, OptionTarget};

/// The largest field number.
const MAX_FIELD_NUMBER: i32 = 536_870_911;

/// Which recorded position of an element a diagnostic points at (protoc's
/// `ErrorLocation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Site {
    /// The element's name.
    Name,
    /// Its number.
    Number,
    /// Its type.
    Type,
    /// Its default value.
    Default,
    /// The `json_name` option (protoc's `OPTION_NAME` of a field).
    OptionName,
    /// The extendee (first extension of an `extend` block only).
    Extendee,
    /// No recorded position: `file: message`.
    None,
}

/// One diagnostic found by this phase.
pub(crate) struct Found {
    pub(crate) severity: Severity,
    pub(crate) kind: DiagnosticKind,
    pub(crate) span: Option<SynSpan>,
    pub(crate) message: String,
}

/// Collects diagnostics for one file.
pub(crate) struct Checker<'a> {
    pub(crate) pool: &'a Pool,
    pub(crate) file: FileId,
    pub(crate) lowered: &'a Lowered,
    pub(crate) found: Vec<Found>,
}

impl Checker<'_> {
    fn span_of(&self, symbol: Symbol, site: Site) -> Option<SynSpan> {
        let parts = self.lowered.parts.get(&symbol)?;
        match (symbol, site) {
            // protoc records no position for a oneof.
            (Symbol::Oneof(_), _) => None,
            (_, Site::Name) => Some(parts.name),
            (_, Site::Number) => parts.number,
            (_, Site::Type) => parts.ty,
            (_, Site::Default) => parts.default,
            (_, Site::OptionName) => parts.json_name,
            (_, Site::Extendee) => parts.extendee,
            (_, Site::None) => None,
        }
    }

    /// Reports an error at `site` of `symbol`.
    pub(crate) fn error(&mut self, symbol: Symbol, site: Site, message: impl Into<String>) {
        let span = self.span_of(symbol, site);
        self.at(Severity::Error, span, message.into());
    }

    /// Reports a warning at `site` of `symbol`.
    fn warning(&mut self, symbol: Symbol, site: Site, message: impl Into<String>) {
        let span = self.span_of(symbol, site);
        self.at(Severity::Warning, span, message.into());
    }

    /// Reports at an explicit span (or none).
    pub(crate) fn at(&mut self, severity: Severity, span: Option<SynSpan>, message: String) {
        self.found.push(Found {
            severity,
            kind: DiagnosticKind::Invalid,
            span,
            message,
        });
    }

    fn has_errors(&self) -> bool {
        self.found.iter().any(|f| f.severity == Severity::Error)
    }

    fn edition(&self) -> Edition {
        self.pool[self.file].edition
    }
}

/// Every message of a file, outer before inner, in declaration order.
fn messages_of(pool: &Pool, file: FileId) -> Vec<MessageId> {
    fn walk(pool: &Pool, m: MessageId, out: &mut Vec<MessageId>) {
        out.push(m);
        for n in &pool[m].nested_messages {
            walk(pool, *n, out);
        }
    }
    let mut out = Vec::new();
    for m in &pool[file].messages {
        walk(pool, *m, &mut out);
    }
    out
}

/// Every enum of a file: top-level first, then nested ones message by message.
fn enums_of(pool: &Pool, file: FileId) -> Vec<EnumId> {
    let mut out: Vec<EnumId> = Vec::new();
    for m in messages_of(pool, file) {
        out.extend(&pool[m].nested_enums);
    }
    out.extend(&pool[file].enums);
    out
}

/// Every field and extension of a file.
fn fields_of(pool: &Pool, file: FileId) -> Vec<FieldId> {
    let mut out = Vec::new();
    for m in messages_of(pool, file) {
        out.extend(&pool[m].fields);
        out.extend(&pool[m].extensions);
    }
    out.extend(&pool[file].extensions);
    out
}

/// protoc's checks while building elements (before linking and options).
pub(crate) fn build_checks(c: &mut Checker<'_>) {
    let pool = c.pool;
    let file = c.file;
    // Imports listed twice.
    let mut seen = HashSet::new();
    for import in &c.lowered.imports {
        if !seen.insert(import.name.clone()) {
            let span = Some(import.span);
            c.at(
                Severity::Error,
                span,
                format!("Import \"{}\" was listed twice.", import.name),
            );
        }
    }
    for m in messages_of(pool, file) {
        let message = &pool[m];
        if message.map_entry.is_some() {
            continue;
        }
        for f in message.fields.iter().chain(&message.extensions) {
            field_build_checks(c, *f);
        }
        for (i, range) in message.extension_ranges.iter().enumerate() {
            let span = c
                .lowered
                .extension_range_spans
                .get(&m)
                .and_then(|s| s.get(i))
                .copied();
            if range.start <= 0 {
                c.at(
                    Severity::Error,
                    span,
                    "Extension numbers must be positive integers.".to_string(),
                );
            }
            if range.start >= range.end {
                c.at(
                    Severity::Error,
                    span,
                    "Extension range end number must be greater than start number.".to_string(),
                );
            }
        }
        let reserved_span = |i: usize| {
            c.lowered
                .reserved_spans
                .get(&m)
                .and_then(|s| s.get(i))
                .copied()
        };
        for (i, (start, end)) in message.reserved_ranges.iter().enumerate() {
            let span = reserved_span(i);
            if *start <= 0 {
                c.at(
                    Severity::Error,
                    span,
                    "Reserved numbers must be positive integers.".to_string(),
                );
            }
            if start >= end {
                c.at(
                    Severity::Error,
                    span,
                    "Reserved range end number must be greater than start number.".to_string(),
                );
            }
        }
        for (i, r1) in message.reserved_ranges.iter().enumerate() {
            for r2 in &message.reserved_ranges[i + 1..] {
                if r1.1 > r2.0 && r2.1 > r1.0 {
                    let span = reserved_span(i);
                    c.at(
                        Severity::Error,
                        span,
                        format!(
                            "Reserved range {} to {} overlaps with already-defined range {} to {}.",
                            r2.0,
                            r2.1 - 1,
                            r1.0,
                            r1.1 - 1
                        ),
                    );
                }
            }
        }
        let mut names = HashSet::new();
        for name in &message.reserved_names {
            if !names.insert(name.as_str()) {
                c.error(
                    Symbol::Message(m),
                    Site::Name,
                    format!("Field name \"{name}\" is reserved multiple times."),
                );
            }
        }
        for f in &message.fields {
            let field = &pool[*f];
            for (j, range) in message.extension_ranges.iter().enumerate() {
                if range.start <= field.number && field.number < range.end {
                    let span = c
                        .lowered
                        .extension_range_spans
                        .get(&m)
                        .and_then(|s| s.get(j))
                        .copied();
                    c.at(
                        Severity::Error,
                        span,
                        format!(
                            "Extension range {} to {} includes field \"{}\" ({}).",
                            range.start,
                            range.end - 1,
                            field.name,
                            field.number
                        ),
                    );
                }
            }
            for (j, (start, end)) in message.reserved_ranges.iter().enumerate() {
                if *start <= field.number && field.number < *end {
                    let span = reserved_span(j);
                    c.at(
                        Severity::Error,
                        span,
                        format!(
                            "Field \"{}\" uses reserved number {}.",
                            field.name, field.number
                        ),
                    );
                }
            }
            if names.contains(field.name.as_str()) {
                c.error(
                    Symbol::Field(*f),
                    Site::Name,
                    format!("Field name \"{}\" is reserved.", field.name),
                );
            }
        }
        for (i, r1) in message.extension_ranges.iter().enumerate() {
            let span = c
                .lowered
                .extension_range_spans
                .get(&m)
                .and_then(|s| s.get(i))
                .copied();
            for (start, end) in &message.reserved_ranges {
                if r1.end > *start && *end > r1.start {
                    c.at(
                        Severity::Error,
                        span,
                        format!(
                            "Extension range {} to {} overlaps with reserved range {} to {}.",
                            r1.start,
                            r1.end - 1,
                            start,
                            end - 1
                        ),
                    );
                }
            }
            for r2 in &message.extension_ranges[i + 1..] {
                if r1.end > r2.start && r2.end > r1.start {
                    c.at(
                        Severity::Error,
                        span,
                        format!(
                            "Extension range {} to {} overlaps with already-defined range {} to {}.",
                            r2.start,
                            r2.end - 1,
                            r1.start,
                            r1.end - 1
                        ),
                    );
                }
            }
        }
    }
    for f in &pool[file].extensions {
        field_build_checks(c, *f);
    }
    for e in enums_of(pool, file) {
        enum_build_checks(c, e);
    }
}

fn field_build_checks(c: &mut Checker<'_>, f: FieldId) {
    let field = &c.pool[f];
    if field.number <= 0 {
        c.error(
            Symbol::Field(f),
            Site::Number,
            "Field numbers must be positive integers.",
        );
    } else if !field.is_extension()
        && c.lowered.extendees.iter().all(|(x, _)| *x != f)
        && field.number > MAX_FIELD_NUMBER
    {
        c.error(
            Symbol::Field(f),
            Site::Number,
            format!("Field numbers cannot be greater than {MAX_FIELD_NUMBER}."),
        );
    }
    let is_extension = c.lowered.extendees.iter().any(|(x, _)| *x == f);
    if is_extension && field.label == Label::Required && !c.edition().is_editions() {
        let name = field.full_name.clone();
        c.error(
            Symbol::Field(f),
            Site::Type,
            format!("The extension {name} cannot be required."),
        );
    }
    if field.label == Label::Repeated && c.lowered.defaults.iter().any(|(x, _)| *x == f) {
        c.error(
            Symbol::Field(f),
            Site::Default,
            "Repeated fields can't have default values.",
        );
    }
}

fn enum_build_checks(c: &mut Checker<'_>, e: EnumId) {
    let pool = c.pool;
    let en = &pool[e];
    if en.values.is_empty() {
        c.error(
            Symbol::Enum(e),
            Site::Name,
            "Enums must contain at least one value.",
        );
    }
    let spans = c
        .lowered
        .enum_reserved_spans
        .get(&e)
        .cloned()
        .unwrap_or_default();
    for (i, (start, end)) in en.reserved_ranges.iter().enumerate() {
        if start > end {
            c.at(
                Severity::Error,
                spans.get(i).copied(),
                "Reserved range end number must be greater than start number.".to_string(),
            );
        }
    }
    for (i, r1) in en.reserved_ranges.iter().enumerate() {
        for r2 in &en.reserved_ranges[i + 1..] {
            if r1.1 >= r2.0 && r2.1 >= r1.0 {
                c.at(
                    Severity::Error,
                    spans.get(i).copied(),
                    format!(
                        "Reserved range {} to {} overlaps with already-defined range {} to {}.",
                        r2.0, r2.1, r1.0, r1.1
                    ),
                );
            }
        }
    }
    let mut names = HashSet::new();
    for name in &en.reserved_names {
        if !names.insert(name.as_str()) {
            c.error(
                Symbol::Enum(e),
                Site::Name,
                format!("Enum value \"{name}\" is reserved multiple times."),
            );
        }
    }
    for v in &en.values {
        let value = &pool[*v];
        for (j, (start, end)) in en.reserved_ranges.iter().enumerate() {
            if *start <= value.number && value.number <= *end {
                c.at(
                    Severity::Error,
                    spans.get(j).copied(),
                    format!(
                        "Enum value \"{}\" uses reserved number {}.",
                        value.name, value.number
                    ),
                );
            }
        }
        if names.contains(value.name.as_str()) {
            c.error(
                Symbol::EnumValue(*v),
                Site::Name,
                format!("Enum value \"{}\" is reserved.", value.name),
            );
        }
    }
}

/// protoc's cross-link checks that need resolved types: field numbers used
/// twice, empty oneofs.
pub(crate) fn link_checks(c: &mut Checker<'_>) {
    let pool = c.pool;
    for m in messages_of(pool, c.file) {
        let message = &pool[m];
        let mut used: HashMap<i32, FieldId> = HashMap::new();
        for f in &message.fields {
            let field = &pool[*f];
            match used.get(&field.number) {
                Some(other) => {
                    let next = next_free_number(pool, m);
                    let suffix = if next <= i64::from(MAX_FIELD_NUMBER) {
                        format!("Next available field number is {next}")
                    } else {
                        "There are no available field numbers".to_string()
                    };
                    c.error(
                        Symbol::Field(*f),
                        Site::Number,
                        format!(
                            "Field number {} has already been used in \"{}\" by field \"{}\". {suffix}.",
                            field.number, message.full_name, pool[*other].name
                        ),
                    );
                }
                None => {
                    used.insert(field.number, *f);
                }
            }
        }
        for o in &message.oneofs {
            if pool[*o].fields.is_empty() {
                c.error(
                    Symbol::Oneof(*o),
                    Site::Name,
                    "Oneof must have at least one field.",
                );
            }
        }
    }
}

fn next_free_number(pool: &Pool, m: MessageId) -> i64 {
    let message = &pool[m];
    let mut used: Vec<(i64, i64)> = Vec::new();
    for f in &message.fields {
        let n = i64::from(pool[*f].number);
        used.push((n, n));
    }
    for r in &message.extension_ranges {
        used.push((i64::from(r.start), i64::from(r.end) - 1));
    }
    for (start, end) in &message.reserved_ranges {
        used.push((i64::from(*start), i64::from(*end) - 1));
    }
    used.sort_unstable();
    used.dedup();
    let mut proposed = 1i64;
    for (start, end) in used {
        if start <= proposed && proposed <= end {
            proposed = end + 1;
        } else if start > proposed {
            break;
        }
    }
    proposed
}

/// protoc's `ValidateOptions` over every element, once options are known.
pub(crate) fn option_checks(c: &mut Checker<'_>) {
    if c.has_errors() {
        return;
    }
    let pool = c.pool;
    let file = c.file;
    let edition = c.edition();
    // File.
    if edition.is_editions() && pool[file].features.field_presence == FieldPresence::LegacyRequired
    {
        let span = c.lowered.syntax_span;
        c.at(
            Severity::Error,
            span,
            "Required presence can't be specified by default.".to_string(),
        );
    }
    if !is_lite(pool, file) {
        for (i, dep) in pool[file].dependencies.iter().enumerate() {
            if let Some(d) = dep.file {
                if is_lite(pool, d) {
                    let span = c
                        .lowered
                        .imports
                        .iter()
                        .filter(|i| !i.option)
                        .nth(i)
                        .map(|i| i.span);
                    c.at(
                        Severity::Error,
                        span,
                        format!(
                            "Files that do not use optimize_for = LITE_RUNTIME cannot import files which do use this option.  This file is not lite, but it imports \"{}\" which is.",
                            dep.name
                        ),
                    );
                    break;
                }
            }
        }
    }
    if edition == Edition::PROTO3 {
        proto3_checks(c);
    }
    for m in messages_of(pool, file) {
        if pool[m].map_entry.is_none() {
            json_name_checks(c, m, false);
            json_name_checks(c, m, true);
            extension_range_checks(c, m);
        }
    }
    for f in fields_of(pool, file) {
        field_option_checks(c, f);
    }
    for e in enums_of(pool, file) {
        enum_option_checks(c, e);
    }
    for s in &pool[file].services {
        if is_lite(pool, file)
            && (file_option_bool(pool, file, 16) || file_option_bool(pool, file, 17))
        {
            c.error(
                Symbol::Service(*s),
                Site::Name,
                "Files with optimize_for = LITE_RUNTIME cannot define services unless you set both options cc_generic_services and java_generic_services to false.",
            );
        }
    }
}

/// A `bool` field of the file's options.
fn file_option_bool(pool: &Pool, file: FileId, number: u32) -> bool {
    option_varint(&pool[file].options.encoded, number) == Some(1)
}

/// The last varint value of field `number` in an encoded message.
fn option_varint(encoded: &[u8], number: u32) -> Option<u64> {
    let mut reader = crate::wire::Reader::new(encoded);
    let mut out = None;
    while let Some((n, v)) = reader.field() {
        if let (true, crate::wire::FieldValue::Varint(x)) = (n == number, v) {
            out = Some(x);
        }
    }
    out
}

fn is_lite(pool: &Pool, file: FileId) -> bool {
    option_varint(&pool[file].options.encoded, 9) == Some(3)
}

fn proto3_checks(c: &mut Checker<'_>) {
    let pool = c.pool;
    let file = c.file;
    for f in pool[file].extensions.clone() {
        proto3_field(c, f);
    }
    for m in messages_of(pool, file) {
        let message = &pool[m];
        for f in message.fields.iter().chain(&message.extensions) {
            proto3_field(c, *f);
        }
        if !message.extension_ranges.is_empty() {
            let span = c
                .lowered
                .extension_range_spans
                .get(&m)
                .and_then(|s| s.first())
                .copied();
            c.at(
                Severity::Error,
                span,
                "Extension ranges are not allowed in proto3.".to_string(),
            );
        }
        if message.options.message_set_wire_format {
            c.error(
                Symbol::Message(m),
                Site::Name,
                "MessageSet is not supported in proto3.",
            );
        }
    }
}

fn proto3_field(c: &mut Checker<'_>, f: FieldId) {
    let pool = c.pool;
    let field = &pool[f];
    if let Some(extendee) = field.extendee {
        let is_option = pool[pool[extendee].file].name == "google/protobuf/descriptor.proto"
            && pool[extendee].name.ends_with("Options");
        if !is_option {
            c.error(
                Symbol::Field(f),
                Site::Extendee,
                "Extensions in proto3 are only allowed for defining options.",
            );
        }
    }
    if field.label == Label::Required {
        c.error(
            Symbol::Field(f),
            Site::Type,
            "Required fields are not allowed in proto3.",
        );
    }
    if field.default.is_some() {
        c.error(
            Symbol::Field(f),
            Site::Default,
            "Explicit default values are not allowed in proto3.",
        );
    }
    if let FieldType::Enum(e) = field.ty {
        if pool[e].is_closed() {
            let container = field
                .message()
                .or(field.extendee)
                .map(|m| pool[m].full_name.to_string())
                .unwrap_or_default();
            c.error(
                Symbol::Field(f),
                Site::Type,
                format!(
                    "Enum type \"{}\" is not an open enum, but is used in \"{container}\" which is a proto3 message type.",
                    pool[e].full_name
                ),
            );
        }
    }
    if matches!(field.ty, FieldType::Group(_)) {
        c.error(
            Symbol::Field(f),
            Site::Type,
            "Groups are not supported in proto3 syntax.",
        );
    }
}

fn json_name_checks(c: &mut Checker<'_>, m: MessageId, use_custom: bool) {
    let pool = c.pool;
    let message = &pool[m];
    let mut seen: HashMap<String, (FieldId, String, bool)> = HashMap::new();
    for f in &message.fields {
        let field = &pool[*f];
        let default = crate::lower::json_name(&field.name);
        let (name, custom) =
            if use_custom && field.has_explicit_json_name && field.json_name != default {
                (field.json_name.clone(), true)
            } else {
                (default, false)
            };
        if custom && name.starts_with('[') && name.ends_with(']') {
            c.error(
                Symbol::Field(*f),
                Site::Name,
                format!(
                    "The custom JSON name of field \"{}\" (\"{name}\") is invalid: JSON names may not start with '[' and end with ']'.",
                    field.name
                ),
            );
            continue;
        }
        match seen.get(&name) {
            None => {
                seen.insert(name, (*f, String::new(), custom));
            }
            Some((other, _, other_custom)) => {
                if use_custom && !custom && !other_custom {
                    continue;
                }
                let this_type = if custom { "custom" } else { "default" };
                let existing_type = if *other_custom { "custom" } else { "default" };
                let message_text = format!(
                    "The {this_type} JSON name of field \"{}\" (\"{name}\") conflicts with the {existing_type} JSON name of field \"{}\".",
                    field.name, pool[*other].name
                );
                let involves_default = !custom || !other_custom;
                if message.features.json_format == JsonFormat::LegacyBestEffort && involves_default
                {
                    c.warning(Symbol::Field(*f), Site::Name, message_text);
                } else {
                    c.error(Symbol::Field(*f), Site::Name, message_text);
                }
            }
        }
    }
}

fn extension_range_checks(c: &mut Checker<'_>, m: MessageId) {
    let pool = c.pool;
    let message = &pool[m];
    let max = if message.options.message_set_wire_format {
        i64::from(i32::MAX)
    } else {
        i64::from(MAX_FIELD_NUMBER)
    };
    for range in &message.extension_ranges {
        if i64::from(range.end) > max + 1 {
            c.at(
                Severity::Error,
                None,
                format!("Extension numbers cannot be greater than {max}."),
            );
        }
    }
}

fn field_option_checks(c: &mut Checker<'_>, f: FieldId) {
    let pool = c.pool;
    let field = &pool[f];
    let in_map_entry = matches!(field.scope, Scope::Message(m) if pool[m].map_entry.is_some() && !field.is_extension());
    if !in_map_entry {
        field_feature_checks(c, f);
    }
    let field = &pool[f];
    if c.edition() >= Edition::E2024 && field.options.ctype.is_some() {
        c.error(
            Symbol::Field(f),
            Site::Type,
            "ctype option is not allowed under edition 2024 and beyond. Use the feature string_type = VIEW|CORD|STRING|... instead.",
        );
    }
    if field.options.lazy && !matches!(field.ty, FieldType::Message(_)) {
        c.error(
            Symbol::Field(f),
            Site::Type,
            "[lazy = true] can only be specified for submessage fields.",
        );
    }
    if field.options.packed == Some(true) && !is_packable(field) {
        c.error(
            Symbol::Field(f),
            Site::Type,
            "[packed = true] can only be specified for repeated primitive fields.",
        );
    }
    let container = field.message().or(field.extendee);
    if let Some(container) = container {
        if pool[container].options.message_set_wire_format {
            if field.is_extension() {
                if field.label != Label::Optional || !matches!(field.ty, FieldType::Message(_)) {
                    c.error(
                        Symbol::Field(f),
                        Site::Type,
                        "Extensions of MessageSets must be optional messages.",
                    );
                }
            } else {
                c.error(
                    Symbol::Field(f),
                    Site::Name,
                    "MessageSets cannot have fields, only extensions.",
                );
            }
        }
        if field.is_extension() && is_lite(pool, field.file) && !is_lite(pool, pool[container].file)
        {
            c.error(
                Symbol::Field(f),
                Site::Extendee,
                "Extensions to non-lite types can only be declared in non-lite files.  Note that you cannot extend a non-lite type to contain a lite type, but the reverse is allowed.",
            );
        }
    }
    if let FieldType::Message(entry) = field.ty {
        if let (Some(map), Label::Repeated) = (pool[entry].map_entry, field.label) {
            let key = &pool[map.key];
            match key.ty {
                FieldType::Enum(_) => {
                    c.error(
                        Symbol::Field(f),
                        Site::Type,
                        "Key in map fields cannot be enum types.",
                    );
                }
                FieldType::Scalar(Scalar::Float | Scalar::Double | Scalar::Bytes)
                | FieldType::Message(_)
                | FieldType::Group(_) => {
                    c.error(
                        Symbol::Field(f),
                        Site::Type,
                        "Key in map fields cannot be float/double, bytes or message types.",
                    );
                }
                FieldType::Scalar(_) => {}
            }
            if let FieldType::Enum(e) = pool[map.value].ty {
                if pool[e].values.first().is_some_and(|v| pool[*v].number != 0) {
                    c.error(
                        Symbol::Field(f),
                        Site::Type,
                        "Enum value in map must define 0 as the first value.",
                    );
                }
            }
        }
    }
    // jstype (FieldOptions field 6).
    let jstype = option_varint(&field.options.encoded, 6).unwrap_or(0);
    if jstype != 0 {
        let is_64 = matches!(
            field.ty,
            FieldType::Scalar(
                Scalar::Int64
                    | Scalar::Uint64
                    | Scalar::Sint64
                    | Scalar::Fixed64
                    | Scalar::Sfixed64
            )
        );
        if !is_64 {
            c.error(
                Symbol::Field(f),
                Site::Type,
                "jstype is only allowed on int64, uint64, sint64, fixed64 or sfixed64 fields.",
            );
        }
    }
    if field.is_extension()
        && field.has_explicit_json_name
        && field.json_name != crate::lower::json_name(&field.name)
    {
        c.error(
            Symbol::Field(f),
            Site::OptionName,
            "option json_name is not allowed on extension fields.",
        );
    }
    if field.json_name.contains('\0') {
        c.error(
            Symbol::Field(f),
            Site::OptionName,
            "json_name cannot have embedded null characters.",
        );
    }
}

fn is_packable(field: &crate::ir::Field) -> bool {
    field.label == Label::Repeated
        && match field.ty {
            FieldType::Scalar(s) => s.is_packable(),
            FieldType::Enum(_) => true,
            _ => false,
        }
}

/// The built-in features written explicitly on a field (`FeatureSet` fields
/// 1 to 6, as set).
fn written_features(field: &crate::ir::Field) -> HashMap<u32, u64> {
    let mut out = HashMap::new();
    let mut reader = crate::wire::Reader::new(&field.options.features);
    while let Some((n, v)) = reader.field() {
        if let crate::wire::FieldValue::Varint(x) = v {
            out.insert(n, x);
        }
    }
    out
}

fn field_feature_checks(c: &mut Checker<'_>, f: FieldId) {
    let pool = c.pool;
    let field = &pool[f];
    if c.edition() < Edition::E2023 {
        return;
    }
    if field.options.packed.is_some() {
        c.error(
            Symbol::Field(f),
            Site::Name,
            "Field option packed is not allowed under editions.  Use the repeated_field_encoding feature to control this behavior.",
        );
    }
    let has_presence = field.presence == crate::ir::Presence::Explicit
        || field.presence == crate::ir::Presence::Required;
    if field.label != Label::Repeated && !has_presence {
        if field.default.is_some() {
            c.error(
                Symbol::Field(f),
                Site::Name,
                "Implicit presence fields can't specify defaults.",
            );
        }
        if let FieldType::Enum(e) = field.ty {
            if pool[e].is_closed() {
                c.error(
                    Symbol::Field(f),
                    Site::Name,
                    "Implicit presence enum fields must always be open.",
                );
            }
        }
    }
    if field.is_extension() && field.label == Label::Required {
        c.error(
            Symbol::Field(f),
            Site::Name,
            "Extensions can't be required.",
        );
    }
    let written = written_features(field);
    if let Some(presence) = written.get(&1) {
        let in_oneof = field.oneof.is_some();
        if in_oneof {
            c.error(
                Symbol::Field(f),
                Site::Name,
                "Oneof fields can't specify field presence.",
            );
        } else if field.label == Label::Repeated {
            c.error(
                Symbol::Field(f),
                Site::Name,
                "Repeated fields can't specify field presence.",
            );
        } else if field.is_extension() && *presence != 3 {
            c.error(
                Symbol::Field(f),
                Site::Name,
                "Extensions can't specify field presence.",
            );
        } else if field.ty.message().is_some() && *presence == 2 {
            c.error(
                Symbol::Field(f),
                Site::Name,
                "Message fields can't specify implicit presence.",
            );
        }
    }
    if field.label != Label::Repeated && written.contains_key(&3) {
        c.error(
            Symbol::Field(f),
            Site::Name,
            "Only repeated fields can specify repeated field encoding.",
        );
    }
    let is_string_map = field
        .ty
        .message()
        .and_then(|m| pool[m].map_entry)
        .is_some_and(|e| {
            pool[e.key].ty == FieldType::Scalar(Scalar::String)
                || pool[e.value].ty == FieldType::Scalar(Scalar::String)
        });
    if field.ty != FieldType::Scalar(Scalar::String) && !is_string_map && written.contains_key(&4) {
        c.error(
            Symbol::Field(f),
            Site::Name,
            "Only string fields can specify utf8 validation.",
        );
    }
    if !is_packable(field) && written.get(&3) == Some(&1) {
        c.error(
            Symbol::Field(f),
            Site::Name,
            "Only repeated primitive fields can specify PACKED repeated field encoding.",
        );
    }
    let is_map = field
        .ty
        .message()
        .is_some_and(|m| pool[m].map_entry.is_some());
    if (field.ty.message().is_none() || is_map) && written.contains_key(&5) {
        c.error(
            Symbol::Field(f),
            Site::Name,
            "Only message fields can specify message encoding.",
        );
    }
    let _ = RepeatedFieldEncoding::Packed;
}

/// protoc's `EnumValueToPascalCase`.
fn enum_value_to_pascal(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut next_upper = true;
    for ch in input.chars() {
        if ch == '_' {
            next_upper = true;
        } else {
            if next_upper {
                out.push(ch.to_ascii_uppercase());
            } else {
                out.push(ch.to_ascii_lowercase());
            }
            next_upper = false;
        }
    }
    out
}

/// protoc's `PrefixRemover::MaybeRemove`.
fn remove_prefix(prefix: &str, value: &str) -> String {
    let prefix: Vec<u8> = prefix
        .bytes()
        .filter(|b| *b != b'_')
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let bytes = value.as_bytes();
    let (mut i, mut j) = (0, 0);
    while i < bytes.len() && j < prefix.len() {
        if bytes[i] == b'_' {
            i += 1;
            continue;
        }
        if bytes[i].to_ascii_lowercase() != prefix[j] {
            return value.to_string();
        }
        i += 1;
        j += 1;
    }
    if j < prefix.len() {
        return value.to_string();
    }
    while i < bytes.len() && bytes[i] == b'_' {
        i += 1;
    }
    if i == bytes.len() {
        return value.to_string();
    }
    value[i..].to_string()
}

fn enum_option_checks(c: &mut Checker<'_>, e: EnumId) {
    let pool = c.pool;
    let en = &pool[e];
    let mut stripped: HashMap<String, crate::ir::EnumValueId> = HashMap::new();
    for v in &en.values {
        let value = &pool[*v];
        let key = enum_value_to_pascal(&remove_prefix(&en.name, &value.name));
        match stripped.get(&key) {
            None => {
                stripped.insert(key, *v);
            }
            Some(other) => {
                let other = &pool[*other];
                if other.name != value.name && other.number != value.number {
                    c.error(
                        Symbol::EnumValue(*v),
                        Site::Name,
                        format!(
                            "Enum name {} has the same name as {} if you ignore case and strip out the enum name prefix (if any). (If you are using allow_alias, please assign the same number to each enum value name.)",
                            value.name, other.name
                        ),
                    );
                }
            }
        }
    }
    if !en.is_closed() {
        if let Some(first) = en.values.first() {
            if pool[*first].number != 0 {
                c.error(
                    Symbol::EnumValue(*first),
                    Site::Number,
                    "The first enum value must be zero for open enums.",
                );
            }
        }
    }
    if !en.options.allow_alias {
        let mut used: HashMap<i32, String> = HashMap::new();
        for v in &en.values {
            let value = &pool[*v];
            if let Some(existing) = used.get(&value.number) {
                let numbers: HashSet<i64> = en
                    .values
                    .iter()
                    .map(|x| i64::from(pool[*x].number))
                    .collect();
                let mut next = i64::from(value.number) + 1;
                while numbers.contains(&next) {
                    next += 1;
                }
                let mut message = format!(
                    "\"{}\" uses the same enum value as \"{existing}\". If this is intended, set 'option allow_alias = true;' to the enum definition.",
                    value.full_name
                );
                if next < i64::from(i32::MAX) {
                    message.push_str(&format!(" The next available enum value is {next}."));
                }
                c.error(Symbol::EnumValue(*v), Site::Number, message);
            } else {
                used.insert(value.number, value.full_name.to_string());
            }
        }
    }
}

/// Checks protoc's command line makes on the requested files once every file
/// is built: reserved field numbers and option targets.
pub(crate) fn command_line_checks(pool: &Pool, file: FileId, found: &mut Vec<Found>) {
    for f in fields_of(pool, file) {
        let n = pool[f].number;
        if (19000..=19999).contains(&n) {
            found.push(Found {
                severity: Severity::Error,
                kind: DiagnosticKind::Invalid,
                span: None,
                message: "Field numbers 19000 through 19999 are reserved for the protocol buffer library implementation."
                    .to_string(),
            });
        }
    }
    let _ = (OptionTarget::File(file), Syntax::Proto2);
}
