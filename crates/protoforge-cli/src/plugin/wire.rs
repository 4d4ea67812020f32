//! Just enough of the protobuf wire format for the plugin protocol.
//!
//! The CLI builds `CodeGeneratorRequest` from descriptor bytes the compiler
//! already encoded, and reads `CodeGeneratorResponse` and
//! `GeneratedCodeInfo`; that needs varints, length-delimited fields and a
//! reader that skips unknown fields the way protobuf's C++ parser does (and
//! refuses what it refuses: a truncated field, field number 0, wire types 6
//! and 7, an end-group tag with no matching start). Nothing here knows the
//! messages; [`super::codec`] does.

/// The wire types.
pub(crate) const VARINT: u32 = 0;
pub(crate) const FIXED64: u32 = 1;
pub(crate) const LEN: u32 = 2;
pub(crate) const START_GROUP: u32 = 3;
pub(crate) const END_GROUP: u32 = 4;
pub(crate) const FIXED32: u32 = 5;

/// Groups nested deeper than this are refused, as protobuf's default
/// recursion limit refuses them.
pub(crate) const MAX_GROUP_DEPTH: u32 = 100;

/// Appends protobuf fields to a buffer.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub(crate) bytes: Vec<u8>,
}

impl Writer {
    pub(crate) fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.bytes.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.bytes.push(value as u8);
    }

    pub(crate) fn tag(&mut self, field: u32, wire_type: u32) {
        self.varint(u64::from(field << 3 | wire_type));
    }

    /// An `int32` field: negative values are sign-extended to ten bytes.
    pub(crate) fn int32(&mut self, field: u32, value: i32) {
        self.tag(field, VARINT);
        self.varint(i64::from(value) as u64);
    }

    pub(crate) fn bytes(&mut self, field: u32, value: &[u8]) {
        self.tag(field, LEN);
        self.varint(value.len() as u64);
        self.bytes.extend_from_slice(value);
    }
}

/// One field as read: its number and value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    Len(&'a [u8]),
    /// A group (its contents were checked and skipped).
    Group,
}

/// Why bytes are not a valid message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Malformed;

/// One field as read: its number, its value and its raw bytes (tag included).
pub(crate) type RawField<'a> = (u32, Value<'a>, &'a [u8]);

/// Reads the fields of one message, in order.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    fn varint(&mut self) -> Result<u64, Malformed> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let byte = *self.bytes.get(self.at).ok_or(Malformed)?;
            self.at += 1;
            if shift < 64 {
                value |= u64::from(byte & 0x7F) << shift;
            }
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(Malformed)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        let end = self.at.checked_add(n).ok_or(Malformed)?;
        let slice = self.bytes.get(self.at..end).ok_or(Malformed)?;
        self.at = end;
        Ok(slice)
    }

    /// A tag as protobuf's C++ parser reads it: at most five bytes, the
    /// value kept to its low 32 bits.
    fn tag(&mut self) -> Result<(u32, u32), Malformed> {
        let mut tag = 0u32;
        let mut complete = false;
        for i in 0..5 {
            let byte = *self.bytes.get(self.at).ok_or(Malformed)?;
            self.at += 1;
            tag = tag.wrapping_add(u32::from(byte & 0x7F).wrapping_shl(7 * i));
            if byte < 0x80 {
                complete = true;
                break;
            }
        }
        if !complete {
            return Err(Malformed);
        }
        let (field, wire_type) = (tag >> 3, tag & 7);
        if field == 0 {
            return Err(Malformed);
        }
        Ok((field, wire_type))
    }

    /// Skips the body of group `field` up to its end tag.
    fn skip_group(&mut self, field: u32, depth: u32) -> Result<(), Malformed> {
        if depth > MAX_GROUP_DEPTH {
            return Err(Malformed);
        }
        loop {
            let (inner, wire_type) = self.tag()?;
            if wire_type == END_GROUP {
                return if inner == field {
                    Ok(())
                } else {
                    Err(Malformed)
                };
            }
            self.value(inner, wire_type, depth + 1)?;
        }
    }

    fn value(&mut self, field: u32, wire_type: u32, depth: u32) -> Result<Value<'a>, Malformed> {
        Ok(match wire_type {
            VARINT => Value::Varint(self.varint()?),
            FIXED64 => {
                let b = self.take(8)?;
                Value::Fixed64(u64::from_le_bytes(b.try_into().map_err(|_| Malformed)?))
            }
            LEN => {
                let len = usize::try_from(self.varint()?).map_err(|_| Malformed)?;
                Value::Len(self.take(len)?)
            }
            START_GROUP => {
                self.skip_group(field, depth)?;
                Value::Group
            }
            FIXED32 => {
                let b = self.take(4)?;
                Value::Fixed32(u32::from_le_bytes(b.try_into().map_err(|_| Malformed)?))
            }
            _ => return Err(Malformed),
        })
    }

    /// The next field, `None` at the end, or an error for malformed bytes.
    /// Also returns the field's raw bytes (tag included) for callers that
    /// keep unknown fields.
    pub(crate) fn next_raw(&mut self) -> Result<Option<RawField<'a>>, Malformed> {
        if self.at >= self.bytes.len() {
            return Ok(None);
        }
        let start = self.at;
        let (field, wire_type) = self.tag()?;
        if wire_type == END_GROUP {
            // An end tag with no group open.
            return Err(Malformed);
        }
        let value = self.value(field, wire_type, 0)?;
        Ok(Some((field, value, &self.bytes[start..self.at])))
    }

    /// The next field, `None` at the end.
    pub(crate) fn next(&mut self) -> Result<Option<(u32, Value<'a>)>, Malformed> {
        Ok(self.next_raw()?.map(|(field, value, _)| (field, value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(bytes: &[u8]) -> Result<Vec<(u32, Value<'_>)>, Malformed> {
        let mut reader = Reader::new(bytes);
        let mut out = Vec::new();
        while let Some(field) = reader.next()? {
            out.push(field);
        }
        Ok(out)
    }

    #[test]
    fn round_trip() {
        let mut w = Writer::default();
        w.int32(1, -1);
        w.bytes(15, b"abc");
        w.tag(2, VARINT);
        w.varint(300);
        assert_eq!(w.bytes.len(), 1 + 10 + 1 + 1 + 3 + 1 + 2);
        assert_eq!(
            fields(&w.bytes),
            Ok(vec![
                (1, Value::Varint(u64::MAX)),
                (15, Value::Len(b"abc")),
                (2, Value::Varint(300)),
            ])
        );
    }

    #[test]
    fn malformed_input_is_refused() {
        for bytes in [
            &[0x08][..],         // varint missing
            &[0x0A, 0x05, 0x61], // length past the end
            &[0x00, 0x00],       // field 0
            &[0x0E],             // wire type 6
            &[0x0C],             // end group with none open
            &[0x0B, 0x14],       // group 1 closed as group 2
            &[0x0B],             // group never closed
            &[
                0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
            ], // 11-byte varint
        ] {
            assert_eq!(fields(bytes), Err(Malformed), "{bytes:x?}");
        }
        assert_eq!(
            fields(&[0x0B, 0x10, 0x01, 0x0C]),
            Ok(vec![(1, Value::Group)])
        );
        assert_eq!(fields(&[]), Ok(vec![]));
    }
}
