//! Printing diagnostics in the four `--error_format`s of a protoc command
//! line: protoc's `gcc` and `msvs` lines, and our `rich` (for people) and
//! `json` (for tools) forms.
//!
//! A [`Report`] is a diagnostic reduced to what printing needs, so the same
//! code prints the compiler's diagnostics whatever their origin. The `gcc`
//! and `msvs` forms are protoc's `ErrorPrinter` to the byte: the file is the
//! disk path when the include paths know it, lines and columns are
//! one-based, and a warning's message starts with `warning: `.

use std::fmt::Write as _;

use protoforge_syntax::{LineIndex, Span};

use crate::config::protoc::ErrorFormat;

/// One diagnostic, ready to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Report<'a> {
    /// The file as shown (a disk path where known), if any.
    pub(crate) file: Option<&'a str>,
    /// Zero-based line and column as protoc counts them, if known.
    pub(crate) line_col: Option<(u32, u32)>,
    /// The byte range, if known, for the `rich` snippet.
    pub(crate) span: Option<Span>,
    /// The file's bytes, if known, for the `rich` snippet.
    pub(crate) source: Option<&'a [u8]>,
    /// Whether it is an error (else a warning).
    pub(crate) is_error: bool,
    /// The stable kind name (`unused-import`).
    pub(crate) kind: &'a str,
    /// The message.
    pub(crate) message: &'a str,
}

/// The text for `report` in `format`, ending in a newline.
pub(crate) fn render(format: ErrorFormat, report: &Report<'_>) -> String {
    match format {
        ErrorFormat::Gcc => protoc_line(report, |out, line, col, _| {
            let _ = write!(out, ":{}:{}", line + 1, col + 1);
        }),
        ErrorFormat::Msvs => protoc_line(report, |out, line, col, kind| {
            let _ = write!(out, "({}) : {kind} in column={}", line + 1, col + 1);
        }),
        ErrorFormat::Rich => rich(report),
        ErrorFormat::Json => json(report),
    }
}

/// protoc's `AddErrorOrWarning`.
fn protoc_line(report: &Report<'_>, position: impl Fn(&mut String, u32, u32, &str)) -> String {
    let mut out = String::new();
    let kind = if report.is_error { "error" } else { "warning" };
    if let Some(file) = report.file {
        out.push_str(file);
        if let Some((line, col)) = report.line_col {
            position(&mut out, line, col, kind);
        }
        out.push_str(": ");
    }
    if !report.is_error {
        out.push_str("warning: ");
    }
    out.push_str(report.message);
    out.push('\n');
    out
}

/// The form for people: kind, location, the source line with carets.
fn rich(report: &Report<'_>) -> String {
    let mut out = String::new();
    let severity = if report.is_error { "error" } else { "warning" };
    let _ = writeln!(out, "{severity}[{}]: {}", report.kind, report.message);
    let Some(file) = report.file else {
        out.push('\n');
        return out;
    };
    match report.line_col {
        Some((line, col)) => {
            let _ = writeln!(out, "  --> {file}:{}:{}", line + 1, col + 1);
        }
        None => {
            let _ = writeln!(out, "  --> {file}");
        }
    }
    if let (Some(source), Some(span)) = (report.source, report.span) {
        snippet(&mut out, source, span);
    }
    out.push('\n');
    out
}

/// The source line of `span` and carets under it (tabs shown as four
/// spaces, unprintable bytes as U+FFFD, so carets line up).
fn snippet(out: &mut String, source: &[u8], span: Span) {
    let index = LineIndex::new(source);
    let start = index.line_col(source, span.start);
    let line = index.line_range(source, start.line);
    let from = (span.start as usize).clamp(line.start, line.end);
    let to = (span.end as usize).clamp(from, line.end);
    let mut shown = String::new();
    let mut carets = String::new();
    let text = String::from_utf8_lossy(&source[line.clone()]);
    let mut offset = line.start;
    for ch in text.chars() {
        let width = ch.len_utf8().min(source.len() - offset.min(source.len()));
        let (display, columns) = match ch {
            '\t' => ("    ".to_string(), 4),
            c if c.is_control() => ("\u{fffd}".to_string(), 1),
            c => (c.to_string(), 1),
        };
        shown.push_str(&display);
        let marked = offset >= from && (offset < to || (from == to && offset == from));
        carets.push_str(&if marked { "^" } else { " " }.repeat(columns));
        offset += width.max(1);
    }
    if from >= line.end {
        carets.push('^');
    }
    let number = (start.line + 1).to_string();
    let gutter = " ".repeat(number.len());
    let _ = writeln!(out, "{gutter} |");
    let _ = writeln!(out, "{number} | {shown}");
    let _ = writeln!(out, "{gutter} | {}", carets.trim_end());
}

/// One JSON object on one line.
fn json(report: &Report<'_>) -> String {
    let mut out = String::from("{");
    if let Some(file) = report.file {
        let _ = write!(out, "\"file\":{},", json_string(file));
    }
    if let Some((line, col)) = report.line_col {
        let _ = write!(out, "\"line\":{},\"column\":{},", line + 1, col + 1);
    }
    let severity = if report.is_error { "error" } else { "warning" };
    let _ = write!(
        out,
        "\"severity\":\"{severity}\",\"kind\":{},\"message\":{}}}",
        json_string(report.kind),
        json_string(report.message)
    );
    out.push('\n');
    out
}

/// `text` as a JSON string literal.
pub(crate) fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report<'a>(
        is_error: bool,
        file: Option<&'a str>,
        line_col: Option<(u32, u32)>,
    ) -> Report<'a> {
        Report {
            file,
            line_col,
            span: None,
            source: None,
            is_error,
            kind: "unused-import",
            message: "Import \"b.proto\" is unused.",
        }
    }

    #[test]
    fn protoc_forms() {
        let warning = report(false, Some("dir/a.proto"), Some((1, 0)));
        assert_eq!(
            render(ErrorFormat::Gcc, &warning),
            "dir/a.proto:2:1: warning: Import \"b.proto\" is unused.\n"
        );
        assert_eq!(
            render(ErrorFormat::Msvs, &warning),
            "dir/a.proto(2) : warning in column=1: warning: Import \"b.proto\" is unused.\n"
        );
        let error = report(true, Some("a.proto"), None);
        assert_eq!(
            render(ErrorFormat::Gcc, &error),
            "a.proto: Import \"b.proto\" is unused.\n"
        );
        assert_eq!(
            render(ErrorFormat::Msvs, &error),
            "a.proto: Import \"b.proto\" is unused.\n"
        );
        let bare = report(true, None, None);
        assert_eq!(
            render(ErrorFormat::Gcc, &bare),
            "Import \"b.proto\" is unused.\n"
        );
    }

    #[test]
    fn json_lines() {
        let warning = report(false, Some("a.proto"), Some((1, 0)));
        assert_eq!(
            render(ErrorFormat::Json, &warning),
            "{\"file\":\"a.proto\",\"line\":2,\"column\":1,\"severity\":\"warning\",\
             \"kind\":\"unused-import\",\"message\":\"Import \\\"b.proto\\\" is unused.\"}\n"
        );
        assert_eq!(json_string("a\u{1}\tb"), "\"a\\u0001\\tb\"");
    }

    #[test]
    fn rich_snippet() {
        let source = b"syntax = \"proto3\";\nimport \"b.proto\";\n";
        let r = Report {
            span: Some(Span { start: 19, end: 36 }),
            source: Some(source),
            ..report(false, Some("a.proto"), Some((1, 0)))
        };
        assert_eq!(
            render(ErrorFormat::Rich, &r),
            "warning[unused-import]: Import \"b.proto\" is unused.\n  --> a.proto:2:1\n  |\n\
             2 | import \"b.proto\";\n  | ^^^^^^^^^^^^^^^^^\n\n"
        );
    }
}
