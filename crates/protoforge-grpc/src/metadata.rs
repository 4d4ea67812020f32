//! Custom metadata: the application's headers and trailers.
//!
//! Keys are lowercase `[0-9a-z_.-]+`. Keys ending in `-bin` carry bytes,
//! sent as unpadded base64 and accepted padded or unpadded (several values
//! joined with `,` are split first); other keys carry printable ASCII.
//! Names starting with `grpc-` are reserved for gRPC itself and refused, as
//! are the headers the transport writes (`te`, `content-type`, `user-agent`)
//! and HTTP/1 connection headers, which HTTP/2 forbids.

use std::fmt;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};

/// An ordered multimap of metadata entries.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    headers: HeaderMap,
}

/// Why a metadata entry was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataError {
    key: String,
    kind: MetadataErrorKind,
}

/// The kinds of [`MetadataError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetadataErrorKind {
    /// The key is empty or has a character outside `[0-9a-z_.-]`.
    InvalidKey,
    /// The key is reserved (`grpc-…`, `te`, `content-type`, `user-agent`,
    /// connection headers, or a `:` pseudo-header).
    ReservedKey,
    /// An ASCII value has a character outside 0x20..=0x7E.
    InvalidValue,
    /// A `-bin` key was given a text value, or a text key was given bytes.
    WrongKind,
}

impl MetadataError {
    /// The key that was refused.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Why it was refused.
    pub fn kind(&self) -> MetadataErrorKind {
        self.kind
    }
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.kind {
            MetadataErrorKind::InvalidKey => "keys must be non-empty and use only 0-9 a-z _ - .",
            MetadataErrorKind::ReservedKey => "the key is reserved for the gRPC transport",
            MetadataErrorKind::InvalidValue => "ASCII values must be printable (0x20..=0x7E)",
            MetadataErrorKind::WrongKind => {
                "keys ending in -bin take binary values, other keys take ASCII values"
            }
        };
        write!(f, "invalid metadata key {:?}: {why}", self.key)
    }
}

impl std::error::Error for MetadataError {}

/// Headers the transport owns, never surfaced as metadata nor accepted from
/// the application.
const TRANSPORT_HEADERS: &[&str] = &[
    "te",
    "content-type",
    "user-agent",
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "host",
];

/// Whether `key` is reserved for the transport.
pub(crate) fn is_reserved(key: &str) -> bool {
    key.starts_with("grpc-") || key.starts_with(':') || TRANSPORT_HEADERS.contains(&key)
}

fn is_bin(key: &str) -> bool {
    key.ends_with("-bin")
}

fn check_key(key: &str, binary: bool) -> Result<HeaderName, MetadataError> {
    let error = |kind| MetadataError {
        key: key.to_string(),
        kind,
    };
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'z' | b'_' | b'-' | b'.'))
    {
        return Err(error(MetadataErrorKind::InvalidKey));
    }
    if is_reserved(key) {
        return Err(error(MetadataErrorKind::ReservedKey));
    }
    if is_bin(key) != binary {
        return Err(error(MetadataErrorKind::WrongKind));
    }
    HeaderName::from_bytes(key.as_bytes()).map_err(|_| error(MetadataErrorKind::InvalidKey))
}

fn ascii_value(key: &str, value: &str) -> Result<HeaderValue, MetadataError> {
    if !value.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return Err(MetadataError {
            key: key.to_string(),
            kind: MetadataErrorKind::InvalidValue,
        });
    }
    HeaderValue::from_str(value).map_err(|_| MetadataError {
        key: key.to_string(),
        kind: MetadataErrorKind::InvalidValue,
    })
}

fn bin_value(value: &[u8]) -> HeaderValue {
    // Base64 output is always a valid header value.
    HeaderValue::from_str(&crate::base64::encode(value))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// One entry's value, as [`Metadata::iter`] yields it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetadataValue<'a> {
    /// The value of an ASCII key (lossily decoded if the peer sent bytes
    /// outside printable ASCII).
    Ascii(std::borrow::Cow<'a, str>),
    /// The decoded value of a `-bin` key; `None` when the peer's base64 was
    /// malformed.
    Binary(Option<Bytes>),
}

impl Metadata {
    /// Empty metadata.
    pub fn new() -> Metadata {
        Metadata::default()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.headers.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }

    /// Sets an ASCII entry, replacing any values of `key`.
    pub fn insert(&mut self, key: &str, value: &str) -> Result<(), MetadataError> {
        let name = check_key(key, false)?;
        let value = ascii_value(key, value)?;
        self.headers.insert(name, value);
        Ok(())
    }

    /// Adds an ASCII entry, keeping existing values of `key`.
    pub fn append(&mut self, key: &str, value: &str) -> Result<(), MetadataError> {
        let name = check_key(key, false)?;
        let value = ascii_value(key, value)?;
        self.headers.append(name, value);
        Ok(())
    }

    /// Sets a binary entry (`key` must end in `-bin`), replacing any values.
    pub fn insert_bin(&mut self, key: &str, value: &[u8]) -> Result<(), MetadataError> {
        let name = check_key(key, true)?;
        self.headers.insert(name, bin_value(value));
        Ok(())
    }

    /// Adds a binary entry, keeping existing values of `key`.
    pub fn append_bin(&mut self, key: &str, value: &[u8]) -> Result<(), MetadataError> {
        let name = check_key(key, true)?;
        self.headers.append(name, bin_value(value));
        Ok(())
    }

    /// The first value of an ASCII key, if it is valid UTF-8.
    pub fn get(&self, key: &str) -> Option<&str> {
        if is_bin(key) {
            return None;
        }
        self.headers.get(key).and_then(|v| v.to_str().ok())
    }

    /// Every value of an ASCII key, in order.
    pub fn get_all(&self, key: &str) -> Vec<&str> {
        if is_bin(key) {
            return Vec::new();
        }
        self.headers
            .get_all(key)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    /// The first value of a `-bin` key, decoded; `None` if absent or if the
    /// peer's base64 was malformed.
    pub fn get_bin(&self, key: &str) -> Option<Bytes> {
        self.get_all_bin(key).into_iter().next()
    }

    /// Every value of a `-bin` key, decoded, splitting values a peer joined
    /// with `,`; malformed values are skipped.
    pub fn get_all_bin(&self, key: &str) -> Vec<Bytes> {
        if !is_bin(key) {
            return Vec::new();
        }
        self.headers
            .get_all(key)
            .iter()
            .flat_map(|v| v.as_bytes().split(|&b| b == b','))
            .filter_map(crate::base64::decode)
            .map(Bytes::from)
            .collect()
    }

    /// Removes every value of `key`; whether there was one.
    pub fn remove(&mut self, key: &str) -> bool {
        self.headers.remove(key).is_some()
    }

    /// Every entry in order: key and value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, MetadataValue<'_>)> {
        self.headers.iter().map(|(name, value)| {
            let key = name.as_str();
            let value = if is_bin(key) {
                MetadataValue::Binary(crate::base64::decode(value.as_bytes()).map(Bytes::from))
            } else {
                MetadataValue::Ascii(String::from_utf8_lossy(value.as_bytes()))
            };
            (key, value)
        })
    }

    /// Merges `other` into this metadata, appending its values.
    pub fn extend(&mut self, other: Metadata) {
        let mut last = None;
        for (name, value) in other.headers {
            if let Some(name) = name {
                last = Some(name);
            }
            if let Some(name) = &last {
                self.headers.append(name.clone(), value);
            }
        }
    }

    /// The metadata among received headers: everything but pseudo-headers,
    /// reserved `grpc-` names and the transport's own headers. Values are
    /// kept as the peer sent them.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Metadata {
        let mut out = HeaderMap::new();
        for (name, value) in headers {
            if !is_reserved(name.as_str()) {
                out.append(name.clone(), value.clone());
            }
        }
        Metadata { headers: out }
    }

    /// Like [`Metadata::from_headers`], but takes the headers by value.
    pub(crate) fn from_headers_owned(headers: HeaderMap) -> Metadata {
        Metadata::from_header_entries(headers, |_, _| {})
    }

    /// Like [`Metadata::from_headers_owned`], but leaves `headers` empty
    /// with its room kept, for reuse (a server's response headers reuse the
    /// request's map).
    ///
    /// Every reserved entry (`grpc-*`, pseudo-headers, transport headers)
    /// goes to `reserved` instead, so a server reads the headers it acts
    /// on in the same pass rather than looking each up first.
    pub(crate) fn from_headers_drain(
        headers: &mut HeaderMap,
        reserved: impl FnMut(&HeaderName, HeaderValue),
    ) -> Metadata {
        Metadata::from_header_entries(headers.drain(), reserved)
    }

    /// The metadata among owned header entries, as `HeaderMap`'s owning
    /// iterators yield them (a name only on the first of its values); the
    /// reserved entries go to `reserved`.
    fn from_header_entries(
        entries: impl IntoIterator<Item = (Option<HeaderName>, HeaderValue)>,
        mut reserved: impl FnMut(&HeaderName, HeaderValue),
    ) -> Metadata {
        let mut out = HeaderMap::new();
        let mut last: Option<HeaderName> = None;
        for (name, value) in entries {
            if let Some(name) = name {
                last = Some(name);
            }
            if let Some(name) = &last {
                if is_reserved(name.as_str()) {
                    reserved(name, value);
                } else {
                    out.append(name.clone(), value);
                }
            }
        }
        Metadata { headers: out }
    }

    /// Appends every entry to `headers`.
    pub(crate) fn write_headers(&self, headers: &mut HeaderMap) {
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
    }
}

impl fmt::Debug for Metadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_binary_entries() {
        let mut md = Metadata::new();
        md.insert("x-user", "alice").expect("valid");
        md.append("x-user", "bob").expect("valid");
        md.insert_bin("x-blob-bin", &[0xab, 0xab, 0xab])
            .expect("valid");
        assert_eq!(md.get("x-user"), Some("alice"));
        assert_eq!(md.get_all("x-user"), ["alice", "bob"]);
        assert_eq!(
            md.get_bin("x-blob-bin").as_deref(),
            Some(&[0xab, 0xab, 0xab][..])
        );
        let mut headers = HeaderMap::new();
        md.write_headers(&mut headers);
        assert_eq!(
            headers.get("x-blob-bin").map(|v| v.as_bytes()),
            Some(&b"q6ur"[..])
        );
    }

    #[test]
    fn refuses_reserved_and_invalid_entries() {
        let mut md = Metadata::new();
        let kind = |r: Result<(), MetadataError>| r.map_err(|e| e.kind()).err();
        assert_eq!(
            kind(md.insert("grpc-status", "0")),
            Some(MetadataErrorKind::ReservedKey)
        );
        assert_eq!(
            kind(md.insert("grpc-custom", "0")),
            Some(MetadataErrorKind::ReservedKey)
        );
        assert_eq!(
            kind(md.insert("te", "trailers")),
            Some(MetadataErrorKind::ReservedKey)
        );
        assert_eq!(
            kind(md.insert("content-type", "x")),
            Some(MetadataErrorKind::ReservedKey)
        );
        assert_eq!(
            kind(md.insert("Upper", "x")),
            Some(MetadataErrorKind::InvalidKey)
        );
        assert_eq!(
            kind(md.insert("", "x")),
            Some(MetadataErrorKind::InvalidKey)
        );
        assert_eq!(
            kind(md.insert("a b", "x")),
            Some(MetadataErrorKind::InvalidKey)
        );
        assert_eq!(
            kind(md.insert("x", "tab\there")),
            Some(MetadataErrorKind::InvalidValue)
        );
        assert_eq!(
            kind(md.insert("x", "é")),
            Some(MetadataErrorKind::InvalidValue)
        );
        assert_eq!(
            kind(md.insert("x-bin", "text")),
            Some(MetadataErrorKind::WrongKind)
        );
        assert_eq!(
            kind(md.insert_bin("x", b"bytes")),
            Some(MetadataErrorKind::WrongKind)
        );
        assert!(md.is_empty());
    }

    #[test]
    fn received_binary_values_padded_unpadded_and_joined() {
        let mut headers = HeaderMap::new();
        headers.append("x-a-bin", HeaderValue::from_static("Zg=="));
        headers.append("x-a-bin", HeaderValue::from_static("Zm8,Zm9v"));
        headers.append("x-a-bin", HeaderValue::from_static("@@@"));
        headers.append("grpc-status", HeaderValue::from_static("0"));
        headers.append("content-type", HeaderValue::from_static("application/grpc"));
        let md = Metadata::from_headers(&headers);
        let values: Vec<Bytes> = md.get_all_bin("x-a-bin");
        assert_eq!(values, [&b"f"[..], b"fo", b"foo"]);
        assert_eq!(md.len(), 3);
        assert_eq!(Metadata::from_headers_owned(headers), md);
    }
}
