//! The typed descriptor IR: what the compiler produces and what every back
//! end (the descriptor-set writer, the Rust code generator, a protoc plugin
//! host) consumes.
//!
//! # Shape
//!
//! A [`Pool`] owns every element of every file in flat arenas, one per kind,
//! indexed by typed ids: [`FileId`], [`MessageId`], [`FieldId`],
//! [`OneofId`], [`EnumId`], [`EnumValueId`], [`ServiceId`], [`MethodId`].
//! Ids are small `Copy` handles; `pool[id]` (via [`std::ops::Index`]) gives the
//! element. Elements point at each other only through ids, so the graph
//! (recursive messages, cross-file references) needs no lifetimes or
//! reference counting.
//!
//! Order is declaration order everywhere, and it is exactly the order of the
//! corresponding repeated field in protoc's `FileDescriptorProto`: a
//! message's `fields` are its `field` list (oneof members in place),
//! `nested_messages` is its `nested_type` list including the synthesised
//! map-entry messages and group messages at the point where the map field or
//! group was declared, `oneofs` lists real oneofs first and then the proto3
//! synthetic oneofs, and so on. A back end that walks the IR in order writes
//! what protoc writes.
//!
//! Extensions are [`Field`]s whose [`Field::extendee`] is set. They live in the
//! `extensions` list of their *scope* (the file or message whose `extend`
//! block declared them) and are listed again on the extended message in
//! [`Message::extended_by`] (pool order, for code generators that want every
//! extension of a message).
//!
//! # Names
//!
//! Every named element has a [`FullName`] (`pkg.Outer.Inner`), stored without
//! a leading dot. [`FullName::type_name`] gives the form with a leading dot
//! used in descriptors' `type_name` and `extendee` fields; that is the only
//! place a leading dot appears.
//!
//! # What is resolved for back ends
//!
//! Back ends should never re-derive proto2/proto3/editions rules. Each field
//! carries its resolved [`FieldType`] (scalar, message id, enum id), its
//! [`Label`], its [`Presence`] (explicit, implicit, or legacy required), its
//! JSON name, its default value (both typed and as protoc prints it), and the
//! [`Features`] that apply to it after edition defaults and inheritance.
//! Enums know whether they are open or closed, messages whether they are map
//! entries ([`Message::map_entry`]), and oneofs whether they are proto3
//! synthetic.
//!
//! # Options
//!
//! Each element has [`Options`]: the options message exactly as protoc holds
//! it after interpreting options (the bytes protoc writes under
//! `--retain_options`: built-in fields in field-number order followed by
//! custom options in source order), plus the commonly needed built-in
//! options decoded ([`Options::deprecated`] and friends). The descriptor-set
//! writer derives protoc's default output (source-retention options removed,
//! custom options merged and sorted as protoc's reparse does) from these
//! bytes.
//!
//! # Source positions
//!
//! Elements compiled from source carry a [`Span`] (a byte range and the
//! [`FileId`] it is in) and the [`Comments`] protoc attaches to them.
//! Elements decoded from a `FileDescriptorSet` have no span; their comments
//! come from its `source_code_info` when present. Each [`File`] also keeps the
//! complete [`SourceCodeInfo`] protoc would write for it (when the compile
//! was asked to build it).

use std::fmt;
use std::ops::Index;
use std::sync::Arc;

pub use protoforge_syntax::ast::Comments;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(crate) u32);

        impl $name {
            /// The position of the element in its arena (and in pool order).
            pub fn index(self) -> usize {
                self.0 as usize
            }

            pub(crate) fn from_index(index: usize) -> $name {
                $name(index as u32)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

id_type!(
    /// A file in a [`Pool`].
    FileId
);
id_type!(
    /// A message (including map entries and group messages) in a [`Pool`].
    MessageId
);
id_type!(
    /// A field or an extension in a [`Pool`].
    FieldId
);
id_type!(
    /// A oneof (real or proto3 synthetic) in a [`Pool`].
    OneofId
);
id_type!(
    /// An enum in a [`Pool`].
    EnumId
);
id_type!(
    /// An enum value in a [`Pool`].
    EnumValueId
);
id_type!(
    /// A service in a [`Pool`].
    ServiceId
);
id_type!(
    /// A method in a [`Pool`].
    MethodId
);

/// A fully qualified protobuf name such as `google.protobuf.Timestamp`.
///
/// Stored without a leading dot. [`FullName::type_name`] adds the dot for the
/// descriptor fields that carry one (`type_name`, `extendee`, method types);
/// `Display` prints the name without it, as protoc's messages do.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FullName(Arc<str>);

impl FullName {
    /// Builds a name from its dotted text; a leading dot, if any, is dropped.
    pub fn new(text: &str) -> FullName {
        FullName(Arc::from(text.strip_prefix('.').unwrap_or(text)))
    }

    /// `scope.name`, or just `name` when the scope is empty (no package).
    pub fn join(scope: &str, name: &str) -> FullName {
        if scope.is_empty() {
            FullName::new(name)
        } else {
            let mut text = String::with_capacity(scope.len() + 1 + name.len());
            text.push_str(scope);
            text.push('.');
            text.push_str(name);
            FullName(Arc::from(text))
        }
    }

    /// The dotted name with no leading dot.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name with a leading dot, as written in `type_name` and `extendee`.
    pub fn type_name(&self) -> String {
        format!(".{}", self.0)
    }

    /// The last component (`Timestamp` for `google.protobuf.Timestamp`).
    pub fn simple_name(&self) -> &str {
        match self.0.rfind('.') {
            Some(dot) => &self.0[dot + 1..],
            None => &self.0,
        }
    }

    /// Everything before the last component (`google.protobuf`), empty for a
    /// top-level name in a file with no package.
    pub fn parent(&self) -> &str {
        match self.0.rfind('.') {
            Some(dot) => &self.0[..dot],
            None => "",
        }
    }
}

/// Tables keyed by `FullName` can be searched with a `&str` (without a
/// leading dot), with no name built for the search: `FullName` hashes and
/// compares as its text does.
impl std::borrow::Borrow<str> for FullName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FullName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for FullName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", &*self.0)
    }
}

/// Where an element was declared: a byte range in one file of the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// The byte range in that file's source ([`File::source`]).
    pub range: protoforge_syntax::Span,
}

/// A protobuf edition, with `descriptor.proto`'s numbering.
///
/// proto2 and proto3 files are represented as the editions `Proto2` and
/// `Proto3`, as protoc does, so feature resolution treats every file alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Edition(pub i32);

impl Edition {
    /// `EDITION_UNKNOWN`.
    pub const UNKNOWN: Edition = Edition(0);
    /// `EDITION_LEGACY`: the oldest defaults in feature tables.
    pub const LEGACY: Edition = Edition(900);
    /// `syntax = "proto2"` (and files with no syntax statement).
    pub const PROTO2: Edition = Edition(998);
    /// `syntax = "proto3"`.
    pub const PROTO3: Edition = Edition(999);
    /// `edition = "2023"`.
    pub const E2023: Edition = Edition(1000);
    /// `edition = "2024"`.
    pub const E2024: Edition = Edition(1001);
    /// `edition = "2026"` (not yet accepted by protoc 35).
    pub const E2026: Edition = Edition(1002);
    /// `EDITION_UNSTABLE`.
    pub const UNSTABLE: Edition = Edition(9999);
    /// `EDITION_MAX`.
    pub const MAX: Edition = Edition(0x7fff_ffff);

    /// Whether this is an editions file (2023 or later) rather than proto2/proto3.
    pub fn is_editions(self) -> bool {
        self >= Edition::E2023
    }

    /// The name protoc uses in messages: `2023`, `PROTO2`, …
    pub fn display_name(self) -> String {
        match self {
            Edition::PROTO2 => "PROTO2".to_string(),
            Edition::PROTO3 => "PROTO3".to_string(),
            Edition::LEGACY => "LEGACY".to_string(),
            Edition::UNSTABLE => "UNSTABLE".to_string(),
            Edition::MAX => "MAX".to_string(),
            Edition::UNKNOWN => "UNKNOWN".to_string(),
            Edition(1) => "1_TEST_ONLY".to_string(),
            Edition(2) => "2_TEST_ONLY".to_string(),
            Edition(n) if (99997..=99999).contains(&n) => format!("{n}_TEST_ONLY"),
            Edition(1000) => "2023".to_string(),
            Edition(1001) => "2024".to_string(),
            Edition(1002) => "2026".to_string(),
            Edition(n) => n.to_string(),
        }
    }
}

/// How a file declares its dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// `syntax = "proto2"`, or no syntax statement.
    Proto2,
    /// `syntax = "proto3"`.
    Proto3,
    /// `edition = "…"`.
    Editions,
}

/// The `FeatureSet.field_presence` feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldPresence {
    /// Has-bits: set or not set (proto2 optional, proto3 `optional`, messages).
    Explicit,
    /// No presence: the default value means "not set" (proto3 singular scalars).
    Implicit,
    /// proto2 `required`.
    LegacyRequired,
}

/// The `FeatureSet.enum_type` feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EnumType {
    /// Unknown numbers are kept in the field (proto3).
    Open,
    /// Unknown numbers go to unknown fields (proto2).
    Closed,
}

/// The `FeatureSet.repeated_field_encoding` feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RepeatedFieldEncoding {
    /// Repeated scalars are written as one length-delimited record.
    Packed,
    /// One record per element.
    Expanded,
}

/// The `FeatureSet.utf8_validation` feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Utf8Validation {
    /// Parsers reject invalid UTF-8 in string fields.
    Verify,
    /// No check.
    None,
}

/// The `FeatureSet.message_encoding` feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageEncoding {
    /// Length-prefixed (the usual message encoding).
    LengthPrefixed,
    /// Start/end-group delimited (proto2 groups).
    Delimited,
}

/// The `FeatureSet.json_format` feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JsonFormat {
    /// Everything must map cleanly to JSON (proto3).
    Allow,
    /// JSON mapping on a best-effort basis (proto2).
    LegacyBestEffort,
}

/// The `FeatureSet.enforce_naming_style` feature (edition 2024).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EnforceNamingStyle {
    /// Edition 2024's naming rules are enforced.
    Style2024,
    /// No naming rules.
    StyleLegacy,
    /// The unstable 2026 rules.
    Style2026,
}

/// The `FeatureSet.default_symbol_visibility` feature (edition 2024).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DefaultSymbolVisibility {
    /// Everything is exported.
    ExportAll,
    /// Top-level messages and enums are exported, nested ones are local.
    ExportTopLevel,
    /// Everything is local.
    LocalAll,
    /// Local, and nested types cannot be exported.
    Strict,
}

/// The resolved values of the built-in features for one element: edition
/// defaults, overridden by the file, then by each enclosing element, then by
/// the element itself, as protoc resolves them.
///
/// Custom feature extensions (`pb.cpp`, `pb.java`, user-defined ones) are kept
/// as the merged `FeatureSet` bytes in [`Features::encoded`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Features {
    /// `field_presence`.
    pub field_presence: FieldPresence,
    /// `enum_type`.
    pub enum_type: EnumType,
    /// `repeated_field_encoding`.
    pub repeated_field_encoding: RepeatedFieldEncoding,
    /// `utf8_validation`.
    pub utf8_validation: Utf8Validation,
    /// `message_encoding`.
    pub message_encoding: MessageEncoding,
    /// `json_format`.
    pub json_format: JsonFormat,
    /// `enforce_naming_style`.
    pub enforce_naming_style: EnforceNamingStyle,
    /// `default_symbol_visibility`.
    pub default_symbol_visibility: DefaultSymbolVisibility,
    /// The complete resolved `FeatureSet` message, encoded (built-in fields and
    /// every extension that has a value).
    pub encoded: Arc<[u8]>,
}

/// A field's declared cardinality, as written to `FieldDescriptorProto.label`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Label {
    /// Singular (`LABEL_OPTIONAL` = 1).
    Optional,
    /// proto2 `required`, or an editions field with `LEGACY_REQUIRED`
    /// presence (`LABEL_REQUIRED` = 2).
    Required,
    /// `repeated` and map fields (`LABEL_REPEATED` = 3).
    Repeated,
}

impl Label {
    /// The `FieldDescriptorProto.Label` number.
    pub fn number(self) -> i32 {
        match self {
            Label::Optional => 1,
            Label::Required => 2,
            Label::Repeated => 3,
        }
    }
}

/// Whether a singular field tracks presence; see [`Field::presence`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Presence {
    /// The field tracks whether it was set (has-bit or `Option`).
    Explicit,
    /// The field does not track presence; its default value is not written.
    Implicit,
    /// The field must be set (proto2 `required`).
    Required,
    /// Repeated fields and maps: presence does not apply.
    Repeated,
}

/// The scalar field types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
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

impl Scalar {
    /// The `FieldDescriptorProto.Type` number.
    pub fn type_number(self) -> i32 {
        match self {
            Scalar::Double => 1,
            Scalar::Float => 2,
            Scalar::Int64 => 3,
            Scalar::Uint64 => 4,
            Scalar::Int32 => 5,
            Scalar::Fixed64 => 6,
            Scalar::Fixed32 => 7,
            Scalar::Bool => 8,
            Scalar::String => 9,
            Scalar::Bytes => 12,
            Scalar::Uint32 => 13,
            Scalar::Sfixed32 => 15,
            Scalar::Sfixed64 => 16,
            Scalar::Sint32 => 17,
            Scalar::Sint64 => 18,
        }
    }

    /// The scalar for a `FieldDescriptorProto.Type` number, if it is one.
    pub fn from_type_number(number: i32) -> Option<Scalar> {
        Some(match number {
            1 => Scalar::Double,
            2 => Scalar::Float,
            3 => Scalar::Int64,
            4 => Scalar::Uint64,
            5 => Scalar::Int32,
            6 => Scalar::Fixed64,
            7 => Scalar::Fixed32,
            8 => Scalar::Bool,
            9 => Scalar::String,
            12 => Scalar::Bytes,
            13 => Scalar::Uint32,
            15 => Scalar::Sfixed32,
            16 => Scalar::Sfixed64,
            17 => Scalar::Sint32,
            18 => Scalar::Sint64,
            _ => return None,
        })
    }

    /// The `.proto` keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Scalar::Double => "double",
            Scalar::Float => "float",
            Scalar::Int64 => "int64",
            Scalar::Uint64 => "uint64",
            Scalar::Int32 => "int32",
            Scalar::Fixed64 => "fixed64",
            Scalar::Fixed32 => "fixed32",
            Scalar::Bool => "bool",
            Scalar::String => "string",
            Scalar::Bytes => "bytes",
            Scalar::Uint32 => "uint32",
            Scalar::Sfixed32 => "sfixed32",
            Scalar::Sfixed64 => "sfixed64",
            Scalar::Sint32 => "sint32",
            Scalar::Sint64 => "sint64",
        }
    }

    /// Whether values of this type can be packed (every scalar except
    /// `string` and `bytes`).
    pub fn is_packable(self) -> bool {
        !matches!(self, Scalar::String | Scalar::Bytes)
    }
}

/// A field's resolved type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// A scalar.
    Scalar(Scalar),
    /// An enum.
    Enum(EnumId),
    /// A message, length-prefixed on the wire.
    Message(MessageId),
    /// A message, delimited by start/end-group tags on the wire (a proto2
    /// group, or an editions field with `message_encoding = DELIMITED`).
    Group(MessageId),
}

impl FieldType {
    /// The `FieldDescriptorProto.Type` number (`TYPE_GROUP` = 10,
    /// `TYPE_MESSAGE` = 11, `TYPE_ENUM` = 14, or the scalar's).
    pub fn type_number(self) -> i32 {
        match self {
            FieldType::Scalar(scalar) => scalar.type_number(),
            FieldType::Group(_) => 10,
            FieldType::Message(_) => 11,
            FieldType::Enum(_) => 14,
        }
    }

    /// The message, for message and group fields.
    pub fn message(self) -> Option<MessageId> {
        match self {
            FieldType::Message(id) | FieldType::Group(id) => Some(id),
            _ => None,
        }
    }

    /// The enum, for enum fields.
    pub fn enum_type(self) -> Option<EnumId> {
        match self {
            FieldType::Enum(id) => Some(id),
            _ => None,
        }
    }
}

/// A typed default value (proto2 `[default = …]`).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `bool`.
    Bool(bool),
    /// `int32`, `sint32`, `sfixed32`, `int64`, `sint64`, `sfixed64`.
    Int(i64),
    /// `uint32`, `fixed32`, `uint64`, `fixed64`.
    Uint(u64),
    /// `float` (held at float precision) and `double`.
    Float(f64),
    /// `string` (valid UTF-8 is not guaranteed in proto2) and `bytes`.
    Bytes(Vec<u8>),
    /// An enum value.
    Enum(EnumValueId),
}

/// A field's explicit default value.
#[derive(Clone, Debug, PartialEq)]
pub struct DefaultValue {
    /// The value.
    pub value: Value,
    /// The text protoc writes in `FieldDescriptorProto.default_value`: floats
    /// at their precision, `inf`/`-inf`/`nan`, bytes C-escaped, enum values by
    /// name.
    pub text: String,
}

/// Which map-entry fields a map-entry message has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MapEntry {
    /// The `key` field (number 1).
    pub key: FieldId,
    /// The `value` field (number 2).
    pub value: FieldId,
}

/// `export`/`local` written on a message or enum (edition 2024), as
/// `SymbolVisibility` numbers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// `local` (`VISIBILITY_LOCAL` = 1).
    Local,
    /// `export` (`VISIBILITY_EXPORT` = 2).
    Export,
}

/// An options message of one element.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The options message as protoc holds it once options are interpreted
    /// (what `--retain_options` writes): built-in fields in field-number
    /// order, then custom options in the order they were written. Empty when
    /// the element has no options; `present` tells an empty `options {}` apart.
    pub encoded: Vec<u8>,
    /// Whether the element has an options message at all (protoc writes an
    /// empty options message when every option was, for example, a feature
    /// that got stripped, or when options were written in an empty form).
    pub present: bool,
    /// `deprecated = true` (every kind of options has it except oneofs and
    /// extension ranges).
    pub deprecated: bool,
    /// `FieldOptions.packed`, as written (`None` when not written).
    pub packed: Option<bool>,
    /// `FieldOptions.lazy` / `unverified_lazy`.
    pub lazy: bool,
    /// `MessageOptions.message_set_wire_format`.
    pub message_set_wire_format: bool,
    /// `EnumOptions.allow_alias`.
    pub allow_alias: bool,
    /// `MethodOptions.idempotency_level` as its number (0 when unset).
    pub idempotency_level: i32,
    /// `FieldOptions.retention` as its number (0 when unset, 1 runtime, 2 source).
    pub retention: i32,
    /// `FieldOptions.targets` as numbers.
    pub targets: Vec<i32>,
    /// `FieldOptions.ctype` as its number, when written.
    pub ctype: Option<i32>,
    /// The `features` field as written on this element (a `FeatureSet`
    /// message), empty when none.
    pub features: Vec<u8>,
}

/// One `SourceCodeInfo.Location`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// The path of field numbers and indices into the `FileDescriptorProto`.
    pub path: Vec<i32>,
    /// `[start_line, start_col, end_line, end_col]`, or three numbers when the
    /// span is on one line (zero-based, columns counted as protoc counts).
    pub span: Vec<i32>,
    /// The leading comment.
    pub leading_comments: Option<String>,
    /// The trailing comment.
    pub trailing_comments: Option<String>,
    /// Detached comments before the leading one.
    pub leading_detached_comments: Vec<String>,
}

/// A file's `SourceCodeInfo`: the locations protoc records, in its order.
///
/// Held encoded (a `SourceCodeInfo` message), which is several times smaller
/// than the decoded locations; [`SourceCodeInfo::locations`] decodes them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceCodeInfo {
    encoded: Vec<u8>,
}

impl SourceCodeInfo {
    /// Encodes `locations`.
    pub fn from_locations(locations: &[Location]) -> SourceCodeInfo {
        let mut encoded = Vec::with_capacity(locations.len() * 24);
        for location in locations {
            crate::wire::put_message(&mut encoded, 1, |l| {
                crate::encode::put_packed_int32(l, 1, &location.path);
                crate::encode::put_packed_int32(l, 2, &location.span);
                if let Some(c) = &location.leading_comments {
                    crate::wire::put_bytes(l, 3, c.as_bytes());
                }
                if let Some(c) = &location.trailing_comments {
                    crate::wire::put_bytes(l, 4, c.as_bytes());
                }
                for c in &location.leading_detached_comments {
                    crate::wire::put_bytes(l, 6, c.as_bytes());
                }
            });
        }
        SourceCodeInfo { encoded }
    }

    /// Wraps an encoded `SourceCodeInfo` message.
    pub fn from_encoded(encoded: Vec<u8>) -> SourceCodeInfo {
        SourceCodeInfo { encoded }
    }

    /// The encoded `SourceCodeInfo` message.
    pub fn encoded(&self) -> &[u8] {
        &self.encoded
    }

    /// The locations, decoded (malformed bytes give the locations before them).
    pub fn locations(&self) -> Vec<Location> {
        crate::decode::locations(&self.encoded)
    }
}

/// An import of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    /// The imported file's name, as written.
    pub name: String,
    /// The imported file, once loaded (absent only when loading failed).
    pub file: Option<FileId>,
    /// `import public`.
    pub public: bool,
    /// `import weak`.
    pub weak: bool,
    /// Where the import statement is.
    pub span: Option<Span>,
}

/// A `.proto` file.
#[derive(Clone, Debug)]
pub struct File {
    /// The file's name: its path relative to the include root (`a/b.proto`).
    pub name: String,
    /// The package, if any.
    pub package: Option<FullName>,
    /// `proto2`, `proto3` or editions.
    pub syntax: Syntax,
    /// The edition (`PROTO2`/`PROTO3` for syntax files).
    pub edition: Edition,
    /// Regular imports (`import`, `import public`, `import weak`), in order.
    pub dependencies: Vec<Dependency>,
    /// `import option` dependencies (edition 2024), in order.
    pub option_dependencies: Vec<Dependency>,
    /// Top-level messages.
    pub messages: Vec<MessageId>,
    /// Top-level enums.
    pub enums: Vec<EnumId>,
    /// Services.
    pub services: Vec<ServiceId>,
    /// Top-level extensions (from top-level `extend` blocks).
    pub extensions: Vec<FieldId>,
    /// `FileOptions`.
    pub options: Options,
    /// Resolved features of the file.
    pub features: Features,
    /// The source text, when compiled from source with
    /// [`CompileOptions::keep_sources`](crate::CompileOptions::keep_sources).
    pub source: Option<Arc<[u8]>>,
    /// The source code info protoc would write, when it was built.
    pub source_code_info: Option<SourceCodeInfo>,
    /// Comments on the `syntax`/`edition` statement.
    pub comments: Comments,
}

/// A message type.
#[derive(Clone, Debug)]
pub struct Message {
    /// The simple name.
    pub name: String,
    /// The full name.
    pub full_name: FullName,
    /// The file declaring it.
    pub file: FileId,
    /// The enclosing message, for nested types.
    pub parent: Option<MessageId>,
    /// Fields in declaration order (oneof members in place).
    pub fields: Vec<FieldId>,
    /// Oneofs: real ones in declaration order, then proto3 synthetic ones.
    pub oneofs: Vec<OneofId>,
    /// Nested messages, including synthesised map entries and group messages.
    pub nested_messages: Vec<MessageId>,
    /// Nested enums.
    pub nested_enums: Vec<EnumId>,
    /// Extensions declared inside this message's `extend` blocks.
    pub extensions: Vec<FieldId>,
    /// Extension ranges.
    pub extension_ranges: Vec<ExtensionRange>,
    /// Reserved number ranges (end exclusive).
    pub reserved_ranges: Vec<(i32, i32)>,
    /// Reserved names.
    pub reserved_names: Vec<String>,
    /// `MessageOptions`.
    pub options: Options,
    /// Resolved features.
    pub features: Features,
    /// For a synthesised map entry, its key and value fields.
    pub map_entry: Option<MapEntry>,
    /// Every extension in the pool that extends this message, in pool order.
    pub extended_by: Vec<FieldId>,
    /// `export`/`local` as written (edition 2024).
    pub visibility: Option<Visibility>,
    /// Where declared.
    pub span: Option<Span>,
    /// Attached comments.
    pub comments: Comments,
}

/// An extension range of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtensionRange {
    /// First number (inclusive).
    pub start: i32,
    /// Last number + 1 (exclusive).
    pub end: i32,
    /// `ExtensionRangeOptions`.
    pub options: Options,
    /// Resolved features.
    pub features: Features,
}

/// What declared a field or extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Top level of a file (extensions only).
    File(FileId),
    /// A message: the field's message, or the message whose `extend` block
    /// declared an extension.
    Message(MessageId),
}

/// A field of a message, or an extension.
#[derive(Clone, Debug)]
pub struct Field {
    /// The name (for a group field, the lower-cased group name).
    pub name: String,
    /// The full name (`pkg.Message.field`, or the extension's full name).
    pub full_name: FullName,
    /// The file declaring it.
    pub file: FileId,
    /// The containing message for a regular field; the declaring scope for an
    /// extension.
    pub scope: Scope,
    /// The extended message, for extensions.
    pub extendee: Option<MessageId>,
    /// The field number.
    pub number: i32,
    /// The label written to descriptors.
    pub label: Label,
    /// The resolved type.
    pub ty: FieldType,
    /// The containing oneof (real or synthetic).
    pub oneof: Option<OneofId>,
    /// proto3 `optional` (the field is the only member of a synthetic oneof).
    pub proto3_optional: bool,
    /// The JSON name: the explicit `json_name`, or protoc's lowerCamelCase
    /// conversion of the name.
    pub json_name: String,
    /// Whether `json_name` was written explicitly.
    pub has_explicit_json_name: bool,
    /// The explicit default value.
    pub default: Option<DefaultValue>,
    /// Presence, resolved from the label and features.
    pub presence: Presence,
    /// `FieldOptions`.
    pub options: Options,
    /// Resolved features.
    pub features: Features,
    /// Where declared.
    pub span: Option<Span>,
    /// Attached comments.
    pub comments: Comments,
}

impl Field {
    /// Whether this is an extension.
    pub fn is_extension(&self) -> bool {
        self.extendee.is_some()
    }

    /// Whether the field is repeated (maps included).
    pub fn is_repeated(&self) -> bool {
        self.label == Label::Repeated
    }

    /// Whether repeated values of this field are written packed: a repeated
    /// packable scalar or enum with packed encoding resolved from features
    /// and the `packed` option.
    pub fn is_packed(&self) -> bool {
        let packable = match self.ty {
            FieldType::Scalar(scalar) => scalar.is_packable(),
            FieldType::Enum(_) => true,
            _ => false,
        };
        self.is_repeated()
            && packable
            && self.features.repeated_field_encoding == RepeatedFieldEncoding::Packed
    }

    /// The containing message of a regular field.
    pub fn message(&self) -> Option<MessageId> {
        match (self.extendee, self.scope) {
            (None, Scope::Message(id)) => Some(id),
            _ => None,
        }
    }
}

/// A oneof.
#[derive(Clone, Debug)]
pub struct Oneof {
    /// The name (for a synthetic oneof, `_field`, with protoc's `X` prefixes
    /// on clashes).
    pub name: String,
    /// The full name.
    pub full_name: FullName,
    /// The containing message.
    pub message: MessageId,
    /// The member fields in order.
    pub fields: Vec<FieldId>,
    /// Whether this oneof was synthesised for a proto3 `optional` field.
    pub synthetic: bool,
    /// `OneofOptions`.
    pub options: Options,
    /// Resolved features.
    pub features: Features,
    /// Where declared (for a synthetic oneof, the field's span).
    pub span: Option<Span>,
    /// Attached comments.
    pub comments: Comments,
}

/// An enum type.
#[derive(Clone, Debug)]
pub struct Enum {
    /// The simple name.
    pub name: String,
    /// The full name.
    pub full_name: FullName,
    /// The file declaring it.
    pub file: FileId,
    /// The enclosing message, for nested enums.
    pub parent: Option<MessageId>,
    /// The values in declaration order.
    pub values: Vec<EnumValueId>,
    /// Reserved number ranges (both ends inclusive).
    pub reserved_ranges: Vec<(i32, i32)>,
    /// Reserved names.
    pub reserved_names: Vec<String>,
    /// `EnumOptions`.
    pub options: Options,
    /// Resolved features; [`Features::enum_type`] tells open from closed.
    pub features: Features,
    /// `export`/`local` as written (edition 2024).
    pub visibility: Option<Visibility>,
    /// Where declared.
    pub span: Option<Span>,
    /// Attached comments.
    pub comments: Comments,
}

impl Enum {
    /// Whether the enum is closed (proto2 semantics).
    pub fn is_closed(&self) -> bool {
        self.features.enum_type == EnumType::Closed
    }
}

/// A value of an enum.
#[derive(Clone, Debug)]
pub struct EnumValue {
    /// The name.
    pub name: String,
    /// The full name: C++ scoping, so a sibling of the enum (`pkg.VALUE`, not
    /// `pkg.Enum.VALUE`).
    pub full_name: FullName,
    /// The enum.
    pub parent: EnumId,
    /// The number.
    pub number: i32,
    /// `EnumValueOptions`.
    pub options: Options,
    /// Resolved features.
    pub features: Features,
    /// Where declared.
    pub span: Option<Span>,
    /// Attached comments.
    pub comments: Comments,
}

/// A service.
#[derive(Clone, Debug)]
pub struct Service {
    /// The simple name.
    pub name: String,
    /// The full name.
    pub full_name: FullName,
    /// The file declaring it.
    pub file: FileId,
    /// The methods in order.
    pub methods: Vec<MethodId>,
    /// `ServiceOptions`.
    pub options: Options,
    /// Resolved features.
    pub features: Features,
    /// Where declared.
    pub span: Option<Span>,
    /// Attached comments.
    pub comments: Comments,
}

/// A method of a service.
#[derive(Clone, Debug)]
pub struct Method {
    /// The name.
    pub name: String,
    /// The full name.
    pub full_name: FullName,
    /// The service.
    pub service: ServiceId,
    /// The request message.
    pub input: MessageId,
    /// The response message.
    pub output: MessageId,
    /// `stream` on the request.
    pub client_streaming: bool,
    /// `stream` on the response.
    pub server_streaming: bool,
    /// `MethodOptions`.
    pub options: Options,
    /// Resolved features.
    pub features: Features,
    /// Where declared.
    pub span: Option<Span>,
    /// Attached comments.
    pub comments: Comments,
}

/// Anything with a full name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// A package (or a prefix of one).
    Package(FileId),
    /// A message.
    Message(MessageId),
    /// An enum.
    Enum(EnumId),
    /// An enum value (C++ scoping: a sibling of its enum).
    EnumValue(EnumValueId),
    /// A field or extension.
    Field(FieldId),
    /// A oneof.
    Oneof(OneofId),
    /// A service.
    Service(ServiceId),
    /// A method.
    Method(MethodId),
}

/// Every compiled (or decoded) file and its elements.
///
/// Files are in dependency order: a file comes after everything it imports.
#[derive(Clone, Debug, Default)]
pub struct Pool {
    pub(crate) files: Vec<File>,
    pub(crate) messages: Vec<Message>,
    pub(crate) fields: Vec<Field>,
    pub(crate) oneofs: Vec<Oneof>,
    pub(crate) enums: Vec<Enum>,
    pub(crate) enum_values: Vec<EnumValue>,
    pub(crate) services: Vec<Service>,
    pub(crate) methods: Vec<Method>,
    pub(crate) symbols: crate::fxhash::FxHashMap<FullName, Symbol>,
    pub(crate) files_by_name: crate::fxhash::FxHashMap<String, FileId>,
    pub(crate) extensions_by_number: crate::fxhash::FxHashMap<(MessageId, i32), FieldId>,
}

macro_rules! arena_index {
    ($id:ident, $ty:ident, $field:ident, $iter:ident) => {
        impl Index<$id> for Pool {
            type Output = $ty;
            fn index(&self, id: $id) -> &$ty {
                &self.$field[id.index()]
            }
        }

        impl Pool {
            /// Every element of this kind with its id, in pool order.
            pub fn $iter(&self) -> impl ExactSizeIterator<Item = ($id, &$ty)> + '_ {
                self.$field
                    .iter()
                    .enumerate()
                    .map(|(i, e)| ($id::from_index(i), e))
            }
        }
    };
}

arena_index!(FileId, File, files, files);
arena_index!(MessageId, Message, messages, messages);
arena_index!(FieldId, Field, fields, fields);
arena_index!(OneofId, Oneof, oneofs, oneofs);
arena_index!(EnumId, Enum, enums, enums);
arena_index!(EnumValueId, EnumValue, enum_values, enum_values);
arena_index!(ServiceId, Service, services, services);
arena_index!(MethodId, Method, methods, methods);

impl Pool {
    /// The file named `name` (its import path).
    pub fn file_by_name(&self, name: &str) -> Option<FileId> {
        self.files_by_name.get(name).copied()
    }

    /// The element with the full name `name` (with or without a leading dot).
    pub fn lookup(&self, name: &str) -> Option<Symbol> {
        let name = name.strip_prefix('.').unwrap_or(name);
        self.symbols.get(name).copied()
    }

    /// The message with the full name `name`.
    pub fn message_by_name(&self, name: &str) -> Option<MessageId> {
        match self.lookup(name)? {
            Symbol::Message(id) => Some(id),
            _ => None,
        }
    }

    /// The enum with the full name `name`.
    pub fn enum_by_name(&self, name: &str) -> Option<EnumId> {
        match self.lookup(name)? {
            Symbol::Enum(id) => Some(id),
            _ => None,
        }
    }

    /// The file that declares `message`.
    pub fn message_file(&self, message: MessageId) -> FileId {
        self[message].file
    }

    /// The field of `message` with number `number`.
    pub fn field_by_number(&self, message: MessageId, number: i32) -> Option<FieldId> {
        self[message]
            .fields
            .iter()
            .copied()
            .find(|f| self[*f].number == number)
    }

    /// The extension of `message` with number `number`.
    pub fn extension_by_number(&self, message: MessageId, number: i32) -> Option<FieldId> {
        self.extensions_by_number.get(&(message, number)).copied()
    }

    /// The field of `message` named `name`.
    pub fn field_by_name(&self, message: MessageId, name: &str) -> Option<FieldId> {
        self[message]
            .fields
            .iter()
            .copied()
            .find(|f| self[*f].name == name)
    }

    /// The full name of a symbol.
    pub fn symbol_name(&self, symbol: Symbol) -> FullName {
        match symbol {
            Symbol::Package(file) => self[file].package.clone().unwrap_or_default(),
            Symbol::Message(id) => self[id].full_name.clone(),
            Symbol::Enum(id) => self[id].full_name.clone(),
            Symbol::EnumValue(id) => self[id].full_name.clone(),
            Symbol::Field(id) => self[id].full_name.clone(),
            Symbol::Oneof(id) => self[id].full_name.clone(),
            Symbol::Service(id) => self[id].full_name.clone(),
            Symbol::Method(id) => self[id].full_name.clone(),
        }
    }

    /// The file that declares a symbol (for packages, the first file that
    /// declared the package).
    pub fn symbol_file(&self, symbol: Symbol) -> FileId {
        match symbol {
            Symbol::Package(file) => file,
            Symbol::Message(id) => self[id].file,
            Symbol::Enum(id) => self[id].file,
            Symbol::EnumValue(id) => self[self[id].parent].file,
            Symbol::Field(id) => self[id].file,
            Symbol::Oneof(id) => self[self[id].message].file,
            Symbol::Service(id) => self[id].file,
            Symbol::Method(id) => self[self[id].service].file,
        }
    }
}
