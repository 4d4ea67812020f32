//! Syntax diagnostics and their two renderings.
//!
//! The lexer and parser never stop at the first problem: they push
//! [`Diagnostic`]s into a list and keep going, and the caller decides what is
//! fatal (any [`Severity::Error`] fails `protoforge check`).
//!
//! Wording follows protoc's parser and tokenizer wherever protoc reports the
//! same problem, so that tools grepping protoc output keep working; the
//! position is the one protoc reports (see [`crate::span`] for how columns are
//! counted). A `help` line is added where a fix is known.
//!
//! [`Diagnostic::render_protoc`] gives protoc's one-line `path:line:col: message`
//! form; [`Diagnostic::render_rich`] gives a form for people with the source
//! line and a caret under the span.

use std::fmt::Write as _;

use crate::span::{LineIndex, Span};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The file is not valid; compilation must not succeed.
    Error,
    /// The file is valid but something in it is probably a mistake.
    Warning,
}

/// What went wrong, one variant per kind of syntax diagnostic.
///
/// The message text of a diagnostic can vary within a kind (it names the
/// expected token, say); the kind is stable and is what tests and tools match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// The file is larger than [`crate::limits::MAX_FILE_SIZE`].
    FileTooLarge,
    /// The file starts with 0xEF but not with a whole UTF-8 byte-order mark.
    InvalidByteOrderMark,
    /// A control character (or NUL) outside a string or comment.
    InvalidControlCharacter,
    /// A byte of 0x80 or above outside a string or comment.
    NonAsciiCharacter,
    /// A string literal runs to the end of the file.
    UnterminatedString,
    /// A string literal runs past the end of its line.
    MultilineString,
    /// A backslash escape that protoc does not know, or one with too few digits.
    InvalidEscape,
    /// A malformed number: `0x` with no digits, `09`, `1e`, `1.2.3`, `0x1.5`.
    InvalidNumber,
    /// A number immediately followed by a letter, or an identifier by `.5`.
    MissingSpace,
    /// `/*` inside a block comment.
    NestedBlockComment,
    /// A block comment runs to the end of the file.
    UnterminatedBlockComment,
    /// The file has no `syntax` or `edition` statement (a warning: proto2 is assumed).
    MissingSyntax,
    /// `syntax = "…"` names something other than proto2 or proto3.
    UnknownSyntax,
    /// `edition = "…"` names an edition protoc does not know.
    UnknownEdition,
    /// A token other than the one the grammar requires here.
    UnexpectedToken,
    /// An integer literal too large for the place it is used.
    IntegerOutOfRange,
    /// A `}` with no block to close.
    UnmatchedBrace,
    /// End of file inside a block.
    UnclosedBlock,
    /// Declarations nested deeper than [`crate::limits::MAX_DECLARATION_DEPTH`],
    /// or an aggregate value deeper than [`crate::limits::MAX_AGGREGATE_DEPTH`].
    NestingTooDeep,
    /// A second `package` statement.
    DuplicatePackage,
    /// A field in proto2 without `optional`, `required` or `repeated`.
    MissingLabel,
    /// A label where none is allowed (oneof members, map fields) or one
    /// editions removed (`optional`, `required`).
    InvalidLabel,
    /// A map field inside a oneof or an `extend` block.
    InvalidMapField,
    /// A group whose name does not start with a capital letter, a group with
    /// no body, or a group in an editions file.
    InvalidGroup,
    /// `default` or `json_name` given twice, or a default of the wrong kind.
    InvalidDefault,
    /// A malformed option value (`-` before a string or an identifier other
    /// than `inf`/`nan`, a missing value).
    InvalidOptionValue,
    /// A syntax error inside an aggregate (message-literal) option value.
    InvalidAggregate,
    /// A `reserved` statement in the wrong form for the file's syntax, or a
    /// reserved name that is not an identifier (a warning).
    InvalidReserved,
    /// A field number of 2147483647 in a range, where `+1` would overflow.
    FieldNumberOutOfBounds,
    /// `import option` before edition 2024, `import weak` from 2024 on, or a
    /// plain import after an option import.
    InvalidImport,
    /// `export`/`local` on something other than a message or enum.
    InvalidVisibility,
    /// `option allow_alias = false`, or `allow_alias = true` with no aliases.
    InvalidAllowAlias,
    /// `option map_entry = …` written by hand.
    ExplicitMapEntry,
}

impl DiagnosticKind {
    /// Every kind, in declaration order; tests use it to check each kind has a case.
    pub const ALL: &'static [DiagnosticKind] = &[
        DiagnosticKind::FileTooLarge,
        DiagnosticKind::InvalidByteOrderMark,
        DiagnosticKind::InvalidControlCharacter,
        DiagnosticKind::NonAsciiCharacter,
        DiagnosticKind::UnterminatedString,
        DiagnosticKind::MultilineString,
        DiagnosticKind::InvalidEscape,
        DiagnosticKind::InvalidNumber,
        DiagnosticKind::MissingSpace,
        DiagnosticKind::NestedBlockComment,
        DiagnosticKind::UnterminatedBlockComment,
        DiagnosticKind::MissingSyntax,
        DiagnosticKind::UnknownSyntax,
        DiagnosticKind::UnknownEdition,
        DiagnosticKind::UnexpectedToken,
        DiagnosticKind::IntegerOutOfRange,
        DiagnosticKind::UnmatchedBrace,
        DiagnosticKind::UnclosedBlock,
        DiagnosticKind::NestingTooDeep,
        DiagnosticKind::DuplicatePackage,
        DiagnosticKind::MissingLabel,
        DiagnosticKind::InvalidLabel,
        DiagnosticKind::InvalidMapField,
        DiagnosticKind::InvalidGroup,
        DiagnosticKind::InvalidDefault,
        DiagnosticKind::InvalidOptionValue,
        DiagnosticKind::InvalidAggregate,
        DiagnosticKind::InvalidReserved,
        DiagnosticKind::FieldNumberOutOfBounds,
        DiagnosticKind::InvalidImport,
        DiagnosticKind::InvalidVisibility,
        DiagnosticKind::InvalidAllowAlias,
        DiagnosticKind::ExplicitMapEntry,
    ];

    /// The kind's name in kebab case, as shown in rich output (`error[unexpected-token]`).
    pub fn name(self) -> &'static str {
        match self {
            DiagnosticKind::FileTooLarge => "file-too-large",
            DiagnosticKind::InvalidByteOrderMark => "invalid-byte-order-mark",
            DiagnosticKind::InvalidControlCharacter => "invalid-control-character",
            DiagnosticKind::NonAsciiCharacter => "non-ascii-character",
            DiagnosticKind::UnterminatedString => "unterminated-string",
            DiagnosticKind::MultilineString => "multiline-string",
            DiagnosticKind::InvalidEscape => "invalid-escape",
            DiagnosticKind::InvalidNumber => "invalid-number",
            DiagnosticKind::MissingSpace => "missing-space",
            DiagnosticKind::NestedBlockComment => "nested-block-comment",
            DiagnosticKind::UnterminatedBlockComment => "unterminated-block-comment",
            DiagnosticKind::MissingSyntax => "missing-syntax",
            DiagnosticKind::UnknownSyntax => "unknown-syntax",
            DiagnosticKind::UnknownEdition => "unknown-edition",
            DiagnosticKind::UnexpectedToken => "unexpected-token",
            DiagnosticKind::IntegerOutOfRange => "integer-out-of-range",
            DiagnosticKind::UnmatchedBrace => "unmatched-brace",
            DiagnosticKind::UnclosedBlock => "unclosed-block",
            DiagnosticKind::NestingTooDeep => "nesting-too-deep",
            DiagnosticKind::DuplicatePackage => "duplicate-package",
            DiagnosticKind::MissingLabel => "missing-label",
            DiagnosticKind::InvalidLabel => "invalid-label",
            DiagnosticKind::InvalidMapField => "invalid-map-field",
            DiagnosticKind::InvalidGroup => "invalid-group",
            DiagnosticKind::InvalidDefault => "invalid-default",
            DiagnosticKind::InvalidOptionValue => "invalid-option-value",
            DiagnosticKind::InvalidAggregate => "invalid-aggregate",
            DiagnosticKind::InvalidReserved => "invalid-reserved",
            DiagnosticKind::FieldNumberOutOfBounds => "field-number-out-of-bounds",
            DiagnosticKind::InvalidImport => "invalid-import",
            DiagnosticKind::InvalidVisibility => "invalid-visibility",
            DiagnosticKind::InvalidAllowAlias => "invalid-allow-alias",
            DiagnosticKind::ExplicitMapEntry => "explicit-map-entry",
        }
    }
}

/// A secondary position that explains a diagnostic ("comment started here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Where.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One problem found in a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The kind, stable across wording changes.
    pub kind: DiagnosticKind,
    /// The smallest useful span; its start is the position protoc reports.
    pub span: Span,
    /// What is wrong, in protoc's wording where protoc has one.
    pub message: String,
    /// How to fix it, where that is known.
    pub help: Option<String>,
    /// Related positions.
    pub notes: Vec<Note>,
}

impl Diagnostic {
    /// An error of `kind` at `span`.
    pub fn error(kind: DiagnosticKind, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            kind,
            span,
            message: message.into(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// A warning of `kind` at `span`.
    pub fn warning(kind: DiagnosticKind, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(kind, span, message)
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a note at another position.
    pub fn with_note(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.notes.push(Note {
            span,
            message: message.into(),
        });
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// protoc's one-line form: `path:line:col: message`, with one-based line
    /// and column, and `warning: ` before the message of a warning.
    ///
    /// Notes follow on lines of their own in the same form, as protoc prints
    /// its "Comment started here." line.
    pub fn render_protoc(&self, path: &str, source: &[u8], index: &LineIndex) -> String {
        let mut out = String::new();
        let pos = index.line_col(source, self.span.start);
        let warn = if self.severity == Severity::Warning {
            "warning: "
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{path}:{}:{}: {warn}{}",
            pos.line + 1,
            pos.col + 1,
            self.message
        );
        for note in &self.notes {
            let pos = index.line_col(source, note.span.start);
            let _ = writeln!(
                out,
                "{path}:{}:{}:   {}",
                pos.line + 1,
                pos.col + 1,
                note.message
            );
        }
        out
    }

    /// A form for people: a header with the kind, the location, the source line
    /// with carets under the span, then notes and help.
    pub fn render_rich(&self, path: &str, source: &[u8], index: &LineIndex) -> String {
        let mut out = String::new();
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{severity}[{}]: {}", self.kind.name(), self.message);
        render_snippet(&mut out, path, source, index, self.span, "");
        for note in &self.notes {
            render_snippet(&mut out, path, source, index, note.span, &note.message);
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out
    }
}

/// Writes `--> path:line:col`, the source line and a caret line for `span`.
fn render_snippet(
    out: &mut String,
    path: &str,
    source: &[u8],
    index: &LineIndex,
    span: Span,
    label: &str,
) {
    let start = index.line_col(source, span.start);
    let _ = writeln!(out, "  --> {path}:{}:{}", start.line + 1, start.col + 1);
    let line_range = index.line_range(source, start.line);
    let line_start = line_range.start;
    let line_text = &source[line_range.clone()];
    let gutter = (start.line + 1).to_string();
    let pad = " ".repeat(gutter.len());
    // Show the line with tabs expanded so carets line up; columns here count
    // characters (lossy UTF-8), not protoc's bytes.
    let mut shown = String::new();
    let mut caret = String::new();
    let span_start = (span.start as usize).clamp(line_start, line_range.end);
    let span_end = (span.end as usize).clamp(span_start, line_range.end);
    let text = String::from_utf8_lossy(line_text);
    let mut byte = line_start;
    for ch in text.chars() {
        let width = if ch == '\t' { 4 } else { 1 };
        let glyph: String = if ch == '\t' {
            "    ".into()
        } else if ch.is_control() {
            "\u{fffd}".into()
        } else {
            ch.to_string()
        };
        shown.push_str(&glyph);
        let mark = if byte >= span_start
            && (byte < span_end || (byte == span_start && span_end == span_start))
        {
            '^'
        } else if byte < span_start {
            ' '
        } else {
            '\0'
        };
        if mark != '\0' {
            for _ in 0..width {
                caret.push(mark);
            }
        }
        byte += ch
            .len_utf8()
            .min(line_range.end.saturating_sub(byte).max(1));
    }
    if !caret.contains('^') {
        // The span starts at the end of the line (or of the file).
        caret.push('^');
    }
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{gutter} | {shown}");
    let caret = caret.trim_end();
    if label.is_empty() {
        let _ = writeln!(out, "{pad} | {caret}");
    } else {
        let _ = writeln!(out, "{pad} | {caret} {label}");
    }
}
