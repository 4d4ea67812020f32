//! The `options` phase: interpret option statements into options messages.
//!
//! This follows protoc's `OptionInterpreter`. Each option is resolved name
//! part by name part (plain names against the options message, `(…)` names as
//! extensions looked up with protoc's scoping), its value is checked against
//! the field's type and encoded, wrapped in the intermediate messages of the
//! name, and appended to the element's options as an unknown field. Options
//! are interpreted in two passes, plain names (including `features`) first
//! and extensions second, and after each pass the options message is parsed
//! again with the options type compiled into protoc (here: the built-in
//! `descriptor.proto`), which sorts and merges what it knows and leaves
//! custom options in the order they were written. Those bytes are
//! [`Options::encoded`](crate::ir::Options::encoded).
//!
//! Aggregate values (`{ … }`) are text format, parsed into a message of the
//! option's type and serialized as protobuf's C++ runtime does. Each
//! interpreted option's source location is moved from its
//! `uninterpreted_option` path to the path of the field it set.

use std::collections::HashMap;

use protoforge_syntax::Span as SynSpan;
use protoforge_syntax::ast;

use crate::diagnostic::DiagnosticKind;
use crate::dynamic::{DynMessage, DynValue};
use crate::ir::{FieldId, FieldType, Label, MessageId, Options, Pool, Scalar, Symbol};
use crate::link::{Miss, Mode, Resolver, Visibility};
use crate::lower::{OptionSet, OptionTarget};
use crate::wire::{self, WireValue};

/// Which pool a schema element lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Which {
    /// The pool being compiled.
    Current,
    /// The built-in `descriptor.proto` (the options types compiled into protoc).
    Builtin,
}

/// An interpreted option: the unknown-field entry to add, the path of the
/// field it set (for source info) and whether that field is repeated.
type Interpreted = ((u32, WireValue), Vec<i32>, bool);

/// A failed option, reported at `span`.
struct OptionError {
    span: SynSpan,
    message: String,
}

/// What option interpretation keeps between its two passes.
#[derive(Debug, Default)]
pub(crate) struct OptionState {
    /// Options messages so far, one per option set, parsed with the built-in
    /// schema.
    states: Vec<Option<DynMessage>>,
    /// `uninterpreted_option` path to the path of the field it set.
    pub(crate) interpreted_paths: HashMap<Vec<i32>, Vec<i32>>,
    repeated_counts: HashMap<Vec<i32>, i32>,
    /// Whether to fill `interpreted_paths` (only source info needs it).
    pub(crate) record_paths: bool,
    /// Errors found.
    pub(crate) errors: Vec<(DiagnosticKind, SynSpan, String)>,
}

impl OptionState {
    /// State for `sets` option sets; `record_paths` when source info is
    /// built.
    pub(crate) fn new(sets: usize, record_paths: bool) -> OptionState {
        OptionState {
            states: vec![None; sets],
            record_paths,
            ..OptionState::default()
        }
    }
}

/// Interprets the options of one file (one pass at a time).
pub(crate) struct Interpreter<'a> {
    /// The file whose options are interpreted.
    pub(crate) file: crate::ir::FileId,
    /// The source of the file whose options are interpreted (for the token
    /// texts protoc quotes in text-format errors).
    pub(crate) source: Option<std::sync::Arc<[u8]>>,
    pub(crate) pool: &'a mut Pool,
    pub(crate) builtin: &'a Pool,
    pub(crate) visibility: &'a mut Visibility,
    pub(crate) st: &'a mut OptionState,
}

fn pool_of<'p>(which: Which, current: &'p Pool, builtin: &'p Pool) -> &'p Pool {
    match which {
        Which::Current => current,
        Which::Builtin => builtin,
    }
}

impl<'a> Interpreter<'a> {
    /// The options message type for `target`, and the pool it is in: the
    /// pool's own `descriptor.proto` if it has one, else the built-in one.
    fn options_type(&self, target: OptionTarget) -> Option<(Which, MessageId)> {
        let name = target.options_type();
        if let Some(Symbol::Message(m)) = self.pool.lookup(name) {
            return Some((Which::Current, m));
        }
        match self.builtin.lookup(name) {
            Some(Symbol::Message(m)) => Some((Which::Builtin, m)),
            _ => None,
        }
    }

    /// Interprets one pass over every set: `extensions` false for plain
    /// names, true for extension names.
    pub(crate) fn pass(&mut self, sets: &[OptionSet], extensions: bool) {
        for (index, set) in sets.iter().enumerate() {
            if set.decls.is_empty() {
                continue;
            }
            let Some((which, options_type)) = self.options_type(set.target) else {
                continue;
            };
            let mut raw: Vec<(u32, WireValue)> = Vec::new();
            let mut failed = false;
            for (i, decl) in set.decls.iter().enumerate() {
                let is_extension = matches!(
                    decl.name.parts.first(),
                    Some(ast::OptionNamePart::Extension(..))
                );
                if is_extension != extensions {
                    continue;
                }
                match self.interpret(set, decl, which, options_type, &raw) {
                    Ok((entry, dest_path, repeated)) => {
                        raw.push(entry);
                        if !set.copied && self.st.record_paths {
                            let mut src_path = set.options_path.clone();
                            src_path.extend([999, i as i32]);
                            let mut dest = dest_path;
                            if repeated {
                                let count =
                                    self.st.repeated_counts.entry(dest.clone()).or_insert(0);
                                dest.push(*count);
                                *count += 1;
                            }
                            self.st.interpreted_paths.insert(src_path, dest);
                        }
                    }
                    Err(e) => {
                        self.st
                            .errors
                            .push((DiagnosticKind::Option, e.span, e.message));
                        failed = true;
                        break;
                    }
                }
            }
            if failed {
                continue;
            }
            let builtin_type = match self.builtin.lookup(set.target.options_type()) {
                Some(Symbol::Message(m)) => m,
                _ => continue,
            };
            let state = self.st.states[index].get_or_insert_with(|| DynMessage::new(builtin_type));
            state.merge_wire(self.builtin, &raw);
        }
    }

    /// Interprets one option; returns the unknown-field entry to add, the
    /// path of the field set (for source info) and whether it is repeated.
    fn interpret(
        &mut self,
        set: &OptionSet,
        decl: &ast::OptionDecl,
        which: Which,
        options_type: MessageId,
        raw: &[(u32, WireValue)],
    ) -> Result<Interpreted, OptionError> {
        let name_error = |message: String| OptionError {
            span: decl.name.span,
            message,
        };
        if let Some(ast::OptionNamePart::Field(first)) = decl.name.parts.first() {
            if first.text == "uninterpreted_option" {
                return Err(name_error(
                    "Option must not use reserved name \"uninterpreted_option\".".to_string(),
                ));
            }
        }
        let mut descriptor = (which, options_type);
        let mut field: Option<(Which, FieldId)> = None;
        let mut intermediate: Vec<(Which, FieldId)> = Vec::new();
        let mut debug_name = String::new();
        let mut dest_path = set.options_path.clone();
        let parts = &decl.name.parts;
        for (i, part) in parts.iter().enumerate() {
            if !debug_name.is_empty() {
                debug_name.push('.');
            }
            let mut resolved_to = None;
            let found = match part {
                ast::OptionNamePart::Extension(name, _) => {
                    let text = name.to_string();
                    debug_name.push('(');
                    debug_name.push_str(&text);
                    debug_name.push(')');
                    let mut miss = Miss::default();
                    let mut resolver = Resolver {
                        pool: self.pool,
                        visibility: &mut *self.visibility,
                    };
                    let symbol = resolver.lookup(&text, &set.relative_to, Mode::All, &mut miss);
                    resolved_to = miss.resolved_to;
                    match symbol {
                        Some(Symbol::Field(f)) => Some((Which::Current, f)),
                        _ => None,
                    }
                }
                ast::OptionNamePart::Field(ident) => {
                    debug_name.push_str(&ident.text);
                    let schema = pool_of(descriptor.0, self.pool, self.builtin);
                    schema
                        .field_by_name(descriptor.1, &ident.text)
                        .map(|f| (descriptor.0, f))
                }
            };
            let Some(found) = found else {
                if let Some(resolved) = resolved_to {
                    return Err(name_error(format!(
                        "Option \"{debug_name}\" is resolved to \"({resolved})\", which is not defined. The innermost scope is searched first in name resolution. Consider using a leading '.'(i.e., \"(.{}\") to start from the outermost scope.",
                        &debug_name[1..]
                    )));
                }
                return Err(name_error(format!(
                    "Option \"{debug_name}\" unknown. Ensure that your proto definition file imports the proto which defines the option (i.e. via import option after edition 2024)."
                )));
            };
            let fpool = pool_of(found.0, self.pool, self.builtin);
            let container = match (fpool[found.1].extendee, fpool[found.1].message()) {
                (Some(m), _) | (None, Some(m)) => Some(m),
                _ => None,
            };
            if found.0 != descriptor.0 || container != Some(descriptor.1) {
                let dpool = pool_of(descriptor.0, self.pool, self.builtin);
                return Err(name_error(format!(
                    "Option field \"{debug_name}\" is not a field or extension of message \"{}\".",
                    dpool[descriptor.1].name
                )));
            }
            if found.0 == Which::Current
                && self.pool[found.1].file == self.file
                && matches!(parts.first(), Some(ast::OptionNamePart::Field(first)) if first.text == "features")
            {
                return Err(name_error(format!(
                    "Feature \"{debug_name}\" can't be used in the same file it's defined in."
                )));
            }
            dest_path.push(fpool[found.1].number);
            if i + 1 < parts.len() {
                match fpool[found.1].ty.message() {
                    None => {
                        return Err(name_error(format!(
                            "Option \"{debug_name}\" is an atomic type, not a message."
                        )));
                    }
                    Some(_) if fpool[found.1].label == Label::Repeated => {
                        return Err(name_error(format!(
                            "Option field \"{debug_name}\" is a repeated message. Repeated message options must be initialized using an aggregate value."
                        )));
                    }
                    Some(m) => {
                        intermediate.push(found);
                        descriptor = (found.0, m);
                    }
                }
            }
            field = Some(found);
        }
        let Some((fwhich, leaf)) = field else {
            return Err(name_error("Option must have a name.".to_string()));
        };
        let fpool = pool_of(fwhich, self.pool, self.builtin);
        let repeated = fpool[leaf].label == Label::Repeated;
        if !repeated && is_set(raw, &intermediate, leaf, self.pool, self.builtin, fwhich) {
            return Err(name_error(format!(
                "Option \"{debug_name}\" was already set."
            )));
        }
        let leaf_number = fpool[leaf].number as u32;
        let value = self.option_value(fwhich, leaf, &decl.value)?;
        let mut entry = (leaf_number, value);
        for (w, f) in intermediate.iter().rev() {
            let ipool = pool_of(*w, self.pool, self.builtin);
            let number = ipool[*f].number as u32;
            entry = match ipool[*f].ty {
                FieldType::Group(_) => (number, WireValue::Group(vec![entry])),
                _ => {
                    let mut bytes = Vec::new();
                    wire::put_value(&mut bytes, entry.0, &entry.1);
                    (number, WireValue::Bytes(bytes))
                }
            };
        }
        Ok((entry, dest_path, repeated))
    }

    /// protoc's `SetOptionValue`: the encoded value of `field` written as `value`.
    fn option_value(
        &mut self,
        which: Which,
        field: FieldId,
        value: &ast::OptionValue,
    ) -> Result<WireValue, OptionError> {
        let pool = pool_of(which, self.pool, self.builtin);
        let f = &pool[field];
        let full = f.full_name.as_str().to_string();
        let span = value.span();
        let err = |message: String| Err(OptionError { span, message });
        let (positive, negative) = match value {
            ast::OptionValue::Int(int) if int.minus.is_none() => (Some(int.magnitude), None),
            ast::OptionValue::Int(int) => {
                // protoc reads `-N` for N up to 2^63 as a negative integer.
                if int.magnitude <= 1u64 << 63 {
                    (None, Some(0i64.wrapping_sub(int.magnitude as i64)))
                } else {
                    (None, None)
                }
            }
            _ => (None, None),
        };
        let double = match value {
            ast::OptionValue::Float(fl) => Some(fl.value()),
            ast::OptionValue::Ident {
                minus: Some(_),
                ident,
            } if ident.text == "inf" => Some(f64::NEG_INFINITY),
            ast::OptionValue::Ident {
                minus: Some(_),
                ident,
            } if ident.text == "nan" => Some(f64::NAN),
            _ => None,
        };
        let identifier = match value {
            ast::OptionValue::Ident { minus: None, ident } => Some(ident.text.as_str()),
            _ => None,
        };
        match f.ty {
            FieldType::Scalar(s) => match s {
                Scalar::Int32 | Scalar::Sint32 | Scalar::Sfixed32 => {
                    let v = match (positive, negative) {
                        (Some(p), _) if p > i32::MAX as u64 => {
                            return err(format!(
                                "Value out of range, -2147483648 to 2147483647, for int32 option \"{full}\"."
                            ));
                        }
                        (Some(p), _) => p as i32,
                        (_, Some(n)) if n < i64::from(i32::MIN) => {
                            return err(format!(
                                "Value out of range, -2147483648 to 2147483647, for int32 option \"{full}\"."
                            ));
                        }
                        (_, Some(n)) => n as i32,
                        _ => {
                            return err(format!(
                                "Value must be integer, from -2147483648 to 2147483647, for int32 option \"{full}\"."
                            ));
                        }
                    };
                    Ok(match s {
                        Scalar::Sint32 => {
                            WireValue::Varint(wire::zigzag(i64::from(v)) & 0xffff_ffff)
                        }
                        Scalar::Sfixed32 => WireValue::Fixed32(v as u32),
                        _ => WireValue::Varint(i64::from(v) as u64),
                    })
                }
                Scalar::Int64 | Scalar::Sint64 | Scalar::Sfixed64 => {
                    let v = match (positive, negative) {
                        (Some(p), _) if p > i64::MAX as u64 => {
                            return err(format!(
                                "Value out of range, -9223372036854775808 to 9223372036854775807, for int64 option \"{full}\"."
                            ));
                        }
                        (Some(p), _) => p as i64,
                        (_, Some(n)) => n,
                        _ => {
                            return err(format!(
                                "Value must be integer, from -9223372036854775808 to 9223372036854775807, for int64 option \"{full}\"."
                            ));
                        }
                    };
                    Ok(match s {
                        Scalar::Sint64 => WireValue::Varint(wire::zigzag(v)),
                        Scalar::Sfixed64 => WireValue::Fixed64(v as u64),
                        _ => WireValue::Varint(v as u64),
                    })
                }
                Scalar::Uint32 | Scalar::Fixed32 => match positive {
                    Some(p) if p > u64::from(u32::MAX) => err(format!(
                        "Value out of range, 0 to 4294967295, for uint32 option \"{full}\"."
                    )),
                    Some(p) => Ok(if s == Scalar::Fixed32 {
                        WireValue::Fixed32(p as u32)
                    } else {
                        WireValue::Varint(p)
                    }),
                    None => err(format!(
                        "Value must be integer, from 0 to 4294967295, for uint32 option \"{full}\"."
                    )),
                },
                Scalar::Uint64 | Scalar::Fixed64 => match positive {
                    Some(p) => Ok(if s == Scalar::Fixed64 {
                        WireValue::Fixed64(p)
                    } else {
                        WireValue::Varint(p)
                    }),
                    None => err(format!(
                        "Value must be integer, from 0 to 18446744073709551615, for uint64 option \"{full}\"."
                    )),
                },
                Scalar::Float | Scalar::Double => {
                    let v = if let Some(d) = double {
                        d
                    } else if let Some(p) = positive {
                        p as f64
                    } else if let Some(n) = negative {
                        n as f64
                    } else if identifier == Some("inf") {
                        f64::INFINITY
                    } else if identifier == Some("nan") {
                        f64::NAN
                    } else {
                        let kind = if s == Scalar::Float {
                            "float"
                        } else {
                            "double"
                        };
                        return err(format!(
                            "Value must be number for {kind} option \"{full}\"."
                        ));
                    };
                    Ok(if s == Scalar::Float {
                        WireValue::Fixed32((v as f32).to_bits())
                    } else {
                        WireValue::Fixed64(v.to_bits())
                    })
                }
                Scalar::Bool => match identifier {
                    Some("true") => Ok(WireValue::Varint(1)),
                    Some("false") => Ok(WireValue::Varint(0)),
                    Some(_) => err(format!(
                        "Value must be \"true\" or \"false\" for boolean option \"{full}\"."
                    )),
                    None => err(format!(
                        "Value must be identifier for boolean option \"{full}\"."
                    )),
                },
                Scalar::String | Scalar::Bytes => match value {
                    ast::OptionValue::String(s) => Ok(WireValue::Bytes(s.value.clone())),
                    _ => err(format!(
                        "Value must be quoted string for string option \"{full}\"."
                    )),
                },
            },
            FieldType::Enum(e) => {
                let Some(name) = identifier else {
                    return err(format!(
                        "Value must be identifier for enum-valued option \"{full}\"."
                    ));
                };
                let enum_full = pool[e].full_name.clone();
                // Enum values are siblings of their enum.
                let value_full = crate::ir::FullName::join(enum_full.parent(), name);
                match pool.lookup(value_full.as_str()) {
                    Some(Symbol::EnumValue(v)) if pool[v].parent == e => {
                        Ok(WireValue::Varint(i64::from(pool[v].number) as u64))
                    }
                    Some(Symbol::EnumValue(_)) => err(format!(
                        "Enum type \"{enum_full}\" has no value named \"{name}\" for option \"{full}\". This appears to be a value from a sibling type."
                    )),
                    _ => err(format!(
                        "Enum type \"{enum_full}\" has no value named \"{name}\" for option \"{full}\"."
                    )),
                }
            }
            FieldType::Message(m) | FieldType::Group(m) => {
                let ast::OptionValue::Aggregate(literal) = value else {
                    let name = &f.name;
                    return err(format!(
                        "Option \"{full}\" is a message. To set the entire message, use syntax like \"{name} = {{ <proto text format> }}\". To set fields within it, use syntax like \"{name}.foo = value\"."
                    ));
                };
                let is_group = matches!(f.ty, FieldType::Group(_));
                let field_name = f.name.clone();
                let mut errors = Vec::new();
                let message = self.literal(which, m, literal, &mut errors, 0);
                if errors.is_empty() {
                    let mut missing = Vec::new();
                    missing_required(
                        pool_of(which, self.pool, self.builtin),
                        &message,
                        "",
                        &mut missing,
                    );
                    if !missing.is_empty() {
                        errors.push(format!(
                            "Message missing required fields: {}",
                            missing.join(", ")
                        ));
                    }
                }
                if !errors.is_empty() {
                    return err(format!(
                        "Error while parsing option value for \"{field_name}\": {}",
                        errors.join("; ")
                    ));
                }
                let pool = pool_of(which, self.pool, self.builtin);
                let bytes = message.to_bytes(pool);
                if is_group {
                    let fields = wire::parse_fields(&bytes).unwrap_or_default();
                    Ok(WireValue::Group(fields))
                } else {
                    Ok(WireValue::Bytes(bytes))
                }
            }
        }
    }

    /// Parses a text-format message literal into a message of type `ty`.
    fn literal(
        &mut self,
        which: Which,
        ty: MessageId,
        literal: &ast::MessageLiteral,
        errors: &mut Vec<String>,
        depth: usize,
    ) -> DynMessage {
        let mut message = DynMessage::new(ty);
        if depth > crate::dynamic::MAX_DEPTH {
            errors.push("Message is too deep".to_string());
            return message;
        }
        let mut seen: Vec<FieldId> = Vec::new();
        let mut any_seen = false;
        for lf in &literal.fields {
            if !errors.is_empty() {
                break;
            }
            let pool = pool_of(which, self.pool, self.builtin);
            let type_name = pool[ty].full_name.clone();
            let (fwhich, field) = match &lf.name {
                ast::LiteralFieldName::Field(ident) => {
                    let mut found = pool.field_by_name(ty, &ident.text);
                    if found.is_none() {
                        let lower = ident.text.to_ascii_lowercase();
                        if let Some(f) = pool.field_by_name(ty, &lower) {
                            if let FieldType::Group(g) = pool[f].ty {
                                if pool[g].name == ident.text {
                                    found = Some(f);
                                }
                            }
                        }
                    }
                    match found {
                        Some(f) => (which, f),
                        None => {
                            errors.push(format!(
                                "Message type \"{type_name}\" has no field named \"{}\".",
                                ident.text
                            ));
                            break;
                        }
                    }
                }
                ast::LiteralFieldName::Extension(_, _)
                    if type_name.as_str() == "google.protobuf.Any" =>
                {
                    errors.push("Type URL prefix is missing".to_string());
                    break;
                }
                ast::LiteralFieldName::Extension(name, _) => {
                    let text = name.to_string();
                    let mut miss = Miss::default();
                    let mut resolver = Resolver {
                        pool: self.pool,
                        visibility: &mut *self.visibility,
                    };
                    let symbol = resolver.lookup(&text, type_name.as_str(), Mode::All, &mut miss);
                    let ext = match symbol {
                        Some(Symbol::Field(f))
                            if which == Which::Current && self.pool[f].extendee == Some(ty) =>
                        {
                            Some(f)
                        }
                        Some(Symbol::Message(m)) if which == Which::Current => {
                            // MessageSet items may be named by their type.
                            self.pool[m].extensions.iter().copied().find(|e| {
                                self.pool[*e].extendee == Some(ty)
                                    && self.pool[*e].ty == FieldType::Message(m)
                            })
                        }
                        _ => None,
                    };
                    match ext {
                        Some(f) => (Which::Current, f),
                        None => {
                            errors.push(format!(
                                "Extension \"{text}\" is not defined or is not an extension of \"{type_name}\"."
                            ));
                            break;
                        }
                    }
                }
                ast::LiteralFieldName::Any {
                    prefix,
                    type_name: any_type,
                    ..
                } => {
                    if type_name.as_str() != "google.protobuf.Any" {
                        errors.push("Extension name contains \"/\"".to_string());
                        break;
                    }
                    let text = any_type.to_string();
                    let mut miss = Miss::default();
                    let mut resolver = Resolver {
                        pool: self.pool,
                        visibility: &mut *self.visibility,
                    };
                    let target =
                        if prefix == "type.googleapis.com" || prefix == "type.googleprod.com" {
                            match resolver.find(&text, &mut miss) {
                                Some(Symbol::Message(m)) => Some(m),
                                _ => None,
                            }
                        } else {
                            None
                        };
                    let Some(target) = target else {
                        errors.push(format!(
                            "Could not find type \"{prefix}/{text}\" stored in google.protobuf.Any."
                        ));
                        break;
                    };
                    let ast::LiteralValue::Message(inner) = &lf.value else {
                        errors.push("Expected \"{\", found \"".to_string());
                        break;
                    };
                    let value = self.literal(Which::Current, target, inner, errors, depth + 1);
                    if !errors.is_empty() {
                        break;
                    }
                    let mut missing = Vec::new();
                    missing_required(self.pool, &value, "", &mut missing);
                    if !missing.is_empty() {
                        errors.push(format!(
                            "Value of type \"{}\" stored in google.protobuf.Any has missing required fields: {}",
                            self.pool[target].full_name,
                            missing.join(", ")
                        ));
                        break;
                    }
                    if any_seen {
                        errors.push("Non-repeated Any specified multiple times.".to_string());
                        break;
                    }
                    any_seen = true;
                    let bytes = value.to_bytes(self.pool);
                    let pool = pool_of(which, self.pool, self.builtin);
                    if let (Some(url), Some(val)) = (
                        pool.field_by_name(ty, "type_url"),
                        pool.field_by_name(ty, "value"),
                    ) {
                        let url_text = format!("{prefix}/{}", self.pool[target].full_name);
                        let pool = pool_of(which, self.pool, self.builtin);
                        message.push_value(pool, url, DynValue::Bytes(url_text.into_bytes()));
                        message.push_value(pool, val, DynValue::Bytes(bytes));
                    }
                    continue;
                }
            };
            let fpool = pool_of(fwhich, self.pool, self.builtin);
            let repeated = fpool[field].label == Label::Repeated;
            if !repeated && seen.contains(&field) {
                errors.push(format!(
                    "Non-repeated field \"{}\" is specified multiple times.",
                    fpool[field].name
                ));
                break;
            }
            seen.push(field);
            if let Some(oneof) = fpool[field].oneof {
                if !fpool[oneof].synthetic {
                    if let Some(other) = seen
                        .iter()
                        .find(|s| **s != field && fpool[**s].oneof == Some(oneof))
                    {
                        errors.push(format!(
                            "Field \"{}\" is specified along with field \"{}\", another member of oneof \"{}\".",
                            fpool[field].name, fpool[*other].name, fpool[oneof].name
                        ));
                        break;
                    }
                }
            }
            let values: Vec<&ast::LiteralValue> = match &lf.value {
                ast::LiteralValue::List(items, _) => items.iter().collect(),
                other => vec![other],
            };
            let values = if repeated { values } else { vec![&lf.value] };
            for v in values {
                match self.literal_value(fwhich, field, v, errors, depth) {
                    Some(value) => {
                        let fpool = pool_of(fwhich, self.pool, self.builtin);
                        // Extensions from the current pool go into a message
                        // of the same pool.
                        message.push_value(fpool, field, value);
                    }
                    None => break,
                }
            }
        }
        message
    }

    fn literal_value(
        &mut self,
        which: Which,
        field: FieldId,
        value: &ast::LiteralValue,
        errors: &mut Vec<String>,
        depth: usize,
    ) -> Option<DynValue> {
        let pool = pool_of(which, self.pool, self.builtin);
        let f = &pool[field];
        let fname = f.name.clone();
        let ty = f.ty;
        match (ty, value) {
            (FieldType::Message(m) | FieldType::Group(m), ast::LiteralValue::Message(lit)) => {
                let sub = self.literal(which, m, lit, errors, depth + 1);
                Some(DynValue::Message(Box::new(sub)))
            }
            (FieldType::Message(_) | FieldType::Group(_), other) => {
                errors.push(format!(
                    "Expected \"{{\", found \"{}\".",
                    self.first_token(other)
                ));
                None
            }
            (ty, ast::LiteralValue::Scalar(scalar)) => {
                let text = Token {
                    source: self.source.as_deref(),
                };
                match text_scalar(pool, ty, scalar, &text) {
                    Ok(v) => Some(v),
                    Err(message) => {
                        errors.push(message.replace("{field}", &fname));
                        None
                    }
                }
            }
            (ty, other) => {
                let found = self.first_token(other);
                errors.push(match ty {
                    FieldType::Scalar(Scalar::Float | Scalar::Double) => {
                        format!("Expected double, got: {found}")
                    }
                    FieldType::Scalar(Scalar::String | Scalar::Bytes) => {
                        format!("Expected string, got: {found}")
                    }
                    FieldType::Scalar(Scalar::Bool) => format!("Expected identifier, got: {found}"),
                    FieldType::Enum(_) => format!("Expected integer or identifier, got: {found}"),
                    _ => format!("Expected integer, got: {found}"),
                });
                None
            }
        }
    }

    /// The text of the first token of a literal value, as protoc's
    /// text-format errors show it.
    fn first_token(&self, value: &ast::LiteralValue) -> String {
        match value {
            ast::LiteralValue::Message(lit) => match lit.delimiter {
                ast::LiteralDelimiter::Brace => "{".to_string(),
                ast::LiteralDelimiter::Angle => "<".to_string(),
            },
            ast::LiteralValue::List(..) => "[".to_string(),
            ast::LiteralValue::Scalar(v) => {
                let token = Token {
                    source: self.source.as_deref(),
                };
                match v {
                    ast::OptionValue::Ident { minus: Some(_), .. }
                    | ast::OptionValue::Int(ast::Int { minus: Some(_), .. })
                    | ast::OptionValue::Float(ast::Float { minus: Some(_), .. }) => "-".to_string(),
                    other => token.at(other.span().start),
                }
            }
        }
    }
}

/// Reads token texts back from the file's source for error messages.
struct Token<'a> {
    source: Option<&'a [u8]>,
}

impl Token<'_> {
    /// The text of the token starting at `offset` (a string token up to its
    /// closing quote, otherwise a run of identifier characters and dots).
    fn at(&self, offset: u32) -> String {
        let Some(source) = self.source else {
            return String::new();
        };
        let start = crate::source_info::next_token(source, offset as usize);
        let Some(&first) = source.get(start) else {
            return String::new();
        };
        let mut end = start + 1;
        if first == b'"' || first == b'\'' {
            while let Some(&b) = source.get(end) {
                end += 1;
                if b == b'\\' {
                    end += 1;
                } else if b == first || b == b'\n' {
                    break;
                }
            }
        } else if first.is_ascii_alphanumeric() || first == b'_' || first == b'.' {
            while let Some(&b) = source.get(end) {
                let exponent_sign = (b == b'-' || b == b'+')
                    && first.is_ascii_digit()
                    && matches!(source.get(end - 1), Some(b'e' | b'E'));
                if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || exponent_sign {
                    end += 1;
                } else {
                    break;
                }
            }
        }
        String::from_utf8_lossy(&source[start..end.min(source.len())]).into_owned()
    }

    /// The text of the number after an optional `-`.
    fn number(&self, value: &ast::OptionValue) -> String {
        match value {
            ast::OptionValue::Int(ast::Int { minus: Some(m), .. })
            | ast::OptionValue::Float(ast::Float { minus: Some(m), .. })
            | ast::OptionValue::Ident { minus: Some(m), .. } => self.at(m.end),
            other => self.at(other.span().start),
        }
    }
}

/// A text-format scalar for a field of type `ty`, with protoc's
/// `TextFormat::Parser` rules and messages (`{field}` stands for the field
/// name).
fn text_scalar(
    pool: &Pool,
    ty: FieldType,
    value: &ast::OptionValue,
    token: &Token<'_>,
) -> Result<DynValue, String> {
    let negative = matches!(
        value,
        ast::OptionValue::Int(ast::Int { minus: Some(_), .. })
            | ast::OptionValue::Float(ast::Float { minus: Some(_), .. })
            | ast::OptionValue::Ident { minus: Some(_), .. }
    );
    let number_text = || token.number(value);
    // protoc's ConsumeUnsignedInteger (after an optional `-`).
    let unsigned = |max: u64| -> Result<u64, String> {
        match value {
            ast::OptionValue::Int(i) => {
                let text = number_text();
                if i.magnitude > max
                    || (i.magnitude == 0
                        && text.trim_start_matches('0').len() > 1
                        && !text.starts_with("0x"))
                {
                    return Err(format!("Integer out of range ({text})"));
                }
                Ok(i.magnitude)
            }
            ast::OptionValue::Float(_) => {
                let text = number_text();
                if text
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b'x' || b == b'X')
                {
                    // An integer too large for 64 bits.
                    Err(format!("Integer out of range ({text})"))
                } else {
                    Err(format!("Expected integer, got: {text}"))
                }
            }
            _ => Err(format!("Expected integer, got: {}", number_text())),
        }
    };
    let signed = |max: u64| -> Result<i64, String> {
        if negative {
            let m = unsigned(max + 1)?;
            Ok(0i64.wrapping_sub_unsigned(m))
        } else {
            unsigned(max).map(|m| m as i64)
        }
    };
    if !negative {
        if let ast::OptionValue::String(_) = value {
            if !matches!(ty, FieldType::Scalar(Scalar::String | Scalar::Bytes)) {
                let found = token.at(value.span().start);
                return Err(match ty {
                    FieldType::Scalar(Scalar::Float | Scalar::Double) => {
                        format!("Expected double, got: {found}")
                    }
                    FieldType::Scalar(Scalar::Bool) => format!("Expected identifier, got: {found}"),
                    FieldType::Enum(_) => format!("Expected integer or identifier, got: {found}"),
                    _ => format!("Expected integer, got: {found}"),
                });
            }
        }
    }
    Ok(match ty {
        FieldType::Scalar(s) => match s {
            Scalar::Int32 => DynValue::Varint(signed(i32::MAX as u64)? as u64),
            Scalar::Sint32 => {
                DynValue::Varint(wire::zigzag(signed(i32::MAX as u64)?) & 0xffff_ffff)
            }
            Scalar::Sfixed32 => DynValue::Fixed32(signed(i32::MAX as u64)? as i32 as u32),
            Scalar::Int64 => DynValue::Varint(signed(i64::MAX as u64)? as u64),
            Scalar::Sint64 => DynValue::Varint(wire::zigzag(signed(i64::MAX as u64)?)),
            Scalar::Sfixed64 => DynValue::Fixed64(signed(i64::MAX as u64)? as u64),
            Scalar::Uint32 | Scalar::Fixed32 | Scalar::Uint64 | Scalar::Fixed64 => {
                if negative {
                    return Err("Expected integer, got: -".to_string());
                }
                let max = if matches!(s, Scalar::Uint32 | Scalar::Fixed32) {
                    u64::from(u32::MAX)
                } else {
                    u64::MAX
                };
                let v = unsigned(max)?;
                match s {
                    Scalar::Fixed32 => DynValue::Fixed32(v as u32),
                    Scalar::Fixed64 => DynValue::Fixed64(v),
                    _ => DynValue::Varint(v),
                }
            }
            Scalar::Float | Scalar::Double => {
                let magnitude = match value {
                    ast::OptionValue::Int(i) => {
                        let text = number_text();
                        let is_hex = text.starts_with("0x") || text.starts_with("0X");
                        let is_oct = text.len() > 1 && text.starts_with('0') && !is_hex;
                        if is_hex || is_oct {
                            return Err(format!("Expect a decimal number, got: {text}"));
                        }
                        i.magnitude as f64
                    }
                    ast::OptionValue::Float(f) => f.magnitude,
                    ast::OptionValue::Ident { ident, .. } => {
                        match ident.text.to_ascii_lowercase().as_str() {
                            "inf" | "infinity" => f64::INFINITY,
                            "nan" => f64::NAN,
                            _ => return Err(format!("Expected double, got: {}", ident.text)),
                        }
                    }
                    _ => return Err(format!("Expected double, got: {}", number_text())),
                };
                let v = if negative { -magnitude } else { magnitude };
                if s == Scalar::Float {
                    DynValue::Fixed32(crate::link::safe_double_to_float(v).to_bits())
                } else {
                    DynValue::Fixed64(v.to_bits())
                }
            }
            Scalar::Bool => match value {
                ast::OptionValue::Int(_) if !negative => DynValue::Varint(unsigned(1)?),
                ast::OptionValue::Ident { minus: None, ident } => match ident.text.as_str() {
                    "true" | "True" | "t" => DynValue::Varint(1),
                    "false" | "False" | "f" => DynValue::Varint(0),
                    other => {
                        return Err(format!(
                            "Invalid value for boolean field \"{{field}}\". Value: \"{other}\"."
                        ));
                    }
                },
                _ => {
                    return Err(format!(
                        "Expected identifier, got: {}",
                        token.at(value.span().start)
                    ));
                }
            },
            Scalar::String | Scalar::Bytes => match value {
                ast::OptionValue::String(s) => DynValue::Bytes(s.value.clone()),
                _ => {
                    return Err(format!(
                        "Expected string, got: {}",
                        token.at(value.span().start)
                    ));
                }
            },
        },
        FieldType::Enum(e) => {
            let (found, number) = match value {
                ast::OptionValue::Ident { minus: None, ident } => (
                    pool[e]
                        .values
                        .iter()
                        .copied()
                        .find(|v| pool[*v].name == ident.text),
                    None,
                ),
                ast::OptionValue::Int(_)
                | ast::OptionValue::Ident { minus: Some(_), .. }
                | ast::OptionValue::Float(_)
                    if negative || matches!(value, ast::OptionValue::Int(_)) =>
                {
                    let n = signed(i32::MAX as u64)?;
                    (
                        pool[e]
                            .values
                            .iter()
                            .copied()
                            .find(|v| i64::from(pool[*v].number) == n),
                        Some(n),
                    )
                }
                _ => {
                    return Err(format!(
                        "Expected integer or identifier, got: {}",
                        token.at(value.span().start)
                    ));
                }
            };
            match (found, number) {
                (Some(v), _) => DynValue::Varint(i64::from(pool[v].number) as u64),
                (None, Some(n)) if !pool[e].is_closed() => DynValue::Varint(n as u64),
                (None, n) => {
                    let shown = match (n, value) {
                        (Some(n), _) => n.to_string(),
                        (None, ast::OptionValue::Ident { ident, .. }) => ident.text.clone(),
                        _ => String::new(),
                    };
                    return Err(format!(
                        "Unknown enumeration value of \"{shown}\" for field \"{{field}}\"."
                    ));
                }
            }
        }
        FieldType::Message(_) | FieldType::Group(_) => {
            return Err(format!(
                "Expected \"{{\", found \"{}\".",
                token.at(value.span().start)
            ));
        }
    })
}

/// protoc's `ExamineIfOptionIsSet` over the unknown fields of this pass.
fn is_set(
    raw: &[(u32, WireValue)],
    intermediate: &[(Which, FieldId)],
    leaf: FieldId,
    current: &Pool,
    builtin: &Pool,
    leaf_which: Which,
) -> bool {
    match intermediate.split_first() {
        None => {
            let number = pool_of(leaf_which, current, builtin)[leaf].number as u32;
            raw.iter().any(|(n, _)| *n == number)
        }
        Some(((w, f), rest)) => {
            let fp = pool_of(*w, current, builtin);
            let number = fp[*f].number as u32;
            raw.iter().any(|(n, v)| {
                *n == number
                    && match v {
                        WireValue::Bytes(b) => wire::parse_fields(b).is_some_and(|inner| {
                            is_set(&inner, rest, leaf, current, builtin, leaf_which)
                        }),
                        WireValue::Group(inner) => {
                            is_set(inner, rest, leaf, current, builtin, leaf_which)
                        }
                        _ => false,
                    }
            })
        }
    }
}

impl Interpreter<'_> {
    /// Stores the interpreted options on their elements.
    pub(crate) fn finish(&mut self, sets: &[OptionSet]) {
        for (index, set) in sets.iter().enumerate() {
            if set.decls.is_empty() && !set.force_present {
                continue;
            }
            let encoded = match &self.st.states[index] {
                Some(state) => state.to_bytes(self.builtin),
                None => Vec::new(),
            };
            let options = typed_options(set.target, encoded);
            *self.options_mut(set.target) = options;
        }
    }

    fn options_mut(&mut self, target: OptionTarget) -> &mut Options {
        let pool = &mut *self.pool;
        match target {
            OptionTarget::File(id) => &mut pool.files[id.index()].options,
            OptionTarget::Message(id) => &mut pool.messages[id.index()].options,
            OptionTarget::Field(id) => &mut pool.fields[id.index()].options,
            OptionTarget::Oneof(id) => &mut pool.oneofs[id.index()].options,
            OptionTarget::Enum(id) => &mut pool.enums[id.index()].options,
            OptionTarget::EnumValue(id) => &mut pool.enum_values[id.index()].options,
            OptionTarget::ExtensionRange(id, i) => {
                &mut pool.messages[id.index()].extension_ranges[i].options
            }
            OptionTarget::Service(id) => &mut pool.services[id.index()].options,
            OptionTarget::Method(id) => &mut pool.methods[id.index()].options,
        }
    }

    /// The `features` (and `packed`) written on each element after the
    /// first pass, for the features phase.
    pub(crate) fn written(&self, sets: &[OptionSet]) -> crate::features::Written {
        let mut out = crate::features::Written::default();
        for (index, set) in sets.iter().enumerate() {
            let Some(state) = &self.st.states[index] else {
                continue;
            };
            let mut features = Vec::new();
            if let Some(field) = state.get(features_field(set.target)) {
                for v in &field.values {
                    if let DynValue::Message(m) = v {
                        m.encode(self.builtin, &mut features);
                    }
                }
            }
            let packed = match set.target {
                OptionTarget::Field(_) => state.get(2).and_then(|f| match f.values.last() {
                    Some(DynValue::Varint(v)) => Some(*v != 0),
                    _ => None,
                }),
                _ => None,
            };
            if !features.is_empty() || packed.is_some() {
                out.0.insert(set.target, (features, packed));
            }
        }
        out
    }
}

/// The number of the `features` field of each options message.
pub(crate) fn features_field(target: OptionTarget) -> u32 {
    match target {
        OptionTarget::File(_) | OptionTarget::ExtensionRange(..) => 50,
        OptionTarget::Message(_) => 12,
        OptionTarget::Field(_) => 21,
        OptionTarget::Oneof(_) => 1,
        OptionTarget::Enum(_) => 7,
        OptionTarget::EnumValue(_) => 2,
        OptionTarget::Service(_) => 34,
        OptionTarget::Method(_) => 35,
    }
}

/// Decodes the commonly used built-in options from `encoded`.
pub(crate) fn typed_options(target: OptionTarget, encoded: Vec<u8>) -> Options {
    let mut options = Options {
        present: true,
        ..Options::default()
    };
    let deprecated = match target {
        OptionTarget::File(_) => 23,
        OptionTarget::Message(_) | OptionTarget::Field(_) | OptionTarget::Enum(_) => 3,
        OptionTarget::EnumValue(_) => 1,
        OptionTarget::Service(_) | OptionTarget::Method(_) => 33,
        _ => 0,
    };
    let features = features_field(target);
    let mut reader = wire::Reader::new(&encoded);
    while let Some((number, value)) = reader.field() {
        let varint = match value {
            wire::FieldValue::Varint(v) => Some(v),
            _ => None,
        };
        if number == deprecated {
            options.deprecated = varint == Some(1);
        }
        if number == features {
            if let wire::FieldValue::Bytes(b) = value {
                options.features.extend_from_slice(b);
            }
        }
        match (target, number) {
            (OptionTarget::Field(_), 1) => options.ctype = varint.map(|v| v as i32),
            (OptionTarget::Field(_), 2) => options.packed = varint.map(|v| v != 0),
            (OptionTarget::Field(_), 5 | 15) => options.lazy |= varint == Some(1),
            (OptionTarget::Field(_), 17) => options.retention = varint.unwrap_or(0) as i32,
            (OptionTarget::Field(_), 19) => match value {
                wire::FieldValue::Varint(v) => options.targets.push(v as i32),
                wire::FieldValue::Bytes(b) => {
                    let mut r = wire::Reader::new(b);
                    while let Some(v) = r.varint() {
                        options.targets.push(v as i32);
                    }
                }
                _ => {}
            },
            (OptionTarget::Message(_), 1) => options.message_set_wire_format = varint == Some(1),
            (OptionTarget::Enum(_), 2) => options.allow_alias = varint == Some(1),
            (OptionTarget::Method(_), 34) => options.idempotency_level = varint.unwrap_or(0) as i32,
            _ => {}
        }
    }
    options.encoded = encoded;
    options
}

/// protobuf's `FindInitializationErrors`: the paths of unset required fields.
fn missing_required(pool: &Pool, message: &DynMessage, prefix: &str, out: &mut Vec<String>) {
    let msg = &pool[message.ty];
    for f in &msg.fields {
        let field = &pool[*f];
        if field.label == Label::Required && message.get(field.number as u32).is_none() {
            out.push(format!("{prefix}{}", field.name));
        }
    }
    for field in &message.fields {
        let f = &pool[field.field];
        let repeated = f.label == Label::Repeated;
        for (i, value) in field.values.iter().enumerate() {
            if let DynValue::Message(m) = value {
                let name = if f.is_extension() {
                    format!("({})", f.full_name)
                } else {
                    f.name.clone()
                };
                let sub = if repeated {
                    format!("{prefix}{name}[{i}].")
                } else {
                    format!("{prefix}{name}.")
                };
                missing_required(pool, m, &sub, out);
            }
        }
    }
}
