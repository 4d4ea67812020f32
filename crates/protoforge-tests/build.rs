//! Runs protoforge's compiler and code generator over protobuf's own test
//! protos and the conformance protos from the corpus (`$PROTOFORGE_CORPUS`,
//! default `../shared/corpus` beside the workspace), into
//! `$OUT_DIR/protos.rs`. A missing corpus or any compile error fails the
//! build loudly: these tests must never be skipped silently.

use std::path::PathBuf;

use protoforge_codegen::{Config, Layout, Services, generate};
use protoforge_compiler::resolve::{Chain, IncludePaths};
use protoforge_compiler::{CompileOptions, compile};

/// The files generated, relative to the corpus's `protobuf/` include root:
/// the conformance protos and protobuf's unit-test protos (those in edition
/// 2026 are left out: protoc 35, like our compiler, does not accept it yet).
const PROTOS: &[&str] = &[
    "conformance/conformance.proto",
    "google/protobuf/test_messages_proto2.proto",
    "google/protobuf/test_messages_proto3.proto",
    "conformance/test_protos/test_messages_edition2023.proto",
    "editions/golden/test_messages_proto2_editions.proto",
    "editions/golden/test_messages_proto3_editions.proto",
    "google/protobuf/unittest.proto",
    "google/protobuf/unittest_import.proto",
    "google/protobuf/unittest_import_public.proto",
    "google/protobuf/unittest_proto3.proto",
    "google/protobuf/unittest_proto3_arena.proto",
    "google/protobuf/unittest_proto3_lite.proto",
    "google/protobuf/unittest_mset.proto",
    "google/protobuf/unittest_mset_wire_format.proto",
    "google/protobuf/map_unittest.proto",
    "google/protobuf/map_proto2_unittest.proto",
    "google/protobuf/unittest_lite.proto",
    "google/protobuf/unittest_import_lite.proto",
    "google/protobuf/unittest_import_public_lite.proto",
    "google/protobuf/map_lite_unittest.proto",
    "google/protobuf/unittest_well_known_types.proto",
    "google/protobuf/unittest_optimize_for.proto",
    "google/protobuf/unittest_embed_optimize_for.proto",
    "google/protobuf/unittest_empty.proto",
    "google/protobuf/unittest_lite_imports_nonlite.proto",
    "google/protobuf/unittest_no_generic_services.proto",
    "google/protobuf/unittest_extension_set.proto",
    "google/protobuf/unittest_utf8_string_extensions.proto",
    "google/protobuf/unittest_lite_edition_2024.proto",
    "google/protobuf/unittest_proto3_bad_macros.proto",
    "editions/golden/simple_proto2.proto",
    "editions/golden/simple_proto2_import.proto",
    "editions/golden/simple_proto3.proto",
    "google/protobuf/unittest_custom_options.proto",
    "google/protobuf/unittest_proto3_optional.proto",
    "google/protobuf/unittest_proto3_extensions.proto",
    "google/protobuf/unittest_retention.proto",
    "google/protobuf/unittest_fuzz_extensions.proto",
    "google/protobuf/unittest_custom_features.proto",
    "google/protobuf/unittest_features.proto",
    "google/protobuf/unittest_import_option.proto",
    "google/protobuf/unittest_custom_options_unlinked.proto",
];

fn main() {
    corpus_protos();
    testdata_protos();
}

/// The focused inputs of `testdata/codegen` (snapshotted by
/// protoforge-codegen's tests): their generated code must compile too.
fn testdata_protos() {
    let manifest =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let dir = manifest.join("../../testdata/codegen");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".proto"))
        .collect();
    names.sort();
    let roots: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut include = IncludePaths::new();
    include.map("", &dir.to_string_lossy());
    write(&include, &roots, "codegen_testdata.rs");
}

/// Compiles `roots` through `include` and the built-in Google files and
/// writes their generated code to `$OUT_DIR/<name>`, failing loudly.
fn write(include: &IncludePaths, roots: &[&str], name: &str) {
    let resolver = Chain::new()
        .with(include.clone())
        .with(protoforge_compiler::builtin::GoogleFiles);
    let compilation = compile(&resolver, roots, &CompileOptions::default());
    let errors: Vec<String> = compilation.errors().map(|d| d.render_protoc()).collect();
    if !errors.is_empty() {
        panic!("compiling {roots:?} failed:\n{}", errors.join("\n"));
    }
    let mut config = Config::new();
    // Service code too: the corpus's services (custom options, retention,
    // generic services) must give gRPC code that compiles.
    config
        .layout(Layout::SingleFile(name.to_string()))
        .services(Services::BOTH);
    let files = generate(&compilation.pool, &compilation.files, &config)
        .unwrap_or_else(|e| panic!("generating Rust for {roots:?} failed: {e}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    for file in files {
        std::fs::write(out.join(&file.name), file.content)
            .unwrap_or_else(|e| panic!("writing {}: {e}", file.name));
    }
}

fn corpus_protos() {
    let manifest =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let corpus = match std::env::var_os("PROTOFORGE_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => manifest.join("../../../shared/corpus"),
    };
    println!("cargo::rerun-if-env-changed=PROTOFORGE_CORPUS");
    let root = corpus.join("protobuf");
    if !root.is_dir() {
        panic!(
            "protoforge-tests needs protobuf's test protos at {} (the corpus; set PROTOFORGE_CORPUS to the \
             directory holding `protobuf/`)",
            root.display()
        );
    }
    let mut include = IncludePaths::new();
    include.map("", &root.to_string_lossy());
    for proto in PROTOS {
        println!("cargo::rerun-if-changed={}", root.join(proto).display());
    }
    write(&include, PROTOS, "protos.rs");
}
