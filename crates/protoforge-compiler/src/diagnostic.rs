//! Compiler diagnostics: what went wrong, in which file, where.
//!
//! Every phase pushes [`Diagnostic`]s into one list and goes on; the caller
//! decides what is fatal. Where protoc reports the same problem, the message
//! is protoc's text and the position is the one protoc reports (its
//! `file:line:col: message` line is what [`Diagnostic::render_protoc`]
//! prints). Syntax diagnostics from `protoforge-syntax` are carried over
//! unchanged, with their kind.

use std::fmt;

pub use protoforge_syntax::Severity;

/// What kind of problem a diagnostic reports. The message text varies within
/// a kind; the kind is stable and is what tests and tools match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// A syntax error or warning from the parser.
    Syntax(protoforge_syntax::DiagnosticKind),
    /// A file could not be found or read.
    FileNotFound,
    /// An import that failed, repeats, or forms a cycle.
    Import,
    /// An import that nothing uses (a warning).
    UnusedImport,
    /// A name defined twice, or not a valid identifier.
    DuplicateName,
    /// A name that does not resolve, or resolves to the wrong kind of thing.
    UnresolvedName,
    /// An option that is unknown, has a bad value, or is set twice.
    Option,
    /// A feature used wrongly (editions).
    Feature,
    /// Any other rule of protoc's descriptor builder.
    Invalid,
    /// A rule the `protoforge` compiler itself cannot handle yet.
    Unsupported,
}

/// A position in a named file: zero-based line and column as protoc counts
/// them, and the byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// The file's name (its import path).
    pub file: String,
    /// Zero-based line.
    pub line: u32,
    /// Zero-based column (tabs to the next multiple of 8).
    pub col: u32,
    /// The byte range in the file.
    pub span: protoforge_syntax::Span,
}

/// One problem found while compiling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The stable kind.
    pub kind: DiagnosticKind,
    /// Where, when known. protoc reports some errors against a file with no
    /// position (`file: message`), and some against nothing (`message`).
    pub position: Option<Position>,
    /// The file the diagnostic is about, when there is no position.
    pub file: Option<String>,
    /// The message, protoc's wording where protoc has one.
    pub message: String,
}

impl Diagnostic {
    /// An error.
    pub fn error(kind: DiagnosticKind, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            kind,
            position: None,
            file: None,
            message: message.into(),
        }
    }

    /// A warning.
    pub fn warning(kind: DiagnosticKind, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(kind, message)
        }
    }

    /// The same diagnostic at `position`.
    pub fn at(mut self, position: Position) -> Diagnostic {
        self.file = Some(position.file.clone());
        self.position = Some(position);
        self
    }

    /// The same diagnostic about `file`, with no position.
    pub fn in_file(mut self, file: impl Into<String>) -> Diagnostic {
        self.file = Some(file.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// protoc's one-line form: `file:line:col: message`, with `warning: `
    /// before the message of a warning (one-based line and column).
    pub fn render_protoc(&self) -> String {
        let warn = if self.is_error() { "" } else { "warning: " };
        match (&self.position, &self.file) {
            (Some(p), _) => format!(
                "{}:{}:{}: {warn}{}",
                p.file,
                p.line + 1,
                p.col + 1,
                self.message
            ),
            (None, Some(file)) => format!("{file}: {warn}{}", self.message),
            (None, None) => format!("{warn}{}", self.message),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_protoc())
    }
}
