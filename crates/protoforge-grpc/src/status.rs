//! The outcome of a call: a [`Code`], a message, optional details and the
//! trailing metadata, with the wire forms gRPC gives them (`grpc-status`,
//! percent-encoded `grpc-message`, base64 `grpc-status-details-bin`) and the
//! spec's mappings from HTTP statuses and HTTP/2 reset codes.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};

use crate::metadata::Metadata;

/// A gRPC status code, as listed in gRPC's `statuscodes.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Code {
    /// Not an error.
    Ok = 0,
    /// The call was cancelled, typically by the caller.
    Cancelled = 1,
    /// Unknown error, or an error from an unknown error space.
    Unknown = 2,
    /// The client specified an invalid argument.
    InvalidArgument = 3,
    /// The deadline expired before the call could complete.
    DeadlineExceeded = 4,
    /// Some requested entity was not found.
    NotFound = 5,
    /// The entity a client tried to create already exists.
    AlreadyExists = 6,
    /// The caller does not have permission.
    PermissionDenied = 7,
    /// Some resource has been exhausted (quota, message size, memory).
    ResourceExhausted = 8,
    /// The system is not in a state required for the operation.
    FailedPrecondition = 9,
    /// The operation was aborted, typically by a concurrency conflict.
    Aborted = 10,
    /// The operation was attempted past the valid range.
    OutOfRange = 11,
    /// The operation is not implemented or not supported.
    Unimplemented = 12,
    /// An invariant expected by the system is broken.
    Internal = 13,
    /// The service is currently unavailable; retrying may help.
    Unavailable = 14,
    /// Unrecoverable data loss or corruption.
    DataLoss = 15,
    /// The request does not have valid authentication credentials.
    Unauthenticated = 16,
}

impl Code {
    /// The code for a number; numbers gRPC does not define are `Unknown`, as
    /// gRPC's own implementations treat them.
    pub fn from_i32(n: i32) -> Code {
        match n {
            0 => Code::Ok,
            1 => Code::Cancelled,
            2 => Code::Unknown,
            3 => Code::InvalidArgument,
            4 => Code::DeadlineExceeded,
            5 => Code::NotFound,
            6 => Code::AlreadyExists,
            7 => Code::PermissionDenied,
            8 => Code::ResourceExhausted,
            9 => Code::FailedPrecondition,
            10 => Code::Aborted,
            11 => Code::OutOfRange,
            12 => Code::Unimplemented,
            13 => Code::Internal,
            14 => Code::Unavailable,
            15 => Code::DataLoss,
            16 => Code::Unauthenticated,
            _ => Code::Unknown,
        }
    }

    /// The code's number on the wire.
    pub fn as_i32(self) -> i32 {
        self as i32
    }

    /// The code's name as gRPC spells it (`DEADLINE_EXCEEDED`).
    pub fn name(self) -> &'static str {
        match self {
            Code::Ok => "OK",
            Code::Cancelled => "CANCELLED",
            Code::Unknown => "UNKNOWN",
            Code::InvalidArgument => "INVALID_ARGUMENT",
            Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
            Code::NotFound => "NOT_FOUND",
            Code::AlreadyExists => "ALREADY_EXISTS",
            Code::PermissionDenied => "PERMISSION_DENIED",
            Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
            Code::FailedPrecondition => "FAILED_PRECONDITION",
            Code::Aborted => "ABORTED",
            Code::OutOfRange => "OUT_OF_RANGE",
            Code::Unimplemented => "UNIMPLEMENTED",
            Code::Internal => "INTERNAL",
            Code::Unavailable => "UNAVAILABLE",
            Code::DataLoss => "DATA_LOSS",
            Code::Unauthenticated => "UNAUTHENTICATED",
        }
    }

    /// The code a client synthesises when a response has no `grpc-status`,
    /// from the HTTP status (gRPC's `http-grpc-status-mapping.md`).
    pub fn from_http_status(status: u16) -> Code {
        match status {
            400 => Code::Internal,
            401 => Code::Unauthenticated,
            403 => Code::PermissionDenied,
            404 => Code::Unimplemented,
            429 | 502..=504 => Code::Unavailable,
            431 => Code::Internal,
            _ => Code::Unknown,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The status of a finished call: code, message, details and trailing
/// metadata. Returned as the error of every call that does not end `OK`.
///
/// `details` are the raw bytes of `grpc-status-details-bin` (by convention an
/// encoded `google.rpc.Status`); they are kept as received and never parsed
/// here, so malformed details cannot change the code.
///
/// The fields live behind one box, so a `Result<T, Status>` stays small.
#[derive(Clone)]
pub struct Status {
    inner: Box<Inner>,
}

#[derive(Clone)]
struct Inner {
    code: Code,
    message: String,
    details: Bytes,
    metadata: Metadata,
    /// The peer reset the stream with `REFUSED_STREAM`: it did not process
    /// the call, so the client may start it again transparently.
    refused: bool,
}

pub(crate) const GRPC_STATUS: &str = "grpc-status";
pub(crate) const GRPC_MESSAGE: &str = "grpc-message";
pub(crate) const GRPC_STATUS_DETAILS: &str = "grpc-status-details-bin";

// Header names built once: a `&str` name that is not a standard header is
// copied into a new allocation on every insert.
static GRPC_STATUS_NAME: http::header::HeaderName =
    http::header::HeaderName::from_static(GRPC_STATUS);
static GRPC_MESSAGE_NAME: http::header::HeaderName =
    http::header::HeaderName::from_static(GRPC_MESSAGE);
static GRPC_STATUS_DETAILS_NAME: http::header::HeaderName =
    http::header::HeaderName::from_static(GRPC_STATUS_DETAILS);

/// The `grpc-status` value of `code`, without formatting or allocating.
fn code_value(code: Code) -> HeaderValue {
    const VALUES: [&str; 17] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
    ];
    VALUES.get(code.as_i32() as usize).map_or_else(
        || HeaderValue::from(code.as_i32()),
        |v| HeaderValue::from_static(v),
    )
}

/// Writes the trailers of an OK status with no message or details.
pub(crate) fn write_ok(headers: &mut HeaderMap) {
    headers.insert(GRPC_STATUS_NAME.clone(), HeaderValue::from_static("0"));
}

impl Status {
    /// A status with a code and a message.
    pub fn new(code: Code, message: impl Into<String>) -> Status {
        Status {
            inner: Box::new(Inner {
                code,
                message: message.into(),
                details: Bytes::new(),
                metadata: Metadata::new(),
                refused: false,
            }),
        }
    }

    /// A status that also carries details (`grpc-status-details-bin`).
    pub fn with_details(code: Code, message: impl Into<String>, details: Bytes) -> Status {
        let mut status = Status::new(code, message);
        status.inner.details = details;
        status
    }

    /// `OK` with no message.
    pub fn ok() -> Status {
        Status::new(Code::Ok, "")
    }

    /// `CANCELLED`.
    pub fn cancelled(message: impl Into<String>) -> Status {
        Status::new(Code::Cancelled, message)
    }

    /// `UNKNOWN`.
    pub fn unknown(message: impl Into<String>) -> Status {
        Status::new(Code::Unknown, message)
    }

    /// `INVALID_ARGUMENT`.
    pub fn invalid_argument(message: impl Into<String>) -> Status {
        Status::new(Code::InvalidArgument, message)
    }

    /// `DEADLINE_EXCEEDED`.
    pub fn deadline_exceeded(message: impl Into<String>) -> Status {
        Status::new(Code::DeadlineExceeded, message)
    }

    /// `NOT_FOUND`.
    pub fn not_found(message: impl Into<String>) -> Status {
        Status::new(Code::NotFound, message)
    }

    /// `PERMISSION_DENIED`.
    pub fn permission_denied(message: impl Into<String>) -> Status {
        Status::new(Code::PermissionDenied, message)
    }

    /// `RESOURCE_EXHAUSTED`.
    pub fn resource_exhausted(message: impl Into<String>) -> Status {
        Status::new(Code::ResourceExhausted, message)
    }

    /// `FAILED_PRECONDITION`.
    pub fn failed_precondition(message: impl Into<String>) -> Status {
        Status::new(Code::FailedPrecondition, message)
    }

    /// `ALREADY_EXISTS`.
    pub fn already_exists(message: impl Into<String>) -> Status {
        Status::new(Code::AlreadyExists, message)
    }

    /// `ABORTED`.
    pub fn aborted(message: impl Into<String>) -> Status {
        Status::new(Code::Aborted, message)
    }

    /// `OUT_OF_RANGE`.
    pub fn out_of_range(message: impl Into<String>) -> Status {
        Status::new(Code::OutOfRange, message)
    }

    /// `DATA_LOSS`.
    pub fn data_loss(message: impl Into<String>) -> Status {
        Status::new(Code::DataLoss, message)
    }

    /// `UNIMPLEMENTED`.
    pub fn unimplemented(message: impl Into<String>) -> Status {
        Status::new(Code::Unimplemented, message)
    }

    /// `INTERNAL`.
    pub fn internal(message: impl Into<String>) -> Status {
        Status::new(Code::Internal, message)
    }

    /// `UNAVAILABLE`.
    pub fn unavailable(message: impl Into<String>) -> Status {
        Status::new(Code::Unavailable, message)
    }

    /// `UNAUTHENTICATED`.
    pub fn unauthenticated(message: impl Into<String>) -> Status {
        Status::new(Code::Unauthenticated, message)
    }

    /// The code.
    pub fn code(&self) -> Code {
        self.inner.code
    }

    /// The message (decoded from `grpc-message`; invalid UTF-8 is replaced
    /// with U+FFFD, never rejected).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The raw details, empty when there are none.
    pub fn details(&self) -> &Bytes {
        &self.inner.details
    }

    /// Trailing metadata sent with the status.
    pub fn metadata(&self) -> &Metadata {
        &self.inner.metadata
    }

    /// Trailing metadata to send with the status.
    pub fn metadata_mut(&mut self) -> &mut Metadata {
        &mut self.inner.metadata
    }

    /// This status with `metadata` as its trailing metadata.
    pub fn with_metadata(mut self, metadata: Metadata) -> Status {
        self.inner.metadata = metadata;
        self
    }

    /// The status a client reports when an HTTP/2 stream is reset with
    /// `reason` (PROTOCOL-HTTP2.md's table). `CANCEL` from a server is
    /// `CANCELLED`.
    pub fn from_reset(reason: h2::Reason) -> Status {
        let code = match reason {
            h2::Reason::REFUSED_STREAM => Code::Unavailable,
            h2::Reason::CANCEL => Code::Cancelled,
            h2::Reason::ENHANCE_YOUR_CALM => Code::ResourceExhausted,
            h2::Reason::INADEQUATE_SECURITY => Code::PermissionDenied,
            _ => Code::Internal,
        };
        let mut status = Status::new(code, format!("stream reset by the peer: {reason}"));
        status.inner.refused = reason == h2::Reason::REFUSED_STREAM;
        status
    }

    /// Whether the peer refused the stream before processing it
    /// (`REFUSED_STREAM`), so that starting the call again is safe.
    pub(crate) fn is_refused_stream(&self) -> bool {
        self.inner.refused
    }

    /// The status for an error from the HTTP/2 layer on a client: a reset
    /// maps through [`Status::from_reset`], GOAWAY and connection failures
    /// are `UNAVAILABLE`.
    pub(crate) fn from_h2(error: &h2::Error) -> Status {
        if error.is_reset() {
            if let Some(reason) = error.reason() {
                return Status::from_reset(reason);
            }
        }
        if error.is_go_away() {
            if error.reason() == Some(h2::Reason::ENHANCE_YOUR_CALM) {
                return Status::resource_exhausted(format!(
                    "connection closed by the peer: {error}"
                ));
            }
            return Status::unavailable(format!("connection closed by the peer: {error}"));
        }
        if error.is_io() {
            return Status::unavailable(format!("connection error: {error}"));
        }
        Status::internal(format!("HTTP/2 error: {error}"))
    }

    /// Reads a status from trailers (or a Trailers-Only response's headers).
    /// `None` when there is no `grpc-status`.
    pub(crate) fn from_trailers(headers: &HeaderMap) -> Option<Status> {
        let raw = headers.get(GRPC_STATUS)?;
        let code = match std::str::from_utf8(raw.as_bytes())
            .ok()
            .and_then(|s| s.parse::<i32>().ok())
        {
            Some(n) => Code::from_i32(n),
            None => {
                return Some(Status::unknown(format!(
                    "malformed grpc-status {:?}",
                    String::from_utf8_lossy(raw.as_bytes())
                )));
            }
        };
        let message = headers
            .get(GRPC_MESSAGE)
            .map(|v| percent_decode(v.as_bytes()))
            .unwrap_or_default();
        // Several values may have been joined with commas; the first whole one wins.
        let details = headers
            .get(GRPC_STATUS_DETAILS)
            .and_then(|v| {
                let first = v.as_bytes().split(|&b| b == b',').next().unwrap_or(&[]);
                crate::base64::decode(first)
            })
            .map(Bytes::from)
            .unwrap_or_default();
        Some(Status {
            inner: Box::new(Inner {
                code,
                message,
                details,
                metadata: Metadata::from_headers(headers),
                refused: false,
            }),
        })
    }

    /// Writes `grpc-status`, `grpc-message`, `grpc-status-details-bin` and the
    /// trailing metadata into `headers`.
    pub(crate) fn write_trailers(&self, headers: &mut HeaderMap) {
        self.inner.metadata.write_headers(headers);
        headers.insert(GRPC_STATUS_NAME.clone(), code_value(self.inner.code));
        if !self.inner.message.is_empty() {
            if let Ok(value) = HeaderValue::from_str(&percent_encode(&self.inner.message)) {
                headers.insert(GRPC_MESSAGE_NAME.clone(), value);
            }
        }
        if !self.inner.details.is_empty() {
            if let Ok(value) = HeaderValue::from_str(&crate::base64::encode(&self.inner.details)) {
                headers.insert(GRPC_STATUS_DETAILS_NAME.clone(), value);
            }
        }
    }
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Status");
        d.field("code", &self.inner.code)
            .field("message", &self.inner.message);
        if !self.inner.details.is_empty() {
            d.field("details", &self.inner.details);
        }
        if !self.inner.metadata.is_empty() {
            d.field("metadata", &self.inner.metadata);
        }
        d.finish()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.inner.message.is_empty() {
            write!(f, "{}", self.inner.code)
        } else {
            write!(f, "{}: {}", self.inner.code, self.inner.message)
        }
    }
}

impl std::error::Error for Status {}

/// Percent-encodes a status message as PROTOCOL-HTTP2.md's
/// `Percent-Encoded` rule: bytes 0x20..=0x7E except `%` pass, everything
/// else (including each byte of a multi-byte UTF-8 character) is `%XX`.
pub(crate) fn percent_encode(message: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(message.len());
    for &b in message.as_bytes() {
        if (0x20..=0x7e).contains(&b) && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

/// Decodes a percent-encoded status message. Broken `%` sequences are kept
/// as they are and invalid UTF-8 becomes U+FFFD: decoding never fails.
pub(crate) fn percent_decode(raw: &[u8]) -> String {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' && i + 2 < raw.len() {
            if let (Some(h), Some(l)) = (hex(raw[i + 1]), hex(raw[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_follows_the_spec_alphabet() {
        let message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";
        let encoded = percent_encode(message);
        assert_eq!(
            encoded,
            "%09%0Atest with whitespace%0D%0Aand Unicode BMP %E2%98%BA and non-BMP %F0%9F%98%88%09%0A"
        );
        assert_eq!(percent_decode(encoded.as_bytes()), message);
        assert_eq!(percent_encode("100% sure"), "100%25 sure");
    }

    #[test]
    fn percent_decoding_never_fails() {
        assert_eq!(percent_decode(b"50%"), "50%");
        assert_eq!(percent_decode(b"%zz%4"), "%zz%4");
        assert_eq!(percent_decode(b"%41%42"), "AB");
        assert_eq!(percent_decode(b"bad %FF byte"), "bad \u{fffd} byte");
        assert_eq!(percent_decode(&[0xff, b'a']), "\u{fffd}a");
    }

    #[test]
    fn http_status_table() {
        let table = [
            (400, Code::Internal),
            (401, Code::Unauthenticated),
            (403, Code::PermissionDenied),
            (404, Code::Unimplemented),
            (429, Code::Unavailable),
            (431, Code::Internal),
            (502, Code::Unavailable),
            (503, Code::Unavailable),
            (504, Code::Unavailable),
            (200, Code::Unknown),
            (500, Code::Unknown),
            (415, Code::Unknown),
        ];
        for (http, code) in table {
            assert_eq!(Code::from_http_status(http), code, "{http}");
        }
    }

    #[test]
    fn reset_table() {
        use h2::Reason;
        let table = [
            (Reason::NO_ERROR, Code::Internal),
            (Reason::PROTOCOL_ERROR, Code::Internal),
            (Reason::INTERNAL_ERROR, Code::Internal),
            (Reason::FLOW_CONTROL_ERROR, Code::Internal),
            (Reason::SETTINGS_TIMEOUT, Code::Internal),
            (Reason::FRAME_SIZE_ERROR, Code::Internal),
            (Reason::REFUSED_STREAM, Code::Unavailable),
            (Reason::CANCEL, Code::Cancelled),
            (Reason::COMPRESSION_ERROR, Code::Internal),
            (Reason::CONNECT_ERROR, Code::Internal),
            (Reason::ENHANCE_YOUR_CALM, Code::ResourceExhausted),
            (Reason::INADEQUATE_SECURITY, Code::PermissionDenied),
        ];
        for (reason, code) in table {
            assert_eq!(Status::from_reset(reason).code(), code, "{reason:?}");
        }
    }

    #[test]
    fn trailers_round_trip_and_tolerate_garbage() {
        let mut status = Status::with_details(
            Code::Aborted,
            "naïve 100%",
            Bytes::from_static(&[0x08, 0x0a, 0xff]),
        );
        status
            .metadata_mut()
            .insert("x-trace", "abc")
            .expect("valid metadata");
        let mut headers = HeaderMap::new();
        status.write_trailers(&mut headers);
        let back = Status::from_trailers(&headers).expect("grpc-status present");
        assert_eq!(back.code(), Code::Aborted);
        assert_eq!(back.message(), "naïve 100%");
        assert_eq!(back.details().as_ref(), &[0x08, 0x0a, 0xff]);
        assert_eq!(back.metadata().get("x-trace"), Some("abc"));
        assert_eq!(back.metadata().get("grpc-status"), None);

        let mut bad = HeaderMap::new();
        bad.insert(GRPC_STATUS, HeaderValue::from_static("7"));
        bad.insert(
            GRPC_MESSAGE,
            HeaderValue::from_bytes(b"%FF%FE \xff").expect("obs-text"),
        );
        bad.insert(
            GRPC_STATUS_DETAILS,
            HeaderValue::from_static("!!not base64!!"),
        );
        let back = Status::from_trailers(&bad).expect("grpc-status present");
        assert_eq!(back.code(), Code::PermissionDenied);
        assert_eq!(back.message(), "\u{fffd}\u{fffd} \u{fffd}");
        assert!(back.details().is_empty());

        let mut odd = HeaderMap::new();
        odd.insert(GRPC_STATUS, HeaderValue::from_static("99"));
        assert_eq!(
            Status::from_trailers(&odd).map(|s| s.code()),
            Some(Code::Unknown)
        );
        assert!(Status::from_trailers(&HeaderMap::new()).is_none());
    }
}
