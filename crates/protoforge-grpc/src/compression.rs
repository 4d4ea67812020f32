//! Message compression: the `grpc-encoding` names we speak (`identity`,
//! `gzip`), negotiation through `grpc-accept-encoding`, and gzip with the
//! receive limit applied to the decompressed size.

use std::io::{Read, Write};

use bytes::{BufMut, Bytes, BytesMut};

use crate::Status;

/// A message encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// No compression.
    Identity,
    /// gzip (RFC 1952).
    Gzip,
}

/// `grpc-encoding`, parsed once (a `&str` name that is not a standard
/// header is parsed, and copied when inserted, on every use).
pub(crate) static GRPC_ENCODING: http::HeaderName = http::HeaderName::from_static("grpc-encoding");
/// `grpc-accept-encoding`, parsed once.
pub(crate) static GRPC_ACCEPT_ENCODING: http::HeaderName =
    http::HeaderName::from_static("grpc-accept-encoding");

/// The value of `grpc-accept-encoding` we send: every encoding we decode.
pub(crate) const ACCEPT_ENCODING: &str = "identity,gzip";

impl Encoding {
    /// The name in `grpc-encoding`.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Identity => "identity",
            Encoding::Gzip => "gzip",
        }
    }

    /// The encoding with this `grpc-encoding` name, if we support it.
    pub fn from_name(name: &str) -> Option<Encoding> {
        match name.trim() {
            "identity" => Some(Encoding::Identity),
            "gzip" => Some(Encoding::Gzip),
            _ => None,
        }
    }

    /// Whether a `grpc-accept-encoding` value lists this encoding
    /// (`identity` is always acceptable).
    pub(crate) fn accepted_by(self, accept: Option<&str>) -> bool {
        self == Encoding::Identity
            || accept.is_some_and(|list| list.split(',').any(|n| n.trim() == self.name()))
    }
}

/// Compresses `data` into `out` (which already holds the 5-byte prefix).
pub(crate) fn compress(encoding: Encoding, data: &[u8], out: &mut BytesMut) -> Result<(), Status> {
    match encoding {
        Encoding::Identity => {
            out.put_slice(data);
            Ok(())
        }
        Encoding::Gzip => {
            let mut encoder =
                flate2::write::GzEncoder::new(out.writer(), flate2::Compression::default());
            encoder
                .write_all(data)
                .and_then(|()| encoder.finish().map(drop))
                .map_err(|e| Status::internal(format!("gzip compression failed: {e}")))
        }
    }
}

/// Decompresses a message, failing with `RESOURCE_EXHAUSTED` as soon as the
/// output passes `limit` bytes (a small compressed message cannot make us
/// allocate more than the limit).
pub(crate) fn decompress(encoding: Encoding, data: &[u8], limit: usize) -> Result<Bytes, Status> {
    match encoding {
        Encoding::Identity => Ok(Bytes::copy_from_slice(data)),
        Encoding::Gzip => {
            let decoder = flate2::read::GzDecoder::new(data);
            let mut out = Vec::with_capacity(data.len().saturating_mul(2).min(limit));
            let read = decoder
                .take(limit as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| Status::internal(format!("gzip decompression failed: {e}")))?;
            if read > limit {
                return Err(Status::resource_exhausted(format!(
                    "decompressed message larger than the receive limit of {limit} bytes"
                )));
            }
            Ok(Bytes::from(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_round_trip_and_limit() {
        let data = vec![0u8; 100_000];
        let mut out = BytesMut::new();
        compress(Encoding::Gzip, &data, &mut out).expect("compresses");
        assert!(out.len() < 1000, "zeros compress well: {}", out.len());
        let back = decompress(Encoding::Gzip, &out, 100_000).expect("fits");
        assert_eq!(back.len(), 100_000);
        let err = decompress(Encoding::Gzip, &out, 99_999).expect_err("over the limit");
        assert_eq!(err.code(), crate::Code::ResourceExhausted);
        let err = decompress(Encoding::Gzip, b"not gzip", 10).expect_err("garbage");
        assert_eq!(err.code(), crate::Code::Internal);
    }

    #[test]
    fn negotiation() {
        assert!(Encoding::Gzip.accepted_by(Some("identity, deflate,gzip")));
        assert!(!Encoding::Gzip.accepted_by(Some("identity,deflate")));
        assert!(!Encoding::Gzip.accepted_by(None));
        assert!(Encoding::Identity.accepted_by(None));
        assert_eq!(Encoding::from_name("snappy"), None);
    }
}
