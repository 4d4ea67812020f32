//! The lossless abstract syntax tree of one `.proto` file.
//!
//! Every node keeps its [`Span`] (a byte range into the source) and the
//! pieces of syntax that carry meaning: the order of declarations, which
//! optional tokens were written (`stream`, a sign, a `;` after a literal
//! field), empty statements, and the comments protoc attaches to each
//! declaration ([`Comments`]). Nothing is resolved or checked here: names are
//! as written, numbers are as written (magnitude and sign), and option values
//! are not interpreted.
//!
//! Declarations that protoc gives a source location with comments carry a
//! `comments` field. For a group field the comments belong, as in protoc, to
//! the group's message rather than to the field.

use crate::span::Span;

/// Comments attached to a declaration, by protoc's rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comments {
    /// The comment directly above the declaration, with no blank line between.
    pub leading: Option<String>,
    /// The comment after the declaration's `;` or `{` on the same line (or on
    /// the next line, when followed by a blank line).
    pub trailing: Option<String>,
    /// Comments above the leading comment, separated from it by blank lines.
    pub detached: Vec<String>,
}

impl Comments {
    /// Whether there are no comments at all.
    pub fn is_empty(&self) -> bool {
        self.leading.is_none() && self.trailing.is_none() && self.detached.is_empty()
    }
}

/// An identifier as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The text.
    pub text: String,
    /// Where.
    pub span: Span,
}

/// A dotted name such as `foo.bar.Baz` or `.foo.Bar`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeName {
    /// Span of the leading `.` if the name is fully qualified.
    pub leading_dot: Option<Span>,
    /// The dot-separated parts (empty only in the malformed extension name `()`).
    pub parts: Vec<Ident>,
    /// Where, from the leading dot or first part to the last part.
    pub span: Span,
}

impl TypeName {
    /// Whether the name starts with a `.`.
    pub fn is_absolute(&self) -> bool {
        self.leading_dot.is_some()
    }
}

impl std::fmt::Display for TypeName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.leading_dot.is_some() {
            f.write_str(".")?;
        }
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(&part.text)?;
        }
        Ok(())
    }
}

/// One or more adjacent string literals, decoded and concatenated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringLit {
    /// The decoded bytes (escapes resolved; may be invalid UTF-8).
    pub value: Vec<u8>,
    /// The span of each literal token, in order.
    pub parts: Vec<Span>,
    /// From the first quote to the last.
    pub span: Span,
}

impl StringLit {
    /// The value as UTF-8, if it is valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.value).ok()
    }

    /// The value as UTF-8, with invalid sequences replaced.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.value).into_owned()
    }
}

/// An integer, with its sign kept apart from its magnitude.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Int {
    /// Span of a leading `-`, if any.
    pub minus: Option<Span>,
    /// The magnitude as written (decimal, hex or octal). Zero when the literal
    /// overflowed, which the parser reports.
    pub magnitude: u64,
    /// From the sign (or first digit) to the last digit.
    pub span: Span,
}

impl Int {
    /// The signed value, saturating at the `i64` range.
    pub fn value(&self) -> i64 {
        match self.minus {
            Some(_) => 0i64.saturating_sub_unsigned(self.magnitude),
            None => i64::try_from(self.magnitude).unwrap_or(i64::MAX),
        }
    }
}

/// The whole file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// The `syntax` or `edition` statement, if the file has one.
    pub syntax: Option<Syntax>,
    /// Top-level statements in source order (not including `syntax`).
    pub items: Vec<Item>,
    /// The whole source.
    pub span: Span,
}

/// Which statement opens the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxKeyword {
    /// `syntax = "…";`
    Syntax,
    /// `edition = "…";`
    Edition,
}

/// `syntax = "proto3";` or `edition = "2023";`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Syntax {
    /// Which keyword.
    pub keyword: SyntaxKeyword,
    /// The string after `=`.
    pub value: StringLit,
    /// The whole statement.
    pub span: Span,
    /// Attached comments.
    pub comments: Comments,
}

/// A top-level statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `package a.b;`
    Package(Package),
    /// `import "x.proto";`
    Import(Import),
    /// `option java_package = "x";`
    Option(OptionDecl),
    /// `message M { … }`
    Message(Message),
    /// `enum E { … }`
    Enum(Enum),
    /// `service S { … }`
    Service(Service),
    /// `extend T { … }`
    Extend(Extend),
    /// A lone `;`.
    Empty(Span),
}

/// `package a.b.c;`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// The dotted name.
    pub name: TypeName,
    /// The whole statement.
    pub span: Span,
    /// Attached comments.
    pub comments: Comments,
}

/// The word between `import` and the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportModifier {
    /// `import public`
    Public,
    /// `import weak`
    Weak,
    /// `import option` (edition 2024)
    Option,
}

/// `import [public|weak|option] "path";`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// The modifier and its span.
    pub modifier: Option<(ImportModifier, Span)>,
    /// The imported path.
    pub path: StringLit,
    /// The whole statement.
    pub span: Span,
    /// Attached comments.
    pub comments: Comments,
}

/// `export` or `local` before a message or enum (edition 2024).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// `export`
    Export,
    /// `local`
    Local,
}

/// One part of an option name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionNamePart {
    /// A plain field name.
    Field(Ident),
    /// An extension name in parentheses; the span covers the parentheses.
    Extension(TypeName, Span),
}

impl OptionNamePart {
    /// Where the part is, parentheses included.
    pub fn span(&self) -> Span {
        match self {
            OptionNamePart::Field(ident) => ident.span,
            OptionNamePart::Extension(_, span) => *span,
        }
    }
}

/// An option name: `java_package`, `(my.ext).field.sub`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionName {
    /// The dot-separated parts.
    pub parts: Vec<OptionNamePart>,
    /// From the first part to the last.
    pub span: Span,
}

/// A float literal as written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Float {
    /// Span of a leading `-`, if any.
    pub minus: Option<Span>,
    /// The magnitude (never negative).
    pub magnitude: f64,
    /// From the sign (or first digit) to the end.
    pub span: Span,
}

impl Float {
    /// The signed value.
    pub fn value(&self) -> f64 {
        if self.minus.is_some() {
            -self.magnitude
        } else {
            self.magnitude
        }
    }
}

/// The value of an option (or of `default`/`json_name`).
#[derive(Clone, Debug, PartialEq)]
pub enum OptionValue {
    /// An identifier, possibly after `-` (`true`, `SPEED`, `inf`, `-inf`, `nan`).
    Ident {
        /// Span of a leading `-`.
        minus: Option<Span>,
        /// The identifier.
        ident: Ident,
    },
    /// An integer that fits in 64 bits.
    Int(Int),
    /// A float literal, or an integer too large for 64 bits.
    Float(Float),
    /// One or more string literals.
    String(StringLit),
    /// A message value in braces (text format, parsed when options are
    /// interpreted).
    Aggregate(Aggregate),
    /// A single token of another kind, kept as written: protoc takes the text of
    /// any one token as the default of a field whose type is a name.
    Token(Span),
}

impl OptionValue {
    /// Where the value is, sign included.
    pub fn span(&self) -> Span {
        match self {
            OptionValue::Ident { minus, ident } => {
                minus.map_or(ident.span, |m| m.cover(ident.span))
            }
            OptionValue::Int(int) => int.span,
            OptionValue::Float(float) => float.span,
            OptionValue::String(string) => string.span,
            OptionValue::Aggregate(aggregate) => aggregate.span,
            OptionValue::Token(span) => *span,
        }
    }
}

/// `option name = value;` as a statement, or `name = value` inside `[…]`.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionDecl {
    /// The option name (for a field's `[default = …]` and `[json_name = …]`, the
    /// single identifier `default` or `json_name`).
    pub name: OptionName,
    /// The value.
    pub value: OptionValue,
    /// From `option` (or the name) to the value, or to the `;` of a statement.
    pub span: Span,
    /// Attached comments (always empty inside `[…]`).
    pub comments: Comments,
}

/// `[a = 1, (b) = 2]` after a field, enum value or extension range.
#[derive(Clone, Debug, PartialEq)]
pub struct CompactOptions {
    /// The entries in order.
    pub options: Vec<OptionDecl>,
    /// From `[` to `]`.
    pub span: Span,
}

/// An aggregate option value, `{ … }`, kept as protoc's parser keeps it.
///
/// protoc does not parse the text format at parse time: it matches braces and
/// stores the texts of the tokens between them joined by single spaces (its
/// `UninterpretedOption.aggregate_value`), and its option interpreter parses
/// that string as text format later. Comments inside the braces are not
/// tokens and are gone; a `#` is an ordinary symbol token here, but starts a
/// text-format comment that runs to the end of the joined string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aggregate {
    /// The tokens between the outer braces (inner braces included), in order.
    pub tokens: Vec<Span>,
    /// protoc's `aggregate_value`: the token texts joined by single spaces.
    pub text: Vec<u8>,
    /// From the opening to the closing brace.
    pub span: Span,
}

/// `message Name { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// `export`/`local` (edition 2024).
    pub visibility: Option<(Visibility, Span)>,
    /// The name.
    pub name: Ident,
    /// The body.
    pub body: MessageBody,
    /// From `message` (or the visibility keyword) to `}`.
    pub span: Span,
    /// Attached comments.
    pub comments: Comments,
}

/// The `{ … }` of a message or group.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageBody {
    /// Statements in source order.
    pub items: Vec<MessageItem>,
    /// From `{` to `}`.
    pub span: Span,
}

/// A statement in a message body.
#[derive(Clone, Debug, PartialEq)]
pub enum MessageItem {
    /// A field, map field or group.
    Field(Field),
    /// A nested message.
    Message(Message),
    /// A nested enum.
    Enum(Enum),
    /// A nested `extend`.
    Extend(Extend),
    /// `extensions 100 to max;`
    Extensions(Extensions),
    /// `reserved …;`
    Reserved(Reserved),
    /// `option …;`
    Option(OptionDecl),
    /// `oneof name { … }`
    Oneof(Oneof),
    /// A lone `;`.
    Empty(Span),
}

/// A field label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    /// `optional`
    Optional,
    /// `required`
    Required,
    /// `repeated`
    Repeated,
}

/// A scalar type keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarType {
    /// `double`
    Double,
    /// `float`
    Float,
    /// `int64`
    Int64,
    /// `uint64`
    Uint64,
    /// `int32`
    Int32,
    /// `fixed64`
    Fixed64,
    /// `fixed32`
    Fixed32,
    /// `bool`
    Bool,
    /// `string`
    String,
    /// `bytes`
    Bytes,
    /// `uint32`
    Uint32,
    /// `sfixed32`
    Sfixed32,
    /// `sfixed64`
    Sfixed64,
    /// `sint32`
    Sint32,
    /// `sint64`
    Sint64,
}

impl ScalarType {
    /// The keyword for `text`, if it is one.
    pub fn from_keyword(text: &str) -> Option<ScalarType> {
        Some(match text {
            "double" => ScalarType::Double,
            "float" => ScalarType::Float,
            "int64" => ScalarType::Int64,
            "uint64" => ScalarType::Uint64,
            "int32" => ScalarType::Int32,
            "fixed64" => ScalarType::Fixed64,
            "fixed32" => ScalarType::Fixed32,
            "bool" => ScalarType::Bool,
            "string" => ScalarType::String,
            "bytes" => ScalarType::Bytes,
            "uint32" => ScalarType::Uint32,
            "sfixed32" => ScalarType::Sfixed32,
            "sfixed64" => ScalarType::Sfixed64,
            "sint32" => ScalarType::Sint32,
            "sint64" => ScalarType::Sint64,
            _ => return None,
        })
    }

    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            ScalarType::Double => "double",
            ScalarType::Float => "float",
            ScalarType::Int64 => "int64",
            ScalarType::Uint64 => "uint64",
            ScalarType::Int32 => "int32",
            ScalarType::Fixed64 => "fixed64",
            ScalarType::Fixed32 => "fixed32",
            ScalarType::Bool => "bool",
            ScalarType::String => "string",
            ScalarType::Bytes => "bytes",
            ScalarType::Uint32 => "uint32",
            ScalarType::Sfixed32 => "sfixed32",
            ScalarType::Sfixed64 => "sfixed64",
            ScalarType::Sint32 => "sint32",
            ScalarType::Sint64 => "sint64",
        }
    }
}

/// The type of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// A scalar keyword.
    Scalar(ScalarType, Span),
    /// A message or enum name.
    Named(TypeName),
    /// `map<K, V>`; the span covers `map` to `>`.
    Map(Box<FieldType>, Box<FieldType>, Span),
    /// The `group` keyword; the field then has a body.
    Group(Span),
}

impl FieldType {
    /// Where the type is.
    pub fn span(&self) -> Span {
        match self {
            FieldType::Scalar(_, span) | FieldType::Map(_, _, span) | FieldType::Group(span) => {
                *span
            }
            FieldType::Named(name) => name.span,
        }
    }
}

/// A field, map field or group: `optional int32 x = 1 [packed = true];`.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The label and its span, if written.
    pub label: Option<(Label, Span)>,
    /// The type.
    pub ty: FieldType,
    /// The name (for a group, the group's message name, as written).
    pub name: Ident,
    /// The field number.
    pub number: Int,
    /// `[…]` options, including `default` and `json_name`.
    pub options: Option<CompactOptions>,
    /// The body of a group.
    pub group_body: Option<MessageBody>,
    /// From the label (or type) to `;` or the group's `}`.
    pub span: Span,
    /// Attached comments (for a group, those of the group's message).
    pub comments: Comments,
}

/// `oneof name { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Oneof {
    /// The name.
    pub name: Ident,
    /// Fields and options in source order.
    pub items: Vec<OneofItem>,
    /// From `oneof` to `}`.
    pub span: Span,
    /// Attached comments.
    pub comments: Comments,
}

/// A statement in a oneof.
#[derive(Clone, Debug, PartialEq)]
pub enum OneofItem {
    /// A member field or group.
    Field(Field),
    /// `option …;`
    Option(OptionDecl),
}

/// `extend Type { fields }`
#[derive(Clone, Debug, PartialEq)]
pub struct Extend {
    /// The extended message.
    pub extendee: TypeName,
    /// The extension fields.
    pub fields: Vec<Field>,
    /// From `extend` to `}`.
    pub span: Span,
    /// Attached comments.
    pub comments: Comments,
}

/// The end of a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeEnd {
    /// A number.
    Int(Int),
    /// `max`.
    Max(Span),
}

/// `1`, `2 to 5`, `100 to max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    /// The first number.
    pub start: Int,
    /// The end after `to`, if written (inclusive, as written).
    pub end: Option<RangeEnd>,
    /// From start to end.
    pub span: Span,
}

/// `extensions 100 to 199, 500 [declaration = …];`
#[derive(Clone, Debug, PartialEq)]
pub struct Extensions {
    /// The ranges.
    pub ranges: Vec<Range>,
    /// Options, which apply to every range of the statement.
    pub options: Option<CompactOptions>,
    /// From `extensions` to `;`.
    pub span: Span,
    /// Attached comments.
    pub comments: Comments,
}

/// A reserved name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReservedName {
    /// The name (decoded; lossy if a string literal held invalid UTF-8).
    pub name: String,
    /// Whether it was written as a string literal (proto2/proto3) or as an
    /// identifier (editions).
    pub quoted: bool,
    /// Where.
    pub span: Span,
}

/// What a `reserved` statement reserves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReservedKind {
    /// Numbers and ranges.
    Ranges(Vec<Range>),
    /// Names.
    Names(Vec<ReservedName>),
}

/// `reserved 1, 2 to 5;` or `reserved "a", "b";` or `reserved a, b;`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reserved {
    /// What is reserved.
    pub kind: ReservedKind,
    /// From `reserved` to `;`.
    pub span: Span,
    /// Attached comments.
    pub comments: Comments,
}

/// `enum Name { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Enum {
    /// `export`/`local` (edition 2024).
    pub visibility: Option<(Visibility, Span)>,
    /// The name.
    pub name: Ident,
    /// Statements in source order.
    pub items: Vec<EnumItem>,
    /// From `enum` (or the visibility keyword) to `}`.
    pub span: Span,
    /// Attached comments.
    pub comments: Comments,
}

/// A statement in an enum.
#[derive(Clone, Debug, PartialEq)]
pub enum EnumItem {
    /// `NAME = 1 [opts];`
    Value(EnumValue),
    /// `option …;`
    Option(OptionDecl),
    /// `reserved …;`
    Reserved(Reserved),
    /// A lone `;`.
    Empty(Span),
}

/// `NAME = -1 [deprecated = true];`
#[derive(Clone, Debug, PartialEq)]
pub struct EnumValue {
    /// The name.
    pub name: Ident,
    /// The number.
    pub number: Int,
    /// `[…]` options.
    pub options: Option<CompactOptions>,
    /// From the name to `;`.
    pub span: Span,
    /// Attached comments.
    pub comments: Comments,
}

/// `service Name { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// The name.
    pub name: Ident,
    /// Statements in source order.
    pub items: Vec<ServiceItem>,
    /// From `service` to `}`.
    pub span: Span,
    /// Attached comments.
    pub comments: Comments,
}

/// A statement in a service.
#[derive(Clone, Debug, PartialEq)]
pub enum ServiceItem {
    /// `rpc …`
    Method(Method),
    /// `option …;`
    Option(OptionDecl),
    /// A lone `;`.
    Empty(Span),
}

/// The request or response type of a method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodType {
    /// Span of `stream`, if written.
    pub stream: Option<Span>,
    /// The message type.
    pub ty: TypeName,
}

/// `rpc Name (Req) returns (stream Resp) { option …; }`
#[derive(Clone, Debug, PartialEq)]
pub struct Method {
    /// The name.
    pub name: Ident,
    /// The request type.
    pub input: MethodType,
    /// The response type.
    pub output: MethodType,
    /// The `{ … }` body, if written (`None` for `;`).
    pub body: Option<MethodBody>,
    /// From `rpc` to `;` or `}`.
    pub span: Span,
    /// Attached comments.
    pub comments: Comments,
}

/// The `{ … }` of a method.
#[derive(Clone, Debug, PartialEq)]
pub struct MethodBody {
    /// Statements in source order.
    pub items: Vec<MethodItem>,
    /// From `{` to `}`.
    pub span: Span,
}

/// A statement in a method body.
#[derive(Clone, Debug, PartialEq)]
pub enum MethodItem {
    /// `option …;`
    Option(OptionDecl),
    /// A lone `;`.
    Empty(Span),
}
