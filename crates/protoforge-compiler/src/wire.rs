//! A small protobuf wire-format writer and reader, enough to write and read
//! `descriptor.proto` messages and option values.
//!
//! The compiler cannot depend on the `protoforge` runtime (the runtime's
//! descriptor types are generated from what this crate produces), so it
//! carries its own few dozen lines of varints and tags. Reading never panics:
//! malformed input gives `None`.

/// Wire type of a varint.
pub(crate) const VARINT: u8 = 0;
/// Wire type of a 64-bit fixed value.
pub(crate) const FIXED64: u8 = 1;
/// Wire type of a length-delimited value.
pub(crate) const LEN: u8 = 2;
/// Wire type of a group start.
pub(crate) const START_GROUP: u8 = 3;
/// Wire type of a group end.
pub(crate) const END_GROUP: u8 = 4;
/// Wire type of a 32-bit fixed value.
pub(crate) const FIXED32: u8 = 5;

/// Deepest group nesting the reader follows before giving up (as the C++
/// parser's recursion limit).
pub(crate) const MAX_GROUP_DEPTH: usize = 100;

/// Appends `value` as a varint.
pub(crate) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Appends a tag.
pub(crate) fn put_tag(out: &mut Vec<u8>, number: u32, wire_type: u8) {
    put_varint(out, (u64::from(number) << 3) | u64::from(wire_type));
}

/// Appends a length-delimited field.
pub(crate) fn put_bytes(out: &mut Vec<u8>, number: u32, bytes: &[u8]) {
    put_tag(out, number, LEN);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Appends a varint field holding a signed 32-bit value (sign-extended, as
/// protobuf encodes `int32`).
pub(crate) fn put_int32(out: &mut Vec<u8>, number: u32, value: i32) {
    put_tag(out, number, VARINT);
    put_varint(out, i64::from(value) as u64);
}

/// Appends a varint field.
pub(crate) fn put_uint(out: &mut Vec<u8>, number: u32, value: u64) {
    put_tag(out, number, VARINT);
    put_varint(out, value);
}

/// Appends a `bool` field.
pub(crate) fn put_bool(out: &mut Vec<u8>, number: u32, value: bool) {
    put_uint(out, number, u64::from(value));
}

/// Appends a length-delimited field whose contents `body` writes, in place:
/// one byte is kept for the length (enough below 128 bytes, the common
/// case for descriptor parts), and a longer length moves the contents up.
/// No buffer is allocated for the contents.
pub(crate) fn put_message(out: &mut Vec<u8>, number: u32, body: impl FnOnce(&mut Vec<u8>)) {
    put_tag(out, number, LEN);
    let at = out.len();
    out.push(0);
    body(out);
    let len = out.len() - at - 1;
    if len < 0x80 {
        out[at] = len as u8;
        return;
    }
    let mut prefix = [0u8; 10];
    let mut n = 0;
    let mut value = len as u64;
    while value >= 0x80 {
        prefix[n] = (value as u8) | 0x80;
        value >>= 7;
        n += 1;
    }
    prefix[n] = value as u8;
    out.splice(at..at + 1, prefix[..=n].iter().copied());
}

/// The size of `value` as a varint.
pub(crate) fn varint_len(value: u64) -> usize {
    let bits = 64 - (value | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// A value as it appears on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum WireValue {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64(u64),
    /// Wire type 2.
    Bytes(Vec<u8>),
    /// Wire type 3 … 4, with the fields inside.
    Group(Vec<(u32, WireValue)>),
    /// Wire type 5.
    Fixed32(u32),
}

/// Appends one field.
pub(crate) fn put_value(out: &mut Vec<u8>, number: u32, value: &WireValue) {
    match value {
        WireValue::Varint(v) => put_uint(out, number, *v),
        WireValue::Fixed64(v) => {
            put_tag(out, number, FIXED64);
            out.extend_from_slice(&v.to_le_bytes());
        }
        WireValue::Fixed32(v) => {
            put_tag(out, number, FIXED32);
            out.extend_from_slice(&v.to_le_bytes());
        }
        WireValue::Bytes(b) => put_bytes(out, number, b),
        WireValue::Group(fields) => {
            put_tag(out, number, START_GROUP);
            for (n, v) in fields {
                put_value(out, *n, v);
            }
            put_tag(out, number, END_GROUP);
        }
    }
}

/// Appends a list of fields.
pub(crate) fn put_fields(out: &mut Vec<u8>, fields: &[(u32, WireValue)]) {
    for (number, value) in fields {
        put_value(out, *number, value);
    }
}

/// A cursor over wire-format bytes.
#[derive(Clone, Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    /// Whether everything was read.
    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// Reads a varint.
    pub(crate) fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.pos)?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Some(value);
            }
        }
        None
    }

    /// Reads one raw byte.
    pub(crate) fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(len)?;
        let slice = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(slice)
    }

    /// Reads a tag: field number and wire type.
    pub(crate) fn tag(&mut self) -> Option<(u32, u8)> {
        let tag = self.varint()?;
        let number = u32::try_from(tag >> 3).ok()?;
        if number == 0 {
            return None;
        }
        Some((number, (tag & 7) as u8))
    }

    /// Reads the next field, or `None` at the end or on malformed input.
    pub(crate) fn field(&mut self) -> Option<(u32, FieldValue<'a>)> {
        if self.at_end() {
            return None;
        }
        let (number, wire_type) = self.tag()?;
        let value = match wire_type {
            VARINT => FieldValue::Varint(self.varint()?),
            FIXED64 => {
                let b = self.take(8)?;
                FieldValue::Fixed64(u64::from_le_bytes(b.try_into().ok()?))
            }
            LEN => {
                let len = usize::try_from(self.varint()?).ok()?;
                FieldValue::Bytes(self.take(len)?)
            }
            START_GROUP => {
                let start = self.pos;
                self.skip_group(number, 0)?;
                // The group body excludes the end tag.
                let end_tag_len = varint_len((u64::from(number) << 3) | u64::from(END_GROUP));
                FieldValue::Group(&self.bytes[start..self.pos - end_tag_len])
            }
            FIXED32 => {
                let b = self.take(4)?;
                FieldValue::Fixed32(u32::from_le_bytes(b.try_into().ok()?))
            }
            _ => return None,
        };
        Some((number, value))
    }

    fn skip_group(&mut self, number: u32, depth: usize) -> Option<()> {
        if depth > MAX_GROUP_DEPTH {
            return None;
        }
        loop {
            let (n, wire_type) = self.tag()?;
            match wire_type {
                VARINT => {
                    self.varint()?;
                }
                FIXED64 => {
                    self.take(8)?;
                }
                LEN => {
                    let len = usize::try_from(self.varint()?).ok()?;
                    self.take(len)?;
                }
                START_GROUP => self.skip_group(n, depth + 1)?,
                END_GROUP => return (n == number).then_some(()),
                FIXED32 => {
                    self.take(4)?;
                }
                _ => return None,
            }
        }
    }
}

/// A field's value borrowed from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldValue<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64(u64),
    /// Wire type 2.
    Bytes(&'a [u8]),
    /// Wire type 3: the bytes between the start and end tags.
    Group(&'a [u8]),
    /// Wire type 5.
    Fixed32(u32),
}

impl FieldValue<'_> {
    /// The value as an owned [`WireValue`] (groups parsed into fields).
    pub(crate) fn to_owned(self) -> Option<WireValue> {
        Some(match self {
            FieldValue::Varint(v) => WireValue::Varint(v),
            FieldValue::Fixed64(v) => WireValue::Fixed64(v),
            FieldValue::Fixed32(v) => WireValue::Fixed32(v),
            FieldValue::Bytes(b) => WireValue::Bytes(b.to_vec()),
            FieldValue::Group(b) => WireValue::Group(parse_fields(b)?),
        })
    }
}

/// Parses `bytes` into a list of fields.
pub(crate) fn parse_fields(bytes: &[u8]) -> Option<Vec<(u32, WireValue)>> {
    let mut reader = Reader::new(bytes);
    let mut out = Vec::new();
    while !reader.at_end() {
        let (number, value) = reader.field()?;
        out.push((number, value.to_owned()?));
    }
    Some(out)
}

/// Encodes a signed value with ZigZag.
pub(crate) fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        for value in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, value);
            assert_eq!(out.len(), varint_len(value));
            assert_eq!(Reader::new(&out).varint(), Some(value));
        }
    }

    #[test]
    fn groups_parse_into_fields() {
        let mut out = Vec::new();
        put_value(
            &mut out,
            3,
            &WireValue::Group(vec![
                (1, WireValue::Varint(5)),
                (2, WireValue::Bytes(b"x".to_vec())),
            ]),
        );
        put_uint(&mut out, 4, 9);
        let fields = parse_fields(&out).expect("valid");
        assert_eq!(fields.len(), 2);
        assert_eq!(
            fields[0].1,
            WireValue::Group(vec![
                (1, WireValue::Varint(5)),
                (2, WireValue::Bytes(b"x".to_vec()))
            ])
        );
        assert_eq!(parse_fields(&[0x0b]), None, "unterminated group");
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(i64::MIN), u64::MAX);
    }
}
