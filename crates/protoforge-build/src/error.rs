//! [`Error`]: why a build-script compilation failed, already rendered for
//! people. Its `Debug` form is the same text as its `Display` form, so that
//! `fn main() -> Result<(), Box<dyn std::error::Error>>` in a build script
//! prints readable diagnostics (Rust prints a `main` error with `Debug`).

use std::fmt;

/// Why [`Builder::compile`](crate::Builder::compile) failed.
///
/// Both `Display` and `Debug` print the whole report: for compile errors,
/// every error with its file, line and column, the source line and a caret
/// under the problem.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
}

/// The kinds of [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The `.proto` files have errors (syntax, unresolved names, invalid
    /// options, missing imports, …).
    Compile,
    /// An input file is not under any include path, or is shadowed by
    /// another file of the same import name.
    Input,
    /// A builder setting is invalid (an attribute or Rust path that does
    /// not parse), or the output directory is unknown (`OUT_DIR` unset
    /// outside a build script).
    Config,
    /// Writing the generated files or the descriptor set failed.
    Io,
    /// The generated code did not form Rust (a bug in protoforge).
    Internal,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
            }),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The rendered text, not a struct dump: this is what a build
        // script's `main` prints when it returns the error.
        f.write_str(&self.inner.message)
    }
}

impl std::error::Error for Error {}
