//! Readable views of descriptor bytes, for tests and `protoforge debug`.
//!
//! [`first_difference`] decodes two encoded `descriptor.proto` messages side
//! by side (with the built-in `descriptor.proto` for field names) and says
//! where they first differ, as a path such as
//! `file[0].message_type[2].field[1].json_name`, with both values. The
//! differential tests print it so that a byte mismatch with protoc is
//! readable at once.

use crate::dynamic::find_field;
use crate::ir::{FieldType, MessageId, Pool, Symbol};
use crate::wire::{self, WireValue};

/// Where `actual` first differs from `expected`, both encodings of the
/// message named `type_name` (such as `google.protobuf.FileDescriptorSet`),
/// or `None` when they are byte-identical.
pub fn first_difference(type_name: &str, expected: &[u8], actual: &[u8]) -> Option<String> {
    if expected == actual {
        return None;
    }
    let schema = crate::builtin::schema();
    let ty = match schema.lookup(type_name) {
        Some(Symbol::Message(m)) => Some(m),
        _ => None,
    };
    let mut path = String::new();
    Some(match diff(schema, ty, expected, actual, &mut path) {
        Some(d) => d,
        None => format!(
            "{type_name}: the bytes differ but decode to the same fields (encoding differs)"
        ),
    })
}

fn name_of(schema: &Pool, ty: Option<MessageId>, number: u32) -> (String, Option<MessageId>) {
    match ty.and_then(|m| find_field(schema, m, number)) {
        Some(f) => {
            let field = &schema[f];
            let sub = match field.ty {
                FieldType::Message(m) | FieldType::Group(m) => Some(m),
                _ => None,
            };
            let name = if field.is_extension() {
                format!("({})", field.full_name)
            } else {
                field.name.clone()
            };
            (name, sub)
        }
        None => (format!("<{number}>"), None),
    }
}

fn show(value: &WireValue) -> String {
    match value {
        WireValue::Varint(v) => format!("{v} (varint, as int32: {})", *v as i64 as i32),
        WireValue::Fixed32(v) => format!("{v:#010x} (fixed32, as float: {})", f32::from_bits(*v)),
        WireValue::Fixed64(v) => format!("{v:#018x} (fixed64, as double: {})", f64::from_bits(*v)),
        WireValue::Bytes(b) => match std::str::from_utf8(b) {
            Ok(s) if b.len() <= 200 => format!("{s:?}"),
            _ => format!("{} bytes {:02x?}", b.len(), &b[..b.len().min(48)]),
        },
        WireValue::Group(fields) => format!("group of {} fields", fields.len()),
    }
}

fn diff(
    schema: &Pool,
    ty: Option<MessageId>,
    expected: &[u8],
    actual: &[u8],
    path: &mut String,
) -> Option<String> {
    let (Some(a), Some(b)) = (wire::parse_fields(expected), wire::parse_fields(actual)) else {
        return Some(format!("{path}: one side does not parse as protobuf"));
    };
    diff_fields(schema, ty, &a, &b, path)
}

fn diff_fields(
    schema: &Pool,
    ty: Option<MessageId>,
    a: &[(u32, WireValue)],
    b: &[(u32, WireValue)],
    path: &mut String,
) -> Option<String> {
    let mut counts: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    for i in 0..a.len().max(b.len()) {
        match (a.get(i), b.get(i)) {
            (Some((na, va)), Some((nb, vb))) => {
                let (name, sub) = name_of(schema, ty, *na);
                let index = counts.entry(*na).or_insert(0);
                let here = format!(
                    "{path}{}{name}[{index}]",
                    if path.is_empty() { "" } else { "." }
                );
                *index += 1;
                if na != nb {
                    let (other, _) = name_of(schema, ty, *nb);
                    return Some(format!(
                        "{here}: protoc has field {name} ({na}) = {}, we have field {other} ({nb}) = {}",
                        show(va),
                        show(vb)
                    ));
                }
                if va == vb {
                    continue;
                }
                let len = path.len();
                *path = here.clone();
                let inner = match (va, vb) {
                    (WireValue::Bytes(x), WireValue::Bytes(y)) if sub.is_some() => {
                        diff(schema, sub, x, y, path)
                    }
                    (WireValue::Group(x), WireValue::Group(y)) => {
                        diff_fields(schema, sub, x, y, path)
                    }
                    _ => None,
                };
                path.truncate(len);
                return Some(inner.unwrap_or_else(|| {
                    format!("{here}: protoc has {}, we have {}", show(va), show(vb))
                }));
            }
            (Some((n, v)), None) => {
                let (name, _) = name_of(schema, ty, *n);
                return Some(format!(
                    "{path}: protoc has an extra {name} ({n}) = {}",
                    show(v)
                ));
            }
            (None, Some((n, v))) => {
                let (name, _) = name_of(schema, ty, *n);
                return Some(format!(
                    "{path}: we have an extra {name} ({n}) = {}",
                    show(v)
                ));
            }
            (None, None) => break,
        }
    }
    None
}

/// The names of the files in an encoded `FileDescriptorSet`, each with its
/// encoded `FileDescriptorProto`, or `None` when the bytes do not parse.
pub fn split_descriptor_set(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for (number, value) in wire::parse_fields(bytes)? {
        let (1, WireValue::Bytes(file)) = (number, value) else {
            return None;
        };
        let mut name = String::new();
        for (n, v) in wire::parse_fields(&file)? {
            if let (1, WireValue::Bytes(b)) = (n, v) {
                name = String::from_utf8_lossy(&b).into_owned();
            }
        }
        out.push((name, file));
    }
    Some(out)
}
