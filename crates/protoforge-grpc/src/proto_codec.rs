//! [`ProtoCodec`]: the one place the transport meets the `protoforge`
//! message runtime, behind the `protoforge-codec` feature (on by default).
//! Generated service code passes a `ProtoCodec<Encode, Decode>` for every
//! method; the rest of the crate still sees only the [`Codec`] trait, so
//! with the feature off protoforge-grpc does not depend on the runtime at
//! all.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

use bytes::{Bytes, BytesMut};
use protoforge::{Message, SizeCache, Writer};

use crate::{Codec, Status};

/// The scratch buffer an encoder keeps between messages is dropped when it
/// has grown past this many bytes, so one large message does not pin its
/// memory to the thread.
const SCRATCH_KEEP: usize = 64 * 1024;

/// The [`Codec`] for `protoforge` messages: encodes `E`, decodes `D`.
///
/// A client's codec for a method `rpc M(Req) returns (Resp)` is
/// `ProtoCodec<Req, Resp>`; the server's is `ProtoCodec<Resp, Req>`.
/// Decoding uses the runtime's defaults (recursion limit, required fields
/// checked) and shares the received buffer with `bytes::Bytes` fields; a
/// message that does not decode ends the call with `INTERNAL`, as in gRPC's
/// own implementations. Encoding does not check required fields (as C++'s
/// release builds do not).
///
/// ```
/// use protoforge_grpc::{Codec, ProtoCodec};
/// use protoforge::wkt::Duration;
///
/// let mut codec = ProtoCodec::<Duration, Duration>::default();
/// let mut buf = bytes::BytesMut::new();
/// codec.encode(Duration { seconds: 3, ..Default::default() }, &mut buf).unwrap();
/// assert_eq!(&buf[..], [0x08, 0x03]);
/// assert_eq!(codec.decode(buf.freeze()).unwrap().seconds, 3);
/// ```
pub struct ProtoCodec<E, D> {
    _types: PhantomData<fn(E) -> D>,
}

impl<E, D> ProtoCodec<E, D> {
    /// The codec.
    pub const fn new() -> Self {
        ProtoCodec {
            _types: PhantomData,
        }
    }
}

impl<E, D> Default for ProtoCodec<E, D> {
    fn default() -> Self {
        ProtoCodec::new()
    }
}

impl<E, D> Clone for ProtoCodec<E, D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E, D> Copy for ProtoCodec<E, D> {}

impl<E, D> fmt::Debug for ProtoCodec<E, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProtoCodec")
    }
}

/// The size cache and output buffer of the last encode on this thread,
/// reused so encoding a message allocates nothing in the steady state.
#[derive(Default)]
struct Scratch {
    sizes: SizeCache,
    out: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Encodes `item` through `scratch` and appends the bytes to `buf`.
///
/// The runtime's writer appends to a `Vec<u8>` and the transport frames into
/// a `BytesMut`, so the encoding is copied once; the scratch buffers make
/// that copy the only cost beyond the encoding itself.
fn encode_into<M: Message>(item: &M, scratch: &mut Scratch, buf: &mut BytesMut) {
    let Scratch { sizes, out } = scratch;
    sizes.clear();
    out.clear();
    let len = item.compute_size(sizes);
    out.reserve(len);
    item.write(&mut Writer::new(out, sizes));
    buf.extend_from_slice(out);
    if out.capacity() > SCRATCH_KEEP {
        *out = Vec::new();
    }
}

impl<E: Message, D: Message> Codec for ProtoCodec<E, D> {
    type Encode = E;
    type Decode = D;

    fn encode(&mut self, item: E, buf: &mut BytesMut) -> Result<(), Status> {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => encode_into(&item, &mut scratch, buf),
            // Only reachable if an encode re-entered another on this
            // thread; a fresh scratch keeps it correct.
            Err(_) => encode_into(&item, &mut Scratch::default(), buf),
        });
        Ok(())
    }

    fn decode(&mut self, buf: Bytes) -> Result<D, Status> {
        D::decode_bytes(&buf)
            .map_err(|e| Status::internal(format!("failed to decode {}: {e}", D::NAME)))
    }
}
