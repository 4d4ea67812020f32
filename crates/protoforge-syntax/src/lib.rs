//! The `.proto` front end of protoforge: a lexer, a parser and a lossless AST,
//! with diagnostics that match protoc's.
//!
//! ```
//! let parsed = protoforge_syntax::parse(b"syntax = \"proto3\";\nmessage Foo { int32 id = 1; }\n");
//! assert!(!parsed.has_errors());
//! assert_eq!(parsed.file.items.len(), 1);
//! ```
//!
//! The crate knows nothing of descriptors, files on disk or Rust: it takes the
//! bytes of one file and returns a [`Parse`], which always holds an
//! [`ast::File`] (as much as could be recovered) and the [`Diagnostic`]s found
//! on the way. Parsing never panics and never stops at the first error: after
//! an error the parser skips to the end of the statement, as protoc does, and
//! goes on.
//!
//! Key types:
//! - [`ast`]: the tree, with a [`Span`] on every node and protoc's comment
//!   attachment ([`ast::Comments`]) on every declaration;
//! - [`Diagnostic`] with a [`DiagnosticKind`], rendered in protoc's one-line
//!   form or a rich form with the source line;
//! - [`LineIndex`]: byte offsets to protoc's line and column;
//! - [`limits`]: the documented bounds on input size and nesting.

#![deny(missing_docs)]

pub mod ast;
mod diagnostic;
pub mod dump;

mod lex;
pub mod limits;
pub mod literal;
mod parse;
mod span;

pub use diagnostic::{Diagnostic, DiagnosticKind, Note, Severity, render_snippet};
pub use lex::{Token, TokenKind, tokenize};
pub use span::{LineCol, LineIndex, Span, TAB_WIDTH};

/// The result of parsing one file: the tree and everything found wrong with it.
#[derive(Clone, Debug)]
pub struct Parse {
    /// The syntax tree; complete for valid input, partial after errors.
    pub file: ast::File,
    /// Errors and warnings in the order protoc reports them, which is source
    /// order except where protoc reports a problem after reading on (for
    /// example a bad group name after its number, or the tokenizer's error
    /// inside a number before the parser's error about it).
    pub diagnostics: Vec<Diagnostic>,
}

impl Parse {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

/// Parses the bytes of one `.proto` file.
///
/// Any input is accepted: invalid UTF-8, NUL bytes and truncated files give
/// diagnostics, never a panic. Input larger than [`limits::MAX_FILE_SIZE`] gives
/// one [`DiagnosticKind::FileTooLarge`] error and an empty tree.
pub fn parse(source: &[u8]) -> Parse {
    parse::parse(source)
}
