//! The decode error: an opaque boxed struct over a non-exhaustive kind, with
//! the path of messages and fields that led to the problem.
//!
//! Errors are rare and must cost nothing on the success path: the
//! [`DecodeError`] is one pointer wide (so `Result<T, DecodeError>` stays
//! small), its constructors are `#[cold]`, and the field path is added only
//! while an error travels up through the decode loops.

use std::fmt;

/// What went wrong while decoding. New kinds may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input ended in the middle of a tag, a value or a length-delimited
    /// field.
    Truncated,
    /// A varint ran past ten bytes (five for a tag).
    OverlongVarint,
    /// A tag whose wire type is 6 or 7, or whose field number is 0 or past
    /// the 29-bit maximum.
    InvalidTag,
    /// A length prefix larger than the bytes left in its enclosing message
    /// (or than 2 GiB).
    LengthPastEnd,
    /// A string field whose bytes are not UTF-8 where the field requires it.
    InvalidUtf8,
    /// A required field is missing (proto2 `required`, editions
    /// `LEGACY_REQUIRED`).
    MissingRequired,
    /// Messages or groups nested deeper than the recursion limit.
    RecursionLimit,
    /// An end-group tag that does not close the group being read, or a group
    /// that the input ends before closing.
    EndGroupMismatch,
    /// A packed field whose length is not a whole number of fixed-width
    /// elements, or a value that does not fit its field type.
    InvalidValue,
}

impl DecodeErrorKind {
    fn describe(self) -> &'static str {
        match self {
            DecodeErrorKind::Truncated => "truncated input",
            DecodeErrorKind::OverlongVarint => "varint longer than 10 bytes",
            DecodeErrorKind::InvalidTag => "invalid tag",
            DecodeErrorKind::LengthPastEnd => "length past the end of the input",
            DecodeErrorKind::InvalidUtf8 => "invalid UTF-8 in a string field",
            DecodeErrorKind::MissingRequired => "missing required field",
            DecodeErrorKind::RecursionLimit => "recursion limit exceeded",
            DecodeErrorKind::EndGroupMismatch => "end-group tag does not match the open group",
            DecodeErrorKind::InvalidValue => "invalid value",
        }
    }
}

/// One step of the path to the failing field: a message's full name and the
/// field of it being decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathElement {
    /// The message's full protobuf name (`pkg.Outer.Inner`).
    pub message: &'static str,
    /// The field's number.
    pub number: u32,
    /// The field's name, when the message knows it (an unknown field has none).
    pub field: Option<&'static str>,
}

#[derive(Debug, Clone)]
struct Inner {
    kind: DecodeErrorKind,
    /// Innermost first.
    path: Vec<PathElement>,
    detail: Option<String>,
}

/// An error decoding a message: what went wrong ([`DecodeError::kind`]) and
/// where (the message and field path, outermost first, in the `Display`
/// form and in [`DecodeError::path`]).
///
/// ```
/// use protoforge::{DecodeErrorKind, Message, wkt::Timestamp};
/// // Field 1 (seconds, varint) with a value that never ends.
/// let err = Timestamp::decode(&[0x08, 0xff]).unwrap_err();
/// assert_eq!(err.kind(), DecodeErrorKind::Truncated);
/// assert_eq!(err.to_string(), "google.protobuf.Timestamp.seconds: truncated input");
/// ```
#[derive(Clone)]
pub struct DecodeError(Box<Inner>);

impl DecodeError {
    /// An error of `kind` with no path yet.
    #[cold]
    #[inline(never)]
    pub fn new(kind: DecodeErrorKind) -> DecodeError {
        DecodeError(Box::new(Inner {
            kind,
            path: Vec::new(),
            detail: None,
        }))
    }

    /// An error of `kind` with a sentence of detail.
    #[cold]
    #[inline(never)]
    pub fn with_detail(kind: DecodeErrorKind, detail: impl Into<String>) -> DecodeError {
        DecodeError(Box::new(Inner {
            kind,
            path: Vec::new(),
            detail: Some(detail.into()),
        }))
    }

    /// What went wrong.
    pub fn kind(&self) -> DecodeErrorKind {
        self.0.kind
    }

    /// The fields being decoded when the error happened, outermost first.
    pub fn path(&self) -> impl Iterator<Item = &PathElement> {
        self.0.path.iter().rev()
    }

    /// Adds the enclosing field to the path (called while the error travels
    /// outwards, so the innermost field comes first).
    #[cold]
    #[inline(never)]
    pub(crate) fn push(
        mut self,
        message: &'static str,
        number: u32,
        field: Option<&'static str>,
    ) -> DecodeError {
        self.0.path.push(PathElement {
            message,
            number,
            field,
        });
        self
    }

    /// The dotted field path, `Outer.child.name` style (`pkg.Outer` and then
    /// field names, or numbers where a name is unknown).
    fn dotted_path(&self) -> Option<String> {
        let mut it = self.path();
        let first = it.next()?;
        let mut out = String::from(first.message);
        for element in std::iter::once(first).chain(it) {
            match element.field {
                Some(name) => {
                    out.push('.');
                    out.push_str(name);
                }
                // Number 0: the error is in a tag, not in a field.
                None if element.number == 0 => {}
                None => {
                    out.push('.');
                    out.push_str(&element.number.to_string());
                }
            }
        }
        Some(out)
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("kind", &self.0.kind)
            .field("path", &self.dotted_path())
            .field("detail", &self.0.detail)
            .finish()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = self.dotted_path() {
            write!(f, "{path}: ")?;
        }
        f.write_str(self.0.kind.describe())?;
        if let Some(detail) = &self.0.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// A message with a required field unset, found by
/// [`Message::check_initialized`](crate::Message::check_initialized).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingRequired {
    /// The full name of the top-level message checked.
    pub message: &'static str,
    /// The path of the first missing field below it, C++ style:
    /// `child.items[2].name`.
    pub field_path: String,
}

impl fmt::Display for MissingRequired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "message of type \"{}\" is missing required fields: {}",
            self.message, self.field_path
        )
    }
}

impl std::error::Error for MissingRequired {}

impl From<MissingRequired> for DecodeError {
    #[cold]
    fn from(missing: MissingRequired) -> DecodeError {
        DecodeError::with_detail(
            DecodeErrorKind::MissingRequired,
            format!("{}.{}", missing.message, missing.field_path),
        )
    }
}
