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
    RepeatedFieldEncoding, Scalar, Scope, Symbol,
};
use crate::lower::Lowered;

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

/// A node of protoc's `VisitDescriptors` walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    File,
    Message(MessageId),
    Enum(EnumId),
    EnumValue(crate::ir::EnumValueId),
    Oneof(crate::ir::OneofId),
    Field(FieldId),
    ExtensionRange(MessageId, usize),
    Service(crate::ir::ServiceId),
    Method(crate::ir::MethodId),
}

/// Every element of `file` in protoc's `VisitDescriptors` order: the file;
/// each message (itself, its enums and their values, oneofs, fields, nested
/// messages, extensions, extension ranges); the file's enums, extensions,
/// services and their methods.
pub(crate) fn visit_order(pool: &Pool, file: FileId) -> Vec<Node> {
    fn enumeration(pool: &Pool, e: EnumId, out: &mut Vec<Node>) {
        out.push(Node::Enum(e));
        out.extend(pool[e].values.iter().map(|v| Node::EnumValue(*v)));
    }
    fn message(pool: &Pool, m: MessageId, out: &mut Vec<Node>) {
        out.push(Node::Message(m));
        let msg = &pool[m];
        for e in &msg.nested_enums {
            enumeration(pool, *e, out);
        }
        out.extend(msg.oneofs.iter().map(|o| Node::Oneof(*o)));
        out.extend(msg.fields.iter().map(|f| Node::Field(*f)));
        for n in &msg.nested_messages {
            message(pool, *n, out);
        }
        out.extend(msg.extensions.iter().map(|f| Node::Field(*f)));
        out.extend((0..msg.extension_ranges.len()).map(|i| Node::ExtensionRange(m, i)));
    }
    let mut out = vec![Node::File];
    for m in &pool[file].messages {
        message(pool, *m, &mut out);
    }
    for e in &pool[file].enums {
        enumeration(pool, *e, &mut out);
    }
    out.extend(pool[file].extensions.iter().map(|f| Node::Field(*f)));
    for s in &pool[file].services {
        out.push(Node::Service(*s));
        out.extend(pool[*s].methods.iter().map(|m| Node::Method(*m)));
    }
    out
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
    if edition.is_editions() && file_option_bool(pool, file, 27) {
        let span = c.lowered.syntax_span;
        c.at(
            Severity::Error,
            span,
            "File option java_string_check_utf8 is not allowed under editions. Use the (pb.java).utf8_validation feature to control this behavior."
                .to_string(),
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
    for node in visit_order(pool, file) {
        match node {
            Node::Message(m) if pool[m].map_entry.is_none() => {
                json_name_checks(c, m, false);
                json_name_checks(c, m, true);
                extension_range_checks(c, m);
            }
            Node::Field(f) => field_option_checks(c, f),
            Node::Enum(e) => enum_option_checks(c, e),
            Node::EnumValue(v) => {
                if let Some(support) = Support::of(&pool[v].options, 4) {
                    if let Err(e) = support.validate(pool[v].full_name.as_str()) {
                        c.error(Symbol::EnumValue(v), Site::OptionName, e);
                    }
                }
            }
            Node::Service(s)
                if is_lite(pool, file)
                    && (file_option_bool(pool, file, 16) || file_option_bool(pool, file, 17)) =>
            {
                c.error(
                        Symbol::Service(s),
                        Site::Name,
                        "Files with optimize_for = LITE_RUNTIME cannot define services unless you set both options cc_generic_services and java_generic_services to false.",
                    );
            }
            _ => {}
        }
    }
}

/// protoc's edition 2024 naming rules (`enforce_naming_style = STYLE2024`),
/// checked once everything else is valid.
pub(crate) fn naming_checks(c: &mut Checker<'_>) {
    if c.has_errors() {
        return;
    }
    use crate::ir::EnforceNamingStyle;
    let pool = c.pool;
    let file = c.file;
    let enforced = |style: EnforceNamingStyle| style != EnforceNamingStyle::StyleLegacy;
    const OPT_OUT: &str =
        " (features.enforce_naming_style = STYLE_LEGACY can be used to opt out of this check)";
    for node in visit_order(pool, file) {
        match node {
            Node::File => {
                if let Some(package) = &pool[file].package {
                    if enforced(pool[file].features.enforce_naming_style) {
                        if let Err(e) = lower_snake(package.as_str()) {
                            let span = c.lowered.package_span;
                            c.at(
                                Severity::Error,
                                span,
                                format!("Package name {package} {e}{OPT_OUT}"),
                            );
                        }
                    }
                }
            }
            Node::ExtensionRange(..) => {}
            // Every named element: (checked?, symbol, what, name, rule).
            _ => {
                let checked: Option<(bool, Symbol, &str, &str, NameRule)> = match node {
                    Node::Message(m) => {
                        let msg = &pool[m];
                        let style = msg.features.enforce_naming_style;
                        let check = enforced(style) && msg.map_entry.is_none();
                        Some((check, Symbol::Message(m), "Message", &msg.name, title_case))
                    }
                    Node::Oneof(o) => {
                        let oneof = &pool[o];
                        let style = oneof.features.enforce_naming_style;
                        let check = enforced(style) && !oneof.synthetic;
                        Some((check, Symbol::Oneof(o), "Oneof", &oneof.name, lower_snake))
                    }
                    Node::Field(f) => {
                        let field = &pool[f];
                        let in_entry = matches!(field.scope, Scope::Message(m) if pool[m].map_entry.is_some() && !field.is_extension());
                        let check = enforced(field.features.enforce_naming_style) && !in_entry;
                        Some((check, Symbol::Field(f), "Field", &field.name, lower_snake))
                    }
                    Node::Enum(e) => {
                        let en = &pool[e];
                        let check = enforced(en.features.enforce_naming_style);
                        Some((check, Symbol::Enum(e), "Enum", &en.name, title_case))
                    }
                    Node::EnumValue(v) => {
                        let value = &pool[v];
                        let check = enforced(value.features.enforce_naming_style);
                        Some((
                            check,
                            Symbol::EnumValue(v),
                            "Enum value",
                            &value.name,
                            upper_snake,
                        ))
                    }
                    Node::Service(sv) => {
                        let service = &pool[sv];
                        let check = enforced(service.features.enforce_naming_style);
                        Some((
                            check,
                            Symbol::Service(sv),
                            "Service",
                            &service.name,
                            title_case,
                        ))
                    }
                    Node::Method(m) => {
                        let method = &pool[m];
                        let check = enforced(method.features.enforce_naming_style);
                        Some((check, Symbol::Method(m), "Method", &method.name, title_case))
                    }
                    _ => None,
                };
                if let Some((true, symbol, what, name, rule)) = checked {
                    if let Err(e) = rule(name) {
                        c.error(
                            symbol,
                            Site::Name,
                            format!("{what} name {name} {e}{OPT_OUT}"),
                        );
                    }
                }
            }
        }
    }
}

/// A naming-style rule: `Err` holds the end of protoc's message.
type NameRule = fn(&str) -> Result<(), &'static str>;

fn bad_underscores(name: &str) -> bool {
    let b = name.as_bytes();
    if b.is_empty() {
        return false;
    }
    if b[0] == b'_' || b[b.len() - 1] == b'_' {
        return true;
    }
    b.windows(2)
        .any(|w| w[0] == b'_' && !w[1].is_ascii_alphabetic())
}

fn title_case(name: &str) -> Result<(), &'static str> {
    if !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("should be TitleCase");
    }
    if !name.as_bytes().first().is_some_and(u8::is_ascii_uppercase) {
        return Err("should begin with a capital letter");
    }
    Ok(())
}

fn lower_snake(name: &str) -> Result<(), &'static str> {
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
    {
        return Err("should be lower_snake_case");
    }
    if !name.as_bytes().first().is_some_and(u8::is_ascii_lowercase) {
        return Err("should begin with a lower case letter");
    }
    if bad_underscores(name) {
        return Err("contains style violating underscores");
    }
    Ok(())
}

fn upper_snake(name: &str) -> Result<(), &'static str> {
    if !name
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err("should be UPPER_SNAKE_CASE");
    }
    if !name.as_bytes().first().is_some_and(u8::is_ascii_uppercase) {
        return Err("should begin with an upper case letter");
    }
    if bad_underscores(name) {
        return Err("contains style violating underscores");
    }
    Ok(())
}

/// protoc's `SymbolChecker`: under `STRICT` default visibility, nested
/// messages and enums may not be `export`ed (except enums namespaced in a
/// local message reserving `1 to max`).
pub(crate) fn visibility_checks(c: &mut Checker<'_>) {
    if c.has_errors() {
        return;
    }
    use crate::ir::{DefaultSymbolVisibility, Visibility};
    let pool = c.pool;
    let file = c.file;
    let default = pool[file].features.default_symbol_visibility;
    let default_local = matches!(
        default,
        DefaultSymbolVisibility::Strict | DefaultSymbolVisibility::LocalAll
    );
    let mut nested_messages = Vec::new();
    let mut nested_enums = Vec::new();
    for node in visit_order(pool, file) {
        match node {
            Node::Message(m) if pool[m].parent.is_some() => nested_messages.push(m),
            Node::Enum(e) => {
                if let Some(container) = pool[e].parent {
                    let c_msg = &pool[container];
                    let container_local = c_msg.visibility == Some(Visibility::Local)
                        || (c_msg.visibility.is_none() && default_local);
                    let namespace = c_msg.parent.is_none()
                        && container_local
                        && c_msg.reserved_ranges.len() == 1
                        && c_msg.reserved_ranges[0] == (1, MAX_FIELD_NUMBER + 1);
                    let exported = !default_local || pool[e].visibility == Some(Visibility::Export);
                    if !(exported && namespace) {
                        nested_enums.push(e);
                    }
                }
            }
            _ => {}
        }
    }
    for m in nested_messages {
        let msg = &pool[m];
        if msg.visibility == Some(Visibility::Export)
            && msg.features.default_symbol_visibility == DefaultSymbolVisibility::Strict
        {
            c.at(
                Severity::Error,
                None,
                format!(
                    "\"{}\" is a nested message and cannot be `export` with STRICT default_symbol_visibility. It must be moved to top-level, ideally in its own file in order to be `export`.",
                    msg.full_name
                ),
            );
        }
    }
    for e in nested_enums {
        let en = &pool[e];
        if en.visibility == Some(Visibility::Export)
            && en.features.default_symbol_visibility == DefaultSymbolVisibility::Strict
        {
            c.at(
                Severity::Error,
                None,
                format!(
                    "\"{0}\" is a nested enum and cannot be marked `export` with STRICT default_symbol_visibility. It must be moved to top-level, ideally in its own file in order to be `export`. For C++ namespacing of enums in a messages use: `local message <OuterNamespace> {{ export enum {0} {{...}} reserved 1 to max; }}`",
                    en.full_name
                ),
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
    // `deprecated_legacy_json_field_conflicts` turns the check off.
    if option_varint(&message.options.encoded, 11) == Some(1) {
        return;
    }
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

/// One `ExtensionRangeOptions.declaration`.
#[derive(Debug, Default)]
struct Declaration {
    number: i32,
    full_name: Option<String>,
    ty: Option<String>,
    reserved: bool,
    repeated: bool,
}

/// The declarations and the `verification` state (when written) of an
/// extension range's options.
fn declarations(options: &crate::ir::Options) -> (Vec<Declaration>, Option<u64>) {
    use crate::wire::{FieldValue, Reader};
    let mut out = Vec::new();
    let mut verification = None;
    let mut reader = Reader::new(&options.encoded);
    while let Some((n, v)) = reader.field() {
        match (n, v) {
            (2, FieldValue::Bytes(b)) => {
                let mut d = Declaration::default();
                let mut r = Reader::new(b);
                while let Some((k, x)) = r.field() {
                    match (k, x) {
                        (1, FieldValue::Varint(v)) => d.number = v as i32,
                        (2, FieldValue::Bytes(t)) => {
                            d.full_name = Some(String::from_utf8_lossy(t).into_owned())
                        }
                        (3, FieldValue::Bytes(t)) => {
                            d.ty = Some(String::from_utf8_lossy(t).into_owned())
                        }
                        (5, FieldValue::Varint(v)) => d.reserved = v != 0,
                        (6, FieldValue::Varint(v)) => d.repeated = v != 0,
                        _ => {}
                    }
                }
                out.push(d);
            }
            (3, FieldValue::Varint(v)) => verification = Some(v),
            _ => {}
        }
    }
    (out, verification)
}

fn is_non_message_type(ty: &str) -> bool {
    matches!(
        ty,
        "double"
            | "float"
            | "int64"
            | "uint64"
            | "int32"
            | "fixed32"
            | "fixed64"
            | "bool"
            | "string"
            | "bytes"
            | "uint32"
            | "enum"
            | "sfixed32"
            | "sfixed64"
            | "sint32"
            | "sint64"
    )
}

/// protoc's `ValidateQualifiedName` on a declared name with its leading dot.
fn declaration_symbol_error(symbol: &str) -> Option<String> {
    if !symbol.starts_with('.') {
        return Some(format!(
            "\"{symbol}\" must have a leading dot to indicate the fully-qualified scope."
        ));
    }
    let mut last_was_period = false;
    let mut valid = true;
    for ch in symbol.chars() {
        if ch.is_ascii_alphanumeric() || ch == '_' {
            last_was_period = false;
        } else if ch == '.' {
            if last_was_period {
                valid = false;
                break;
            }
            last_was_period = true;
        } else {
            valid = false;
            break;
        }
    }
    if !valid || symbol.is_empty() || last_was_period {
        return Some(format!("\"{symbol}\" contains invalid identifiers."));
    }
    None
}

fn extension_range_checks(c: &mut Checker<'_>, m: MessageId) {
    let pool = c.pool;
    let message = &pool[m];
    let max = if message.options.message_set_wire_format {
        i64::from(i32::MAX)
    } else {
        i64::from(MAX_FIELD_NUMBER)
    };
    let mut names: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, range) in message.extension_ranges.iter().enumerate() {
        if i64::from(range.end) > max + 1 {
            c.at(
                Severity::Error,
                None,
                format!("Extension numbers cannot be greater than {max}."),
            );
        }
        let (decls, verification) = declarations(&range.options);
        if decls.is_empty() {
            continue;
        }
        if verification == Some(1) {
            c.at(
                Severity::Error,
                None,
                "Cannot mark the extension range as UNVERIFIED when it has extension(s) declared."
                    .to_string(),
            );
            return;
        }
        let span = c
            .lowered
            .extension_range_spans
            .get(&m)
            .and_then(|s| s.get(i))
            .copied();
        let mut numbers = std::collections::HashSet::new();
        for d in &decls {
            if d.number < range.start || d.number >= range.end {
                c.at(
                    Severity::Error,
                    span,
                    format!(
                        "Extension declaration number {} is not in the extension range.",
                        d.number
                    ),
                );
            }
            if !numbers.insert(d.number) {
                c.at(
                    Severity::Error,
                    span,
                    format!(
                        "Extension declaration number {} is declared multiple times.",
                        d.number
                    ),
                );
            }
            match (&d.full_name, &d.ty) {
                (Some(name), Some(ty)) => {
                    if !names.insert(name.clone()) {
                        c.at(
                            Severity::Error,
                            None,
                            format!("Extension field name \"{name}\" is declared multiple times."),
                        );
                        return;
                    }
                    if let Some(e) = declaration_symbol_error(name) {
                        c.at(Severity::Error, None, e);
                    }
                    if !is_non_message_type(ty) {
                        if let Some(e) = declaration_symbol_error(ty) {
                            c.at(Severity::Error, None, e);
                        }
                    }
                }
                (name, ty) => {
                    if name.is_some() != ty.is_some() || !d.reserved {
                        c.at(
                            Severity::Error,
                            None,
                            format!(
                                "Extension declaration #{} should have both \"full_name\" and \"type\" set.",
                                d.number
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// protoc's check of an extension against the declarations of its range.
fn extension_declaration_checks(c: &mut Checker<'_>, f: FieldId) {
    let pool = c.pool;
    let field = &pool[f];
    let Some(extendee) = field.extendee else {
        return;
    };
    let extendee_msg = &pool[extendee];
    const OPTIONS: [&str; 9] = [
        "google.protobuf.EnumOptions",
        "google.protobuf.EnumValueOptions",
        "google.protobuf.ExtensionRangeOptions",
        "google.protobuf.FieldOptions",
        "google.protobuf.FileOptions",
        "google.protobuf.MessageOptions",
        "google.protobuf.MethodOptions",
        "google.protobuf.OneofOptions",
        "google.protobuf.ServiceOptions",
    ];
    if OPTIONS.contains(&extendee_msg.full_name.as_str())
        || pool[extendee_msg.file].name == "google/protobuf/descriptor.proto"
    {
        return;
    }
    let Some(range) = extendee_msg
        .extension_ranges
        .iter()
        .find(|r| r.start <= field.number && field.number < r.end)
    else {
        return;
    };
    let (decls, verification) = declarations(&range.options);
    let full = field.full_name.clone();
    if let Some(d) = decls.iter().find(|d| d.number == field.number) {
        if d.reserved {
            c.error(
                Symbol::Field(f),
                Site::Extendee,
                format!(
                    "Cannot use number {} for extension field {full}, as it is reserved in the extension declarations for message {}.",
                    field.number, extendee_msg.full_name
                ),
            );
            return;
        }
        if let Some(ty) = &d.ty {
            let actual = match field.ty {
                FieldType::Message(m) | FieldType::Group(m) => pool[m].full_name.type_name(),
                FieldType::Enum(e) => pool[e].full_name.type_name(),
                FieldType::Scalar(s) => s.keyword().to_string(),
            };
            let expected = if !is_non_message_type(ty) && !ty.starts_with('.') {
                format!(".{ty}")
            } else {
                ty.clone()
            };
            if expected != actual {
                c.error(
                    Symbol::Field(f),
                    Site::Extendee,
                    format!(
                        "\"{}\" extension field {} is expected to be type \"{expected}\", not \"{actual}\".",
                        extendee_msg.full_name, field.number
                    ),
                );
            }
        }
        if let Some(name) = &d.full_name {
            let actual = full.type_name();
            if *name != actual {
                c.error(
                    Symbol::Field(f),
                    Site::Extendee,
                    format!(
                        "\"{}\" extension field {} is expected to have field name \"{name}\", not \"{actual}\".",
                        extendee_msg.full_name, field.number
                    ),
                );
            }
        }
        if d.repeated != (field.label == Label::Repeated) {
            c.error(
                Symbol::Field(f),
                Site::Extendee,
                format!(
                    "\"{}\" extension field {} is expected to be {}.",
                    extendee_msg.full_name,
                    field.number,
                    if d.repeated { "repeated" } else { "optional" }
                ),
            );
        }
        return;
    }
    if !decls.is_empty() || verification == Some(0) {
        c.error(
            Symbol::Field(f),
            Site::Extendee,
            format!(
                "Missing extension declaration for field {full} with number {} in extendee message {}. An extension range must declare for all extension fields if its verification state is DECLARATION or there's any declaration in the range already. Otherwise, consider splitting up the range.",
                field.number, extendee_msg.full_name
            ),
        );
    }
}

fn field_option_checks(c: &mut Checker<'_>, f: FieldId) {
    field_feature_support_checks(c, f);
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
    if field.options.lazy
        && field.is_extension()
        && option_varint(&field.options.encoded, 15) == Some(1)
    {
        c.error(
            Symbol::Field(f),
            Site::Type,
            "Extensions cannot be marked as unverified_lazy.",
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
    let mut map_ok = true;
    if let FieldType::Message(entry) = field.ty {
        if pool[entry].map_entry.is_some() {
            let e = &pool[entry];
            let valid = e.extensions.is_empty()
                && field.label == Label::Repeated
                && e.extension_ranges.is_empty()
                && e.nested_messages.is_empty()
                && e.nested_enums.is_empty()
                && e.fields.len() == 2
                && e.name == crate::lower::map_entry_name(&field.name)
                && field.message() == e.parent
                && !field.is_extension();
            if !valid {
                c.error(
                    Symbol::Field(f),
                    Site::Type,
                    "map_entry should not be set explicitly. Use map<KeyType, ValueType> instead.",
                );
                map_ok = false;
            }
        }
        if let (Some(map), Label::Repeated, true) = (pool[entry].map_entry, field.label, map_ok) {
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
    extension_declaration_checks(c, f);
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
                    let legacy = option_varint(&en.options.encoded, 6) == Some(1)
                        && pool[en.file].edition == Edition::PROTO2;
                    let report = if legacy {
                        Checker::warning
                    } else {
                        Checker::error
                    };
                    report(
                        c,
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
pub(crate) fn command_line_checks(
    pool: &Pool,
    builtin: &Pool,
    file: FileId,
    found: &mut Vec<Found>,
) {
    let mut error = |message: String| {
        found.push(Found {
            severity: Severity::Error,
            kind: DiagnosticKind::Invalid,
            span: None,
            message,
        });
    };
    // Option imports may not bring debug_redact markers.
    for dep in &pool[file].option_dependencies {
        let Some(d) = dep.file else {
            continue;
        };
        if let Some(marker) = debug_redact_marker(pool, d) {
            error(format!(
                "Option dependency {} contains a custom option {marker} marked debug_redact, which is used to mark fields that need to be redacted in debug string APIs. Switch to a regular import or remove the debug_redact annotation to avoid potentially leaking sensitive data.",
                dep.name
            ));
            break;
        }
    }
    for node in visit_order(pool, file) {
        if let Node::Field(f) = node {
            if (19000..=19999).contains(&pool[f].number) {
                error(
                    "Field numbers 19000 through 19999 are reserved for the protocol buffer library implementation."
                        .to_string(),
                );
            }
        }
    }
    // Option targets, checked with the pool's own descriptor.proto when it
    // has one (custom options are known there), else the built-in one.
    let schema = match pool.lookup("google.protobuf.FileOptions") {
        Some(Symbol::Message(_)) => pool,
        _ => builtin,
    };
    for node in visit_order(pool, file) {
        let (options, target, type_name) = match node {
            Node::File => (&pool[file].options, 1, "google.protobuf.FileOptions"),
            Node::Message(m) => (&pool[m].options, 3, "google.protobuf.MessageOptions"),
            Node::Field(f) => (&pool[f].options, 4, "google.protobuf.FieldOptions"),
            Node::Oneof(o) => (&pool[o].options, 5, "google.protobuf.OneofOptions"),
            Node::Enum(e) => (&pool[e].options, 6, "google.protobuf.EnumOptions"),
            Node::EnumValue(v) => (&pool[v].options, 7, "google.protobuf.EnumValueOptions"),
            Node::ExtensionRange(m, i) => (
                &pool[m].extension_ranges[i].options,
                2,
                "google.protobuf.ExtensionRangeOptions",
            ),
            Node::Service(s) => (&pool[s].options, 8, "google.protobuf.ServiceOptions"),
            Node::Method(m) => (&pool[m].options, 9, "google.protobuf.MethodOptions"),
        };
        if !options.present || options.encoded.is_empty() {
            continue;
        }
        let Some(Symbol::Message(ty)) = schema.lookup(type_name) else {
            continue;
        };
        let mut message = crate::dynamic::DynMessage::new(ty);
        message.merge_bytes(schema, &options.encoded, 0);
        check_targets(schema, &message, target, &mut error);
    }
}

fn target_name(target: i32) -> &'static str {
    match target {
        1 => "file",
        2 => "extension range",
        3 => "message",
        4 => "field",
        5 => "oneof",
        6 => "enum",
        7 => "enum entry",
        8 => "service",
        9 => "method",
        _ => "unknown",
    }
}

fn check_targets(
    schema: &Pool,
    message: &crate::dynamic::DynMessage,
    target: i32,
    error: &mut dyn FnMut(String),
) {
    for field in &message.fields {
        let f = &schema[field.field];
        if !f.options.targets.is_empty() && !f.options.targets.contains(&target) {
            error(format!(
                "Option {} cannot be set on an entity of type `{}`.",
                f.full_name,
                target_name(target)
            ));
        }
        for value in &field.values {
            if let crate::dynamic::DynValue::Message(m) = value {
                check_targets(schema, m, target, error);
            }
        }
    }
}

/// A `FieldOptions.FeatureSupport` (or the one on an enum value).
#[derive(Clone, Debug, Default)]
struct Support {
    introduced: Option<i32>,
    deprecated: Option<i32>,
    deprecation_warning: Option<String>,
    removed: Option<i32>,
    removal_error: Option<String>,
}

impl Support {
    /// The support written in field `number` of an encoded options message.
    fn of(options: &crate::ir::Options, number: u32) -> Option<Support> {
        use crate::wire::{FieldValue, Reader};
        let mut found: Option<Support> = None;
        let mut reader = Reader::new(&options.encoded);
        while let Some((n, v)) = reader.field() {
            let (true, FieldValue::Bytes(b)) = (n == number, v) else {
                continue;
            };
            let support = found.get_or_insert_with(Support::default);
            let mut r = Reader::new(b);
            while let Some((k, x)) = r.field() {
                match (k, x) {
                    (1, FieldValue::Varint(e)) => support.introduced = Some(e as i32),
                    (2, FieldValue::Varint(e)) => support.deprecated = Some(e as i32),
                    (3, FieldValue::Bytes(t)) => {
                        support.deprecation_warning = Some(String::from_utf8_lossy(t).into_owned())
                    }
                    (4, FieldValue::Varint(e)) => support.removed = Some(e as i32),
                    (5, FieldValue::Bytes(t)) => {
                        support.removal_error = Some(String::from_utf8_lossy(t).into_owned())
                    }
                    _ => {}
                }
            }
        }
        found
    }

    fn merged(&self, over: &Support) -> Support {
        Support {
            introduced: over.introduced.or(self.introduced),
            deprecated: over.deprecated.or(self.deprecated),
            deprecation_warning: over
                .deprecation_warning
                .clone()
                .or(self.deprecation_warning.clone()),
            removed: over.removed.or(self.removed),
            removal_error: over.removal_error.clone().or(self.removal_error.clone()),
        }
    }

    /// protoc's `FeatureResolver::ValidateFeatureSupport`.
    fn validate(&self, name: &str) -> Result<(), String> {
        let introduced = self.introduced.unwrap_or(0);
        if let Some(deprecated) = self.deprecated {
            if deprecated < introduced {
                return Err(format!("{name} was deprecated before it was introduced."));
            }
            if self.deprecation_warning.is_none() {
                return Err(format!(
                    "{name} is deprecated but does not specify a deprecation warning."
                ));
            }
        }
        if self.deprecated.is_none() && self.deprecation_warning.is_some() {
            return Err(format!(
                "{name} specifies a deprecation warning but is not marked deprecated in any edition."
            ));
        }
        if let Some(removed) = self.removed {
            if self.deprecated.unwrap_or(0) >= removed {
                return Err(format!("{name} was deprecated after it was removed."));
            }
            if removed < introduced {
                return Err(format!("{name} was removed before it was introduced."));
            }
            if introduced != removed && self.removal_error.is_none() {
                return Err(format!(
                    "{name} has been removed but does not specify a removal error."
                ));
            }
        } else if self.removal_error.is_some() {
            return Err(format!(
                "{name} specifies a removal error but is not marked removed in any edition."
            ));
        }
        Ok(())
    }
}

/// protoc's `ValidateFieldFeatureSupport`: a field's own `feature_support`
/// and its enum values' must be consistent.
fn field_feature_support_checks(c: &mut Checker<'_>, f: FieldId) {
    let pool = c.pool;
    let field = &pool[f];
    let Some(parent) = Support::of(&field.options, 22) else {
        return;
    };
    let name = field.full_name.to_string();
    if let Err(e) = parent.validate(&name) {
        c.error(Symbol::Field(f), Site::OptionName, e);
        return;
    }
    let FieldType::Enum(e) = field.ty else {
        return;
    };
    for v in &pool[e].values {
        let value = &pool[*v];
        let Some(own) = Support::of(&value.options, 4) else {
            continue;
        };
        let support = parent.merged(&own);
        let value_name = value.full_name.to_string();
        let result = support.validate(&value_name).and_then(|()| {
            if support.introduced.unwrap_or(0) < parent.introduced.unwrap_or(0) {
                return Err(format!(
                    "value {value_name} was introduced before {name} was."
                ));
            }
            if parent.removed.is_some()
                && support.removed.unwrap_or(0) > parent.removed.unwrap_or(0)
            {
                return Err(format!("value {value_name} was removed after {name} was."));
            }
            if parent.deprecated.is_some()
                && support.deprecated.unwrap_or(0) > parent.deprecated.unwrap_or(0)
            {
                return Err(format!(
                    "value {value_name} was deprecated after {name} was."
                ));
            }
            Ok(())
        });
        if let Err(message) = result {
            c.error(Symbol::Field(f), Site::OptionName, message);
            return;
        }
    }
}

/// protoc's deferred `ValidateFeatureLifetimes`: every feature and option
/// set on an element (and every enum value they use) must exist in the
/// file's edition.
pub(crate) fn lifetime_checks(c: &mut Checker<'_>, builtin: &Pool) {
    if c.has_errors() {
        return;
    }
    let pool = c.pool;
    let file = c.file;
    let edition = pool[file].edition;
    let schema = match pool.lookup("google.protobuf.FileOptions") {
        Some(Symbol::Message(_)) => pool,
        _ => builtin,
    };
    let feature_set = match schema.lookup("google.protobuf.FeatureSet") {
        Some(Symbol::Message(m)) => m,
        _ => return,
    };
    for node in visit_order(pool, file) {
        let (options, type_name, symbol) = match node {
            Node::File => (&pool[file].options, "google.protobuf.FileOptions", None),
            Node::Message(m) => (
                &pool[m].options,
                "google.protobuf.MessageOptions",
                Some(Symbol::Message(m)),
            ),
            Node::Field(f) => (
                &pool[f].options,
                "google.protobuf.FieldOptions",
                Some(Symbol::Field(f)),
            ),
            Node::Oneof(o) => (
                &pool[o].options,
                "google.protobuf.OneofOptions",
                Some(Symbol::Oneof(o)),
            ),
            Node::Enum(e) => (
                &pool[e].options,
                "google.protobuf.EnumOptions",
                Some(Symbol::Enum(e)),
            ),
            Node::EnumValue(v) => (
                &pool[v].options,
                "google.protobuf.EnumValueOptions",
                Some(Symbol::EnumValue(v)),
            ),
            Node::ExtensionRange(m, i) => (
                &pool[m].extension_ranges[i].options,
                "google.protobuf.ExtensionRangeOptions",
                None,
            ),
            Node::Service(s) => (
                &pool[s].options,
                "google.protobuf.ServiceOptions",
                Some(Symbol::Service(s)),
            ),
            Node::Method(m) => (
                &pool[m].options,
                "google.protobuf.MethodOptions",
                Some(Symbol::Method(m)),
            ),
        };
        if !options.present {
            continue;
        }
        let span = match (node, symbol) {
            (Node::File, _) => c.lowered.package_span,
            (_, Some(symbol)) => c.span_of(symbol, Site::Name),
            _ => None,
        };
        let mut results = Vec::new();
        if !options.features.is_empty() {
            let mut features = crate::dynamic::DynMessage::new(feature_set);
            features.merge_bytes(schema, &options.features, 0);
            lifetimes(schema, edition, &features, &mut results);
        }
        if let Some(Symbol::Message(ty)) = schema.lookup(type_name) {
            let mut message = crate::dynamic::DynMessage::new(ty);
            message.merge_bytes(schema, &options.encoded, 0);
            // The features were moved out of the options before this check.
            let features_number = match node {
                Node::File | Node::ExtensionRange(..) => 50,
                Node::Message(_) => 12,
                Node::Field(_) => 21,
                Node::Oneof(_) => 1,
                Node::Enum(_) => 7,
                Node::EnumValue(_) => 2,
                Node::Service(_) => 34,
                Node::Method(_) => 35,
            };
            message.fields.retain(|f| f.number != features_number);
            lifetimes(schema, edition, &message, &mut results);
        }
        for (severity, text) in results {
            c.at(severity, span, text);
        }
    }
}

fn lifetimes(
    schema: &Pool,
    edition: Edition,
    message: &crate::dynamic::DynMessage,
    out: &mut Vec<(Severity, String)>,
) {
    for field in &message.fields {
        let f = &schema[field.field];
        for value in &field.values {
            match value {
                crate::dynamic::DynValue::Message(m) => lifetimes(schema, edition, m, out),
                crate::dynamic::DynValue::Varint(raw) => {
                    if let FieldType::Enum(e) = f.ty {
                        let number = *raw as i64 as i32;
                        if let Some(v) = schema[e]
                            .values
                            .iter()
                            .find(|v| schema[**v].number == number)
                        {
                            let value = &schema[*v];
                            if let Some(support) = Support::of(&value.options, 4) {
                                single_lifetime(edition, value.full_name.as_str(), &support, out);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(support) = Support::of(&f.options, 22) {
            single_lifetime(edition, f.full_name.as_str(), &support, out);
        }
    }
}

fn single_lifetime(
    edition: Edition,
    name: &str,
    support: &Support,
    out: &mut Vec<(Severity, String)>,
) {
    let introduced = Edition(support.introduced.unwrap_or(0));
    if edition < introduced {
        out.push((
            Severity::Error,
            format!(
                "{name} wasn't introduced until edition {} and can't be used in edition {}",
                introduced.display_name(),
                edition.display_name()
            ),
        ));
    }
    // As in protoc, a feature not yet removed may still be deprecated.
    let removed = support.removed.map(Edition).filter(|r| edition >= *r);
    if let Some(removed) = removed {
        let suffix = support
            .removal_error
            .as_ref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        out.push((
            Severity::Error,
            format!(
                "{name} has been removed in edition {}{suffix}",
                removed.display_name()
            ),
        ));
    } else if let Some(deprecated) = support.deprecated.map(Edition) {
        if edition >= deprecated {
            out.push((
                Severity::Warning,
                format!(
                    "{name} has been deprecated in edition {}: {}",
                    deprecated.display_name(),
                    support.deprecation_warning.clone().unwrap_or_default()
                ),
            ));
        }
    }
}

/// protoc's `FindDebugRedactMarker`: the last extension of `file` whose type
/// reaches an enum value marked `debug_redact`.
fn debug_redact_marker(pool: &Pool, file: FileId) -> Option<String> {
    fn redacts(pool: &Pool, ty: FieldType, visited: &mut HashMap<MessageId, bool>) -> bool {
        match ty {
            FieldType::Enum(e) => pool[e]
                .values
                .iter()
                .any(|v| option_varint(&pool[*v].options.encoded, 3) == Some(1)),
            FieldType::Message(m) | FieldType::Group(m) => {
                if let Some(known) = visited.get(&m) {
                    return *known;
                }
                visited.insert(m, false);
                for f in &pool[m].fields {
                    if redacts(pool, pool[*f].ty, visited) {
                        visited.insert(m, true);
                        return true;
                    }
                }
                false
            }
            FieldType::Scalar(_) => false,
        }
    }
    let mut visited = HashMap::new();
    let mut marker = None;
    for node in visit_order(pool, file) {
        if let Node::Field(f) = node {
            if pool[f].is_extension() && redacts(pool, pool[f].ty, &mut visited) {
                marker = Some(pool[f].full_name.to_string());
            }
        }
    }
    marker
}
