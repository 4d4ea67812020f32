//! The encoder: two passes, C++ style, so encoding is linear in the output.
//!
//! The size pass ([`Message::compute_size`](crate::Message::compute_size))
//! walks the message once and records, in a [`SizeCache`], the length of
//! every submessage (and of every packed varint field) in the order the
//! write pass will need them. The write pass
//! ([`Message::write`](crate::Message::write)) then walks the message in the
//! same order, taking each length from the cache instead of recomputing it,
//! into a buffer reserved to the exact size. Every submessage's length is
//! computed once per encode, however deep it sits. Why this design and not a
//! cached-size field or a back-to-front writer: see ARCHITECTURE.md.

use std::cell::Cell;

use crate::wire::varint_len;

/// The largest size cache (in entries) kept for reuse by a thread: 64 KiB.
const KEPT_SIZES: usize = 8192;

thread_local! {
    /// A spare size cache per thread: the first submessage length of an
    /// encode takes it instead of allocating, and the cache goes back here
    /// when dropped. A `Cell` holding a `Vec` (taken, not borrowed), so a
    /// nested encode simply finds it empty and allocates.
    static SPARE: Cell<Vec<usize>> = const { Cell::new(Vec::new()) };
}

/// The lengths the size pass records for the write pass, in write order.
///
/// Its storage is reused: the first length recorded takes the thread's
/// spare vector and dropping the cache returns it, so encoding a message
/// with submessages allocates nothing besides its output once a thread has
/// encoded one (an allocation and a free were a fifth of the cost of small
/// nested messages). Messages without submessages never touch it.
#[derive(Debug, Default)]
pub struct SizeCache {
    sizes: Vec<usize>,
}

impl Drop for SizeCache {
    fn drop(&mut self) {
        if self.sizes.capacity() != 0 && self.sizes.capacity() <= KEPT_SIZES {
            let mut sizes = std::mem::take(&mut self.sizes);
            sizes.clear();
            // Keep the larger of the two.
            let _ = SPARE.try_with(|spare| {
                let other = spare.take();
                spare.set(if other.capacity() > sizes.capacity() {
                    other
                } else {
                    sizes
                });
            });
        }
    }
}

impl SizeCache {
    /// An empty cache.
    pub fn new() -> SizeCache {
        SizeCache::default()
    }

    /// Makes room for one more length: the thread's spare vector when this
    /// cache has none yet, else the usual growth.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        if self.sizes.capacity() == 0 {
            if let Ok(spare) = SPARE.try_with(Cell::take) {
                self.sizes = spare;
            }
        }
        self.sizes.reserve(1);
    }

    /// Reserves the next slot; fill it with [`SizeCache::set`] once the
    /// length is known (after the submessage's own slots).
    #[inline(always)]
    pub fn reserve(&mut self) -> usize {
        let slot = self.sizes.len();
        self.push(0);
        slot
    }

    /// Fills a reserved slot.
    #[inline(always)]
    pub fn set(&mut self, slot: usize, len: usize) {
        if let Some(s) = self.sizes.get_mut(slot) {
            *s = len;
        }
    }

    /// Records a length in a new slot.
    #[inline(always)]
    pub fn push(&mut self, len: usize) {
        if self.sizes.len() == self.sizes.capacity() {
            self.grow();
        }
        self.sizes.push(len);
    }

    /// Forgets every length.
    pub fn clear(&mut self) {
        self.sizes.clear();
    }

    pub(crate) fn as_slice(&self) -> &[usize] {
        &self.sizes
    }
}

/// The write pass's output buffer and its cursor into the [`SizeCache`].
///
/// The writer holds the output vector by value while it writes (taken from
/// the caller's vector, given back when the writer is dropped): behind the
/// writer's own `&mut`, the compiler knows the bytes written cannot alias
/// the vector's length and keeps it in a register across a message's
/// fields, instead of storing and reloading it for every byte (a chain of
/// store-to-load dependencies that profiles showed dominating small
/// messages).
#[derive(Debug)]
pub struct Writer<'a> {
    buf: Vec<u8>,
    target: &'a mut Vec<u8>,
    sizes: &'a [usize],
    next: usize,
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        std::mem::swap(self.target, &mut self.buf);
    }
}

impl<'a> Writer<'a> {
    /// A writer appending to `buf`, reading lengths from `sizes`. The bytes
    /// are in `buf` once the writer is dropped.
    pub fn new(buf: &'a mut Vec<u8>, sizes: &'a SizeCache) -> Writer<'a> {
        Writer {
            buf: std::mem::take(buf),
            target: buf,
            sizes: sizes.as_slice(),
            next: 0,
        }
    }

    /// The next recorded length, consumed. (A mismatch between the passes is
    /// a bug in generated code; it gives wrong bytes, never a panic.)
    #[inline(always)]
    pub fn take_size(&mut self) -> usize {
        let len = self.sizes.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        len
    }

    /// The next recorded length, not consumed (map entries holding a
    /// message derive their own length from it).
    #[inline(always)]
    pub fn peek_size(&self) -> usize {
        self.sizes.get(self.next).copied().unwrap_or(0)
    }

    /// Appends one byte.
    #[inline(always)]
    pub fn put_u8(&mut self, b: u8) {
        self.buf.push(b);
    }

    /// Appends bytes.
    #[inline(always)]
    pub fn put_slice(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Appends a varint.
    #[inline(always)]
    pub fn put_varint(&mut self, value: u64) {
        if value < 0x80 {
            self.buf.push(value as u8);
        } else if value < 0x4000 {
            self.buf
                .extend_from_slice(&[(value as u8) | 0x80, (value >> 7) as u8]);
        } else {
            self.put_varint_long(value);
        }
    }

    /// A varint of three bytes or more: its first eight bytes are made in
    /// a register and stored as one word, of which the bytes past the
    /// varint are then dropped again; a nine- or ten-byte varint (a
    /// negative `int32` or `int64`) adds its last bytes after the word.
    /// No loop, and no variable-length copy (a `memmove` call, which
    /// profiles showed costing more than the encoding itself). Needs ten
    /// bytes of spare capacity, which every encode has but at the very end
    /// of an exactly reserved buffer.
    #[inline]
    fn put_varint_long(&mut self, value: u64) {
        let start = self.buf.len();
        if self.buf.capacity() - start < crate::limits::MAX_VARINT_LEN {
            return self.put_varint_bytes(value);
        }
        if value < 1 << 56 {
            let len = varint_len(value);
            // Continuation bits on every byte but the last.
            let more = 0x8080_8080_8080_8080 & (u64::MAX >> (72 - 8 * len));
            self.buf
                .extend_from_slice(&(spread_7bit(value) | more).to_le_bytes());
            self.buf.truncate(start + len);
        } else {
            self.put_varint_wide(value);
        }
    }

    /// A nine- or ten-byte varint, with ten bytes of spare capacity.
    #[inline(never)]
    fn put_varint_wide(&mut self, value: u64) {
        self.buf
            .extend_from_slice(&(spread_7bit(value) | 0x8080_8080_8080_8080).to_le_bytes());
        // Bits 56 to 63: one byte, or two when bit 63 is set.
        let high = (value >> 56) as u8;
        if high < 0x80 {
            self.buf.push(high);
        } else {
            self.buf.extend_from_slice(&[high, 1]);
        }
    }

    #[inline(never)]
    fn put_varint_bytes(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.buf.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.buf.push(value as u8);
    }

    /// Appends a tag (a varint of at most five bytes).
    #[inline(always)]
    pub fn put_tag(&mut self, tag: u32) {
        self.put_varint(u64::from(tag));
    }

    /// Appends four little-endian bytes.
    #[inline(always)]
    pub fn put_fixed32(&mut self, value: u32) {
        self.buf.extend_from_slice(&value.to_le_bytes());
    }

    /// Appends eight little-endian bytes.
    #[inline(always)]
    pub fn put_fixed64(&mut self, value: u64) {
        self.buf.extend_from_slice(&value.to_le_bytes());
    }

    /// Bytes written so far to the underlying buffer.
    #[inline]
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing has been written to the underlying buffer.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
}

/// Spreads the low 56 bits of `value` into eight 7-bit groups, one per
/// byte (little-endian, high bits clear): the bytes of its varint without
/// the continuation bits.
#[inline(always)]
fn spread_7bit(value: u64) -> u64 {
    let x = value;
    let x = (x & 0x0000_0000_0fff_ffff) | ((x & 0x00ff_ffff_f000_0000) << 4);
    let x = (x & 0x0000_3fff_0000_3fff) | ((x & 0x0fff_c000_0fff_c000) << 2);
    (x & 0x007f_007f_007f_007f) | ((x & 0x3f80_3f80_3f80_3f80) << 1)
}

/// Appends the varint encoding of `value` to `buf`.
pub(crate) fn put_varint(buf: &mut Vec<u8>, mut value: u64) {
    let mut tmp = [0u8; 10];
    let mut i = 0;
    while value >= 0x80 && i < 9 {
        tmp[i] = (value as u8) | 0x80;
        value >>= 7;
        i += 1;
    }
    tmp[i] = value as u8;
    buf.extend_from_slice(&tmp[..=i]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_varints_match_the_plain_encoding() {
        let sizes = SizeCache::new();
        for shift in 0..64 {
            for value in [1u64 << shift, (1u64 << shift) - 1, u64::MAX >> shift] {
                let mut want = Vec::new();
                put_varint(&mut want, value);
                // With room to spare, exactly reserved, and after other bytes.
                for (capacity, prefix) in [(32, 0), (want.len(), 0), (want.len() + 3, 3)] {
                    let mut buf = Vec::with_capacity(capacity);
                    buf.extend(std::iter::repeat_n(0xaa, prefix));
                    Writer::new(&mut buf, &sizes).put_varint(value);
                    assert_eq!(buf.get(prefix..), Some(want.as_slice()), "{value:#x}");
                }
            }
        }
    }
}
