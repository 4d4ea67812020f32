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
//! Aggregate values (`{ … }`) are text format, parsed by
//! [`crate::text_format`]'s parser as protoc's option interpreter configures
//! it (required fields must be set, errors joined into one "Error while
//! parsing option value", extensions and `Any` types found with the scoping
//! of the file being compiled: [`AggregateFinder`], nesting limited by
//! [`MAX_NESTING`]) into a message of the option's type and serialized as
//! protobuf's C++ runtime does. Each interpreted option's source location is
//! moved from its `uninterpreted_option` path to the path of the field it
//! set.

use std::collections::HashMap;

use protoforge_syntax::Span as SynSpan;
use protoforge_syntax::ast;

use crate::diagnostic::DiagnosticKind;
use crate::dynamic::{DynMessage, DynValue};
use crate::ir::{FieldId, FieldType, Label, MessageId, Options, Pool, Scalar, Symbol};
use crate::link::{Miss, Mode, Resolver, Visibility};
use crate::lower::{OptionSet, OptionTarget};
use crate::text_format;
use crate::wire::{self, WireValue};

/// Deepest nesting of messages in an options message, counted from the
/// options message, including those written in aggregate values (where an
/// `Any` value counts as a level too).
///
/// protoc's text-format parser has no limit by default, but protoc then
/// re-reads every options message in binary with protobuf's recursion limit
/// of 100 and aborts on a failed check when it is exceeded. We report an
/// error instead, with the message protoc's text-format parser gives for an
/// exceeded limit, naming the limit left for the value.
pub(crate) const MAX_NESTING: i32 = 100;

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
        // The value sits inside the options message and each intermediate one.
        let depth = 1 + intermediate.len() as i32;
        let value = self.option_value(fwhich, leaf, &decl.value, depth)?;
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

    /// protoc's `SetOptionValue`: the encoded value of `field` written as
    /// `value`, `depth` messages below the options message.
    fn option_value(
        &mut self,
        which: Which,
        field: FieldId,
        value: &ast::OptionValue,
        depth: i32,
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
                let ast::OptionValue::Aggregate(aggregate) = value else {
                    let name = &f.name;
                    return err(format!(
                        "Option \"{full}\" is a message. To set the entire message, use syntax like \"{name} = {{ <proto text format> }}\". To set fields within it, use syntax like \"{name}.foo = value\"."
                    ));
                };
                let is_group = matches!(f.ty, FieldType::Group(_));
                let field_name = f.name.clone();
                let pool = pool_of(which, self.pool, self.builtin);
                let mut finder = AggregateFinder {
                    pool: self.pool,
                    visibility: &mut *self.visibility,
                };
                let settings = text_format::Settings {
                    allow_partial: false,
                    max_depth: MAX_NESTING - depth,
                };
                let (message, diagnostics) =
                    text_format::parse_with(pool, m, &aggregate.text, settings, &mut finder);
                let Some(message) = message else {
                    // protoc's `AggregateErrorCollector`: errors joined,
                    // warnings dropped.
                    let errors: Vec<String> = diagnostics
                        .into_iter()
                        .filter(|d| !d.is_warning)
                        .map(|d| d.message)
                        .collect();
                    return Err(OptionError {
                        span,
                        message: format!(
                            "Error while parsing option value for \"{field_name}\": {}",
                            errors.join("; ")
                        ),
                    });
                };
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
}

/// protoc's `AggregateOptionFinder`: extensions and `Any` types named inside
/// aggregate values, resolved in the file being compiled.
struct AggregateFinder<'p> {
    pool: &'p Pool,
    visibility: &'p mut Visibility,
}

impl<'p> text_format::Finder<'p> for AggregateFinder<'p> {
    fn find_extension(
        &mut self,
        pool: &'p Pool,
        message: MessageId,
        name: &str,
    ) -> Option<FieldId> {
        // Extensions live in the pool being compiled; a built-in options type
        // (no `descriptor.proto` in the pool) has none there.
        if !std::ptr::eq(pool, self.pool) {
            return None;
        }
        let mut resolver = Resolver {
            pool,
            visibility: &mut *self.visibility,
        };
        let relative_to = pool[message].full_name.as_str().to_string();
        match resolver.lookup(name, &relative_to, Mode::All, &mut Miss::default())? {
            // protoc returns any field; one of another message would crash
            // it, so only this message's fields count.
            Symbol::Field(f) => {
                (pool[f].extendee.or_else(|| pool[f].message()) == Some(message)).then_some(f)
            }
            // A MessageSet item may be named by its type.
            Symbol::Message(m) if pool[message].options.message_set_wire_format => {
                pool[m].extensions.iter().copied().find(|e| {
                    let e = &pool[*e];
                    e.extendee == Some(message)
                        && e.ty == FieldType::Message(m)
                        && e.label == Label::Optional
                })
            }
            _ => None,
        }
    }

    fn find_any_type(
        &mut self,
        _pool: &'p Pool,
        prefix: &str,
        name: &str,
    ) -> Option<(&'p Pool, MessageId)> {
        if prefix != "type.googleapis.com/" && prefix != "type.googleprod.com/" {
            return None;
        }
        let mut resolver = Resolver {
            pool: self.pool,
            visibility: &mut *self.visibility,
        };
        match resolver.find(name, &mut Miss::default())? {
            Symbol::Message(m) => Some((self.pool, m)),
            _ => None,
        }
    }
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
