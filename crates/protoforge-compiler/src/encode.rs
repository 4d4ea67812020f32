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
    LEN, put_bool, put_bytes, put_int32, put_message, put_tag, put_uint, put_varint, varint_len,
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
        let mut out = Vec::new();
        let done = self.each_record(files, options, |record| {
            out.extend_from_slice(record);
            Ok::<(), std::convert::Infallible>(())
        });
        match done {
            Ok(()) => out,
            Err(never) => match never {},
        }
    }

    /// Writes the `FileDescriptorSet` protoc's `-o` writes for `files` with
    /// these flags to `out`, one file at a time as they are encoded: the
    /// whole set is never in memory.
    ///
    /// Files are encoded on all available cores and written in order; only
    /// the files being encoded, and those finished ahead of an earlier one
    /// still being encoded, are held.
    pub fn write_file_descriptor_set(
        &self,
        files: &[FileId],
        options: DescriptorSetOptions,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        self.each_record(files, options, |record| out.write_all(record))
    }

    /// Gives `sink` each file's record of the set (its `file` field: tag,
    /// length and `FileDescriptorProto`), in order; stops at `sink`'s first
    /// error.
    fn each_record<E>(
        &self,
        files: &[FileId],
        options: DescriptorSetOptions,
        mut sink: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let order = self.descriptor_set_files(files, options.include_imports);
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, order.len().max(1));
        let builtin = crate::builtin::schema();
        let record = |out: &mut Vec<u8>, file: FileId| {
            out.clear();
            put_message(out, 1, |out| self.writer(builtin, options).file(out, file));
        };
        if threads <= 1 || order.len() < 16 {
            let mut out = Vec::new();
            for &file in &order {
                record(&mut out, file);
                sink(&out)?;
            }
            return Ok(());
        }
        // Workers take the next file from a shared counter and send its
        // record here; records are written in file order as soon as all the
        // earlier ones are.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let (send, receive) = std::sync::mpsc::sync_channel::<(usize, Vec<u8>)>(threads * 4);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                let send = send.clone();
                let (next, order, record) = (&next, &order, &record);
                scope.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&file) = order.get(i) else {
                            break;
                        };
                        let mut out = Vec::new();
                        record(&mut out, file);
                        // The receiver is gone when the sink failed.
                        if send.send((i, out)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(send);
            let mut ahead = std::collections::BTreeMap::new();
            let mut written = 0;
            for (i, out) in receive {
                ahead.insert(i, out);
                while let Some(out) = ahead.remove(&written) {
                    sink(&out)?;
                    written += 1;
                }
            }
            Ok(())
        })
    }

    /// One file's `FileDescriptorProto` as protoc writes it in a descriptor
    /// set with these flags (`include_imports` is ignored).
    pub fn file_descriptor_proto(&self, file: FileId, options: DescriptorSetOptions) -> Vec<u8> {
        let mut out = Vec::new();
        self.writer(crate::builtin::schema(), options)
            .file(&mut out, file);
        out
    }

    fn writer<'a>(&'a self, builtin: &'a Pool, options: DescriptorSetOptions) -> Writer<'a> {
        let strip_schema = match self.lookup("google.protobuf.FileDescriptorProto") {
            Some(Symbol::Message(_)) => self,
            _ => builtin,
        };
        Writer {
            pool: self,
            builtin,
            options,
            strip_schema,
            stripped: Vec::new(),
            path: Vec::new(),
        }
    }
}

impl Writer<'_> {
    /// Writes the options message at `self.path` (which ends with the
    /// options field number) as field `number`, if there is one.
    fn write_options(
        &mut self,
        out: &mut Vec<u8>,
        number: u32,
        options: &Options,
        type_name: &str,
    ) {
        if !options.present {
            return;
        }
        if self.options.retain_options {
            put_bytes(out, number, &options.encoded);
            return;
        }
        let schema = self.strip_schema;
        let Some(Symbol::Message(ty)) = schema.lookup(type_name) else {
            put_bytes(out, number, &options.encoded);
            return;
        };
        let mut message = DynMessage::new(ty);
        if !message.merge_bytes(schema, &options.encoded, 0) {
            put_bytes(out, number, &options.encoded);
            return;
        }
        let was_nonempty = !message.is_empty();
        let mut path = self.path.clone();
        message.strip_source_retention(schema, &mut path, &mut self.stripped);
        if was_nonempty && message.is_empty() {
            self.stripped.push(self.path.clone());
            return;
        }
        let bytes = message.to_bytes(schema);
        if std::ptr::eq(schema, self.builtin) {
            put_bytes(out, number, &bytes);
            return;
        }
        // Parse back into the options type compiled into protoc.
        let Some(Symbol::Message(generated)) = self.builtin.lookup(type_name) else {
            put_bytes(out, number, &bytes);
            return;
        };
        let mut back = DynMessage::new(generated);
        back.merge_bytes(self.builtin, &bytes, 0);
        put_bytes(out, number, &back.to_bytes(self.builtin));
    }

    fn put_options(&mut self, out: &mut Vec<u8>, number: u32, options: &Options, type_name: &str) {
        self.path.push(number as i32);
        self.write_options(out, number, options, type_name);
        self.path.pop();
    }

    /// Runs `body` with `parts` appended to the path.
    fn at<T>(&mut self, parts: [i32; 2], body: impl FnOnce(&mut Self) -> T) -> T {
        let len = self.path.len();
        self.path.extend(parts);
        let value = body(self);
        self.path.truncate(len);
        value
    }

    fn file(&mut self, out: &mut Vec<u8>, id: FileId) {
        let pool = self.pool;
        let file = &pool[id];
        put_bytes(out, 1, file.name.as_bytes());
        if let Some(package) = &file.package {
            put_bytes(out, 2, package.as_str().as_bytes());
        }
        for dep in &file.dependencies {
            put_bytes(out, 3, dep.name.as_bytes());
        }
        self.path.clear();
        for (i, m) in file.messages.iter().enumerate() {
            self.at([4, i as i32], |w| {
                put_message(out, 4, |out| w.message(out, *m))
            });
        }
        for (i, e) in file.enums.iter().enumerate() {
            self.at([5, i as i32], |w| {
                put_message(out, 5, |out| w.enumeration(out, *e))
            });
        }
        for (i, s) in file.services.iter().enumerate() {
            self.at([6, i as i32], |w| {
                put_message(out, 6, |out| w.service(out, *s))
            });
        }
        for (i, f) in file.extensions.iter().enumerate() {
            self.at([7, i as i32], |w| {
                put_message(out, 7, |out| w.field(out, *f))
            });
        }
        self.put_options(out, 8, &file.options, "google.protobuf.FileOptions");
        if self.options.include_source_info {
            if let Some(info) = &file.source_code_info {
                if self.stripped.is_empty() {
                    put_bytes(out, 9, info.encoded());
                } else {
                    let mut locations = info.locations();
                    crate::source_info::strip_paths(&mut locations, &self.stripped);
                    let stripped = crate::ir::SourceCodeInfo::from_locations(&locations);
                    put_bytes(out, 9, stripped.encoded());
                }
            }
        }
        for (i, dep) in file.dependencies.iter().enumerate() {
            if dep.public {
                put_int32(out, 10, i as i32);
            }
        }
        for (i, dep) in file.dependencies.iter().enumerate() {
            if dep.weak {
                put_int32(out, 11, i as i32);
            }
        }
        match file.syntax {
            crate::ir::Syntax::Proto2 => {}
            crate::ir::Syntax::Proto3 => put_bytes(out, 12, b"proto3"),
            crate::ir::Syntax::Editions => {
                put_bytes(out, 12, b"editions");
                put_int32(out, 14, file.edition.0);
            }
        }
        for dep in &file.option_dependencies {
            put_bytes(out, 15, dep.name.as_bytes());
        }
    }

    fn message(&mut self, out: &mut Vec<u8>, id: MessageId) {
        let pool = self.pool;
        let m = &pool[id];
        put_bytes(out, 1, m.name.as_bytes());
        for (i, f) in m.fields.iter().enumerate() {
            self.at([2, i as i32], |w| {
                put_message(out, 2, |out| w.field(out, *f))
            });
        }
        for (i, n) in m.nested_messages.iter().enumerate() {
            self.at([3, i as i32], |w| {
                put_message(out, 3, |out| w.message(out, *n))
            });
        }
        for (i, e) in m.nested_enums.iter().enumerate() {
            self.at([4, i as i32], |w| {
                put_message(out, 4, |out| w.enumeration(out, *e))
            });
        }
        for (i, range) in m.extension_ranges.iter().enumerate() {
            self.at([5, i as i32], |w| {
                put_message(out, 5, |body| {
                    put_int32(body, 1, range.start);
                    put_int32(body, 2, range.end);
                    w.put_options(
                        body,
                        3,
                        &range.options,
                        "google.protobuf.ExtensionRangeOptions",
                    );
                })
            });
        }
        for (i, f) in m.extensions.iter().enumerate() {
            self.at([6, i as i32], |w| {
                put_message(out, 6, |out| w.field(out, *f))
            });
        }
        self.put_options(out, 7, &m.options, "google.protobuf.MessageOptions");
        for (i, o) in m.oneofs.iter().enumerate() {
            let oneof = &pool[*o];
            self.at([8, i as i32], |w| {
                put_message(out, 8, |body| {
                    put_bytes(body, 1, oneof.name.as_bytes());
                    w.put_options(body, 2, &oneof.options, "google.protobuf.OneofOptions");
                })
            });
        }
        for (start, end) in &m.reserved_ranges {
            put_message(out, 9, |body| {
                put_int32(body, 1, *start);
                put_int32(body, 2, *end);
            });
        }
        for name in &m.reserved_names {
            put_bytes(out, 10, name.as_bytes());
        }
        if let Some(v) = m.visibility {
            put_int32(out, 11, visibility_number(v));
        }
    }

    fn field(&mut self, out: &mut Vec<u8>, id: FieldId) {
        let pool = self.pool;
        let f = &pool[id];
        let editions = pool[f.file].edition.is_editions();
        put_bytes(out, 1, f.name.as_bytes());
        if let Some(extendee) = f.extendee {
            put_bytes(out, 2, pool[extendee].full_name.type_name().as_bytes());
        }
        put_int32(out, 3, f.number);
        let label = if editions && f.label == Label::Required {
            Label::Optional
        } else {
            f.label
        };
        put_int32(out, 4, label.number());
        let ty = match f.ty {
            FieldType::Group(_) if editions => 11,
            other => other.type_number(),
        };
        put_int32(out, 5, ty);
        let type_name = match f.ty {
            FieldType::Message(m) | FieldType::Group(m) => Some(pool[m].full_name.type_name()),
            FieldType::Enum(e) => Some(pool[e].full_name.type_name()),
            FieldType::Scalar(_) => None,
        };
        if let Some(name) = type_name {
            put_bytes(out, 6, name.as_bytes());
        }
        if let Some(default) = &f.default {
            match &default.value {
                crate::ir::Value::Bytes(b)
                    if matches!(f.ty, FieldType::Scalar(crate::ir::Scalar::String)) =>
                {
                    put_bytes(out, 7, b);
                }
                _ => put_bytes(out, 7, default.text.as_bytes()),
            }
        }
        self.put_options(out, 8, &f.options, "google.protobuf.FieldOptions");
        if let (Some(oneof), None) = (f.oneof, f.extendee) {
            if let Scope::Message(m) = f.scope {
                if let Some(index) = pool[m].oneofs.iter().position(|o| *o == oneof) {
                    put_int32(out, 9, index as i32);
                }
            }
        }
        put_bytes(out, 10, f.json_name.as_bytes());
        if f.proto3_optional {
            put_bool(out, 17, true);
        }
    }

    fn enumeration(&mut self, out: &mut Vec<u8>, id: EnumId) {
        let pool = self.pool;
        let e = &pool[id];
        put_bytes(out, 1, e.name.as_bytes());
        for (i, v) in e.values.iter().enumerate() {
            let value = &pool[*v];
            self.at([2, i as i32], |w| {
                put_message(out, 2, |body| {
                    put_bytes(body, 1, value.name.as_bytes());
                    put_int32(body, 2, value.number);
                    w.put_options(body, 3, &value.options, "google.protobuf.EnumValueOptions");
                })
            });
        }
        self.put_options(out, 3, &e.options, "google.protobuf.EnumOptions");
        for (start, end) in &e.reserved_ranges {
            put_message(out, 4, |body| {
                put_int32(body, 1, *start);
                put_int32(body, 2, *end);
            });
        }
        for name in &e.reserved_names {
            put_bytes(out, 5, name.as_bytes());
        }
        if let Some(v) = e.visibility {
            put_int32(out, 6, visibility_number(v));
        }
    }

    fn service(&mut self, out: &mut Vec<u8>, id: ServiceId) {
        let pool = self.pool;
        let s = &pool[id];
        put_bytes(out, 1, s.name.as_bytes());
        for (i, m) in s.methods.iter().enumerate() {
            self.at([2, i as i32], |w| {
                put_message(out, 2, |out| w.method(out, *m))
            });
        }
        self.put_options(out, 3, &s.options, "google.protobuf.ServiceOptions");
    }

    fn method(&mut self, out: &mut Vec<u8>, id: MethodId) {
        let pool = self.pool;
        let m = &pool[id];
        put_bytes(out, 1, m.name.as_bytes());
        put_bytes(out, 2, pool[m.input].full_name.type_name().as_bytes());
        put_bytes(out, 3, pool[m.output].full_name.type_name().as_bytes());
        self.put_options(out, 4, &m.options, "google.protobuf.MethodOptions");
        if m.client_streaming {
            put_bool(out, 5, true);
        }
        if m.server_streaming {
            put_bool(out, 6, true);
        }
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
    let len: usize = values
        .iter()
        .map(|v| varint_len(i64::from(*v) as u64))
        .sum();
    put_tag(out, number, LEN);
    put_varint(out, len as u64);
    for v in values {
        put_varint(out, i64::from(*v) as u64);
    }
}

#[allow(dead_code)]
fn put_enum(out: &mut Vec<u8>, number: u32, value: i32) {
    put_uint(out, number, i64::from(value) as u64);
}
