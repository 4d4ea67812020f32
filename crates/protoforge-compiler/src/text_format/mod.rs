//! protobuf's text format over the IR: [`parse`] text into a
//! [`DynamicMessage`] and [`print`] one back, byte for byte as protoc's
//! `--encode` and `--decode` do (`TextFormat::Parser` with partial messages
//! allowed, `TextFormat::Printer` with its defaults), and [`print_unknown`]
//! for `--decode_raw`.
//!
//! Parsing (`parse.rs` over `tokenize.rs`) is the crate's one text-format
//! parser: the option interpreter reads aggregate option values with it too,
//! through `parse_with` with its own `Settings` and `Finder`.
//!
//! Printing: known fields by number (extensions as `[full.name]`, groups by
//! their type name), then unknown fields by number in wire order; strings
//! and bytes C-escaped (every byte from 0x80 as octal); floats and doubles
//! as `SimpleFtoa`/`SimpleDtoa` (`nan`, `inf`, `-inf`); enums by name, or
//! as a number when the value has no name; map entries sorted by key, with
//! both key and value always printed; `Any` not expanded (protoc's printer
//! default). An unknown length-delimited value prints as a nested message
//! when it parses as one, [`UNKNOWN_RECURSION_BUDGET`] levels deep at most.
//!
//! Nothing here does IO; the CLI reads stdin and writes stdout.

mod parse;
mod tokenize;
pub(crate) mod unknown;

pub(crate) use parse::{Finder, Settings, set_scalar};

use crate::dynamic::{DynMessage, DynValue};
use crate::ir::{FieldId, FieldType, MessageId, Pool, Scalar, Scope};
use crate::message::DynamicMessage;
use crate::text::{c_escape, simple_dtoa, simple_ftoa};

pub use unknown::print_unknown;

/// How deeply text may nest messages. protoc's parser has no limit (its
/// default is `INT_MAX`); ours keeps the parser's recursion well inside a
/// thread's stack.
pub const MAX_DEPTH: usize = 2000;

/// How many levels of unknown length-delimited values are tried as
/// messages when printing (protoc's `kUnknownFieldRecursionLimit`).
pub const UNKNOWN_RECURSION_BUDGET: i32 = 10;

/// An error or warning found while parsing text, at a 0-based line and
/// column (tabs advance the column to the next multiple of 8) as protoc
/// records them; protoc prints both plus one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// 0-based line.
    pub line: usize,
    /// 0-based column.
    pub column: usize,
    /// protoc's wording.
    pub message: String,
    /// A warning (`text format contains deprecated field …`), not an error.
    pub is_warning: bool,
}

/// What [`parse`] found.
#[derive(Clone, Debug)]
pub struct Parsed {
    /// The message, when there was no error.
    pub message: Option<DynamicMessage>,
    /// Errors and warnings in the order found; parsing stops at the first
    /// parser error (tokenizer errors before it are all reported).
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses `text` as a message of type `ty`, as `--encode` does: partial
/// messages allowed, extensions and `Any` types found by full name in
/// `pool`, messages nested [`MAX_DEPTH`] levels at most.
pub fn parse(pool: &Pool, ty: MessageId, text: &[u8]) -> Parsed {
    let settings = Settings {
        allow_partial: true,
        max_depth: MAX_DEPTH as i32,
    };
    let (message, diagnostics) = parse_with(pool, ty, text, settings, &mut parse::PoolFinder);
    Parsed {
        message: message.map(DynamicMessage::from_inner),
        diagnostics,
    }
}

/// Parses `text` as a message of type `ty` (in `pool`) with `settings`,
/// finding extensions and `Any` types with `finder`: the message when there
/// was no error, and the errors and warnings found.
pub(crate) fn parse_with<'a>(
    pool: &'a Pool,
    ty: MessageId,
    text: &'a [u8],
    settings: Settings,
    finder: &mut dyn Finder<'a>,
) -> (Option<DynMessage>, Vec<Diagnostic>) {
    let mut parser = parse::Parser::new(text, settings, finder);
    let mut message = DynMessage::new(ty);
    let ok = parser.parse(pool, &mut message);
    (ok.then_some(message), parser.diagnostics)
}

/// The text format of `message`, as protoc's `--decode` prints it.
pub fn print(pool: &Pool, message: &DynamicMessage) -> String {
    let mut out = String::new();
    print_message(pool, message.inner(), 0, &mut out);
    out
}

/// Whether `field` is written with its type's name: a group whose type is
/// named as the field (capitalised) and declared beside it (protoc's
/// `IsGroupLike`).
pub(crate) fn is_group_like(pool: &Pool, field: FieldId) -> bool {
    let f = &pool[field];
    let FieldType::Group(m) = f.ty else {
        return false;
    };
    let message = &pool[m];
    if message.name.to_ascii_lowercase() != f.name || message.file != f.file {
        return false;
    }
    match f.scope {
        Scope::Message(scope) => message.parent == Some(scope),
        Scope::File(_) => message.parent.is_none(),
    }
}

/// An optional message extension of a MessageSet declared inside its own
/// type: printed and parsed by its type's name.
pub(crate) fn is_message_set_extension(pool: &Pool, field: FieldId) -> bool {
    let f = &pool[field];
    let Some(extendee) = f.extendee else {
        return false;
    };
    let FieldType::Message(m) = f.ty else {
        return false;
    };
    pool[extendee].options.message_set_wire_format
        && !f.is_repeated()
        && f.label != crate::ir::Label::Required
        && f.scope == Scope::Message(m)
}

fn field_name(pool: &Pool, field: FieldId) -> String {
    let f = &pool[field];
    if f.is_extension() {
        let name = match f.ty {
            FieldType::Message(m) if is_message_set_extension(pool, field) => {
                pool[m].full_name.as_str().to_string()
            }
            _ => f.full_name.as_str().to_string(),
        };
        return format!("[{name}]");
    }
    if is_group_like(pool, field) {
        if let Some(m) = f.ty.message() {
            return pool[m].name.clone();
        }
    }
    f.name.clone()
}

fn pad(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}

fn print_message(pool: &Pool, message: &DynMessage, indent: usize, out: &mut String) {
    if let Some(entry) = &pool[message.ty].map_entry {
        // Both fields, set or not.
        for field in [entry.key, entry.value] {
            let number = pool[field].number as u32;
            let value = message
                .get(number)
                .and_then(|f| f.values.last())
                .cloned()
                .unwrap_or_else(|| default_value(pool, field));
            print_field(pool, field, &value, indent, out);
        }
    } else {
        for field in &message.fields {
            let values: Vec<&DynValue> = if is_map(pool, field.field) {
                sorted_entries(pool, &field.values)
            } else {
                field.values.iter().collect()
            };
            for value in values {
                print_field(pool, field.field, value, indent, out);
            }
        }
    }
    if pool[message.ty].map_entry.is_none() {
        unknown::print_fields(&message.unknown, UNKNOWN_RECURSION_BUDGET, indent, out);
    }
}

fn print_field(pool: &Pool, field: FieldId, value: &DynValue, indent: usize, out: &mut String) {
    pad(out, indent);
    out.push_str(&field_name(pool, field));
    if let DynValue::Message(m) = value {
        out.push_str(" {\n");
        print_message(pool, m, indent + 1, out);
        pad(out, indent);
        out.push_str("}\n");
        return;
    }
    out.push_str(": ");
    out.push_str(&scalar_text(pool, field, value));
    out.push('\n');
}

fn scalar_text(pool: &Pool, field: FieldId, value: &DynValue) -> String {
    let raw = match value {
        DynValue::Varint(v) | DynValue::Fixed64(v) => *v,
        DynValue::Fixed32(v) => u64::from(*v),
        DynValue::Bytes(b) => return format!("\"{}\"", c_escape(b)),
        DynValue::Message(_) => return String::new(),
    };
    match pool[field].ty {
        FieldType::Scalar(s) => match s {
            Scalar::Int32 | Scalar::Sfixed32 => (raw as u32 as i32).to_string(),
            Scalar::Int64 | Scalar::Sfixed64 => (raw as i64).to_string(),
            Scalar::Uint32 | Scalar::Fixed32 => (raw as u32).to_string(),
            Scalar::Uint64 | Scalar::Fixed64 => raw.to_string(),
            Scalar::Sint32 => {
                let n = raw as u32;
                ((n >> 1) as i32 ^ -((n & 1) as i32)).to_string()
            }
            Scalar::Sint64 => ((raw >> 1) as i64 ^ -((raw & 1) as i64)).to_string(),
            Scalar::Bool => if raw != 0 { "true" } else { "false" }.to_string(),
            Scalar::Float => simple_ftoa(f32::from_bits(raw as u32)),
            Scalar::Double => simple_dtoa(f64::from_bits(raw)),
            Scalar::String | Scalar::Bytes => String::new(),
        },
        FieldType::Enum(e) => {
            let number = raw as u32 as i32;
            pool[e]
                .values
                .iter()
                .find(|v| pool[**v].number == number)
                .map(|v| pool[*v].name.clone())
                .unwrap_or_else(|| number.to_string())
        }
        FieldType::Message(_) | FieldType::Group(_) => String::new(),
    }
}

/// The value of an unset field of a map entry.
pub(crate) fn default_value(pool: &Pool, field: FieldId) -> DynValue {
    let f = &pool[field];
    match f.ty {
        FieldType::Scalar(Scalar::String | Scalar::Bytes) => DynValue::Bytes(Vec::new()),
        FieldType::Scalar(Scalar::Float | Scalar::Fixed32 | Scalar::Sfixed32) => {
            DynValue::Fixed32(0)
        }
        FieldType::Scalar(Scalar::Double | Scalar::Fixed64 | Scalar::Sfixed64) => {
            DynValue::Fixed64(0)
        }
        FieldType::Scalar(_) => DynValue::Varint(0),
        FieldType::Enum(e) => {
            let first = pool[e].values.first().map_or(0, |v| pool[*v].number);
            DynValue::Varint(i64::from(first) as u64)
        }
        FieldType::Message(m) | FieldType::Group(m) => {
            DynValue::Message(Box::new(DynMessage::new(m)))
        }
    }
}

/// Whether `field` is a map.
pub(crate) fn is_map(pool: &Pool, field: FieldId) -> bool {
    let f = &pool[field];
    f.is_repeated() && matches!(f.ty, FieldType::Message(m) if pool[m].map_entry.is_some())
}

/// A map key, ordered as protobuf's `MapEntryMessageComparator` orders keys.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum MapKey {
    Signed(i64),
    Unsigned(u64),
    Bytes(Vec<u8>),
}

/// The key of a map entry message.
pub(crate) fn map_key(pool: &Pool, entry: &DynMessage) -> MapKey {
    let Some(map) = &pool[entry.ty].map_entry else {
        return MapKey::Unsigned(0);
    };
    let key_field = map.key;
    let value = entry
        .get(pool[key_field].number as u32)
        .and_then(|f| f.values.last())
        .cloned()
        .unwrap_or_else(|| default_value(pool, key_field));
    let raw = match value {
        DynValue::Bytes(b) => return MapKey::Bytes(b),
        DynValue::Varint(v) | DynValue::Fixed64(v) => v,
        DynValue::Fixed32(v) => u64::from(v),
        DynValue::Message(_) => 0,
    };
    match pool[key_field].ty {
        FieldType::Scalar(Scalar::Int32 | Scalar::Sfixed32) => {
            MapKey::Signed(i64::from(raw as u32 as i32))
        }
        FieldType::Scalar(Scalar::Int64 | Scalar::Sfixed64) => MapKey::Signed(raw as i64),
        FieldType::Scalar(Scalar::Sint32) => {
            let n = raw as u32;
            MapKey::Signed(i64::from((n >> 1) as i32 ^ -((n & 1) as i32)))
        }
        FieldType::Scalar(Scalar::Sint64) => {
            MapKey::Signed((raw >> 1) as i64 ^ -((raw & 1) as i64))
        }
        FieldType::Scalar(Scalar::Uint32 | Scalar::Fixed32) => MapKey::Unsigned(raw & 0xffff_ffff),
        FieldType::Scalar(Scalar::Bool) => MapKey::Unsigned(u64::from(raw != 0)),
        _ => MapKey::Unsigned(raw),
    }
}

fn sorted_entries<'a>(pool: &Pool, values: &'a [DynValue]) -> Vec<&'a DynValue> {
    let mut keyed: Vec<(MapKey, &DynValue)> = values
        .iter()
        .map(|v| match v {
            DynValue::Message(m) => (map_key(pool, m), v),
            _ => (MapKey::Unsigned(0), v),
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, v)| v).collect()
}
