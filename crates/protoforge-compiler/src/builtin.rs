//! Google's `.proto` files, built in: the well-known types,
//! `descriptor.proto`, `compiler/plugin.proto` and the language feature
//! protos, byte for byte as protoc 35.1 ships them (from the pinned
//! `grpcio-tools` package; their licence is `proto/LICENSE`).
//!
//! They are byte-exact because their source info (spans, comments) is part of
//! what `--include_source_info` writes. [`GoogleFiles`] serves them as a
//! [`FileResolver`]; [`schema`] is `descriptor.proto` and the feature protos
//! linked into protoc, compiled once: the options types protoc parses options
//! with.

use std::sync::OnceLock;

use crate::ir::Pool;
use crate::resolve::{FileResolver, ResolveError, SourceFile};

/// Every built-in file: its import name and its bytes.
pub const FILES: &[(&str, &[u8])] = &[
    (
        "google/protobuf/any.proto",
        include_bytes!("../proto/google/protobuf/any.proto"),
    ),
    (
        "google/protobuf/api.proto",
        include_bytes!("../proto/google/protobuf/api.proto"),
    ),
    (
        "google/protobuf/compiler/plugin.proto",
        include_bytes!("../proto/google/protobuf/compiler/plugin.proto"),
    ),
    (
        "google/protobuf/cpp_features.proto",
        include_bytes!("../proto/google/protobuf/cpp_features.proto"),
    ),
    (
        "google/protobuf/descriptor.proto",
        include_bytes!("../proto/google/protobuf/descriptor.proto"),
    ),
    (
        "google/protobuf/duration.proto",
        include_bytes!("../proto/google/protobuf/duration.proto"),
    ),
    (
        "google/protobuf/empty.proto",
        include_bytes!("../proto/google/protobuf/empty.proto"),
    ),
    (
        "google/protobuf/field_mask.proto",
        include_bytes!("../proto/google/protobuf/field_mask.proto"),
    ),
    (
        "google/protobuf/go_features.proto",
        include_bytes!("../proto/google/protobuf/go_features.proto"),
    ),
    (
        "google/protobuf/java_features.proto",
        include_bytes!("../proto/google/protobuf/java_features.proto"),
    ),
    (
        "google/protobuf/source_context.proto",
        include_bytes!("../proto/google/protobuf/source_context.proto"),
    ),
    (
        "google/protobuf/struct.proto",
        include_bytes!("../proto/google/protobuf/struct.proto"),
    ),
    (
        "google/protobuf/timestamp.proto",
        include_bytes!("../proto/google/protobuf/timestamp.proto"),
    ),
    (
        "google/protobuf/type.proto",
        include_bytes!("../proto/google/protobuf/type.proto"),
    ),
    (
        "google/protobuf/wrappers.proto",
        include_bytes!("../proto/google/protobuf/wrappers.proto"),
    ),
];

/// A resolver serving the built-in Google files.
#[derive(Clone, Copy, Debug, Default)]
pub struct GoogleFiles;

impl FileResolver for GoogleFiles {
    fn open(&self, name: &str) -> Result<SourceFile, ResolveError> {
        FILES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, bytes)| SourceFile {
                name: (*n).to_string(),
                disk_path: None,
                contents: bytes.to_vec(),
            })
            .ok_or(ResolveError::NotFound)
    }
}

/// The files whose generated code is linked into protoc: options are parsed
/// with these types.
const SCHEMA_FILES: &[&str] = &[
    "google/protobuf/descriptor.proto",
    "google/protobuf/cpp_features.proto",
    "google/protobuf/java_features.proto",
];

/// The options schema protoc compiles in, compiled by this crate.
///
/// Compiled twice: once against an empty schema (enough to know every
/// field's type), then against that first result, so that option values in
/// `descriptor.proto` itself are read as protoc reads them.
pub fn schema() -> &'static Pool {
    static SCHEMA: OnceLock<Pool> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let options = crate::CompileOptions {
            source_info: false,
            ..crate::CompileOptions::default()
        };
        let empty = Pool::default();
        let first =
            crate::compile::compile_with_schema(&GoogleFiles, SCHEMA_FILES, &options, &empty);
        crate::compile::compile_with_schema(&GoogleFiles, SCHEMA_FILES, &options, &first.pool).pool
    })
}
