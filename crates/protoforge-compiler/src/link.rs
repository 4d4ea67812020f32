//! The `link` phase: resolve the names a file uses, with protoc's scoping.
//!
//! Names are looked up as protoc's `DescriptorBuilder::LookupSymbol` does: a
//! name with a leading dot is fully qualified; otherwise the first component
//! is searched from the innermost enclosing scope outwards, and once found the
//! rest of the name must exist inside it (the "partial-name rule": if it does
//! not, the error says what the name was resolved to). Only symbols of the
//! file itself, its imports and the files those import publicly are visible;
//! a symbol found elsewhere gives protoc's "seems to be defined in …, which is
//! not imported" error.
//!
//! Linking fills in field types, extendees (and the extended message's
//! extension list), method types, and default values, and records which
//! imports were used so unused ones can be reported.

use std::collections::HashSet;

use protoforge_syntax::ast;

use crate::diagnostic::{DiagnosticKind, Severity};
use crate::ir::{DefaultValue, FieldId, FieldType, FileId, FullName, Pool, Scalar, Symbol, Value};
use crate::lower::{Lowered, NameRef};
use crate::text::{c_escape, simple_dtoa, simple_ftoa};

/// What a lookup may return, as protoc's `ResolveMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Any symbol.
    All,
    /// Only messages and enums (a non-type found first is skipped over).
    Types,
}

/// The files whose symbols one file may use.
#[derive(Debug)]
pub(crate) struct Visibility {
    /// The file being built.
    pub(crate) file: FileId,
    /// Its imports and their public imports, transitively.
    pub(crate) dependencies: HashSet<FileId>,
    /// Its option imports and their public imports (extensions only).
    pub(crate) option_dependencies: HashSet<FileId>,
    /// Direct imports that no lookup has used yet.
    pub(crate) unused: HashSet<FileId>,
}

impl Visibility {
    /// The visibility of `file`'s imports.
    pub(crate) fn new(pool: &Pool, file: FileId) -> Visibility {
        fn record(pool: &Pool, file: FileId, into: &mut HashSet<FileId>) {
            if !into.insert(file) {
                return;
            }
            for dep in &pool[file].dependencies {
                if let (true, Some(f)) = (dep.public, dep.file) {
                    record(pool, f, into);
                }
            }
        }
        let mut dependencies = HashSet::new();
        let mut unused = HashSet::new();
        for dep in &pool[file].dependencies {
            if let Some(f) = dep.file {
                record(pool, f, &mut dependencies);
                let has_public = pool[f].dependencies.iter().any(|d| d.public);
                if !dep.public && !has_public {
                    unused.insert(f);
                }
            }
        }
        let mut option_dependencies = HashSet::new();
        for dep in &pool[file].option_dependencies {
            if let Some(f) = dep.file {
                record(pool, f, &mut option_dependencies);
            }
        }
        Visibility {
            file,
            dependencies,
            option_dependencies,
            unused,
        }
    }
}

/// protoc's `GetVisibilityError` when the message or enum `symbol` may not
/// be used from `file` (edition 2024 `export`/`local`); `usage` is
/// `"target of extend"` for extendees and empty otherwise.
pub(crate) fn visibility_error(
    pool: &Pool,
    symbol: Symbol,
    file: FileId,
    usage: &str,
) -> Option<String> {
    use crate::ir::{DefaultSymbolVisibility, Visibility as V};
    let (visibility, features, nested, name) = match symbol {
        Symbol::Message(m) => (
            pool[m].visibility,
            &pool[m].features,
            pool[m].parent.is_some(),
            pool[m].full_name.clone(),
        ),
        Symbol::Enum(e) => (
            pool[e].visibility,
            &pool[e].features,
            pool[e].parent.is_some(),
            pool[e].full_name.clone(),
        ),
        _ => return None,
    };
    let defined_in = pool.symbol_file(symbol);
    if defined_in == file {
        return None;
    }
    let exported = match visibility {
        Some(V::Export) => true,
        Some(V::Local) => false,
        None => match features.default_symbol_visibility {
            DefaultSymbolVisibility::ExportAll => true,
            DefaultSymbolVisibility::ExportTopLevel => !nested,
            DefaultSymbolVisibility::LocalAll | DefaultSymbolVisibility::Strict => false,
        },
    };
    if exported {
        return None;
    }
    let reason = if visibility == Some(V::Local) {
        "It is explicitly marked 'local'".to_string()
    } else {
        let default = match features.default_symbol_visibility {
            DefaultSymbolVisibility::ExportAll => "EXPORT_ALL",
            DefaultSymbolVisibility::ExportTopLevel => "EXPORT_TOP_LEVEL",
            DefaultSymbolVisibility::LocalAll => "LOCAL_ALL",
            DefaultSymbolVisibility::Strict => "STRICT",
        };
        format!(
            "It defaulted to local from file-level 'option features.default_symbol_visibility = '{default}';"
        )
    };
    Some(format!(
        "Symbol \"{name}\", defined in \"{}\" {usage} is not visible from \"{}\". {reason} and cannot be accessed outside its own file",
        pool[defined_in].name, pool[file].name
    ))
}

/// The result of a failed lookup, for protoc's error messages.
#[derive(Debug, Default)]
pub(crate) struct Miss {
    /// A file that defines the name but is not imported.
    pub(crate) undeclared: Option<(FileId, String)>,
    /// The full name the partial-name rule resolved to.
    pub(crate) resolved_to: Option<String>,
}

/// Looks names up on behalf of one file.
pub(crate) struct Resolver<'a> {
    pub(crate) pool: &'a Pool,
    pub(crate) visibility: &'a mut Visibility,
}

fn is_aggregate(symbol: Symbol) -> bool {
    matches!(
        symbol,
        Symbol::Message(_) | Symbol::Enum(_) | Symbol::Package(_) | Symbol::Service(_)
    )
}

fn is_type(symbol: Symbol) -> bool {
    matches!(symbol, Symbol::Message(_) | Symbol::Enum(_))
}

fn in_package(pool: &Pool, file: FileId, name: &str) -> bool {
    let package = pool[file]
        .package
        .as_ref()
        .map(FullName::as_str)
        .unwrap_or("");
    package.starts_with(name)
        && (package.len() == name.len() || package.as_bytes().get(name.len()) == Some(&b'.'))
}

impl Resolver<'_> {
    /// protoc's `FindSymbol`: a full name, visible from the file.
    pub(crate) fn find(&mut self, name: &str, miss: &mut Miss) -> Option<Symbol> {
        let symbol = *self
            .pool
            .symbols
            .get(name.strip_prefix('.').unwrap_or(name))?;
        let file = self.pool.symbol_file(symbol);
        let vis = &mut *self.visibility;
        let visible = file == vis.file
            || vis.dependencies.contains(&file)
            || (vis.option_dependencies.contains(&file) && matches!(symbol, Symbol::Field(_)));
        if !matches!(symbol, Symbol::Package(_))
            && (file == vis.file
                || vis.dependencies.contains(&file)
                || vis.option_dependencies.contains(&file))
        {
            vis.unused.remove(&file);
        }
        if visible {
            return Some(symbol);
        }
        if let Symbol::Package(_) = symbol {
            if in_package(self.pool, vis.file, name)
                || vis
                    .dependencies
                    .iter()
                    .any(|d| in_package(self.pool, *d, name))
                || vis
                    .option_dependencies
                    .iter()
                    .any(|d| in_package(self.pool, *d, name))
            {
                return Some(symbol);
            }
        }
        miss.undeclared = Some((file, name.to_string()));
        None
    }

    /// protoc's `LookupSymbolNoPlaceholder`.
    pub(crate) fn lookup(
        &mut self,
        name: &str,
        relative_to: &str,
        mode: Mode,
        miss: &mut Miss,
    ) -> Option<Symbol> {
        *miss = Miss::default();
        if let Some(full) = name.strip_prefix('.') {
            return self.find(full, miss);
        }
        let first = match name.find('.') {
            Some(dot) => &name[..dot],
            None => name,
        };
        let mut scope = relative_to.to_string();
        loop {
            match scope.rfind('.') {
                None => return self.find(name, miss),
                Some(dot) => scope.truncate(dot),
            }
            let old_len = scope.len();
            scope.push('.');
            scope.push_str(first);
            if let Some(found) = self.find(&scope, miss) {
                if first.len() < name.len() {
                    if is_aggregate(found) {
                        scope.push_str(&name[first.len()..]);
                        let result = self.find(&scope, miss);
                        if result.is_none() {
                            miss.resolved_to = Some(scope);
                        }
                        return result;
                    }
                } else if mode == Mode::All || is_type(found) {
                    return Some(found);
                }
            }
            scope.truncate(old_len);
        }
    }
}

/// protoc's `AddNotDefinedError` messages for a failed lookup of `name`.
pub(crate) fn not_defined_messages(
    pool: &Pool,
    current_file: &str,
    name: &str,
    miss: &Miss,
) -> Vec<String> {
    let mut out = Vec::new();
    if miss.undeclared.is_none() && miss.resolved_to.is_none() {
        out.push(format!("\"{name}\" is not defined."));
    }
    if let Some((file, undeclared)) = &miss.undeclared {
        out.push(format!(
            "\"{undeclared}\" seems to be defined in \"{}\", which is not imported by \"{current_file}\".  To use it here, please add the necessary import.",
            pool[*file].name
        ));
    }
    if let Some(resolved) = &miss.resolved_to {
        out.push(format!(
            "\"{name}\" is resolved to \"{resolved}\", which is not defined. The innermost scope is searched first in name resolution. Consider using a leading '.'(i.e., \".{name}\") to start from the outermost scope."
        ));
    }
    out
}

/// The fields of `file` in the order protoc cross-links them: for each
/// message its nested messages first, then its fields and extensions; then
/// the file's extensions.
fn crosslink_order(pool: &Pool, file: FileId) -> Vec<FieldId> {
    fn visit(pool: &Pool, m: crate::ir::MessageId, out: &mut Vec<FieldId>) {
        for n in &pool[m].nested_messages {
            visit(pool, *n, out);
        }
        out.extend(&pool[m].fields);
        out.extend(&pool[m].extensions);
    }
    let mut out = Vec::new();
    for m in &pool[file].messages {
        visit(pool, *m, &mut out);
    }
    out.extend(&pool[file].extensions);
    out
}

/// Links one file: field types, extendees, method types, defaults. Errors go
/// to `report` with the position protoc gives them (`None` where protoc
/// recorded none, such as map-entry fields).
pub(crate) fn link_file(
    pool: &mut Pool,
    file: FileId,
    lowered: &Lowered,
    visibility: &mut Visibility,
    report: &mut dyn FnMut(Severity, DiagnosticKind, Option<protoforge_syntax::Span>, String),
) {
    let file_name = pool[file].name.clone();
    let types: crate::fxhash::FxHashMap<FieldId, &NameRef> =
        lowered.field_types.iter().map(|(f, n)| (*f, n)).collect();
    let extendees: crate::fxhash::FxHashMap<FieldId, &NameRef> =
        lowered.extendees.iter().map(|(f, n)| (*f, n)).collect();
    let defaults: crate::fxhash::FxHashMap<FieldId, &ast::OptionValue> =
        lowered.defaults.iter().map(|(f, v)| (*f, v)).collect();
    let part = |f: FieldId| {
        lowered
            .parts
            .get(&Symbol::Field(f))
            .copied()
            .unwrap_or_default()
    };
    for field in crosslink_order(pool, file) {
        let parts = lowered.parts.get(&Symbol::Field(field)).copied();
        if let Some(name) = extendees.get(&field) {
            let mut miss = Miss::default();
            let found = {
                let mut resolver = Resolver {
                    pool,
                    visibility: &mut *visibility,
                };
                resolver.lookup(&name.text, &name.relative_to, Mode::All, &mut miss)
            };
            let at = parts.and_then(|p| p.extendee);
            if let Some(message) =
                found.and_then(|f| visibility_error(pool, f, file, "target of extend"))
            {
                report(Severity::Error, DiagnosticKind::UnresolvedName, at, message);
                continue;
            }
            match found {
                Some(Symbol::Message(extendee)) => {
                    pool.fields[field.index()].extendee = Some(extendee);
                    let number = pool[field].number;
                    let number_span = part(field).number;
                    let in_range = pool[extendee]
                        .extension_ranges
                        .iter()
                        .any(|r| r.start <= number && number < r.end);
                    if !in_range {
                        report(
                            Severity::Error,
                            DiagnosticKind::Invalid,
                            number_span,
                            format!(
                                "\"{}\" does not declare {number} as an extension number.",
                                pool[extendee].full_name
                            ),
                        );
                    }
                    match pool.extensions_by_number.get(&(extendee, number)).copied() {
                        Some(existing) if existing != field => {
                            let message = format!(
                                "Extension number {number} has already been used in \"{}\" by extension \"{}\"",
                                pool[extendee].full_name, pool[existing].full_name
                            );
                            if pool[existing].file == file {
                                report(
                                    Severity::Error,
                                    DiagnosticKind::DuplicateName,
                                    number_span,
                                    format!("{message}."),
                                );
                            } else {
                                // Across files protoc only warns, and keeps
                                // the first extension for the number.
                                let other = &pool[pool[existing].file].name;
                                report(
                                    Severity::Warning,
                                    DiagnosticKind::DuplicateName,
                                    number_span,
                                    format!("{message} defined in {other}."),
                                );
                            }
                        }
                        _ => {
                            pool.extensions_by_number.insert((extendee, number), field);
                            pool.messages[extendee.index()].extended_by.push(field);
                        }
                    }
                }
                Some(_) => report(
                    Severity::Error,
                    DiagnosticKind::UnresolvedName,
                    at,
                    format!("\"{}\" is not a message type.", name.text),
                ),
                None => {
                    for m in not_defined_messages(pool, &file_name, &name.text, &miss) {
                        report(Severity::Error, DiagnosticKind::UnresolvedName, at, m);
                    }
                }
            }
        }
        if let Some(name) = types.get(&field) {
            let mut miss = Miss::default();
            let resolved = {
                let mut resolver = Resolver {
                    pool,
                    visibility: &mut *visibility,
                };
                resolve_type(&mut resolver, name, &mut miss)
            };
            let at = parts.and_then(|p| p.ty);
            let symbol = match resolved {
                Ok(FieldType::Message(m)) => Some(Symbol::Message(m)),
                Ok(FieldType::Enum(e)) => Some(Symbol::Enum(e)),
                _ => None,
            };
            if let Some(message) = symbol.and_then(|s| visibility_error(pool, s, file, "")) {
                report(Severity::Error, DiagnosticKind::UnresolvedName, at, message);
                continue;
            }
            match resolved {
                Ok(ty) => {
                    if !matches!(pool[field].ty, FieldType::Group(_)) {
                        pool.fields[field.index()].ty = ty;
                    }
                }
                Err(messages) => {
                    for m in messages {
                        report(Severity::Error, DiagnosticKind::UnresolvedName, at, m);
                    }
                    continue;
                }
            }
        }
        if let Some(value) = defaults.get(&field) {
            match default_value(pool, field, value) {
                Ok(Some(default)) => pool.fields[field.index()].default = Some(default),
                Ok(None) => {}
                Err(message) => report(
                    Severity::Error,
                    DiagnosticKind::Invalid,
                    parts.and_then(|p| p.default),
                    message,
                ),
            }
        }
    }
    // Methods.
    for (method, input, output) in &lowered.methods {
        let mut resolved = [None, None];
        for (i, name) in [input, output].into_iter().enumerate() {
            let mut miss = Miss::default();
            let found = {
                let mut resolver = Resolver {
                    pool,
                    visibility: &mut *visibility,
                };
                resolver.lookup(&name.text, &name.relative_to, Mode::All, &mut miss)
            };
            if let Some(message) = found.and_then(|f| visibility_error(pool, f, file, "")) {
                report(
                    Severity::Error,
                    DiagnosticKind::UnresolvedName,
                    Some(name.span),
                    message,
                );
                continue;
            }
            match found {
                Some(Symbol::Message(m)) => resolved[i] = Some(m),
                Some(_) => report(
                    Severity::Error,
                    DiagnosticKind::UnresolvedName,
                    Some(name.span),
                    format!("\"{}\" is not a message type.", name.text),
                ),
                None => {
                    for m in not_defined_messages(pool, &file_name, &name.text, &miss) {
                        report(
                            Severity::Error,
                            DiagnosticKind::UnresolvedName,
                            Some(name.span),
                            m,
                        );
                    }
                }
            }
        }
        if let Some(input) = resolved[0] {
            pool.methods[method.index()].input = input;
        }
        if let Some(output) = resolved[1] {
            pool.methods[method.index()].output = output;
        }
    }
}

fn resolve_type(
    resolver: &mut Resolver<'_>,
    name: &NameRef,
    miss: &mut Miss,
) -> Result<FieldType, Vec<String>> {
    match resolver.lookup(&name.text, &name.relative_to, Mode::Types, miss) {
        Some(Symbol::Message(m)) => Ok(FieldType::Message(m)),
        Some(Symbol::Enum(e)) => Ok(FieldType::Enum(e)),
        Some(_) => Err(vec![format!("\"{}\" is not a type.", name.text)]),
        None => {
            let file_name = resolver.pool[resolver.visibility.file].name.clone();
            Err(not_defined_messages(
                resolver.pool,
                &file_name,
                &name.text,
                miss,
            ))
        }
    }
}

/// The default value of `field` written as `value`, checked and printed as
/// protoc prints it.
fn default_value(
    pool: &Pool,
    field: FieldId,
    value: &ast::OptionValue,
) -> Result<Option<DefaultValue>, String> {
    let ty = pool[field].ty;
    let negative = match value {
        ast::OptionValue::Int(i) => i.minus.is_some(),
        ast::OptionValue::Float(f) => f.minus.is_some(),
        ast::OptionValue::Ident { minus, .. } => minus.is_some(),
        _ => false,
    };
    let number = || -> Option<f64> {
        match value {
            ast::OptionValue::Int(i) => Some(i.magnitude as f64),
            ast::OptionValue::Float(f) => Some(f.magnitude),
            ast::OptionValue::Ident { ident, .. } if ident.text == "inf" => Some(f64::INFINITY),
            ast::OptionValue::Ident { ident, .. } if ident.text == "nan" => Some(f64::NAN),
            _ => None,
        }
    };
    let int = || -> Option<(bool, u64)> {
        match value {
            ast::OptionValue::Int(i) => Some((i.minus.is_some(), i.magnitude)),
            _ => None,
        }
    };
    Ok(Some(match ty {
        FieldType::Scalar(s) => match s {
            Scalar::Int32
            | Scalar::Sint32
            | Scalar::Sfixed32
            | Scalar::Int64
            | Scalar::Sint64
            | Scalar::Sfixed64 => {
                let Some((neg, magnitude)) = int() else {
                    return Err("Expected integer for field default value.".to_string());
                };
                let v = if neg {
                    0i64.checked_sub_unsigned(magnitude).unwrap_or(i64::MIN)
                } else {
                    i64::try_from(magnitude).unwrap_or(i64::MAX)
                };
                DefaultValue {
                    value: Value::Int(v),
                    text: v.to_string(),
                }
            }
            Scalar::Uint32 | Scalar::Fixed32 | Scalar::Uint64 | Scalar::Fixed64 => {
                let Some((_, magnitude)) = int() else {
                    return Err("Expected integer for field default value.".to_string());
                };
                DefaultValue {
                    value: Value::Uint(magnitude),
                    text: magnitude.to_string(),
                }
            }
            Scalar::Float | Scalar::Double => {
                let Some(magnitude) = number() else {
                    return Err("Expected number.".to_string());
                };
                let v = if negative { -magnitude } else { magnitude };
                // The parser prints the double; the builder reads it back.
                let text = simple_dtoa(v);
                let v: f64 = parse_c_double(&text);
                if s == Scalar::Float {
                    let f = safe_double_to_float(v);
                    DefaultValue {
                        value: Value::Float(f64::from(f)),
                        text: simple_ftoa(f),
                    }
                } else {
                    DefaultValue {
                        value: Value::Float(v),
                        text: simple_dtoa(v),
                    }
                }
            }
            Scalar::Bool => match value {
                ast::OptionValue::Ident { ident, minus: None } if ident.text == "true" => {
                    DefaultValue {
                        value: Value::Bool(true),
                        text: "true".to_string(),
                    }
                }
                ast::OptionValue::Ident { ident, minus: None } if ident.text == "false" => {
                    DefaultValue {
                        value: Value::Bool(false),
                        text: "false".to_string(),
                    }
                }
                _ => return Err("Expected \"true\" or \"false\".".to_string()),
            },
            Scalar::String => match value {
                ast::OptionValue::String(s) => DefaultValue {
                    text: String::from_utf8_lossy(&s.value).into_owned(),
                    value: Value::Bytes(s.value.clone()),
                },
                _ => return Err("Expected string for field default value.".to_string()),
            },
            Scalar::Bytes => match value {
                ast::OptionValue::String(s) => DefaultValue {
                    text: c_escape(&s.value),
                    value: Value::Bytes(s.value.clone()),
                },
                _ => return Err("Expected string.".to_string()),
            },
        },
        FieldType::Enum(e) => {
            let text = match value {
                ast::OptionValue::Ident { ident, minus: None } => ident.text.clone(),
                _ => {
                    return Err(
                        "Default value for an enum field must be an identifier.".to_string()
                    );
                }
            };
            let found = pool[e]
                .values
                .iter()
                .copied()
                .find(|v| pool[*v].name == text);
            match found {
                Some(v) => DefaultValue {
                    value: Value::Enum(v),
                    text,
                },
                None => {
                    return Err(format!(
                        "Enum type \"{}\" has no value named \"{text}\".",
                        pool[e].full_name
                    ));
                }
            }
        }
        FieldType::Message(_) | FieldType::Group(_) => {
            return Err("Messages can't have default values.".to_string());
        }
    }))
}

/// `strtod` on text printed by [`simple_dtoa`] (which Rust parses the same
/// way, apart from the spelling of infinities and NaN).
fn parse_c_double(text: &str) -> f64 {
    match text {
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "nan" | "-nan" => f64::NAN,
        _ => text.parse().unwrap_or(0.0),
    }
}

/// The largest double that still rounds to the largest float.
const MAX_FLOAT_AS_DOUBLE_ROUNDED: f64 = 3.4028235677973366e+38;

/// C++'s `io::SafeDoubleToFloat`, as protoc applies it to float defaults
/// and to float option values: values just past the largest float round
/// to it, larger ones become infinities.
pub(crate) fn safe_double_to_float(value: f64) -> f32 {
    if value > f64::from(f32::MAX) {
        if value <= MAX_FLOAT_AS_DOUBLE_ROUNDED {
            f32::MAX
        } else {
            f32::INFINITY
        }
    } else if value < -f64::from(f32::MAX) {
        if value >= -MAX_FLOAT_AS_DOUBLE_ROUNDED {
            -f32::MAX
        } else {
            f32::NEG_INFINITY
        }
    } else {
        value as f32
    }
}
