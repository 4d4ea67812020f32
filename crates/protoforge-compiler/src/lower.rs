//! The `lower` phase: one file's AST into unlinked IR.
//!
//! Lowering creates every element of the file in a [`Fragment`] (appended to
//! the pool as it is, see there), in the order protoc's parser puts them in
//! the `FileDescriptorProto` (map-entry and group messages where their field
//! is declared, proto3 synthetic oneofs after the real ones), and records
//! the file's source locations in protoc's order (see
//! [`crate::source_info`]); [`register_symbols`] then enters the full names
//! in the pool's symbol table.
//!
//! What needs other files or later phases is left in [`Lowered`]: type names
//! to resolve (`link`), option statements to interpret (`options`), default
//! values to check against the resolved type. The AST does not go further
//! than this module: the pieces kept are names, spans and option values.

use std::collections::HashMap;
use std::sync::Arc;

use protoforge_syntax::ast::{self, Comments};
use protoforge_syntax::{LineIndex, Span as SynSpan};

use crate::diagnostic::{Diagnostic, DiagnosticKind, Position};
use crate::ir::{
    Dependency, Edition, Enum, EnumValue, EnumValueId, ExtensionRange, Features, Field, FieldId,
    FieldType, File, FileId, FullName, Label, Message, MessageId, Method, MethodId, Oneof, OneofId,
    Options, Pool, Presence, Scalar, Scope, Service, ServiceId, Span, Symbol, Syntax, Visibility,
};
use crate::source_info::{Recorder, next_token};

/// A name written in the source that `link` resolves.
#[derive(Clone, Debug)]
pub(crate) struct NameRef {
    /// The name as written (a leading dot included).
    pub(crate) text: String,
    /// Where it is.
    pub(crate) span: SynSpan,
    /// The full name of the element the name is resolved relative to
    /// (protoc's `relative_to`: lookups start in its parent scope).
    pub(crate) relative_to: String,
}

/// Which element an options statement belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum OptionTarget {
    /// `FileOptions`.
    File(FileId),
    /// `MessageOptions`.
    Message(MessageId),
    /// `FieldOptions`.
    Field(FieldId),
    /// `OneofOptions`.
    Oneof(OneofId),
    /// `EnumOptions`.
    Enum(crate::ir::EnumId),
    /// `EnumValueOptions`.
    EnumValue(EnumValueId),
    /// `ExtensionRangeOptions` of a message's range.
    ExtensionRange(MessageId, usize),
    /// `ServiceOptions`.
    Service(ServiceId),
    /// `MethodOptions`.
    Method(MethodId),
}

impl OptionTarget {
    /// The full name of the options message.
    pub(crate) fn options_type(self) -> &'static str {
        match self {
            OptionTarget::File(_) => "google.protobuf.FileOptions",
            OptionTarget::Message(_) => "google.protobuf.MessageOptions",
            OptionTarget::Field(_) => "google.protobuf.FieldOptions",
            OptionTarget::Oneof(_) => "google.protobuf.OneofOptions",
            OptionTarget::Enum(_) => "google.protobuf.EnumOptions",
            OptionTarget::EnumValue(_) => "google.protobuf.EnumValueOptions",
            OptionTarget::ExtensionRange(..) => "google.protobuf.ExtensionRangeOptions",
            OptionTarget::Service(_) => "google.protobuf.ServiceOptions",
            OptionTarget::Method(_) => "google.protobuf.MethodOptions",
        }
    }
}

/// The option statements of one element, to be interpreted.
#[derive(Clone, Debug)]
pub(crate) struct OptionSet {
    /// The element.
    pub(crate) target: OptionTarget,
    /// The path of the options message in the `FileDescriptorProto`
    /// (the element's path and its `options` field number).
    pub(crate) options_path: Vec<i32>,
    /// The scope extension names are resolved in (protoc's `name_scope`).
    pub(crate) relative_to: String,
    /// The options in source order.
    pub(crate) decls: Vec<ast::OptionDecl>,
    /// Whether the element is a map entry's key or value (its options are
    /// copied from the map field and have no source locations).
    pub(crate) copied: bool,
    /// Whether the element has an options message even with no options
    /// (protoc creates one for a method written with a `{ }` body).
    pub(crate) force_present: bool,
}

/// Spans of the parts of a declaration that diagnostics point at.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PartSpans {
    /// The name.
    pub(crate) name: SynSpan,
    /// The number (fields, enum values).
    pub(crate) number: Option<SynSpan>,
    /// The type (fields).
    pub(crate) ty: Option<SynSpan>,
    /// The extendee, for the first extension of an `extend` block (the only
    /// one protoc gives that position).
    pub(crate) extendee: Option<SynSpan>,
    /// The default value.
    pub(crate) default: Option<SynSpan>,
    /// The `json_name = …` option.
    pub(crate) json_name: Option<SynSpan>,
}

/// An import statement.
#[derive(Clone, Debug)]
pub(crate) struct ImportRef {
    /// The path.
    pub(crate) name: String,
    /// The statement.
    pub(crate) span: SynSpan,
    /// `import option`.
    pub(crate) option: bool,
}

/// What lowering leaves for the later phases of one file.
#[derive(Debug, Default)]
pub(crate) struct Lowered {
    /// Fields whose type is a name: the name, and whether the field was
    /// declared as a group.
    pub(crate) field_types: Vec<(FieldId, NameRef)>,
    /// Extensions' extendee names.
    pub(crate) extendees: Vec<(FieldId, NameRef)>,
    /// Methods' input and output type names.
    pub(crate) methods: Vec<(MethodId, NameRef, NameRef)>,
    /// Written default values.
    pub(crate) defaults: Vec<(FieldId, ast::OptionValue)>,
    /// Explicit `json_name`s and where they are.
    pub(crate) json_names: Vec<(FieldId, SynSpan)>,
    /// Option statements in protoc's interpretation order.
    pub(crate) option_sets: Vec<OptionSet>,
    /// Spans for diagnostics.
    pub(crate) parts: crate::fxhash::FxHashMap<Symbol, PartSpans>,
    /// Reserved ranges' spans per message, in order.
    pub(crate) reserved_spans: HashMap<MessageId, Vec<SynSpan>>,
    /// Enum reserved ranges' spans per enum, in order.
    pub(crate) enum_reserved_spans: HashMap<crate::ir::EnumId, Vec<SynSpan>>,
    /// Extension ranges' spans per message, in order.
    pub(crate) extension_range_spans: HashMap<MessageId, Vec<SynSpan>>,
    /// Import statements in order (regular and option imports).
    pub(crate) imports: Vec<ImportRef>,
    /// The `package` statement.
    pub(crate) package_span: Option<SynSpan>,
    /// The `syntax`/`edition` statement.
    pub(crate) syntax_span: Option<SynSpan>,
    /// Source locations in protoc's order, when wanted.
    pub(crate) locations: Option<Vec<crate::ir::Location>>,
    /// The `package` statements, for [`add_package`].
    pub(crate) packages: Vec<PackageStatement>,
}

/// A `package` statement, registered in the symbol table at merge time.
#[derive(Clone, Debug)]
pub(crate) struct PackageStatement {
    /// The package name.
    pub(crate) name: String,
    /// The statement.
    pub(crate) span: SynSpan,
    /// How many diagnostics of the file came before the statement was
    /// lowered: a clash is reported at that point, where protoc reports it.
    pub(crate) diagnostics_before: usize,
}

/// Registers a package name and each of its prefixes as packages of `file`
/// (protoc's `AddPackage`); the messages of the clashes with other symbols.
pub(crate) fn add_package(pool: &mut Pool, file: FileId, package: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let mut prefix_end = 0;
    let mut names = Vec::new();
    for (i, c) in package.char_indices() {
        if c == '.' {
            names.push(&package[..i]);
        }
        prefix_end = i + c.len_utf8();
    }
    names.push(&package[..prefix_end]);
    for name in names {
        match pool
            .symbols
            .get(name.strip_prefix('.').unwrap_or(name))
            .copied()
        {
            None => {
                pool.symbols
                    .insert(FullName::new(name), Symbol::Package(file));
            }
            Some(Symbol::Package(_)) => {}
            Some(other) => {
                let other_file = pool.symbol_file(other);
                errors.push(format!(
                    "\"{name}\" is already defined (as something other than a package) in file \"{}\".",
                    pool[other_file].name
                ));
            }
        }
    }
    errors
}

/// The edition named by `edition = "…"`, as protoc's parser accepts it.
pub(crate) fn edition_value(name: &[u8]) -> Option<Edition> {
    Some(Edition(match name {
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
    }))
}

/// protoc's `MapEntryName`: `foo_bar` gives `FooBarEntry`.
pub(crate) fn map_entry_name(field_name: &str) -> String {
    let mut out = String::with_capacity(field_name.len() + 5);
    let mut cap_next = true;
    for c in field_name.chars() {
        if c == '_' {
            cap_next = true;
        } else if cap_next {
            out.push(c.to_ascii_uppercase());
            cap_next = false;
        } else {
            out.push(c);
        }
    }
    out.push_str("Entry");
    out
}

/// protoc's `ToJsonName`: drop underscores and upper-case the letter after each.
pub(crate) fn json_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut cap_next = false;
    for c in name.chars() {
        if c == '_' {
            cap_next = true;
        } else if cap_next {
            out.push(c.to_ascii_uppercase());
            cap_next = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn scalar(ty: ast::ScalarType) -> Scalar {
    match ty {
        ast::ScalarType::Double => Scalar::Double,
        ast::ScalarType::Float => Scalar::Float,
        ast::ScalarType::Int64 => Scalar::Int64,
        ast::ScalarType::Uint64 => Scalar::Uint64,
        ast::ScalarType::Int32 => Scalar::Int32,
        ast::ScalarType::Fixed64 => Scalar::Fixed64,
        ast::ScalarType::Fixed32 => Scalar::Fixed32,
        ast::ScalarType::Bool => Scalar::Bool,
        ast::ScalarType::String => Scalar::String,
        ast::ScalarType::Bytes => Scalar::Bytes,
        ast::ScalarType::Uint32 => Scalar::Uint32,
        ast::ScalarType::Sfixed32 => Scalar::Sfixed32,
        ast::ScalarType::Sfixed64 => Scalar::Sfixed64,
        ast::ScalarType::Sint32 => Scalar::Sint32,
        ast::ScalarType::Sint64 => Scalar::Sint64,
    }
}

// Field numbers of descriptor.proto used in source paths.
const FILE_PACKAGE: i32 = 2;
const FILE_DEPENDENCY: i32 = 3;
const FILE_MESSAGE: i32 = 4;
const FILE_ENUM: i32 = 5;
const FILE_SERVICE: i32 = 6;
const FILE_EXTENSION: i32 = 7;
const FILE_OPTIONS: i32 = 8;
const FILE_PUBLIC_DEPENDENCY: i32 = 10;
const FILE_WEAK_DEPENDENCY: i32 = 11;
const FILE_SYNTAX: i32 = 12;
const FILE_OPTION_DEPENDENCY: i32 = 15;
const MESSAGE_NAME: i32 = 1;
const MESSAGE_FIELD: i32 = 2;
const MESSAGE_NESTED: i32 = 3;
const MESSAGE_ENUM: i32 = 4;
const MESSAGE_EXTENSION_RANGE: i32 = 5;
const MESSAGE_EXTENSION: i32 = 6;
const MESSAGE_OPTIONS: i32 = 7;
const MESSAGE_ONEOF: i32 = 8;
const MESSAGE_RESERVED_RANGE: i32 = 9;
const MESSAGE_RESERVED_NAME: i32 = 10;
const FIELD_NAME: i32 = 1;
const FIELD_EXTENDEE: i32 = 2;
const FIELD_NUMBER: i32 = 3;
const FIELD_LABEL: i32 = 4;
const FIELD_TYPE: i32 = 5;
const FIELD_TYPE_NAME: i32 = 6;
const FIELD_DEFAULT: i32 = 7;
const FIELD_OPTIONS: i32 = 8;
const FIELD_JSON_NAME: i32 = 10;
const ONEOF_NAME: i32 = 1;
const ONEOF_OPTIONS: i32 = 2;
const ENUM_NAME: i32 = 1;
const ENUM_VALUE: i32 = 2;
const ENUM_OPTIONS: i32 = 3;
const ENUM_RESERVED_RANGE: i32 = 4;
const ENUM_RESERVED_NAME: i32 = 5;
const VALUE_NAME: i32 = 1;
const VALUE_NUMBER: i32 = 2;
const VALUE_OPTIONS: i32 = 3;
const SERVICE_NAME: i32 = 1;
const SERVICE_METHOD: i32 = 2;
const SERVICE_OPTIONS: i32 = 3;
const METHOD_NAME: i32 = 1;
const METHOD_INPUT: i32 = 2;
const METHOD_OUTPUT: i32 = 3;
const METHOD_OPTIONS: i32 = 4;
const METHOD_CLIENT_STREAMING: i32 = 5;
const METHOD_SERVER_STREAMING: i32 = 6;
const RANGE_START: i32 = 1;
const RANGE_END: i32 = 2;
const RANGE_OPTIONS: i32 = 3;
const UNINTERPRETED: i32 = 999;
const UNINTERPRETED_NAME: i32 = 2;
const NAME_PART: i32 = 1;
const FIELD_MAX_NUMBER: i32 = 536_870_911;

/// One kind of element created by lowering one file. Ids continue the
/// pool's: `base` is how many elements of this kind the files before this
/// one created, so the arena is appended to the pool as it is, with no id
/// rewritten (see [`Fragment`]).
#[derive(Debug)]
pub(crate) struct Arena<T> {
    base: usize,
    items: Vec<T>,
}

impl<T> Arena<T> {
    fn new(base: usize) -> Arena<T> {
        Arena {
            base,
            items: Vec::new(),
        }
    }

    /// The index the next element gets: the pool's length once merged.
    pub(crate) fn len(&self) -> usize {
        self.base + self.items.len()
    }

    pub(crate) fn push(&mut self, item: T) {
        self.items.push(item);
    }
}

impl<T> Default for Arena<T> {
    fn default() -> Arena<T> {
        Arena::new(0)
    }
}

impl<T> std::ops::Index<usize> for Arena<T> {
    type Output = T;
    fn index(&self, index: usize) -> &T {
        &self.items[index - self.base]
    }
}

impl<T> std::ops::IndexMut<usize> for Arena<T> {
    fn index_mut(&mut self, index: usize) -> &mut T {
        &mut self.items[index - self.base]
    }
}

/// How many elements of each kind a pool holds: where the next file's ids
/// start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    files: usize,
    messages: usize,
    fields: usize,
    oneofs: usize,
    enums: usize,
    enum_values: usize,
    services: usize,
    methods: usize,
}

impl Counts {
    /// The number of files (the next file's id).
    pub(crate) fn files(&self) -> usize {
        self.files
    }

    /// The lengths of `pool`'s arenas.
    pub(crate) fn of(pool: &Pool) -> Counts {
        Counts {
            files: pool.files.len(),
            messages: pool.messages.len(),
            fields: pool.fields.len(),
            oneofs: pool.oneofs.len(),
            enums: pool.enums.len(),
            enum_values: pool.enum_values.len(),
            services: pool.services.len(),
            methods: pool.methods.len(),
        }
    }
}

/// The elements of one lowered file, apart from the pool.
///
/// Lowering needs nothing of other files (the one exception, a package
/// name clashing with another file's symbol, is left to
/// [`Lowered::package`] and checked when the fragment is merged), so files
/// are lowered away from the pool, on the loading thread, while the pool's
/// owner links and checks the files before. The files are lowered in build
/// order, one after the other, so each fragment's ids start where the
/// previous file's ended and [`Pool::append`] only moves the elements.
#[derive(Debug, Default)]
pub(crate) struct Fragment {
    pub(crate) files: Arena<File>,
    pub(crate) messages: Arena<Message>,
    pub(crate) fields: Arena<Field>,
    pub(crate) oneofs: Arena<Oneof>,
    pub(crate) enums: Arena<Enum>,
    pub(crate) enum_values: Arena<EnumValue>,
    pub(crate) services: Arena<Service>,
    pub(crate) methods: Arena<Method>,
}

impl Fragment {
    /// An empty fragment whose ids start at `base`, holding `file` (whose id
    /// is `base.files`).
    pub(crate) fn new(base: Counts, file: File) -> Fragment {
        let mut files = Arena::new(base.files);
        files.push(file);
        Fragment {
            files,
            messages: Arena::new(base.messages),
            fields: Arena::new(base.fields),
            oneofs: Arena::new(base.oneofs),
            enums: Arena::new(base.enums),
            enum_values: Arena::new(base.enum_values),
            services: Arena::new(base.services),
            methods: Arena::new(base.methods),
        }
    }

    /// Where the fragment's ids start.
    fn base(&self) -> Counts {
        Counts {
            files: self.files.base,
            messages: self.messages.base,
            fields: self.fields.base,
            oneofs: self.oneofs.base,
            enums: self.enums.base,
            enum_values: self.enum_values.base,
            services: self.services.base,
            methods: self.methods.base,
        }
    }

    /// Where the next file's ids start.
    pub(crate) fn end(&self) -> Counts {
        Counts {
            files: self.files.len(),
            messages: self.messages.len(),
            fields: self.fields.len(),
            oneofs: self.oneofs.len(),
            enums: self.enums.len(),
            enum_values: self.enum_values.len(),
            services: self.services.len(),
            methods: self.methods.len(),
        }
    }
}

macro_rules! fragment_index {
    ($id:ty, $ty:ident, $field:ident) => {
        impl std::ops::Index<$id> for Fragment {
            type Output = $ty;
            fn index(&self, id: $id) -> &$ty {
                &self.$field[id.index()]
            }
        }
    };
}

fragment_index!(FileId, File, files);
fragment_index!(MessageId, Message, messages);
fragment_index!(FieldId, Field, fields);
fragment_index!(OneofId, Oneof, oneofs);
fragment_index!(crate::ir::EnumId, Enum, enums);
fragment_index!(ServiceId, Service, services);

impl Pool {
    /// Moves a lowered file's elements into the pool. `false` (and nothing
    /// moved) when the fragment's ids do not start at the pool's lengths,
    /// which would mean the files were not merged in the order they were
    /// lowered.
    pub(crate) fn append(&mut self, fragment: Fragment) -> bool {
        if fragment.base() != Counts::of(self) {
            return false;
        }
        self.files.extend(fragment.files.items);
        self.messages.extend(fragment.messages.items);
        self.fields.extend(fragment.fields.items);
        self.oneofs.extend(fragment.oneofs.items);
        self.enums.extend(fragment.enums.items);
        self.enum_values.extend(fragment.enum_values.items);
        self.services.extend(fragment.services.items);
        self.methods.extend(fragment.methods.items);
        true
    }
}

/// The inputs of [`lower_file`].
pub(crate) struct Input<'a> {
    /// The file's id (already reserved in the pool).
    pub(crate) id: FileId,
    /// The file's name.
    pub(crate) name: &'a str,
    /// The source.
    pub(crate) source: &'a Arc<[u8]>,
    /// Its line index.
    pub(crate) lines: &'a LineIndex,
    /// The tree.
    pub(crate) ast: &'a ast::File,
    /// Whether to record source locations.
    pub(crate) source_info: bool,
    /// Whether to keep comments on the elements.
    pub(crate) comments: bool,
}

struct Lowerer<'a, 'p> {
    pool: &'p mut Fragment,
    input: &'a Input<'a>,
    rec: Recorder<'a>,
    out: Lowered,
    diags: &'p mut Vec<Diagnostic>,
    syntax: Syntax,
    edition: Edition,
    package: String,
    path: Vec<i32>,
    /// Default features placeholder until the features phase runs.
    features: Features,
}

/// Lowers one parsed file into `pool` (which holds the file `input.id`).
pub(crate) fn lower_file(
    pool: &mut Fragment,
    input: &Input<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Lowered {
    let (syntax, edition) = match &input.ast.syntax {
        None => (Syntax::Proto2, Edition::PROTO2),
        Some(s) => match s.keyword {
            ast::SyntaxKeyword::Syntax => match s.value.value.as_slice() {
                b"proto3" => (Syntax::Proto3, Edition::PROTO3),
                _ => (Syntax::Proto2, Edition::PROTO2),
            },
            ast::SyntaxKeyword::Edition => (
                Syntax::Editions,
                edition_value(&s.value.value).unwrap_or(Edition::UNKNOWN),
            ),
        },
    };
    let features = Features::for_edition(edition);
    let mut lowerer = Lowerer {
        rec: Recorder::new(input.source, input.lines, input.source_info),
        pool,
        input,
        out: Lowered::default(),
        diags,
        syntax,
        edition,
        package: String::new(),
        path: Vec::new(),
        features,
    };
    lowerer.file();
    let Lowerer { rec, mut out, .. } = lowerer;
    out.locations = rec.locations;
    out
}

impl<'a> Lowerer<'a, '_> {
    /// The comments to keep on an element.
    fn comments(&self, comments: &Comments) -> Comments {
        if self.input.comments {
            comments.clone()
        } else {
            Comments::default()
        }
    }

    fn span(&self, range: SynSpan) -> Option<Span> {
        Some(Span {
            file: self.input.id,
            range,
        })
    }

    fn error_at(&mut self, kind: DiagnosticKind, span: SynSpan, message: String) {
        let lc = self.input.lines.line_col(self.input.source, span.start);
        self.diags
            .push(Diagnostic::error(kind, message).at(Position {
                file: self.input.name.to_string(),
                line: lc.line,
                col: lc.col,
                span,
            }));
    }

    /// Leaves the package's names to be registered when the file is
    /// merged into the pool ([`add_package`]), the only part of lowering that
    /// depends on other files.
    fn add_package(&mut self, package: &str, span: SynSpan) {
        self.out.packages.push(PackageStatement {
            name: package.to_string(),
            span,
            diagnostics_before: self.diags.len(),
        });
    }

    fn file(&mut self) {
        let ast = self.input.ast;
        // The root location spans the first token to the last.
        let first = next_token(self.input.source, bom(self.input.source));
        let last = ast
            .items
            .iter()
            .map(item_span)
            .chain(ast.syntax.as_ref().map(|s| s.span))
            .map(|s| s.end)
            .max()
            .unwrap_or(first as u32);
        self.rec
            .push(&[], first as u32, last.max(first as u32), None);

        if let Some(syntax) = &ast.syntax {
            self.rec
                .span(&[FILE_SYNTAX], syntax.span, Some(&syntax.comments));
            self.out.syntax_span = Some(syntax.span);
        }
        let file_id = self.input.id;
        let mut file_options = Vec::new();
        let mut public_count = 0;
        let mut weak_count = 0;
        for item in &ast.items {
            match item {
                ast::Item::Package(p) => {
                    self.rec.span(&[FILE_PACKAGE], p.span, Some(&p.comments));
                    let name = p.name.to_string();
                    self.out.package_span = Some(p.span);
                    self.package = name.clone();
                    self.pool.files[file_id.index()].package =
                        (!name.is_empty()).then(|| FullName::new(&name));
                    self.add_package(&name, p.span);
                }
                ast::Item::Import(import) => {
                    let name = import.path.to_string_lossy();
                    let option = matches!(import.modifier, Some((ast::ImportModifier::Option, _)));
                    let file = &mut self.pool.files[file_id.index()];
                    let dep = Dependency {
                        name: name.clone(),
                        file: None,
                        public: matches!(import.modifier, Some((ast::ImportModifier::Public, _))),
                        weak: matches!(import.modifier, Some((ast::ImportModifier::Weak, _))),
                        span: Some(Span {
                            file: file_id,
                            range: import.span,
                        }),
                    };
                    if option {
                        let index = file.option_dependencies.len() as i32;
                        file.option_dependencies.push(dep);
                        self.rec.span(
                            &[FILE_OPTION_DEPENDENCY, index],
                            import.span,
                            Some(&import.comments),
                        );
                    } else {
                        let index = file.dependencies.len() as i32;
                        file.dependencies.push(dep);
                        self.rec.span(
                            &[FILE_DEPENDENCY, index],
                            import.span,
                            Some(&import.comments),
                        );
                        match import.modifier {
                            Some((ast::ImportModifier::Public, span)) => {
                                self.rec
                                    .span(&[FILE_PUBLIC_DEPENDENCY, public_count], span, None);
                                public_count += 1;
                            }
                            Some((ast::ImportModifier::Weak, span)) => {
                                self.rec
                                    .span(&[FILE_WEAK_DEPENDENCY, weak_count], span, None);
                                weak_count += 1;
                            }
                            _ => {}
                        }
                    }
                    self.out.imports.push(ImportRef {
                        name,
                        span: import.span,
                        option,
                    });
                }
                ast::Item::Option(decl) => {
                    self.path.clear();
                    self.path.push(FILE_OPTIONS);
                    let index = file_options.len();
                    self.rec.span(&self.path.clone(), decl.span, None);
                    self.option_locations(decl, index, true);
                    file_options.push(decl.clone());
                }
                ast::Item::Message(m) => {
                    let index = self.pool.files[file_id.index()].messages.len() as i32;
                    self.path.clear();
                    self.path.extend([FILE_MESSAGE, index]);
                    let id = self.message(m, None);
                    self.pool.files[file_id.index()].messages.push(id);
                }
                ast::Item::Enum(e) => {
                    let index = self.pool.files[file_id.index()].enums.len() as i32;
                    self.path.clear();
                    self.path.extend([FILE_ENUM, index]);
                    let id = self.enumeration(e, None);
                    self.pool.files[file_id.index()].enums.push(id);
                }
                ast::Item::Service(s) => {
                    let index = self.pool.files[file_id.index()].services.len() as i32;
                    self.path.clear();
                    self.path.extend([FILE_SERVICE, index]);
                    let id = self.service(s);
                    self.pool.files[file_id.index()].services.push(id);
                }
                ast::Item::Extend(extend) => {
                    self.path.clear();
                    self.extend(extend, None);
                }
                ast::Item::Empty(_) => {}
            }
        }
        let package = self.package.clone();
        if !file_options.is_empty() {
            self.out.option_sets.push(OptionSet {
                target: OptionTarget::File(file_id),
                options_path: vec![FILE_OPTIONS],
                relative_to: format!("{package}.dummy"),
                decls: file_options,
                copied: false,
                force_present: false,
            });
        }
    }

    /// Records the locations of one option (statement or `[…]` entry) whose
    /// options message is at `self.path`.
    fn option_locations(&mut self, decl: &ast::OptionDecl, index: usize, statement: bool) {
        if !self.rec.enabled() {
            return;
        }
        let mut path = self.path.clone();
        path.extend([UNINTERPRETED, index as i32]);
        self.rec
            .span(&path, decl.span, statement.then_some(&decl.comments));
        path.push(UNINTERPRETED_NAME);
        self.rec.span(&path, decl.name.span, None);
        for (i, part) in decl.name.parts.iter().enumerate() {
            path.push(i as i32);
            self.rec.span(&path, part.span(), None);
            path.push(NAME_PART);
            match part {
                ast::OptionNamePart::Field(ident) => self.rec.span(&path, ident.span, None),
                ast::OptionNamePart::Extension(name, _) => self.rec.span(&path, name.span, None),
            }
            path.pop();
            path.pop();
        }
        path.pop();
        let value_field = match &decl.value {
            ast::OptionValue::Ident { .. } => 3,
            ast::OptionValue::Int(int) => {
                if int.minus.is_some() {
                    5
                } else {
                    4
                }
            }
            ast::OptionValue::Float(_) => 6,
            ast::OptionValue::String(_) => 7,
            ast::OptionValue::Aggregate(_) => 8,
            ast::OptionValue::Token(_) => 3,
        };
        path.push(value_field);
        self.rec.span(&path, decl.value.span(), None);
    }

    /// A scalar keyword's type; edition UNSTABLE gives the integer keywords
    /// fixed-width encodings (and rejects the old fixed-width keywords).
    fn scalar(&mut self, ty: ast::ScalarType, span: SynSpan) -> Scalar {
        let s = scalar(ty);
        if self.edition != Edition::UNSTABLE {
            return s;
        }
        let replacement = match s {
            Scalar::Fixed32 => Some("uint32"),
            Scalar::Fixed64 => Some("uint64"),
            Scalar::Sfixed32 => Some("int32"),
            Scalar::Sfixed64 => Some("int64"),
            Scalar::Sint32 => Some("zigzag32"),
            Scalar::Sint64 => Some("zigzag64"),
            _ => None,
        };
        if let Some(r) = replacement {
            self.error_at(
                DiagnosticKind::Invalid,
                span,
                format!(
                    "Type '{}' is obsolete in unstable editions, use '{r}' instead.",
                    s.keyword()
                ),
            );
            return Scalar::Int32;
        }
        match s {
            Scalar::Int32 => Scalar::Sfixed32,
            Scalar::Int64 => Scalar::Sfixed64,
            Scalar::Uint32 => Scalar::Fixed32,
            Scalar::Uint64 => Scalar::Fixed64,
            other => other,
        }
    }

    /// The varint type names of edition UNSTABLE.
    fn unstable_scalar(&self, name: &ast::TypeName) -> Option<Scalar> {
        if self.edition != Edition::UNSTABLE || name.leading_dot.is_some() || name.parts.len() != 1
        {
            return None;
        }
        Some(match name.parts[0].text.as_str() {
            "varint32" => Scalar::Int32,
            "varint64" => Scalar::Int64,
            "uvarint32" => Scalar::Uint32,
            "uvarint64" => Scalar::Uint64,
            "zigzag32" => Scalar::Sint32,
            "zigzag64" => Scalar::Sint64,
            _ => return None,
        })
    }

    fn unstable_scalar_of(&self, ty: &ast::FieldType) -> Option<Scalar> {
        match ty {
            ast::FieldType::Named(name) => self.unstable_scalar(name),
            _ => None,
        }
    }

    fn message(&mut self, m: &ast::Message, parent: Option<MessageId>) -> MessageId {
        let start = match m.visibility {
            Some((_, vis)) => next_token(self.input.source, vis.end as usize) as u32,
            None => m.span.start,
        };
        let message_path = self.path.clone();
        self.rec
            .push(&message_path, start, m.span.end, Some(&m.comments));
        let mut name_path = message_path.clone();
        name_path.push(MESSAGE_NAME);
        self.rec.span(&name_path, m.name.span, None);
        let visibility = if self.edition >= Edition::E2024 {
            m.visibility.map(|(v, _)| match v {
                ast::Visibility::Export => Visibility::Export,
                ast::Visibility::Local => Visibility::Local,
            })
        } else {
            None
        };
        let id = self.new_message(
            &m.name.text,
            parent,
            m.span,
            self.comments(&m.comments),
            visibility,
        );
        self.out.parts.insert(
            Symbol::Message(id),
            PartSpans {
                name: m.name.span,
                ..PartSpans::default()
            },
        );
        self.message_body(id, &m.body, &message_path);
        id
    }

    fn new_message(
        &mut self,
        name: &str,
        parent: Option<MessageId>,
        span: SynSpan,
        comments: Comments,
        visibility: Option<Visibility>,
    ) -> MessageId {
        let scope = match parent {
            Some(p) => self.pool[p].full_name.as_str().to_string(),
            None => self.package.clone(),
        };
        let full_name = FullName::join(&scope, name);
        let id = MessageId::from_index(self.pool.messages.len());
        self.pool.messages.push(Message {
            name: name.to_string(),
            full_name: full_name.clone(),
            file: self.input.id,
            parent,
            fields: Vec::new(),
            oneofs: Vec::new(),
            nested_messages: Vec::new(),
            nested_enums: Vec::new(),
            extensions: Vec::new(),
            extension_ranges: Vec::new(),
            reserved_ranges: Vec::new(),
            reserved_names: Vec::new(),
            options: Options::default(),
            features: self.features.clone(),
            map_entry: None,
            extended_by: Vec::new(),
            visibility,
            span: self.span(span),
            comments,
        });
        id
    }

    fn message_body(&mut self, id: MessageId, body: &ast::MessageBody, message_path: &[i32]) {
        let mut options = Vec::new();
        let mut range_sets: Vec<(usize, usize, Option<ast::CompactOptions>)> = Vec::new();
        for item in &body.items {
            self.path.clear();
            self.path.extend_from_slice(message_path);
            match item {
                ast::MessageItem::Field(f) => {
                    let index = self.pool[id].fields.len() as i32;
                    self.path.extend([MESSAGE_FIELD, index]);
                    self.field(f, Scope::Message(id), None, None, message_path);
                }
                ast::MessageItem::Message(m) => {
                    let index = self.pool[id].nested_messages.len() as i32;
                    self.path.extend([MESSAGE_NESTED, index]);
                    let nested = self.message(m, Some(id));
                    self.pool.messages[id.index()].nested_messages.push(nested);
                }
                ast::MessageItem::Enum(e) => {
                    let index = self.pool[id].nested_enums.len() as i32;
                    self.path.extend([MESSAGE_ENUM, index]);
                    let nested = self.enumeration(e, Some(id));
                    self.pool.messages[id.index()].nested_enums.push(nested);
                }
                ast::MessageItem::Extend(extend) => {
                    self.extend(extend, Some((id, message_path.to_vec())));
                }
                ast::MessageItem::Extensions(ext) => {
                    self.path.push(MESSAGE_EXTENSION_RANGE);
                    let range_path = self.path.clone();
                    self.rec.span(&range_path, ext.span, Some(&ext.comments));
                    let first = self.pool[id].extension_ranges.len();
                    for range in &ext.ranges {
                        let index = self.pool[id].extension_ranges.len() as i32;
                        let (start, end) = self.range(&range_path, index, range, true);
                        let message = &mut self.pool.messages[id.index()];
                        message.extension_ranges.push(ExtensionRange {
                            start,
                            end,
                            options: Options::default(),
                            features: self.features.clone(),
                        });
                        self.out
                            .extension_range_spans
                            .entry(id)
                            .or_default()
                            .push(range.span);
                    }
                    let last = self.pool[id].extension_ranges.len();
                    if let Some(opts) = &ext.options {
                        for i in first..last {
                            let mut path = range_path.clone();
                            path.extend([i as i32, RANGE_OPTIONS]);
                            self.rec.span(&path, opts.span, None);
                            self.path = path;
                            for (k, decl) in opts.options.iter().enumerate() {
                                self.option_locations(decl, k, false);
                            }
                        }
                    }
                    range_sets.push((first, last, ext.options.clone()));
                }
                ast::MessageItem::Reserved(reserved) => {
                    self.reserved_message(id, reserved);
                }
                ast::MessageItem::Option(decl) => {
                    self.path.push(MESSAGE_OPTIONS);
                    self.rec.span(&self.path.clone(), decl.span, None);
                    self.option_locations(decl, options.len(), true);
                    options.push(decl.clone());
                }
                ast::MessageItem::Oneof(oneof) => {
                    self.oneof(id, oneof, message_path);
                }
                ast::MessageItem::Empty(_) => {}
            }
        }
        // `max` in ranges depends on message_set_wire_format.
        let is_message_set = options.iter().any(|o| {
            o.name.parts.len() == 1
                && matches!(&o.name.parts[0], ast::OptionNamePart::Field(i) if i.text == "message_set_wire_format")
                && matches!(&o.value, ast::OptionValue::Ident { minus: None, ident } if ident.text == "true")
        });
        let max_end = if is_message_set {
            i32::MAX
        } else {
            FIELD_MAX_NUMBER + 1
        };
        let message = &mut self.pool.messages[id.index()];
        for range in &mut message.extension_ranges {
            if range.end == MAX_SENTINEL {
                range.end = max_end;
            }
        }
        for range in &mut message.reserved_ranges {
            if range.1 == MAX_SENTINEL {
                range.1 = max_end;
            }
        }
        if self.syntax == Syntax::Proto3 {
            self.synthetic_oneofs(id);
        }
        // Options to interpret, in protoc's order: oneofs, fields (done as
        // they were lowered), extension ranges, then the message itself.
        let full_name = self.pool[id].full_name.as_str().to_string();
        for (first, last, opts) in range_sets {
            if let Some(opts) = opts {
                for i in first..last {
                    let mut options_path = message_path.to_vec();
                    options_path.extend([MESSAGE_EXTENSION_RANGE, i as i32, RANGE_OPTIONS]);
                    if !opts.options.is_empty() {
                        self.out.option_sets.push(OptionSet {
                            target: OptionTarget::ExtensionRange(id, i),
                            options_path,
                            relative_to: full_name.clone(),
                            decls: opts.options.clone(),
                            copied: false,
                            force_present: false,
                        });
                    }
                }
            }
        }
        let mut options_path = message_path.to_vec();
        options_path.push(MESSAGE_OPTIONS);
        if !options.is_empty() {
            self.out.option_sets.push(OptionSet {
                target: OptionTarget::Message(id),
                options_path,
                relative_to: full_name.clone(),
                decls: options,
                copied: false,
                force_present: false,
            });
        }
    }

    fn synthetic_oneofs(&mut self, id: MessageId) {
        let mut names: std::collections::HashSet<String> = std::collections::HashSet::new();
        for f in &self.pool[id].fields {
            names.insert(self.pool[*f].name.clone());
        }
        for o in &self.pool[id].oneofs {
            names.insert(self.pool[*o].name.clone());
        }
        let fields = self.pool[id].fields.clone();
        for f in fields {
            if !self.pool[f].proto3_optional {
                continue;
            }
            let mut name = self.pool[f].name.clone();
            if !name.starts_with('_') {
                name.insert(0, '_');
            }
            while names.contains(&name) {
                name.insert(0, 'X');
            }
            names.insert(name.clone());
            let full_name = FullName::join(self.pool[id].full_name.as_str(), &name);
            let oneof = OneofId::from_index(self.pool.oneofs.len());
            self.pool.oneofs.push(Oneof {
                name,
                full_name: full_name.clone(),
                message: id,
                fields: vec![f],
                synthetic: true,
                options: Options::default(),
                features: self.features.clone(),
                span: self.pool[f].span,
                comments: Comments::default(),
            });
            self.pool.fields[f.index()].oneof = Some(oneof);
            self.pool.messages[id.index()].oneofs.push(oneof);
        }
    }

    /// Records a range's locations; returns start and exclusive end
    /// (`MAX_SENTINEL` for `max` in message ranges).
    fn range(
        &mut self,
        parent: &[i32],
        index: i32,
        range: &ast::Range,
        message: bool,
    ) -> (i32, i32) {
        let mut path = parent.to_vec();
        path.push(index);
        self.rec.span(&path, range.span, None);
        path.push(RANGE_START);
        self.rec.span(&path, range.start.span, None);
        path.pop();
        path.push(RANGE_END);
        let start = range.start.value() as i32;
        let end = match range.end {
            None => {
                self.rec.span(&path, range.start.span, None);
                start
            }
            Some(ast::RangeEnd::Int(int)) => {
                self.rec.span(&path, int.span, None);
                int.value() as i32
            }
            Some(ast::RangeEnd::Max(span)) => {
                self.rec.span(&path, span, None);
                if message {
                    return (start, MAX_SENTINEL);
                }
                i32::MAX
            }
        };
        if message {
            (start, end.saturating_add(1))
        } else {
            (start, end)
        }
    }

    fn reserved_message(&mut self, id: MessageId, reserved: &ast::Reserved) {
        match &reserved.kind {
            ast::ReservedKind::Ranges(ranges) => {
                self.path.push(MESSAGE_RESERVED_RANGE);
                let path = self.path.clone();
                self.rec
                    .span(&path, reserved.span, Some(&reserved.comments));
                for range in ranges {
                    let index = self.pool[id].reserved_ranges.len() as i32;
                    let r = self.range(&path, index, range, true);
                    self.pool.messages[id.index()].reserved_ranges.push(r);
                    self.out
                        .reserved_spans
                        .entry(id)
                        .or_default()
                        .push(range.span);
                }
            }
            ast::ReservedKind::Names(names) => {
                self.path.push(MESSAGE_RESERVED_NAME);
                let mut path = self.path.clone();
                self.rec
                    .span(&path, reserved.span, Some(&reserved.comments));
                for name in names {
                    let index = self.pool[id].reserved_names.len() as i32;
                    path.push(index);
                    self.rec.span(&path, name.span, None);
                    path.pop();
                    self.pool.messages[id.index()]
                        .reserved_names
                        .push(name.name.clone());
                }
            }
        }
    }

    fn oneof(&mut self, message: MessageId, oneof: &ast::Oneof, message_path: &[i32]) {
        let index = self.pool[message].oneofs.len() as i32;
        let mut oneof_path = message_path.to_vec();
        oneof_path.extend([MESSAGE_ONEOF, index]);
        self.rec
            .span(&oneof_path, oneof.span, Some(&oneof.comments));
        let mut name_path = oneof_path.clone();
        name_path.push(ONEOF_NAME);
        self.rec.span(&name_path, oneof.name.span, None);
        let full_name = FullName::join(self.pool[message].full_name.as_str(), &oneof.name.text);
        let id = OneofId::from_index(self.pool.oneofs.len());
        self.pool.oneofs.push(Oneof {
            name: oneof.name.text.clone(),
            full_name: full_name.clone(),
            message,
            fields: Vec::new(),
            synthetic: false,
            options: Options::default(),
            features: self.features.clone(),
            span: self.span(oneof.span),
            comments: self.comments(&oneof.comments),
        });
        self.pool.messages[message.index()].oneofs.push(id);
        self.out.parts.insert(
            Symbol::Oneof(id),
            PartSpans {
                name: oneof.name.span,
                ..PartSpans::default()
            },
        );
        let mut options = Vec::new();
        for item in &oneof.items {
            match item {
                ast::OneofItem::Option(decl) => {
                    self.path = oneof_path.clone();
                    self.path.push(ONEOF_OPTIONS);
                    self.rec.span(&self.path.clone(), decl.span, None);
                    self.option_locations(decl, options.len(), true);
                    options.push(decl.clone());
                }
                ast::OneofItem::Field(f) => {
                    let field_index = self.pool[message].fields.len() as i32;
                    self.path = message_path.to_vec();
                    self.path.extend([MESSAGE_FIELD, field_index]);
                    let field =
                        self.field(f, Scope::Message(message), None, Some(id), message_path);
                    self.pool.oneofs[id.index()].fields.push(field);
                }
            }
        }
        let mut options_path = oneof_path;
        options_path.push(ONEOF_OPTIONS);
        // protoc interprets oneof options before the fields' (oneofs are
        // built first); keep that order by inserting before the fields' sets.
        if !options.is_empty() {
            self.out.option_sets.push(OptionSet {
                target: OptionTarget::Oneof(id),
                options_path,
                relative_to: full_name.as_str().to_string(),
                decls: options,
                copied: false,
                force_present: false,
            });
        }
    }

    fn extend(&mut self, extend: &ast::Extend, message: Option<(MessageId, Vec<i32>)>) {
        let (scope, scope_path, ext_field) = match &message {
            Some((id, path)) => (Scope::Message(*id), path.clone(), MESSAGE_EXTENSION),
            None => (Scope::File(self.input.id), Vec::new(), FILE_EXTENSION),
        };
        let mut extend_path = scope_path.clone();
        extend_path.push(ext_field);
        self.rec
            .span(&extend_path, extend.span, Some(&extend.comments));
        let extendee_text = extend.extendee.to_string();
        for (index_in_block, f) in extend.fields.iter().enumerate() {
            let index = match scope {
                Scope::Message(id) => self.pool[id].extensions.len(),
                Scope::File(file) => self.pool[file].extensions.len(),
            } as i32;
            self.path = extend_path.clone();
            self.path.push(index);
            let extendee = (extendee_text.clone(), extend.extendee.span);
            let id = self.field(f, scope, Some(extendee), None, &scope_path);
            if index_in_block == 0 {
                if let Some(parts) = self.out.parts.get_mut(&Symbol::Field(id)) {
                    parts.extendee = Some(extend.extendee.span);
                }
            }
        }
    }

    /// Lowers a field or extension at `self.path`; `parent_path` is the path
    /// of the message (or file) where group and map-entry messages go.
    fn field(
        &mut self,
        f: &ast::Field,
        scope: Scope,
        extendee: Option<(String, SynSpan)>,
        oneof: Option<OneofId>,
        parent_path: &[i32],
    ) -> FieldId {
        let field_path = self.path.clone();
        let is_group = matches!(f.ty, ast::FieldType::Group(_));
        // Comments of a group belong to the group's message.
        self.rec
            .span(&field_path, f.span, (!is_group).then_some(&f.comments));
        let mut sub = field_path.clone();
        if let Some((_, span)) = &extendee {
            sub.push(FIELD_EXTENDEE);
            self.rec.span(&sub, *span, None);
            sub.pop();
        }
        let mut label = match f.label {
            Some((l, span)) => {
                sub.push(FIELD_LABEL);
                self.rec.span(&sub, span, None);
                sub.pop();
                Some(match l {
                    ast::Label::Optional => Label::Optional,
                    ast::Label::Required => Label::Required,
                    ast::Label::Repeated => Label::Repeated,
                })
            }
            None => None,
        };
        let proto3_optional =
            label == Some(Label::Optional) && self.syntax == Syntax::Proto3 && oneof.is_none();
        // Type.
        let (mut ty, type_name): (FieldType, Option<String>) = match &f.ty {
            ast::FieldType::Scalar(s, span) => {
                sub.push(FIELD_TYPE);
                self.rec.span(&sub, *span, None);
                sub.pop();
                (FieldType::Scalar(self.scalar(*s, *span)), None)
            }
            ast::FieldType::Named(name) if self.unstable_scalar(name).is_some() => {
                sub.push(FIELD_TYPE);
                self.rec.span(&sub, name.span, None);
                sub.pop();
                (
                    FieldType::Scalar(self.unstable_scalar(name).unwrap_or(Scalar::Int32)),
                    None,
                )
            }
            ast::FieldType::Named(name) => {
                sub.push(FIELD_TYPE_NAME);
                self.rec.span(&sub, name.span, None);
                sub.pop();
                (FieldType::Scalar(Scalar::Int32), Some(name.to_string()))
            }
            ast::FieldType::Map(_, _, span) => {
                sub.push(FIELD_TYPE_NAME);
                self.rec.span(&sub, *span, None);
                sub.pop();
                label = Some(Label::Repeated);
                (FieldType::Scalar(Scalar::Int32), None)
            }
            ast::FieldType::Group(span) => {
                sub.push(FIELD_TYPE);
                self.rec.span(&sub, *span, None);
                sub.pop();
                (FieldType::Scalar(Scalar::Int32), None)
            }
        };
        sub.push(FIELD_NAME);
        self.rec.span(&sub, f.name.span, None);
        sub.pop();
        sub.push(FIELD_NUMBER);
        self.rec.span(&sub, f.number.span, None);
        sub.pop();

        let name = if is_group {
            f.name.text.to_ascii_lowercase()
        } else {
            f.name.text.clone()
        };
        let scope_name = match scope {
            Scope::Message(id) => self.pool[id].full_name.as_str().to_string(),
            Scope::File(_) => self.package.clone(),
        };
        let full_name = FullName::join(&scope_name, &name);
        let id = FieldId::from_index(self.pool.fields.len());
        let label = label.unwrap_or(Label::Optional);
        let presence = match label {
            Label::Repeated => Presence::Repeated,
            Label::Required => Presence::Required,
            Label::Optional => Presence::Explicit,
        };
        self.pool.fields.push(Field {
            name: name.clone(),
            full_name: full_name.clone(),
            file: self.input.id,
            scope,
            extendee: None,
            number: f
                .number
                .value()
                .clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
            label,
            ty,
            oneof,
            proto3_optional,
            json_name: json_name(&name),
            has_explicit_json_name: false,
            default: None,
            presence,
            options: Options::default(),
            features: self.features.clone(),
            span: self.span(f.span),
            comments: if is_group {
                Comments::default()
            } else {
                self.comments(&f.comments)
            },
        });
        match scope {
            Scope::Message(m) if extendee.is_none() => {
                self.pool.messages[m.index()].fields.push(id);
            }
            Scope::Message(m) => self.pool.messages[m.index()].extensions.push(id),
            Scope::File(file) => self.pool.files[file.index()].extensions.push(id),
        }
        self.out.parts.insert(
            Symbol::Field(id),
            PartSpans {
                name: f.name.span,
                number: Some(f.number.span),
                ty: Some(f.ty.span()),
                ..PartSpans::default()
            },
        );
        if let Some((text, span)) = extendee {
            self.out.extendees.push((
                id,
                NameRef {
                    text,
                    span,
                    relative_to: full_name.as_str().to_string(),
                },
            ));
        }
        if let Some(name) = type_name {
            if let ast::FieldType::Named(tn) = &f.ty {
                self.out.field_types.push((
                    id,
                    NameRef {
                        text: name,
                        span: tn.span,
                        relative_to: full_name.as_str().to_string(),
                    },
                ));
            }
        }

        // `[…]` options.
        let mut options = Vec::new();
        if let Some(compact) = &f.options {
            let mut options_path = field_path.clone();
            options_path.push(FIELD_OPTIONS);
            self.rec.span(&options_path, compact.span, None);
            for decl in &compact.options {
                let single = match decl.name.parts.as_slice() {
                    [ast::OptionNamePart::Field(ident)] => Some(ident.text.as_str()),
                    _ => None,
                };
                match single {
                    Some("default") => {
                        sub.push(FIELD_DEFAULT);
                        self.rec.span(&sub, decl.value.span(), None);
                        sub.pop();
                        self.out.defaults.push((id, decl.value.clone()));
                        if let Some(parts) = self.out.parts.get_mut(&Symbol::Field(id)) {
                            parts.default = Some(decl.value.span());
                        }
                    }
                    Some("json_name") => {
                        sub.push(FIELD_JSON_NAME);
                        self.rec.span(&sub, decl.span, None);
                        self.rec.span(&sub, decl.value.span(), None);
                        sub.pop();
                        if let ast::OptionValue::String(s) = &decl.value {
                            let field = &mut self.pool.fields[id.index()];
                            field.json_name = s.to_string_lossy();
                            field.has_explicit_json_name = true;
                            self.out.json_names.push((id, decl.span));
                            if let Some(parts) = self.out.parts.get_mut(&Symbol::Field(id)) {
                                parts.json_name = Some(decl.span);
                            }
                        }
                    }
                    _ => {
                        self.path = options_path.clone();
                        self.option_locations(decl, options.len(), false);
                        options.push(decl.clone());
                    }
                }
            }
        }

        // Groups: the message goes into the parent's nested types.
        if is_group {
            let nested_index = match scope {
                Scope::Message(m) => self.pool[m].nested_messages.len(),
                Scope::File(file) => self.pool[file].messages.len(),
            } as i32;
            let mut group_path = parent_path.to_vec();
            group_path.push(if parent_path.is_empty() {
                FILE_MESSAGE
            } else {
                MESSAGE_NESTED
            });
            group_path.push(nested_index);
            self.rec
                .push(&group_path, f.span.start, f.span.end, Some(&f.comments));
            let mut group_name_path = group_path.clone();
            group_name_path.push(MESSAGE_NAME);
            self.rec.span(&group_name_path, f.name.span, None);
            sub.push(FIELD_TYPE_NAME);
            self.rec.span(&sub, f.name.span, None);
            sub.pop();
            let parent = match scope {
                Scope::Message(m) => Some(m),
                Scope::File(_) => None,
            };
            let group = self.new_message(
                &f.name.text,
                parent,
                f.span,
                self.comments(&f.comments),
                None,
            );
            self.out.parts.insert(
                Symbol::Message(group),
                PartSpans {
                    name: f.name.span,
                    ..PartSpans::default()
                },
            );
            match scope {
                Scope::Message(m) => self.pool.messages[m.index()].nested_messages.push(group),
                Scope::File(file) => self.pool.files[file.index()].messages.push(group),
            }
            if let Some(body) = &f.group_body {
                self.message_body(group, body, &group_path);
            }
            ty = FieldType::Group(group);
            self.pool.fields[id.index()].ty = ty;
        }

        // Map fields: synthesise the entry message.
        if let ast::FieldType::Map(key, value, _) = &f.ty {
            let entry_name = map_entry_name(&name);
            let parent = match scope {
                Scope::Message(m) => Some(m),
                Scope::File(_) => None,
            };
            let entry = self.new_message(&entry_name, parent, f.span, Comments::default(), None);
            let entry_full = self.pool[entry].full_name.as_str().to_string();
            match scope {
                Scope::Message(m) => self.pool.messages[m.index()].nested_messages.push(entry),
                Scope::File(file) => self.pool.files[file.index()].messages.push(entry),
            }
            let mut fields = Vec::new();
            for (number, (field_name, ty)) in
                [("key", key), ("value", value)].into_iter().enumerate()
            {
                let fid = FieldId::from_index(self.pool.fields.len());
                let full = FullName::join(&entry_full, field_name);
                let resolved = match ty.as_ref() {
                    ast::FieldType::Scalar(s, span) => FieldType::Scalar(self.scalar(*s, *span)),
                    ast::FieldType::Named(name) => {
                        FieldType::Scalar(self.unstable_scalar(name).unwrap_or(Scalar::Int32))
                    }
                    _ => FieldType::Scalar(Scalar::Int32),
                };
                self.pool.fields.push(Field {
                    name: field_name.to_string(),
                    full_name: full.clone(),
                    file: self.input.id,
                    scope: Scope::Message(entry),
                    extendee: None,
                    number: number as i32 + 1,
                    label: Label::Optional,
                    ty: resolved,
                    oneof: None,
                    proto3_optional: false,
                    json_name: field_name.to_string(),
                    has_explicit_json_name: false,
                    default: None,
                    presence: Presence::Explicit,
                    options: Options::default(),
                    features: self.features.clone(),
                    span: self.span(ty.span()),
                    comments: Comments::default(),
                });
                if let (ast::FieldType::Named(tn), None) =
                    (ty.as_ref(), self.unstable_scalar_of(ty))
                {
                    self.out.field_types.push((
                        fid,
                        NameRef {
                            text: tn.to_string(),
                            span: tn.span,
                            relative_to: full.as_str().to_string(),
                        },
                    ));
                }
                self.pool.messages[entry.index()].fields.push(fid);
                fields.push(fid);
                // Features written on the map field apply to key and value.
                let copied: Vec<ast::OptionDecl> = options
                    .iter()
                    .filter(|d| {
                        matches!(d.name.parts.first(), Some(ast::OptionNamePart::Field(i)) if i.text == "features")
                    })
                    .cloned()
                    .collect();
                if !copied.is_empty() {
                    {
                        self.out.option_sets.push(OptionSet {
                            target: OptionTarget::Field(fid),
                            options_path: Vec::new(),
                            relative_to: full.as_str().to_string(),
                            decls: copied,
                            copied: true,
                            force_present: false,
                        });
                    }
                }
            }
            let entry_message = &mut self.pool.messages[entry.index()];
            entry_message.map_entry = Some(crate::ir::MapEntry {
                key: fields[0],
                value: fields[1],
            });
            entry_message.options.present = true;
            entry_message.options.encoded = vec![0x38, 0x01];
            self.pool.fields[id.index()].ty = FieldType::Message(entry);
        }

        let mut options_path = field_path;
        options_path.push(FIELD_OPTIONS);
        if !options.is_empty() {
            self.out.option_sets.push(OptionSet {
                target: OptionTarget::Field(id),
                options_path,
                relative_to: full_name.as_str().to_string(),
                decls: options,
                copied: false,
                force_present: false,
            });
        }
        id
    }

    fn enumeration(&mut self, e: &ast::Enum, parent: Option<MessageId>) -> crate::ir::EnumId {
        let start = match e.visibility {
            Some((_, vis)) => next_token(self.input.source, vis.end as usize) as u32,
            None => e.span.start,
        };
        let enum_path = self.path.clone();
        self.rec
            .push(&enum_path, start, e.span.end, Some(&e.comments));
        let mut name_path = enum_path.clone();
        name_path.push(ENUM_NAME);
        self.rec.span(&name_path, e.name.span, None);
        let scope = match parent {
            Some(p) => self.pool[p].full_name.as_str().to_string(),
            None => self.package.clone(),
        };
        let full_name = FullName::join(&scope, &e.name.text);
        let id = crate::ir::EnumId::from_index(self.pool.enums.len());
        let visibility = if self.edition >= Edition::E2024 {
            e.visibility.map(|(v, _)| match v {
                ast::Visibility::Export => Visibility::Export,
                ast::Visibility::Local => Visibility::Local,
            })
        } else {
            None
        };
        self.pool.enums.push(Enum {
            name: e.name.text.clone(),
            full_name: full_name.clone(),
            file: self.input.id,
            parent,
            values: Vec::new(),
            reserved_ranges: Vec::new(),
            reserved_names: Vec::new(),
            options: Options::default(),
            features: self.features.clone(),
            visibility,
            span: self.span(e.span),
            comments: self.comments(&e.comments),
        });
        self.out.parts.insert(
            Symbol::Enum(id),
            PartSpans {
                name: e.name.span,
                ..PartSpans::default()
            },
        );
        let mut options = Vec::new();
        let mut value_sets = Vec::new();
        for item in &e.items {
            match item {
                ast::EnumItem::Value(v) => {
                    let index = self.pool[id].values.len() as i32;
                    let mut value_path = enum_path.clone();
                    value_path.extend([ENUM_VALUE, index]);
                    self.rec.span(&value_path, v.span, Some(&v.comments));
                    let mut sub = value_path.clone();
                    sub.push(VALUE_NAME);
                    self.rec.span(&sub, v.name.span, None);
                    sub.pop();
                    sub.push(VALUE_NUMBER);
                    self.rec.span(&sub, v.number.span, None);
                    sub.pop();
                    let value_full = FullName::join(&scope, &v.name.text);
                    let value_id = EnumValueId::from_index(self.pool.enum_values.len());
                    let mut value_options = Vec::new();
                    if let Some(compact) = &v.options {
                        sub.push(VALUE_OPTIONS);
                        self.rec.span(&sub, compact.span, None);
                        self.path = sub.clone();
                        for (k, decl) in compact.options.iter().enumerate() {
                            self.option_locations(decl, k, false);
                        }
                        value_options = compact.options.clone();
                    }
                    let number = v
                        .number
                        .value()
                        .clamp(i64::from(i32::MIN), i64::from(i32::MAX))
                        as i32;
                    self.pool.enum_values.push(EnumValue {
                        name: v.name.text.clone(),
                        full_name: value_full.clone(),
                        parent: id,
                        number,
                        options: Options::default(),
                        features: self.features.clone(),
                        span: self.span(v.span),
                        comments: self.comments(&v.comments),
                    });
                    self.pool.enums[id.index()].values.push(value_id);
                    self.out.parts.insert(
                        Symbol::EnumValue(value_id),
                        PartSpans {
                            name: v.name.span,
                            number: Some(v.number.span),
                            ty: None,
                            ..PartSpans::default()
                        },
                    );
                    let mut options_path = value_path;
                    options_path.push(VALUE_OPTIONS);
                    if !value_options.is_empty() {
                        value_sets.push(OptionSet {
                            target: OptionTarget::EnumValue(value_id),
                            options_path,
                            relative_to: value_full.as_str().to_string(),
                            decls: value_options,
                            copied: false,
                            force_present: false,
                        });
                    }
                }
                ast::EnumItem::Option(decl) => {
                    self.path = enum_path.clone();
                    self.path.push(ENUM_OPTIONS);
                    self.rec.span(&self.path.clone(), decl.span, None);
                    self.option_locations(decl, options.len(), true);
                    options.push(decl.clone());
                }
                ast::EnumItem::Reserved(reserved) => match &reserved.kind {
                    ast::ReservedKind::Ranges(ranges) => {
                        let mut path = enum_path.clone();
                        path.push(ENUM_RESERVED_RANGE);
                        self.rec
                            .span(&path, reserved.span, Some(&reserved.comments));
                        for range in ranges {
                            let index = self.pool[id].reserved_ranges.len() as i32;
                            let r = self.range(&path, index, range, false);
                            self.pool.enums[id.index()].reserved_ranges.push(r);
                            self.out
                                .enum_reserved_spans
                                .entry(id)
                                .or_default()
                                .push(range.span);
                        }
                    }
                    ast::ReservedKind::Names(names) => {
                        let mut path = enum_path.clone();
                        path.push(ENUM_RESERVED_NAME);
                        self.rec
                            .span(&path, reserved.span, Some(&reserved.comments));
                        for name in names {
                            let index = self.pool[id].reserved_names.len() as i32;
                            path.push(index);
                            self.rec.span(&path, name.span, None);
                            path.pop();
                            self.pool.enums[id.index()]
                                .reserved_names
                                .push(name.name.clone());
                        }
                    }
                },
                ast::EnumItem::Empty(_) => {}
            }
        }
        // protoc builds (and queues the options of) the values before the enum.
        self.out.option_sets.extend(value_sets);
        let mut options_path = enum_path;
        options_path.push(ENUM_OPTIONS);
        if !options.is_empty() {
            self.out.option_sets.push(OptionSet {
                target: OptionTarget::Enum(id),
                options_path,
                relative_to: full_name.as_str().to_string(),
                decls: options,
                copied: false,
                force_present: false,
            });
        }
        id
    }

    fn service(&mut self, s: &ast::Service) -> ServiceId {
        let service_path = self.path.clone();
        self.rec.span(&service_path, s.span, Some(&s.comments));
        let mut name_path = service_path.clone();
        name_path.push(SERVICE_NAME);
        self.rec.span(&name_path, s.name.span, None);
        let full_name = FullName::join(&self.package, &s.name.text);
        let id = ServiceId::from_index(self.pool.services.len());
        self.pool.services.push(Service {
            name: s.name.text.clone(),
            full_name: full_name.clone(),
            file: self.input.id,
            methods: Vec::new(),
            options: Options::default(),
            features: self.features.clone(),
            span: self.span(s.span),
            comments: self.comments(&s.comments),
        });
        self.out.parts.insert(
            Symbol::Service(id),
            PartSpans {
                name: s.name.span,
                ..PartSpans::default()
            },
        );
        let mut options = Vec::new();
        let mut method_sets = Vec::new();
        for item in &s.items {
            match item {
                ast::ServiceItem::Option(decl) => {
                    self.path = service_path.clone();
                    self.path.push(SERVICE_OPTIONS);
                    self.rec.span(&self.path.clone(), decl.span, None);
                    self.option_locations(decl, options.len(), true);
                    options.push(decl.clone());
                }
                ast::ServiceItem::Method(m) => {
                    let index = self.pool[id].methods.len() as i32;
                    let mut method_path = service_path.clone();
                    method_path.extend([SERVICE_METHOD, index]);
                    self.rec.span(&method_path, m.span, Some(&m.comments));
                    let mut sub = method_path.clone();
                    sub.push(METHOD_NAME);
                    self.rec.span(&sub, m.name.span, None);
                    sub.pop();
                    if let Some(stream) = m.input.stream {
                        sub.push(METHOD_CLIENT_STREAMING);
                        self.rec.span(&sub, stream, None);
                        sub.pop();
                    }
                    sub.push(METHOD_INPUT);
                    self.rec.span(&sub, m.input.ty.span, None);
                    sub.pop();
                    if let Some(stream) = m.output.stream {
                        sub.push(METHOD_SERVER_STREAMING);
                        self.rec.span(&sub, stream, None);
                        sub.pop();
                    }
                    sub.push(METHOD_OUTPUT);
                    self.rec.span(&sub, m.output.ty.span, None);
                    sub.pop();
                    let method_full = FullName::join(full_name.as_str(), &m.name.text);
                    let method_id = MethodId::from_index(self.pool.methods.len());
                    let mut method_options = Vec::new();
                    if let Some(body) = &m.body {
                        for item in &body.items {
                            if let ast::MethodItem::Option(decl) = item {
                                sub.push(METHOD_OPTIONS);
                                self.rec.span(&sub, decl.span, None);
                                self.path = sub.clone();
                                self.option_locations(decl, method_options.len(), true);
                                sub.pop();
                                method_options.push(decl.clone());
                            }
                        }
                    }
                    self.pool.methods.push(Method {
                        name: m.name.text.clone(),
                        full_name: method_full.clone(),
                        service: id,
                        input: MessageId(0),
                        output: MessageId(0),
                        client_streaming: m.input.stream.is_some(),
                        server_streaming: m.output.stream.is_some(),
                        options: Options::default(),
                        features: self.features.clone(),
                        span: self.span(m.span),
                        comments: self.comments(&m.comments),
                    });
                    self.pool.services[id.index()].methods.push(method_id);
                    self.out.parts.insert(
                        Symbol::Method(method_id),
                        PartSpans {
                            name: m.name.span,
                            ..PartSpans::default()
                        },
                    );
                    let relative_to = method_full.as_str().to_string();
                    self.out.methods.push((
                        method_id,
                        NameRef {
                            text: m.input.ty.to_string(),
                            span: m.input.ty.span,
                            relative_to: relative_to.clone(),
                        },
                        NameRef {
                            text: m.output.ty.to_string(),
                            span: m.output.ty.span,
                            relative_to: relative_to.clone(),
                        },
                    ));
                    let mut options_path = method_path;
                    options_path.push(METHOD_OPTIONS);
                    if !method_options.is_empty() || m.body.is_some() {
                        method_sets.push(OptionSet {
                            target: OptionTarget::Method(method_id),
                            options_path,
                            relative_to: relative_to.clone(),
                            decls: method_options,
                            copied: false,
                            force_present: m.body.is_some(),
                        });
                    }
                }
                ast::ServiceItem::Empty(_) => {}
            }
        }
        self.out.option_sets.extend(method_sets);
        let mut options_path = service_path;
        options_path.push(SERVICE_OPTIONS);
        if !options.is_empty() {
            self.out.option_sets.push(OptionSet {
                target: OptionTarget::Service(id),
                options_path,
                relative_to: full_name.as_str().to_string(),
                decls: options,
                copied: false,
                force_present: false,
            });
        }
        id
    }
}

/// `end` of a range written `to max` in a message, before the message's
/// options say which maximum applies.
const MAX_SENTINEL: i32 = -1;

fn bom(source: &[u8]) -> usize {
    if source.starts_with(&[0xef, 0xbb, 0xbf]) {
        3
    } else {
        0
    }
}

fn item_span(item: &ast::Item) -> SynSpan {
    match item {
        ast::Item::Package(p) => p.span,
        ast::Item::Import(i) => i.span,
        ast::Item::Option(o) => o.span,
        ast::Item::Message(m) => m.span,
        ast::Item::Enum(e) => e.span,
        ast::Item::Service(s) => s.span,
        ast::Item::Extend(e) => e.span,
        ast::Item::Empty(s) => *s,
    }
}

/// A new, empty file record for the pool (filled by lowering).
pub(crate) fn new_file(name: &str, source: Arc<[u8]>, ast: &ast::File) -> File {
    let (syntax, edition) = match &ast.syntax {
        None => (Syntax::Proto2, Edition::PROTO2),
        Some(s) => match s.keyword {
            ast::SyntaxKeyword::Syntax => match s.value.value.as_slice() {
                b"proto3" => (Syntax::Proto3, Edition::PROTO3),
                _ => (Syntax::Proto2, Edition::PROTO2),
            },
            ast::SyntaxKeyword::Edition => (
                Syntax::Editions,
                edition_value(&s.value.value).unwrap_or(Edition::UNKNOWN),
            ),
        },
    };
    File {
        name: name.to_string(),
        package: None,
        syntax,
        edition,
        dependencies: Vec::new(),
        option_dependencies: Vec::new(),
        messages: Vec::new(),
        enums: Vec::new(),
        services: Vec::new(),
        extensions: Vec::new(),
        options: Options::default(),
        features: Features::for_edition(edition),
        source: Some(source),
        source_code_info: None,
        comments: ast
            .syntax
            .as_ref()
            .map(|s| s.comments.clone())
            .unwrap_or_default(),
    }
}

/// Registers the full names of `file`'s elements in the order protoc's
/// `DescriptorBuilder` adds them (a message after its fields, nested enums,
/// extensions and nested messages; an enum after its values; a service
/// after its methods), reporting names defined twice where protoc does.
pub(crate) fn register_symbols(
    pool: &mut Pool,
    file: FileId,
    lowered: &Lowered,
    report: &mut dyn FnMut(Option<SynSpan>, String),
) {
    // The table is taken out so the elements can be read while it grows.
    let mut symbols = std::mem::take(&mut pool.symbols);
    let mut r = Registrar {
        pool,
        symbols: &mut symbols,
        file,
        lowered,
        report,
    };
    let f = &r.pool[file];
    for m in &f.messages {
        r.message(*m);
    }
    for e in &f.enums {
        r.enumeration(*e);
    }
    for s in &f.services {
        for m in &r.pool[*s].methods {
            r.add(&r.pool[*m].full_name, Symbol::Method(*m));
        }
        r.add(&r.pool[*s].full_name, Symbol::Service(*s));
    }
    for x in &f.extensions {
        r.add(&r.pool[*x].full_name, Symbol::Field(*x));
    }
    pool.symbols = symbols;
}

struct Registrar<'a, 'r> {
    pool: &'a Pool,
    symbols: &'a mut crate::fxhash::FxHashMap<FullName, Symbol>,
    file: FileId,
    lowered: &'a Lowered,
    report: &'a mut (dyn FnMut(Option<SynSpan>, String) + 'r),
}

impl<'a> Registrar<'a, '_> {
    fn span(&self, symbol: Symbol) -> Option<SynSpan> {
        if matches!(symbol, Symbol::Oneof(_)) {
            return None;
        }
        self.lowered.parts.get(&symbol).map(|p| p.name)
    }

    /// protoc's `AddSymbol`; false when the name was taken.
    fn add(&mut self, full_name: &FullName, symbol: Symbol) -> bool {
        let existing = match self.symbols.entry(full_name.clone()) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(symbol);
                return true;
            }
            std::collections::hash_map::Entry::Occupied(o) => *o.get(),
        };
        // Packages and elements of files built before are looked up in the
        // pool; elements of this file are in the pool too.
        let other_file = self.pool.symbol_file(existing);
        let message = if other_file == self.file {
            let parent = full_name.parent();
            if parent.is_empty() {
                format!("\"{full_name}\" is already defined.")
            } else {
                format!(
                    "\"{}\" is already defined in \"{parent}\".",
                    full_name.simple_name()
                )
            }
        } else {
            format!(
                "\"{full_name}\" is already defined in file \"{}\".",
                self.pool[other_file].name
            )
        };
        let span = self.span(symbol);
        (self.report)(span, message);
        false
    }

    fn message(&mut self, m: MessageId) {
        let pool: &'a Pool = self.pool;
        let message = &pool[m];
        for o in &message.oneofs {
            self.add(&pool[*o].full_name, Symbol::Oneof(*o));
        }
        for f in &message.fields {
            self.add(&pool[*f].full_name, Symbol::Field(*f));
        }
        for e in &message.nested_enums {
            self.enumeration(*e);
        }
        for f in &message.extensions {
            self.add(&pool[*f].full_name, Symbol::Field(*f));
        }
        for n in &message.nested_messages {
            self.message(*n);
        }
        self.add(&message.full_name, Symbol::Message(m));
    }

    fn enumeration(&mut self, e: crate::ir::EnumId) {
        let pool: &'a Pool = self.pool;
        let en = &pool[e];
        let mut inner: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for v in &en.values {
            let value = &pool[*v];
            let added_outer = self.add(&value.full_name, Symbol::EnumValue(*v));
            let added_inner = inner.insert(value.name.as_str());
            if added_inner && !added_outer {
                let scope = match en.parent {
                    Some(p) => pool[p].full_name.to_string(),
                    None => pool[self.file]
                        .package
                        .as_ref()
                        .map(FullName::to_string)
                        .unwrap_or_default(),
                };
                let scope = if scope.is_empty() {
                    "the global scope".to_string()
                } else {
                    format!("\"{scope}\"")
                };
                let span = self.span(Symbol::EnumValue(*v));
                (self.report)(
                    span,
                    format!(
                        "Note that enum values use C++ scoping rules, meaning that enum values are siblings of their type, not children of it.  Therefore, \"{}\" must be unique within {scope}, not just within \"{}\".",
                        value.name, en.name
                    ),
                );
            }
        }
        self.add(&en.full_name, Symbol::Enum(e));
    }
}
