//! The descriptor-set writer: IR to `FileDescriptorProto` and
//! `FileDescriptorSet` bytes, exactly as protoc's `-o` writes them.
//!
//! protoc builds each `FileDescriptorProto` with `CopyTo`, adds source info
//! when asked, then (unless `--retain_options`) strips source-retention
//! options by reparsing the whole proto with the pool's own
//! `descriptor.proto` when the pool has one, and finally sets `json_name` on
//! every field. Fields are written in field-number order, as protobuf's C++
//! serializer does. The options bytes come from [`Options::encoded`]; the
//! reparse and stripping are done with [`DynMessage`].

use std::collections::HashSet;

use crate::dynamic::DynMessage;
use crate::ir::{
    EnumId, FieldId, FieldType, FileId, Label, MessageId, MethodId, Options, Pool, Scope,
    ServiceId, Symbol, Visibility,
};
use crate::wire::{
    LEN, put_bool, put_bytes, put_int32, put_message, put_tag, put_uint, put_varint,
};

/// How to write a descriptor set, as protoc's flags say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DescriptorSetOptions {
    /// `--include_imports`: also write every file the requested files import.
    pub include_imports: bool,
    /// `--include_source_info`: write `source_code_info`.
    pub include_source_info: bool,
    /// `--retain_options`: keep options with `retention = RETENTION_SOURCE`.
    pub retain_options: bool,
}

struct Writer<'a> {
    pool: &'a Pool,
    builtin: &'a Pool,
    options: DescriptorSetOptions,
    /// The schema used to strip options: the pool's own `descriptor.proto`
    /// when it has one, else the built-in one.
    strip_schema: &'a Pool,
    /// Paths of options removed by stripping.
    stripped: Vec<Vec<i32>>,
    path: Vec<i32>,
}

impl Pool {
    /// The files protoc's `-o` writes for `files`, in its order: each file
    /// after its imports (option imports included); imports only when
    /// `include_imports` (or when they are themselves requested).
    pub fn descriptor_set_files(&self, files: &[FileId], include_imports: bool) -> Vec<FileId> {
        let mut seen: HashSet<FileId> = HashSet::new();
        if !include_imports {
            let requested: HashSet<FileId> = files.iter().copied().collect();
            for &f in files {
                for dep in self[f]
                    .dependencies
                    .iter()
                    .chain(&self[f].option_dependencies)
                {
                    if let Some(d) = dep.file {
                        if !requested.contains(&d) {
                            seen.insert(d);
                        }
                    }
                }
            }
        }
        let mut out = Vec::new();
        fn visit(pool: &Pool, file: FileId, seen: &mut HashSet<FileId>, out: &mut Vec<FileId>) {
            if !seen.insert(file) {
                return;
            }
            for dep in pool[file]
                .dependencies
                .iter()
                .chain(&pool[file].option_dependencies)
            {
                if let Some(d) = dep.file {
                    visit(pool, d, seen, out);
                }
            }
            out.push(file);
        }
        for &f in files {
            visit(self, f, &mut seen, &mut out);
        }
        out
    }

    /// The `FileDescriptorSet` protoc's `-o` writes for `files` with these
    /// flags.
    ///
    /// Files are encoded on all available cores and joined in order.
    pub fn file_descriptor_set(&self, files: &[FileId], options: DescriptorSetOptions) -> Vec<u8> {
        let order = self.descriptor_set_files(files, options.include_imports);
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, order.len().max(1));
        // Each thread writes whole `file` records for its share of the files
        // into one buffer; the buffers are then joined in order.
        let records = |part: &[FileId]| {
            let mut out = Vec::new();
            for f in part {
                let proto = self.file_descriptor_proto(*f, options);
                put_bytes(&mut out, 1, &proto);
            }
            out
        };
        if threads <= 1 || order.len() < 16 {
            return records(&order);
        }
        let chunk = order.len().div_ceil(threads);
        let mut parts: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let handles: Vec<_> = order
                .chunks(chunk)
                .map(|part| scope.spawn(move || records(part)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        let total: usize = parts.iter().map(Vec::len).sum();
        let mut rest = parts.split_off(1);
        let mut out = parts.pop().unwrap_or_default();
        out.reserve_exact(total - out.len());
        for part in rest.drain(..) {
            out.extend_from_slice(&part);
        }
        out
    }

    /// One file's `FileDescriptorProto` as protoc writes it in a descriptor
    /// set with these flags (`include_imports` is ignored).
    pub fn file_descriptor_proto(&self, file: FileId, options: DescriptorSetOptions) -> Vec<u8> {
        let builtin = crate::builtin::schema();
        let strip_schema = match self.lookup("google.protobuf.FileDescriptorProto") {
            Some(Symbol::Message(_)) => self,
            _ => builtin,
        };
        let mut writer = Writer {
            pool: self,
            builtin,
            options,
            strip_schema,
            stripped: Vec::new(),
            path: Vec::new(),
        };
        writer.file(file)
    }
}

impl Writer<'_> {
    /// The options message to write at `self.path` (which ends with the
    /// options field number), or `None` when there is none.
    fn options(&mut self, options: &Options, type_name: &str) -> Option<Vec<u8>> {
        if !options.present {
            return None;
        }
        if self.options.retain_options {
            return Some(options.encoded.clone());
        }
        let schema = self.strip_schema;
        let Some(Symbol::Message(ty)) = schema.lookup(type_name) else {
            return Some(options.encoded.clone());
        };
        let mut message = DynMessage::new(ty);
        if !message.merge_bytes(schema, &options.encoded, 0) {
            return Some(options.encoded.clone());
        }
        let was_nonempty = !message.is_empty();
        let mut path = self.path.clone();
        message.strip_source_retention(schema, &mut path, &mut self.stripped);
        if was_nonempty && message.is_empty() {
            self.stripped.push(self.path.clone());
            return None;
        }
        let bytes = message.to_bytes(schema);
        if std::ptr::eq(schema, self.builtin) {
            return Some(bytes);
        }
        // Parse back into the options type compiled into protoc.
        let Some(Symbol::Message(generated)) = self.builtin.lookup(type_name) else {
            return Some(bytes);
        };
        let mut back = DynMessage::new(generated);
        back.merge_bytes(self.builtin, &bytes, 0);
        Some(back.to_bytes(self.builtin))
    }

    fn put_options(&mut self, out: &mut Vec<u8>, number: u32, options: &Options, type_name: &str) {
        self.path.push(number as i32);
        if let Some(bytes) = self.options(options, type_name) {
            put_bytes(out, number, &bytes);
        }
        self.path.pop();
    }

    fn file(&mut self, id: FileId) -> Vec<u8> {
        let pool = self.pool;
        let file = &pool[id];
        let mut out = Vec::new();
        put_bytes(&mut out, 1, file.name.as_bytes());
        if let Some(package) = &file.package {
            put_bytes(&mut out, 2, package.as_str().as_bytes());
        }
        for dep in &file.dependencies {
            put_bytes(&mut out, 3, dep.name.as_bytes());
        }
        for (i, m) in file.messages.iter().enumerate() {
            self.path = vec![4, i as i32];
            let bytes = self.message(*m);
            put_bytes(&mut out, 4, &bytes);
        }
        for (i, e) in file.enums.iter().enumerate() {
            self.path = vec![5, i as i32];
            let bytes = self.enumeration(*e);
            put_bytes(&mut out, 5, &bytes);
        }
        for (i, s) in file.services.iter().enumerate() {
            self.path = vec![6, i as i32];
            let bytes = self.service(*s);
            put_bytes(&mut out, 6, &bytes);
        }
        for (i, f) in file.extensions.iter().enumerate() {
            self.path = vec![7, i as i32];
            let bytes = self.field(*f);
            put_bytes(&mut out, 7, &bytes);
        }
        self.path.clear();
        self.put_options(&mut out, 8, &file.options, "google.protobuf.FileOptions");
        if self.options.include_source_info {
            if let Some(info) = &file.source_code_info {
                if self.stripped.is_empty() {
                    put_bytes(&mut out, 9, info.encoded());
                } else {
                    let mut locations = info.locations();
                    crate::source_info::strip_paths(&mut locations, &self.stripped);
                    let stripped = crate::ir::SourceCodeInfo::from_locations(&locations);
                    put_bytes(&mut out, 9, stripped.encoded());
                }
            }
        }
        for (i, dep) in file.dependencies.iter().enumerate() {
            if dep.public {
                put_int32(&mut out, 10, i as i32);
            }
        }
        for (i, dep) in file.dependencies.iter().enumerate() {
            if dep.weak {
                put_int32(&mut out, 11, i as i32);
            }
        }
        match file.syntax {
            crate::ir::Syntax::Proto2 => {}
            crate::ir::Syntax::Proto3 => put_bytes(&mut out, 12, b"proto3"),
            crate::ir::Syntax::Editions => {
                put_bytes(&mut out, 12, b"editions");
                put_int32(&mut out, 14, file.edition.0);
            }
        }
        for dep in &file.option_dependencies {
            put_bytes(&mut out, 15, dep.name.as_bytes());
        }
        out
    }

    fn message(&mut self, id: MessageId) -> Vec<u8> {
        let pool = self.pool;
        let m = &pool[id];
        let base = self.path.clone();
        let mut out = Vec::new();
        put_bytes(&mut out, 1, m.name.as_bytes());
        for (i, f) in m.fields.iter().enumerate() {
            self.path = base.clone();
            self.path.extend([2, i as i32]);
            let bytes = self.field(*f);
            put_bytes(&mut out, 2, &bytes);
        }
        for (i, n) in m.nested_messages.iter().enumerate() {
            self.path = base.clone();
            self.path.extend([3, i as i32]);
            let bytes = self.message(*n);
            put_bytes(&mut out, 3, &bytes);
        }
        for (i, e) in m.nested_enums.iter().enumerate() {
            self.path = base.clone();
            self.path.extend([4, i as i32]);
            let bytes = self.enumeration(*e);
            put_bytes(&mut out, 4, &bytes);
        }
        for (i, range) in m.extension_ranges.iter().enumerate() {
            self.path = base.clone();
            self.path.extend([5, i as i32]);
            let mut body = Vec::new();
            put_int32(&mut body, 1, range.start);
            put_int32(&mut body, 2, range.end);
            self.put_options(
                &mut body,
                3,
                &range.options,
                "google.protobuf.ExtensionRangeOptions",
            );
            put_bytes(&mut out, 5, &body);
        }
        for (i, f) in m.extensions.iter().enumerate() {
            self.path = base.clone();
            self.path.extend([6, i as i32]);
            let bytes = self.field(*f);
            put_bytes(&mut out, 6, &bytes);
        }
        self.path = base.clone();
        self.put_options(&mut out, 7, &m.options, "google.protobuf.MessageOptions");
        for (i, o) in m.oneofs.iter().enumerate() {
            self.path = base.clone();
            self.path.extend([8, i as i32]);
            let oneof = &pool[*o];
            let mut body = Vec::new();
            put_bytes(&mut body, 1, oneof.name.as_bytes());
            self.put_options(&mut body, 2, &oneof.options, "google.protobuf.OneofOptions");
            put_bytes(&mut out, 8, &body);
        }
        for (start, end) in &m.reserved_ranges {
            put_message(&mut out, 9, |body| {
                put_int32(body, 1, *start);
                put_int32(body, 2, *end);
            });
        }
        for name in &m.reserved_names {
            put_bytes(&mut out, 10, name.as_bytes());
        }
        if let Some(v) = m.visibility {
            put_int32(&mut out, 11, visibility_number(v));
        }
        self.path = base;
        out
    }

    fn field(&mut self, id: FieldId) -> Vec<u8> {
        let pool = self.pool;
        let f = &pool[id];
        let editions = pool[f.file].edition.is_editions();
        let mut out = Vec::new();
        put_bytes(&mut out, 1, f.name.as_bytes());
        if let Some(extendee) = f.extendee {
            put_bytes(&mut out, 2, pool[extendee].full_name.type_name().as_bytes());
        }
        put_int32(&mut out, 3, f.number);
        let label = if editions && f.label == Label::Required {
            Label::Optional
        } else {
            f.label
        };
        put_int32(&mut out, 4, label.number());
        let ty = match f.ty {
            FieldType::Group(_) if editions => 11,
            other => other.type_number(),
        };
        put_int32(&mut out, 5, ty);
        let type_name = match f.ty {
            FieldType::Message(m) | FieldType::Group(m) => Some(pool[m].full_name.type_name()),
            FieldType::Enum(e) => Some(pool[e].full_name.type_name()),
            FieldType::Scalar(_) => None,
        };
        if let Some(name) = type_name {
            put_bytes(&mut out, 6, name.as_bytes());
        }
        if let Some(default) = &f.default {
            match &default.value {
                crate::ir::Value::Bytes(b)
                    if matches!(f.ty, FieldType::Scalar(crate::ir::Scalar::String)) =>
                {
                    put_bytes(&mut out, 7, b);
                }
                _ => put_bytes(&mut out, 7, default.text.as_bytes()),
            }
        }
        self.put_options(&mut out, 8, &f.options, "google.protobuf.FieldOptions");
        if let (Some(oneof), None) = (f.oneof, f.extendee) {
            if let Scope::Message(m) = f.scope {
                if let Some(index) = pool[m].oneofs.iter().position(|o| *o == oneof) {
                    put_int32(&mut out, 9, index as i32);
                }
            }
        }
        put_bytes(&mut out, 10, f.json_name.as_bytes());
        if f.proto3_optional {
            put_bool(&mut out, 17, true);
        }
        out
    }

    fn enumeration(&mut self, id: EnumId) -> Vec<u8> {
        let pool = self.pool;
        let e = &pool[id];
        let base = self.path.clone();
        let mut out = Vec::new();
        put_bytes(&mut out, 1, e.name.as_bytes());
        for (i, v) in e.values.iter().enumerate() {
            self.path = base.clone();
            self.path.extend([2, i as i32]);
            let value = &pool[*v];
            let mut body = Vec::new();
            put_bytes(&mut body, 1, value.name.as_bytes());
            put_int32(&mut body, 2, value.number);
            self.put_options(
                &mut body,
                3,
                &value.options,
                "google.protobuf.EnumValueOptions",
            );
            put_bytes(&mut out, 2, &body);
        }
        self.path = base.clone();
        self.put_options(&mut out, 3, &e.options, "google.protobuf.EnumOptions");
        for (start, end) in &e.reserved_ranges {
            put_message(&mut out, 4, |body| {
                put_int32(body, 1, *start);
                put_int32(body, 2, *end);
            });
        }
        for name in &e.reserved_names {
            put_bytes(&mut out, 5, name.as_bytes());
        }
        if let Some(v) = e.visibility {
            put_int32(&mut out, 6, visibility_number(v));
        }
        self.path = base;
        out
    }

    fn service(&mut self, id: ServiceId) -> Vec<u8> {
        let pool = self.pool;
        let s = &pool[id];
        let base = self.path.clone();
        let mut out = Vec::new();
        put_bytes(&mut out, 1, s.name.as_bytes());
        for (i, m) in s.methods.iter().enumerate() {
            self.path = base.clone();
            self.path.extend([2, i as i32]);
            let bytes = self.method(*m);
            put_bytes(&mut out, 2, &bytes);
        }
        self.path = base.clone();
        self.put_options(&mut out, 3, &s.options, "google.protobuf.ServiceOptions");
        self.path = base;
        out
    }

    fn method(&mut self, id: MethodId) -> Vec<u8> {
        let pool = self.pool;
        let m = &pool[id];
        let mut out = Vec::new();
        put_bytes(&mut out, 1, m.name.as_bytes());
        put_bytes(&mut out, 2, pool[m.input].full_name.type_name().as_bytes());
        put_bytes(&mut out, 3, pool[m.output].full_name.type_name().as_bytes());
        self.put_options(&mut out, 4, &m.options, "google.protobuf.MethodOptions");
        if m.client_streaming {
            put_bool(&mut out, 5, true);
        }
        if m.server_streaming {
            put_bool(&mut out, 6, true);
        }
        out
    }
}

fn visibility_number(v: Visibility) -> i32 {
    match v {
        Visibility::Local => 1,
        Visibility::Export => 2,
    }
}

pub(crate) fn put_packed_int32(out: &mut Vec<u8>, number: u32, values: &[i32]) {
    if values.is_empty() {
        return;
    }
    let mut body = Vec::with_capacity(values.len() * 2);
    for v in values {
        put_varint(&mut body, i64::from(*v) as u64);
    }
    put_tag(out, number, LEN);
    put_varint(out, body.len() as u64);
    out.extend_from_slice(&body);
}

#[allow(dead_code)]
fn put_enum(out: &mut Vec<u8>, number: u32, value: i32) {
    put_uint(out, number, i64::from(value) as u64);
}
