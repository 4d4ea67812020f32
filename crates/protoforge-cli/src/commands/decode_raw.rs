//! `--decode_raw`: print any protobuf message read from stdin as numbered
//! fields, in protoc's text format for unknown fields.
//!
//! The input is parsed as a message with no known fields (groups may nest
//! [`MAX_GROUP_DEPTH`] deep, protobuf's default recursion limit). Printing
//! follows protoc: varints in decimal, fixed32 and fixed64 as zero-padded
//! hex, groups as `N { … }`, and a length-delimited value as a nested
//! message when it parses as one (with a shrinking budget of
//! [`PRINT_RECURSION_BUDGET`] levels), otherwise as a C-escaped string.
//! Two spaces of indentation per level.

use std::fmt::Write as _;

use crate::plugin::codec::c_escape;

/// How deep groups may nest in the input.
pub(crate) const MAX_GROUP_DEPTH: i32 = 100;
/// How many levels of length-delimited values are tried as messages
/// (protoc's `kUnknownFieldRecursionLimit`).
pub(crate) const PRINT_RECURSION_BUDGET: i32 = 10;

/// One field of a message with no schema.
#[derive(Debug, PartialEq, Eq)]
enum Field<'a> {
    Varint(u64),
    Fixed32(u32),
    Fixed64(u64),
    Len(&'a [u8]),
    Group(Vec<(u32, Field<'a>)>),
}

struct Input<'a> {
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
    fn fields(&mut self, group: Option<u32>, depth: i32) -> Option<Vec<(u32, Field<'a>)>> {
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
                0 => Field::Varint(self.varint()?),
                1 => Field::Fixed64(u64::from_le_bytes(self.take(8)?.try_into().ok()?)),
                2 => {
                    let len = usize::try_from(self.varint()?).ok()?;
                    Field::Len(self.take(len)?)
                }
                3 => {
                    if depth <= 0 {
                        return None;
                    }
                    Field::Group(self.fields(Some(number), depth - 1)?)
                }
                4 => {
                    return if group == Some(number) {
                        Some(fields)
                    } else {
                        None
                    };
                }
                5 => Field::Fixed32(u32::from_le_bytes(self.take(4)?.try_into().ok()?)),
                _ => return None,
            };
            fields.push((number, field));
        }
    }
}

fn parse(bytes: &[u8], depth: i32) -> Option<Vec<(u32, Field<'_>)>> {
    Input { bytes, at: 0 }.fields(None, depth)
}

fn print(fields: &[(u32, Field<'_>)], budget: i32, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    for (number, field) in fields {
        let _ = match field {
            Field::Varint(v) => writeln!(out, "{pad}{number}: {v}"),
            Field::Fixed32(v) => writeln!(out, "{pad}{number}: 0x{v:08x}"),
            Field::Fixed64(v) => writeln!(out, "{pad}{number}: 0x{v:016x}"),
            Field::Len(value) => {
                let nested = if !value.is_empty() && budget > 0 {
                    parse(value, budget)
                } else {
                    None
                };
                match nested {
                    Some(nested) => {
                        let _ = writeln!(out, "{pad}{number} {{");
                        print(&nested, budget - 1, indent + 1, out);
                        writeln!(out, "{pad}}}")
                    }
                    None => writeln!(out, "{pad}{number}: \"{}\"", c_escape(value)),
                }
            }
            Field::Group(inner) => {
                let _ = writeln!(out, "{pad}{number} {{");
                print(inner, budget - 1, indent + 1, out);
                writeln!(out, "{pad}}}")
            }
        };
    }
}

/// The text for `input`, or `None` when it is not a protobuf message
/// (protoc then says "Failed to parse input.").
pub(crate) fn decode_raw(input: &[u8]) -> Option<String> {
    let fields = parse(input, MAX_GROUP_DEPTH)?;
    let mut out = String::new();
    print(&fields, PRINT_RECURSION_BUDGET, 0, &mut out);
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
            decode_raw(input).as_deref(),
            Some(
                "1: 150\n2: \"testing\"\n3 {\n  1: 1\n}\n4: 0x0000000000000001\n\
                 5: 0xffffffff\n6 {\n  1: 2\n}\n"
            )
        );
        assert_eq!(decode_raw(b"\x12\x00").as_deref(), Some("2: \"\"\n"));
        assert_eq!(decode_raw(b"").as_deref(), Some(""));
        assert_eq!(decode_raw(b"\x08"), None);
        assert_eq!(decode_raw(b"\x34"), None);
    }
}
