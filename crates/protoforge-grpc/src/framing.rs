//! Length-prefixed messages: a one-byte compressed flag, a four-byte
//! big-endian length, the message. DATA frame boundaries mean nothing: a
//! message may span frames and a frame may hold several messages. The
//! [`Decoder`] keeps received frames as `Bytes` and hands out a message that
//! lies within one frame as a slice of it, without copying.

use std::cell::RefCell;
use std::collections::VecDeque;

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::Status;
use crate::codec::Codec;
use crate::compression::{self, Encoding};
use crate::limits::ENCODE_BLOCK_BYTES;

/// Size of the message prefix.
pub(crate) const PREFIX: usize = 5;

thread_local! {
    /// The block frames are cut from (see [`ENCODE_BLOCK_BYTES`]).
    static BLOCK: RefCell<BytesMut> = RefCell::new(BytesMut::new());
}

/// Encodes outgoing messages.
pub(crate) struct Encoder<C> {
    pub(crate) codec: C,
    scratch: BytesMut,
    encoding: Encoding,
    max_send: usize,
}

impl<C: Codec> Encoder<C> {
    pub(crate) fn new(codec: C, encoding: Encoding, max_send: usize) -> Self {
        Encoder {
            codec,
            scratch: BytesMut::new(),
            encoding,
            max_send,
        }
    }

    /// Sets the encoding used for compressed messages.
    pub(crate) fn set_encoding(&mut self, encoding: Encoding) {
        self.encoding = encoding;
    }

    /// The prefixed bytes of one message. `compress` chooses whether this
    /// message is compressed (only when the call has an encoding).
    pub(crate) fn encode(
        &mut self,
        item: C::Encode,
        compress: Option<bool>,
    ) -> Result<Bytes, Status> {
        BLOCK.with(|block| match block.try_borrow_mut() {
            Ok(mut block) => {
                if block.capacity() - block.len() < PREFIX {
                    *block = BytesMut::with_capacity(ENCODE_BLOCK_BYTES);
                }
                self.encode_into(item, compress, &mut block)?;
                let frame = block.split().freeze();
                if block.capacity() < PREFIX {
                    *block = BytesMut::new();
                }
                Ok(frame)
            }
            // Only reachable if a codec encoded a message of its own from
            // inside `encode`; a buffer of its own keeps it correct.
            Err(_) => {
                let mut buf = BytesMut::new();
                self.encode_into(item, compress, &mut buf)?;
                Ok(buf.freeze())
            }
        })
    }

    /// Appends the prefixed bytes of one message to `buf`; on an error
    /// `buf` is left as it was.
    pub(crate) fn encode_into(
        &mut self,
        item: C::Encode,
        compress: Option<bool>,
        buf: &mut BytesMut,
    ) -> Result<(), Status> {
        let start = buf.len();
        let result = self.append(item, compress, buf, start);
        if result.is_err() {
            buf.truncate(start);
        }
        result
    }

    fn append(
        &mut self,
        item: C::Encode,
        compress: Option<bool>,
        buf: &mut BytesMut,
        start: usize,
    ) -> Result<(), Status> {
        let compress = self.encoding != Encoding::Identity && compress.unwrap_or(true);
        buf.put_bytes(0, PREFIX);
        if compress {
            self.scratch.clear();
            self.codec.encode(item, &mut self.scratch)?;
            compression::compress(self.encoding, &self.scratch, buf)?;
        } else {
            self.codec.encode(item, buf)?;
        }
        let len = buf.len() - start - PREFIX;
        if len > self.max_send || len > u32::MAX as usize {
            return Err(Status::resource_exhausted(format!(
                "message of {len} bytes is larger than the send limit of {} bytes",
                self.max_send.min(u32::MAX as usize)
            )));
        }
        buf[start] = u8::from(compress);
        buf[start + 1..start + PREFIX].copy_from_slice(&(len as u32).to_be_bytes());
        Ok(())
    }
}

/// A received message before decoding.
#[derive(Debug)]
pub(crate) struct RawMessage {
    pub(crate) data: Bytes,
    pub(crate) compressed: bool,
}

/// Splits received DATA frames into messages.
#[derive(Debug)]
pub(crate) struct Decoder {
    /// The oldest buffered frame (most messages arrive in one frame, and
    /// this keeps them out of the queue).
    head: Bytes,
    /// Frames received after `head`.
    chunks: VecDeque<Bytes>,
    buffered: usize,
    header: Option<(bool, usize)>,
    encoding: Encoding,
    max_receive: usize,
}

impl Decoder {
    pub(crate) fn new(encoding: Encoding, max_receive: usize) -> Decoder {
        Decoder {
            head: Bytes::new(),
            chunks: VecDeque::new(),
            buffered: 0,
            header: None,
            encoding,
            max_receive,
        }
    }

    /// Sets the encoding of compressed messages (known once the response
    /// headers arrive).
    pub(crate) fn set_encoding(&mut self, encoding: Encoding) {
        self.encoding = encoding;
    }

    /// Adds one received DATA frame.
    pub(crate) fn push(&mut self, chunk: Bytes) {
        if !chunk.is_empty() {
            self.buffered += chunk.len();
            if self.head.is_empty() {
                self.head = chunk;
            } else {
                self.chunks.push_back(chunk);
            }
        }
    }

    /// Whether part of a message is buffered.
    pub(crate) fn has_partial(&self) -> bool {
        self.buffered > 0 || self.header.is_some()
    }

    /// Takes `n` buffered bytes: a slice of the first chunk when it holds
    /// them all, otherwise a copy gathered across chunks.
    fn take(&mut self, n: usize) -> Bytes {
        self.buffered -= n;
        if self.head.len() >= n {
            let out = self.head.split_to(n);
            self.refill();
            return out;
        }
        let mut out = BytesMut::with_capacity(n);
        while out.len() < n && !self.head.is_empty() {
            let want = (n - out.len()).min(self.head.len());
            out.put(self.head.split_to(want));
            self.refill();
        }
        out.freeze()
    }

    /// Moves the next queued frame to `head` once `head` is used up.
    fn refill(&mut self) {
        if self.head.is_empty() {
            if let Some(next) = self.chunks.pop_front() {
                self.head = next;
            }
        }
    }

    /// The next whole message, if one is buffered.
    pub(crate) fn next(&mut self) -> Result<Option<RawMessage>, Status> {
        if self.header.is_none() {
            if self.buffered < PREFIX {
                return Ok(None);
            }
            let mut prefix = self.take(PREFIX);
            let flag = prefix.get_u8();
            let len = prefix.get_u32() as usize;
            let compressed = match flag {
                0 => false,
                1 => true,
                other => {
                    return Err(Status::internal(format!(
                        "invalid compressed flag {other} in message prefix"
                    )));
                }
            };
            if compressed && self.encoding == Encoding::Identity {
                return Err(Status::internal(
                    "compressed flag set on a message but no grpc-encoding was negotiated",
                ));
            }
            if len > self.max_receive {
                return Err(Status::resource_exhausted(format!(
                    "received message of {len} bytes is larger than the receive limit of {} bytes",
                    self.max_receive
                )));
            }
            self.header = Some((compressed, len));
        }
        let Some((compressed, len)) = self.header else {
            return Ok(None);
        };
        if self.buffered < len {
            return Ok(None);
        }
        self.header = None;
        let data = self.take(len);
        let data = if compressed {
            compression::decompress(self.encoding, &data, self.max_receive)?
        } else {
            data
        };
        Ok(Some(RawMessage { data, compressed }))
    }

    /// Called at end of stream: an incomplete message is an error.
    pub(crate) fn finish(&self) -> Result<(), Status> {
        if self.has_partial() {
            Err(Status::internal(
                "stream ended in the middle of a length-prefixed message",
            ))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::BytesCodec;

    fn frame(flag: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![flag];
        v.extend_from_slice(&(body.len() as u32).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn message_in_one_frame_is_not_copied() {
        let wire = Bytes::from(frame(0, b"hello world"));
        let range = wire.as_ptr() as usize..wire.as_ptr() as usize + wire.len();
        let mut d = Decoder::new(Encoding::Identity, 1024);
        d.push(wire);
        let m = d.next().expect("valid").expect("whole");
        assert_eq!(&m.data[..], b"hello world");
        assert!(
            range.contains(&(m.data.as_ptr() as usize)),
            "sliced from the frame"
        );
        assert!(d.next().expect("valid").is_none());
        d.finish().expect("nothing partial");
    }

    #[test]
    fn messages_spanning_and_sharing_frames() {
        let mut wire = frame(0, b"first");
        wire.extend(frame(0, b""));
        wire.extend(frame(0, &[7u8; 300]));
        for split in [1, 2, 3, 5, 7, 64, wire.len()] {
            let mut d = Decoder::new(Encoding::Identity, 1024);
            let mut got = Vec::new();
            for chunk in wire.chunks(split) {
                d.push(Bytes::copy_from_slice(chunk));
                while let Some(m) = d.next().expect("valid") {
                    got.push(m.data);
                }
            }
            d.finish().expect("complete");
            assert_eq!(got.len(), 3, "split {split}");
            assert_eq!(&got[0][..], b"first");
            assert!(got[1].is_empty());
            assert_eq!(&got[2][..], &[7u8; 300][..]);
        }
    }

    #[test]
    fn limits_flags_and_truncation() {
        let mut d = Decoder::new(Encoding::Identity, 4);
        d.push(Bytes::from(frame(0, b"12345")));
        assert_eq!(
            d.next().map_err(|s| s.code()).err(),
            Some(crate::Code::ResourceExhausted)
        );

        let mut d = Decoder::new(Encoding::Identity, 100);
        d.push(Bytes::from(frame(1, b"x")));
        assert_eq!(
            d.next().map_err(|s| s.code()).err(),
            Some(crate::Code::Internal)
        );

        let mut d = Decoder::new(Encoding::Gzip, 100);
        d.push(Bytes::from(frame(2, b"x")));
        assert_eq!(
            d.next().map_err(|s| s.code()).err(),
            Some(crate::Code::Internal)
        );

        let mut d = Decoder::new(Encoding::Identity, 100);
        d.push(Bytes::from(frame(0, b"abc")[..6].to_vec()));
        assert!(d.next().expect("valid so far").is_none());
        assert_eq!(
            d.finish().map_err(|s| s.code()).err(),
            Some(crate::Code::Internal)
        );
    }

    #[test]
    fn encoder_prefix_compression_and_send_limit() {
        let mut e = Encoder::new(BytesCodec, Encoding::Gzip, 1 << 20);
        let plain = e
            .encode(Bytes::from(vec![0u8; 1000]), Some(false))
            .expect("fits");
        assert_eq!(plain[0], 0);
        assert_eq!(&plain[1..5], &1000u32.to_be_bytes());
        let packed = e.encode(Bytes::from(vec![0u8; 1000]), None).expect("fits");
        assert_eq!(packed[0], 1);
        let mut d = Decoder::new(Encoding::Gzip, 1000);
        d.push(packed);
        let m = d.next().expect("valid").expect("whole");
        assert!(m.compressed);
        assert_eq!(m.data.len(), 1000);

        let mut e = Encoder::new(BytesCodec, Encoding::Identity, 10);
        assert!(e.encode(Bytes::from_static(b"0123456789"), None).is_ok());
        let err = e
            .encode(Bytes::from_static(b"0123456789a"), None)
            .expect_err("too big");
        assert_eq!(err.code(), crate::Code::ResourceExhausted);
        let next = e
            .encode(Bytes::from_static(b"ok"), None)
            .expect("buffer reset");
        assert_eq!(&next[..], b"\0\0\0\0\x02ok");
    }
}
