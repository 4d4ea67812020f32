//! protobuf's text format, read the way protoc reads an aggregate option
//! value.
//!
//! protoc's `.proto` parser keeps `option (x) = { … }` as the texts of the
//! tokens between the braces joined by single spaces
//! ([`protoforge_syntax::ast::Aggregate::text`]) and reports nothing about
//! their content. The option interpreter later parses that string with
//! `TextFormat::Parser` into a message of the option's type and serializes
//! it; every problem becomes one "Error while parsing option value" at the
//! option. This module is that parser: protoc's `io::Tokenizer` in text-format
//! mode (`#` starts a comment to the end of the line, which in a joined
//! string is the end of the value; `f` may follow a float; URL characters
//! between `[` and `]`) and `TextFormat::Parser::ParserImpl`'s rules and
//! messages, building a [`DynMessage`]. Errors are collected as protoc's
//! error collector collects them and joined with `"; "`.
//!
//! Schema lookups that need name resolution (extensions, `Any` types) go
//! through a [`Finder`], protoc's `AggregateOptionFinder`.

use protoforge_syntax::literal;

use crate::dynamic::{DynMessage, DynValue};
use crate::ir::{FieldId, FieldType, Label, MessageId, Pool, Presence, Scalar};
use crate::options::Which;
use crate::wire;

/// Deepest nesting of messages in an options message, counted from the
/// options message, including those written in aggregate values (where an
/// `Any` value counts as a level too).
///
/// protoc's text-format parser has no limit by default, but protoc then
/// re-reads every options message in binary with protobuf's recursion limit
/// of 100 and aborts on a failed check when it is exceeded. We report an
/// error instead, with the message protoc's text-format parser gives for an
/// exceeded limit, naming the limit left for the value.
pub(crate) const MAX_NESTING: i32 = 100;

/// Name lookups the parser cannot do from the schema alone.
pub(crate) trait Finder {
    /// The extension (or, for a MessageSet, the message type) named `name`
    /// inside a message of type `message` (in pool `which`), resolved
    /// relative to the message's full name; only fields of that message.
    fn find_extension(&mut self, which: Which, message: MessageId, name: &str) -> Option<FieldId>;
    /// The message type stored in an `Any` under `prefix` (with its trailing
    /// `/`) and `name`, from the pool being compiled.
    fn find_any_type(&mut self, prefix: &str, name: &str) -> Option<MessageId>;
}

/// Parses `text` into a message of type `ty` (in pool `which`), as protoc's
/// `TextFormat::Parser::ParseFromString` with default settings: singular
/// fields may be set once, unknown fields and enum values are errors, and
/// required fields must be set. Messages may nest `nesting` levels below the
/// value (see [`MAX_NESTING`]). The error is the collector's joined text.
pub(crate) fn parse(
    text: &[u8],
    pools: (&Pool, &Pool),
    which: Which,
    ty: MessageId,
    nesting: i32,
    finder: &mut dyn Finder,
) -> Result<DynMessage, String> {
    let mut parser = Parser {
        tokens: Tokenizer::new(text),
        pools,
        finder,
        errors: Vec::new(),
        limit: nesting,
        recursion_budget: nesting,
    };
    parser.tokens.next(&mut parser.errors);
    let mut message = DynMessage::new(ty);
    let mut ok = true;
    while parser.tokens.current.kind != Kind::End {
        if parser.consume_field(which, &mut message).is_err() {
            ok = false;
            break;
        }
    }
    if !ok || !parser.errors.is_empty() {
        return Err(parser.errors.join("; "));
    }
    let mut missing = Vec::new();
    missing_required(parser.pool(which), &message, "", &mut missing);
    if !missing.is_empty() {
        return Err(format!(
            "Message missing required fields: {}",
            missing.join(", ")
        ));
    }
    Ok(message)
}

/// protobuf's `FindInitializationErrors`: the paths of unset required
/// fields, this message's first (in declaration order), then those inside
/// set message fields (by field number).
pub(crate) fn missing_required(
    pool: &Pool,
    message: &DynMessage,
    prefix: &str,
    out: &mut Vec<String>,
) {
    for f in &pool[message.ty].fields {
        let field = &pool[*f];
        if field.label == Label::Required && message.get(field.number as u32).is_none() {
            out.push(format!("{prefix}{}", field.name));
        }
    }
    for field in &message.fields {
        let f = &pool[field.field];
        let repeated = f.label == Label::Repeated;
        for (i, value) in field.values.iter().enumerate() {
            if let DynValue::Message(m) = value {
                let name = if f.is_extension() {
                    format!("({})", f.full_name)
                } else {
                    f.name.clone()
                };
                let sub = if repeated {
                    format!("{prefix}{name}[{i}].")
                } else {
                    format!("{prefix}{name}.")
                };
                missing_required(pool, m, &sub, out);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The tokenizer.

/// protoc's `Tokenizer::TokenType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Start,
    End,
    Identifier,
    Integer,
    Float,
    String,
    Symbol,
    Whitespace,
    UrlChars,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
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

/// protoc's `io::Tokenizer` configured as `TextFormat::Parser` configures
/// it, over a string that holds no newline (the joined tokens of one value).
struct Tokenizer<'a> {
    src: &'a [u8],
    pos: usize,
    current: Token,
    previous: Token,
    /// Whitespace is a token (`set_report_whitespace`), for one token.
    report_whitespace: bool,
    /// Runs of URL characters are tokens (`set_report_url_chars`).
    report_url_chars: bool,
}

impl<'a> Tokenizer<'a> {
    fn new(src: &'a [u8]) -> Tokenizer<'a> {
        let start = Token {
            kind: Kind::Start,
            start: 0,
            end: 0,
        };
        Tokenizer {
            src,
            pos: 0,
            current: start,
            previous: start,
            report_whitespace: false,
            report_url_chars: false,
        }
    }

    fn at(&self, i: usize) -> u8 {
        self.src.get(i).copied().unwrap_or(0)
    }

    fn text(&self) -> &'a [u8] {
        &self.src[self.current.start..self.current.end]
    }

    fn text_string(&self) -> String {
        String::from_utf8_lossy(self.text()).into_owned()
    }

    /// protoc's `Tokenizer::Next`; errors go to `errors`.
    fn next(&mut self, errors: &mut Vec<String>) {
        self.previous = self.current;
        loop {
            let start = self.pos;
            while self.pos < self.src.len() && is_whitespace(self.src[self.pos]) {
                self.pos += 1;
            }
            if self.pos > start && self.report_whitespace {
                self.current = Token {
                    kind: Kind::Whitespace,
                    start,
                    end: self.pos,
                };
                return;
            }
            if self.at(self.pos) == b'#' && self.pos < self.src.len() {
                while self.pos < self.src.len() && self.src[self.pos] != b'\n' {
                    self.pos += 1;
                }
                if self.pos < self.src.len() {
                    self.pos += 1;
                }
                continue;
            }
            if self.pos >= self.src.len() {
                self.current = Token {
                    kind: Kind::End,
                    start: self.pos,
                    end: self.pos,
                };
                return;
            }
            let b = self.src[self.pos];
            if b < b' ' {
                errors.push("Invalid control characters encountered in text.".to_string());
                while self.pos < self.src.len() && self.src[self.pos] < b' ' {
                    self.pos += 1;
                }
                continue;
            }
            let start = self.pos;
            let kind = if self.report_url_chars {
                if is_url_char(b) {
                    while self.pos < self.src.len() && is_url_char(self.src[self.pos]) {
                        self.pos += 1;
                    }
                    Kind::UrlChars
                } else {
                    self.symbol(errors)
                }
            } else if is_letter(b) {
                while self.pos < self.src.len() && is_alnum(self.src[self.pos]) {
                    self.pos += 1;
                }
                Kind::Identifier
            } else if b == b'0' {
                self.pos += 1;
                self.number(true, false, errors)
            } else if b == b'.' {
                self.pos += 1;
                if self.at(self.pos).is_ascii_digit() {
                    self.pos += 1;
                    if self.previous.kind == Kind::Identifier && self.previous.end == start {
                        errors.push("Need space between identifier and decimal point.".to_string());
                    }
                    self.number(false, true, errors)
                } else {
                    Kind::Symbol
                }
            } else if b.is_ascii_digit() {
                self.pos += 1;
                self.number(false, false, errors)
            } else if b == b'"' || b == b'\'' {
                self.pos += 1;
                self.string(b, errors);
                Kind::String
            } else {
                self.symbol(errors)
            };
            self.current = Token {
                kind,
                start,
                end: self.pos,
            };
            return;
        }
    }

    fn symbol(&mut self, errors: &mut Vec<String>) -> Kind {
        let b = self.src[self.pos];
        if b & 0x80 != 0 {
            errors.push(format!("Interpreting non ascii codepoint {b}."));
        }
        self.pos += 1;
        Kind::Symbol
    }

    /// protoc's `ConsumeNumber` with `allow_f_after_float` and a space
    /// required after a number.
    fn number(&mut self, zero: bool, dot: bool, errors: &mut Vec<String>) -> Kind {
        let mut float = false;
        let digits = |t: &mut Self, f: fn(u8) -> bool| {
            let start = t.pos;
            while f(t.at(t.pos)) {
                t.pos += 1;
            }
            t.pos > start
        };
        if zero && matches!(self.at(self.pos), b'x' | b'X') {
            self.pos += 1;
            if !digits(self, |b| b.is_ascii_hexdigit()) {
                errors.push("\"0x\" must be followed by hex digits.".to_string());
            }
        } else if zero && self.at(self.pos).is_ascii_digit() {
            digits(self, |b| (b'0'..=b'7').contains(&b));
            if self.at(self.pos).is_ascii_digit() {
                errors.push("Numbers starting with leading zero must be in octal.".to_string());
                digits(self, |b| b.is_ascii_digit());
            }
        } else {
            if dot {
                float = true;
                digits(self, |b| b.is_ascii_digit());
            } else {
                digits(self, |b| b.is_ascii_digit());
                if self.at(self.pos) == b'.' {
                    self.pos += 1;
                    float = true;
                    digits(self, |b| b.is_ascii_digit());
                }
            }
            if matches!(self.at(self.pos), b'e' | b'E') {
                self.pos += 1;
                float = true;
                if matches!(self.at(self.pos), b'-' | b'+') {
                    self.pos += 1;
                }
                if !digits(self, |b| b.is_ascii_digit()) {
                    errors.push("\"e\" must be followed by exponent.".to_string());
                }
            }
            if matches!(self.at(self.pos), b'f' | b'F') {
                self.pos += 1;
                float = true;
            }
        }
        if is_letter(self.at(self.pos)) {
            errors.push("Need space between number and identifier.".to_string());
        } else if self.at(self.pos) == b'.' {
            errors.push(if float {
                "Already saw decimal point or exponent; can't have another one.".to_string()
            } else {
                "Hex and octal numbers must be integers.".to_string()
            });
        }
        if float { Kind::Float } else { Kind::Integer }
    }

    /// protoc's `ConsumeString` (the opening quote is consumed).
    fn string(&mut self, quote: u8, errors: &mut Vec<String>) {
        loop {
            if self.pos >= self.src.len() {
                errors.push("Unexpected end of string.".to_string());
                return;
            }
            let b = self.src[self.pos];
            match b {
                b'\n' => {
                    errors
                        .push("Multiline strings are not allowed. Did you miss a \"?.".to_string());
                    return;
                }
                b'\\' => {
                    self.pos += 1;
                    let e = self.at(self.pos);
                    let hex = |t: &Self, at: usize| t.at(at).is_ascii_hexdigit();
                    if b"abfnrtv\\?'\"".contains(&e) || (b'0'..=b'7').contains(&e) {
                        self.pos += 1;
                    } else if e == b'x' || e == b'X' {
                        self.pos += 1;
                        if hex(self, self.pos) {
                            self.pos += 1;
                        } else {
                            errors.push("Expected hex digits for escape sequence.".to_string());
                        }
                    } else if e == b'u' {
                        self.pos += 1;
                        let n = (0..4).take_while(|i| hex(self, self.pos + i)).count();
                        self.pos += n;
                        if n < 4 {
                            errors.push(
                                "Expected four hex digits for \\u escape sequence.".to_string(),
                            );
                        }
                    } else if e == b'U' {
                        self.pos += 1;
                        let ok = self.at(self.pos) == b'0'
                            && self.at(self.pos + 1) == b'0'
                            && matches!(self.at(self.pos + 2), b'0' | b'1')
                            && (3..8).all(|i| hex(self, self.pos + i));
                        if ok {
                            self.pos += 8;
                        } else {
                            errors.push(
                                "Expected eight hex digits up to 10ffff for \\U escape sequence"
                                    .to_string(),
                            );
                        }
                    } else {
                        errors.push("Invalid escape sequence in string literal.".to_string());
                    }
                }
                _ => {
                    self.pos += 1;
                    if b == quote {
                        return;
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The parser.

/// A failed step; the message is already in `errors`.
struct Failed;

type Step<T = ()> = Result<T, Failed>;

struct Parser<'a, 'f> {
    tokens: Tokenizer<'a>,
    /// The pool being compiled and the built-in one.
    pools: (&'a Pool, &'a Pool),
    finder: &'f mut dyn Finder,
    errors: Vec<String>,
    /// The nesting allowed below the value.
    limit: i32,
    /// protoc's `recursion_limit_`, counting down from `limit`.
    recursion_budget: i32,
}

impl<'a> Parser<'a, '_> {
    fn pool(&self, which: Which) -> &'a Pool {
        match which {
            Which::Current => self.pools.0,
            Which::Builtin => self.pools.1,
        }
    }

    fn error(&mut self, message: String) -> Failed {
        self.errors.push(message);
        Failed
    }

    fn next(&mut self) {
        self.tokens.next(&mut self.errors);
    }

    fn looking_at(&self, text: &str) -> bool {
        self.tokens.text() == text.as_bytes()
    }

    fn looking_at_kind(&self, kind: Kind) -> bool {
        self.tokens.current.kind == kind
    }

    fn try_consume(&mut self, text: &str) -> bool {
        if self.looking_at(text) {
            self.next();
            true
        } else {
            false
        }
    }

    fn consume(&mut self, text: &str) -> Step {
        if self.try_consume(text) {
            return Ok(());
        }
        let found = self.tokens.text_string();
        Err(self.error(format!("Expected \"{text}\", found \"{found}\".")))
    }

    /// `TryConsume`, reporting whitespace after the token.
    fn try_consume_before_whitespace(&mut self, text: &str) -> bool {
        self.tokens.report_whitespace = true;
        let consumed = self.try_consume(text);
        self.tokens.report_whitespace = false;
        consumed
    }

    fn consume_before_whitespace(&mut self, text: &str) -> Step {
        self.tokens.report_whitespace = true;
        let result = self.consume(text);
        self.tokens.report_whitespace = false;
        result
    }

    fn try_consume_whitespace(&mut self) {
        if self.looking_at_kind(Kind::Whitespace) {
            self.next();
        }
    }

    fn consume_identifier(&mut self) -> Step<String> {
        if self.looking_at_kind(Kind::Identifier) {
            let text = self.tokens.text_string();
            self.next();
            return Ok(text);
        }
        let found = self.tokens.text_string();
        Err(self.error(format!("Expected identifier, got: {found}")))
    }

    fn consume_identifier_before_whitespace(&mut self) -> Step<String> {
        self.tokens.report_whitespace = true;
        let result = self.consume_identifier();
        self.tokens.report_whitespace = false;
        result
    }

    fn enter(&mut self) -> Step {
        self.recursion_budget -= 1;
        if self.recursion_budget < 0 {
            let limit = self.limit;
            return Err(self.error(format!(
                "Message is too deep, the parser exceeded the configured recursion limit of {limit}."
            )));
        }
        Ok(())
    }

    /// protoc's `ConsumeField`.
    fn consume_field(&mut self, which: Which, message: &mut DynMessage) -> Step {
        let pool = self.pool(which);
        let ty = message.ty;
        let type_name = pool[ty].full_name.as_str();
        if is_any(pool, ty) && self.looking_at("[") {
            let (name, prefix) = self.consume_type_url_or_name()?;
            if prefix.is_empty() {
                return Err(self.error("Type URL prefix is missing".to_string()));
            }
            self.try_consume_whitespace();
            if self.try_consume_before_whitespace(":") {
                self.try_consume_whitespace();
            }
            let Some(value_type) = self.finder.find_any_type(&prefix, &name) else {
                return Err(self.error(format!(
                    "Could not find type \"{prefix}{name}\" stored in google.protobuf.Any."
                )));
            };
            let value = self.consume_any_value(value_type)?;
            let url = pool.field_by_name(ty, "type_url");
            let bytes = pool.field_by_name(ty, "value");
            if let (Some(url), Some(bytes)) = (url, bytes) {
                if has_field(pool, message, url) || has_field(pool, message, bytes) {
                    return Err(
                        self.error("Non-repeated Any specified multiple times.".to_string())
                    );
                }
                set(
                    pool,
                    message,
                    url,
                    DynValue::Bytes(format!("{prefix}{name}").into_bytes()),
                );
                set(pool, message, bytes, DynValue::Bytes(value));
            }
            let _ = self.try_consume(";") || self.try_consume(",");
            return Ok(());
        }

        let field_name;
        let field = if self.looking_at("[") {
            let (name, prefix) = self.consume_type_url_or_name()?;
            if !prefix.is_empty() {
                return Err(self.error("Extension name contains \"/\"".to_string()));
            }
            self.try_consume_whitespace();
            field_name = name;
            match self.finder.find_extension(which, ty, &field_name) {
                Some(f) => Some(f),
                None => {
                    return Err(self.error(format!(
                        "Extension \"{field_name}\" is not defined or is not an extension of \"{type_name}\"."
                    )));
                }
            }
        } else {
            field_name = self.consume_identifier_before_whitespace()?;
            self.try_consume_whitespace();
            let found = pool.field_by_name(ty, &field_name).or_else(|| {
                // A group may be named by its type name.
                pool.field_by_name(ty, &field_name.to_ascii_lowercase())
                    .filter(|f| is_group_like(pool, *f))
                    .filter(|f| {
                        pool[*f]
                            .ty
                            .message()
                            .is_some_and(|m| pool[m].name == field_name)
                    })
            });
            if found.is_none() && !pool[ty].reserved_names.contains(&field_name) {
                return Err(self.error(format!(
                    "Message type \"{type_name}\" has no field named \"{field_name}\"."
                )));
            }
            found
        };
        let Some(field) = field else {
            // A reserved name: protoc skips the field, guessing its shape.
            if self.try_consume_before_whitespace(":") {
                self.try_consume_whitespace();
                if !self.looking_at("{") && !self.looking_at("<") {
                    self.skip_field_value()?;
                    let _ = self.try_consume(";") || self.try_consume(",");
                    return Ok(());
                }
            }
            self.skip_field_message()?;
            let _ = self.try_consume(";") || self.try_consume(",");
            return Ok(());
        };

        let f = &pool[field];
        let repeated = f.label == Label::Repeated;
        if !repeated && has_field(pool, message, field) {
            return Err(self.error(format!(
                "Non-repeated field \"{field_name}\" is specified multiple times."
            )));
        }
        if let Some(oneof) = f.oneof {
            let members = &pool[oneof].fields;
            if let Some(other) = message
                .fields
                .iter()
                .find(|s| members.contains(&s.field) && has_field(pool, message, s.field))
            {
                let other = &pool[other.field].name;
                return Err(self.error(format!(
                    "Field \"{field_name}\" is specified along with field \"{other}\", another member of oneof \"{}\".",
                    pool[oneof].name
                )));
            }
        }

        let is_message = f.ty.message().is_some();
        if is_message {
            if self.try_consume_before_whitespace(":") {
                self.try_consume_whitespace();
            }
        } else {
            self.consume_before_whitespace(":")?;
            self.try_consume_whitespace();
        }

        if repeated && self.try_consume("[") {
            if !self.try_consume("]") {
                loop {
                    if is_message {
                        self.consume_field_message(which, message, field)?;
                    } else {
                        self.consume_field_value(which, message, field)?;
                    }
                    if self.try_consume("]") {
                        break;
                    }
                    self.consume(",")?;
                }
            }
        } else if is_message {
            self.consume_field_message(which, message, field)?;
        } else {
            self.consume_field_value(which, message, field)?;
        }
        let _ = self.try_consume(";") || self.try_consume(",");
        Ok(())
    }

    /// `<` or `{`; returns the closing delimiter.
    fn consume_message_delimiter(&mut self) -> Step<&'static str> {
        if self.try_consume("<") {
            return Ok(">");
        }
        self.consume("{")?;
        Ok("}")
    }

    /// protoc's `ConsumeMessage`: fields up to `delimiter`.
    fn consume_message(&mut self, which: Which, message: &mut DynMessage, delimiter: &str) -> Step {
        // At the end of the input the next field's name is missing.
        while !self.looking_at(">") && !self.looking_at("}") {
            self.consume_field(which, message)?;
        }
        self.consume(delimiter)
    }

    fn consume_field_message(
        &mut self,
        which: Which,
        message: &mut DynMessage,
        field: FieldId,
    ) -> Step {
        self.enter()?;
        let pool = self.pool(which);
        let Some(ty) = pool[field].ty.message() else {
            return Ok(());
        };
        let delimiter = self.consume_message_delimiter()?;
        let mut sub = DynMessage::new(ty);
        self.consume_message(which, &mut sub, delimiter)?;
        message.push_value(pool, field, DynValue::Message(Box::new(sub)));
        self.recursion_budget += 1;
        Ok(())
    }

    /// protoc's `ConsumeAnyValue`: a message of `ty`, serialized.
    fn consume_any_value(&mut self, ty: MessageId) -> Step<Vec<u8>> {
        self.enter()?;
        let delimiter = self.consume_message_delimiter()?;
        let mut value = DynMessage::new(ty);
        self.consume_message(Which::Current, &mut value, delimiter)?;
        let pool = self.pools.0;
        let mut missing = Vec::new();
        missing_required(pool, &value, "", &mut missing);
        if !missing.is_empty() {
            return Err(self.error(format!(
                "Value of type \"{}\" stored in google.protobuf.Any has missing required fields: {}",
                pool[ty].full_name,
                missing.join(", ")
            )));
        }
        self.recursion_budget += 1;
        Ok(value.to_bytes(pool))
    }

    /// protoc's `ConsumeAnyTypeUrlOrFullTypeName`: `[…]` read as URL
    /// characters; returns the type name and the URL prefix (with its `/`,
    /// empty for a plain name).
    fn consume_type_url_or_name(&mut self) -> Step<(String, String)> {
        self.tokens.report_url_chars = true;
        let _ = self.try_consume("[");
        let mut text = String::new();
        while self.looking_at_kind(Kind::UrlChars) {
            text.push_str(&self.tokens.text_string());
            self.next();
        }
        self.tokens.report_url_chars = false;
        self.consume_before_whitespace("]")?;
        let (prefix, name) = match text.rfind('/') {
            None => (String::new(), text),
            Some(slash) => {
                let prefix = text[..=slash].to_string();
                let name = text[slash + 1..].to_string();
                if prefix == "/" {
                    return Err(self.error("Type URL prefix is empty".to_string()));
                }
                if prefix.starts_with('/') {
                    return Err(self.error("Type URL starts with \"/\"".to_string()));
                }
                let bytes = prefix.as_bytes();
                for i in 0..bytes.len() {
                    if bytes[i] == b'%'
                        && (i + 2 >= bytes.len()
                            || !bytes[i + 1].is_ascii_hexdigit()
                            || !bytes[i + 2].is_ascii_hexdigit())
                    {
                        let end = (i + 3).min(bytes.len());
                        return Err(self.error(format!(
                            "Invalid percent encode, got: \"{}\"",
                            &prefix[i..end]
                        )));
                    }
                }
                (prefix, name)
            }
        };
        for part in name.split('.') {
            if !literal::is_identifier(part.as_bytes()) {
                return Err(self.error(format!("Invalid identifier in type name, got: \"{part}\"")));
            }
        }
        Ok((name, prefix))
    }

    /// protoc's `ConsumeFieldValue`: one scalar or enum value of `field`.
    fn consume_field_value(
        &mut self,
        which: Which,
        message: &mut DynMessage,
        field: FieldId,
    ) -> Step {
        let pool = self.pool(which);
        let f = &pool[field];
        let value = match f.ty {
            FieldType::Scalar(s) => match s {
                Scalar::Int32 => DynValue::Varint(self.consume_signed(i32::MAX as u64)? as u64),
                Scalar::Sint32 => DynValue::Varint(
                    wire::zigzag(self.consume_signed(i32::MAX as u64)?) & 0xffff_ffff,
                ),
                Scalar::Sfixed32 => {
                    DynValue::Fixed32(self.consume_signed(i32::MAX as u64)? as i32 as u32)
                }
                Scalar::Int64 => DynValue::Varint(self.consume_signed(i64::MAX as u64)? as u64),
                Scalar::Sint64 => {
                    DynValue::Varint(wire::zigzag(self.consume_signed(i64::MAX as u64)?))
                }
                Scalar::Sfixed64 => DynValue::Fixed64(self.consume_signed(i64::MAX as u64)? as u64),
                Scalar::Uint32 => DynValue::Varint(self.consume_unsigned(u64::from(u32::MAX))?),
                Scalar::Fixed32 => {
                    DynValue::Fixed32(self.consume_unsigned(u64::from(u32::MAX))? as u32)
                }
                Scalar::Uint64 => DynValue::Varint(self.consume_unsigned(u64::MAX)?),
                Scalar::Fixed64 => DynValue::Fixed64(self.consume_unsigned(u64::MAX)?),
                Scalar::Float => {
                    let v = self.consume_double()?;
                    DynValue::Fixed32(crate::link::safe_double_to_float(v).to_bits())
                }
                Scalar::Double => DynValue::Fixed64(self.consume_double()?.to_bits()),
                Scalar::String | Scalar::Bytes => DynValue::Bytes(self.consume_string()?),
                Scalar::Bool => {
                    if self.looking_at_kind(Kind::Integer) {
                        DynValue::Varint(self.consume_unsigned(1)?)
                    } else {
                        let value = self.consume_identifier()?;
                        match value.as_str() {
                            "true" | "True" | "t" => DynValue::Varint(1),
                            "false" | "False" | "f" => DynValue::Varint(0),
                            _ => {
                                return Err(self.error(format!(
                                    "Invalid value for boolean field \"{}\". Value: \"{value}\".",
                                    f.name
                                )));
                            }
                        }
                    }
                }
            },
            FieldType::Enum(e) => {
                let (shown, found, number) = if self.looking_at_kind(Kind::Identifier) {
                    let name = self.consume_identifier()?;
                    let found = pool[e].values.iter().find(|v| pool[**v].name == name);
                    (name, found.copied(), None)
                } else if self.looking_at("-") || self.looking_at_kind(Kind::Integer) {
                    let n = self.consume_signed(i32::MAX as u64)?;
                    let found = pool[e]
                        .values
                        .iter()
                        .find(|v| i64::from(pool[**v].number) == n);
                    (n.to_string(), found.copied(), Some(n))
                } else {
                    let found = self.tokens.text_string();
                    return Err(self.error(format!("Expected integer or identifier, got: {found}")));
                };
                match (found, number) {
                    (Some(v), _) => DynValue::Varint(i64::from(pool[v].number) as u64),
                    (None, Some(n)) if !pool[e].is_closed() => DynValue::Varint(n as u64),
                    (None, _) => {
                        return Err(self.error(format!(
                            "Unknown enumeration value of \"{shown}\" for field \"{}\".",
                            f.name
                        )));
                    }
                }
            }
            FieldType::Message(_) | FieldType::Group(_) => return Ok(()),
        };
        set(pool, message, field, value);
        Ok(())
    }

    fn consume_unsigned(&mut self, max: u64) -> Step<u64> {
        if !self.looking_at_kind(Kind::Integer) {
            let found = self.tokens.text_string();
            return Err(self.error(format!("Expected integer, got: {found}")));
        }
        match literal::parse_int(self.tokens.text(), max) {
            Some(v) => {
                self.next();
                Ok(v)
            }
            None => {
                let text = self.tokens.text_string();
                Err(self.error(format!("Integer out of range ({text})")))
            }
        }
    }

    fn consume_signed(&mut self, max: u64) -> Step<i64> {
        let negative = self.try_consume("-");
        let magnitude = self.consume_unsigned(if negative { max + 1 } else { max })?;
        Ok(if negative {
            0i64.wrapping_sub_unsigned(magnitude)
        } else {
            magnitude as i64
        })
    }

    fn consume_double(&mut self) -> Step<f64> {
        let negative = self.try_consume("-");
        let value = if self.looking_at_kind(Kind::Integer) {
            let text = self.tokens.text();
            let hex = text.len() >= 2 && text[0] == b'0' && matches!(text[1], b'x' | b'X');
            let octal = text.len() >= 2 && text[0] == b'0' && (b'0'..b'8').contains(&text[1]);
            if hex || octal {
                let text = self.tokens.text_string();
                return Err(self.error(format!("Expect a decimal number, got: {text}")));
            }
            let value = match literal::parse_int(text, u64::MAX) {
                Some(v) => v as f64,
                None => literal::parse_float(text),
            };
            self.next();
            value
        } else if self.looking_at_kind(Kind::Float) {
            let value = literal::parse_float(self.tokens.text());
            self.next();
            value
        } else if self.looking_at_kind(Kind::Identifier) {
            let text = self.tokens.text_string().to_ascii_lowercase();
            let value = match text.as_str() {
                "inf" | "infinity" => f64::INFINITY,
                "nan" => f64::NAN,
                _ => return Err(self.error(format!("Expected double, got: {text}"))),
            };
            self.next();
            value
        } else {
            let found = self.tokens.text_string();
            return Err(self.error(format!("Expected double, got: {found}")));
        };
        Ok(if negative { -value } else { value })
    }

    fn consume_string(&mut self) -> Step<Vec<u8>> {
        if !self.looking_at_kind(Kind::String) {
            let found = self.tokens.text_string();
            return Err(self.error(format!("Expected string, got: {found}")));
        }
        let mut value = Vec::new();
        while self.looking_at_kind(Kind::String) {
            literal::decode_string(self.tokens.text(), &mut value);
            self.next();
        }
        Ok(value)
    }

    /// protoc's `SkipField`, for fields inside a skipped message.
    fn skip_field(&mut self) -> Step {
        if self.looking_at("[") {
            self.consume_type_url_or_name()?;
        } else {
            self.consume_identifier_before_whitespace()?;
        }
        self.try_consume_whitespace();
        if self.try_consume_before_whitespace(":") {
            self.try_consume_whitespace();
            if !self.looking_at("{") && !self.looking_at("<") {
                self.skip_field_value()?;
            } else {
                self.skip_field_message()?;
            }
        } else {
            self.skip_field_message()?;
        }
        let _ = self.try_consume(";") || self.try_consume(",");
        Ok(())
    }

    fn skip_field_message(&mut self) -> Step {
        self.enter()?;
        let delimiter = self.consume_message_delimiter()?;
        while !self.looking_at(">") && !self.looking_at("}") {
            self.skip_field()?;
        }
        self.consume(delimiter)?;
        self.recursion_budget += 1;
        Ok(())
    }

    fn skip_field_value(&mut self) -> Step {
        self.enter()?;
        if self.looking_at_kind(Kind::String) {
            while self.looking_at_kind(Kind::String) {
                self.next();
            }
            self.recursion_budget += 1;
            return Ok(());
        }
        if self.try_consume("[") {
            if !self.try_consume("]") {
                loop {
                    if !self.looking_at("{") && !self.looking_at("<") {
                        self.skip_field_value()?;
                    } else {
                        self.skip_field_message()?;
                    }
                    if self.try_consume("]") {
                        break;
                    }
                    self.consume(",")?;
                }
            }
            self.recursion_budget += 1;
            return Ok(());
        }
        let minus = self.try_consume("-");
        if !matches!(
            self.tokens.current.kind,
            Kind::Integer | Kind::Float | Kind::Identifier
        ) {
            let text = self.tokens.text_string();
            self.recursion_budget += 1;
            return Err(self.error(format!("Cannot skip field value, unexpected token: {text}")));
        }
        if minus && self.looking_at_kind(Kind::Identifier) {
            let text = self.tokens.text_string().to_ascii_lowercase();
            if text != "inf" && text != "infinity" && text != "nan" {
                self.recursion_budget += 1;
                return Err(self.error(format!("Invalid float number: {text}")));
            }
        }
        self.next();
        self.recursion_budget += 1;
        Ok(())
    }
}

/// Whether `ty` is `google.protobuf.Any` with its two fields
/// (`GetAnyFieldDescriptors`).
fn is_any(pool: &Pool, ty: MessageId) -> bool {
    pool[ty].full_name.as_str() == "google.protobuf.Any"
        && pool
            .field_by_number(ty, 1)
            .is_some_and(|f| pool[f].ty == FieldType::Scalar(Scalar::String))
        && pool
            .field_by_number(ty, 2)
            .is_some_and(|f| pool[f].ty == FieldType::Scalar(Scalar::Bytes))
}

/// protobuf's `IsGroupLike`: a delimited field named after its message type
/// (lower-cased), the type declared in the same file and scope.
fn is_group_like(pool: &Pool, field: FieldId) -> bool {
    let f = &pool[field];
    let FieldType::Group(m) = f.ty else {
        return false;
    };
    let message = &pool[m];
    if f.name != message.name.to_ascii_lowercase() || message.file != f.file {
        return false;
    }
    match f.scope {
        crate::ir::Scope::Message(scope) => message.parent == Some(scope),
        crate::ir::Scope::File(_) => message.parent.is_none(),
    }
}

/// protobuf's `Reflection::HasField`: a singular field with implicit
/// presence is set only when it differs from its default.
fn has_field(pool: &Pool, message: &DynMessage, field: FieldId) -> bool {
    match message.get(pool[field].number as u32) {
        Some(slot) if slot.field == field => !slot.values.is_empty(),
        _ => false,
    }
}

/// protobuf's `Reflection::Set*`/`Add*`: a singular implicit-presence field
/// set to its default value is cleared (it is then neither present nor
/// serialized).
fn set(pool: &Pool, message: &mut DynMessage, field: FieldId, value: DynValue) {
    let f = &pool[field];
    let is_default = match &value {
        DynValue::Varint(v) | DynValue::Fixed64(v) => *v == 0,
        DynValue::Fixed32(v) => *v == 0,
        DynValue::Bytes(b) => b.is_empty(),
        DynValue::Message(_) => false,
    };
    if f.presence == Presence::Implicit && is_default {
        let number = f.number as u32;
        message.fields.retain(|slot| slot.number != number);
        return;
    }
    message.push_value(pool, field, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        let mut t = Tokenizer::new(text.as_bytes());
        let mut errors = Vec::new();
        let mut out = Vec::new();
        loop {
            t.next(&mut errors);
            if t.current.kind == Kind::End {
                break;
            }
            out.push((t.current.kind, t.text_string()));
        }
        assert!(errors.is_empty(), "{errors:?}");
        out
    }

    #[test]
    fn hash_comments_run_to_the_end_of_the_joined_value() {
        assert_eq!(
            kinds("a : 1 # b : 2 }"),
            vec![
                (Kind::Identifier, "a".to_string()),
                (Kind::Symbol, ":".to_string()),
                (Kind::Integer, "1".to_string()),
            ]
        );
    }

    #[test]
    fn floats_may_end_in_f_and_strings_keep_their_quotes() {
        assert_eq!(
            kinds("1.5f 'x' .5 0x1F"),
            vec![
                (Kind::Float, "1.5f".to_string()),
                (Kind::String, "'x'".to_string()),
                (Kind::Float, ".5".to_string()),
                (Kind::Integer, "0x1F".to_string()),
            ]
        );
    }

    #[test]
    fn url_mode_joins_what_the_proto_tokenizer_split() {
        let mut t = Tokenizer::new(b"type . googleapis . com / pkg . T ]");
        t.report_url_chars = true;
        let mut errors = Vec::new();
        let mut text = String::new();
        loop {
            t.next(&mut errors);
            if t.current.kind != Kind::UrlChars {
                break;
            }
            text.push_str(&t.text_string());
        }
        assert_eq!(text, "type.googleapis.com/pkg.T");
        assert_eq!(t.text(), b"]");
    }
}
