//! [`ProtoString`]: the value of a `string` field whose `utf8_validation`
//! feature is `NONE` (every proto2 `string`, and editions fields that turn
//! the check off). Google's C++, Java, Go and Python implementations accept
//! any bytes in such a field, so a Rust reader must too: a message a peer
//! wrote with non-UTF-8 bytes in a proto2 string decodes, and the bytes go
//! back out unchanged. The text is reached by a checked conversion
//! ([`ProtoString::as_str`]), as Google's own Rust protobuf does with its
//! `ProtoStr`.
//!
//! The bytes are a [`bytes::Bytes`]: a message decoded from a `Bytes` input
//! shares the input's buffer instead of copying each string, and a declared
//! default is a `static` (no allocation when a getter returns it).

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::str::Utf8Error;

use bytes::Bytes;

/// The text of a `string` field that is not checked for UTF-8 when decoded:
/// bytes that are meant to be, but need not be, UTF-8.
///
/// Build one from text (`"name".into()`, `String::from(…).into()`) or bytes
/// ([`ProtoString::from_bytes`]); read it with [`as_str`](Self::as_str)
/// (an error when the bytes are not UTF-8), [`to_string_lossy`](Self::to_string_lossy)
/// or [`as_bytes`](Self::as_bytes). It compares with `str` and `String`,
/// prints with `{:?}` as a string would (invalid bytes as `\xNN`), and is
/// `Hash`, `Eq` and `Ord` (by bytes, which is the order of `str` for valid
/// text), so it can key a map.
///
/// ```
/// use protoforge::ProtoString;
///
/// let name = ProtoString::from("café");
/// assert_eq!(name, "café");
/// assert_eq!(name.as_str(), Ok("café"));
///
/// // Bytes a Go or C++ peer may put in a proto2 string field.
/// let raw = ProtoString::from_bytes(vec![b'a', 0xff]);
/// assert!(raw.as_str().is_err());
/// assert_eq!(raw.to_string_lossy(), "a\u{fffd}");
/// assert_eq!(format!("{raw:?}"), r#""a\xff""#);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProtoString(Bytes);

impl ProtoString {
    /// The empty string (allocates nothing).
    pub const fn new() -> ProtoString {
        ProtoString(Bytes::new())
    }

    /// A string of static bytes (allocates nothing; `const`, for declared
    /// defaults).
    pub const fn from_static(bytes: &'static [u8]) -> ProtoString {
        ProtoString(Bytes::from_static(bytes))
    }

    /// A string of any bytes, UTF-8 or not.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> ProtoString {
        ProtoString(bytes.into())
    }

    /// The text, or the UTF-8 error when the bytes are not UTF-8.
    pub fn as_str(&self) -> Result<&str, Utf8Error> {
        std::str::from_utf8(&self.0)
    }

    /// The text, with each invalid sequence replaced by `U+FFFD` (borrowed
    /// when the bytes are valid UTF-8).
    pub fn to_string_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// Whether the bytes are valid UTF-8.
    pub fn is_utf8(&self) -> bool {
        self.as_str().is_ok()
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, as the `Bytes` they are kept in (no copy).
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// The text as a `String`, or the bytes back in the error when they are
    /// not UTF-8.
    pub fn into_string(self) -> Result<String, std::string::FromUtf8Error> {
        String::from_utf8(Vec::from(self.0))
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the string is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Empties the string.
    pub fn clear(&mut self) {
        self.0 = Bytes::new();
    }
}

impl fmt::Debug for ProtoString {
    /// As a `str` would print, with each byte that is not part of valid
    /// UTF-8 as `\xNN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for chunk in self.0.utf8_chunks() {
            // The valid part exactly as `str`'s `Debug` writes it, without
            // its quotes.
            let text = format!("{:?}", chunk.valid());
            f.write_str(text.get(1..text.len() - 1).unwrap_or_default())?;
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        f.write_str("\"")
    }
}

impl fmt::Display for ProtoString {
    /// The text, each invalid sequence shown as `U+FFFD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_string_lossy(), f)
    }
}

impl From<&str> for ProtoString {
    fn from(s: &str) -> ProtoString {
        ProtoString(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl From<String> for ProtoString {
    fn from(s: String) -> ProtoString {
        ProtoString(Bytes::from(s))
    }
}

impl From<&String> for ProtoString {
    fn from(s: &String) -> ProtoString {
        ProtoString::from(s.as_str())
    }
}

impl From<Cow<'_, str>> for ProtoString {
    fn from(s: Cow<'_, str>) -> ProtoString {
        ProtoString::from(s.into_owned())
    }
}

impl From<ProtoString> for Bytes {
    fn from(s: ProtoString) -> Bytes {
        s.0
    }
}

impl From<ProtoString> for Vec<u8> {
    fn from(s: ProtoString) -> Vec<u8> {
        Vec::from(s.0)
    }
}

impl TryFrom<ProtoString> for String {
    type Error = std::string::FromUtf8Error;

    fn try_from(s: ProtoString) -> Result<String, Self::Error> {
        s.into_string()
    }
}

impl<'a> TryFrom<&'a ProtoString> for &'a str {
    type Error = Utf8Error;

    fn try_from(s: &'a ProtoString) -> Result<&'a str, Utf8Error> {
        s.as_str()
    }
}

impl AsRef<[u8]> for ProtoString {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Map lookups by bytes: `map.get(b"key".as_slice())`.
impl Borrow<[u8]> for ProtoString {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

impl PartialEq<str> for ProtoString {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for ProtoString {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<String> for ProtoString {
    fn eq(&self, other: &String) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<ProtoString> for str {
    fn eq(&self, other: &ProtoString) -> bool {
        other == self
    }
}

impl PartialEq<ProtoString> for &str {
    fn eq(&self, other: &ProtoString) -> bool {
        other == *self
    }
}

impl PartialEq<ProtoString> for String {
    fn eq(&self, other: &ProtoString) -> bool {
        other == self
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use super::ProtoString;

    #[test]
    fn debug_prints_like_a_string_with_bad_bytes_escaped() {
        let table: &[(&[u8], &str)] = &[
            (b"", r#""""#),
            (b"plain", r#""plain""#),
            ("caf\u{e9}".as_bytes(), "\"caf\u{e9}\""),
            (b"quote\" tab\t nl\n it's", r#""quote\" tab\t nl\n it's""#),
            (&[0xff, b'a', 0xc3], r#""\xffa\xc3""#),
            (&[0xe2, 0x82, b'x'], r#""\xe2\x82x""#),
        ];
        for (bytes, want) in table {
            let s = ProtoString::from_bytes(bytes.to_vec());
            assert_eq!(format!("{s:?}"), *want, "{bytes:?}");
            if let Ok(text) = std::str::from_utf8(bytes) {
                assert_eq!(format!("{s:?}"), format!("{text:?}"));
            }
        }
    }

    #[test]
    fn conversions_and_comparisons() {
        let s = ProtoString::from("abc");
        assert_eq!(s, "abc");
        assert_eq!("abc", s);
        assert_eq!(s, String::from("abc"));
        assert_eq!(String::from("abc"), s);
        assert_ne!(s, "abd");
        assert_eq!(s.as_str(), Ok("abc"));
        assert_eq!(s.to_string(), "abc");
        assert_eq!(String::try_from(s.clone()).ok().as_deref(), Some("abc"));
        assert_eq!(ProtoString::from(String::from("abc")), s);
        assert_eq!(ProtoString::from_static(b"abc"), s);
        assert_eq!(s.len(), 3);

        let bad = ProtoString::from_bytes(&b"a\xffb"[..]);
        assert!(!bad.is_utf8());
        assert_eq!(bad.as_str().map_err(|e| e.valid_up_to()), Err(1));
        assert_eq!(bad.to_string(), "a\u{fffd}b");
        let err = String::try_from(bad.clone()).err().map(|e| e.into_bytes());
        assert_eq!(err.as_deref(), Some(&b"a\xffb"[..]));
        assert_eq!(Vec::from(bad), b"a\xffb");

        let mut cleared = s;
        cleared.clear();
        assert!(cleared.is_empty());
        assert_eq!(cleared, ProtoString::default());
    }

    #[test]
    fn keys_a_map_and_orders_as_text_does() {
        let mut hash = HashMap::new();
        hash.insert(ProtoString::from("b"), 2);
        hash.insert(ProtoString::from_bytes(vec![0xff]), 3);
        assert_eq!(hash.get(&ProtoString::from("b")), Some(&2));
        assert_eq!(hash.get(b"\xff".as_slice()), Some(&3));

        let mut tree = BTreeMap::new();
        for word in ["pear", "apple", "\u{e9}t\u{e9}", "Zoo"] {
            tree.insert(ProtoString::from(word), ());
        }
        let ours: Vec<String> = tree.keys().map(ToString::to_string).collect();
        let mut want = vec!["pear", "apple", "\u{e9}t\u{e9}", "Zoo"];
        want.sort();
        assert_eq!(ours, want);
    }
}
