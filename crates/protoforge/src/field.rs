//! The generic field helpers generated code calls, one per field shape
//! (implicit presence, optional, repeated, packed, map, oneof, closed enum),
//! written once over [`Codec`]. Each size helper returns the bytes of the
//! whole field, tags included; each write helper writes them; each merge
//! helper reads one occurrence after its tag.
//!
//! Generated code reaches these through `protoforge::__private`.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};

use crate::codec::{Codec, Int32, Packable};
use crate::decode::Decoder;
use crate::encode::{SizeCache, Writer};
use crate::enums::Enum;
use crate::error::{DecodeError, DecodeErrorKind};
use crate::unknown::UnknownFields;
use crate::wire::{WireType, tag_number, varint_len};

#[inline(always)]
fn tag_len(tag: u32) -> usize {
    varint_len(u64::from(tag))
}

// ---------------------------------------------------------------- sizes

/// A field with implicit presence: nothing when the value is the default.
#[inline(always)]
pub fn implicit_len<C: Codec>(tag: u32, value: &C::Value, sizes: &mut SizeCache) -> usize {
    if C::is_default(value) {
        0
    } else {
        tag_len(tag) + C::len(value, tag, sizes)
    }
}

/// A field always written (a set oneof member, a map entry part).
#[inline(always)]
pub fn value_len<C: Codec>(tag: u32, value: &C::Value, sizes: &mut SizeCache) -> usize {
    tag_len(tag) + C::len(value, tag, sizes)
}

/// A field with explicit presence.
#[inline(always)]
pub fn opt_len<C: Codec>(tag: u32, value: &Option<C::Value>, sizes: &mut SizeCache) -> usize {
    match value {
        Some(v) => tag_len(tag) + C::len(v, tag, sizes),
        None => 0,
    }
}

/// A repeated field, one tag per element.
#[inline]
pub fn repeated_len<C: Codec>(tag: u32, values: &[C::Value], sizes: &mut SizeCache) -> usize {
    let mut n = tag_len(tag) * values.len();
    for v in values {
        n += C::len(v, tag, sizes);
    }
    n
}

/// The payload length of a packed field's elements.
#[inline]
fn packed_payload<C: Packable>(values: &[C::Value]) -> usize {
    if C::FIXED_LEN > 0 {
        C::FIXED_LEN * values.len()
    } else {
        values.iter().map(|v| C::value_len(*v)).sum()
    }
}

/// A packed repeated field (`tag` has wire type `Len`); nothing when empty.
/// A varint payload's length is recorded for the write pass.
#[inline]
pub fn packed_len<C: Packable>(tag: u32, values: &[C::Value], sizes: &mut SizeCache) -> usize {
    if values.is_empty() {
        return 0;
    }
    let payload = packed_payload::<C>(values);
    if C::FIXED_LEN == 0 {
        sizes.push(payload);
    }
    tag_len(tag) + varint_len(payload as u64) + payload
}

/// Map entry tags: key is field 1, value field 2.
#[inline(always)]
const fn entry_tags<K: Codec, V: Codec>() -> (u32, u32) {
    (
        (1 << 3) | K::WIRE_TYPE as u32,
        (2 << 3) | V::WIRE_TYPE as u32,
    )
}

/// A map field: one length-delimited entry per pair, key and value always
/// written (as C++).
#[inline]
pub fn map_len<K: Codec, V: Codec, M: MapStorage<Key = K::Value, Value = V::Value>>(
    tag: u32,
    map: &M,
    sizes: &mut SizeCache,
) -> usize {
    let (key_tag, value_tag) = entry_tags::<K, V>();
    let mut n = tag_len(tag) * map.len();
    map.for_each_entry(|k, v| {
        let entry = 2 + K::len(k, key_tag, sizes) + V::len(v, value_tag, sizes);
        n += varint_len(entry as u64) + entry;
    });
    n
}

// ---------------------------------------------------------------- writes

/// Writes an implicit-presence field unless it holds the default.
#[inline(always)]
pub fn write_implicit<C: Codec>(w: &mut Writer<'_>, tag: u32, value: &C::Value) {
    if !C::is_default(value) {
        w.put_tag(tag);
        C::write(value, tag, w);
    }
}

/// Writes a field.
#[inline(always)]
pub fn write_value<C: Codec>(w: &mut Writer<'_>, tag: u32, value: &C::Value) {
    w.put_tag(tag);
    C::write(value, tag, w);
}

/// Writes an explicit-presence field when set.
#[inline(always)]
pub fn write_opt<C: Codec>(w: &mut Writer<'_>, tag: u32, value: &Option<C::Value>) {
    if let Some(v) = value {
        w.put_tag(tag);
        C::write(v, tag, w);
    }
}

/// Writes a repeated field, one tag per element.
#[inline]
pub fn write_repeated<C: Codec>(w: &mut Writer<'_>, tag: u32, values: &[C::Value]) {
    for v in values {
        w.put_tag(tag);
        C::write(v, tag, w);
    }
}

/// Writes a packed repeated field unless empty.
#[inline]
pub fn write_packed<C: Packable>(w: &mut Writer<'_>, tag: u32, values: &[C::Value]) {
    if values.is_empty() {
        return;
    }
    let payload = if C::FIXED_LEN > 0 {
        C::FIXED_LEN * values.len()
    } else {
        w.take_size()
    };
    w.put_tag(tag);
    w.put_varint(payload as u64);
    for v in values {
        C::put(*v, w);
    }
}

/// Writes a map field.
#[inline]
pub fn write_map<K: Codec, V: Codec, M: MapStorage<Key = K::Value, Value = V::Value>>(
    w: &mut Writer<'_>,
    tag: u32,
    map: &M,
) {
    let (key_tag, value_tag) = entry_tags::<K, V>();
    map.for_each_entry(|k, v| {
        let entry = 2 + K::cached_len(k, key_tag, w) + V::cached_len(v, value_tag, w);
        w.put_tag(tag);
        w.put_varint(entry as u64);
        w.put_u8(key_tag as u8);
        K::write(k, key_tag, w);
        w.put_u8(value_tag as u8);
        V::write(v, value_tag, w);
    });
}

// ---------------------------------------------------------------- merges

/// Reads one occurrence into a singular field (scalars replace, messages
/// merge).
#[inline(always)]
pub fn merge<C: Codec>(
    value: &mut C::Value,
    tag: u32,
    d: &mut Decoder<'_>,
) -> Result<(), DecodeError> {
    C::merge(value, tag, d)
}

/// Reads one occurrence into an explicit-presence field.
#[inline(always)]
pub fn merge_opt<C: Codec>(
    value: &mut Option<C::Value>,
    tag: u32,
    d: &mut Decoder<'_>,
) -> Result<(), DecodeError> {
    C::merge(value.get_or_insert_with(Default::default), tag, d)
}

/// Reads one element of a repeated field of a non-packable type (strings,
/// bytes, messages, groups).
#[inline]
pub fn merge_repeated<C: Codec>(
    values: &mut Vec<C::Value>,
    tag: u32,
    d: &mut Decoder<'_>,
) -> Result<(), DecodeError> {
    if values.len() == values.capacity() && C::WIRE_TYPE as u32 == WireType::Len as u32 {
        // About to grow: make room for the whole run of this field at once.
        values.reserve(d.count_run(tag));
    }
    let mut v = C::Value::default();
    C::merge(&mut v, tag, d)?;
    values.push(v);
    Ok(())
}

/// Reads a repeated packable field in either form: one element (the tag
/// has the type's own wire type) or a packed run (wire type `Len`).
/// Generated code routes both tags here.
#[inline]
pub fn merge_packable<C: Packable>(
    values: &mut Vec<C::Value>,
    tag: u32,
    d: &mut Decoder<'_>,
) -> Result<(), DecodeError> {
    if tag & 7 == WireType::Len as u32 {
        merge_packed::<C>(values, d)
    } else {
        values.push(C::read(d)?);
        Ok(())
    }
}

fn merge_packed<C: Packable>(
    values: &mut Vec<C::Value>,
    d: &mut Decoder<'_>,
) -> Result<(), DecodeError> {
    let payload = d.read_slice()?;
    C::read_packed(payload, values)
}

/// Reads a fresh value (for a oneof member being replaced).
#[inline(always)]
pub fn decode<C: Codec>(tag: u32, d: &mut Decoder<'_>) -> Result<C::Value, DecodeError> {
    let mut v = C::Value::default();
    C::merge(&mut v, tag, d)?;
    Ok(v)
}

/// Reads one occurrence of a oneof member: merged into the member when it
/// is already the one set (messages merge, scalars replace), otherwise the
/// oneof is set to a fresh value with `wrap`.
#[inline]
pub fn merge_oneof<C: Codec, O>(
    slot: &mut Option<O>,
    tag: u32,
    d: &mut Decoder<'_>,
    project: impl FnOnce(&mut O) -> Option<&mut C::Value>,
    wrap: impl FnOnce(C::Value) -> O,
) -> Result<(), DecodeError> {
    if let Some(current) = slot.as_mut() {
        if let Some(value) = project(current) {
            return C::merge(value, tag, d);
        }
    }
    let v = decode::<C>(tag, d)?;
    *slot = Some(wrap(v));
    Ok(())
}

/// Reads one map entry into `map` (C++ semantics: a missing key or value is
/// the default, the last duplicate key wins, other fields inside the entry
/// are skipped, a message value read twice is merged).
#[inline]
pub fn merge_map<K: Codec, V: Codec, M: MapStorage<Key = K::Value, Value = V::Value>>(
    map: &mut M,
    tag: u32,
    d: &mut Decoder<'_>,
) -> Result<(), DecodeError> {
    if map.is_full() {
        map.reserve(d.count_run(tag));
    }
    let (k, v) = read_entry::<K, V>(d)?;
    map.insert(k, v);
    Ok(())
}

fn read_entry<K: Codec, V: Codec>(
    d: &mut Decoder<'_>,
) -> Result<(K::Value, V::Value), DecodeError> {
    let (key_tag, value_tag) = entry_tags::<K, V>();
    d.limited(|d| {
        let mut key = K::Value::default();
        let mut value = V::Value::default();
        while !d.at_end() {
            let t = d.read_tag()?;
            if t == key_tag {
                K::merge(&mut key, t, d)?;
            } else if t == value_tag {
                V::merge(&mut value, t, d)?;
            } else if t & 7 == WireType::EndGroup as u32 {
                return Err(DecodeError::with_detail(
                    DecodeErrorKind::EndGroupMismatch,
                    "end-group tag inside a map entry",
                ));
            } else {
                d.skip(t)?;
            }
        }
        Ok((key, value))
    })
}

/// Reads one occurrence of a closed enum field: `Some` for a number the
/// enum names; otherwise the number goes to `unknown` (as a varint field,
/// as C++ does) and the field is left alone.
#[inline]
pub fn read_closed<E: Enum>(
    tag: u32,
    d: &mut Decoder<'_>,
    unknown: &mut UnknownFields,
) -> Result<Option<E>, DecodeError> {
    let raw = d.read_varint()? as u32 as i32;
    match E::from_i32(raw) {
        Some(e) => Ok(Some(e)),
        None => {
            unknown.push_varint(tag_number(tag), raw as i64 as u64);
            Ok(None)
        }
    }
}

/// Reads a repeated closed enum field in either form; numbers the enum does
/// not name go to `unknown`, each as its own varint field (also from inside
/// a packed run, as C++).
#[inline]
pub fn merge_closed_repeated<E: Enum>(
    values: &mut Vec<E>,
    tag: u32,
    d: &mut Decoder<'_>,
    unknown: &mut UnknownFields,
) -> Result<(), DecodeError> {
    if tag & 7 != WireType::Len as u32 {
        if let Some(e) = read_closed::<E>(tag, d, unknown)? {
            values.push(e);
        }
        return Ok(());
    }
    d.limited(|d| {
        while !d.at_end() {
            if let Some(e) = read_closed::<E>(tag, d, unknown)? {
                values.push(e);
            }
        }
        Ok(())
    })
}

/// Reads one entry of a map whose values are a closed enum: an entry whose
/// value the enum does not name goes whole to `unknown`, re-encoded as C++
/// does (key, then the value as an `int32`).
#[inline]
pub fn merge_map_closed<K: Codec, E: Enum, M: MapStorage<Key = K::Value, Value = E>>(
    map: &mut M,
    tag: u32,
    d: &mut Decoder<'_>,
    unknown: &mut UnknownFields,
) -> Result<(), DecodeError> {
    let (key, raw) = read_entry::<K, Int32>(d)?;
    match E::from_i32(raw) {
        Some(e) => map.insert(key, e),
        None => {
            let (key_tag, value_tag) = entry_tags::<K, Int32>();
            let mut sizes = SizeCache::new();
            let _ = K::len(&key, key_tag, &mut sizes);
            let mut entry = Vec::new();
            let mut w = Writer::new(&mut entry, &sizes);
            write_value::<K>(&mut w, key_tag, &key);
            write_value::<Int32>(&mut w, value_tag, &raw);
            drop(w);
            unknown.push_len(tag_number(tag), &entry);
        }
    }
    Ok(())
}

/// Reads any field this message's schema does not know into `unknown`.
#[inline]
pub fn merge_unknown(
    tag: u32,
    d: &mut Decoder<'_>,
    unknown: &mut UnknownFields,
) -> Result<(), DecodeError> {
    d.skip_unknown(tag, unknown)
}

// ---------------------------------------------------------------- maps

/// The map types a map field can be stored in: `HashMap` (any hasher) and
/// `BTreeMap` (deterministic encoding order).
pub trait MapStorage: Default {
    /// The key type.
    type Key;
    /// The value type.
    type Value;
    /// Number of entries.
    fn len(&self) -> usize;
    /// True when empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Inserts or replaces an entry.
    fn insert(&mut self, key: Self::Key, value: Self::Value);
    /// True when the next insert of a new key would grow the storage.
    fn is_full(&self) -> bool {
        false
    }
    /// Makes room for `additional` more entries.
    fn reserve(&mut self, additional: usize) {
        let _ = additional;
    }
    /// Visits every entry, in the same order on every call while the map is
    /// unchanged (the size and write passes rely on it).
    fn for_each_entry(&self, f: impl FnMut(&Self::Key, &Self::Value));
}

impl<K: Hash + Eq, V, S: BuildHasher + Default> MapStorage for HashMap<K, V, S> {
    type Key = K;
    type Value = V;

    #[inline]
    fn len(&self) -> usize {
        HashMap::len(self)
    }

    #[inline]
    fn insert(&mut self, key: K, value: V) {
        HashMap::insert(self, key, value);
    }

    #[inline]
    fn is_full(&self) -> bool {
        HashMap::len(self) == HashMap::capacity(self)
    }

    #[inline]
    fn reserve(&mut self, additional: usize) {
        HashMap::reserve(self, additional);
    }

    #[inline]
    fn for_each_entry(&self, mut f: impl FnMut(&K, &V)) {
        for (k, v) in self {
            f(k, v);
        }
    }
}

impl<K: Ord, V> MapStorage for BTreeMap<K, V> {
    type Key = K;
    type Value = V;

    #[inline]
    fn len(&self) -> usize {
        BTreeMap::len(self)
    }

    #[inline]
    fn insert(&mut self, key: K, value: V) {
        BTreeMap::insert(self, key, value);
    }

    #[inline]
    fn for_each_entry(&self, mut f: impl FnMut(&K, &V)) {
        for (k, v) in self {
            f(k, v);
        }
    }
}
