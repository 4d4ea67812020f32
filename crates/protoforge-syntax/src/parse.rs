//! The parser: tokens to [`ast::File`], with protoc's error recovery.
//!
//! The grammar is LL(1) and the parser is a cursor over the token list that
//! follows the structure of protoc's `compiler::Parser` statement by
//! statement. That is deliberate: protoc's users see its error positions and
//! its recovery (skip to the end of the statement, or past a `{ … }` block),
//! and the source-info stage must attach comments exactly as protoc does,
//! which depends on precisely which `;`, `{` and `}` tokens end a declaration.
//!
//! Each `parse_*` method returns `Err(Failed)` after recording a diagnostic,
//! like protoc's `DO(…)` returning false; the enclosing block loop then skips
//! the rest of the statement and goes on.

use crate::Parse;
use crate::ast::{self, Comments};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::lex::{self, Token, TokenKind};
use crate::limits::{MAX_DECLARATION_DEPTH, MAX_FILE_SIZE, MAX_GROUP_DEPTH};
use crate::literal;
use crate::span::Span;

/// A statement failed to parse; its diagnostic has been recorded.
struct Failed;

type PResult<T> = Result<T, Failed>;

/// The language a file is written in, from its `syntax` or `edition` statement.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Proto2,
    Proto3,
    /// Editions, with protoc's numeric `Edition` value.
    Editions(u32),
}

/// protoc's `Edition` enum value for the name after `edition =`, for the
/// editions protoc's parser accepts.
fn edition_value(name: &[u8]) -> Option<u32> {
    Some(match name {
        b"LEGACY" => 900,
        b"2023" => 1000,
        b"2024" => 1001,
        b"2026" => 1002,
        b"UNSTABLE" => 9999,
        b"1_TEST_ONLY" => 1,
        b"2_TEST_ONLY" => 2,
        b"99997_TEST_ONLY" => 99997,
        b"99998_TEST_ONLY" => 99998,
        b"99999_TEST_ONLY" => 99999,
        b"MAX" => 0x7FFF_FFFF,
        _ => return None,
    })
}

const EDITION_2023: u32 = 1000;
const EDITION_2024: u32 = 1001;

/// Which statement a list of ranges belongs to; each has its own rules.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RangeKind {
    /// `extensions`: non-negative, with the `end + 1` overflow check.
    Extensions,
    /// `reserved` in a message: non-negative, no overflow check in protoc 35.
    MessageReserved,
    /// `reserved` in an enum: signed.
    EnumReserved,
}

/// Where a field is being parsed; protoc forbids map fields in two of them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FieldContext {
    Message,
    Oneof,
    Extend,
}

struct Parser<'a> {
    src: &'a [u8],
    /// The source as text, when it is valid UTF-8 (almost always): names and
    /// comments are then sliced from it without validating them again.
    text_src: Option<&'a str>,
    tokens: Vec<Token>,
    pos: usize,
    /// The parser's diagnostics, each with the index of the current token
    /// when it was reported (see [`lex::tokenize_ordered`]).
    diagnostics: Vec<(usize, Diagnostic)>,
    mode: Mode,
    /// protoc's `recursion_depth_`: reset per top-level statement, decremented
    /// per nested message (not per group: protoc 35's parser does not count
    /// groups).
    depth: i64,
    /// How many group bodies enclose the cursor, bounded by
    /// [`MAX_GROUP_DEPTH`] so that nested groups cannot overflow the stack.
    group_depth: usize,
    upcoming_doc: Option<String>,
    upcoming_detached: Vec<String>,
    has_package: bool,
    has_option_import: bool,
}

pub(crate) fn parse(source: &[u8]) -> Parse {
    let empty_file = |len: usize| ast::File {
        syntax: None,
        items: Vec::new(),
        span: Span::new(0, len.min(u32::MAX as usize) as u32),
    };
    if source.len() > MAX_FILE_SIZE {
        return Parse {
            file: empty_file(0),
            diagnostics: vec![
                Diagnostic::error(
                    DiagnosticKind::FileTooLarge,
                    Span::empty(0),
                    format!(
                        "file is {} bytes, larger than the limit of {MAX_FILE_SIZE} bytes",
                        source.len()
                    ),
                )
                .with_help("split the file into several smaller files"),
            ],
        };
    }
    let (tokens, lex_diagnostics) = lex::tokenize_ordered(source);
    let mut parser = Parser {
        src: source,
        text_src: std::str::from_utf8(source).ok(),
        tokens,
        pos: 0,
        diagnostics: Vec::new(),
        mode: Mode::Proto2,
        depth: MAX_DECLARATION_DEPTH as i64,
        group_depth: 0,
        upcoming_doc: None,
        upcoming_detached: Vec::new(),
        has_package: false,
        has_option_import: false,
    };
    let file = parser.file();
    // Merge the lexer's and the parser's diagnostics in the order protoc
    // reports them: protoc's tokenizer reads one token ahead of its parser,
    // so a tokenizer error in (or just before) token `i` comes after the
    // parser's errors reported while token `i - 1` was current and before
    // those reported while token `i` is. That is source order except where a
    // parser error points back at an earlier token (a group name, the syntax
    // string) or the tokenizer finds a problem inside the current token (the
    // `9` of `09` before the parser's "Integer out of range.").
    let mut ordered: Vec<(usize, u8, Diagnostic)> = lex_diagnostics
        .into_iter()
        .map(|(token, d)| (token, 0, d))
        .chain(
            parser
                .diagnostics
                .into_iter()
                .map(|(token, d)| (token, 1, d)),
        )
        .collect();
    ordered.sort_by_key(|(token, source, _)| (*token, *source));
    let diagnostics = ordered.into_iter().map(|(_, _, d)| d).collect();
    Parse { file, diagnostics }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

impl<'a> Parser<'a> {
    // ----- token access -------------------------------------------------

    fn cur(&self) -> Token {
        self.tokens[self.pos]
    }

    fn text(&self, token: Token) -> &'a [u8] {
        &self.src[token.span.range()]
    }

    /// The text of a token as a `String` (identifier tokens are ASCII).
    fn token_string(&self, token: Token) -> String {
        match self.text_src.and_then(|text| text.get(token.span.range())) {
            Some(text) => text.to_owned(),
            None => String::from_utf8_lossy(self.text(token)).into_owned(),
        }
    }

    fn cur_text(&self) -> &'a [u8] {
        self.text(self.cur())
    }

    fn looking_at(&self, text: &str) -> bool {
        self.cur_text() == text.as_bytes() && self.cur().kind != TokenKind::End
    }

    fn looking_at_kind(&self, kind: TokenKind) -> bool {
        self.cur().kind == kind
    }

    fn at_end(&self) -> bool {
        self.looking_at_kind(TokenKind::End)
    }

    fn next(&mut self) {
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
    }

    /// End of the previous token: where a node that ends here ends.
    fn prev_end(&self) -> u32 {
        if self.pos == 0 {
            self.cur().span.start
        } else {
            self.tokens[self.pos - 1].span.end
        }
    }

    fn span_from(&self, start: u32) -> Span {
        Span::new(start, self.prev_end().max(start))
    }

    fn try_consume(&mut self, text: &str) -> bool {
        if self.looking_at(text) {
            self.next();
            true
        } else {
            false
        }
    }

    fn consume(&mut self, text: &str) -> PResult<Span> {
        let span = self.cur().span;
        if self.try_consume(text) {
            Ok(span)
        } else {
            Err(self.unexpected(&format!("Expected \"{text}\".")))
        }
    }

    fn consume_or(&mut self, text: &str, message: &str) -> PResult<Span> {
        let span = self.cur().span;
        if self.try_consume(text) {
            Ok(span)
        } else {
            Err(self.unexpected(message))
        }
    }

    // ----- diagnostics --------------------------------------------------

    /// Records `diagnostic`, reported while the current token is current.
    fn push(&mut self, diagnostic: Diagnostic) -> &mut Diagnostic {
        self.diagnostics.push((self.pos, diagnostic));
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last].1
    }

    fn error_at(
        &mut self,
        kind: DiagnosticKind,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Diagnostic::error(kind, span, message))
    }

    fn error(&mut self, kind: DiagnosticKind, message: impl Into<String>) -> &mut Diagnostic {
        let span = self.cur().span;
        self.error_at(kind, span, message)
    }

    /// Records "expected …" at the current token and returns the failure.
    fn unexpected(&mut self, message: &str) -> Failed {
        let found = self.describe_current();
        let d = self.error(DiagnosticKind::UnexpectedToken, message);
        if let Some(found) = found {
            d.help = Some(format!("found {found}"));
        }
        Failed
    }

    fn describe_current(&self) -> Option<String> {
        let token = self.cur();
        let text = String::from_utf8_lossy(self.text(token));
        Some(match token.kind {
            TokenKind::End => "the end of the file".to_string(),
            TokenKind::String => "a string".to_string(),
            TokenKind::Int | TokenKind::Float => format!("the number `{text}`"),
            TokenKind::Ident => format!("`{text}`"),
            TokenKind::Symbol if text.len() == 1 && text.is_ascii() => format!("`{text}`"),
            TokenKind::Symbol => return None,
        })
    }

    // ----- comments -----------------------------------------------------

    /// protoc's `TryConsumeEndOfDeclaration`: consumes `text` if it is next,
    /// collecting the comments after it. With `located`, returns the comments
    /// of the declaration it ends.
    fn try_end_decl(&mut self, text: &str, located: bool) -> Option<Comments> {
        if !self.looking_at(text) {
            return None;
        }
        let token = self.cur();
        let next = self.tokens.get(self.pos + 1).copied().unwrap_or(token);
        let gap = lex::collect_comments(
            self.src,
            self.text_src,
            token.span.end as usize,
            next,
            false,
            true,
        );
        self.next();
        let leading = std::mem::replace(&mut self.upcoming_doc, gap.leading);
        if located {
            let detached = std::mem::replace(&mut self.upcoming_detached, gap.detached);
            Some(Comments {
                leading: non_empty(leading),
                trailing: non_empty(gap.trailing),
                detached,
            })
        } else {
            if text == "}" {
                self.upcoming_detached = gap.detached;
            } else {
                self.upcoming_detached.extend(gap.detached);
            }
            Some(Comments::default())
        }
    }

    /// protoc's `ConsumeEndOfDeclaration` for a declaration with a location.
    fn end_decl(&mut self, text: &str) -> PResult<Comments> {
        match self.try_end_decl(text, true) {
            Some(comments) => Ok(comments),
            None => Err(self.unexpected(&format!("Expected \"{text}\"."))),
        }
    }

    /// protoc's `NextWithComments(nullptr, …)`: used at the start of the file
    /// and after an unmatched `}`.
    fn advance_dropping_trailing(&mut self, at_start: bool) {
        let from = if at_start {
            lex::bom_len(self.src)
        } else {
            self.cur().span.end as usize
        };
        let next_index = if at_start { 0 } else { self.pos + 1 };
        let Some(next) = self.tokens.get(next_index).copied() else {
            return;
        };
        let gap = lex::collect_comments(
            self.src,
            self.text_src,
            from.min(next.span.start as usize),
            next,
            at_start,
            false,
        );
        self.upcoming_detached = gap.detached;
        self.upcoming_doc = gap.leading;
        if !at_start {
            self.next();
        }
    }

    // ----- recovery -----------------------------------------------------

    /// protoc's `SkipStatement`.
    fn skip_statement(&mut self) {
        loop {
            if self.at_end() {
                return;
            }
            if self.looking_at_kind(TokenKind::Symbol) {
                if self.try_end_decl(";", false).is_some() {
                    return;
                } else if self.try_consume("{") {
                    self.skip_rest_of_block();
                    return;
                } else if self.looking_at("}") {
                    return;
                }
            }
            self.next();
        }
    }

    /// protoc's `SkipRestOfBlock`, including its habit of stepping over the
    /// token after each brace it consumes.
    fn skip_rest_of_block(&mut self) {
        let mut depth = 1usize;
        loop {
            if self.at_end() {
                return;
            }
            if self.looking_at_kind(TokenKind::Symbol) {
                if self.try_end_decl("}", false).is_some() {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                } else if self.try_consume("{") {
                    depth += 1;
                }
            }
            self.next();
        }
    }

    // ----- literals -----------------------------------------------------

    fn ident(&mut self, message: &str) -> PResult<ast::Ident> {
        if self.looking_at_kind(TokenKind::Ident) {
            let token = self.cur();
            self.next();
            Ok(ast::Ident {
                text: self.token_string(token),
                span: token.span,
            })
        } else {
            Err(self.unexpected(message))
        }
    }

    /// protoc's `ConsumeInteger64`: an unsigned integer up to `max`; an
    /// out-of-range value is reported and becomes zero.
    fn int64(&mut self, max: u64, minus: Option<Span>, message: &str) -> PResult<ast::Int> {
        if !self.looking_at_kind(TokenKind::Int) {
            return Err(self.unexpected(message));
        }
        let token = self.cur();
        let magnitude = match literal::parse_int(self.text(token), max) {
            Some(v) => v,
            None => {
                self.error(DiagnosticKind::IntegerOutOfRange, "Integer out of range.");
                0
            }
        };
        self.next();
        let span = minus.map_or(token.span, |m| m.cover(token.span));
        Ok(ast::Int {
            minus,
            magnitude,
            span,
        })
    }

    /// protoc's `ConsumeInteger`: a non-negative `int32`.
    fn int32(&mut self, message: &str) -> PResult<ast::Int> {
        self.int64(i32::MAX as u64, None, message)
    }

    /// protoc's `ConsumeSignedInteger`.
    fn signed_int32(&mut self, message: &str) -> PResult<ast::Int> {
        let minus_span = self.cur().span;
        let minus = self.try_consume("-").then_some(minus_span);
        let max = i32::MAX as u64 + u64::from(minus.is_some());
        self.int64(max, minus, message)
    }

    /// protoc's `ConsumeNumber`, for float defaults and float option values.
    fn number(&mut self, minus: Option<Span>, message: &str) -> PResult<ast::OptionValue> {
        let token = self.cur();
        let span = minus.map_or(token.span, |m| m.cover(token.span));
        let text = self.text(token);
        let value = match token.kind {
            TokenKind::Float => ast::OptionValue::Float(ast::Float {
                minus,
                magnitude: literal::parse_float(text),
                span,
            }),
            TokenKind::Int => match literal::parse_int(text, u64::MAX) {
                Some(v) => ast::OptionValue::Float(ast::Float {
                    minus,
                    magnitude: v as f64,
                    span,
                }),
                None => {
                    if text.first() == Some(&b'0') {
                        self.error(DiagnosticKind::IntegerOutOfRange, "Integer out of range.");
                        ast::OptionValue::Float(ast::Float {
                            minus,
                            magnitude: 0.0,
                            span,
                        })
                    } else {
                        ast::OptionValue::Float(ast::Float {
                            minus,
                            magnitude: literal::parse_float(text),
                            span,
                        })
                    }
                }
            },
            TokenKind::Ident if text == b"inf" || text == b"nan" => {
                let ident = ast::Ident {
                    text: self.token_string(token),
                    span: token.span,
                };
                ast::OptionValue::Ident { minus, ident }
            }
            _ => return Err(self.unexpected(message)),
        };
        self.next();
        Ok(value)
    }

    /// protoc's `ConsumeString`: one or more adjacent string literals.
    fn string(&mut self, message: &str) -> PResult<ast::StringLit> {
        if !self.looking_at_kind(TokenKind::String) {
            return Err(self.unexpected(message));
        }
        let mut value = Vec::new();
        let mut parts = Vec::new();
        while self.looking_at_kind(TokenKind::String) {
            let token = self.cur();
            literal::decode_string(self.text(token), &mut value);
            parts.push(token.span);
            self.next();
        }
        let span = parts[0].cover(parts[parts.len() - 1]);
        Ok(ast::StringLit { value, parts, span })
    }

    /// A single string token, not joined with the ones after it.
    fn single_string(&mut self) -> ast::StringLit {
        let token = self.cur();
        let mut value = Vec::new();
        literal::decode_string(self.text(token), &mut value);
        self.next();
        ast::StringLit {
            value,
            parts: vec![token.span],
            span: token.span,
        }
    }

    // ----- file ---------------------------------------------------------

    fn file(&mut self) -> ast::File {
        let len = self.src.len() as u32;
        self.advance_dropping_trailing(true);
        let mut file = ast::File {
            syntax: None,
            items: Vec::new(),
            span: Span::new(0, len),
        };
        let bad_byte_order_mark = self.src.first() == Some(&0xEF) && lex::bom_len(self.src) == 0;
        if bad_byte_order_mark {
            // protoc's tokenizer gives up on its first token after a bad
            // byte-order mark, so its parser starts on a placeholder token at
            // 1:1: it sees no syntax statement, reports the placeholder as a
            // bad top-level statement and skips the first real statement.
            self.missing_syntax();
            self.error_at(
                DiagnosticKind::UnexpectedToken,
                Span::empty(0),
                "Expected top-level statement (e.g. \"message\").",
            )
            .help = Some(
                "after a bad byte-order mark the first statement is skipped, as protoc does".into(),
            );
            self.recover_top_level();
        } else if self.looking_at("syntax") || self.looking_at("edition") {
            match self.syntax() {
                Ok(syntax) => file.syntax = Some(syntax),
                // protoc does not parse the rest of a file whose syntax it
                // does not know.
                Err(Failed) => return file,
            }
        } else {
            self.missing_syntax();
        }
        while !self.at_end() {
            match self.top_level() {
                Ok(item) => file.items.push(item),
                Err(Failed) => self.recover_top_level(),
            }
        }
        file
    }

    fn missing_syntax(&mut self) {
        let span = Span::empty(self.cur().span.start);
        self.push(
            Diagnostic::warning(
                DiagnosticKind::MissingSyntax,
                span,
                "no edition or syntax specified; defaulting to syntax = \"proto2\"",
            )
            .with_help("begin the file with `edition = \"2023\";` or `syntax = \"proto3\";`"),
        );
    }

    /// After a top-level statement failed: skip it, and step over a `}` that
    /// closes nothing.
    fn recover_top_level(&mut self) {
        self.skip_statement();
        if self.looking_at("}") {
            self.error(DiagnosticKind::UnmatchedBrace, "Unmatched \"}\".")
                .help = Some("remove the `}` or add the `{` it should close".into());
            self.advance_dropping_trailing(false);
        }
    }

    fn syntax(&mut self) -> PResult<ast::Syntax> {
        let start = self.cur().span.start;
        let keyword = if self.try_consume("edition") {
            ast::SyntaxKeyword::Edition
        } else {
            self.consume_or(
                "syntax",
                "File must begin with an edition or syntax statement, e.g. 'edition = \"2023\";'.",
            )?;
            ast::SyntaxKeyword::Syntax
        };
        self.consume("=")?;
        let value = self.string("Expected syntax identifier.")?;
        let comments = self.end_decl(";")?;
        let at = value.parts[0];
        match keyword {
            ast::SyntaxKeyword::Edition => match edition_value(&value.value) {
                Some(edition) => self.mode = Mode::Editions(edition),
                None => {
                    self.error_at(
                        DiagnosticKind::UnknownEdition,
                        at,
                        format!("Unknown edition \"{}\".", value.to_string_lossy()),
                    )
                    .help = Some("known editions are \"2023\" and \"2024\"".into());
                    return Err(Failed);
                }
            },
            ast::SyntaxKeyword::Syntax => match value.value.as_slice() {
                b"proto2" => self.mode = Mode::Proto2,
                b"proto3" => self.mode = Mode::Proto3,
                _ => {
                    self.error_at(
                        DiagnosticKind::UnknownSyntax,
                        at,
                        format!(
                            "Unrecognized syntax identifier \"{}\".  This parser only recognizes \"proto2\" and \"proto3\".",
                            value.to_string_lossy()
                        ),
                    )
                    .help = Some("for editions, write `edition = \"2023\";` instead of `syntax = …`".into());
                    return Err(Failed);
                }
            },
        }
        Ok(ast::Syntax {
            keyword,
            value,
            span: self.span_from(start),
            comments,
        })
    }

    fn edition(&self) -> u32 {
        match self.mode {
            Mode::Editions(e) => e,
            _ => 0,
        }
    }

    fn is_editions(&self) -> bool {
        matches!(self.mode, Mode::Editions(_))
    }

    fn top_level(&mut self) -> PResult<ast::Item> {
        self.depth = MAX_DECLARATION_DEPTH as i64;
        let start = self.cur().span;
        if self.try_end_decl(";", false).is_some() {
            return Ok(ast::Item::Empty(start));
        }
        let visibility = self.visibility()?;
        if self.looking_at("message") {
            Ok(ast::Item::Message(self.message(visibility)?))
        } else if self.looking_at("enum") {
            Ok(ast::Item::Enum(self.enumeration(visibility)?))
        } else if self.looking_at("service") {
            Ok(ast::Item::Service(self.service()?))
        } else if self.looking_at("extend") {
            Ok(ast::Item::Extend(self.extend()?))
        } else if self.looking_at("import") {
            Ok(ast::Item::Import(self.import()?))
        } else if self.looking_at("package") {
            Ok(ast::Item::Package(self.package()?))
        } else if self.looking_at("option") {
            Ok(ast::Item::Option(self.option_statement()?))
        } else {
            Err(self.unexpected("Expected top-level statement (e.g. \"message\")."))
        }
    }

    /// protoc's `ParseVisibility`: `export`/`local` are keywords only from
    /// edition 2024 on.
    fn visibility(&mut self) -> PResult<Option<(ast::Visibility, Span)>> {
        if !(self.looking_at("export") || self.looking_at("local"))
            || self.edition() <= EDITION_2023
        {
            return Ok(None);
        }
        let span = self.cur().span;
        let visibility = if self.try_consume("export") {
            ast::Visibility::Export
        } else {
            self.next();
            ast::Visibility::Local
        };
        if !self.looking_at("message") && !self.looking_at("enum") {
            self.error(
                DiagnosticKind::InvalidVisibility,
                "'local' and 'export' visibility modifiers are valid only on 'message' and 'enum'",
            );
            return Err(Failed);
        }
        Ok(Some((visibility, span)))
    }

    fn package(&mut self) -> PResult<ast::Package> {
        if self.has_package {
            self.error(
                DiagnosticKind::DuplicatePackage,
                "Multiple package definitions.",
            )
            .help = Some("a file has one package; remove one of the statements".into());
        }
        self.has_package = true;
        let start = self.cur().span.start;
        self.consume("package")?;
        let mut parts = Vec::new();
        loop {
            parts.push(self.ident("Expected identifier.")?);
            if !self.try_consume(".") {
                break;
            }
        }
        let name_span = parts[0].span.cover(parts[parts.len() - 1].span);
        let comments = self.end_decl(";")?;
        Ok(ast::Package {
            name: ast::TypeName {
                leading_dot: None,
                parts,
                span: name_span,
            },
            span: self.span_from(start),
            comments,
        })
    }

    fn import(&mut self) -> PResult<ast::Import> {
        let start = self.cur().span.start;
        self.consume("import")?;
        const PATH: &str = "Expected a string naming the file to import.";
        if self.looking_at("option") {
            if self.edition() < EDITION_2024 {
                self.error(
                    DiagnosticKind::InvalidImport,
                    "option import is not supported before edition 2024.",
                )
                .help =
                    Some("use a plain `import`, or move the file to `edition = \"2024\";`".into());
            }
            let span = self.consume("option")?;
            let path = self.string(PATH)?;
            self.has_option_import = true;
            let comments = self.end_decl(";")?;
            return Ok(ast::Import {
                modifier: Some((ast::ImportModifier::Option, span)),
                path,
                span: self.span_from(start),
                comments,
            });
        }
        if self.has_option_import {
            self.error(
                DiagnosticKind::InvalidImport,
                "imports should precede any option imports to ensure proto files can roundtrip.",
            )
            .help = Some("move this import above the first `import option`".into());
        }
        let mut modifier = None;
        if self.looking_at("public") {
            modifier = Some((ast::ImportModifier::Public, self.consume("public")?));
        } else if self.looking_at("weak") {
            if self.edition() >= EDITION_2024 {
                self.error(
                    DiagnosticKind::InvalidImport,
                    "weak import is not supported in edition 2024 and above. Consider using option import instead.",
                );
            }
            modifier = Some((ast::ImportModifier::Weak, self.consume("weak")?));
        }
        let path = self.string(PATH)?;
        let comments = self.end_decl(";")?;
        Ok(ast::Import {
            modifier,
            path,
            span: self.span_from(start),
            comments,
        })
    }

    // ----- options ------------------------------------------------------

    fn option_statement(&mut self) -> PResult<ast::OptionDecl> {
        let start = self.cur().span.start;
        self.consume("option")?;
        let (name, value) = self.option_body()?;
        let comments = self.end_decl(";")?;
        Ok(ast::OptionDecl {
            name,
            value,
            span: self.span_from(start),
            comments,
        })
    }

    fn option_assignment(&mut self) -> PResult<ast::OptionDecl> {
        let start = self.cur().span.start;
        let (name, value) = self.option_body()?;
        Ok(ast::OptionDecl {
            name,
            value,
            span: self.span_from(start),
            comments: Comments::default(),
        })
    }

    /// `name = value`, protoc's `ParseOption` after the `option` keyword.
    fn option_body(&mut self) -> PResult<(ast::OptionName, ast::OptionValue)> {
        let start = self.cur().span.start;
        let mut parts = vec![self.option_name_part()?];
        while self.looking_at(".") {
            self.consume(".")?;
            parts.push(self.option_name_part()?);
        }
        let name = ast::OptionName {
            parts,
            span: self.span_from(start),
        };
        self.consume("=")?;
        let value = self.option_value()?;
        Ok((name, value))
    }

    fn option_name_part(&mut self) -> PResult<ast::OptionNamePart> {
        if self.looking_at("(") {
            let open = self.consume("(")?;
            let name_start = self.cur().span.start;
            let mut leading_dot = None;
            let mut parts = Vec::new();
            if self.looking_at_kind(TokenKind::Ident) {
                parts.push(self.ident("Expected identifier.")?);
            }
            while self.looking_at(".") {
                let dot = self.consume(".")?;
                if parts.is_empty() {
                    leading_dot = Some(dot);
                }
                parts.push(self.ident("Expected identifier.")?);
            }
            let name_span = self.span_from(name_start);
            self.consume(")")?;
            Ok(ast::OptionNamePart::Extension(
                ast::TypeName {
                    leading_dot,
                    parts,
                    span: name_span,
                },
                self.span_from(open.start),
            ))
        } else {
            Ok(ast::OptionNamePart::Field(
                self.ident("Expected identifier.")?,
            ))
        }
    }

    /// The value after `=` in an option, protoc's `ParseOption` value switch.
    fn option_value(&mut self) -> PResult<ast::OptionValue> {
        let minus_span = self.cur().span;
        let minus = self.try_consume("-").then_some(minus_span);
        let token = self.cur();
        match token.kind {
            TokenKind::End => {
                self.error(
                    DiagnosticKind::InvalidOptionValue,
                    "Unexpected end of stream while parsing option value.",
                );
                Err(Failed)
            }
            TokenKind::Ident => {
                let ident = self.ident("Expected identifier.")?;
                if minus.is_some() && ident.text != "inf" && ident.text != "nan" {
                    // protoc reports this at the token after the identifier.
                    self.error(
                        DiagnosticKind::InvalidOptionValue,
                        "Identifier after '-' symbol must be inf or nan.",
                    );
                    return Err(Failed);
                }
                Ok(ast::OptionValue::Ident { minus, ident })
            }
            TokenKind::Int => {
                let max = if minus.is_some() {
                    i64::MAX as u64 + 1
                } else {
                    u64::MAX
                };
                match literal::parse_int(self.text(token), max) {
                    Some(magnitude) => {
                        self.next();
                        let span = minus.map_or(token.span, |m| m.cover(token.span));
                        Ok(ast::OptionValue::Int(ast::Int {
                            minus,
                            magnitude,
                            span,
                        }))
                    }
                    None => self.number(minus, "Expected number."),
                }
            }
            TokenKind::Float => self.number(minus, "Expected number."),
            TokenKind::String => {
                if minus.is_some() {
                    self.error(
                        DiagnosticKind::InvalidOptionValue,
                        "Invalid '-' symbol before string.",
                    );
                    return Err(Failed);
                }
                Ok(ast::OptionValue::String(self.string("Expected string.")?))
            }
            TokenKind::Symbol => {
                if self.looking_at("{") {
                    Ok(ast::OptionValue::Aggregate(self.aggregate()?))
                } else {
                    self.error(DiagnosticKind::InvalidOptionValue, "Expected option value.");
                    Err(Failed)
                }
            }
        }
    }

    // ----- aggregate values ----------------------------------------------

    /// An aggregate option value, protoc's `ParseUninterpretedBlock`: the
    /// tokens up to the `}` matching the opening brace, kept with their texts
    /// joined by single spaces. Their text format is checked only when the
    /// option is interpreted, as protoc does, so nothing inside can fail here
    /// except a missing closing brace.
    fn aggregate(&mut self) -> PResult<ast::Aggregate> {
        let start = self.cur().span.start;
        self.next();
        let mut tokens = Vec::new();
        let mut text = Vec::new();
        let mut depth = 1usize;
        while !self.at_end() {
            if self.looking_at("{") {
                depth += 1;
            } else if self.looking_at("}") {
                depth -= 1;
                if depth == 0 {
                    self.next();
                    return Ok(ast::Aggregate {
                        tokens,
                        text,
                        span: self.span_from(start),
                    });
                }
            }
            let token = self.cur();
            if !text.is_empty() {
                text.push(b' ');
            }
            text.extend_from_slice(self.text(token));
            tokens.push(token.span);
            self.next();
        }
        self.error(
            DiagnosticKind::InvalidOptionValue,
            "Unexpected end of stream while parsing aggregate value.",
        );
        Err(Failed)
    }

    // ----- messages -----------------------------------------------------

    fn enter_nested(&mut self) -> PResult<()> {
        self.depth -= 1;
        if self.depth <= 0 {
            self.depth += 1;
            self.error(
                DiagnosticKind::NestingTooDeep,
                "Reached maximum recursion limit for nested messages.",
            )
            .help = Some(format!(
                "messages may be nested at most {} levels deep",
                MAX_DECLARATION_DEPTH - 1
            ));
            return Err(Failed);
        }
        Ok(())
    }

    fn message(&mut self, visibility: Option<(ast::Visibility, Span)>) -> PResult<ast::Message> {
        let start = visibility.map_or(self.cur().span.start, |(_, s)| s.start);
        self.enter_nested()?;
        let result = self.message_inner(visibility, start);
        self.depth += 1;
        result
    }

    fn message_inner(
        &mut self,
        visibility: Option<(ast::Visibility, Span)>,
        start: u32,
    ) -> PResult<ast::Message> {
        self.consume("message")?;
        let name = self.ident("Expected message name.")?;
        let (body, comments) = self.message_block("message")?;
        Ok(ast::Message {
            visibility,
            name,
            body,
            span: self.span_from(start),
            comments,
        })
    }

    /// protoc's `ParseMessageBlock`, including its check for a hand-written
    /// `map_entry` option.
    fn message_block(&mut self, what: &str) -> PResult<(ast::MessageBody, Comments)> {
        let start = self.cur().span.start;
        let comments = self.end_decl("{")?;
        let mut items = Vec::new();
        while self.try_end_decl("}", false).is_none() {
            if self.at_end() {
                self.error(
                    DiagnosticKind::UnclosedBlock,
                    format!("Reached end of input in {what} definition (missing '}}')."),
                )
                .help = Some("add the missing `}`".into());
                return Err(Failed);
            }
            match self.message_statement() {
                Ok(item) => items.push(item),
                Err(Failed) => self.skip_statement(),
            }
        }
        let body = ast::MessageBody {
            items,
            span: self.span_from(start),
        };
        for item in &body.items {
            if let ast::MessageItem::Option(option) = item {
                if matches!(option.name.parts.first(), Some(ast::OptionNamePart::Field(id)) if id.text == "map_entry")
                {
                    let at = option.name.span;
                    self.error_at(
                        DiagnosticKind::ExplicitMapEntry,
                        at,
                        "map_entry should not be set explicitly. Use map<KeyType, ValueType> instead.",
                    )
                    .help = Some("declare the field as `map<KeyType, ValueType> name = N;`".into());
                    return Err(Failed);
                }
            }
        }
        Ok((body, comments))
    }

    fn message_statement(&mut self) -> PResult<ast::MessageItem> {
        let start = self.cur().span;
        if self.try_end_decl(";", false).is_some() {
            return Ok(ast::MessageItem::Empty(start));
        }
        let visibility = self.visibility()?;
        if self.looking_at("message") {
            Ok(ast::MessageItem::Message(self.message(visibility)?))
        } else if self.looking_at("enum") {
            Ok(ast::MessageItem::Enum(self.enumeration(visibility)?))
        } else if self.looking_at("extensions") {
            Ok(ast::MessageItem::Extensions(self.extensions()?))
        } else if self.looking_at("reserved") {
            Ok(ast::MessageItem::Reserved(self.reserved(false)?))
        } else if self.looking_at("extend") {
            Ok(ast::MessageItem::Extend(self.extend()?))
        } else if self.looking_at("option") {
            Ok(ast::MessageItem::Option(self.option_statement()?))
        } else if self.looking_at("oneof") {
            Ok(ast::MessageItem::Oneof(self.oneof()?))
        } else {
            Ok(ast::MessageItem::Field(self.field(FieldContext::Message)?))
        }
    }

    /// protoc's `ParseLabel`.
    fn label(&mut self) -> Option<(ast::Label, Span)> {
        let label = if self.looking_at("optional") {
            ast::Label::Optional
        } else if self.looking_at("repeated") {
            ast::Label::Repeated
        } else if self.looking_at("required") {
            ast::Label::Required
        } else {
            return None;
        };
        if self.is_editions() {
            match label {
                ast::Label::Optional => {
                    self.error(
                        DiagnosticKind::InvalidLabel,
                        "Label \"optional\" is not supported in editions. By default, all singular fields have presence unless features.field_presence is set.",
                    )
                    .help = Some("remove `optional`".into());
                }
                ast::Label::Required => {
                    self.error(
                        DiagnosticKind::InvalidLabel,
                        "Label \"required\" is not supported in editions, use features.field_presence = LEGACY_REQUIRED.",
                    )
                    .help = Some("write `[features.field_presence = LEGACY_REQUIRED]` instead".into());
                }
                ast::Label::Repeated => {}
            }
        }
        let span = self.cur().span;
        self.next();
        Some((label, span))
    }

    /// protoc's `ParseMessageField`: a field with an optional label.
    fn field(&mut self, context: FieldContext) -> PResult<ast::Field> {
        let start = self.cur().span.start;
        let label = self.label();
        self.field_no_label(label, context, start)
    }

    /// protoc's `ParseMessageFieldNoLabel`.
    fn field_no_label(
        &mut self,
        label: Option<(ast::Label, Span)>,
        context: FieldContext,
        start: u32,
    ) -> PResult<ast::Field> {
        let type_start = self.cur().span;
        let mut ty = None;
        if self.try_consume("map") {
            if self.looking_at("<") {
                if context == FieldContext::Oneof {
                    self.error(
                        DiagnosticKind::InvalidMapField,
                        "Map fields are not allowed in oneofs.",
                    )
                    .help = Some("move the map field out of the oneof".into());
                    return Err(Failed);
                }
                if label.is_some() {
                    self.error(
                        DiagnosticKind::InvalidLabel,
                        "Field labels (required/optional/repeated) are not allowed on map fields.",
                    )
                    .help = Some("remove the label; map fields are always repeated".into());
                    return Err(Failed);
                }
                if context == FieldContext::Extend {
                    self.error(
                        DiagnosticKind::InvalidMapField,
                        "Map fields are not allowed to be extensions.",
                    );
                    return Err(Failed);
                }
                self.consume("<")?;
                let key = self.field_type()?;
                self.consume(",")?;
                let value = self.field_type()?;
                self.consume(">")?;
                ty = Some(ast::FieldType::Map(
                    Box::new(key),
                    Box::new(value),
                    self.span_from(type_start.start),
                ));
            } else {
                let ident = ast::Ident {
                    text: "map".into(),
                    span: type_start,
                };
                ty = Some(ast::FieldType::Named(ast::TypeName {
                    leading_dot: None,
                    parts: vec![ident],
                    span: type_start,
                }));
            }
        }
        let is_map = matches!(ty, Some(ast::FieldType::Map(..)));
        if !is_map {
            let labelled = label.is_some() || context == FieldContext::Oneof;
            if !labelled && self.mode == Mode::Proto2 {
                self.error(
                    DiagnosticKind::MissingLabel,
                    "Expected \"required\", \"optional\", or \"repeated\".",
                )
                .help = Some("proto2 fields need a label: add `optional` before the type".into());
            }
            if ty.is_none() {
                ty = Some(self.field_type()?);
            }
        }
        let ty = ty.unwrap_or(ast::FieldType::Group(type_start));
        let name = self.ident("Expected field name.")?;
        self.consume_or("=", "Missing field number.")?;
        let number = self.int32("Expected field number.")?;
        let options = self.field_options(&ty)?;
        let mut group_body = None;
        let comments;
        if let ast::FieldType::Group(_) = ty {
            if !name.text.as_bytes()[0].is_ascii_uppercase() {
                self.error_at(
                    DiagnosticKind::InvalidGroup,
                    name.span,
                    "Group names must start with a capital letter.",
                )
                .help = Some(format!("rename the group to `{}`", capitalize(&name.text)));
            }
            if self.looking_at("{") {
                // protoc 35's parser puts no limit on nested groups (its
                // descriptor pool rejects them later); this bound only keeps
                // the recursion finite.
                if self.group_depth >= MAX_GROUP_DEPTH {
                    self.error(
                        DiagnosticKind::NestingTooDeep,
                        format!("groups nested more than {MAX_GROUP_DEPTH} levels deep"),
                    )
                    .help = Some("declare the inner groups as separate messages".into());
                    return Err(Failed);
                }
                self.group_depth += 1;
                let block = self.message_block("message");
                self.group_depth -= 1;
                let (body, c) = block?;
                group_body = Some(body);
                comments = c;
            } else {
                self.error(DiagnosticKind::InvalidGroup, "Missing group body.")
                    .help = Some("a group declares its fields in `{ … }` after its number".into());
                return Err(Failed);
            }
        } else {
            comments = self.end_decl(";")?;
        }
        Ok(ast::Field {
            label,
            ty,
            name,
            number,
            options,
            group_body,
            span: self.span_from(start),
            comments,
        })
    }

    /// protoc's `ParseType`.
    fn field_type(&mut self) -> PResult<ast::FieldType> {
        let token = self.cur();
        let text = self.text(token);
        if token.kind == TokenKind::Ident {
            if let Some(scalar) = std::str::from_utf8(text)
                .ok()
                .and_then(ast::ScalarType::from_keyword)
            {
                self.next();
                return Ok(ast::FieldType::Scalar(scalar, token.span));
            }
            if text == b"group" {
                if self.is_editions() {
                    self.error(
                        DiagnosticKind::InvalidGroup,
                        "Group syntax is no longer supported in editions. To get group behavior you can specify features.message_encoding = DELIMITED on a message field.",
                    );
                }
                self.next();
                return Ok(ast::FieldType::Group(token.span));
            }
        }
        Ok(ast::FieldType::Named(self.user_type()?))
    }

    /// protoc's `ParseUserDefinedType`.
    fn user_type(&mut self) -> PResult<ast::TypeName> {
        let token = self.cur();
        let text = self.text(token);
        if token.kind == TokenKind::Ident
            && (text == b"group"
                || std::str::from_utf8(text)
                    .ok()
                    .and_then(ast::ScalarType::from_keyword)
                    .is_some())
        {
            self.error(DiagnosticKind::UnexpectedToken, "Expected message type.")
                .help = Some("methods and `extend` take message types, not scalar types".into());
            self.next();
            let ident = ast::Ident {
                text: self.token_string(token),
                span: token.span,
            };
            return Ok(ast::TypeName {
                leading_dot: None,
                parts: vec![ident],
                span: token.span,
            });
        }
        let start = token.span.start;
        let dot = self.cur().span;
        let leading_dot = self.try_consume(".").then_some(dot);
        let mut parts = vec![self.ident("Expected type name.")?];
        while self.try_consume(".") {
            parts.push(self.ident("Expected identifier.")?);
        }
        Ok(ast::TypeName {
            leading_dot,
            parts,
            span: self.span_from(start),
        })
    }

    /// protoc's `ParseFieldOptions`, with `default` and `json_name`.
    fn field_options(&mut self, ty: &ast::FieldType) -> PResult<Option<ast::CompactOptions>> {
        if !self.looking_at("[") {
            return Ok(None);
        }
        let start = self.cur().span.start;
        self.consume("[")?;
        let mut options = Vec::new();
        let mut has_default = false;
        let mut has_json_name = false;
        loop {
            if self.looking_at("default") {
                if has_default {
                    self.error(
                        DiagnosticKind::InvalidDefault,
                        "Already set option \"default\".",
                    )
                    .help = Some("remove one of the defaults".into());
                }
                has_default = true;
                options.push(self.default_value(ty)?);
            } else if self.looking_at("json_name") {
                if has_json_name {
                    self.error(
                        DiagnosticKind::InvalidDefault,
                        "Already set option \"json_name\".",
                    )
                    .help = Some("remove one of the json_name options".into());
                }
                has_json_name = true;
                let opt_start = self.cur().span.start;
                let name = self.ident("Expected \"json_name\".")?;
                self.consume("=")?;
                let value = self.string("Expected string for JSON name.")?;
                options.push(ast::OptionDecl {
                    name: ast::OptionName {
                        span: name.span,
                        parts: vec![ast::OptionNamePart::Field(name)],
                    },
                    value: ast::OptionValue::String(value),
                    span: self.span_from(opt_start),
                    comments: Comments::default(),
                });
            } else {
                options.push(self.option_assignment()?);
            }
            if !self.try_consume(",") {
                break;
            }
        }
        self.consume("]")?;
        Ok(Some(ast::CompactOptions {
            options,
            span: self.span_from(start),
        }))
    }

    /// protoc's `ParseDefaultAssignment`: the value's form depends on the type.
    fn default_value(&mut self, ty: &ast::FieldType) -> PResult<ast::OptionDecl> {
        use ast::ScalarType as S;
        let start = self.cur().span.start;
        let name = self.ident("Expected \"default\".")?;
        self.consume("=")?;
        let value = match ty {
            ast::FieldType::Named(_) | ast::FieldType::Map(..) => {
                // The type is not known yet: protoc takes the text of the next token.
                let token = self.cur();
                let value = match token.kind {
                    TokenKind::Ident => ast::OptionValue::Ident {
                        minus: None,
                        ident: ast::Ident {
                            text: self.token_string(token),
                            span: token.span,
                        },
                    },
                    TokenKind::String => {
                        let value = self.single_string();
                        return Ok(self.default_decl(name, ast::OptionValue::String(value), start));
                    }
                    _ => ast::OptionValue::Token(token.span),
                };
                self.next();
                value
            }
            ast::FieldType::Scalar(
                S::Int32 | S::Int64 | S::Sint32 | S::Sint64 | S::Sfixed32 | S::Sfixed64,
                _,
            ) => {
                let mut max = match ty {
                    ast::FieldType::Scalar(S::Int32 | S::Sint32 | S::Sfixed32, _) => {
                        i32::MAX as u64
                    }
                    _ => i64::MAX as u64,
                };
                let minus_span = self.cur().span;
                let minus = self.try_consume("-").then_some(minus_span);
                if minus.is_some() {
                    max += 1;
                }
                ast::OptionValue::Int(self.int64(
                    max,
                    minus,
                    "Expected integer for field default value.",
                )?)
            }
            ast::FieldType::Scalar(S::Uint32 | S::Uint64 | S::Fixed32 | S::Fixed64, _) => {
                let max = match ty {
                    ast::FieldType::Scalar(S::Uint32 | S::Fixed32, _) => u32::MAX as u64,
                    _ => u64::MAX,
                };
                let minus_span = self.cur().span;
                let minus = self.try_consume("-").then_some(minus_span);
                if minus.is_some() {
                    self.error_at(
                        DiagnosticKind::InvalidDefault,
                        self.cur().span,
                        "Unsigned field can't have negative default value.",
                    );
                }
                ast::OptionValue::Int(self.int64(
                    max,
                    minus,
                    "Expected integer for field default value.",
                )?)
            }
            ast::FieldType::Scalar(S::Float | S::Double, _) => {
                let minus_span = self.cur().span;
                let minus = self.try_consume("-").then_some(minus_span);
                // Integers stay integers in the tree; the compiler formats the
                // default as protoc does.
                let token = self.cur();
                match (token.kind, literal::parse_int(self.text(token), u64::MAX)) {
                    (TokenKind::Int, Some(magnitude)) => {
                        self.next();
                        let span = minus.map_or(token.span, |m| m.cover(token.span));
                        ast::OptionValue::Int(ast::Int {
                            minus,
                            magnitude,
                            span,
                        })
                    }
                    _ => self.number(minus, "Expected number.")?,
                }
            }
            ast::FieldType::Scalar(S::Bool, _) => {
                if self.looking_at("true") || self.looking_at("false") {
                    ast::OptionValue::Ident {
                        minus: None,
                        ident: self.ident("Expected \"true\" or \"false\".")?,
                    }
                } else {
                    self.error(
                        DiagnosticKind::InvalidDefault,
                        "Expected \"true\" or \"false\".",
                    );
                    return Err(Failed);
                }
            }
            ast::FieldType::Scalar(S::String, _) => {
                ast::OptionValue::String(self.string("Expected string for field default value.")?)
            }
            ast::FieldType::Scalar(S::Bytes, _) => {
                ast::OptionValue::String(self.string("Expected string.")?)
            }
            ast::FieldType::Group(_) => {
                self.error(
                    DiagnosticKind::InvalidDefault,
                    "Messages can't have default values.",
                );
                return Err(Failed);
            }
        };
        Ok(self.default_decl(name, value, start))
    }

    fn default_decl(
        &self,
        name: ast::Ident,
        value: ast::OptionValue,
        start: u32,
    ) -> ast::OptionDecl {
        ast::OptionDecl {
            name: ast::OptionName {
                span: name.span,
                parts: vec![ast::OptionNamePart::Field(name)],
            },
            value,
            span: self.span_from(start),
            comments: Comments::default(),
        }
    }

    fn oneof(&mut self) -> PResult<ast::Oneof> {
        let start = self.cur().span.start;
        self.consume("oneof")?;
        let name = self.ident("Expected oneof name.")?;
        let comments = self.end_decl("{")?;
        let mut items = Vec::new();
        loop {
            if self.at_end() {
                self.error(
                    DiagnosticKind::UnclosedBlock,
                    "Reached end of input in oneof definition (missing '}').",
                )
                .help = Some("add the missing `}`".into());
                return Err(Failed);
            }
            if self.looking_at("option") {
                items.push(ast::OneofItem::Option(self.option_statement()?));
            } else {
                let field_start = self.cur().span.start;
                let mut label = None;
                if self.looking_at("required")
                    || self.looking_at("optional")
                    || self.looking_at("repeated")
                {
                    self.error(
                        DiagnosticKind::InvalidLabel,
                        "Fields in oneofs must not have labels (required / optional / repeated).",
                    )
                    .help = Some("remove the label; oneof members are always optional".into());
                    label = self.label();
                }
                match self.field_no_label(label, FieldContext::Oneof, field_start) {
                    Ok(field) => items.push(ast::OneofItem::Field(field)),
                    Err(Failed) => self.skip_statement(),
                }
            }
            if self.try_end_decl("}", false).is_some() {
                break;
            }
        }
        Ok(ast::Oneof {
            name,
            items,
            span: self.span_from(start),
            comments,
        })
    }

    fn extend(&mut self) -> PResult<ast::Extend> {
        let start = self.cur().span.start;
        self.consume("extend")?;
        let extendee = self.user_type()?;
        let comments = self.end_decl("{")?;
        let mut fields = Vec::new();
        loop {
            if self.at_end() {
                self.error(
                    DiagnosticKind::UnclosedBlock,
                    "Reached end of input in extend definition (missing '}').",
                )
                .help = Some("add the missing `}`".into());
                return Err(Failed);
            }
            match self.field(FieldContext::Extend) {
                Ok(field) => fields.push(field),
                Err(Failed) => self.skip_statement(),
            }
            if self.try_end_decl("}", false).is_some() {
                break;
            }
        }
        Ok(ast::Extend {
            extendee,
            fields,
            span: self.span_from(start),
            comments,
        })
    }

    /// A range start or end for `extensions` or message `reserved`. For
    /// `extensions` (`check_bounds`), protoc checks that `end + 1` cannot
    /// overflow; protoc 35 does not check message `reserved` ranges here (its
    /// descriptor pool reports the wrapped range later).
    fn field_range_number(&mut self, message: &str, check_bounds: bool) -> PResult<ast::Int> {
        let int = self.int32(message)?;
        if check_bounds && int.magnitude == i32::MAX as u64 {
            self.error(
                DiagnosticKind::FieldNumberOutOfBounds,
                "Field number out of bounds.",
            )
            .help =
                Some("field numbers go up to 536870911; use `max` for the end of a range".into());
            return Err(Failed);
        }
        Ok(int)
    }

    fn ranges(
        &mut self,
        first_message: &str,
        next_message: &str,
        kind: RangeKind,
    ) -> PResult<Vec<ast::Range>> {
        let signed = kind == RangeKind::EnumReserved;
        let check_bounds = kind == RangeKind::Extensions;
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let message = if first { first_message } else { next_message };
            let start = if signed {
                self.signed_int32(message)?
            } else {
                self.field_range_number(message, check_bounds)?
            };
            let end = if self.try_consume("to") {
                let max_span = self.cur().span;
                if self.try_consume("max") {
                    Some(ast::RangeEnd::Max(max_span))
                } else if signed {
                    Some(ast::RangeEnd::Int(self.signed_int32("Expected integer.")?))
                } else {
                    Some(ast::RangeEnd::Int(
                        self.field_range_number("Expected integer.", check_bounds)?,
                    ))
                }
            } else {
                None
            };
            ranges.push(ast::Range {
                start,
                end,
                span: self.span_from(start.span.start),
            });
            first = false;
            if !self.try_consume(",") {
                break;
            }
        }
        Ok(ranges)
    }

    fn extensions(&mut self) -> PResult<ast::Extensions> {
        let start = self.cur().span.start;
        self.consume("extensions")?;
        let ranges = self.ranges(
            "Expected field number range.",
            "Expected field number range.",
            RangeKind::Extensions,
        )?;
        let mut options = None;
        if self.looking_at("[") {
            let open = self.cur().span.start;
            self.consume("[")?;
            let mut list = Vec::new();
            loop {
                list.push(self.option_assignment()?);
                if !self.try_consume(",") {
                    break;
                }
            }
            self.consume("]")?;
            options = Some(ast::CompactOptions {
                options: list,
                span: self.span_from(open),
            });
        }
        let comments = self.end_decl(";")?;
        Ok(ast::Extensions {
            ranges,
            options,
            span: self.span_from(start),
            comments,
        })
    }

    /// protoc's `ParseReserved`, for messages (`in_enum == false`) and enums.
    fn reserved(&mut self, in_enum: bool) -> PResult<ast::Reserved> {
        let start = self.cur().span.start;
        self.consume("reserved")?;
        let kind = if self.looking_at_kind(TokenKind::String) {
            if self.is_editions() {
                self.error(
                    DiagnosticKind::InvalidReserved,
                    "Reserved names must be identifiers in editions, not string literals.",
                )
                .help = Some("remove the quotes".into());
                return Err(Failed);
            }
            let message = if in_enum {
                "Expected enum value string literal."
            } else {
                "Expected field name string literal."
            };
            let mut names = Vec::new();
            loop {
                let at = self.cur().span;
                let name = self.string(message)?;
                if !literal::is_identifier(&name.value) {
                    self.push(Diagnostic::warning(
                        DiagnosticKind::InvalidReserved,
                        at,
                        format!(
                            "Reserved name \"{}\" is not a valid identifier.",
                            name.to_string_lossy()
                        ),
                    ));
                }
                names.push(ast::ReservedName {
                    name: name.to_string_lossy(),
                    quoted: true,
                    span: name.span,
                });
                if !self.try_consume(",") {
                    break;
                }
            }
            ast::ReservedKind::Names(names)
        } else if self.looking_at_kind(TokenKind::Ident) {
            if !self.is_editions() {
                self.error(
                    DiagnosticKind::InvalidReserved,
                    "Reserved names must be string literals. (Only editions supports identifiers.)",
                )
                .help = Some("put the name in quotes".into());
                return Err(Failed);
            }
            let message = if in_enum {
                "Expected enum value identifier."
            } else {
                "Expected field name identifier."
            };
            let mut names = Vec::new();
            loop {
                let ident = self.ident(message)?;
                names.push(ast::ReservedName {
                    name: ident.text,
                    quoted: false,
                    span: ident.span,
                });
                if !self.try_consume(",") {
                    break;
                }
            }
            ast::ReservedKind::Names(names)
        } else if in_enum {
            ast::ReservedKind::Ranges(self.ranges(
                "Expected enum value or number range.",
                "Expected enum number range.",
                RangeKind::EnumReserved,
            )?)
        } else {
            ast::ReservedKind::Ranges(self.ranges(
                "Expected field name or number range.",
                "Expected field number range.",
                RangeKind::MessageReserved,
            )?)
        };
        let comments = self.end_decl(";")?;
        Ok(ast::Reserved {
            kind,
            span: self.span_from(start),
            comments,
        })
    }

    // ----- enums --------------------------------------------------------

    fn enumeration(&mut self, visibility: Option<(ast::Visibility, Span)>) -> PResult<ast::Enum> {
        let start = visibility.map_or(self.cur().span.start, |(_, s)| s.start);
        self.consume("enum")?;
        let name = self.ident("Expected enum name.")?;
        let comments = self.end_decl("{")?;
        let mut items = Vec::new();
        while self.try_end_decl("}", false).is_none() {
            if self.at_end() {
                self.error(
                    DiagnosticKind::UnclosedBlock,
                    "Reached end of input in enum definition (missing '}').",
                )
                .help = Some("add the missing `}`".into());
                return Err(Failed);
            }
            match self.enum_statement() {
                Ok(item) => items.push(item),
                Err(Failed) => self.skip_statement(),
            }
        }
        let e = ast::Enum {
            visibility,
            name,
            items,
            span: self.span_from(start),
            comments,
        };
        self.validate_enum(&e)?;
        Ok(e)
    }

    /// protoc's `ValidateEnum`: `allow_alias` must be true and must be used.
    fn validate_enum(&mut self, e: &ast::Enum) -> PResult<()> {
        let mut has_allow_alias = false;
        let mut allow_alias = false;
        for item in &e.items {
            let ast::EnumItem::Option(option) = item else {
                continue;
            };
            if option.name.parts.len() > 1 {
                continue;
            }
            if let Some(ast::OptionNamePart::Field(id)) = option.name.parts.first() {
                if id.text == "allow_alias" {
                    has_allow_alias = true;
                    allow_alias = matches!(&option.value, ast::OptionValue::Ident { minus: None, ident } if ident.text == "true");
                    break;
                }
            }
        }
        if has_allow_alias && !allow_alias {
            self.error(
                DiagnosticKind::InvalidAllowAlias,
                format!(
                    "\"{}\" declares 'option allow_alias = false;' which has no effect. Please remove the declaration.",
                    e.name.text
                ),
            );
            return Err(Failed);
        }
        if allow_alias {
            let mut numbers: Vec<i64> = e
                .items
                .iter()
                .filter_map(|item| match item {
                    ast::EnumItem::Value(v) => Some(v.number.value()),
                    _ => None,
                })
                .collect();
            numbers.sort_unstable();
            let has_duplicates = numbers.windows(2).any(|w| w[0] == w[1]);
            if !has_duplicates {
                self.error(
                    DiagnosticKind::InvalidAllowAlias,
                    format!(
                        "\"{}\" declares support for enum aliases but no enum values share field numbers. Please remove the unnecessary 'option allow_alias = true;' declaration.",
                        e.name.text
                    ),
                );
                return Err(Failed);
            }
        }
        Ok(())
    }

    fn enum_statement(&mut self) -> PResult<ast::EnumItem> {
        let start = self.cur().span;
        if self.try_end_decl(";", false).is_some() {
            Ok(ast::EnumItem::Empty(start))
        } else if self.looking_at("option") {
            Ok(ast::EnumItem::Option(self.option_statement()?))
        } else if self.looking_at("reserved") {
            Ok(ast::EnumItem::Reserved(self.reserved(true)?))
        } else {
            Ok(ast::EnumItem::Value(self.enum_value()?))
        }
    }

    fn enum_value(&mut self) -> PResult<ast::EnumValue> {
        let start = self.cur().span.start;
        let name = self.ident("Expected enum constant name.")?;
        self.consume_or("=", "Missing numeric value for enum constant.")?;
        let number = self.signed_int32("Expected integer.")?;
        let mut options = None;
        if self.looking_at("[") {
            let open = self.cur().span.start;
            self.consume("[")?;
            let mut list = Vec::new();
            loop {
                list.push(self.option_assignment()?);
                if !self.try_consume(",") {
                    break;
                }
            }
            self.consume("]")?;
            options = Some(ast::CompactOptions {
                options: list,
                span: self.span_from(open),
            });
        }
        let comments = self.end_decl(";")?;
        Ok(ast::EnumValue {
            name,
            number,
            options,
            span: self.span_from(start),
            comments,
        })
    }

    // ----- services -----------------------------------------------------

    fn service(&mut self) -> PResult<ast::Service> {
        let start = self.cur().span.start;
        self.consume("service")?;
        let name = self.ident("Expected service name.")?;
        let comments = self.end_decl("{")?;
        let mut items = Vec::new();
        while self.try_end_decl("}", false).is_none() {
            if self.at_end() {
                self.error(
                    DiagnosticKind::UnclosedBlock,
                    "Reached end of input in service definition (missing '}').",
                )
                .help = Some("add the missing `}`".into());
                return Err(Failed);
            }
            let item_start = self.cur().span;
            let item = if self.try_end_decl(";", false).is_some() {
                Ok(ast::ServiceItem::Empty(item_start))
            } else if self.looking_at("option") {
                self.option_statement().map(ast::ServiceItem::Option)
            } else {
                self.method().map(ast::ServiceItem::Method)
            };
            match item {
                Ok(item) => items.push(item),
                Err(Failed) => self.skip_statement(),
            }
        }
        Ok(ast::Service {
            name,
            items,
            span: self.span_from(start),
            comments,
        })
    }

    fn method_type(&mut self) -> PResult<ast::MethodType> {
        self.consume("(")?;
        let stream_span = self.cur().span;
        let stream = if self.looking_at("stream") {
            self.consume("stream")?;
            Some(stream_span)
        } else {
            None
        };
        let ty = self.user_type()?;
        self.consume(")")?;
        Ok(ast::MethodType { stream, ty })
    }

    fn method(&mut self) -> PResult<ast::Method> {
        let start = self.cur().span.start;
        self.consume("rpc")?;
        let name = self.ident("Expected method name.")?;
        let input = self.method_type()?;
        self.consume("returns")?;
        let output = self.method_type()?;
        let mut body = None;
        let comments;
        if self.looking_at("{") {
            let body_start = self.cur().span.start;
            comments = self.end_decl("{")?;
            let mut items = Vec::new();
            while self.try_end_decl("}", false).is_none() {
                if self.at_end() {
                    self.error(
                        DiagnosticKind::UnclosedBlock,
                        "Reached end of input in method options (missing '}').",
                    )
                    .help = Some("add the missing `}`".into());
                    return Err(Failed);
                }
                let item_start = self.cur().span;
                if self.try_end_decl(";", false).is_some() {
                    items.push(ast::MethodItem::Empty(item_start));
                } else {
                    match self.option_statement() {
                        Ok(option) => items.push(ast::MethodItem::Option(option)),
                        Err(Failed) => self.skip_statement(),
                    }
                }
            }
            body = Some(ast::MethodBody {
                items,
                span: self.span_from(body_start),
            });
        } else {
            comments = self.end_decl(";")?;
        }
        Ok(ast::Method {
            name,
            input,
            output,
            body,
            span: self.span_from(start),
            comments,
        })
    }
}

fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}
