//! Unknown fields: the raw bytes of every field a message's schema does not
//! know (or knows with another wire type), kept in input order and
//! re-emitted byte for byte after the known fields.

use std::fmt;

use crate::decode::{DecodeOptions, Decoder};
use crate::encode::{Writer, put_varint};
use crate::error::DecodeError;
use crate::wire::{WireType, tag, tag_number, varint_len};

/// The unknown fields of one message, as the raw bytes of each field (tag
/// and value, a group's bytes up to and including its end tag), in the order
/// they were read.
///
/// Boxed, and absent while empty: every generated message carries one, so
/// it costs one word in messages that have no unknown fields (most), which
/// keeps messages small to move, build and drop. Invariant: never
/// `Some` of an empty vector, so the derived comparisons hold.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct UnknownFields {
    // One word, not three, in every message: the extra allocation only
    // happens for messages that do have unknown fields.
    #[allow(clippy::box_collection)]
    raw: Option<Box<Vec<u8>>>,
}

impl UnknownFields {
    /// No unknown fields.
    pub const fn new() -> UnknownFields {
        UnknownFields { raw: None }
    }

    /// True when there are none.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.raw.is_none()
    }

    /// The fields' bytes, exactly as they will be encoded.
    pub fn as_bytes(&self) -> &[u8] {
        self.raw.as_deref().map(Vec::as_slice).unwrap_or_default()
    }

    /// Drops every unknown field.
    pub fn clear(&mut self) {
        self.raw = None;
    }

    /// The bytes, to append to (appends are never empty, which keeps the
    /// invariant).
    #[inline]
    fn raw_mut(&mut self) -> &mut Vec<u8> {
        self.raw.get_or_insert_with(Box::default)
    }

    /// Appends one field's raw bytes (tag included).
    #[inline]
    pub(crate) fn push_raw(&mut self, field: &[u8]) {
        if !field.is_empty() {
            self.raw_mut().extend_from_slice(field);
        }
    }

    /// Appends a varint field, as C++ does for a closed enum's unknown value
    /// (the value sign-extended to 64 bits).
    pub fn push_varint(&mut self, number: u32, value: u64) {
        let raw = self.raw_mut();
        put_varint(raw, u64::from(tag(number, WireType::Varint)));
        put_varint(raw, value);
    }

    /// Appends a length-delimited field.
    pub fn push_len(&mut self, number: u32, value: &[u8]) {
        let raw = self.raw_mut();
        put_varint(raw, u64::from(tag(number, WireType::Len)));
        put_varint(raw, value.len() as u64);
        raw.extend_from_slice(value);
    }

    /// The encoded length.
    #[inline]
    pub fn encoded_len(&self) -> usize {
        self.raw.as_deref().map_or(0, Vec::len)
    }

    /// Writes the fields.
    #[inline]
    pub fn write(&self, w: &mut Writer<'_>) {
        if let Some(raw) = &self.raw {
            w.put_slice(raw);
        }
    }

    /// The fields, parsed.
    pub fn iter(&self) -> UnknownFieldsIter<'_> {
        UnknownFieldsIter {
            raw: self.as_bytes(),
            pos: 0,
        }
    }
}

/// One unknown field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownField<'a> {
    /// The field number.
    pub number: u32,
    /// The value.
    pub value: UnknownValue<'a>,
}

/// The value of an unknown field, by wire type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownValue<'a> {
    /// A varint.
    Varint(u64),
    /// Eight bytes, as a little-endian integer.
    Fixed64(u64),
    /// Four bytes, as a little-endian integer.
    Fixed32(u32),
    /// A length-delimited payload (without its length).
    Len(&'a [u8]),
    /// A group: the bytes between its start and end tags.
    Group(&'a [u8]),
}

/// Iterator over [`UnknownFields::iter`].
#[derive(Debug)]
pub struct UnknownFieldsIter<'a> {
    raw: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for UnknownFieldsIter<'a> {
    type Item = UnknownField<'a>;

    fn next(&mut self) -> Option<UnknownField<'a>> {
        let rest = self.raw.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        // The bytes were validated when they were stored; a failure here
        // ends the iteration.
        let options = DecodeOptions::new();
        let mut d = Decoder::new(rest, &options);
        let field_tag = d.read_tag().ok()?;
        let number = tag_number(field_tag);
        let value = match WireType::from_tag(field_tag)? {
            WireType::Varint => UnknownValue::Varint(d.read_varint().ok()?),
            WireType::Fixed64 => UnknownValue::Fixed64(d.read_fixed64().ok()?),
            WireType::Fixed32 => UnknownValue::Fixed32(d.read_fixed32().ok()?),
            WireType::Len => UnknownValue::Len(d.read_slice().ok()?),
            WireType::StartGroup => {
                let start = d.position();
                d.skip(field_tag).ok()?;
                let end_tag_len = varint_len(u64::from(tag(number, WireType::EndGroup)));
                let body = d.since(start);
                UnknownValue::Group(body.get(..body.len().saturating_sub(end_tag_len))?)
            }
            WireType::EndGroup => return None,
        };
        self.pos += d.position();
        Some(UnknownField { number, value })
    }
}

impl fmt::Debug for UnknownFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Decodes `bytes` as a sequence of fields and checks that they parse
/// (used by tests and by [`UnknownFields::from_bytes`]).
fn validate(bytes: &[u8]) -> Result<(), DecodeError> {
    let options = DecodeOptions::new();
    let mut d = Decoder::new(bytes, &options);
    while !d.at_end() {
        let field_tag = d.read_tag()?;
        d.skip(field_tag)?;
    }
    Ok(())
}

impl UnknownFields {
    /// Unknown fields from raw encoded fields, checked to parse as a
    /// sequence of complete fields.
    pub fn from_bytes(bytes: &[u8]) -> Result<UnknownFields, DecodeError> {
        validate(bytes)?;
        Ok(UnknownFields {
            raw: (!bytes.is_empty()).then(|| Box::new(bytes.to_vec())),
        })
    }
}
