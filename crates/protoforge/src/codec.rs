//! Field codecs: one zero-sized type per protobuf field type, saying how its
//! Rust value is sized, written and merged. The generic field helpers in
//! `field.rs` (singular, optional, repeated, packed, map, extension) are
//! written once over [`Codec`], so generated code only names the codec of
//! each field: `__private::opt_len::<codec::Sint32>(...)`.
//!
//! The `tag` parameter is the field's full tag (number and wire type); only
//! groups use it (their end tag repeats the number).

use std::marker::PhantomData;

use bytes::Bytes;

use crate::decode::{DecodeOptions, Decoder, read_packed_varints};
use crate::encode::{SizeCache, Writer};
use crate::enums::{Enum, EnumValue};
use crate::error::{DecodeError, DecodeErrorKind};
use crate::message::Message;
use crate::string::ProtoString;
use crate::wire::{WireType, unzigzag32, unzigzag64, varint_len, zigzag32, zigzag64};

/// How one protobuf field type is encoded.
pub trait Codec {
    /// The Rust type of a value.
    type Value: Default;
    /// The wire type of one (unpacked) value.
    const WIRE_TYPE: WireType;

    /// Encoded length of the value without its tag (a length-delimited
    /// value's length prefix included); records submessage lengths in
    /// `sizes` for the write pass.
    fn len(value: &Self::Value, tag: u32, sizes: &mut SizeCache) -> usize;

    /// The same length during the write pass, from the recorded lengths
    /// (nothing is consumed).
    fn cached_len(value: &Self::Value, tag: u32, w: &Writer<'_>) -> usize;

    /// Writes the value without its tag.
    fn write(value: &Self::Value, tag: u32, w: &mut Writer<'_>);

    /// Reads one value (its tag already read) into `value`: scalars
    /// overwrite, messages merge.
    fn merge(value: &mut Self::Value, tag: u32, d: &mut Decoder<'_>) -> Result<(), DecodeError>;

    /// True for the value an implicit-presence field does not encode.
    fn is_default(value: &Self::Value) -> bool;
}

/// A scalar codec whose values may be packed.
pub trait Packable: Codec<Value: Copy> {
    /// Bytes per value for fixed-width types, 0 for varints.
    const FIXED_LEN: usize;

    /// Reads one value.
    fn read(d: &mut Decoder<'_>) -> Result<Self::Value, DecodeError>;

    /// Encoded length of one value.
    fn value_len(value: Self::Value) -> usize;

    /// Writes one value.
    fn put(value: Self::Value, w: &mut Writer<'_>);

    /// Reads one value, or `None` for a number the type does not hold (a
    /// closed enum's unknown number: the repeated-extension accessor skips
    /// it).
    #[inline(always)]
    fn read_known(d: &mut Decoder<'_>) -> Result<Option<Self::Value>, DecodeError> {
        Self::read(d).map(Some)
    }

    /// Decodes a whole packed payload (the bytes of one length-delimited
    /// occurrence) and appends its values.
    #[inline]
    fn read_packed(payload: &[u8], values: &mut Vec<Self::Value>) -> Result<(), DecodeError> {
        let options = DecodeOptions::new();
        let mut d = Decoder::new(payload, &options);
        while !d.at_end() {
            values.push(Self::read(&mut d)?);
        }
        Ok(())
    }
}

macro_rules! varint_codec {
    ($(#[$doc:meta])* $name:ident, $ty:ty, |$v:ident| $to_wire:expr, |$w:ident| $from_wire:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl Codec for $name {
            type Value = $ty;
            const WIRE_TYPE: WireType = WireType::Varint;

            #[inline(always)]
            fn len(value: &$ty, _tag: u32, _sizes: &mut SizeCache) -> usize {
                <$name as Packable>::value_len(*value)
            }

            #[inline(always)]
            fn cached_len(value: &$ty, _tag: u32, _w: &Writer<'_>) -> usize {
                <$name as Packable>::value_len(*value)
            }

            #[inline(always)]
            fn write(value: &$ty, _tag: u32, w: &mut Writer<'_>) {
                <$name as Packable>::put(*value, w)
            }

            #[inline(always)]
            fn merge(value: &mut $ty, _tag: u32, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
                *value = <$name as Packable>::read(d)?;
                Ok(())
            }

            #[inline(always)]
            fn is_default(value: &$ty) -> bool {
                *value == <$ty>::default()
            }
        }

        impl Packable for $name {
            const FIXED_LEN: usize = 0;

            #[inline(always)]
            fn read(d: &mut Decoder<'_>) -> Result<$ty, DecodeError> {
                let $w = d.read_varint()?;
                Ok($from_wire)
            }

            #[inline(always)]
            fn value_len($v: $ty) -> usize {
                varint_len($to_wire)
            }

            #[inline(always)]
            fn put($v: $ty, w: &mut Writer<'_>) {
                w.put_varint($to_wire)
            }

            #[inline]
            fn read_packed(payload: &[u8], values: &mut Vec<$ty>) -> Result<(), DecodeError> {
                read_packed_varints(payload, values, |$w| $from_wire)
            }
        }
    };
}

varint_codec!(
    /// `int32`: negative values take ten bytes (sign-extended to 64 bits).
    Int32, i32, |v| v as i64 as u64, |w| w as u32 as i32
);
varint_codec!(
    /// `int64`.
    Int64, i64, |v| v as u64, |w| w as i64
);
varint_codec!(
    /// `uint32`.
    Uint32, u32, |v| u64::from(v), |w| w as u32
);
varint_codec!(
    /// `uint64`.
    Uint64, u64, |v| v, |w| w
);
varint_codec!(
    /// `sint32` (ZigZag).
    Sint32, i32, |v| u64::from(zigzag32(v)), |w| unzigzag32(w as u32)
);
varint_codec!(
    /// `sint64` (ZigZag).
    Sint64, i64, |v| zigzag64(v), |w| unzigzag64(w)
);
varint_codec!(
    /// `bool`: any non-zero varint decodes as `true`.
    Bool, bool, |v| u64::from(v), |w| w != 0
);

macro_rules! fixed_codec {
    ($(#[$doc:meta])* $name:ident, $ty:ty, $wire:ident, $n:literal, $read:ident, $put:ident, $bits:ty,
     |$v:ident| $to_bits:expr, |$b:ident| $from_bits:expr, |$d:ident| $is_default:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl Codec for $name {
            type Value = $ty;
            const WIRE_TYPE: WireType = WireType::$wire;

            #[inline(always)]
            fn len(_value: &$ty, _tag: u32, _sizes: &mut SizeCache) -> usize {
                $n
            }

            #[inline(always)]
            fn cached_len(_value: &$ty, _tag: u32, _w: &Writer<'_>) -> usize {
                $n
            }

            #[inline(always)]
            fn write(value: &$ty, _tag: u32, w: &mut Writer<'_>) {
                <$name as Packable>::put(*value, w)
            }

            #[inline(always)]
            fn merge(value: &mut $ty, _tag: u32, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
                *value = <$name as Packable>::read(d)?;
                Ok(())
            }

            #[inline(always)]
            fn is_default($d: &$ty) -> bool {
                $is_default
            }
        }

        impl Packable for $name {
            const FIXED_LEN: usize = $n;

            #[inline(always)]
            fn read(d: &mut Decoder<'_>) -> Result<$ty, DecodeError> {
                let $b: $bits = d.$read()?;
                Ok($from_bits)
            }

            #[inline(always)]
            fn value_len(_value: $ty) -> usize {
                $n
            }

            #[inline(always)]
            fn put($v: $ty, w: &mut Writer<'_>) {
                w.$put($to_bits)
            }

            #[inline]
            fn read_packed(payload: &[u8], values: &mut Vec<$ty>) -> Result<(), DecodeError> {
                if payload.len() % $n != 0 {
                    return Err(packed_length_error(payload.len(), $n));
                }
                values.extend(payload.chunks_exact($n).map(|chunk| {
                    let mut bytes = [0u8; $n];
                    bytes.copy_from_slice(chunk);
                    let $b = <$bits>::from_le_bytes(bytes);
                    $from_bits
                }));
                Ok(())
            }
        }
    };
}

#[cold]
#[inline(never)]
fn invalid_utf8() -> DecodeError {
    DecodeError::new(DecodeErrorKind::InvalidUtf8)
}

#[cold]
#[inline(never)]
fn packed_length_error(len: usize, width: usize) -> DecodeError {
    DecodeError::with_detail(
        DecodeErrorKind::InvalidValue,
        format!("packed field of {len} bytes is not a multiple of {width}"),
    )
}

fixed_codec!(
    /// `fixed32`.
    Fixed32, u32, Fixed32, 4, read_fixed32, put_fixed32, u32, |v| v, |b| b, |d| *d == 0
);
fixed_codec!(
    /// `fixed64`.
    Fixed64, u64, Fixed64, 8, read_fixed64, put_fixed64, u64, |v| v, |b| b, |d| *d == 0
);
fixed_codec!(
    /// `sfixed32`.
    Sfixed32, i32, Fixed32, 4, read_fixed32, put_fixed32, u32, |v| v as u32, |b| b as i32, |d| *d == 0
);
fixed_codec!(
    /// `sfixed64`.
    Sfixed64, i64, Fixed64, 8, read_fixed64, put_fixed64, u64, |v| v as u64, |b| b as i64, |d| *d == 0
);
fixed_codec!(
    /// `float`: an implicit-presence float is skipped only when its bits are
    /// zero (`-0.0` is encoded), as C++.
    Float, f32, Fixed32, 4, read_fixed32, put_fixed32, u32, |v| v.to_bits(), |b| f32::from_bits(b),
    |d| d.to_bits() == 0
);
fixed_codec!(
    /// `double`: as [`Float`], `-0.0` is encoded.
    Double, f64, Fixed64, 8, read_fixed64, put_fixed64, u64, |v| v.to_bits(), |b| f64::from_bits(b),
    |d| d.to_bits() == 0
);

/// Length of a length-delimited payload of `n` bytes with its prefix.
#[inline(always)]
fn len_prefixed(n: usize) -> usize {
    varint_len(n as u64) + n
}

/// `string`, checked to be UTF-8 when decoded (proto3, editions
/// `utf8_validation = VERIFY`), as a `String`.
#[derive(Debug, Clone, Copy)]
pub struct Str;

impl Codec for Str {
    type Value = String;
    const WIRE_TYPE: WireType = WireType::Len;

    #[inline(always)]
    fn len(value: &String, _tag: u32, _sizes: &mut SizeCache) -> usize {
        len_prefixed(value.len())
    }

    #[inline(always)]
    fn cached_len(value: &String, _tag: u32, _w: &Writer<'_>) -> usize {
        len_prefixed(value.len())
    }

    #[inline(always)]
    fn write(value: &String, _tag: u32, w: &mut Writer<'_>) {
        w.put_varint(value.len() as u64);
        w.put_slice(value.as_bytes());
    }

    #[inline]
    fn merge(value: &mut String, _tag: u32, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
        let bytes = d.read_slice()?;
        if value.capacity() < bytes.len() {
            // One exact allocation, not a growth of the empty string; the
            // bytes are checked after the copy, where they are aligned
            // (the standard library's check runs a word at a time only
            // from an aligned address).
            let mut v = Vec::with_capacity(bytes.len());
            v.extend_from_slice(bytes);
            *value = String::from_utf8(v).map_err(|_| invalid_utf8())?;
        } else {
            let s = std::str::from_utf8(bytes).map_err(|_| invalid_utf8())?;
            value.clear();
            value.push_str(s);
        }
        Ok(())
    }

    #[inline(always)]
    fn is_default(value: &String) -> bool {
        value.is_empty()
    }
}

macro_rules! bytes_codec {
    ($(#[$doc:meta])* $name:ident, $ty:ty, |$value:ident, $d:ident| $merge:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl Codec for $name {
            type Value = $ty;
            const WIRE_TYPE: WireType = WireType::Len;

            #[inline(always)]
            fn len(value: &$ty, _tag: u32, _sizes: &mut SizeCache) -> usize {
                len_prefixed(value.len())
            }

            #[inline(always)]
            fn cached_len(value: &$ty, _tag: u32, _w: &Writer<'_>) -> usize {
                len_prefixed(value.len())
            }

            #[inline(always)]
            fn write(value: &$ty, _tag: u32, w: &mut Writer<'_>) {
                w.put_varint(value.len() as u64);
                w.put_slice(value);
            }

            #[inline]
            fn merge($value: &mut $ty, _tag: u32, $d: &mut Decoder<'_>) -> Result<(), DecodeError> {
                $merge
            }

            #[inline(always)]
            fn is_default(value: &$ty) -> bool {
                value.is_empty()
            }
        }
    };
}

bytes_codec!(
    /// `bytes` as a `Vec<u8>`.
    BytesVec, Vec<u8>, |value, d| {
        let s = d.read_slice()?;
        value.clear();
        value.extend_from_slice(s);
        Ok(())
    }
);
bytes_codec!(
    /// `bytes` as a `bytes::Bytes`: decoded from a `Bytes` input, the value
    /// shares the input's buffer instead of copying.
    BytesBuf, Bytes, |value, d| {
        *value = d.read_bytes()?;
        Ok(())
    }
);
/// `string` not checked for UTF-8 (`utf8_validation = NONE`: proto2, and
/// editions fields that turn the check off; C++, Java, Go and Python accept
/// any bytes there), as a [`ProtoString`]. Decoded from a `Bytes` input, the
/// value shares the input's buffer.
#[derive(Debug, Clone, Copy)]
pub struct StrUnverified;

impl Codec for StrUnverified {
    type Value = ProtoString;
    const WIRE_TYPE: WireType = WireType::Len;

    #[inline(always)]
    fn len(value: &ProtoString, _tag: u32, _sizes: &mut SizeCache) -> usize {
        len_prefixed(value.len())
    }

    #[inline(always)]
    fn cached_len(value: &ProtoString, _tag: u32, _w: &Writer<'_>) -> usize {
        len_prefixed(value.len())
    }

    #[inline(always)]
    fn write(value: &ProtoString, _tag: u32, w: &mut Writer<'_>) {
        w.put_varint(value.len() as u64);
        w.put_slice(value.as_bytes());
    }

    #[inline]
    fn merge(value: &mut ProtoString, _tag: u32, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
        *value = ProtoString::from_bytes(d.read_bytes()?);
        Ok(())
    }

    #[inline(always)]
    fn is_default(value: &ProtoString) -> bool {
        value.is_empty()
    }
}

/// A message field (length-delimited), stored as `M`.
#[derive(Debug)]
pub struct Msg<M>(PhantomData<fn() -> M>);

impl<M: Message> Codec for Msg<M> {
    type Value = M;
    const WIRE_TYPE: WireType = WireType::Len;

    #[inline(always)]
    fn len(value: &M, _tag: u32, sizes: &mut SizeCache) -> usize {
        len_prefixed(message_len(value, sizes))
    }

    #[inline(always)]
    fn cached_len(_value: &M, _tag: u32, w: &Writer<'_>) -> usize {
        len_prefixed(w.peek_size())
    }

    #[inline(always)]
    fn write(value: &M, _tag: u32, w: &mut Writer<'_>) {
        let n = w.take_size();
        w.put_varint(n as u64);
        value.write(w);
    }

    #[inline(always)]
    fn merge(value: &mut M, _tag: u32, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
        d.merge_message(value)
    }

    #[inline(always)]
    fn is_default(_value: &M) -> bool {
        false
    }
}

/// A message field stored as `Box<M>` (where the schema recurses).
#[derive(Debug)]
pub struct BoxMsg<M>(PhantomData<fn() -> M>);

impl<M: Message> Codec for BoxMsg<M> {
    type Value = Box<M>;
    const WIRE_TYPE: WireType = WireType::Len;

    #[inline(always)]
    fn len(value: &Box<M>, tag: u32, sizes: &mut SizeCache) -> usize {
        Msg::<M>::len(value, tag, sizes)
    }

    #[inline(always)]
    fn cached_len(value: &Box<M>, tag: u32, w: &Writer<'_>) -> usize {
        Msg::<M>::cached_len(value, tag, w)
    }

    #[inline(always)]
    fn write(value: &Box<M>, tag: u32, w: &mut Writer<'_>) {
        Msg::<M>::write(value, tag, w)
    }

    #[inline(always)]
    fn merge(value: &mut Box<M>, tag: u32, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
        Msg::<M>::merge(value, tag, d)
    }

    #[inline(always)]
    fn is_default(_value: &Box<M>) -> bool {
        false
    }
}

/// A group, or an editions `DELIMITED` message field: the message's fields
/// between a start-group and an end-group tag.
#[derive(Debug)]
pub struct Group<M>(PhantomData<fn() -> M>);

impl<M: Message> Codec for Group<M> {
    type Value = M;
    const WIRE_TYPE: WireType = WireType::StartGroup;

    #[inline]
    fn len(value: &M, tag: u32, sizes: &mut SizeCache) -> usize {
        value.compute_size(sizes) + varint_len(u64::from(tag))
    }

    #[inline]
    fn cached_len(value: &M, tag: u32, _w: &Writer<'_>) -> usize {
        // Groups are never map values or packed, the only users of this.
        let mut sizes = SizeCache::new();
        Self::len(value, tag, &mut sizes)
    }

    #[inline]
    fn write(value: &M, tag: u32, w: &mut Writer<'_>) {
        value.write(w);
        w.put_tag((tag & !7) | WireType::EndGroup as u32);
    }

    #[inline]
    fn merge(value: &mut M, tag: u32, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
        d.merge_group(tag, value)
    }

    #[inline(always)]
    fn is_default(_value: &M) -> bool {
        false
    }
}

/// A group stored as `Box<M>`.
#[derive(Debug)]
pub struct BoxGroup<M>(PhantomData<fn() -> M>);

impl<M: Message> Codec for BoxGroup<M> {
    type Value = Box<M>;
    const WIRE_TYPE: WireType = WireType::StartGroup;

    #[inline]
    fn len(value: &Box<M>, tag: u32, sizes: &mut SizeCache) -> usize {
        Group::<M>::len(value, tag, sizes)
    }

    #[inline]
    fn cached_len(value: &Box<M>, tag: u32, w: &Writer<'_>) -> usize {
        Group::<M>::cached_len(value, tag, w)
    }

    #[inline]
    fn write(value: &Box<M>, tag: u32, w: &mut Writer<'_>) {
        Group::<M>::write(value, tag, w)
    }

    #[inline]
    fn merge(value: &mut Box<M>, tag: u32, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
        Group::<M>::merge(value, tag, d)
    }

    #[inline(always)]
    fn is_default(_value: &Box<M>) -> bool {
        false
    }
}

/// The length of `msg`'s fields, recorded in `sizes` for the write pass
/// (the slot is reserved first, so the order matches the write pass).
#[inline]
pub(crate) fn message_len<M: Message>(msg: &M, sizes: &mut SizeCache) -> usize {
    let slot = sizes.reserve();
    let n = msg.compute_size(sizes);
    sizes.set(slot, n);
    n
}

/// An open enum field: any number is kept.
#[derive(Debug)]
pub struct OpenEnum<E>(PhantomData<fn() -> E>);

impl<E: Enum> Codec for OpenEnum<E> {
    type Value = EnumValue<E>;
    const WIRE_TYPE: WireType = WireType::Varint;

    #[inline(always)]
    fn len(value: &EnumValue<E>, _tag: u32, _sizes: &mut SizeCache) -> usize {
        Self::value_len(*value)
    }

    #[inline(always)]
    fn cached_len(value: &EnumValue<E>, _tag: u32, _w: &Writer<'_>) -> usize {
        Self::value_len(*value)
    }

    #[inline(always)]
    fn write(value: &EnumValue<E>, _tag: u32, w: &mut Writer<'_>) {
        Self::put(*value, w)
    }

    #[inline(always)]
    fn merge(value: &mut EnumValue<E>, _tag: u32, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
        *value = Self::read(d)?;
        Ok(())
    }

    #[inline(always)]
    fn is_default(value: &EnumValue<E>) -> bool {
        value.to_i32() == 0
    }
}

impl<E: Enum> Packable for OpenEnum<E> {
    const FIXED_LEN: usize = 0;

    #[inline(always)]
    fn read(d: &mut Decoder<'_>) -> Result<EnumValue<E>, DecodeError> {
        Ok(EnumValue::from_i32(d.read_varint()? as u32 as i32))
    }

    #[inline(always)]
    fn value_len(value: EnumValue<E>) -> usize {
        varint_len(value.to_i32() as i64 as u64)
    }

    #[inline(always)]
    fn put(value: EnumValue<E>, w: &mut Writer<'_>) {
        w.put_varint(value.to_i32() as i64 as u64)
    }

    #[inline]
    fn read_packed(payload: &[u8], values: &mut Vec<EnumValue<E>>) -> Result<(), DecodeError> {
        read_packed_varints(payload, values, |w| EnumValue::from_i32(w as u32 as i32))
    }
}

/// A closed enum field, stored as the generated enum. Decoding goes through
/// the `__private` closed-enum helpers, which send a number the enum does not
/// name to the unknown fields; [`Codec::merge`] alone skips such a number
/// (what an extension read does).
#[derive(Debug)]
pub struct ClosedEnum<E>(PhantomData<fn() -> E>);

/// The value a closed enum field holds before any is set: the enum's first
/// value, which generated enums make their `Default`.
impl<E: Enum + Default> Codec for ClosedEnum<E> {
    type Value = E;
    const WIRE_TYPE: WireType = WireType::Varint;

    #[inline(always)]
    fn len(value: &E, _tag: u32, _sizes: &mut SizeCache) -> usize {
        varint_len(value.to_i32() as i64 as u64)
    }

    #[inline(always)]
    fn cached_len(value: &E, _tag: u32, _w: &Writer<'_>) -> usize {
        varint_len(value.to_i32() as i64 as u64)
    }

    #[inline(always)]
    fn write(value: &E, _tag: u32, w: &mut Writer<'_>) {
        w.put_varint(value.to_i32() as i64 as u64)
    }

    #[inline(always)]
    fn merge(value: &mut E, _tag: u32, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
        if let Some(e) = E::from_i32(d.read_varint()? as u32 as i32) {
            *value = e;
        }
        Ok(())
    }

    #[inline(always)]
    fn is_default(_value: &E) -> bool {
        false
    }
}

impl<E: Enum + Default> Packable for ClosedEnum<E> {
    const FIXED_LEN: usize = 0;

    #[inline(always)]
    fn read(d: &mut Decoder<'_>) -> Result<E, DecodeError> {
        let raw = d.read_varint()? as u32 as i32;
        E::from_i32(raw).ok_or_else(|| {
            DecodeError::with_detail(
                DecodeErrorKind::InvalidValue,
                format!("{raw} is not a value of closed enum {}", E::NAME),
            )
        })
    }

    #[inline(always)]
    fn read_known(d: &mut Decoder<'_>) -> Result<Option<E>, DecodeError> {
        Ok(E::from_i32(d.read_varint()? as u32 as i32))
    }

    #[inline(always)]
    fn value_len(value: E) -> usize {
        varint_len(value.to_i32() as i64 as u64)
    }

    #[inline(always)]
    fn put(value: E, w: &mut Writer<'_>) {
        w.put_varint(value.to_i32() as i64 as u64)
    }
}
