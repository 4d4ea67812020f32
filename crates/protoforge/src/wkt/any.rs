//! `Any`: pack a message with its type URL, and unpack it again when the
//! URL names the expected type (the last path segment is the full name, as
//! every implementation compares it).

use std::fmt;

use crate::error::DecodeError;
use crate::message::Message;

use super::Any;

/// The URL prefix other implementations use by default.
pub const TYPE_URL_PREFIX: &str = "type.googleapis.com/";

/// Why [`Any::unpack`] failed.
#[derive(Debug, Clone)]
pub enum AnyError {
    /// The URL names another type.
    TypeMismatch {
        /// The full name expected.
        expected: &'static str,
        /// The type URL found.
        found: String,
    },
    /// The payload does not decode as the expected type.
    Decode(DecodeError),
}

impl fmt::Display for AnyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyError::TypeMismatch { expected, found } => {
                write!(f, "Any holds {found:?}, not {expected}")
            }
            AnyError::Decode(e) => write!(f, "Any payload: {e}"),
        }
    }
}

impl std::error::Error for AnyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AnyError::Decode(e) => Some(e),
            AnyError::TypeMismatch { .. } => None,
        }
    }
}

impl Any {
    /// Packs `msg` with the URL `type.googleapis.com/<full name>`.
    pub fn pack<M: Message>(msg: &M) -> Any {
        Any::pack_with_prefix(msg, TYPE_URL_PREFIX)
    }

    /// Packs `msg` with the URL `<prefix><full name>` (a `/` is added to a
    /// prefix that lacks it).
    pub fn pack_with_prefix<M: Message>(msg: &M, prefix: &str) -> Any {
        let mut type_url = String::with_capacity(prefix.len() + 1 + M::NAME.len());
        type_url.push_str(prefix);
        if !prefix.ends_with('/') {
            type_url.push('/');
        }
        type_url.push_str(M::NAME);
        Any {
            type_url,
            value: msg.encode_to_vec(),
            ..Default::default()
        }
    }

    /// The full type name the URL names: its text after the last `/`.
    pub fn type_name(&self) -> &str {
        match self.type_url.rfind('/') {
            Some(i) => &self.type_url[i + 1..],
            None => &self.type_url,
        }
    }

    /// True when the URL names `M`.
    pub fn is<M: Message>(&self) -> bool {
        self.type_name() == M::NAME
    }

    /// Decodes the payload as `M`, when the URL names `M`.
    pub fn unpack<M: Message>(&self) -> Result<M, AnyError> {
        if !self.is::<M>() {
            return Err(AnyError::TypeMismatch {
                expected: M::NAME,
                found: self.type_url.clone(),
            });
        }
        M::decode(&self.value).map_err(AnyError::Decode)
    }
}
