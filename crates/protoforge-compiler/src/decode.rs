//! Reading a `FileDescriptorSet` back into the IR.
//!
//! This is how code generators get an IR when protoforge did not compile the
//! sources itself: `--descriptor_set_in`, or a `CodeGeneratorRequest` from
//! protoc when protoforge's generator runs as a protoc plugin. Descriptors
//! carry fully qualified names, so linking is a table lookup; features are
//! resolved from the `features` written in each options message, exactly as
//! the compiler resolves them; comments come from `source_code_info`.
//!
//! Files must come after the files they import (protoc's order); an import
//! missing from the set is allowed (the IR's [`Dependency::file`] is then
//! `None`) as long as nothing refers to its types.

use std::collections::HashMap;
use std::fmt;

use crate::ir::{
    Comments, DefaultValue, Dependency, Edition, Enum, EnumId, EnumValue, EnumValueId,
    ExtensionRange, Features, Field, FieldId, FieldType, File, FileId, FullName, Label, MapEntry,
    Message, MessageId, Method, MethodId, Oneof, OneofId, Options, Pool, Presence, Scalar, Scope,
    Service, ServiceId, SourceCodeInfo, Symbol, Syntax, Value, Visibility,
};
use crate::lower::OptionTarget;
use crate::options::typed_options;
use crate::wire::{FieldValue, Reader};

/// Why a descriptor set could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    message: String,
}

impl DecodeError {
    fn new(message: impl Into<String>) -> DecodeError {
        DecodeError {
            message: message.into(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

fn malformed(what: &str) -> DecodeError {
    DecodeError::new(format!("malformed {what}"))
}

/// Iterates the fields of a message, failing on malformed bytes.
pub(crate) fn fields<'a>(
    bytes: &'a [u8],
    what: &str,
) -> Result<Vec<(u32, FieldValue<'a>)>, DecodeError> {
    let mut reader = Reader::new(bytes);
    let mut out = Vec::new();
    while !reader.at_end() {
        out.push(reader.field().ok_or_else(|| malformed(what))?);
    }
    Ok(out)
}

fn string(value: FieldValue<'_>, what: &str) -> Result<String, DecodeError> {
    match value {
        FieldValue::Bytes(b) => Ok(String::from_utf8_lossy(b).into_owned()),
        _ => Err(malformed(what)),
    }
}

fn int(value: FieldValue<'_>, what: &str) -> Result<i32, DecodeError> {
    match value {
        FieldValue::Varint(v) => Ok(v as i64 as i32),
        _ => Err(malformed(what)),
    }
}

fn bytes<'a>(value: FieldValue<'a>, what: &str) -> Result<&'a [u8], DecodeError> {
    match value {
        FieldValue::Bytes(b) => Ok(b),
        _ => Err(malformed(what)),
    }
}

/// Repeated int32 values, packed or not.
fn ints(value: FieldValue<'_>, out: &mut Vec<i32>, what: &str) -> Result<(), DecodeError> {
    match value {
        FieldValue::Varint(v) => out.push(v as i64 as i32),
        FieldValue::Bytes(b) => {
            let mut r = Reader::new(b);
            while !r.at_end() {
                out.push(r.varint().ok_or_else(|| malformed(what))? as i64 as i32);
            }
        }
        _ => return Err(malformed(what)),
    }
    Ok(())
}

/// A field's type as the descriptor states it, before linking.
struct RawField {
    id: FieldId,
    ty: i32,
    type_name: Option<String>,
    extendee: Option<String>,
    /// `default_value` as read: a string field's default is its raw bytes,
    /// which need not be UTF-8 (proto2 strings are not checked).
    default: Option<Vec<u8>>,
}

struct Decoder {
    pool: Pool,
    raw_fields: Vec<RawField>,
    raw_methods: Vec<(MethodId, String, String)>,
    edition: Edition,
    file: FileId,
    package: String,
    features: Features,
}

impl Pool {
    /// Reads an encoded `FileDescriptorSet` into a pool.
    pub fn from_file_descriptor_set(bytes: &[u8]) -> Result<Pool, DecodeError> {
        let mut files = Vec::new();
        for (number, value) in fields(bytes, "FileDescriptorSet")? {
            if number == 1 {
                files.push(crate::decode::bytes(value, "FileDescriptorSet.file")?);
            }
        }
        Pool::from_file_descriptor_protos(&files)
    }

    /// Reads encoded `FileDescriptorProto`s (in dependency order) into a pool.
    pub fn from_file_descriptor_protos(files: &[&[u8]]) -> Result<Pool, DecodeError> {
        let mut decoder = Decoder::new(Pool::default());
        for file in files {
            decoder.file(file)?;
        }
        Ok(decoder.pool)
    }
}

/// The files of an encoded `FileDescriptorSet`, each with its name, in
/// order. Fails when the set or one of its files is not well-formed
/// protobuf.
pub(crate) fn descriptor_set_files(bytes: &[u8]) -> Result<Vec<(String, &[u8])>, DecodeError> {
    let mut out = Vec::new();
    for (number, value) in fields(bytes, "FileDescriptorSet")? {
        if number != 1 {
            continue;
        }
        let file = crate::decode::bytes(value, "FileDescriptorSet.file")?;
        let mut name = String::new();
        for (number, value) in fields(file, "FileDescriptorProto")? {
            if number == 1 {
                name = string(value, "file name")?;
            }
        }
        out.push((name, file));
    }
    Ok(out)
}

/// The import names of an encoded `FileDescriptorProto`: its dependencies,
/// then its option dependencies (the order protoc builds them in).
pub(crate) fn file_imports(bytes: &[u8]) -> Result<Vec<String>, DecodeError> {
    let mut regular = Vec::new();
    let mut option = Vec::new();
    for (number, value) in fields(bytes, "FileDescriptorProto")? {
        match number {
            3 => regular.push(string(value, "dependency")?),
            15 => option.push(string(value, "option_dependency")?),
            _ => {}
        }
    }
    regular.extend(option);
    Ok(regular)
}

/// Whether an encoded `FileDescriptorProto` has a `service`.
pub(crate) fn has_services(bytes: &[u8]) -> bool {
    fields(bytes, "FileDescriptorProto").is_ok_and(|parts| parts.iter().any(|(n, _)| *n == 6))
}

/// Reads one encoded `FileDescriptorProto` into `pool`, after the files it
/// imports. On error the pool may keep part of the file: the compilation
/// has failed then.
pub(crate) fn file_into_pool(pool: &mut Pool, bytes: &[u8]) -> Result<FileId, DecodeError> {
    let mut decoder = Decoder::new(std::mem::take(pool));
    let result = decoder.file(bytes);
    *pool = decoder.pool;
    result.map(|()| decoder.file)
}

impl Decoder {
    /// A decoder that adds files to `pool`.
    fn new(pool: Pool) -> Decoder {
        Decoder {
            pool,
            raw_fields: Vec::new(),
            raw_methods: Vec::new(),
            edition: Edition::PROTO2,
            file: FileId(0),
            package: String::new(),
            features: Features::for_edition(Edition::PROTO2),
        }
    }

    fn file(&mut self, bytes: &[u8]) -> Result<(), DecodeError> {
        let id = FileId::from_index(self.pool.files.len());
        self.file = id;
        self.raw_fields.clear();
        self.raw_methods.clear();
        let parts = fields(bytes, "FileDescriptorProto")?;
        let mut name = String::new();
        let mut package = String::new();
        let mut syntax = String::new();
        let mut edition = None;
        let mut deps = Vec::new();
        let mut public = Vec::new();
        let mut weak = Vec::new();
        let mut option_deps = Vec::new();
        let mut options = None;
        let mut source_info = None;
        for (number, value) in &parts {
            match number {
                1 => name = string(*value, "file name")?,
                2 => package = string(*value, "package")?,
                3 => deps.push(string(*value, "dependency")?),
                8 => options = Some(crate::decode::bytes(*value, "file options")?),
                9 => source_info = Some(crate::decode::bytes(*value, "source_code_info")?),
                10 => ints(*value, &mut public, "public_dependency")?,
                11 => ints(*value, &mut weak, "weak_dependency")?,
                12 => syntax = string(*value, "syntax")?,
                14 => edition = Some(int(*value, "edition")?),
                15 => option_deps.push(string(*value, "option_dependency")?),
                _ => {}
            }
        }
        let (syntax, edition) = match (syntax.as_str(), edition) {
            ("proto3", _) => (Syntax::Proto3, Edition::PROTO3),
            ("editions", Some(e)) => (Syntax::Editions, Edition(e)),
            ("" | "proto2", _) => (Syntax::Proto2, Edition::PROTO2),
            (other, _) => {
                return Err(DecodeError::new(format!(
                    "{name}: unknown syntax \"{other}\""
                )));
            }
        };
        if self.pool.files_by_name.contains_key(&name) {
            return Err(DecodeError::new(format!("{name}: the file appears twice")));
        }
        self.edition = edition;
        self.package = package.clone();
        self.features = Features::for_edition(edition);
        let dependency = |(i, dep): (usize, &String)| Dependency {
            name: dep.clone(),
            file: None,
            public: public.contains(&(i as i32)),
            weak: weak.contains(&(i as i32)),
            span: None,
        };
        let mut file = File {
            name: name.clone(),
            package: (!package.is_empty()).then(|| FullName::new(&package)),
            syntax,
            edition,
            dependencies: deps.iter().enumerate().map(dependency).collect(),
            option_dependencies: option_deps
                .iter()
                .map(|d| Dependency {
                    name: d.clone(),
                    file: None,
                    public: false,
                    weak: false,
                    span: None,
                })
                .collect(),
            messages: Vec::new(),
            enums: Vec::new(),
            services: Vec::new(),
            extensions: Vec::new(),
            options: Options::default(),
            features: self.features.clone(),
            source: None,
            source_code_info: None,
            comments: Comments::default(),
        };
        for dep in file
            .dependencies
            .iter_mut()
            .chain(file.option_dependencies.iter_mut())
        {
            dep.file = self.pool.files_by_name.get(&dep.name).copied();
        }
        if let Some(o) = options {
            file.options = typed_options(OptionTarget::File(id), o.to_vec());
        }
        self.pool.files.push(file);
        self.pool.files_by_name.insert(name.clone(), id);
        if !package.is_empty() {
            let mut prefix = String::new();
            for part in package.split('.') {
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(part);
                self.pool
                    .symbols
                    .entry(FullName::new(&prefix))
                    .or_insert(Symbol::Package(id));
            }
        }
        let mut path = Vec::new();
        for (number, value) in &parts {
            match number {
                4 => {
                    path = vec![4, self.pool.files[id.index()].messages.len() as i32];
                    let m = self.message(crate::decode::bytes(*value, "message")?, None, &path)?;
                    self.pool.files[id.index()].messages.push(m);
                }
                5 => {
                    path = vec![5, self.pool.files[id.index()].enums.len() as i32];
                    let e = self.enumeration(crate::decode::bytes(*value, "enum")?, None)?;
                    self.pool.files[id.index()].enums.push(e);
                }
                6 => {
                    let s = self.service(crate::decode::bytes(*value, "service")?)?;
                    self.pool.files[id.index()].services.push(s);
                }
                7 => {
                    let f = self.field(
                        crate::decode::bytes(*value, "extension")?,
                        Scope::File(id),
                        true,
                    )?;
                    self.pool.files[id.index()].extensions.push(f);
                }
                _ => {}
            }
        }
        let _ = path;
        self.link()?;
        self.resolve_features();
        if let Some(info) = source_info {
            let locations = source_code_info(info)?;
            self.attach_comments(&locations);
            self.pool.files[id.index()].source_code_info =
                Some(SourceCodeInfo::from_encoded(info.to_vec()));
        }
        Ok(())
    }

    fn add_symbol(&mut self, name: &FullName, symbol: Symbol) -> Result<(), DecodeError> {
        if self.pool.symbols.insert(name.clone(), symbol).is_some() {
            return Err(DecodeError::new(format!("\"{name}\" is defined twice")));
        }
        Ok(())
    }

    fn message(
        &mut self,
        bytes: &[u8],
        parent: Option<MessageId>,
        path: &[i32],
    ) -> Result<MessageId, DecodeError> {
        let parts = fields(bytes, "DescriptorProto")?;
        let mut name = String::new();
        for (number, value) in &parts {
            if *number == 1 {
                name = string(*value, "message name")?;
            }
        }
        let scope = match parent {
            Some(p) => self.pool[p].full_name.as_str().to_string(),
            None => self.package.clone(),
        };
        let full_name = FullName::join(&scope, &name);
        let id = MessageId::from_index(self.pool.messages.len());
        self.pool.messages.push(Message {
            name,
            full_name: full_name.clone(),
            file: self.file,
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
            visibility: None,
            span: None,
            comments: Comments::default(),
        });
        self.add_symbol(&full_name, Symbol::Message(id))?;
        // Oneofs first, so fields can point at them.
        for (number, value) in &parts {
            if *number == 8 {
                let mut oneof_name = String::new();
                let mut options = None;
                for (n, v) in fields(
                    crate::decode::bytes(*value, "oneof")?,
                    "OneofDescriptorProto",
                )? {
                    match n {
                        1 => oneof_name = string(v, "oneof name")?,
                        2 => options = Some(crate::decode::bytes(v, "oneof options")?.to_vec()),
                        _ => {}
                    }
                }
                let oneof = OneofId::from_index(self.pool.oneofs.len());
                let oneof_full = FullName::join(full_name.as_str(), &oneof_name);
                self.pool.oneofs.push(Oneof {
                    name: oneof_name,
                    full_name: oneof_full.clone(),
                    message: id,
                    fields: Vec::new(),
                    synthetic: false,
                    options: options
                        .map(|o| typed_options(OptionTarget::Oneof(oneof), o))
                        .unwrap_or_default(),
                    features: self.features.clone(),
                    span: None,
                    comments: Comments::default(),
                });
                self.pool.messages[id.index()].oneofs.push(oneof);
                self.add_symbol(&oneof_full, Symbol::Oneof(oneof))?;
            }
        }
        for (number, value) in &parts {
            match number {
                2 => {
                    let f = self.field(
                        crate::decode::bytes(*value, "field")?,
                        Scope::Message(id),
                        false,
                    )?;
                    self.pool.messages[id.index()].fields.push(f);
                }
                3 => {
                    let mut nested_path = path.to_vec();
                    nested_path.extend([3, self.pool[id].nested_messages.len() as i32]);
                    let m = self.message(
                        crate::decode::bytes(*value, "nested message")?,
                        Some(id),
                        &nested_path,
                    )?;
                    self.pool.messages[id.index()].nested_messages.push(m);
                }
                4 => {
                    let e =
                        self.enumeration(crate::decode::bytes(*value, "nested enum")?, Some(id))?;
                    self.pool.messages[id.index()].nested_enums.push(e);
                }
                5 => {
                    let index = self.pool[id].extension_ranges.len();
                    let mut range = ExtensionRange {
                        start: 0,
                        end: 0,
                        options: Options::default(),
                        features: self.features.clone(),
                    };
                    for (n, v) in fields(
                        crate::decode::bytes(*value, "extension range")?,
                        "ExtensionRange",
                    )? {
                        match n {
                            1 => range.start = int(v, "range start")?,
                            2 => range.end = int(v, "range end")?,
                            3 => {
                                range.options = typed_options(
                                    OptionTarget::ExtensionRange(id, index),
                                    crate::decode::bytes(v, "range options")?.to_vec(),
                                );
                            }
                            _ => {}
                        }
                    }
                    self.pool.messages[id.index()].extension_ranges.push(range);
                }
                6 => {
                    let f = self.field(
                        crate::decode::bytes(*value, "extension")?,
                        Scope::Message(id),
                        true,
                    )?;
                    self.pool.messages[id.index()].extensions.push(f);
                }
                7 => {
                    self.pool.messages[id.index()].options = typed_options(
                        OptionTarget::Message(id),
                        crate::decode::bytes(*value, "message options")?.to_vec(),
                    );
                }
                9 => {
                    let (mut start, mut end) = (0, 0);
                    for (n, v) in fields(
                        crate::decode::bytes(*value, "reserved range")?,
                        "ReservedRange",
                    )? {
                        match n {
                            1 => start = int(v, "reserved start")?,
                            2 => end = int(v, "reserved end")?,
                            _ => {}
                        }
                    }
                    self.pool.messages[id.index()]
                        .reserved_ranges
                        .push((start, end));
                }
                10 => {
                    let name = string(*value, "reserved name")?;
                    self.pool.messages[id.index()].reserved_names.push(name);
                }
                11 => {
                    self.pool.messages[id.index()].visibility =
                        visibility(int(*value, "visibility")?);
                }
                _ => {}
            }
        }
        // Synthetic oneofs hold exactly one proto3 `optional` field.
        for oneof in self.pool[id].oneofs.clone() {
            let members = &self.pool[oneof].fields;
            if members.len() == 1 && self.pool[members[0]].proto3_optional {
                self.pool.oneofs[oneof.index()].synthetic = true;
            }
        }
        Ok(id)
    }

    fn field(
        &mut self,
        bytes: &[u8],
        scope: Scope,
        extension: bool,
    ) -> Result<FieldId, DecodeError> {
        let id = FieldId::from_index(self.pool.fields.len());
        let mut name = String::new();
        let mut number = 0;
        let mut label = 1;
        let mut ty = 0;
        let mut type_name = None;
        let mut extendee = None;
        let mut default = None;
        let mut options = None;
        let mut oneof_index = None;
        let mut json_name = None;
        let mut proto3_optional = false;
        for (n, v) in fields(bytes, "FieldDescriptorProto")? {
            match n {
                1 => name = string(v, "field name")?,
                2 => extendee = Some(string(v, "extendee")?),
                3 => number = int(v, "field number")?,
                4 => label = int(v, "label")?,
                5 => ty = int(v, "type")?,
                6 => type_name = Some(string(v, "type_name")?),
                7 => default = Some(crate::decode::bytes(v, "default_value")?.to_vec()),
                8 => options = Some(crate::decode::bytes(v, "field options")?.to_vec()),
                9 => oneof_index = Some(int(v, "oneof_index")?),
                10 => json_name = Some(string(v, "json_name")?),
                17 => proto3_optional = int(v, "proto3_optional")? != 0,
                _ => {}
            }
        }
        let scope_name = match scope {
            Scope::Message(m) => self.pool[m].full_name.as_str().to_string(),
            Scope::File(_) => self.package.clone(),
        };
        let full_name = FullName::join(&scope_name, &name);
        let label = match label {
            2 => Label::Required,
            3 => Label::Repeated,
            _ => Label::Optional,
        };
        let oneof = match (oneof_index, scope, extension) {
            (Some(i), Scope::Message(m), false) => {
                let o = *self.pool[m].oneofs.get(i as usize).ok_or_else(|| {
                    DecodeError::new(format!("{full_name}: oneof_index {i} out of range"))
                })?;
                self.pool.oneofs[o.index()].fields.push(id);
                Some(o)
            }
            _ => None,
        };
        let default_json = crate::lower::json_name(&name);
        let json = json_name.unwrap_or_else(|| default_json.clone());
        self.pool.fields.push(Field {
            has_explicit_json_name: json != default_json,
            json_name: json,
            name,
            full_name: full_name.clone(),
            file: self.file,
            scope,
            extendee: None,
            number,
            label,
            ty: FieldType::Scalar(Scalar::from_type_number(ty).unwrap_or(Scalar::Int32)),
            oneof,
            proto3_optional,
            default: None,
            presence: Presence::Explicit,
            options: options
                .map(|o| typed_options(OptionTarget::Field(id), o))
                .unwrap_or_default(),
            features: self.features.clone(),
            span: None,
            comments: Comments::default(),
        });
        self.add_symbol(&full_name, Symbol::Field(id))?;
        self.raw_fields.push(RawField {
            id,
            ty,
            type_name,
            extendee,
            default,
        });
        Ok(id)
    }

    fn enumeration(
        &mut self,
        bytes: &[u8],
        parent: Option<MessageId>,
    ) -> Result<EnumId, DecodeError> {
        let id = EnumId::from_index(self.pool.enums.len());
        let parts = fields(bytes, "EnumDescriptorProto")?;
        let mut e = Enum {
            name: String::new(),
            full_name: FullName::default(),
            file: self.file,
            parent,
            values: Vec::new(),
            reserved_ranges: Vec::new(),
            reserved_names: Vec::new(),
            options: Options::default(),
            features: self.features.clone(),
            visibility: None,
            span: None,
            comments: Comments::default(),
        };
        for (n, v) in &parts {
            match n {
                1 => e.name = string(*v, "enum name")?,
                3 => {
                    e.options = typed_options(
                        OptionTarget::Enum(id),
                        crate::decode::bytes(*v, "enum options")?.to_vec(),
                    )
                }
                4 => {
                    let (mut start, mut end) = (0, 0);
                    for (k, x) in fields(
                        crate::decode::bytes(*v, "enum reserved range")?,
                        "EnumReservedRange",
                    )? {
                        match k {
                            1 => start = int(x, "reserved start")?,
                            2 => end = int(x, "reserved end")?,
                            _ => {}
                        }
                    }
                    e.reserved_ranges.push((start, end));
                }
                5 => e.reserved_names.push(string(*v, "reserved name")?),
                6 => e.visibility = visibility(int(*v, "visibility")?),
                _ => {}
            }
        }
        let scope = match parent {
            Some(p) => self.pool[p].full_name.as_str().to_string(),
            None => self.package.clone(),
        };
        e.full_name = FullName::join(&scope, &e.name);
        let full_name = e.full_name.clone();
        self.pool.enums.push(e);
        self.add_symbol(&full_name, Symbol::Enum(id))?;
        for (n, v) in &parts {
            if *n != 2 {
                continue;
            }
            let value_id = EnumValueId::from_index(self.pool.enum_values.len());
            let mut value = EnumValue {
                name: String::new(),
                full_name: FullName::default(),
                parent: id,
                number: 0,
                options: Options::default(),
                features: self.features.clone(),
                span: None,
                comments: Comments::default(),
            };
            for (k, x) in fields(
                crate::decode::bytes(*v, "enum value")?,
                "EnumValueDescriptorProto",
            )? {
                match k {
                    1 => value.name = string(x, "enum value name")?,
                    2 => value.number = int(x, "enum value number")?,
                    3 => {
                        value.options = typed_options(
                            OptionTarget::EnumValue(value_id),
                            crate::decode::bytes(x, "enum value options")?.to_vec(),
                        );
                    }
                    _ => {}
                }
            }
            value.full_name = FullName::join(&scope, &value.name);
            let value_full = value.full_name.clone();
            self.pool.enum_values.push(value);
            self.pool.enums[id.index()].values.push(value_id);
            self.pool
                .symbols
                .entry(value_full)
                .or_insert(Symbol::EnumValue(value_id));
        }
        Ok(id)
    }

    fn service(&mut self, bytes: &[u8]) -> Result<ServiceId, DecodeError> {
        let id = ServiceId::from_index(self.pool.services.len());
        let parts = fields(bytes, "ServiceDescriptorProto")?;
        let mut name = String::new();
        let mut options = Options::default();
        for (n, v) in &parts {
            match n {
                1 => name = string(*v, "service name")?,
                3 => {
                    options = typed_options(
                        OptionTarget::Service(id),
                        crate::decode::bytes(*v, "service options")?.to_vec(),
                    )
                }
                _ => {}
            }
        }
        let full_name = FullName::join(&self.package, &name);
        self.pool.services.push(Service {
            name,
            full_name: full_name.clone(),
            file: self.file,
            methods: Vec::new(),
            options,
            features: self.features.clone(),
            span: None,
            comments: Comments::default(),
        });
        self.add_symbol(&full_name, Symbol::Service(id))?;
        for (n, v) in &parts {
            if *n != 2 {
                continue;
            }
            let method_id = MethodId::from_index(self.pool.methods.len());
            let mut method = Method {
                name: String::new(),
                full_name: FullName::default(),
                service: id,
                input: MessageId(0),
                output: MessageId(0),
                client_streaming: false,
                server_streaming: false,
                options: Options::default(),
                features: self.features.clone(),
                span: None,
                comments: Comments::default(),
            };
            let (mut input, mut output) = (String::new(), String::new());
            for (k, x) in fields(crate::decode::bytes(*v, "method")?, "MethodDescriptorProto")? {
                match k {
                    1 => method.name = string(x, "method name")?,
                    2 => input = string(x, "input_type")?,
                    3 => output = string(x, "output_type")?,
                    4 => {
                        method.options = typed_options(
                            OptionTarget::Method(method_id),
                            crate::decode::bytes(x, "method options")?.to_vec(),
                        );
                    }
                    5 => method.client_streaming = int(x, "client_streaming")? != 0,
                    6 => method.server_streaming = int(x, "server_streaming")? != 0,
                    _ => {}
                }
            }
            method.full_name = FullName::join(full_name.as_str(), &method.name);
            let method_full = method.full_name.clone();
            self.pool.methods.push(method);
            self.pool.services[id.index()].methods.push(method_id);
            self.add_symbol(&method_full, Symbol::Method(method_id))?;
            self.raw_methods.push((method_id, input, output));
        }
        Ok(id)
    }

    /// Resolves a (normally fully qualified) name from a descriptor.
    fn resolve(&self, name: &str, relative_to: &str) -> Option<Symbol> {
        if let Some(full) = name.strip_prefix('.') {
            return self.pool.lookup(full);
        }
        // Relative names, as protoc's lookup would find them.
        let mut scope = relative_to.to_string();
        loop {
            let candidate = if scope.is_empty() {
                name.to_string()
            } else {
                format!("{scope}.{name}")
            };
            if let Some(symbol) = self.pool.lookup(&candidate) {
                return Some(symbol);
            }
            match scope.rfind('.') {
                Some(dot) => scope.truncate(dot),
                None if !scope.is_empty() => scope.clear(),
                None => return None,
            }
        }
    }

    fn link(&mut self) -> Result<(), DecodeError> {
        let raw = std::mem::take(&mut self.raw_fields);
        for f in &raw {
            let full = self.pool[f.id].full_name.clone();
            let parent = full.parent().to_string();
            if let Some(extendee) = &f.extendee {
                match self.resolve(extendee, &parent) {
                    Some(Symbol::Message(m)) => {
                        self.pool.fields[f.id.index()].extendee = Some(m);
                        let number = self.pool[f.id].number;
                        self.pool.extensions_by_number.insert((m, number), f.id);
                        self.pool.messages[m.index()].extended_by.push(f.id);
                    }
                    _ => {
                        // protoc's descriptor builder's wording.
                        return Err(DecodeError::new(format!("\"{extendee}\" is not defined.")));
                    }
                }
            }
            let ty = match (f.ty, &f.type_name) {
                (10 | 11 | 14 | 0, Some(name)) => match self.resolve(name, &parent) {
                    Some(Symbol::Message(m)) if f.ty == 10 => FieldType::Group(m),
                    Some(Symbol::Message(m)) if f.ty != 14 => FieldType::Message(m),
                    Some(Symbol::Enum(e)) if f.ty == 14 || f.ty == 0 => FieldType::Enum(e),
                    _ => {
                        return Err(DecodeError::new(format!("\"{name}\" is not defined.")));
                    }
                },
                (t, _) => match Scalar::from_type_number(t) {
                    Some(s) => FieldType::Scalar(s),
                    None => return Err(DecodeError::new(format!("{full}: invalid type {t}"))),
                },
            };
            self.pool.fields[f.id.index()].ty = ty;
            if let Some(raw) = &f.default {
                let text = String::from_utf8_lossy(raw).into_owned();
                let value = match ty {
                    FieldType::Scalar(Scalar::String) => Value::Bytes(raw.clone()),
                    _ => default_value(&self.pool, ty, &text).ok_or_else(|| {
                        DecodeError::new(format!("{full}: invalid default value \"{text}\""))
                    })?,
                };
                self.pool.fields[f.id.index()].default = Some(DefaultValue { value, text });
            }
        }
        // Map entries.
        for f in &raw {
            if let Some(m) = self.pool[f.id].ty.message() {
                let mut reader = Reader::new(&self.pool[m].options.encoded);
                let mut is_entry = false;
                while let Some((n, v)) = reader.field() {
                    if n == 7 {
                        is_entry = v == FieldValue::Varint(1);
                    }
                }
                let is_entry = is_entry && self.pool[m].fields.len() == 2;
                if is_entry && self.pool[f.id].label == Label::Repeated {
                    let fields = self.pool[m].fields.clone();
                    self.pool.messages[m.index()].map_entry = Some(MapEntry {
                        key: fields[0],
                        value: fields[1],
                    });
                }
            }
        }
        let methods = std::mem::take(&mut self.raw_methods);
        for (id, input, output) in methods {
            let relative = self.pool[id].full_name.as_str().to_string();
            let resolve = |name: &str| match self.resolve(name, &relative) {
                Some(Symbol::Message(m)) => Ok(m),
                _ => Err(DecodeError::new(format!(
                    "{relative}: type \"{name}\" is not a message in the set"
                ))),
            };
            let (input, output) = (resolve(&input)?, resolve(&output)?);
            self.pool.methods[id.index()].input = input;
            self.pool.methods[id.index()].output = output;
        }
        Ok(())
    }

    fn resolve_features(&mut self) {
        let file = self.file;
        let mut written = crate::features::Written::default();
        let pool = &self.pool;
        let mut add = |target: OptionTarget, options: &Options| {
            if !options.features.is_empty() || options.packed.is_some() {
                written
                    .0
                    .insert(target, (options.features.clone(), options.packed));
            }
        };
        add(OptionTarget::File(file), &pool[file].options);
        for (id, m) in pool.messages() {
            if m.file != file {
                continue;
            }
            add(OptionTarget::Message(id), &m.options);
            for (i, r) in m.extension_ranges.iter().enumerate() {
                add(OptionTarget::ExtensionRange(id, i), &r.options);
            }
        }
        for (id, f) in pool.fields() {
            if f.file == file {
                add(OptionTarget::Field(id), &f.options);
            }
        }
        for (id, o) in pool.oneofs() {
            if pool[o.message].file == file {
                add(OptionTarget::Oneof(id), &o.options);
            }
        }
        for (id, e) in pool.enums() {
            if e.file == file {
                add(OptionTarget::Enum(id), &e.options);
                for v in &e.values {
                    add(OptionTarget::EnumValue(*v), &pool[*v].options);
                }
            }
        }
        for (id, s) in pool.services() {
            if s.file == file {
                add(OptionTarget::Service(id), &s.options);
                for m in &s.methods {
                    add(OptionTarget::Method(*m), &pool[*m].options);
                }
            }
        }
        // proto2's `required` and groups are written as labels and types;
        // editions files carry them as features, which resolution turns back.
        crate::features::resolve_file(&mut self.pool, file, &written);
    }

    fn attach_comments(&mut self, locations: &[crate::ir::Location]) {
        let by_path: HashMap<&[i32], Comments> = locations
            .iter()
            .filter(|l| {
                l.leading_comments.is_some()
                    || l.trailing_comments.is_some()
                    || !l.leading_detached_comments.is_empty()
            })
            .map(|l| {
                (
                    l.path.as_slice(),
                    Comments {
                        leading: l.leading_comments.clone(),
                        trailing: l.trailing_comments.clone(),
                        detached: l.leading_detached_comments.clone(),
                    },
                )
            })
            .collect();
        if by_path.is_empty() {
            return;
        }
        let file = self.file;
        let pool = &mut self.pool;
        if let Some(c) = by_path.get(&[12][..]) {
            pool.files[file.index()].comments = c.clone();
        }
        fn message(
            pool: &mut Pool,
            id: MessageId,
            path: &mut Vec<i32>,
            by_path: &HashMap<&[i32], Comments>,
        ) {
            if let Some(c) = by_path.get(path.as_slice()) {
                pool.messages[id.index()].comments = c.clone();
            }
            let m = pool[id].clone();
            for (i, f) in m.fields.iter().enumerate() {
                path.extend([2, i as i32]);
                if let Some(c) = by_path.get(path.as_slice()) {
                    pool.fields[f.index()].comments = c.clone();
                }
                path.truncate(path.len() - 2);
            }
            for (i, f) in m.extensions.iter().enumerate() {
                path.extend([6, i as i32]);
                if let Some(c) = by_path.get(path.as_slice()) {
                    pool.fields[f.index()].comments = c.clone();
                }
                path.truncate(path.len() - 2);
            }
            for (i, o) in m.oneofs.iter().enumerate() {
                path.extend([8, i as i32]);
                if let Some(c) = by_path.get(path.as_slice()) {
                    pool.oneofs[o.index()].comments = c.clone();
                }
                path.truncate(path.len() - 2);
            }
            for (i, n) in m.nested_messages.iter().enumerate() {
                path.extend([3, i as i32]);
                message(pool, *n, path, by_path);
                path.truncate(path.len() - 2);
            }
            for (i, e) in m.nested_enums.iter().enumerate() {
                path.extend([4, i as i32]);
                enumeration(pool, *e, path, by_path);
                path.truncate(path.len() - 2);
            }
        }
        fn enumeration(
            pool: &mut Pool,
            id: EnumId,
            path: &mut Vec<i32>,
            by_path: &HashMap<&[i32], Comments>,
        ) {
            if let Some(c) = by_path.get(path.as_slice()) {
                pool.enums[id.index()].comments = c.clone();
            }
            for (i, v) in pool[id].values.clone().iter().enumerate() {
                path.extend([2, i as i32]);
                if let Some(c) = by_path.get(path.as_slice()) {
                    pool.enum_values[v.index()].comments = c.clone();
                }
                path.truncate(path.len() - 2);
            }
        }
        let f = pool[file].clone();
        let mut path = Vec::new();
        for (i, m) in f.messages.iter().enumerate() {
            path = vec![4, i as i32];
            message(pool, *m, &mut path, &by_path);
        }
        for (i, e) in f.enums.iter().enumerate() {
            path = vec![5, i as i32];
            enumeration(pool, *e, &mut path, &by_path);
        }
        for (i, s) in f.services.iter().enumerate() {
            path = vec![6, i as i32];
            if let Some(c) = by_path.get(path.as_slice()) {
                pool.services[s.index()].comments = c.clone();
            }
            for (j, m) in pool[*s].methods.clone().iter().enumerate() {
                path.extend([2, j as i32]);
                if let Some(c) = by_path.get(path.as_slice()) {
                    pool.methods[m.index()].comments = c.clone();
                }
                path.truncate(2);
            }
        }
        for (i, e) in f.extensions.iter().enumerate() {
            path = vec![7, i as i32];
            if let Some(c) = by_path.get(path.as_slice()) {
                pool.fields[e.index()].comments = c.clone();
            }
        }
        let _ = path;
    }
}

fn visibility(v: i32) -> Option<Visibility> {
    match v {
        1 => Some(Visibility::Local),
        2 => Some(Visibility::Export),
        _ => None,
    }
}

/// The locations of an encoded `SourceCodeInfo`, as far as they decode.
pub(crate) fn locations(bytes: &[u8]) -> Vec<crate::ir::Location> {
    let mut out = Vec::new();
    let mut reader = Reader::new(bytes);
    while let Some((n, v)) = reader.field() {
        if let (1, FieldValue::Bytes(b)) = (n, v) {
            match location(b) {
                Ok(l) => out.push(l),
                Err(_) => break,
            }
        }
    }
    out
}

fn location(bytes: &[u8]) -> Result<crate::ir::Location, DecodeError> {
    let mut location = crate::ir::Location::default();
    for (k, x) in fields(bytes, "Location")? {
        match k {
            1 => ints(x, &mut location.path, "path")?,
            2 => ints(x, &mut location.span, "span")?,
            3 => location.leading_comments = Some(string(x, "leading_comments")?),
            4 => location.trailing_comments = Some(string(x, "trailing_comments")?),
            6 => location
                .leading_detached_comments
                .push(string(x, "detached comments")?),
            _ => {}
        }
    }
    Ok(location)
}

fn source_code_info(bytes: &[u8]) -> Result<Vec<crate::ir::Location>, DecodeError> {
    let mut info = Vec::new();
    for (n, v) in fields(bytes, "SourceCodeInfo")? {
        if n != 1 {
            continue;
        }
        info.push(location(crate::decode::bytes(v, "location")?)?);
    }
    Ok(info)
}

/// The typed value of a descriptor's `default_value` text.
fn default_value(pool: &Pool, ty: FieldType, text: &str) -> Option<Value> {
    Some(match ty {
        FieldType::Scalar(s) => match s {
            Scalar::Bool => Value::Bool(match text {
                "true" => true,
                "false" => false,
                _ => return None,
            }),
            Scalar::Int32
            | Scalar::Sint32
            | Scalar::Sfixed32
            | Scalar::Int64
            | Scalar::Sint64
            | Scalar::Sfixed64 => Value::Int(text.parse().ok()?),
            Scalar::Uint32 | Scalar::Fixed32 | Scalar::Uint64 | Scalar::Fixed64 => {
                Value::Uint(text.parse().ok()?)
            }
            Scalar::Float | Scalar::Double => Value::Float(match text {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                "nan" | "-nan" => f64::NAN,
                _ => text.parse().ok()?,
            }),
            Scalar::String => Value::Bytes(text.as_bytes().to_vec()),
            Scalar::Bytes => Value::Bytes(c_unescape(text)?),
        },
        FieldType::Enum(e) => Value::Enum(*pool[e].values.iter().find(|v| pool[**v].name == text)?),
        FieldType::Message(_) | FieldType::Group(_) => return None,
    })
}

/// Undoes absl's `CEscape` (and accepts the other C escapes).
fn c_unescape(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let e = *bytes.get(i + 1)?;
        i += 2;
        match e {
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match bytes.get(i) {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(v as u8);
            }
            b'x' | b'X' => {
                let mut v = 0u32;
                let mut digits = 0;
                while let Some(d) = bytes.get(i).and_then(|d| (*d as char).to_digit(16)) {
                    v = v * 16 + d;
                    i += 1;
                    digits += 1;
                    if digits == 2 {
                        break;
                    }
                }
                if digits == 0 {
                    return None;
                }
                out.push(v as u8);
            }
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'\\' | b'\'' | b'"' | b'?' => out.push(e),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_escapes_round_trip() {
        let raw = b"a\n\"\x00\xff'\\".to_vec();
        assert_eq!(c_unescape(&crate::text::c_escape(&raw)), Some(raw));
        assert_eq!(c_unescape("\\q"), None);
    }

    #[test]
    fn malformed_sets_are_errors() {
        assert!(Pool::from_file_descriptor_set(&[0x0a, 0x05, 0x01]).is_err());
        assert!(Pool::from_file_descriptor_set(&[]).is_ok());
    }
}
