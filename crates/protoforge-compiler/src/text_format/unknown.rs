//! Fields with no schema: reading any bytes as protobuf's C++ parser reads
//! them into an `UnknownFieldSet`, and printing them as its text printer
//! does (`--decode_raw`, and the unknown part of a message in `--decode`).
//!
//! Varints print in decimal, fixed32 and fixed64 as zero-padded hex, groups
//! as `N { … }`, and a length-delimited value as a nested message when it
//! parses as one within the remaining budget, otherwise as a C-escaped
//! string. Two spaces of indentation per level.

use std::fmt::Write as _;

use crate::text::c_escape;
use crate::wire::WireValue;

/// How deeply groups may nest in the input (protobuf's default recursion
/// limit).
pub(crate) const MAX_GROUP_DEPTH: i32 = 100;

/// One field read with no schema.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Raw<'a> {
    Varint(u64),
    Fixed32(u32),
    Fixed64(u64),
    Len(&'a [u8]),
    Group(Vec<(u32, Raw<'a>)>),
}

pub(crate) struct Input<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Input<'a> {
    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let byte = *self.bytes.get(self.at)?;
            self.at += 1;
            if shift < 64 {
                value |= u64::from(byte & 0x7F) << shift;
            }
            if byte < 0x80 {
                return Some(value);
            }
        }
        None
    }

    /// A tag as protobuf's C++ parser reads it: at most five bytes, the
    /// value kept to its low 32 bits.
    fn tag(&mut self) -> Option<u32> {
        let mut value = 0u32;
        for i in 0..5 {
            let byte = *self.bytes.get(self.at)?;
            self.at += 1;
            value = value.wrapping_add(u32::from(byte & 0x7F).wrapping_shl(7 * i));
            if byte < 0x80 {
                return Some(value);
            }
        }
        None
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }

    /// Fields up to the end of input (`group` is `None`) or up to the end
    /// tag of group `group`. `depth` is how many more groups may open.
    fn fields(&mut self, group: Option<u32>, depth: i32) -> Option<Vec<(u32, Raw<'a>)>> {
        let mut fields = Vec::new();
        loop {
            if self.at >= self.bytes.len() {
                return if group.is_none() { Some(fields) } else { None };
            }
            let tag = self.tag()?;
            let (number, wire_type) = (tag >> 3, tag & 7);
            if number == 0 {
                return None;
            }
            let field = match wire_type {
                0 => Raw::Varint(self.varint()?),
                1 => Raw::Fixed64(u64::from_le_bytes(self.take(8)?.try_into().ok()?)),
                2 => {
                    let len = usize::try_from(self.varint()?).ok()?;
                    Raw::Len(self.take(len)?)
                }
                3 => {
                    if depth <= 0 {
                        return None;
                    }
                    Raw::Group(self.fields(Some(number), depth - 1)?)
                }
                4 => {
                    return if group == Some(number) {
                        Some(fields)
                    } else {
                        None
                    };
                }
                5 => Raw::Fixed32(u32::from_le_bytes(self.take(4)?.try_into().ok()?)),
                _ => return None,
            };
            fields.push((number, field));
        }
    }
}

/// Reads `bytes` as fields with no schema; groups may nest `depth` deep.
/// `None` when the bytes are not a protobuf message.
pub(crate) fn parse_raw(bytes: &[u8], depth: i32) -> Option<Vec<(u32, Raw<'_>)>> {
    Input { bytes, at: 0 }.fields(None, depth)
}

impl Raw<'_> {
    /// The owned wire value.
    pub(crate) fn to_wire(&self) -> WireValue {
        match self {
            Raw::Varint(v) => WireValue::Varint(*v),
            Raw::Fixed32(v) => WireValue::Fixed32(*v),
            Raw::Fixed64(v) => WireValue::Fixed64(*v),
            Raw::Len(b) => WireValue::Bytes(b.to_vec()),
            Raw::Group(fields) => {
                WireValue::Group(fields.iter().map(|(n, f)| (*n, f.to_wire())).collect())
            }
        }
    }
}

fn pad(indent: usize) -> String {
    "  ".repeat(indent)
}

fn print_len(number: u32, value: &[u8], budget: i32, indent: usize, out: &mut String) {
    let pad = pad(indent);
    let nested = if !value.is_empty() && budget > 0 {
        parse_raw(value, budget)
    } else {
        None
    };
    let _ = match nested {
        Some(nested) => {
            let _ = writeln!(out, "{pad}{number} {{");
            print_raw(&nested, budget - 1, indent + 1, out);
            writeln!(out, "{pad}}}")
        }
        None => writeln!(out, "{pad}{number}: \"{}\"", c_escape(value)),
    };
}

fn print_raw(fields: &[(u32, Raw<'_>)], budget: i32, indent: usize, out: &mut String) {
    let pad = pad(indent);
    for (number, field) in fields {
        let _ = match field {
            Raw::Varint(v) => writeln!(out, "{pad}{number}: {v}"),
            Raw::Fixed32(v) => writeln!(out, "{pad}{number}: 0x{v:08x}"),
            Raw::Fixed64(v) => writeln!(out, "{pad}{number}: 0x{v:016x}"),
            Raw::Len(value) => {
                print_len(*number, value, budget, indent, out);
                Ok(())
            }
            Raw::Group(inner) => {
                let _ = writeln!(out, "{pad}{number} {{");
                print_raw(inner, budget - 1, indent + 1, out);
                writeln!(out, "{pad}}}")
            }
        };
    }
}

/// Prints owned unknown fields (the unknown part of a decoded message).
pub(crate) fn print_fields(
    fields: &[(u32, WireValue)],
    budget: i32,
    indent: usize,
    out: &mut String,
) {
    let pad = pad(indent);
    for (number, field) in fields {
        let _ = match field {
            WireValue::Varint(v) => writeln!(out, "{pad}{number}: {v}"),
            WireValue::Fixed32(v) => writeln!(out, "{pad}{number}: 0x{v:08x}"),
            WireValue::Fixed64(v) => writeln!(out, "{pad}{number}: 0x{v:016x}"),
            WireValue::Bytes(value) => {
                print_len(*number, value, budget, indent, out);
                Ok(())
            }
            WireValue::Group(inner) => {
                let _ = writeln!(out, "{pad}{number} {{");
                print_fields(inner, budget - 1, indent + 1, out);
                writeln!(out, "{pad}}}")
            }
        };
    }
}

/// protoc's `--decode_raw`: the text for any bytes read as a message with
/// no known fields, or `None` when they are not a protobuf message (protoc
/// then says "Failed to parse input.").
pub fn print_unknown(bytes: &[u8]) -> Option<String> {
    let fields = parse_raw(bytes, MAX_GROUP_DEPTH)?;
    let mut out = String::new();
    print_raw(&fields, super::UNKNOWN_RECURSION_BUDGET, 0, &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wire_type() {
        // 1: 150, 2: "testing" (not a message), 3 { 1: 1 }, 4: fixed64, 5: fixed32, group 6.
        let input = b"\x08\x96\x01\x12\x07testing\x1a\x02\x08\x01\
                      \x21\x01\x00\x00\x00\x00\x00\x00\x00\x2d\xff\xff\xff\xff\
                      \x33\x08\x02\x34";
        assert_eq!(
            print_unknown(input).as_deref(),
            Some(
                "1: 150\n2: \"testing\"\n3 {\n  1: 1\n}\n4: 0x0000000000000001\n\
                 5: 0xffffffff\n6 {\n  1: 2\n}\n"
            )
        );
        assert_eq!(print_unknown(b"\x12\x00").as_deref(), Some("2: \"\"\n"));
        assert_eq!(print_unknown(b"").as_deref(), Some(""));
        assert_eq!(print_unknown(b"\x08"), None);
        assert_eq!(print_unknown(b"\x34"), None);
    }
}
