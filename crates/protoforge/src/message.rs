//! The [`Message`] trait: what every generated message implements (three
//! small methods and two constants), and the encode/decode entry points
//! users call, provided on top of them.

use std::fmt;

use bytes::Bytes;

use crate::codec::message_len;
use crate::decode::{DecodeOptions, Decoder, merge_loop};
use crate::encode::{SizeCache, Writer};
use crate::error::{DecodeError, DecodeErrorKind, MissingRequired};
use crate::unknown::UnknownFields;
use crate::wire::varint_len;

/// A protobuf message.
///
/// Generated code implements the required items (see
/// `docs/generated-code.md`); users call the provided methods.
///
/// ```
/// use protoforge::Message;
/// use protoforge::wkt::Duration;
/// let d = Duration { seconds: 3, nanos: 500, ..Default::default() };
/// let bytes = d.encode_to_vec();
/// assert_eq!(bytes, [0x08, 0x03, 0x10, 0xf4, 0x03]);
/// assert_eq!(Duration::decode(&bytes).unwrap(), d);
/// ```
pub trait Message: Default + Clone + PartialEq + fmt::Debug + Send + Sync + 'static {
    /// The message's full protobuf name, `pkg.Outer.Inner`.
    const NAME: &'static str;

    /// Field numbers and names, for error messages (any order; unlisted
    /// fields are reported by number).
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[];

    /// Size pass: the encoded length of the message's fields, recording
    /// every submessage's length in `sizes` (generated; call
    /// [`Message::encoded_len`] instead).
    fn compute_size(&self, sizes: &mut SizeCache) -> usize;

    /// Write pass: writes the message's fields in the order `compute_size`
    /// visited them (generated; call [`Message::encode`] instead).
    fn write(&self, w: &mut Writer<'_>);

    /// Reads the value of the field with `tag` (already read) and merges it
    /// into `self`; an unknown tag goes to the unknown fields (generated).
    fn merge_field(&mut self, tag: u32, d: &mut Decoder<'_>) -> Result<(), DecodeError>;

    /// Reports unset required fields, here and in submessages (generated for
    /// messages that can hold a required field; the default has none).
    fn check_required(&self, check: &mut RequiredCheck) {
        let _ = check;
    }

    /// The fields this message's schema did not know when it was decoded.
    fn unknown_fields(&self) -> &UnknownFields;

    /// Mutable access to the unknown fields.
    fn unknown_fields_mut(&mut self) -> &mut UnknownFields;

    /// The encoded length in bytes.
    fn encoded_len(&self) -> usize {
        let mut sizes = SizeCache::new();
        self.compute_size(&mut sizes)
    }

    /// Appends the encoding to `buf`.
    fn encode(&self, buf: &mut Vec<u8>) {
        let mut sizes = SizeCache::new();
        let len = self.compute_size(&mut sizes);
        buf.reserve(len);
        self.write(&mut Writer::new(buf, &sizes));
    }

    /// The encoding as a new vector of exactly the encoded length.
    fn encode_to_vec(&self) -> Vec<u8> {
        let mut sizes = SizeCache::new();
        let len = self.compute_size(&mut sizes);
        let mut buf = Vec::with_capacity(len);
        self.write(&mut Writer::new(&mut buf, &sizes));
        buf
    }

    /// Appends the encoding preceded by its length as a varint (the framing
    /// of `writeDelimitedTo` in other implementations).
    fn encode_length_delimited(&self, buf: &mut Vec<u8>) {
        let mut sizes = SizeCache::new();
        let len = message_len(self, &mut sizes);
        buf.reserve(varint_len(len as u64) + len);
        let mut w = Writer::new(buf, &sizes);
        let n = w.take_size();
        w.put_varint(n as u64);
        self.write(&mut w);
    }

    /// Decodes a message with the default options.
    fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        Self::decode_with(buf, &DecodeOptions::new())
    }

    /// Decodes a message with `options`.
    fn decode_with(buf: &[u8], options: &DecodeOptions) -> Result<Self, DecodeError> {
        let mut msg = Self::default();
        msg.merge_with(buf, options)?;
        Ok(msg)
    }

    /// Decodes a message from a `Bytes` buffer: `bytes::Bytes` fields share
    /// it instead of copying.
    fn decode_bytes(buf: &Bytes) -> Result<Self, DecodeError> {
        Self::decode_bytes_with(buf, &DecodeOptions::new())
    }

    /// [`Message::decode_bytes`] with `options`.
    fn decode_bytes_with(buf: &Bytes, options: &DecodeOptions) -> Result<Self, DecodeError> {
        let mut msg = Self::default();
        let mut d = Decoder::from_bytes(buf, options);
        merge_loop(&mut msg, &mut d)?;
        if options.checks_required() {
            msg.check_initialized()?;
        }
        Ok(msg)
    }

    /// Merges an encoded message into `self`: scalars are replaced, repeated
    /// fields appended, submessages merged, as in every implementation.
    fn merge(&mut self, buf: &[u8]) -> Result<(), DecodeError> {
        self.merge_with(buf, &DecodeOptions::new())
    }

    /// [`Message::merge`] with `options`.
    fn merge_with(&mut self, buf: &[u8], options: &DecodeOptions) -> Result<(), DecodeError> {
        let mut d = Decoder::new(buf, options);
        merge_loop(self, &mut d)?;
        if options.checks_required() {
            self.check_initialized()?;
        }
        Ok(())
    }

    /// Decodes a message preceded by its length as a varint, as written by
    /// [`Message::encode_length_delimited`]; returns it and the bytes used.
    fn decode_length_delimited(buf: &[u8]) -> Result<(Self, usize), DecodeError> {
        let options = DecodeOptions::new();
        let mut d = Decoder::new(buf, &options);
        let len = d.read_len()?;
        let start = buf.len() - d.remaining();
        let body = buf
            .get(start..start + len)
            .ok_or_else(|| DecodeError::new(DecodeErrorKind::LengthPastEnd))?;
        Ok((Self::decode_with(body, &options)?, start + len))
    }

    /// Checks that every required field is set, here and in submessages.
    fn check_initialized(&self) -> Result<(), MissingRequired> {
        let mut check = RequiredCheck::new();
        self.check_required(&mut check);
        match check.missing {
            None => Ok(()),
            Some(field_path) => Err(MissingRequired {
                message: Self::NAME,
                field_path,
            }),
        }
    }

    /// Resets every field to its default.
    fn clear(&mut self) {
        *self = Self::default();
    }
}

/// Collects the path of the first unset required field, for
/// [`Message::check_required`].
#[derive(Debug, Default)]
pub struct RequiredCheck {
    path: Vec<Segment>,
    missing: Option<String>,
}

#[derive(Debug)]
struct Segment {
    name: &'static str,
    index: Option<usize>,
}

impl RequiredCheck {
    /// A check that has found nothing missing.
    pub fn new() -> RequiredCheck {
        RequiredCheck::default()
    }

    /// True once a missing field was found (later checks may stop early).
    #[inline]
    pub fn found(&self) -> bool {
        self.missing.is_some()
    }

    /// Records the required field `name` as missing unless `present`.
    #[inline]
    pub fn field(&mut self, name: &'static str, present: bool) {
        if !present && self.missing.is_none() {
            self.record(name);
        }
    }

    #[cold]
    fn record(&mut self, name: &'static str) {
        let mut out = String::new();
        for segment in &self.path {
            out.push_str(segment.name);
            if let Some(i) = segment.index {
                out.push_str(&format!("[{i}]"));
            }
            out.push('.');
        }
        out.push_str(name);
        self.missing = Some(out);
    }

    /// Checks a submessage held in field `name`.
    #[inline]
    pub fn message<M: Message>(&mut self, name: &'static str, msg: Option<&M>) {
        if let (Some(msg), None) = (msg, &self.missing) {
            self.path.push(Segment { name, index: None });
            msg.check_required(self);
            self.path.pop();
        }
    }

    /// Checks the submessages of a repeated field (or a map's values) `name`.
    #[inline]
    pub fn messages<'m, M: Message>(
        &mut self,
        name: &'static str,
        msgs: impl IntoIterator<Item = &'m M>,
    ) {
        for (i, msg) in msgs.into_iter().enumerate() {
            if self.missing.is_some() {
                return;
            }
            self.path.push(Segment {
                name,
                index: Some(i),
            });
            msg.check_required(self);
            self.path.pop();
        }
    }
}
