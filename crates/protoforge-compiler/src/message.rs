//! [`DynamicMessage`]: a message whose type is known only through the IR, with
//! protobuf's C++ binary semantics. `--encode`/`--decode` use it with
//! [`crate::text_format`]; it is the value type for anything else that
//! handles messages of types known at run time (JSON, a gRPC client).
//!
//! Decoding follows `Message::ParsePartialFromString` on a dynamic message:
//! fields of the wrong wire type and unknown numbers are kept as unknown
//! fields, values of closed enums with no name too, packed and unpacked
//! repeated scalars are both accepted, a field without presence holding its
//! default is not set, map entries are kept in order (duplicate keys too),
//! and nesting
//! deeper than [`MAX_DEPTH`] or a string field that must be UTF-8 and is not
//! fails the whole parse. Encoding writes known fields by number, then
//! unknown fields in the order read.

use std::fmt;

use crate::dynamic::{DynMessage, DynValue};
use crate::ir::{FieldId, FieldType, Label, MessageId, Pool, Presence, Scalar, Utf8Validation};
use crate::text_format::unknown::{Raw, parse_raw};
use crate::text_format::{MapKey, is_map, map_key};

/// Deepest nesting of messages and groups decoding accepts (protobuf's
/// default recursion limit).
pub const MAX_DEPTH: i32 = 100;

/// A message of a type in a [`Pool`].
#[derive(Clone, Debug, PartialEq)]
pub struct DynamicMessage {
    inner: DynMessage,
}

/// Why bytes could not be decoded as a message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The bytes are not protobuf wire format, or nest too deeply.
    Malformed,
    /// A string field that must be UTF-8 is not (the field's full name).
    InvalidUtf8(String),
}

/// A binary decoding failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageDecodeError {
    kind: DecodeErrorKind,
}

impl MessageDecodeError {
    /// What went wrong.
    pub fn kind(&self) -> &DecodeErrorKind {
        &self.kind
    }
}

impl fmt::Display for MessageDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            DecodeErrorKind::Malformed => f.write_str("malformed message"),
            DecodeErrorKind::InvalidUtf8(field) => write!(
                f,
                "String field '{field}' contains invalid UTF-8 data when parsing a protocol buffer."
            ),
        }
    }
}

impl std::error::Error for MessageDecodeError {}

impl DynamicMessage {
    /// An empty message of type `ty`.
    pub fn new(ty: MessageId) -> DynamicMessage {
        DynamicMessage {
            inner: DynMessage::new(ty),
        }
    }

    pub(crate) fn from_inner(inner: DynMessage) -> DynamicMessage {
        DynamicMessage { inner }
    }

    pub(crate) fn inner(&self) -> &DynMessage {
        &self.inner
    }

    /// The message type.
    pub fn message_type(&self) -> MessageId {
        self.inner.ty
    }

    /// Decodes `bytes` as a message of type `ty`.
    pub fn decode(
        pool: &Pool,
        ty: MessageId,
        bytes: &[u8],
    ) -> Result<DynamicMessage, MessageDecodeError> {
        let mut inner = DynMessage::new(ty);
        merge(pool, &mut inner, bytes, MAX_DEPTH)?;
        Ok(DynamicMessage { inner })
    }

    /// The binary encoding.
    pub fn encode(&self, pool: &Pool) -> Vec<u8> {
        self.inner.to_bytes(pool)
    }

    /// The binary encoding with protobuf's deterministic serialization:
    /// map entries sorted by key (a stable sort: entries with equal keys
    /// keep their order), at every level.
    pub fn encode_deterministic(&self, pool: &Pool) -> Vec<u8> {
        let mut sorted = self.inner.clone();
        sort_maps(pool, &mut sorted);
        sorted.to_bytes(pool)
    }

    /// The full names of string fields that must hold UTF-8 and do not, one
    /// per value, in encoding order (protobuf's C++ serializer logs each and
    /// writes the bytes anyway).
    pub fn invalid_utf8_fields(&self, pool: &Pool) -> Vec<String> {
        let mut out = Vec::new();
        invalid_utf8(pool, &self.inner, &mut out);
        out
    }

    /// The paths of required fields that are not set, as protobuf's
    /// `FindInitializationErrors` names them (`a`, `b.c`, `list[1].d`,
    /// `(pkg.ext).e`).
    pub fn missing_required_fields(&self, pool: &Pool) -> Vec<String> {
        missing_required(pool, &self.inner)
    }
}

fn sort_maps(pool: &Pool, message: &mut DynMessage) {
    for field in &mut message.fields {
        if is_map(pool, field.field) {
            field.values.sort_by_cached_key(|v| match v {
                DynValue::Message(m) => map_key(pool, m),
                _ => MapKey::Unsigned(0),
            });
        }
        for value in &mut field.values {
            if let DynValue::Message(m) = value {
                sort_maps(pool, m);
            }
        }
    }
}

fn invalid_utf8(pool: &Pool, message: &DynMessage, out: &mut Vec<String>) {
    for field in &message.fields {
        let f = &pool[field.field];
        let verify = f.ty == FieldType::Scalar(Scalar::String)
            && f.features.utf8_validation == Utf8Validation::Verify;
        for value in &field.values {
            match value {
                DynValue::Bytes(b) if verify && std::str::from_utf8(b).is_err() => {
                    out.push(f.full_name.as_str().to_string());
                }
                DynValue::Message(m) => invalid_utf8(pool, m, out),
                _ => {}
            }
        }
    }
}

/// protobuf's `FindInitializationErrors`: the paths of unset required
/// fields, this message's first (in declaration order), then those inside
/// set message fields (by field number).
pub(crate) fn missing_required(pool: &Pool, message: &DynMessage) -> Vec<String> {
    let mut out = Vec::new();
    collect_missing(pool, message, "", &mut out);
    out
}

fn collect_missing(pool: &Pool, message: &DynMessage, prefix: &str, out: &mut Vec<String>) {
    for f in &pool[message.ty].fields {
        let field = &pool[*f];
        if field.presence == Presence::Required && message.get(field.number as u32).is_none() {
            out.push(format!("{prefix}{}", field.name));
        }
    }
    for field in &message.fields {
        let f = &pool[field.field];
        let name = if f.is_extension() {
            format!("({})", f.full_name)
        } else {
            f.name.clone()
        };
        for (i, value) in field.values.iter().enumerate() {
            if let DynValue::Message(m) = value {
                let sub = if f.label == Label::Repeated {
                    format!("{prefix}{name}[{i}].")
                } else {
                    format!("{prefix}{name}.")
                };
                collect_missing(pool, m, &sub, out);
            }
        }
    }
}

fn malformed() -> MessageDecodeError {
    MessageDecodeError {
        kind: DecodeErrorKind::Malformed,
    }
}

fn merge(
    pool: &Pool,
    message: &mut DynMessage,
    bytes: &[u8],
    depth: i32,
) -> Result<(), MessageDecodeError> {
    let fields = parse_raw(bytes, depth).ok_or_else(malformed)?;
    merge_fields(pool, message, &fields, depth)
}

fn merge_fields(
    pool: &Pool,
    message: &mut DynMessage,
    fields: &[(u32, Raw<'_>)],
    depth: i32,
) -> Result<(), MessageDecodeError> {
    for (number, raw) in fields {
        let Some(field) = crate::dynamic::find_field(pool, message.ty, *number) else {
            message.unknown.push((*number, raw.to_wire()));
            continue;
        };
        merge_field(pool, message, field, *number, raw, depth)?;
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Wire {
    Varint,
    Fixed32,
    Fixed64,
    Len,
}

fn wire_of(pool: &Pool, field: FieldId) -> Wire {
    match pool[field].ty {
        FieldType::Scalar(s) => match s {
            Scalar::Double | Scalar::Fixed64 | Scalar::Sfixed64 => Wire::Fixed64,
            Scalar::Float | Scalar::Fixed32 | Scalar::Sfixed32 => Wire::Fixed32,
            Scalar::String | Scalar::Bytes => Wire::Len,
            _ => Wire::Varint,
        },
        FieldType::Enum(_) => Wire::Varint,
        FieldType::Message(_) | FieldType::Group(_) => Wire::Len,
    }
}

fn merge_field(
    pool: &Pool,
    message: &mut DynMessage,
    field: FieldId,
    number: u32,
    raw: &Raw<'_>,
    depth: i32,
) -> Result<(), MessageDecodeError> {
    let f = &pool[field];
    let wire = wire_of(pool, field);
    match (f.ty, raw) {
        (FieldType::Message(m), Raw::Len(bytes)) => {
            if depth <= 0 {
                return Err(malformed());
            }
            let mut sub = DynMessage::new(m);
            merge(pool, &mut sub, bytes, depth - 1)?;
            push_message(pool, message, field, sub);
        }
        (FieldType::Group(m), Raw::Group(fields)) => {
            let mut sub = DynMessage::new(m);
            merge_fields(pool, &mut sub, fields, depth - 1)?;
            push_message(pool, message, field, sub);
        }
        (FieldType::Scalar(s @ (Scalar::String | Scalar::Bytes)), Raw::Len(bytes)) => {
            if s == Scalar::String
                && f.features.utf8_validation == Utf8Validation::Verify
                && std::str::from_utf8(bytes).is_err()
            {
                return Err(MessageDecodeError {
                    kind: DecodeErrorKind::InvalidUtf8(f.full_name.as_str().to_string()),
                });
            }
            crate::text_format::set_scalar(pool, message, field, DynValue::Bytes(bytes.to_vec()));
        }
        (_, Raw::Len(bytes)) if f.is_repeated() && wire != Wire::Len => {
            let mut at = 0;
            while at < bytes.len() {
                let (value, used) = match wire {
                    Wire::Varint => {
                        read_varint(&bytes[at..]).map(|(v, n)| (DynValue::Varint(v), n))
                    }
                    Wire::Fixed32 => bytes
                        .get(at..at + 4)
                        .and_then(|b| b.try_into().ok())
                        .map(|b| (DynValue::Fixed32(u32::from_le_bytes(b)), 4)),
                    _ => bytes
                        .get(at..at + 8)
                        .and_then(|b| b.try_into().ok())
                        .map(|b| (DynValue::Fixed64(u64::from_le_bytes(b)), 8)),
                }
                .ok_or_else(malformed)?;
                at += used;
                push_scalar(pool, message, field, number, value);
            }
        }
        (_, Raw::Varint(v)) if wire == Wire::Varint => {
            push_scalar(pool, message, field, number, DynValue::Varint(*v));
        }
        (_, Raw::Fixed32(v)) if wire == Wire::Fixed32 => {
            push_scalar(pool, message, field, number, DynValue::Fixed32(*v));
        }
        (_, Raw::Fixed64(v)) if wire == Wire::Fixed64 => {
            push_scalar(pool, message, field, number, DynValue::Fixed64(*v));
        }
        (_, raw) => message.unknown.push((number, raw.to_wire())),
    }
    Ok(())
}

fn read_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if *byte < 0x80 {
            return Some((value, i + 1));
        }
    }
    None
}

/// A scalar as read: a closed enum's unnamed value goes to the unknown
/// fields.
fn push_scalar(
    pool: &Pool,
    message: &mut DynMessage,
    field: FieldId,
    number: u32,
    value: DynValue,
) {
    if let (FieldType::Enum(e), DynValue::Varint(raw)) = (pool[field].ty, &value) {
        let n = *raw as i64 as i32;
        if pool[e].is_closed() && !pool[e].values.iter().any(|v| pool[*v].number == n) {
            message
                .unknown
                .push((number, crate::wire::WireValue::Varint(*raw)));
            return;
        }
    }
    crate::text_format::set_scalar(pool, message, field, value);
}

/// A message value. Map entries are kept as read, duplicate keys included
/// (protoc's `--decode` prints them all), but not their unknown fields.
fn push_message(pool: &Pool, message: &mut DynMessage, field: FieldId, mut sub: DynMessage) {
    if is_map(pool, field) {
        sub.unknown.clear();
    }
    message.push_value(pool, field, DynValue::Message(Box::new(sub)));
}
