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
    /// Messages nested deeper than [`crate::limits::MAX_DECLARATION_DEPTH`]
    /// or groups deeper than [`crate::limits::MAX_GROUP_DEPTH`].
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
    /// A `reserved` statement in the wrong form for the file's syntax, or a
    /// reserved name that is not an identifier (a warning).
    InvalidReserved,
    /// A field number of 2147483647 in an `extensions` range, where `+1`
    /// would overflow (protoc 35 checks only `extensions` ranges here).
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
        render_snippet_into(&mut out, path, source, index, self.span, "");
        for note in &self.notes {
            render_snippet_into(&mut out, path, source, index, note.span, &note.message);
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out
    }
}

/// The location and source excerpt [`Diagnostic::render_rich`] prints for
/// a span: `  --> path:line:col`, the source line, and carets under the
/// span, each line ending in a newline. For renderers of diagnostics that
/// are not syntax diagnostics (the compiler's) to look the same.
pub fn render_snippet(path: &str, source: &[u8], index: &LineIndex, span: Span) -> String {
    let mut out = String::new();
    render_snippet_into(&mut out, path, source, index, span, "");
    out
}

/// Writes `--> path:line:col`, the source line and a caret line for `span`.
///
/// The line is shown with tabs expanded to four spaces, control characters
/// and invalid UTF-8 shown as U+FFFD, so the carets line up under the
/// characters they mark whatever the bytes are.
fn render_snippet_into(
    out: &mut String,
    path: &str,
    source: &[u8],
    index: &LineIndex,
    span: Span,
    label: &str,
) {
    let start = index.line_col(source, span.start);
    let _ = writeln!(out, "  --> {path}:{}:{}", start.line + 1, start.col + 1);
    let line = index.line_range(source, start.line);
    let span_start = (span.start as usize).clamp(line.start, line.end);
    // A span running past the line is marked to the end of the line.
    let span_end = (span.end as usize).clamp(span_start, line.end);
    let mut shown = String::new();
    let mut caret = String::new();
    for (offset, glyph) in glyphs(&source[line.clone()]) {
        let at = line.start + offset;
        let marked = at >= span_start && at < span_end.max(span_start + 1);
        let fill = if marked { '^' } else { ' ' };
        let width = glyph.chars().count();
        shown.push_str(&glyph);
        if at < span_end.max(span_start + 1) {
            caret.extend(std::iter::repeat_n(fill, width));
        }
    }
    if !caret.contains('^') {
        // The span is empty at the end of the line (or of the file).
        caret.push('^');
    }
    let gutter = (start.line + 1).to_string();
    let pad = " ".repeat(gutter.len());
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{gutter} | {}", shown.trim_end_matches(['\r']));
    let caret = caret.trim_end();
    if label.is_empty() {
        let _ = writeln!(out, "{pad} | {caret}");
    } else {
        let _ = writeln!(out, "{pad} | {caret} {label}");
    }
}

/// Splits a line into display glyphs, each with the byte offset it starts at.
fn glyphs(line: &[u8]) -> Vec<(usize, String)> {
    let mut out = Vec::with_capacity(line.len());
    let mut offset = 0;
    for chunk in line.utf8_chunks() {
        for ch in chunk.valid().chars() {
            let glyph = match ch {
                '\t' => "    ".to_string(),
                '\r' => String::new(),
                c if c.is_control() => "\u{fffd}".to_string(),
                c => c.to_string(),
            };
            out.push((offset, glyph));
            offset += ch.len_utf8();
        }
        for _ in chunk.invalid() {
            out.push((offset, "\u{fffd}".to_string()));
            offset += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rich(source: &str, span: Span) -> String {
        let d = Diagnostic::error(DiagnosticKind::UnexpectedToken, span, "Expected \";\".")
            .with_help("found `}`");
        d.render_rich(
            "a.proto",
            source.as_bytes(),
            &LineIndex::new(source.as_bytes()),
        )
    }

    #[test]
    fn rich_marks_the_span_under_the_source_line() {
        let out = rich("message A {\n\tint32 x = 1\n}\n", Span::new(25, 26));
        assert_eq!(
            out,
            "error[unexpected-token]: Expected \";\".\n  --> a.proto:3:1\n  |\n3 | }\n  | ^\n  = help: found `}`\n"
        );
    }

    #[test]
    fn rich_expands_tabs_and_counts_characters() {
        let out = rich("\t\"é\" x", Span::new(6, 7));
        assert!(out.contains("1 |     \"é\" x\n  |         ^\n"), "{out}");
    }

    #[test]
    fn protoc_form_counts_bytes_and_tabs() {
        let src = "\t\"é\" x";
        let d = Diagnostic::error(DiagnosticKind::UnexpectedToken, Span::new(6, 7), "m");
        assert_eq!(
            d.render_protoc("a.proto", src.as_bytes(), &LineIndex::new(src.as_bytes())),
            "a.proto:1:14: m\n"
        );
    }
}
