//! The text-format tokenizer: protoc's `io::Tokenizer` as
//! `TextFormat::Parser` configures it (`#` comments, an `f` allowed after a
//! float, a number needing a space before an identifier), pulled one token
//! at a time because the parser switches it into "URL characters" mode
//! between `[` and `]`. It reads `--encode` input and aggregate option
//! values alike (an aggregate value is one line, so a comment in it runs to
//! the end of the value).
//!
//! Errors are recorded with 0-based line and column (tabs advance the column
//! to the next multiple of 8), as protoc records them; the tokenizer goes on
//! after an error, as protoc's does.

use protoforge_syntax::literal::is_identifier;

/// What kind of token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Start,
    End,
    Identifier,
    Integer,
    Float,
    String,
    Symbol,
    /// A run of URL characters (only between `[` and `]`).
    UrlChars,
    /// A run of whitespace (only when asked for, see `report_whitespace`).
    Whitespace,
}

/// One token: kind, text and 0-based position.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) text: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// An error found while tokenizing, 0-based.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TokenError {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
}

pub(crate) struct Tokenizer<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
    column: usize,
    pub(crate) current: Token,
    previous: Token,
    /// The end column of the previous token, for "blah.123".
    previous_end_column: usize,
    current_end_column: usize,
    /// Between `[` and `]`: runs of URL characters are one token.
    pub(crate) url_chars: bool,
    /// Whitespace after the next token is a token of its own (protoc's
    /// `set_report_whitespace`, on while the parser consumes a field name,
    /// a `:` or a `]`): errors found right after such a token point at
    /// the whitespace.
    pub(crate) report_whitespace: bool,
    pub(crate) errors: Vec<TokenError>,
}

fn is_letter(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_alnum(b: u8) -> bool {
    is_letter(b) || b.is_ascii_digit()
}

fn is_url_char(b: u8) -> bool {
    is_alnum(b) || b"-.~!$&()*+,;=%/".contains(&b)
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\t' | b'\r' | 0x0b | 0x0c)
}

impl<'a> Tokenizer<'a> {
    pub(crate) fn new(src: &'a [u8]) -> Tokenizer<'a> {
        let start = Token {
            kind: Kind::Start,
            text: String::new(),
            line: 0,
            column: 0,
        };
        Tokenizer {
            src,
            pos: 0,
            line: 0,
            column: 0,
            current: start.clone(),
            previous: start,
            previous_end_column: 0,
            current_end_column: 0,
            url_chars: false,
            report_whitespace: false,
            errors: Vec::new(),
        }
    }

    /// The byte under the cursor; NUL at the end, as protoc sees it.
    fn cur(&self) -> u8 {
        self.src.get(self.pos).copied().unwrap_or(0)
    }

    fn eof(&self) -> bool {
        self.pos >= self.src.len()
    }

    fn next_char(&mut self) {
        if self.eof() {
            return;
        }
        match self.cur() {
            b'\n' => {
                self.line += 1;
                self.column = 0;
            }
            b'\t' => self.column += 8 - self.column % 8,
            _ => self.column += 1,
        }
        self.pos += 1;
    }

    fn try_consume(&mut self, b: u8) -> bool {
        if !self.eof() && self.cur() == b {
            self.next_char();
            true
        } else {
            false
        }
    }

    fn try_consume_if(&mut self, class: fn(u8) -> bool) -> bool {
        if !self.eof() && class(self.cur()) {
            self.next_char();
            true
        } else {
            false
        }
    }

    fn consume_while(&mut self, class: fn(u8) -> bool) {
        while self.try_consume_if(class) {}
    }

    fn error(&mut self, message: &str) {
        self.errors.push(TokenError {
            line: self.line,
            column: self.column,
            message: message.to_string(),
        });
    }

    /// Moves to the next token.
    pub(crate) fn next(&mut self) {
        self.previous = std::mem::replace(
            &mut self.current,
            Token {
                kind: Kind::End,
                text: String::new(),
                line: 0,
                column: 0,
            },
        );
        self.previous_end_column = self.current_end_column;
        if self.report_whitespace && !self.eof() && is_whitespace(self.cur()) {
            let (start, line, column) = (self.pos, self.line, self.column);
            self.consume_while(is_whitespace);
            self.current = Token {
                kind: Kind::Whitespace,
                text: String::from_utf8_lossy(&self.src[start..self.pos]).into_owned(),
                line,
                column,
            };
            self.current_end_column = self.column;
            return;
        }
        loop {
            self.consume_while(is_whitespace);
            if self.eof() {
                break;
            }
            if self.cur() == b'#' {
                while !self.eof() && self.cur() != b'\n' {
                    self.next_char();
                }
                continue;
            }
            let c = self.cur();
            if (1..b' ').contains(&c) || c == 0 {
                self.error("Invalid control characters encountered in text.");
                self.next_char();
                while !self.eof() && self.cur() < b' ' {
                    self.next_char();
                }
                continue;
            }
            let (start, line, column) = (self.pos, self.line, self.column);
            let kind = self.token();
            self.current = Token {
                kind,
                text: String::from_utf8_lossy(&self.src[start..self.pos]).into_owned(),
                line,
                column,
            };
            self.current_end_column = self.column;
            return;
        }
        self.current = Token {
            kind: Kind::End,
            text: String::new(),
            line: self.line,
            column: self.column,
        };
        self.current_end_column = self.column;
    }

    fn token(&mut self) -> Kind {
        if self.url_chars {
            if self.try_consume_if(is_url_char) {
                self.consume_while(is_url_char);
                return Kind::UrlChars;
            }
            self.symbol();
            return Kind::Symbol;
        }
        if self.try_consume_if(is_letter) {
            self.consume_while(is_alnum);
            Kind::Identifier
        } else if self.try_consume(b'0') {
            self.number(true, false)
        } else if self.try_consume(b'.') {
            if self.try_consume_if(|b| b.is_ascii_digit()) {
                if self.previous.kind == Kind::Identifier
                    && self.current_line_col_start()
                        == (self.previous.line, self.previous_end_column)
                {
                    self.errors.push(TokenError {
                        line: self.line,
                        column: self.column.saturating_sub(2),
                        message: "Need space between identifier and decimal point.".into(),
                    });
                }
                self.number(false, true)
            } else {
                Kind::Symbol
            }
        } else if self.try_consume_if(|b| b.is_ascii_digit()) {
            self.number(false, false)
        } else if self.try_consume(b'"') {
            self.string(b'"');
            Kind::String
        } else if self.try_consume(b'\'') {
            self.string(b'\'');
            Kind::String
        } else {
            self.symbol();
            Kind::Symbol
        }
    }

    /// Where the token being read started: two bytes back (`.` and a digit).
    fn current_line_col_start(&self) -> (usize, usize) {
        (self.line, self.column.saturating_sub(2))
    }

    fn symbol(&mut self) {
        let c = self.cur();
        if c & 0x80 != 0 {
            self.error(&format!("Interpreting non ascii codepoint {c}."));
        }
        self.next_char();
    }

    fn number(&mut self, started_with_zero: bool, started_with_dot: bool) -> Kind {
        let mut is_float = false;
        if started_with_zero && (self.try_consume(b'x') || self.try_consume(b'X')) {
            if self.try_consume_if(|b| b.is_ascii_hexdigit()) {
                self.consume_while(|b| b.is_ascii_hexdigit());
            } else {
                self.error("\"0x\" must be followed by hex digits.");
            }
        } else if started_with_zero && self.cur().is_ascii_digit() {
            self.consume_while(|b| (b'0'..=b'7').contains(&b));
            if self.cur().is_ascii_digit() {
                self.error("Numbers starting with leading zero must be in octal.");
                self.consume_while(|b| b.is_ascii_digit());
            }
        } else {
            if started_with_dot {
                is_float = true;
                self.consume_while(|b| b.is_ascii_digit());
            } else {
                self.consume_while(|b| b.is_ascii_digit());
                if self.try_consume(b'.') {
                    is_float = true;
                    self.consume_while(|b| b.is_ascii_digit());
                }
            }
            if self.try_consume(b'e') || self.try_consume(b'E') {
                is_float = true;
                let _ = self.try_consume(b'-') || self.try_consume(b'+');
                if self.try_consume_if(|b| b.is_ascii_digit()) {
                    self.consume_while(|b| b.is_ascii_digit());
                } else {
                    self.error("\"e\" must be followed by exponent.");
                }
            }
            if self.try_consume(b'f') || self.try_consume(b'F') {
                is_float = true;
            }
        }
        if !self.eof() && is_letter(self.cur()) {
            self.error("Need space between number and identifier.");
        } else if self.cur() == b'.' {
            if is_float {
                self.error("Already saw decimal point or exponent; can't have another one.");
            } else {
                self.error("Hex and octal numbers must be integers.");
            }
        }
        if is_float { Kind::Float } else { Kind::Integer }
    }

    fn string(&mut self, delimiter: u8) {
        loop {
            if self.eof() {
                self.error("Unexpected end of string.");
                return;
            }
            match self.cur() {
                b'\n' => {
                    self.error("Multiline strings are not allowed. Did you miss a \"?.");
                    return;
                }
                b'\\' => {
                    self.next_char();
                    if self.try_consume_if(|b| b"abfnrtv\\?'\"".contains(&b))
                        || self.try_consume_if(|b| (b'0'..=b'7').contains(&b))
                    {
                    } else if self.try_consume(b'x') || self.try_consume(b'X') {
                        if !self.try_consume_if(|b| b.is_ascii_hexdigit()) {
                            self.error("Expected hex digits for escape sequence.");
                        }
                    } else if self.try_consume(b'u') {
                        let ok = (0..4).all(|_| self.try_consume_if(|b| b.is_ascii_hexdigit()));
                        if !ok {
                            self.error("Expected four hex digits for \\u escape sequence.");
                        }
                    } else if self.try_consume(b'U') {
                        let ok = self.try_consume(b'0')
                            && self.try_consume(b'0')
                            && (self.try_consume(b'0') || self.try_consume(b'1'))
                            && (0..5).all(|_| self.try_consume_if(|b| b.is_ascii_hexdigit()));
                        if !ok {
                            self.error(
                                "Expected eight hex digits up to 10ffff for \\U escape sequence",
                            );
                        }
                    } else {
                        self.error("Invalid escape sequence in string literal.");
                    }
                }
                c if c == delimiter => {
                    self.next_char();
                    return;
                }
                _ => self.next_char(),
            }
        }
    }
}

/// Whether `text` is an identifier (protoc's `Tokenizer::IsIdentifier`).
pub(crate) fn identifier(text: &str) -> bool {
    is_identifier(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that `text` is the tokens `expected`, without errors.
    fn assert_tokens(text: &str, expected: &[(Kind, &str)]) {
        let mut t = Tokenizer::new(text.as_bytes());
        let mut out = Vec::new();
        loop {
            t.next();
            if t.current.kind == Kind::End {
                break;
            }
            out.push((t.current.kind, t.current.text.clone()));
        }
        assert!(t.errors.is_empty(), "{:?}", t.errors);
        let expected: Vec<(Kind, String)> = expected
            .iter()
            .map(|(k, s)| (*k, (*s).to_string()))
            .collect();
        assert_eq!(out, expected);
    }

    #[test]
    fn comments_floats_and_strings_tokenize_as_protoc_does() {
        use Kind::{Float, Identifier, Integer, Symbol};
        // A comment runs to the end of the line; an aggregate option value
        // is one line, so there it ends the value.
        let comment = [
            (Identifier, "a"),
            (Symbol, ":"),
            (Integer, "1"),
            (Identifier, "c"),
        ];
        assert_tokens("a : 1 # b : 2 }\nc", &comment);
        // A float may end in `f`; a string keeps its quotes.
        let literals = [
            (Float, "1.5f"),
            (Kind::String, "'x'"),
            (Float, ".5"),
            (Integer, "0x1F"),
        ];
        assert_tokens("1.5f 'x' .5 0x1F", &literals);
    }

    #[test]
    fn url_mode_joins_what_the_proto_tokenizer_split() {
        let mut t = Tokenizer::new(b"type . googleapis . com / pkg . T ]");
        t.url_chars = true;
        let mut text = String::new();
        loop {
            t.next();
            if t.current.kind != Kind::UrlChars {
                break;
            }
            text.push_str(&t.current.text);
        }
        assert_eq!(text, "type.googleapis.com/pkg.T");
        assert_eq!(t.current.text, "]");
    }

    #[test]
    fn errors_are_placed_as_protoc_places_them() {
        let mut t = Tokenizer::new(b"a\n\tb.5 0x");
        while t.current.kind != Kind::End {
            t.next();
        }
        let at: Vec<(usize, usize, &str)> = t
            .errors
            .iter()
            .map(|e| (e.line, e.column, e.message.as_str()))
            .collect();
        assert_eq!(
            at,
            vec![
                (1, 9, "Need space between identifier and decimal point."),
                (1, 14, "\"0x\" must be followed by hex digits."),
            ]
        );
    }
}
