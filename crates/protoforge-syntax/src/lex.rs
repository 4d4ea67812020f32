//! The lexer: source bytes to [`Token`]s, with protoc's tokenizer rules.
//!
//! Token boundaries, error messages and error positions follow protoc's
//! `io::Tokenizer` exactly, because protoc users grep for them and because the
//! parser's error positions (and so `protoc`-compatible output) depend on
//! where each token starts. Comments are not tokens: they stay in the gaps
//! between tokens, and [`collect_comments`] reads a gap the way protoc's
//! `NextWithComments` does when the parser asks for a declaration's comments.
//!
//! The lexer is on the hot path of every parse. The token recognisers are nom
//! parsers over `&[u8]` built on a 256-entry character-class table
//! ([`class_run`], [`identifier`]); the loop around them keeps the position
//! and the diagnostics, and follows protoc's character-by-character error
//! rules where a token is malformed. Comment bytes are skipped without being
//! copied.

use nom::bytes::complete::{take_while, take_while1};
use nom::combinator::recognize;
use nom::sequence::pair;
use nom::{IResult, Parser as _};

use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::span::Span;

/// What kind of token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `[A-Za-z_][A-Za-z0-9_]*`
    Ident,
    /// A decimal, hex or octal integer.
    Int,
    /// A number with a `.` or an exponent.
    Float,
    /// A single- or double-quoted string, quotes included.
    String,
    /// Any other single byte.
    Symbol,
    /// The end of the input (an empty span at the end).
    End,
}

/// One token: its kind and where it is. Its text is `&source[span.range()]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// The kind.
    pub kind: TokenKind,
    /// Where.
    pub span: Span,
}

const LETTER: u8 = 1;
const DIGIT: u8 = 2;
const SPACE: u8 = 4;
const NEWLINE: u8 = 8;

/// Character classes of protoc's tokenizer, one entry per byte.
static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphabetic() || c == b'_' {
            LETTER
        } else if c.is_ascii_digit() {
            DIGIT
        } else if matches!(c, b' ' | b'\t' | b'\r' | 0x0b | 0x0c) {
            SPACE
        } else if c == b'\n' {
            NEWLINE
        } else {
            0
        };
        b += 1;
    }
    table
};

#[inline]
pub(crate) fn is_letter(b: u8) -> bool {
    CLASS[b as usize] & LETTER != 0
}

#[inline]
pub(crate) fn is_alnum(b: u8) -> bool {
    CLASS[b as usize] & (LETTER | DIGIT) != 0
}

#[inline]
fn is_whitespace_no_newline(b: u8) -> bool {
    CLASS[b as usize] & SPACE != 0
}

fn is_unprintable(b: u8) -> bool {
    (1..b' ').contains(&b)
}

fn is_octal(b: u8) -> bool {
    (b'0'..=b'7').contains(&b)
}

/// nom: the run of bytes in `class` at the start of the input (possibly empty).
#[inline]
fn class_run(class: u8) -> impl Fn(&[u8]) -> IResult<&[u8], &[u8]> {
    move |input| take_while(|b: u8| CLASS[b as usize] & class != 0).parse(input)
}

/// nom: an identifier, `[A-Za-z_][A-Za-z0-9_]*`.
#[inline]
fn identifier(input: &[u8]) -> IResult<&[u8], &[u8]> {
    recognize(pair(
        take_while1(|b: u8| CLASS[b as usize] & LETTER != 0),
        class_run(LETTER | DIGIT),
    ))
    .parse(input)
}

/// The first index at or after `from` whose byte is not in `class`, or the end.
#[inline]
fn skip_class(src: &[u8], from: usize, class: u8) -> usize {
    match src.get(from..).map(class_run(class)) {
        Some(Ok((rest, _))) => src.len() - rest.len(),
        _ => from,
    }
}

/// Byte at `i`, or NUL past the end: protoc's tokenizer sees NUL at end of input.
#[inline]
fn at(src: &[u8], i: usize) -> u8 {
    src.get(i).copied().unwrap_or(0)
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    /// Each diagnostic with the index of the token being read when it was
    /// found (see [`tokenize_ordered`]).
    diagnostics: Vec<(usize, Diagnostic)>,
}

/// Splits `source` into tokens, ending with one [`TokenKind::End`] token, and
/// reports every tokenizer error protoc would report, at the same position.
pub fn tokenize(source: &[u8]) -> (Vec<Token>, Vec<Diagnostic>) {
    let (tokens, diagnostics) = tokenize_ordered(source);
    (tokens, diagnostics.into_iter().map(|(_, d)| d).collect())
}

/// [`tokenize`], with each diagnostic paired with the index of the token
/// whose reading found it: the token it is inside, or the one after the gap
/// (whitespace, comments, control characters) it is in.
///
/// protoc's tokenizer runs one token ahead of its parser, so a tokenizer
/// error is reported when the parser moves onto that token: after the parser's
/// errors at the token before, before its errors at that token. The parser
/// uses the index to merge the two lists in protoc's order.
pub(crate) fn tokenize_ordered(source: &[u8]) -> (Vec<Token>, Vec<(usize, Diagnostic)>) {
    let mut lexer = Lexer {
        src: source,
        pos: 0,
        tokens: Vec::with_capacity(source.len() / 5 + 1),
        diagnostics: Vec::new(),
    };
    lexer.byte_order_mark();
    lexer.run();
    (lexer.tokens, lexer.diagnostics)
}

/// Length of the byte-order mark at the start of `source`, if it has one.
pub(crate) fn bom_len(source: &[u8]) -> usize {
    if source.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    }
}

impl<'a> Lexer<'a> {
    fn cur(&self) -> u8 {
        at(self.src, self.pos)
    }

    fn eof(&self) -> bool {
        self.pos >= self.src.len()
    }

    fn error(&mut self, kind: DiagnosticKind, at: usize, message: &str) {
        let at = at.min(self.src.len()) as u32;
        self.report(Diagnostic::error(kind, Span::empty(at), message));
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push((self.tokens.len(), diagnostic));
    }

    fn byte_order_mark(&mut self) {
        if self.cur() != 0xEF {
            return;
        }
        if bom_len(self.src) == 3 {
            self.pos = 3;
            return;
        }
        // protoc consumes 0xEF and as much of the mark as matches, then reports.
        self.pos = 1;
        if self.cur() == 0xBB {
            self.pos = 2;
        }
        let pos = self.pos;
        self.report(
            Diagnostic::error(
                DiagnosticKind::InvalidByteOrderMark,
                Span::empty(pos as u32),
                "Proto file starts with 0xEF but not UTF-8 BOM. Only UTF-8 is accepted for proto file.",
            )
            .with_help("save the file as UTF-8, with or without a byte-order mark"),
        );
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token {
            kind,
            span: Span::new(start as u32, self.pos as u32),
        });
    }

    fn run(&mut self) {
        loop {
            self.pos = skip_class(self.src, self.pos, SPACE | NEWLINE);
            if self.eof() {
                break;
            }
            let c = self.cur();
            if c == b'/' {
                match at(self.src, self.pos + 1) {
                    b'/' => {
                        self.pos += 2;
                        self.line_comment();
                        continue;
                    }
                    b'*' => {
                        self.pos += 2;
                        self.block_comment();
                        continue;
                    }
                    _ => {
                        let start = self.pos;
                        self.pos += 1;
                        self.push(TokenKind::Symbol, start);
                        continue;
                    }
                }
            }
            if is_unprintable(c) || c == 0 {
                self.error(
                    DiagnosticKind::InvalidControlCharacter,
                    self.pos,
                    "Invalid control characters encountered in text.",
                );
                self.pos += 1;
                while !self.eof() && (is_unprintable(self.cur()) || self.cur() == 0) {
                    self.pos += 1;
                }
                continue;
            }
            let start = self.pos;
            if let Ok((rest, _)) = identifier(&self.src[self.pos..]) {
                self.pos = self.src.len() - rest.len();
                self.push(TokenKind::Ident, start);
            } else if c == b'0' {
                self.pos += 1;
                let kind = self.number(true, false);
                self.push(kind, start);
            } else if c == b'.' {
                self.pos += 1;
                if self.cur().is_ascii_digit() {
                    self.pos += 1;
                    if let Some(prev) = self.tokens.last() {
                        if prev.kind == TokenKind::Ident && prev.span.end as usize == start {
                            self.report(
                                Diagnostic::error(
                                    DiagnosticKind::MissingSpace,
                                    Span::new(start as u32, start as u32 + 1),
                                    "Need space between identifier and decimal point.",
                                )
                                .with_help("put a space before the `.`"),
                            );
                        }
                    }
                    let kind = self.number(false, true);
                    self.push(kind, start);
                } else {
                    self.push(TokenKind::Symbol, start);
                }
            } else if c.is_ascii_digit() {
                self.pos += 1;
                let kind = self.number(false, false);
                self.push(kind, start);
            } else if c == b'"' || c == b'\'' {
                self.pos += 1;
                self.string(c);
                self.push(TokenKind::String, start);
            } else {
                if c & 0x80 != 0 {
                    self.report(
                        Diagnostic::error(
                            DiagnosticKind::NonAsciiCharacter,
                            Span::new(start as u32, start as u32 + 1),
                            format!("Interpreting non ascii codepoint {c}."),
                        )
                        .with_help("non-ASCII text is allowed only inside strings and comments"),
                    );
                }
                self.pos += 1;
                self.push(TokenKind::Symbol, start);
            }
        }
        let end = self.src.len() as u32;
        self.tokens.push(Token {
            kind: TokenKind::End,
            span: Span::empty(end),
        });
    }

    fn line_comment(&mut self) {
        self.pos = line_comment_end(self.src, self.pos, self.src.len());
    }

    fn block_comment(&mut self) {
        let start = self.pos - 2;
        let mut found = Vec::new();
        scan_block_comment(
            self.src,
            &mut self.pos,
            &mut (),
            &mut |kind, pos| match kind {
                BlockCommentError::Nested => found.push(
                    Diagnostic::error(
                        DiagnosticKind::NestedBlockComment,
                        Span::empty(pos as u32),
                        "\"/*\" inside block comment.  Block comments cannot be nested.",
                    )
                    .with_help("close the outer comment first, or use `//` comments"),
                ),
                BlockCommentError::Eof => found.push(
                    Diagnostic::error(
                        DiagnosticKind::UnterminatedBlockComment,
                        Span::empty(pos as u32),
                        "End-of-file inside block comment.",
                    )
                    .with_note(
                        Span::new(start as u32, start as u32 + 2),
                        "Comment started here.",
                    )
                    .with_help("add `*/` where the comment should end"),
                ),
            },
        );
        for diagnostic in found {
            self.report(diagnostic);
        }
    }

    /// protoc's `ConsumeNumber`, entered after the first character.
    fn number(&mut self, started_with_zero: bool, started_with_dot: bool) -> TokenKind {
        let mut is_float = false;
        if started_with_zero && matches!(self.cur(), b'x' | b'X') {
            self.pos += 1;
            if self.cur().is_ascii_hexdigit() {
                while self.cur().is_ascii_hexdigit() {
                    self.pos += 1;
                }
            } else {
                self.error(
                    DiagnosticKind::InvalidNumber,
                    self.pos,
                    "\"0x\" must be followed by hex digits.",
                );
            }
        } else if started_with_zero && self.cur().is_ascii_digit() {
            while is_octal(self.cur()) {
                self.pos += 1;
            }
            if self.cur().is_ascii_digit() {
                self.error(
                    DiagnosticKind::InvalidNumber,
                    self.pos,
                    "Numbers starting with leading zero must be in octal.",
                );
                self.pos = skip_class(self.src, self.pos, DIGIT);
            }
        } else {
            if started_with_dot {
                is_float = true;
                self.pos = skip_class(self.src, self.pos, DIGIT);
            } else {
                self.pos = skip_class(self.src, self.pos, DIGIT);
                if self.cur() == b'.' {
                    self.pos += 1;
                    is_float = true;
                    self.pos = skip_class(self.src, self.pos, DIGIT);
                }
            }
            if matches!(self.cur(), b'e' | b'E') {
                self.pos += 1;
                is_float = true;
                if matches!(self.cur(), b'-' | b'+') {
                    self.pos += 1;
                }
                if self.cur().is_ascii_digit() {
                    self.pos = skip_class(self.src, self.pos, DIGIT);
                } else {
                    self.error(
                        DiagnosticKind::InvalidNumber,
                        self.pos,
                        "\"e\" must be followed by exponent.",
                    );
                }
            }
        }
        if is_letter(self.cur()) {
            self.report(
                Diagnostic::error(
                    DiagnosticKind::MissingSpace,
                    Span::empty(self.pos as u32),
                    "Need space between number and identifier.",
                )
                .with_help("put a space between the number and the name"),
            );
        } else if self.cur() == b'.' {
            if is_float {
                self.error(
                    DiagnosticKind::InvalidNumber,
                    self.pos,
                    "Already saw decimal point or exponent; can't have another one.",
                );
            } else {
                self.error(
                    DiagnosticKind::InvalidNumber,
                    self.pos,
                    "Hex and octal numbers must be integers.",
                );
            }
        }
        if is_float {
            TokenKind::Float
        } else {
            TokenKind::Int
        }
    }

    /// protoc's `ConsumeString`, entered after the opening quote.
    fn string(&mut self, delimiter: u8) {
        loop {
            let c = self.cur();
            if self.eof() || c == 0 {
                self.report(
                    Diagnostic::error(
                        DiagnosticKind::UnterminatedString,
                        Span::empty(self.pos.min(self.src.len()) as u32),
                        "Unexpected end of string.",
                    )
                    .with_help(format!("close the string with `{}`", delimiter as char)),
                );
                return;
            }
            match c {
                b'\n' => {
                    self.report(
                        Diagnostic::error(
                            DiagnosticKind::MultilineString,
                            Span::empty(self.pos as u32),
                            "Multiline strings are not allowed. Did you miss a \"?.",
                        )
                        .with_help("end the string on this line; adjacent strings are joined, so a long string can be split into several"),
                    );
                    return;
                }
                b'\\' => {
                    self.pos += 1;
                    let e = self.cur();
                    // A simple escape, or the first digit of an octal one (the
                    // main loop takes any further digits).
                    if (b"abfnrtv\\?'\"".contains(&e) && !self.eof()) || is_octal(e) {
                        self.pos += 1;
                    } else if e == b'x' || e == b'X' {
                        self.pos += 1;
                        if self.cur().is_ascii_hexdigit() {
                            self.pos += 1;
                        } else {
                            self.escape_error("Expected hex digits for escape sequence.");
                        }
                    } else if e == b'u' {
                        self.pos += 1;
                        let mut ok = true;
                        for _ in 0..4 {
                            if self.cur().is_ascii_hexdigit() {
                                self.pos += 1;
                            } else {
                                ok = false;
                                break;
                            }
                        }
                        if !ok {
                            self.escape_error("Expected four hex digits for \\u escape sequence.");
                        }
                    } else if e == b'U' {
                        self.pos += 1;
                        if !self.unicode_escape_8() {
                            self.escape_error(
                                "Expected eight hex digits up to 10ffff for \\U escape sequence",
                            );
                        }
                    } else {
                        self.escape_error("Invalid escape sequence in string literal.");
                    }
                }
                _ => {
                    self.pos += 1;
                    if c == delimiter {
                        return;
                    }
                }
            }
        }
    }

    /// The digits of `\U`, as protoc checks them: `00`, then `0` or `1`, then five hex digits.
    fn unicode_escape_8(&mut self) -> bool {
        for expect in [b"0".as_slice(), b"0", b"01"] {
            if expect.contains(&self.cur()) && !self.eof() {
                self.pos += 1;
            } else {
                return false;
            }
        }
        for _ in 0..5 {
            if self.cur().is_ascii_hexdigit() {
                self.pos += 1;
            } else {
                return false;
            }
        }
        true
    }

    fn escape_error(&mut self, message: &str) {
        self.report(
            Diagnostic::error(DiagnosticKind::InvalidEscape, Span::empty(self.pos.min(self.src.len()) as u32), message)
                .with_help("valid escapes are \\a \\b \\f \\n \\r \\t \\v \\\\ \\? \\' \\\", octal \\NNN, hex \\xNN, \\uNNNN and \\U00NNNNNN"),
        );
    }
}

enum BlockCommentError {
    Nested,
    Eof,
}

/// Where the text of a comment goes: a buffer, or nowhere (`()`) when the
/// lexer only skips the comment. `record` gets the range of `src` to append.
trait Record {
    fn record(&mut self, src: &[u8], start: usize, end: usize);
}

impl Record for Vec<u8> {
    #[inline]
    fn record(&mut self, src: &[u8], start: usize, end: usize) {
        self.extend_from_slice(&src[start..end]);
    }
}

impl Record for () {
    #[inline]
    fn record(&mut self, _: &[u8], _: usize, _: usize) {}
}

/// A comment's text as a `String`. When the whole source is valid UTF-8
/// (`text`), pieces are sliced from it without validating each again; every
/// piece starts and ends at an ASCII byte or at the end of the gap, so the
/// slices fall on character boundaries. Otherwise each piece is converted
/// lossily, which gives the same text as converting the whole comment.
struct TextBuffer<'a> {
    text: Option<&'a str>,
    buffer: String,
}

impl Record for TextBuffer<'_> {
    #[inline]
    fn record(&mut self, src: &[u8], start: usize, end: usize) {
        match self.text.and_then(|text| text.get(start..end)) {
            Some(piece) => self.buffer.push_str(piece),
            None => self
                .buffer
                .push_str(&String::from_utf8_lossy(&src[start..end])),
        }
    }
}

/// protoc's `ConsumeLineComment`, entered after `//`: the end of the comment
/// (after its newline, if it has one before `limit`). A NUL byte ends it too.
#[inline]
fn line_comment_end(src: &[u8], from: usize, limit: usize) -> usize {
    match find_newline_or_nul(&src[from..limit]) {
        Some(n) if src[from + n] == b'\n' => from + n + 1,
        Some(n) => from + n,
        None => limit,
    }
}

/// The index of the first `\n` or NUL in `bytes`, eight bytes at a time:
/// comments are most of the bytes of a typical file.
#[inline]
fn find_newline_or_nul(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    /// High bit set in each byte of `w` that is zero; exact for the lowest
    /// zero byte, which is all that is used.
    #[inline]
    fn zero_bytes(w: u64) -> u64 {
        w.wrapping_sub(ONES) & !w & HIGH
    }
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let w = u64::from_le_bytes([
            chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
        ]);
        let found = zero_bytes(w) | zero_bytes(w ^ (ONES * u64::from(b'\n')));
        if found != 0 {
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'\n' || b == 0)
        .map(|n| offset + n)
}

/// protoc's `ConsumeBlockComment`, entered after `/*`: advances `pos` past the
/// comment, appends the comment's content (as protoc records it) to `content`,
/// and reports problems through `report`.
fn scan_block_comment(
    src: &[u8],
    pos: &mut usize,
    content: &mut impl Record,
    report: &mut dyn FnMut(BlockCommentError, usize),
) {
    let mut record_start = *pos;
    loop {
        *pos = match src[*pos..]
            .iter()
            .position(|&b| matches!(b, 0 | b'*' | b'/' | b'\n'))
        {
            Some(n) => *pos + n,
            None => src.len(),
        };
        let c = at(src, *pos);
        let eof = *pos >= src.len();
        if c == b'\n' && !eof {
            *pos += 1;
            content.record(src, record_start, *pos);
            while *pos < src.len() && is_whitespace_no_newline(src[*pos]) {
                *pos += 1;
            }
            if at(src, *pos) == b'*' {
                *pos += 1;
                if at(src, *pos) == b'/' {
                    *pos += 1;
                    return;
                }
            }
            record_start = *pos;
        } else if c == b'*' && !eof {
            *pos += 1;
            if at(src, *pos) == b'/' && *pos < src.len() {
                *pos += 1;
                // Record up to the end, then strip the `*/`.
                content.record(src, record_start, *pos - 2);
                return;
            }
            if *pos >= src.len() || at(src, *pos) == 0 {
                report(BlockCommentError::Eof, *pos);
                content.record(src, record_start, *pos);
                return;
            }
        } else if c == b'/' && !eof {
            *pos += 1;
            if at(src, *pos) == b'*' && *pos < src.len() {
                report(BlockCommentError::Nested, *pos);
            } else if *pos >= src.len() || at(src, *pos) == 0 {
                report(BlockCommentError::Eof, *pos);
                content.record(src, record_start, *pos);
                return;
            }
        } else {
            // NUL byte or end of input.
            report(BlockCommentError::Eof, *pos);
            content.record(src, record_start, (*pos).min(src.len()));
            return;
        }
    }
}

/// The comments found in the gap after a token, split as protoc's
/// `Tokenizer::NextWithComments` splits them.
#[derive(Debug, Default)]
pub(crate) struct GapComments {
    pub(crate) trailing: Option<String>,
    pub(crate) detached: Vec<String>,
    pub(crate) leading: Option<String>,
}

/// protoc's `CommentCollector`.
struct Collector<'a> {
    keep_trailing: bool,
    out: GapComments,
    buffer: TextBuffer<'a>,
    num_comments: usize,
    has_trailing: bool,
    has_comment: bool,
    is_line_comment: bool,
    can_attach_to_prev: bool,
}

/// Takes the text out of `buffer`.
fn take_text(buffer: &mut TextBuffer<'_>) -> String {
    std::mem::take(&mut buffer.buffer)
}

impl Collector<'_> {
    fn buffer_for_line_comment(&mut self) {
        if self.has_comment && !self.is_line_comment {
            self.flush();
        }
        self.has_comment = true;
        self.is_line_comment = true;
    }

    fn buffer_for_block_comment(&mut self) {
        if self.has_comment {
            self.flush();
        }
        self.has_comment = true;
        self.is_line_comment = false;
    }

    fn flush(&mut self) {
        if !self.has_comment {
            return;
        }
        if self.can_attach_to_prev {
            if self.keep_trailing {
                let text = take_text(&mut self.buffer);
                match &mut self.out.trailing {
                    Some(t) => t.push_str(&text),
                    None => self.out.trailing = Some(text),
                }
            }
            self.has_trailing = true;
            self.can_attach_to_prev = false;
        } else {
            let text = take_text(&mut self.buffer);
            self.out.detached.push(text);
        }
        self.buffer.buffer.clear();
        self.has_comment = false;
        self.num_comments += 1;
    }

    fn maybe_detach(&mut self) {
        let mut count = self.num_comments;
        if self.has_comment {
            count += 1;
        }
        if count == 1 {
            if self.has_trailing && self.keep_trailing {
                let trail = self.out.trailing.take().unwrap_or_default();
                self.out.detached.insert(0, trail);
            }
            self.flush();
        }
    }

    fn finish(mut self) -> GapComments {
        if self.has_comment {
            self.out.leading = Some(take_text(&mut self.buffer));
        }
        self.out
    }
}

/// Reads the comments between the end of one token (`from`) and the start of
/// the next (`next`), as protoc's `NextWithComments` does when the parser
/// consumes a `;`, `{` or `}` that ends a declaration.
///
/// `at_start` is true for the gap before the first token of the file, where
/// nothing can be a trailing comment. `keep_trailing` is false where protoc
/// passes no trailing-comment output (the comments are then dropped).
pub(crate) fn collect_comments(
    src: &[u8],
    text: Option<&str>,
    from: usize,
    next: Token,
    at_start: bool,
    keep_trailing: bool,
) -> GapComments {
    let mut c = Collector {
        keep_trailing,
        out: GapComments::default(),
        buffer: TextBuffer {
            text,
            buffer: String::new(),
        },
        num_comments: 0,
        has_trailing: false,
        has_comment: false,
        is_line_comment: false,
        can_attach_to_prev: true,
    };
    let limit = next.span.start as usize;
    let mut pos = from;
    // Lines are counted from the gap start; only equality matters.
    let mut line = 0usize;
    let prev_line: isize;
    let mut trailing_end_line: isize = -1;
    let count_lines = |a: usize, b: usize| src[a..b].iter().filter(|b| **b == b'\n').count();

    let skip_ws = |pos: &mut usize| {
        while *pos < limit && is_whitespace_no_newline(src[*pos]) {
            *pos += 1;
        }
    };
    let comment_start = |pos: usize| -> Option<bool> {
        if pos + 1 < limit + 1 && at(src, pos) == b'/' && pos < limit {
            match at(src, pos + 1) {
                b'/' => Some(true),
                b'*' => Some(false),
                _ => None,
            }
        } else {
            None
        }
    };
    // A comment's text goes into a buffer sized for the rest of the gap, so
    // that a run of line comments is one allocation, later moved into its
    // `String` without a copy.
    let line_comment = |pos: &mut usize, buf: &mut TextBuffer<'_>| {
        let start = *pos;
        *pos = line_comment_end(src, start, limit);
        if buf.buffer.capacity() == 0 {
            buf.buffer.reserve(limit - start);
        }
        buf.record(src, start, *pos);
    };
    let block_comment = |pos: &mut usize, buf: &mut TextBuffer<'_>| {
        if buf.buffer.capacity() == 0 {
            buf.buffer.reserve(limit.saturating_sub(*pos));
        }
        scan_block_comment(&src[..limit.max(*pos)], pos, buf, &mut |_, _| {});
    };

    if at_start {
        c.can_attach_to_prev = false;
        prev_line = -1;
    } else {
        prev_line = 0;
        skip_ws(&mut pos);
        match comment_start(pos) {
            Some(true) => {
                pos += 2;
                trailing_end_line = line as isize;
                c.buffer_for_line_comment();
                line_comment(&mut pos, &mut c.buffer);
                line += usize::from(src[pos - 1] == b'\n');
                c.flush();
            }
            Some(false) => {
                pos += 2;
                c.buffer_for_block_comment();
                let before = pos;
                block_comment(&mut pos, &mut c.buffer);
                line += count_lines(before, pos);
                trailing_end_line = line as isize;
                skip_ws(&mut pos);
                c.flush();
            }
            None => {
                if pos < limit && src[pos] == b'\n' {
                    pos += 1;
                    line += 1;
                } else {
                    // The next token is on the same line: no comments.
                    return c.finish();
                }
            }
        }
    }

    loop {
        skip_ws(&mut pos);
        match comment_start(pos) {
            Some(true) => {
                pos += 2;
                c.buffer_for_line_comment();
                line_comment(&mut pos, &mut c.buffer);
                line += usize::from(src[pos - 1] == b'\n');
            }
            Some(false) => {
                pos += 2;
                c.buffer_for_block_comment();
                let before = pos;
                block_comment(&mut pos, &mut c.buffer);
                line += count_lines(before, pos);
                skip_ws(&mut pos);
                if pos < limit && src[pos] == b'\n' {
                    pos += 1;
                    line += 1;
                }
            }
            None => {
                if pos < limit && src[pos] == b'\n' {
                    pos += 1;
                    line += 1;
                    c.flush();
                    c.can_attach_to_prev = false;
                } else {
                    // The next token (anything else in the gap is skipped by
                    // protoc's `Next`, comments included).
                    if pos < limit {
                        line += count_lines(pos, limit);
                    }
                    if pos == limit && next.kind == TokenKind::Symbol && at(src, pos) == b'/' {
                        // protoc's `SLASH_NOT_COMMENT`: a lone `/` is returned
                        // as the next token at once, before the end-of-scope
                        // flush and the same-line detach below.
                        return c.finish();
                    }
                    let is_end = next.kind == TokenKind::End;
                    let closes = !is_end
                        && next.kind == TokenKind::Symbol
                        && matches!(at(src, next.span.start as usize), b'}' | b']' | b')');
                    if is_end || closes {
                        c.flush();
                    }
                    if !is_end && (prev_line == line as isize || trailing_end_line == line as isize)
                    {
                        c.maybe_detach();
                    }
                    return c.finish();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, String)> {
        let (tokens, _) = tokenize(src.as_bytes());
        tokens
            .iter()
            .map(|t| (t.kind, src[t.span.range()].to_string()))
            .collect()
    }

    #[test]
    fn splits_numbers_idents_and_symbols() {
        use TokenKind::*;
        assert_eq!(
            kinds("a.b=0x1F 07 1.5e3 .5 'x'"),
            vec![
                (Ident, "a".into()),
                (Symbol, ".".into()),
                (Ident, "b".into()),
                (Symbol, "=".into()),
                (Int, "0x1F".into()),
                (Int, "07".into()),
                (Float, "1.5e3".into()),
                (Float, ".5".into()),
                (String, "'x'".into()),
                (End, "".into()),
            ]
        );
    }

    #[test]
    fn block_comment_content_strips_stars() {
        let src = b"/* a\n * b\n */x";
        let mut pos = 2;
        let mut content = Vec::new();
        scan_block_comment(src, &mut pos, &mut content, &mut |_, _| {
            panic!("no error expected")
        });
        assert_eq!(content, b" a\n b\n");
        assert_eq!(pos, src.len() - 1);
    }

    fn gap_after_semicolon(src: &[u8]) -> GapComments {
        let (tokens, _) = tokenize(src);
        let semi = tokens
            .iter()
            .position(|t| &src[t.span.range()] == b";")
            .expect("a `;`");
        collect_comments(
            src,
            std::str::from_utf8(src).ok(),
            tokens[semi].span.end as usize,
            tokens[semi + 1],
            false,
            true,
        )
    }

    #[test]
    fn same_line_comment_before_a_token_is_detached() {
        let gap = gap_after_semicolon(b"a; /* c */ b");
        assert_eq!(gap.trailing, None);
        assert_eq!(gap.detached, vec![" c ".to_string()]);
    }

    #[test]
    fn lone_slash_keeps_the_trailing_comment() {
        // protoc returns a lone `/` before deciding to detach (SLASH_NOT_COMMENT).
        let gap = gap_after_semicolon(b"a; /* c */ /");
        assert_eq!(gap.trailing.as_deref(), Some(" c "));
        assert!(gap.detached.is_empty());
        let gap = gap_after_semicolon(b"a;\n// lead\n/");
        assert_eq!(gap.leading.as_deref(), Some(" lead\n"));
    }

    #[test]
    fn finds_the_first_newline_or_nul() {
        let naive = |b: &[u8]| b.iter().position(|&c| c == b'\n' || c == 0);
        let mut cases: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"abc".to_vec(),
            b"\n".to_vec(),
            b"\0".to_vec(),
        ];
        for len in 0..40 {
            for at in 0..=len {
                for special in [b'\n', 0, 0x0b, 0x8a, 0xff, 0x01] {
                    let mut bytes: Vec<u8> =
                        (0..len).map(|i| b"a\x8a\xff\x0b\x0a\x01 "[i % 7]).collect();
                    bytes.retain(|&b| b != b'\n');
                    if at < bytes.len() {
                        bytes[at] = special;
                    }
                    cases.push(bytes);
                }
            }
        }
        for bytes in cases {
            assert_eq!(find_newline_or_nul(&bytes), naive(&bytes), "{bytes:?}");
        }
    }
}
