//! How the transport meets messages: a [`Codec`] turns outgoing items into
//! bytes and received bytes into items. The transport never knows message
//! types; generated code passes a codec for each method, and [`BytesCodec`]
//! passes raw bytes through.

use std::marker::PhantomData;

use bytes::{BufMut, Bytes, BytesMut};

use crate::Status;

/// Encodes the messages one side sends and decodes the ones it receives.
///
/// A client's codec encodes requests and decodes responses; a server's codec
/// encodes responses and decodes requests.
pub trait Codec: Send + 'static {
    /// The type sent.
    type Encode: Send + 'static;
    /// The type received.
    type Decode: Send + 'static;

    /// Appends the encoding of `item` to `buf`. An error ends the call with
    /// that status (use `INTERNAL` for a message that cannot be encoded).
    fn encode(&mut self, item: Self::Encode, buf: &mut BytesMut) -> Result<(), Status>;

    /// Decodes one received message. `buf` is exactly the message's bytes;
    /// when the message arrived in one DATA frame it shares that frame's
    /// allocation (no copy was made). An error ends the call with that
    /// status (`INTERNAL` for bytes that do not parse, as gRPC does).
    fn decode(&mut self, buf: Bytes) -> Result<Self::Decode, Status>;
}

/// The identity codec: messages are [`Bytes`], sent and received unchanged.
#[derive(Clone, Copy, Debug, Default)]
pub struct BytesCodec;

impl Codec for BytesCodec {
    type Encode = Bytes;
    type Decode = Bytes;

    fn encode(&mut self, item: Bytes, buf: &mut BytesMut) -> Result<(), Status> {
        buf.put(item);
        Ok(())
    }

    fn decode(&mut self, buf: Bytes) -> Result<Bytes, Status> {
        Ok(buf)
    }
}

/// A codec from two functions, handy for tests and small programs.
pub struct FnCodec<E, D, FE, FD> {
    encode: FE,
    decode: FD,
    _types: PhantomData<fn(E) -> D>,
}

impl<E, D, FE, FD> FnCodec<E, D, FE, FD>
where
    FE: FnMut(E, &mut BytesMut) -> Result<(), Status>,
    FD: FnMut(Bytes) -> Result<D, Status>,
{
    /// A codec that encodes with `encode` and decodes with `decode`.
    pub fn new(encode: FE, decode: FD) -> Self {
        FnCodec {
            encode,
            decode,
            _types: PhantomData,
        }
    }
}

impl<E, D, FE, FD> std::fmt::Debug for FnCodec<E, D, FE, FD> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnCodec")
    }
}

impl<E, D, FE, FD> Codec for FnCodec<E, D, FE, FD>
where
    E: Send + 'static,
    D: Send + 'static,
    FE: FnMut(E, &mut BytesMut) -> Result<(), Status> + Send + 'static,
    FD: FnMut(Bytes) -> Result<D, Status> + Send + 'static,
{
    type Encode = E;
    type Decode = D;

    fn encode(&mut self, item: E, buf: &mut BytesMut) -> Result<(), Status> {
        (self.encode)(item, buf)
    }

    fn decode(&mut self, buf: Bytes) -> Result<D, Status> {
        (self.decode)(buf)
    }
}

/// An outgoing message with per-message options. Anything that is
/// `Into<Outbound<T>>` can be sent where a `T` is expected, so plain
/// messages work unchanged.
#[derive(Clone, Debug)]
pub struct Outbound<T> {
    pub(crate) message: T,
    pub(crate) compress: Option<bool>,
}

impl<T> Outbound<T> {
    /// The message with the call's default compression.
    pub fn new(message: T) -> Outbound<T> {
        Outbound {
            message,
            compress: None,
        }
    }

    /// Whether to compress this message. Only effective when the call has a
    /// compression encoding; `false` sends it uncompressed (flag 0) on a
    /// compressed call.
    pub fn compress(mut self, compress: bool) -> Outbound<T> {
        self.compress = Some(compress);
        self
    }

    /// The message.
    pub fn into_inner(self) -> T {
        self.message
    }
}

impl<T> From<T> for Outbound<T> {
    fn from(message: T) -> Outbound<T> {
        Outbound::new(message)
    }
}
