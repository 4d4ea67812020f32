//! A readable, deterministic text dump of an [`ast::File`].
//!
//! The dump is how people look inside the front end (`protoforge debug ast`)
//! and how tests snapshot the tree, so it has three promises:
//!
//! - **one node per line**, indented two spaces per level under its parent,
//!   as `Kind key data @start..end` where `start..end` is the node's byte span;
//! - **everything that carries meaning is shown**: names as written (a
//!   leading `.` included), numbers with their sign, labels, types, option
//!   names such as `(foo.bar).baz`, literal values with their kind (`int`,
//!   `float`, `ident`, `string`, `token`; `message` and `list` values
//!   follow as children), which optional tokens were written (`stream`, a
//!   `:` or a `sep=","`/`sep=";"` in a message literal, `<>` delimiters, a
//!   method body `{}` rather than `;`, `(N parts)` for adjacent string
//!   literals), empty statements, and the comments protoc attaches
//!   (`leading:`, `trailing:`, `detached:` lines under their node);
//! - **it is deterministic and escaped**: strings and comments are printed as
//!   Rust's `Debug` prints them (bytes that are not UTF-8 as a `b"…"` byte
//!   string), so a newline, quote or control character never breaks a line,
//!   and a dump depends on nothing but the tree and the source.
//!
//! Only a node's own span is printed; the spans of the tokens inside it (a
//! name, a sign, a keyword) follow from the source and would bury the tree.
//!
//! The printer is a small `Writer` that owns the output and the indent
//! level: each node is one `Writer::node` call, and its children are
//! written inside `Writer::nested`, so indentation can never drift.

use std::fmt::{self, Write as _};

use crate::ast;
use crate::span::Span;

/// Prints the whole tree of `file`, one node per line; `source` is the text
/// the tree was parsed from (used to show tokens kept only by their span).
///
/// ```
/// let source = b"syntax = \"proto3\";\nmessage Foo { int32 id = 1; }\n";
/// let parsed = protoforge_syntax::parse(source);
/// let dump = protoforge_syntax::dump::dump(&parsed.file, source);
/// assert_eq!(
///     dump,
///     "File @0..49\n  Syntax syntax \"proto3\" @0..18\n  Message Foo @19..48\n    Field int32 id = 1 @33..46\n",
/// );
/// ```
pub fn dump(file: &ast::File, source: &[u8]) -> String {
    let mut w = Writer {
        out: String::new(),
        indent: 0,
        source,
    };
    w.file(file);
    w.out
}

/// The output, the current indent level and the source.
struct Writer<'a> {
    out: String,
    indent: usize,
    source: &'a [u8],
}

impl Writer<'_> {
    // ----- primitives ---------------------------------------------------

    /// Writes one line at the current indent: `args`, then ` @start..end`.
    fn node(&mut self, span: Span, args: fmt::Arguments<'_>) {
        self.line(format_args!("{args} @{}..{}", span.start, span.end));
    }

    /// Writes one line at the current indent.
    fn line(&mut self, args: fmt::Arguments<'_>) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        // Writing to a String cannot fail.
        let _ = self.out.write_fmt(args);
        self.out.push('\n');
    }

    /// Runs `f` one level deeper.
    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        self.indent += 1;
        f(self);
        self.indent -= 1;
    }

    /// The comments of the node just written, one level deeper.
    fn comments(&mut self, comments: &ast::Comments) {
        self.nested(|w| {
            for detached in &comments.detached {
                w.line(format_args!("detached: {detached:?}"));
            }
            if let Some(leading) = &comments.leading {
                w.line(format_args!("leading: {leading:?}"));
            }
            if let Some(trailing) = &comments.trailing {
                w.line(format_args!("trailing: {trailing:?}"));
            }
        });
    }

    // ----- file ---------------------------------------------------------

    fn file(&mut self, file: &ast::File) {
        self.node(file.span, format_args!("File"));
        self.nested(|w| {
            if let Some(syntax) = &file.syntax {
                let keyword = match syntax.keyword {
                    ast::SyntaxKeyword::Syntax => "syntax",
                    ast::SyntaxKeyword::Edition => "edition",
                };
                w.node(
                    syntax.span,
                    format_args!("Syntax {keyword} {}", string(&syntax.value)),
                );
                w.comments(&syntax.comments);
            }
            for item in &file.items {
                w.item(item);
            }
        });
    }

    fn item(&mut self, item: &ast::Item) {
        match item {
            ast::Item::Package(package) => {
                self.node(package.span, format_args!("Package {}", package.name));
                self.comments(&package.comments);
            }
            ast::Item::Import(import) => self.import(import),
            ast::Item::Option(option) => self.option(option),
            ast::Item::Message(message) => self.message(message),
            ast::Item::Enum(e) => self.enumeration(e),
            ast::Item::Service(service) => self.service(service),
            ast::Item::Extend(extend) => self.extend(extend),
            ast::Item::Empty(span) => self.empty(*span),
        }
    }

    fn empty(&mut self, span: Span) {
        self.node(span, format_args!("Empty"));
    }

    fn import(&mut self, import: &ast::Import) {
        let modifier = match import.modifier {
            None => "",
            Some((ast::ImportModifier::Public, _)) => "public ",
            Some((ast::ImportModifier::Weak, _)) => "weak ",
            Some((ast::ImportModifier::Option, _)) => "option ",
        };
        self.node(
            import.span,
            format_args!("Import {modifier}{}", string(&import.path)),
        );
        self.comments(&import.comments);
    }

    // ----- options ------------------------------------------------------

    /// An option statement or one entry of `[…]`. A scalar value is shown on
    /// the option's line; a message value as an `Aggregate` child
    /// holding protoc's joined token text.
    fn option(&mut self, option: &ast::OptionDecl) {
        let name = option_name(&option.name);
        match &option.value {
            ast::OptionValue::Aggregate(aggregate) => {
                self.node(option.span, format_args!("Option {name} = message"));
                self.comments(&option.comments);
                self.nested(|w| w.aggregate(aggregate));
            }
            value => {
                let value = self.scalar(value);
                self.node(option.span, format_args!("Option {name} = {value}"));
                self.comments(&option.comments);
            }
        }
    }

    fn compact_options(&mut self, options: Option<&ast::CompactOptions>) {
        let Some(options) = options else { return };
        self.nested(|w| {
            w.node(options.span, format_args!("Options"));
            w.nested(|w| {
                for option in &options.options {
                    w.option(option);
                }
            });
        });
    }

    /// A value that fits on one line, with its kind.
    fn scalar(&self, value: &ast::OptionValue) -> String {
        match value {
            ast::OptionValue::Ident { minus, ident } => {
                format!("ident {}{}", sign(*minus), ident.text)
            }
            ast::OptionValue::Int(int) => format!("int {}", int_text(int)),
            ast::OptionValue::Float(float) => {
                format!("float {}{:?}", sign(float.minus), float.magnitude)
            }
            ast::OptionValue::String(lit) => format!("string {}", string(lit)),
            ast::OptionValue::Aggregate(_) => "message".to_string(),
            ast::OptionValue::Token(span) => {
                let text = self.source.get(span.range()).unwrap_or_default();
                format!("token {}", escape_bytes(text))
            }
        }
    }

    fn aggregate(&mut self, aggregate: &ast::Aggregate) {
        self.node(
            aggregate.span,
            format_args!("Aggregate {}", escape_bytes(&aggregate.text)),
        );
    }

    // ----- messages -----------------------------------------------------

    fn message(&mut self, message: &ast::Message) {
        let visibility = visibility(message.visibility);
        self.node(
            message.span,
            format_args!("Message {visibility}{}", message.name.text),
        );
        self.comments(&message.comments);
        self.nested(|w| w.message_body(&message.body));
    }

    fn message_body(&mut self, body: &ast::MessageBody) {
        for item in &body.items {
            match item {
                ast::MessageItem::Field(field) => self.field(field),
                ast::MessageItem::Message(message) => self.message(message),
                ast::MessageItem::Enum(e) => self.enumeration(e),
                ast::MessageItem::Extend(extend) => self.extend(extend),
                ast::MessageItem::Extensions(extensions) => {
                    let ranges = ranges(&extensions.ranges);
                    self.node(extensions.span, format_args!("Extensions {ranges}"));
                    self.comments(&extensions.comments);
                    self.compact_options(extensions.options.as_ref());
                }
                ast::MessageItem::Reserved(reserved) => self.reserved(reserved),
                ast::MessageItem::Option(option) => self.option(option),
                ast::MessageItem::Oneof(oneof) => {
                    self.node(oneof.span, format_args!("Oneof {}", oneof.name.text));
                    self.comments(&oneof.comments);
                    self.nested(|w| {
                        for item in &oneof.items {
                            match item {
                                ast::OneofItem::Field(field) => w.field(field),
                                ast::OneofItem::Option(option) => w.option(option),
                            }
                        }
                    });
                }
                ast::MessageItem::Empty(span) => self.empty(*span),
            }
        }
    }

    fn field(&mut self, field: &ast::Field) {
        let label = match field.label {
            None => "",
            Some((ast::Label::Optional, _)) => "optional ",
            Some((ast::Label::Required, _)) => "required ",
            Some((ast::Label::Repeated, _)) => "repeated ",
        };
        let ty = field_type(&field.ty);
        let number = int_text(&field.number);
        self.node(
            field.span,
            format_args!("Field {label}{ty} {} = {number}", field.name.text),
        );
        self.comments(&field.comments);
        self.compact_options(field.options.as_ref());
        if let Some(body) = &field.group_body {
            self.nested(|w| w.message_body(body));
        }
    }

    fn extend(&mut self, extend: &ast::Extend) {
        self.node(extend.span, format_args!("Extend {}", extend.extendee));
        self.comments(&extend.comments);
        self.nested(|w| {
            for field in &extend.fields {
                w.field(field);
            }
        });
    }

    fn reserved(&mut self, reserved: &ast::Reserved) {
        let what = match &reserved.kind {
            ast::ReservedKind::Ranges(list) => ranges(list),
            ast::ReservedKind::Names(names) => names
                .iter()
                .map(|name| {
                    if name.quoted {
                        format!("{:?}", name.name)
                    } else {
                        name.name.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(", "),
        };
        self.node(reserved.span, format_args!("Reserved {what}"));
        self.comments(&reserved.comments);
    }

    // ----- enums --------------------------------------------------------

    fn enumeration(&mut self, e: &ast::Enum) {
        let visibility = visibility(e.visibility);
        self.node(e.span, format_args!("Enum {visibility}{}", e.name.text));
        self.comments(&e.comments);
        self.nested(|w| {
            for item in &e.items {
                match item {
                    ast::EnumItem::Value(value) => {
                        let number = int_text(&value.number);
                        w.node(
                            value.span,
                            format_args!("EnumValue {} = {number}", value.name.text),
                        );
                        w.comments(&value.comments);
                        w.compact_options(value.options.as_ref());
                    }
                    ast::EnumItem::Option(option) => w.option(option),
                    ast::EnumItem::Reserved(reserved) => w.reserved(reserved),
                    ast::EnumItem::Empty(span) => w.empty(*span),
                }
            }
        });
    }

    // ----- services -----------------------------------------------------

    fn service(&mut self, service: &ast::Service) {
        self.node(service.span, format_args!("Service {}", service.name.text));
        self.comments(&service.comments);
        self.nested(|w| {
            for item in &service.items {
                match item {
                    ast::ServiceItem::Method(method) => w.method(method),
                    ast::ServiceItem::Option(option) => w.option(option),
                    ast::ServiceItem::Empty(span) => w.empty(*span),
                }
            }
        });
    }

    /// A method; `{}` at the end of the line when it has a body (whose
    /// statements follow as children), rather than a `;`.
    fn method(&mut self, method: &ast::Method) {
        let input = method_type(&method.input);
        let output = method_type(&method.output);
        let body = if method.body.is_some() { " {}" } else { "" };
        self.node(
            method.span,
            format_args!(
                "Method {} ({input}) returns ({output}){body}",
                method.name.text
            ),
        );
        self.comments(&method.comments);
        let Some(body) = &method.body else { return };
        self.nested(|w| {
            for item in &body.items {
                match item {
                    ast::MethodItem::Option(option) => w.option(option),
                    ast::MethodItem::Empty(span) => w.empty(*span),
                }
            }
        });
    }
}

// ----- one-line pieces ------------------------------------------------------

fn sign(minus: Option<Span>) -> &'static str {
    if minus.is_some() { "-" } else { "" }
}

/// An integer with its sign as written (`-0` stays `-0`).
fn int_text(int: &ast::Int) -> String {
    format!("{}{}", sign(int.minus), int.magnitude)
}

/// Bytes as Rust's `Debug` shows a string, or as a `b"…"` byte string when
/// they are not UTF-8.
fn escape_bytes(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => format!("{text:?}"),
        Err(_) => format!("b\"{}\"", bytes.escape_ascii()),
    }
}

/// A string literal's decoded value; `(N parts)` when adjacent literals were
/// concatenated.
fn string(lit: &ast::StringLit) -> String {
    let value = escape_bytes(&lit.value);
    if lit.parts.len() > 1 {
        format!("{value} ({} parts)", lit.parts.len())
    } else {
        value
    }
}

fn visibility(visibility: Option<(ast::Visibility, Span)>) -> &'static str {
    match visibility {
        None => "",
        Some((ast::Visibility::Export, _)) => "export ",
        Some((ast::Visibility::Local, _)) => "local ",
    }
}

/// `java_package`, `(foo.bar).baz`, `(.foo.bar)`.
fn option_name(name: &ast::OptionName) -> String {
    let parts: Vec<String> = name
        .parts
        .iter()
        .map(|part| match part {
            ast::OptionNamePart::Field(ident) => ident.text.clone(),
            ast::OptionNamePart::Extension(name, _) => format!("({name})"),
        })
        .collect();
    parts.join(".")
}

fn field_type(ty: &ast::FieldType) -> String {
    match ty {
        ast::FieldType::Scalar(scalar, _) => scalar.keyword().to_string(),
        ast::FieldType::Named(name) => name.to_string(),
        ast::FieldType::Map(key, value, _) => {
            format!("map<{}, {}>", field_type(key), field_type(value))
        }
        ast::FieldType::Group(_) => "group".to_string(),
    }
}

fn method_type(ty: &ast::MethodType) -> String {
    let stream = if ty.stream.is_some() { "stream " } else { "" };
    format!("{stream}{}", ty.ty)
}

/// `1, 5 to 10, 100 to max`.
fn ranges(ranges: &[ast::Range]) -> String {
    let shown: Vec<String> = ranges
        .iter()
        .map(|range| match range.end {
            None => int_text(&range.start),
            Some(ast::RangeEnd::Int(end)) => {
                format!("{} to {}", int_text(&range.start), int_text(&end))
            }
            Some(ast::RangeEnd::Max(_)) => format!("{} to max", int_text(&range.start)),
        })
        .collect();
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(source: &str, expected: &str) {
        let parsed = crate::parse(source.as_bytes());
        assert_eq!(dump(&parsed.file, source.as_bytes()), expected);
    }

    #[test]
    fn escapes_strings_and_comments() {
        check(
            "// a \"doc\"\nsyntax = 'proto2';\nmessage M { optional bytes b = 1 [default = \"\\xff\" \"\\n\"]; }\n",
            "File @0..90\n  \
               Syntax syntax \"proto2\" @11..29\n    \
                 leading: \" a \\\"doc\\\"\\n\"\n  \
               Message M @30..89\n    \
                 Field optional bytes b = 1 @42..87\n      \
                   Options @63..86\n        \
                     Option default = string b\"\\xff\\n\" (2 parts) @64..85\n",
        );
    }

    #[test]
    fn shows_signs_and_option_names() {
        check(
            "syntax = \"proto3\";\noption (a.b).c = -1;\noption (.x) = -inf;\n",
            "File @0..60\n  \
               Syntax syntax \"proto3\" @0..18\n  \
               Option (a.b).c = int -1 @19..39\n  \
               Option (.x) = ident -inf @40..59\n",
        );
    }
}
