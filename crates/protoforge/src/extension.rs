//! Extensions: the [`ExtensionSet`] a message with extension ranges holds,
//! and the typed [`Extension`] / [`RepeatedExtension`] descriptors generated
//! code declares as constants.
//!
//! The set keeps each extension field's raw bytes as read (there is no
//! global registry to say which extensions exist), and a typed accessor
//! decodes them on demand; setting an extension stores its encoding. So an
//! extension nobody reads survives a decode/encode round trip byte for byte,
//! like an unknown field, but is written in its place among the fields.
//!
//! Closed-enum extensions are the exception, because C++ decides at parse
//! time where their numbers go: a number the enum does not name goes to the
//! message's unknown fields, the others stay in the extension. The
//! extendee's generated `merge_field` knows the closed-enum extensions that
//! were generated with it and sends them through
//! [`ExtensionSet::merge_closed`] and [`ExtensionSet::merge_closed_repeated`],
//! which do that (as C++'s generated pool does for the extensions linked
//! in). An extension the extendee's code does not know (declared in a crate
//! generated separately) is kept raw, and such a number reads as absent.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use crate::codec::{Codec, Packable};
use crate::decode::{DecodeOptions, Decoder};
use crate::encode::{SizeCache, Writer, put_varint};
use crate::enums::Enum;
use crate::error::DecodeError;
use crate::field;
use crate::message::Message;
use crate::unknown::UnknownFields;
use crate::wire::{WireType, tag, tag_number, varint_len};

/// The extension fields of one message, by field number, as raw encoded
/// fields (tags included) in the order they were read or set.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct ExtensionSet {
    fields: BTreeMap<u32, Vec<u8>>,
}

impl ExtensionSet {
    /// No extensions.
    pub const fn new() -> ExtensionSet {
        ExtensionSet {
            fields: BTreeMap::new(),
        }
    }

    /// True when no extension is set.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// True when extension field `number` is present.
    pub fn contains(&self, number: u32) -> bool {
        self.fields.contains_key(&number)
    }

    /// Removes extension field `number`.
    pub fn remove(&mut self, number: u32) {
        self.fields.remove(&number);
    }

    /// Removes every extension.
    pub fn clear(&mut self) {
        self.fields.clear();
    }

    /// The field numbers present, ascending.
    pub fn numbers(&self) -> impl Iterator<Item = u32> + '_ {
        self.fields.keys().copied()
    }

    /// The raw encoded occurrences of field `number` (tags included).
    pub fn raw(&self, number: u32) -> Option<&[u8]> {
        self.fields.get(&number).map(Vec::as_slice)
    }

    /// Reads the field with `tag` (already read; its number is in one of
    /// the message's extension ranges) and keeps its raw bytes.
    #[inline]
    pub fn merge_field(&mut self, tag: u32, d: &mut Decoder<'_>) -> Result<(), DecodeError> {
        let start = d.tag_start(tag);
        d.skip(tag)?;
        self.fields
            .entry(tag_number(tag))
            .or_default()
            .extend_from_slice(d.since(start));
        Ok(())
    }

    /// Reads an occurrence of a singular closed-enum extension (varint
    /// `tag`, already read): a number `E` names is kept as the extension's
    /// value, any other goes to `unknown` as a varint field, as C++ does.
    #[inline(never)]
    pub fn merge_closed<E: Enum>(
        &mut self,
        tag: u32,
        d: &mut Decoder<'_>,
        unknown: &mut UnknownFields,
    ) -> Result<(), DecodeError> {
        if let Some(e) = field::read_closed::<E>(tag, d, unknown)? {
            let raw = self.fields.entry(tag_number(tag)).or_default();
            put_varint(raw, u64::from(tag));
            put_varint(raw, e.to_i32() as i64 as u64);
        }
        Ok(())
    }

    /// Reads an occurrence of a repeated closed-enum extension, packed or
    /// not (`tag` already read): numbers `E` names are kept, written as the
    /// extension is declared (`packed`, one run per occurrence, or one
    /// varint field each, as C++ writes them); any other number goes to
    /// `unknown` as its own varint field.
    #[inline(never)]
    pub fn merge_closed_repeated<E: Enum>(
        &mut self,
        tag: u32,
        d: &mut Decoder<'_>,
        packed: bool,
        unknown: &mut UnknownFields,
    ) -> Result<(), DecodeError> {
        let mut values: Vec<E> = Vec::new();
        field::merge_closed_repeated::<E>(&mut values, tag, d, unknown)?;
        if values.is_empty() {
            return Ok(());
        }
        let number = tag_number(tag);
        let raw = self.fields.entry(number).or_default();
        if packed {
            let payload: usize = values
                .iter()
                .map(|v| varint_len(v.to_i32() as i64 as u64))
                .sum();
            put_varint(raw, u64::from(crate::wire::tag(number, WireType::Len)));
            put_varint(raw, payload as u64);
            for v in values {
                put_varint(raw, v.to_i32() as i64 as u64);
            }
        } else {
            let varint_tag = u64::from(crate::wire::tag(number, WireType::Varint));
            for v in values {
                put_varint(raw, varint_tag);
                put_varint(raw, v.to_i32() as i64 as u64);
            }
        }
        Ok(())
    }

    /// Encoded length of every extension.
    pub fn encoded_len(&self) -> usize {
        self.fields.values().map(Vec::len).sum()
    }

    /// Encoded length of the extensions numbered `start..end`.
    pub fn encoded_len_range(&self, start: u32, end: u32) -> usize {
        self.fields.range(start..end).map(|(_, v)| v.len()).sum()
    }

    /// Writes every extension, by field number.
    pub fn write(&self, w: &mut Writer<'_>) {
        for raw in self.fields.values() {
            w.put_slice(raw);
        }
    }

    /// Writes the extensions numbered `start..end` (generated code writes
    /// each extension range in its place among the fields, as C++).
    pub fn write_range(&self, w: &mut Writer<'_>, start: u32, end: u32) {
        for (_, raw) in self.fields.range(start..end) {
            w.put_slice(raw);
        }
    }

    fn decoder<'a>(raw: &'a [u8], options: &DecodeOptions) -> Decoder<'a> {
        Decoder::new(raw, options)
    }

    fn set_raw(&mut self, number: u32, raw: Vec<u8>) {
        if raw.is_empty() {
            self.fields.remove(&number);
        } else {
            self.fields.insert(number, raw);
        }
    }
}

impl fmt::Debug for ExtensionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.fields.iter().map(|(n, raw)| (n, raw.len())))
            .finish()
    }
}

/// A singular extension field of messages `M`, of codec `C`.
///
/// Generated code declares one as a constant:
/// `pub const FOO: Extension<Extendee, codec::Int32> = Extension::new(100, "pkg.foo");`
pub struct Extension<M, C> {
    number: u32,
    name: &'static str,
    _types: PhantomData<fn() -> (M, C)>,
}

impl<M, C> Extension<M, C> {
    /// The extension field `number`, full name `name`.
    pub const fn new(number: u32, name: &'static str) -> Extension<M, C> {
        Extension {
            number,
            name,
            _types: PhantomData,
        }
    }

    /// The field number.
    pub const fn number(&self) -> u32 {
        self.number
    }

    /// The extension's full name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<M, C> fmt::Debug for Extension<M, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Extension({} = {})", self.name, self.number)
    }
}

/// A repeated extension field of messages `M`, of codec `C`; `packed` says
/// how it is written (both forms are read).
pub struct RepeatedExtension<M, C> {
    number: u32,
    name: &'static str,
    packed: bool,
    _types: PhantomData<fn() -> (M, C)>,
}

impl<M, C> RepeatedExtension<M, C> {
    /// The repeated extension field `number`, full name `name`.
    pub const fn new(number: u32, name: &'static str, packed: bool) -> RepeatedExtension<M, C> {
        RepeatedExtension {
            number,
            name,
            packed,
            _types: PhantomData,
        }
    }

    /// The field number.
    pub const fn number(&self) -> u32 {
        self.number
    }

    /// The extension's full name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<M, C> fmt::Debug for RepeatedExtension<M, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RepeatedExtension({} = {})", self.name, self.number)
    }
}

/// A message with extension ranges: typed access to its extensions.
///
/// Generated code implements the two accessors; the typed methods are
/// provided.
pub trait Extendable: Message {
    /// The message's extensions.
    fn extensions(&self) -> &ExtensionSet;

    /// Mutable access to the message's extensions.
    fn extensions_mut(&mut self) -> &mut ExtensionSet;

    /// True when the extension is present.
    fn has_extension<C: Codec>(&self, ext: &Extension<Self, C>) -> bool {
        self.extensions().contains(ext.number)
    }

    /// The extension's value, `None` when absent. Occurrences are combined
    /// as in a regular field: the last scalar wins, messages merge.
    fn extension<C: Codec>(
        &self,
        ext: &Extension<Self, C>,
    ) -> Result<Option<C::Value>, DecodeError> {
        let Some(raw) = self.extensions().raw(ext.number) else {
            return Ok(None);
        };
        let options = DecodeOptions::new();
        let mut d = ExtensionSet::decoder(raw, &options);
        let wanted = tag(ext.number, C::WIRE_TYPE);
        let mut value: Option<C::Value> = None;
        while !d.at_end() {
            let t = d.read_tag()?;
            if t == wanted {
                field::merge_opt::<C>(&mut value, t, &mut d)?;
            } else {
                d.skip(t)?;
            }
        }
        Ok(value)
    }

    /// Sets the extension.
    fn set_extension<C: Codec>(&mut self, ext: &Extension<Self, C>, value: &C::Value) {
        let wanted = tag(ext.number, C::WIRE_TYPE);
        let mut sizes = SizeCache::new();
        let len = field::value_len::<C>(wanted, value, &mut sizes);
        let mut raw = Vec::with_capacity(len);
        field::write_value::<C>(&mut Writer::new(&mut raw, &sizes), wanted, value);
        self.extensions_mut().set_raw(ext.number, raw);
    }

    /// Removes the extension.
    fn clear_extension<C: Codec>(&mut self, ext: &Extension<Self, C>) {
        self.extensions_mut().remove(ext.number);
    }

    /// The repeated extension's elements (empty when absent), read from
    /// packed and unpacked occurrences alike. For a closed enum, numbers
    /// the enum does not name are skipped (they are only here when the
    /// extendee's code did not know the extension when it was decoded).
    fn repeated_extension<C: Packable>(
        &self,
        ext: &RepeatedExtension<Self, C>,
    ) -> Result<Vec<C::Value>, DecodeError> {
        let mut out = Vec::new();
        let Some(raw) = self.extensions().raw(ext.number) else {
            return Ok(out);
        };
        let options = DecodeOptions::new();
        let mut d = ExtensionSet::decoder(raw, &options);
        let unpacked = tag(ext.number, C::WIRE_TYPE);
        let packed = tag(ext.number, WireType::Len);
        while !d.at_end() {
            let t = d.read_tag()?;
            if t == packed {
                let payload = d.read_slice()?;
                let mut run = ExtensionSet::decoder(payload, &options);
                while !run.at_end() {
                    out.extend(C::read_known(&mut run)?);
                }
            } else if t == unpacked {
                out.extend(C::read_known(&mut d)?);
            } else {
                d.skip(t)?;
            }
        }
        Ok(out)
    }

    /// The repeated extension's elements, for types that cannot be packed
    /// (strings, bytes, messages, groups).
    fn repeated_extension_values<C: Codec>(
        &self,
        ext: &RepeatedExtension<Self, C>,
    ) -> Result<Vec<C::Value>, DecodeError> {
        let mut out = Vec::new();
        let Some(raw) = self.extensions().raw(ext.number) else {
            return Ok(out);
        };
        let options = DecodeOptions::new();
        let mut d = ExtensionSet::decoder(raw, &options);
        let wanted = tag(ext.number, C::WIRE_TYPE);
        while !d.at_end() {
            let t = d.read_tag()?;
            if t == wanted {
                field::merge_repeated::<C>(&mut out, t, &mut d)?;
            } else {
                d.skip(t)?;
            }
        }
        Ok(out)
    }

    /// Replaces the repeated extension's elements (packed when the
    /// extension says so and the type allows).
    fn set_repeated_extension<C: Packable>(
        &mut self,
        ext: &RepeatedExtension<Self, C>,
        values: &[C::Value],
    ) {
        let mut sizes = SizeCache::new();
        let mut raw = Vec::new();
        if ext.packed {
            let packed = tag(ext.number, WireType::Len);
            field::packed_len::<C>(packed, values, &mut sizes);
            field::write_packed::<C>(&mut Writer::new(&mut raw, &sizes), packed, values);
        } else {
            let wanted = tag(ext.number, C::WIRE_TYPE);
            field::repeated_len::<C>(wanted, values, &mut sizes);
            field::write_repeated::<C>(&mut Writer::new(&mut raw, &sizes), wanted, values);
        }
        self.extensions_mut().set_raw(ext.number, raw);
    }

    /// Replaces the repeated extension's elements, for types that cannot be
    /// packed.
    fn set_repeated_extension_values<C: Codec>(
        &mut self,
        ext: &RepeatedExtension<Self, C>,
        values: &[C::Value],
    ) {
        let wanted = tag(ext.number, C::WIRE_TYPE);
        let mut sizes = SizeCache::new();
        field::repeated_len::<C>(wanted, values, &mut sizes);
        let mut raw = Vec::new();
        field::write_repeated::<C>(&mut Writer::new(&mut raw, &sizes), wanted, values);
        self.extensions_mut().set_raw(ext.number, raw);
    }

    /// Removes the repeated extension.
    fn clear_repeated_extension<C: Codec>(&mut self, ext: &RepeatedExtension<Self, C>) {
        self.extensions_mut().remove(ext.number);
    }
}
