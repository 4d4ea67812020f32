//! The decoder's documented bounds, as named constants. Each can be changed
//! per call through [`DecodeOptions`](crate::DecodeOptions) where it says so.

/// How deep messages and groups may nest below the top-level message while
/// decoding: 100, as in C++ (`io::CodedInputStream`) and upb. Override with
/// [`DecodeOptions::recursion_limit`](crate::DecodeOptions::recursion_limit).
pub const RECURSION_LIMIT: u32 = 100;

/// The largest length prefix accepted: 2 GiB - 1, as C++ (`ReadSize` rejects
/// anything above `INT_MAX`). Lengths are also checked against the bytes
/// actually left, so this only matters for huge inputs.
pub const MAX_LENGTH: usize = i32::MAX as usize;

/// The longest varint (10 bytes: 64 bits, 7 per byte). An eleventh byte is
/// an [`OverlongVarint`](crate::DecodeErrorKind::OverlongVarint) error.
pub const MAX_VARINT_LEN: usize = 10;

/// The longest tag varint (5 bytes: 32 bits), as C++ and upb.
pub const MAX_TAG_LEN: usize = 5;
