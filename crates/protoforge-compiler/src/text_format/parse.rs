//! Text format to a [`DynMessage`]: protoc's `TextFormat::Parser`, used by
//! `--encode` (through [`super::parse`]) and by the option interpreter for
//! aggregate values (`option (x) = { … }`). A singular field or a oneof set
//! twice is an error, unknown fields and extensions are errors, fields with
//! reserved names are skipped, `Any` may be written expanded
//! (`[type.googleapis.com/pkg.T] { … }`), repeated fields may use the list
//! form (`f: [1, 2]`). It stops at the first parse error; tokenizer errors
//! found before it are reported too, in order.
//!
//! What differs between the two uses is in [`Settings`] (partial messages,
//! the depth limit) and a [`Finder`] (how extension and `Any` type names are
//! found: by full name in the message's pool for `--encode`, with the
//! scoping of the file being compiled for options, protoc's
//! `AggregateOptionFinder`).

use protoforge_syntax::literal::{decode_string, parse_float, parse_int};

use super::tokenize::{Kind, Tokenizer, identifier};
use super::{Diagnostic, is_group_like};
use crate::dynamic::{DynMessage, DynValue};
use crate::ir::{FieldId, FieldType, MessageId, Pool, Presence, Scalar};
use crate::link::safe_double_to_float;
use crate::message::missing_required;

/// How a text is read (protoc's `TextFormat::Parser` settings).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    /// Required fields may be left unset, in the message and in `Any`
    /// values (`AllowPartialMessage`).
    pub(crate) allow_partial: bool,
    /// How many levels messages may nest below the one parsed, skipped
    /// fields' values and `Any` values included (`SetRecursionLimit`).
    pub(crate) max_depth: i32,
}

/// Name lookups the parser cannot do from the message's type alone
/// (protoc's `TextFormat::Finder`). A message and its fields are always in
/// one pool; an `Any` value may be in another.
pub(crate) trait Finder<'p> {
    /// The extension (or, for a MessageSet, the message type) written as
    /// `[name]` inside a message of type `message` in `pool`.
    fn find_extension(&mut self, pool: &'p Pool, message: MessageId, name: &str)
    -> Option<FieldId>;
    /// The type of a value stored in an `Any` (of `pool`) under `prefix`
    /// (with its trailing `/`) and `name`, and the pool it is in.
    fn find_any_type(
        &mut self,
        pool: &'p Pool,
        prefix: &str,
        name: &str,
    ) -> Option<(&'p Pool, MessageId)>;
}

/// protoc's default finder, as `--encode` uses it: extensions by full name
/// (a MessageSet's also by their type's name) and `Any` types by name, in
/// the message's own pool.
pub(crate) struct PoolFinder;

impl<'p> Finder<'p> for PoolFinder {
    fn find_extension(
        &mut self,
        pool: &'p Pool,
        message: MessageId,
        name: &str,
    ) -> Option<FieldId> {
        find_extension(pool, message, name)
    }

    fn find_any_type(
        &mut self,
        pool: &'p Pool,
        _prefix: &str,
        name: &str,
    ) -> Option<(&'p Pool, MessageId)> {
        Some((pool, pool.message_by_name(name)?))
    }
}

pub(crate) struct Parser<'a, 'f> {
    tokens: Tokenizer<'a>,
    finder: &'f mut dyn Finder<'a>,
    settings: Settings,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// protoc's `recursion_limit_`, counting down from `max_depth`.
    depth_left: i32,
}

/// The result of one step: `Err` when an error was reported and parsing stops.
type Step<T = ()> = Result<T, ()>;

const INT32_MAX: u64 = i32::MAX as u64;
const UINT32_MAX: u64 = u32::MAX as u64;
const INT64_MAX: u64 = i64::MAX as u64;

impl<'a, 'f> Parser<'a, 'f> {
    pub(crate) fn new(
        text: &'a [u8],
        settings: Settings,
        finder: &'f mut dyn Finder<'a>,
    ) -> Parser<'a, 'f> {
        let mut parser = Parser {
            tokens: Tokenizer::new(text),
            finder,
            settings,
            diagnostics: Vec::new(),
            depth_left: settings.max_depth,
        };
        parser.advance();
        parser
    }

    fn advance(&mut self) {
        self.tokens.next();
        for e in self.tokens.errors.drain(..) {
            self.diagnostics.push(Diagnostic {
                line: e.line,
                column: e.column,
                message: e.message,
                is_warning: false,
            });
        }
    }

    /// Records `message` at the current token.
    fn report(&mut self, message: String, is_warning: bool) {
        self.diagnostics.push(Diagnostic {
            line: self.tokens.current.line,
            column: self.tokens.current.column,
            message,
            is_warning,
        });
    }

    fn error(&mut self, message: String) -> Step<()> {
        self.report(message, false);
        Err(())
    }

    fn warning(&mut self, message: String) {
        self.report(message, true);
    }

    fn looking_at(&self, text: &str) -> bool {
        self.tokens.current.text == text && self.tokens.current.kind != Kind::String
    }

    fn kind(&self) -> Kind {
        self.tokens.current.kind
    }

    /// protoc's `TryConsumeWhitespace`: steps over a whitespace token (one
    /// is produced only right after a `…BeforeWhitespace` consume).
    fn skip_whitespace(&mut self) {
        if self.kind() == Kind::Whitespace {
            self.advance();
        }
    }

    /// Consumes `text` when it is next, letting the token after it be
    /// whitespace (protoc's `TryConsumeBeforeWhitespace`).
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

    fn try_consume(&mut self, text: &str) -> bool {
        if self.tokens.current.text == text {
            self.advance();
            true
        } else {
            false
        }
    }

    fn consume(&mut self, text: &str) -> Step {
        if self.tokens.current.text == text {
            self.advance();
            Ok(())
        } else {
            let found = self.tokens.current.text.clone();
            self.error(format!("Expected \"{text}\", found \"{found}\"."))
        }
    }

    /// Parses the whole input into `message` (of a type in `pool`). With
    /// partial messages not allowed, an unset required field is an error
    /// at the end of the input.
    pub(crate) fn parse(&mut self, pool: &'a Pool, message: &mut DynMessage) -> bool {
        while self.kind() != Kind::End {
            if self.field(pool, message).is_err() {
                return false;
            }
        }
        if self.diagnostics.iter().any(|d| !d.is_warning) {
            return false;
        }
        if !self.settings.allow_partial {
            let missing = missing_required(pool, message);
            if !missing.is_empty() {
                let _ = self.error(format!(
                    "Message missing required fields: {}",
                    missing.join(", ")
                ));
                return false;
            }
        }
        true
    }

    /// One level deeper: a message value, a skipped value or an `Any` value.
    fn enter(&mut self) -> Step {
        self.depth_left -= 1;
        if self.depth_left < 0 {
            let limit = self.settings.max_depth;
            return self.error(format!(
                "Message is too deep, the parser exceeded the configured recursion limit of {limit}."
            ));
        }
        Ok(())
    }

    /// A message's delimiter, fields and closing delimiter, one level down.
    fn message_value(&mut self, pool: &'a Pool, message: &mut DynMessage) -> Step {
        self.enter()?;
        let result = (|| {
            let delimiter = self.message_delimiter()?;
            while !self.looking_at(">") && !self.looking_at("}") {
                self.field(pool, message)?;
            }
            self.consume(delimiter)
        })();
        self.depth_left += 1;
        result
    }

    fn message_delimiter(&mut self) -> Step<&'static str> {
        if self.try_consume("<") {
            return Ok(">");
        }
        self.consume("{")?;
        Ok("}")
    }

    fn end_field(&mut self) {
        let _ = self.try_consume(";") || self.try_consume(",");
    }

    fn field(&mut self, pool: &'a Pool, message: &mut DynMessage) -> Step {
        let ty = message.ty;
        let type_name = pool[ty].full_name.as_str().to_string();
        if self.looking_at("[") {
            if let Some((url_field, value_field)) = any_fields(pool, ty) {
                return self.any(pool, message, url_field, value_field);
            }
            let (name, prefix) = self.type_url_or_name()?;
            if !prefix.is_empty() {
                return self.error("Extension name contains \"/\"".into());
            }
            self.skip_whitespace();
            let Some(field) = self.finder.find_extension(pool, ty, &name) else {
                return self.error(format!(
                    "Extension \"{name}\" is not defined or is not an extension of \"{type_name}\"."
                ));
            };
            return self.field_value(pool, message, field, &name);
        }
        let name = self.identifier_before_whitespace()?;
        self.skip_whitespace();
        let mut field = pool.field_by_name(ty, &name);
        if field.is_none() {
            let lower = name.to_ascii_lowercase();
            field = pool
                .field_by_name(ty, &lower)
                .filter(|f| is_group_like(pool, *f))
                .filter(|f| pool[*f].ty.message().is_some_and(|m| pool[m].name == name));
        }
        match field {
            Some(field) => self.field_value(pool, message, field, &name),
            None if pool[ty].reserved_names.contains(&name) => {
                self.skip_rest_of_field()?;
                self.end_field();
                Ok(())
            }
            None => self.error(format!(
                "Message type \"{type_name}\" has no field named \"{name}\"."
            )),
        }
    }

    fn field_value(
        &mut self,
        pool: &'a Pool,
        message: &mut DynMessage,
        field: FieldId,
        name: &str,
    ) -> Step {
        let f = &pool[field];
        if f.options.deprecated {
            self.warning(format!("text format contains deprecated field \"{name}\""));
        }
        let repeated = f.is_repeated();
        if !repeated && message.get(f.number as u32).is_some() {
            return self.error(format!(
                "Non-repeated field \"{name}\" is specified multiple times."
            ));
        }
        if let Some(oneof) = f.oneof {
            let set = pool[oneof]
                .fields
                .iter()
                .find(|m| message.get(pool[**m].number as u32).is_some());
            if let Some(other) = set {
                return self.error(format!(
                    "Field \"{name}\" is specified along with field \"{}\", another member of oneof \"{}\".",
                    pool[*other].name, pool[oneof].name
                ));
            }
        }
        let is_message = f.ty.message().is_some();
        if is_message {
            if self.try_consume_before_whitespace(":") {
                self.skip_whitespace();
            }
        } else {
            self.consume_before_whitespace(":")?;
            self.skip_whitespace();
        }
        if repeated && self.try_consume("[") {
            if !self.try_consume("]") {
                loop {
                    self.one_value(pool, message, field)?;
                    if self.try_consume("]") {
                        break;
                    }
                    self.consume(",")?;
                }
            }
        } else {
            self.one_value(pool, message, field)?;
        }
        self.end_field();
        Ok(())
    }

    fn one_value(&mut self, pool: &'a Pool, message: &mut DynMessage, field: FieldId) -> Step {
        if let Some(m) = pool[field].ty.message() {
            let mut sub = DynMessage::new(m);
            self.message_value(pool, &mut sub)?;
            // A map entry is written with both its key and its value.
            if let Some(entry) = &pool[m].map_entry {
                for f in [entry.key, entry.value] {
                    if sub.get(pool[f].number as u32).is_none() {
                        sub.push_value(pool, f, super::default_value(pool, f));
                    }
                }
            }
            message.push_value(pool, field, DynValue::Message(Box::new(sub)));
            return Ok(());
        }
        let value = self.scalar(pool, field)?;
        set_scalar(pool, message, field, value);
        Ok(())
    }

    fn scalar(&mut self, pool: &'a Pool, field: FieldId) -> Step<DynValue> {
        let f = &pool[field];
        Ok(match f.ty {
            FieldType::Scalar(s) => match s {
                Scalar::Int32 | Scalar::Sint32 | Scalar::Sfixed32 => {
                    let v = self.signed(INT32_MAX)? as i32;
                    match s {
                        Scalar::Int32 => DynValue::Varint(i64::from(v) as u64),
                        Scalar::Sint32 => {
                            DynValue::Varint(u64::from(((v << 1) ^ (v >> 31)) as u32))
                        }
                        _ => DynValue::Fixed32(v as u32),
                    }
                }
                Scalar::Int64 | Scalar::Sint64 | Scalar::Sfixed64 => {
                    let v = self.signed(INT64_MAX)?;
                    match s {
                        Scalar::Int64 => DynValue::Varint(v as u64),
                        Scalar::Sint64 => DynValue::Varint(crate::wire::zigzag(v)),
                        _ => DynValue::Fixed64(v as u64),
                    }
                }
                Scalar::Uint32 | Scalar::Fixed32 => {
                    let v = self.unsigned(UINT32_MAX)?;
                    if s == Scalar::Uint32 {
                        DynValue::Varint(v)
                    } else {
                        DynValue::Fixed32(v as u32)
                    }
                }
                Scalar::Uint64 | Scalar::Fixed64 => {
                    let v = self.unsigned(u64::MAX)?;
                    if s == Scalar::Uint64 {
                        DynValue::Varint(v)
                    } else {
                        DynValue::Fixed64(v)
                    }
                }
                Scalar::Float => DynValue::Fixed32(safe_double_to_float(self.double()?).to_bits()),
                Scalar::Double => DynValue::Fixed64(self.double()?.to_bits()),
                Scalar::String | Scalar::Bytes => {
                    if self.kind() != Kind::String {
                        let found = self.tokens.current.text.clone();
                        self.error(format!("Expected string, got: {found}"))?;
                    }
                    let mut out = Vec::new();
                    while self.kind() == Kind::String {
                        decode_string(self.tokens.current.text.as_bytes(), &mut out);
                        self.advance();
                    }
                    DynValue::Bytes(out)
                }
                Scalar::Bool => {
                    if self.kind() == Kind::Integer {
                        DynValue::Varint(self.unsigned(1)?)
                    } else {
                        let value = self.identifier()?;
                        match value.as_str() {
                            "true" | "True" | "t" => DynValue::Varint(1),
                            "false" | "False" | "f" => DynValue::Varint(0),
                            _ => {
                                let name = f.name.clone();
                                self.error(format!(
                                    "Invalid value for boolean field \"{name}\". Value: \"{value}\"."
                                ))?;
                                DynValue::Varint(0)
                            }
                        }
                    }
                }
            },
            FieldType::Enum(e) => {
                let (text, number) = if self.kind() == Kind::Identifier {
                    let name = self.identifier()?;
                    let number = pool[e]
                        .values
                        .iter()
                        .find(|v| pool[**v].name == name)
                        .map(|v| pool[*v].number);
                    match number {
                        Some(n) => return Ok(DynValue::Varint(i64::from(n) as u64)),
                        None => (name, None),
                    }
                } else if self.looking_at("-") || self.kind() == Kind::Integer {
                    let n = self.signed(INT32_MAX)?;
                    let known = pool[e]
                        .values
                        .iter()
                        .any(|v| i64::from(pool[*v].number) == n);
                    if known || !pool[e].is_closed() {
                        return Ok(DynValue::Varint(n as u64));
                    }
                    (n.to_string(), Some(n))
                } else {
                    let found = self.tokens.current.text.clone();
                    self.error(format!("Expected integer or identifier, got: {found}"))?;
                    (String::new(), None)
                };
                let _ = number;
                let name = f.name.clone();
                self.error(format!(
                    "Unknown enumeration value of \"{text}\" for field \"{name}\"."
                ))?;
                DynValue::Varint(0)
            }
            FieldType::Message(_) | FieldType::Group(_) => DynValue::Varint(0),
        })
    }

    fn identifier_before_whitespace(&mut self) -> Step<String> {
        self.tokens.report_whitespace = true;
        let result = self.identifier();
        self.tokens.report_whitespace = false;
        result
    }

    fn identifier(&mut self) -> Step<String> {
        if self.kind() == Kind::Identifier {
            let text = self.tokens.current.text.clone();
            self.advance();
            return Ok(text);
        }
        let found = self.tokens.current.text.clone();
        self.error(format!("Expected identifier, got: {found}"))?;
        Ok(String::new())
    }

    fn unsigned(&mut self, max: u64) -> Step<u64> {
        if self.kind() != Kind::Integer {
            let found = self.tokens.current.text.clone();
            self.error(format!("Expected integer, got: {found}"))?;
        }
        let text = self.tokens.current.text.clone();
        match parse_int(text.as_bytes(), max) {
            Some(v) => {
                self.advance();
                Ok(v)
            }
            None => {
                self.error(format!("Integer out of range ({text})"))?;
                Ok(0)
            }
        }
    }

    fn signed(&mut self, max: u64) -> Step<i64> {
        let negative = self.try_consume("-");
        let value = self.unsigned(if negative { max + 1 } else { max })?;
        Ok(if negative {
            (value as i64).wrapping_neg()
        } else {
            value as i64
        })
    }

    fn double(&mut self) -> Step<f64> {
        let negative = self.try_consume("-");
        let text = self.tokens.current.text.clone();
        let value = match self.kind() {
            Kind::Integer => {
                // protoc's `IsHexNumber` and `IsOctalNumber`.
                let b = text.as_bytes();
                let hex = b.len() > 1 && b[0] == b'0' && matches!(b[1], b'x' | b'X');
                let octal = b.len() > 1 && b[0] == b'0' && (b'0'..b'8').contains(&b[1]);
                if hex || octal {
                    self.error(format!("Expect a decimal number, got: {text}"))?;
                }
                let v = match parse_int(text.as_bytes(), u64::MAX) {
                    Some(v) => v as f64,
                    None => parse_float(text.as_bytes()),
                };
                self.advance();
                v
            }
            Kind::Float => {
                self.advance();
                parse_float(text.as_bytes())
            }
            Kind::Identifier => {
                let lower = text.to_ascii_lowercase();
                let v = match lower.as_str() {
                    "inf" | "infinity" => f64::INFINITY,
                    "nan" => f64::NAN,
                    _ => {
                        self.error(format!("Expected double, got: {lower}"))?;
                        0.0
                    }
                };
                self.advance();
                v
            }
            _ => {
                self.error(format!("Expected double, got: {text}"))?;
                0.0
            }
        };
        Ok(if negative { -value } else { value })
    }

    /// `[` URL-or-name `]`: the full type name and the URL prefix (with its
    /// trailing `/`; empty for a plain name).
    fn type_url_or_name(&mut self) -> Step<(String, String)> {
        self.tokens.url_chars = true;
        let _ = self.consume("[");
        let mut text = String::new();
        while self.kind() == Kind::UrlChars {
            text.push_str(&self.tokens.current.text);
            self.advance();
        }
        self.tokens.url_chars = false;
        self.consume_before_whitespace("]")?;
        let (prefix, name) = match text.rfind('/') {
            None => (String::new(), text),
            Some(at) => {
                let prefix = text[..=at].to_string();
                let name = text[at + 1..].to_string();
                if prefix == "/" {
                    return self
                        .error("Type URL prefix is empty".into())
                        .map(|()| (name, prefix));
                }
                if prefix.starts_with('/') {
                    return self
                        .error("Type URL starts with \"/\"".into())
                        .map(|()| (name, prefix));
                }
                let bytes = prefix.as_bytes();
                for i in 0..bytes.len() {
                    if bytes[i] == b'%'
                        && (i + 2 >= bytes.len()
                            || !bytes[i + 1].is_ascii_hexdigit()
                            || !bytes[i + 2].is_ascii_hexdigit())
                    {
                        let end = (i + 3).min(prefix.len());
                        let bad = prefix.get(i..end).unwrap_or("").to_string();
                        return self
                            .error(format!("Invalid percent encode, got: \"{bad}\""))
                            .map(|()| (name, prefix));
                    }
                }
                (prefix, name)
            }
        };
        for part in name.split('.') {
            if !identifier(part) {
                return self
                    .error(format!("Invalid identifier in type name, got: \"{part}\""))
                    .map(|()| (name.clone(), prefix.clone()));
            }
        }
        Ok((name, prefix))
    }

    fn any(
        &mut self,
        pool: &'a Pool,
        message: &mut DynMessage,
        url_field: FieldId,
        value_field: FieldId,
    ) -> Step {
        let (name, prefix) = self.type_url_or_name()?;
        if prefix.is_empty() {
            return self.error("Type URL prefix is missing".into());
        }
        self.skip_whitespace();
        if self.try_consume_before_whitespace(":") {
            self.skip_whitespace();
        }
        let Some((value_pool, target)) = self.finder.find_any_type(pool, &prefix, &name) else {
            return self.error(format!(
                "Could not find type \"{prefix}{name}\" stored in google.protobuf.Any."
            ));
        };
        let mut value = DynMessage::new(target);
        self.message_value(value_pool, &mut value)?;
        if !self.settings.allow_partial {
            let missing = missing_required(value_pool, &value);
            if !missing.is_empty() {
                return self.error(format!(
                    "Value of type \"{}\" stored in google.protobuf.Any has missing required fields: {}",
                    value_pool[target].full_name,
                    missing.join(", ")
                ));
            }
        }
        let has = |f: FieldId| message.get(pool[f].number as u32).is_some();
        if has(url_field) || has(value_field) {
            return self.error("Non-repeated Any specified multiple times.".into());
        }
        let url = format!("{prefix}{name}").into_bytes();
        set_scalar(pool, message, url_field, DynValue::Bytes(url));
        set_scalar(
            pool,
            message,
            value_field,
            DynValue::Bytes(value.to_bytes(value_pool)),
        );
        self.end_field();
        Ok(())
    }

    fn skip_message(&mut self) -> Step {
        self.enter()?;
        let result = (|| {
            let delimiter = self.message_delimiter()?;
            while !self.looking_at(">") && !self.looking_at("}") {
                self.skip_field()?;
            }
            self.consume(delimiter)
        })();
        self.depth_left += 1;
        result
    }

    fn skip_field(&mut self) -> Step {
        if self.looking_at("[") {
            self.type_url_or_name()?;
        } else {
            self.identifier_before_whitespace()?;
        }
        self.skip_whitespace();
        self.skip_rest_of_field()?;
        self.end_field();
        Ok(())
    }

    /// After a skipped field's name: `: value`, `: { … }` or `{ … }`.
    fn skip_rest_of_field(&mut self) -> Step {
        if self.try_consume_before_whitespace(":") {
            self.skip_whitespace();
            if !self.looking_at("{") && !self.looking_at("<") {
                return self.skip_value();
            }
        }
        self.skip_message()
    }

    fn skip_value(&mut self) -> Step {
        self.enter()?;
        let result = (|| {
            if self.kind() == Kind::String {
                while self.kind() == Kind::String {
                    self.advance();
                }
                return Ok(());
            }
            if self.try_consume("[") {
                if !self.try_consume("]") {
                    loop {
                        if !self.looking_at("{") && !self.looking_at("<") {
                            self.skip_value()?;
                        } else {
                            self.skip_message()?;
                        }
                        if self.try_consume("]") {
                            break;
                        }
                        self.consume(",")?;
                    }
                }
                return Ok(());
            }
            let minus = self.try_consume("-");
            if !matches!(self.kind(), Kind::Integer | Kind::Float | Kind::Identifier) {
                let text = self.tokens.current.text.clone();
                return self.error(format!("Cannot skip field value, unexpected token: {text}"));
            }
            if minus && self.kind() == Kind::Identifier {
                let text = self.tokens.current.text.to_ascii_lowercase();
                if text != "inf" && text != "infinity" && text != "nan" {
                    return self.error(format!("Invalid float number: {text}"));
                }
            }
            self.advance();
            Ok(())
        })();
        self.depth_left += 1;
        result
    }
}

/// Sets a scalar as reflection's `Set*`/`Add*` do: a field without presence
/// set to its default is not set at all.
pub(crate) fn set_scalar(pool: &Pool, message: &mut DynMessage, field: FieldId, value: DynValue) {
    let f = &pool[field];
    let in_map_entry = pool[message.ty].map_entry.is_some();
    if f.presence == Presence::Implicit && f.oneof.is_none() && !in_map_entry && is_default(&value)
    {
        message.fields.retain(|x| x.field != field);
        return;
    }
    message.push_value(pool, field, value);
}

fn is_default(value: &DynValue) -> bool {
    match value {
        DynValue::Varint(v) | DynValue::Fixed64(v) => *v == 0,
        DynValue::Fixed32(v) => *v == 0,
        DynValue::Bytes(b) => b.is_empty(),
        DynValue::Message(_) => false,
    }
}

/// For `google.protobuf.Any`: its `type_url` (1, a string) and `value` (2,
/// bytes) fields (protobuf's `GetAnyFieldDescriptors`).
pub(crate) fn any_fields(pool: &Pool, ty: MessageId) -> Option<(FieldId, FieldId)> {
    if pool[ty].full_name.as_str() != "google.protobuf.Any" {
        return None;
    }
    let url = pool.field_by_number(ty, 1)?;
    let value = pool.field_by_number(ty, 2)?;
    let is = |f: FieldId, s: Scalar| pool[f].ty == FieldType::Scalar(s);
    (is(url, Scalar::String) && is(value, Scalar::Bytes)).then_some((url, value))
}

/// protoc's `FindExtensionByPrintableName`: an extension of `ty` by full
/// name, or for a MessageSet, by the full name of its message type.
fn find_extension(pool: &Pool, ty: MessageId, name: &str) -> Option<FieldId> {
    let extensions = &pool[ty].extended_by;
    if let Some(f) = extensions
        .iter()
        .copied()
        .find(|f| pool[*f].full_name.as_str() == name)
    {
        return Some(f);
    }
    if !pool[ty].options.message_set_wire_format {
        return None;
    }
    extensions.iter().copied().find(|f| {
        super::is_message_set_extension(pool, *f)
            && pool[*f]
                .ty
                .message()
                .is_some_and(|m| pool[m].full_name.as_str() == name)
    })
}
