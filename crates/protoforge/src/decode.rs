//! The decoder: a cursor over the input with the current message's end, the
//! remaining recursion budget and, for `Bytes` input, the buffer that `bytes`
//! fields slice without copying.
//!
//! Every read checks the bytes left before it reads, so no input can make the
//! decoder read out of bounds or panic, and no allocation is larger than the
//! bytes that justify it: a length prefix is checked against the bytes left
//! in its enclosing message before anything is reserved.

use bytes::Bytes;

use crate::error::{DecodeError, DecodeErrorKind};
use crate::limits;
use crate::message::Message;
use crate::unknown::UnknownFields;
use crate::wire::{WireType, tag_number};

/// Per-call decoding options.
///
/// ```
/// use protoforge::{DecodeOptions, Message, wkt::Duration};
/// let options = DecodeOptions::new().recursion_limit(10);
/// let d = Duration::decode_with(&[0x08, 0x05], &options).unwrap();
/// assert_eq!(d.seconds, 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    recursion_limit: u32,
    check_required: bool,
}

impl Default for DecodeOptions {
    fn default() -> DecodeOptions {
        DecodeOptions::new()
    }
}

impl DecodeOptions {
    /// The defaults: [`limits::RECURSION_LIMIT`], required fields checked.
    pub const fn new() -> DecodeOptions {
        DecodeOptions {
            recursion_limit: limits::RECURSION_LIMIT,
            check_required: true,
        }
    }

    /// How deep messages and groups may nest below the top-level message
    /// (C++ and upb count the same way: the default 100 accepts 100 levels of
    /// submessages and rejects 101).
    pub const fn recursion_limit(mut self, limit: u32) -> DecodeOptions {
        self.recursion_limit = limit;
        self
    }

    /// Whether decoding fails when a required field is missing after the
    /// whole input is read (default true, like C++'s `ParseFromString`;
    /// false is C++'s `ParsePartialFromString`).
    pub const fn check_required(mut self, check: bool) -> DecodeOptions {
        self.check_required = check;
        self
    }

    pub(crate) const fn checks_required(&self) -> bool {
        self.check_required
    }
}

/// A cursor over protobuf-encoded input. Generated code receives one in
/// [`Message::merge_field`] and hands it to the `__private` helpers; users
/// decode through [`Message::decode`] and friends instead.
///
/// `buf` always ends where the message being read ends: entering a
/// submessage or a packed run narrows it and leaving restores it. So every
/// read checks one bound (the slice's length), and the check the field
/// loop makes to continue is the same one that fetches the tag's byte.
#[derive(Debug)]
pub struct Decoder<'a> {
    /// The input, from its start to the end of the current message.
    buf: &'a [u8],
    /// The read position in `buf`; never past `buf.len()`.
    pos: usize,
    /// Nesting levels still allowed.
    depth: u32,
    /// The open group's field number, or 0 outside groups.
    group: u32,
    /// The whole input, when it is a `Bytes` (same offsets as `buf`).
    source: Option<&'a Bytes>,
    /// Where the tag being handled began.
    tag_start: usize,
}

impl<'a> Decoder<'a> {
    /// A decoder over `buf`.
    pub fn new(buf: &'a [u8], options: &DecodeOptions) -> Decoder<'a> {
        Decoder {
            buf,
            pos: 0,
            depth: options.recursion_limit,
            group: 0,
            source: None,
            tag_start: 0,
        }
    }

    /// A decoder over a `Bytes` buffer: `bytes::Bytes` fields share it.
    pub fn from_bytes(buf: &'a Bytes, options: &DecodeOptions) -> Decoder<'a> {
        let mut d = Decoder::new(buf.as_ref(), options);
        d.source = Some(buf);
        d
    }

    /// Bytes left in the current message.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// True at the end of the current message.
    #[inline]
    pub fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// The position in the input, for raw-byte capture.
    #[inline]
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// The input bytes from `start` to the current position.
    #[inline]
    pub(crate) fn since(&self, start: usize) -> &'a [u8] {
        self.buf.get(start..self.pos).unwrap_or_default()
    }

    /// Reads a varint.
    #[inline(always)]
    pub fn read_varint(&mut self) -> Result<u64, DecodeError> {
        // One- and two-byte varints (values below 16384) inline; longer
        // ones word-at-a-time when eight bytes are left, else byte by byte.
        match *self.buf.get(self.pos..).unwrap_or_default() {
            [b0, ..] if b0 < 0x80 => {
                self.pos += 1;
                Ok(u64::from(b0))
            }
            [b0, b1, ..] if b1 < 0x80 => {
                self.pos += 2;
                Ok(u64::from(b0 & 0x7f) | (u64::from(b1) << 7))
            }
            _ => self.read_varint_long(),
        }
    }

    /// A varint of three bytes or more (or a truncated one).
    #[inline]
    fn read_varint_long(&mut self) -> Result<u64, DecodeError> {
        if let Some(Ok(word)) = self
            .buf
            .get(self.pos..self.pos.wrapping_add(8))
            .map(<[u8; 8]>::try_from)
        {
            let word = u64::from_le_bytes(word);
            let stops = !word & 0x8080_8080_8080_8080;
            if stops != 0 {
                let bits = stops.trailing_zeros() + 1;
                self.pos += bits as usize / 8;
                return Ok(join_7bit(word & (u64::MAX >> (64 - bits))));
            }
        }
        self.read_varint_slow()
    }

    #[inline(never)]
    fn read_varint_slow(&mut self) -> Result<u64, DecodeError> {
        let bytes = self.buf.get(self.pos..).unwrap_or_default();
        match decode_varint(bytes) {
            Ok((value, len)) => {
                self.pos += len;
                Ok(value)
            }
            Err(kind) => Err(DecodeError::new(kind)),
        }
    }

    /// Reads a varint and keeps its low 32 bits (int32, uint32, enums: C++
    /// truncates longer encodings the same way).
    #[inline(always)]
    pub fn read_varint32(&mut self) -> Result<u32, DecodeError> {
        self.read_varint().map(|v| v as u32)
    }

    /// Reads a tag: at most five bytes, a value that fits 32 bits, a non-zero
    /// field number and a wire type from 0 to 5.
    #[inline(always)]
    pub fn read_tag(&mut self) -> Result<u32, DecodeError> {
        if let Some(&b0) = self.buf.get(self.pos) {
            if (8..0x80).contains(&b0) && (b0 & 7) < 6 {
                self.pos += 1;
                return Ok(u32::from(b0));
            }
        }
        self.read_tag_slow()
    }

    /// Reads a tag of any length and checks it as [`Decoder::read_tag`].
    #[inline(never)]
    fn read_tag_slow(&mut self) -> Result<u32, DecodeError> {
        let bytes = self.buf.get(self.pos..).unwrap_or_default();
        let mut value = 0u64;
        let mut len = 0;
        for (i, &b) in bytes.iter().take(limits::MAX_TAG_LEN).enumerate() {
            value |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                len = i + 1;
                break;
            }
        }
        if len == 0 {
            return Err(if bytes.len() >= limits::MAX_TAG_LEN {
                DecodeError::new(DecodeErrorKind::OverlongVarint)
            } else {
                DecodeError::new(DecodeErrorKind::Truncated)
            });
        }
        let Ok(tag) = u32::try_from(value) else {
            return Err(DecodeError::with_detail(
                DecodeErrorKind::InvalidTag,
                format!("tag {value} does not fit 32 bits"),
            ));
        };
        check_tag(tag)?;
        self.pos += len;
        Ok(tag)
    }

    /// Reads `N` bytes.
    #[inline(always)]
    fn read_array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        if let Some(Ok(array)) = self
            .buf
            .get(self.pos..self.pos.wrapping_add(N))
            .map(<[u8; N]>::try_from)
        {
            self.pos += N;
            return Ok(array);
        }
        Err(DecodeError::new(DecodeErrorKind::Truncated))
    }

    /// Reads four little-endian bytes.
    #[inline(always)]
    pub fn read_fixed32(&mut self) -> Result<u32, DecodeError> {
        self.read_array::<4>().map(u32::from_le_bytes)
    }

    /// Reads eight little-endian bytes.
    #[inline(always)]
    pub fn read_fixed64(&mut self) -> Result<u64, DecodeError> {
        self.read_array::<8>().map(u64::from_le_bytes)
    }

    /// Reads a length prefix and checks it against the bytes left.
    #[inline(always)]
    pub fn read_len(&mut self) -> Result<usize, DecodeError> {
        let len = self.read_varint()?;
        let remaining = self.remaining();
        if len <= remaining as u64 && len <= limits::MAX_LENGTH as u64 {
            Ok(len as usize)
        } else {
            Err(Self::length_error(len, remaining))
        }
    }

    #[cold]
    #[inline(never)]
    fn length_error(len: u64, remaining: usize) -> DecodeError {
        DecodeError::with_detail(
            DecodeErrorKind::LengthPastEnd,
            format!("length {len} with {remaining} bytes left"),
        )
    }

    /// Reads a length-delimited payload as a slice of the input.
    #[inline(always)]
    pub fn read_slice(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.read_len()?;
        let start = self.pos;
        self.pos += len;
        Ok(self.buf.get(start..self.pos).unwrap_or_default())
    }

    /// Reads a length-delimited payload as `Bytes`: a slice of the input
    /// without copying when the input is a `Bytes`, a copy otherwise.
    #[inline]
    pub fn read_bytes(&mut self) -> Result<Bytes, DecodeError> {
        let len = self.read_len()?;
        let start = self.pos;
        self.pos += len;
        Ok(match self.source {
            Some(source) => source.slice(start..self.pos),
            None => Bytes::copy_from_slice(self.buf.get(start..self.pos).unwrap_or_default()),
        })
    }

    /// Reads a length-delimited string, checking UTF-8.
    #[inline]
    pub fn read_str(&mut self) -> Result<&'a str, DecodeError> {
        let slice = self.read_slice()?;
        std::str::from_utf8(slice).map_err(|_| DecodeError::new(DecodeErrorKind::InvalidUtf8))
    }

    /// The number of consecutive length-delimited fields with `tag` from
    /// here on, the one whose tag was just read included: what a repeated
    /// field or a map about to grow will hold, so it is reserved once
    /// (repeated fields are written contiguously by every encoder). Only
    /// counts values that are whole in the input, so what is reserved is
    /// justified by the input's bytes.
    pub(crate) fn count_run(&self, tag: u32) -> usize {
        let (tag_len, tag_bytes) = tag_encoding(tag);
        let mut pos = self.pos;
        let mut n = 0;
        loop {
            let rest = self.buf.get(pos..).unwrap_or_default();
            let (len, len_len) = match *rest {
                [b0, ..] if b0 < 0x80 => (usize::from(b0), 1),
                [b0, b1, ..] if b1 < 0x80 => (usize::from(b0 & 0x7f) | (usize::from(b1) << 7), 2),
                _ => match decode_varint(rest) {
                    Ok((len, len_len)) if len <= rest.len() as u64 => (len as usize, len_len),
                    _ => return n,
                },
            };
            // `len` is below `rest.len()` or 2^14: no overflow.
            pos += len_len + len;
            if pos > self.buf.len() {
                return n;
            }
            n += 1;
            // Compared byte by byte: a slice comparison is a `memcmp` call.
            let [t0, t1] = tag_bytes;
            match (
                tag_len,
                self.buf.get(pos),
                self.buf.get(pos.wrapping_add(1)),
            ) {
                (1, Some(&b0), _) if b0 == t0 => pos += 1,
                (2, Some(&b0), Some(&b1)) if b0 == t0 && b1 == t1 => pos += 2,
                _ => return n,
            }
        }
    }

    /// Runs `f` inside a length-delimited scope of `len` bytes (already
    /// checked by [`Decoder::read_len`]), one nesting level deeper; `f` must
    /// consume the scope exactly.
    #[inline]
    pub(crate) fn nested<T>(
        &mut self,
        len: usize,
        f: impl FnOnce(&mut Decoder<'a>) -> Result<T, DecodeError>,
    ) -> Result<T, DecodeError> {
        if self.depth == 0 {
            return Err(DecodeError::new(DecodeErrorKind::RecursionLimit));
        }
        let Some(scope) = self.buf.get(..self.pos.wrapping_add(len)) else {
            return Err(DecodeError::new(DecodeErrorKind::Truncated));
        };
        let outer = std::mem::replace(&mut self.buf, scope);
        let outer_group = self.group;
        self.depth -= 1;
        self.group = 0;
        let result = f(self);
        self.depth += 1;
        self.buf = outer;
        self.group = outer_group;
        result
    }

    /// Runs `f` with a length-delimited scope read from the input (packed
    /// fields, map entries); no nesting level is used.
    #[inline]
    pub(crate) fn limited<T>(
        &mut self,
        f: impl FnOnce(&mut Decoder<'a>) -> Result<T, DecodeError>,
    ) -> Result<T, DecodeError> {
        let len = self.read_len()?;
        let Some(scope) = self.buf.get(..self.pos.wrapping_add(len)) else {
            return Err(DecodeError::new(DecodeErrorKind::Truncated));
        };
        let outer = std::mem::replace(&mut self.buf, scope);
        let result = f(self);
        // `f` stops at the scope's end or fails.
        self.buf = outer;
        result
    }

    /// Merges a length-delimited message from the input into `msg`.
    #[inline]
    pub fn merge_message<M: Message>(&mut self, msg: &mut M) -> Result<(), DecodeError> {
        let len = self.read_len()?;
        self.nested(len, |d| merge_loop(msg, d))
    }

    /// Merges a group (the start tag `tag` already read) into `msg`, up to
    /// and including its end-group tag.
    #[inline]
    pub fn merge_group<M: Message>(&mut self, tag: u32, msg: &mut M) -> Result<(), DecodeError> {
        if self.depth == 0 {
            return Err(DecodeError::new(DecodeErrorKind::RecursionLimit));
        }
        let outer_group = self.group;
        self.depth -= 1;
        self.group = tag_number(tag);
        let result = merge_loop(msg, self).and_then(|()| {
            if self.group == 0 {
                Ok(())
            } else {
                Err(DecodeError::with_detail(
                    DecodeErrorKind::EndGroupMismatch,
                    format!("group {} is not closed", tag_number(tag)),
                ))
            }
        });
        self.depth += 1;
        self.group = outer_group;
        result
    }

    /// Skips the value of a field with `tag` (already read), including a
    /// whole group, without keeping it.
    pub fn skip(&mut self, tag: u32) -> Result<(), DecodeError> {
        // The field loop hands over one-byte tags unchecked: a field number
        // 0 or a wire type 6 or 7 ends up here, as no field has them.
        check_tag(tag)?;
        match WireType::from_tag(tag) {
            Some(WireType::Varint) => self.read_varint().map(drop),
            Some(WireType::Fixed64) => self.read_fixed64().map(drop),
            Some(WireType::Fixed32) => self.read_fixed32().map(drop),
            Some(WireType::Len) => self.read_slice().map(drop),
            Some(WireType::StartGroup) => self.skip_group(tag),
            Some(WireType::EndGroup) | None => Err(DecodeError::new(DecodeErrorKind::InvalidTag)),
        }
    }

    fn skip_group(&mut self, tag: u32) -> Result<(), DecodeError> {
        if self.depth == 0 {
            return Err(DecodeError::new(DecodeErrorKind::RecursionLimit));
        }
        self.depth -= 1;
        let number = tag_number(tag);
        let result = loop {
            if self.at_end() {
                break Err(DecodeError::with_detail(
                    DecodeErrorKind::EndGroupMismatch,
                    format!("group {number} is not closed"),
                ));
            }
            let inner = match self.read_tag() {
                Ok(inner) => inner,
                Err(e) => break Err(e),
            };
            if inner & 7 == WireType::EndGroup as u32 {
                if tag_number(inner) == number {
                    break Ok(());
                }
                break Err(end_group_mismatch(number, tag_number(inner)));
            }
            if let Err(e) = self.skip(inner) {
                break Err(e);
            }
        };
        self.depth += 1;
        result
    }

    /// Skips the field with `tag` (already read) and keeps its raw bytes,
    /// tag included, in `unknown`.
    #[inline]
    pub fn skip_unknown(
        &mut self,
        tag: u32,
        unknown: &mut UnknownFields,
    ) -> Result<(), DecodeError> {
        let start = self.tag_start(tag);
        self.skip(tag)?;
        unknown.push_raw(self.since(start));
        Ok(())
    }

    /// The position where the tag being handled began (tags are re-emitted
    /// as read, so a non-canonical tag encoding survives).
    #[inline]
    pub(crate) fn tag_start(&self, tag: u32) -> usize {
        let _ = tag;
        self.tag_start
    }
}

/// Decodes the varint at the start of `bytes`: its value and length, or
/// `Truncated` (the bytes end inside it) or `OverlongVarint` (ten bytes
/// with continuation bits). Of a tenth byte only the lowest bit counts, as
/// in C++.
#[inline(always)]
pub(crate) fn decode_varint(bytes: &[u8]) -> Result<(u64, usize), DecodeErrorKind> {
    // With eight bytes available, the varint's end is found and its 7-bit
    // groups joined with word operations instead of a loop.
    if let Some(Ok(word)) = bytes.get(..8).map(<[u8; 8]>::try_from) {
        let word = u64::from_le_bytes(word);
        let stops = !word & 0x8080_8080_8080_8080;
        if stops != 0 {
            // The first byte without its continuation bit ends the varint.
            let len = (stops.trailing_zeros() as usize + 1) / 8;
            return Ok((join_7bit(word & (u64::MAX >> (64 - 8 * len))), len));
        }
        let low = join_7bit(word);
        return match (bytes.get(8), bytes.get(9)) {
            (Some(&b8), _) if b8 < 0x80 => Ok((low | (u64::from(b8) << 56), 9)),
            (Some(&b8), Some(&b9)) if b9 < 0x80 => Ok((
                low | (u64::from(b8 & 0x7f) << 56) | (u64::from(b9) << 63),
                10,
            )),
            (Some(_), Some(_)) => Err(DecodeErrorKind::OverlongVarint),
            _ => Err(DecodeErrorKind::Truncated),
        };
    }
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate() {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            return Ok((value, i + 1));
        }
    }
    Err(DecodeErrorKind::Truncated)
}

/// The number of varints that end in `bytes` (bytes without the
/// continuation bit), eight bytes at a time.
#[inline]
pub(crate) fn count_varints(bytes: &[u8]) -> usize {
    let chunks = bytes.chunks_exact(8);
    let tail = chunks.remainder();
    let mut n = 0;
    for chunk in chunks {
        if let Ok(word) = <[u8; 8]>::try_from(chunk) {
            n += (!u64::from_le_bytes(word) & 0x8080_8080_8080_8080).count_ones() as usize;
        }
    }
    n + tail.iter().filter(|&&b| b < 0x80).count()
}

/// Decodes a packed run of varints (`payload`, the whole length-delimited
/// value) into `values`, converting each with `from_wire`.
#[inline]
pub(crate) fn read_packed_varints<T>(
    payload: &[u8],
    values: &mut Vec<T>,
    from_wire: impl Fn(u64) -> T,
) -> Result<(), DecodeError> {
    // One element per byte without the continuation bit: reserve exactly
    // what the input holds.
    values.reserve(count_varints(payload));
    let mut rest = payload;
    while let Some(&b) = rest.first() {
        if b < 0x80 {
            values.push(from_wire(u64::from(b)));
            rest = rest.get(1..).unwrap_or_default();
            continue;
        }
        match decode_varint(rest) {
            Ok((value, len)) => {
                values.push(from_wire(value));
                rest = rest.get(len..).unwrap_or_default();
            }
            Err(kind) => return Err(DecodeError::new(kind)),
        }
    }
    Ok(())
}

/// Joins the 7-bit groups of up to eight varint bytes (little-endian in
/// `word`, continuation bits set or not) into their 56-bit value.
#[inline(always)]
fn join_7bit(word: u64) -> u64 {
    let x = word & 0x7f7f_7f7f_7f7f_7f7f;
    let x = (x & 0x007f_007f_007f_007f) | ((x & 0x7f00_7f00_7f00_7f00) >> 1);
    let x = (x & 0x0000_3fff_0000_3fff) | ((x & 0x3fff_0000_3fff_0000) >> 2);
    (x & 0x0000_0000_0fff_ffff) | ((x & 0x0fff_ffff_0000_0000) >> 4)
}

#[cold]
#[inline(never)]
fn end_group_mismatch(open: u32, got: u32) -> DecodeError {
    DecodeError::with_detail(
        DecodeErrorKind::EndGroupMismatch,
        if open == 0 {
            format!("end-group tag for field {got} outside any group")
        } else {
            format!("end-group tag for field {got} inside group {open}")
        },
    )
}

/// The field loop of one message: reads tags to the end of the current
/// scope (or the open group's end-group tag) and hands each to
/// [`Message::merge_field`], adding the message and field to any error.
///
/// A one-byte tag is handed over without checking its field number and wire
/// type: no generated match arm has field number 0 or wire type 6 or 7, so
/// such a tag reaches the unknown-field path, whose [`Decoder::skip`]
/// rejects it.
#[inline(never)]
pub(crate) fn merge_loop<M: Message>(msg: &mut M, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
    while let Some(&b0) = d.buf.get(d.pos) {
        d.tag_start = d.pos;
        let tag = if b0 < 0x80 {
            d.pos += 1;
            u32::from(b0)
        } else {
            match d.read_tag_slow() {
                Ok(tag) => tag,
                Err(e) => return Err(e.push(M::NAME, 0, None)),
            }
        };
        if tag & 7 == WireType::EndGroup as u32 {
            return end_group::<M>(d, tag);
        }
        if let Err(e) = msg.merge_field(tag, d) {
            return Err(with_field::<M>(e, tag));
        }
    }
    Ok(())
}

/// An end-group tag in the field loop: the end of the open group, or an
/// error.
#[inline(never)]
fn end_group<M: Message>(d: &mut Decoder<'_>, tag: u32) -> Result<(), DecodeError> {
    let number = tag_number(tag);
    if number == 0 {
        return Err(check_tag(tag)
            .err()
            .unwrap_or_else(|| DecodeError::new(DecodeErrorKind::InvalidTag))
            .push(M::NAME, 0, None));
    }
    if d.group != 0 && number == d.group {
        d.group = 0;
        return Ok(());
    }
    Err(end_group_mismatch(d.group, number).push(M::NAME, number, None))
}

/// Checks a tag's field number (not 0) and wire type (0 to 5).
#[inline]
fn check_tag(tag: u32) -> Result<(), DecodeError> {
    if tag >> 3 != 0 && tag & 7 <= 5 {
        Ok(())
    } else {
        Err(invalid_tag(tag))
    }
}

#[cold]
#[inline(never)]
fn invalid_tag(tag: u32) -> DecodeError {
    DecodeError::with_detail(
        DecodeErrorKind::InvalidTag,
        if tag >> 3 == 0 {
            "field number 0".to_string()
        } else {
            format!("wire type {}", tag & 7)
        },
    )
}

/// The varint encoding of a tag below 2^14: its length (1 or 2) and bytes;
/// for longer tags, length 0 (runs of them are not counted).
#[inline]
const fn tag_encoding(tag: u32) -> (usize, [u8; 2]) {
    if tag < 0x80 {
        (1, [tag as u8, 0])
    } else if tag < 0x4000 {
        (2, [(tag as u8) | 0x80, (tag >> 7) as u8])
    } else {
        (0, [0, 0])
    }
}

#[cold]
#[inline(never)]
fn with_field<M: Message>(e: DecodeError, tag: u32) -> DecodeError {
    if check_tag(tag).is_err() {
        // An invalid one-byte tag, rejected by the unknown-field path: the
        // error is the tag's, not a field's.
        return e.push(M::NAME, 0, None);
    }
    let number = tag_number(tag);
    let name = M::FIELD_NAMES
        .iter()
        .find(|(n, _)| *n == number)
        .map(|(_, name)| *name);
    e.push(M::NAME, number, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The varint rules written the slow way: up to ten bytes, the value
    /// from the low 7 bits of each, only bit 0 of a tenth byte counting.
    fn reference(bytes: &[u8]) -> Result<(u64, usize), DecodeErrorKind> {
        let mut value = 0u64;
        for (i, &b) in bytes.iter().enumerate().take(10) {
            value |= u64::from(b & 0x7f).checked_shl(7 * i as u32).unwrap_or(0);
            if b < 0x80 {
                return Ok((value, i + 1));
            }
        }
        Err(if bytes.len() >= 10 {
            DecodeErrorKind::OverlongVarint
        } else {
            DecodeErrorKind::Truncated
        })
    }

    fn check(bytes: &[u8]) {
        let options = DecodeOptions::new();
        let mut d = Decoder::new(bytes, &options);
        let got = d
            .read_varint()
            .map(|v| (v, d.position()))
            .map_err(|e| e.kind());
        assert_eq!(got, reference(bytes), "{bytes:02x?}");
    }

    /// `count_run` after the tag of the first value has been read.
    fn run(hex_bytes: &[u8], tag: u32) -> usize {
        let options = DecodeOptions::new();
        let mut d = Decoder::new(hex_bytes, &options);
        assert_eq!(d.read_tag().ok(), Some(tag));
        d.count_run(tag)
    }

    #[test]
    fn runs_count_whole_values_with_the_same_tag() {
        // Three values of field 1, then field 2.
        assert_eq!(
            run(
                &[0x0a, 1, b'a', 0x0a, 0, 0x0a, 2, b'b', b'c', 0x12, 0],
                0x0a
            ),
            3
        );
        // The last value is cut short: not counted.
        assert_eq!(run(&[0x0a, 1, b'a', 0x0a, 5, b'b'], 0x0a), 1);
        assert_eq!(run(&[0x0a, 9], 0x0a), 0);
        // A length that is not a varint.
        assert_eq!(run(&[0x0a, 0xff, 0xff], 0x0a), 0);
        // Two-byte tags (field 16), with a two-byte length.
        let mut input = vec![0x82, 0x01, 0x80, 0x01];
        input.extend([0u8; 128]);
        input.extend([0x82, 0x01, 0x00, 0x82, 0x02, 0x00]);
        assert_eq!(run(&input, 0x82), 2);
        // Three-byte tags are not counted past the first value.
        assert_eq!(run(&[0x82, 0x80, 0x01, 0, 0x82, 0x80, 0x01, 0], 0x4002), 1);
    }

    #[test]
    fn varints_of_every_length_and_tail() {
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for shift in 0..64 {
            for value in [1u64 << shift, (1u64 << shift) - 1, u64::MAX >> shift] {
                let mut v = Vec::new();
                crate::encode::put_varint(&mut v, value);
                inputs.push(v);
            }
        }
        // Non-canonical encodings, tenth bytes above 1, overlong runs.
        inputs.push(vec![0x80, 0x00]);
        inputs.push(vec![0xff; 9].into_iter().chain([0x7f]).collect());
        inputs.push(vec![0x80; 9].into_iter().chain([0x02]).collect());
        inputs.push(vec![0xff; 11]);
        inputs.push(vec![0x80; 10]);
        for input in inputs {
            // Alone, truncated at every length, and followed by other bytes.
            for cut in 0..=input.len() {
                check(&input[..cut]);
            }
            for tail in [&[0x01u8][..], &[0x80, 0x80, 0x01], &[0xff; 12]] {
                let mut with_tail = input.clone();
                with_tail.extend_from_slice(tail);
                check(&with_tail);
            }
        }
    }
}
