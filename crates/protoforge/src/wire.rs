//! The protobuf wire format's vocabulary: wire types, tags, varint lengths and
//! zigzag, shared by the encoder and the decoder.

/// The six wire types (three bits of every tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum WireType {
    /// Base-128 varint (int32, int64, uint32, uint64, sint32, sint64, bool, enum).
    Varint = 0,
    /// Eight little-endian bytes (fixed64, sfixed64, double).
    Fixed64 = 1,
    /// A varint length and that many bytes (string, bytes, messages, packed).
    Len = 2,
    /// The start of a group (proto2 groups, editions `DELIMITED`).
    StartGroup = 3,
    /// The end of a group.
    EndGroup = 4,
    /// Four little-endian bytes (fixed32, sfixed32, float).
    Fixed32 = 5,
}

impl WireType {
    /// The wire type in the low three bits of `tag`, or `None` for 6 and 7.
    #[inline]
    pub const fn from_tag(tag: u32) -> Option<WireType> {
        match tag & 7 {
            0 => Some(WireType::Varint),
            1 => Some(WireType::Fixed64),
            2 => Some(WireType::Len),
            3 => Some(WireType::StartGroup),
            4 => Some(WireType::EndGroup),
            5 => Some(WireType::Fixed32),
            _ => None,
        }
    }
}

/// The largest field number (2^29 - 1).
pub const MAX_FIELD_NUMBER: u32 = (1 << 29) - 1;

/// The tag of field `number` with `wire_type`.
#[inline]
pub const fn tag(number: u32, wire_type: WireType) -> u32 {
    (number << 3) | wire_type as u32
}

/// The field number of `tag`.
#[inline]
pub const fn tag_number(tag: u32) -> u32 {
    tag >> 3
}

/// The number of bytes of the varint encoding of `value` (1 to 10).
#[inline]
pub const fn varint_len(value: u64) -> usize {
    // 64 - lz significant bits, 7 per byte; `| 1` makes zero one byte.
    let bits = 64 - (value | 1).leading_zeros() as usize;
    (bits * 9 + 64) / 64
}

/// ZigZag-encodes a signed 32-bit value (sint32).
#[inline]
pub const fn zigzag32(value: i32) -> u32 {
    ((value << 1) ^ (value >> 31)) as u32
}

/// ZigZag-encodes a signed 64-bit value (sint64).
#[inline]
pub const fn zigzag64(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// Decodes a ZigZag-encoded sint32.
#[inline]
pub const fn unzigzag32(value: u32) -> i32 {
    ((value >> 1) as i32) ^ -((value & 1) as i32)
}

/// Decodes a ZigZag-encoded sint64.
#[inline]
pub const fn unzigzag64(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_len_matches_the_encoding() {
        for (value, len) in [
            (0u64, 1),
            (127, 1),
            (128, 2),
            (16_383, 2),
            (16_384, 3),
            ((1 << 35) - 1, 5),
            (1 << 35, 6),
            (1 << 63, 10),
            (u64::MAX, 10),
        ] {
            assert_eq!(varint_len(value), len, "{value}");
        }
    }

    #[test]
    fn zigzag_round_trips() {
        for v in [0i32, -1, 1, -2, i32::MAX, i32::MIN] {
            assert_eq!(unzigzag32(zigzag32(v)), v);
        }
        assert_eq!(zigzag32(-1), 1);
        assert_eq!(zigzag32(1), 2);
        assert_eq!(zigzag32(i32::MIN), u32::MAX);
        for v in [0i64, -1, 1, i64::MAX, i64::MIN] {
            assert_eq!(unzigzag64(zigzag64(v)), v);
        }
        assert_eq!(zigzag64(i64::MIN), u64::MAX);
    }
}
