//! Runs protoforge's compiler and code generator over protobuf's own test
//! protos and the conformance protos from the corpus (`$PROTOFORGE_CORPUS`,
//! default `../shared/corpus` beside the workspace), into
//! `$OUT_DIR/protos.rs`. A missing corpus or any compile error fails the
//! build loudly: these tests must never be skipped silently.

use std::path::PathBuf;

use protoforge_codegen::{Config, Layout, generate};
use protoforge_compiler::resolve::{Chain, IncludePaths};
use protoforge_compiler::{CompileOptions, compile};

/// The files generated, relative to the corpus's `protobuf/` include root.
const PROTOS: &[&str] = &[
    "conformance/conformance.proto",
    "google/protobuf/test_messages_proto2.proto",
    "google/protobuf/test_messages_proto3.proto",
    "conformance/test_protos/test_messages_edition2023.proto",
    "editions/golden/test_messages_proto2_editions.proto",
    "editions/golden/test_messages_proto3_editions.proto",
];

fn main() {
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
    let resolver = Chain::new()
        .with(include)
        .with(protoforge_compiler::builtin::GoogleFiles);
    for proto in PROTOS {
        println!("cargo::rerun-if-changed={}", root.join(proto).display());
    }
    let compilation = compile(&resolver, PROTOS, &CompileOptions::default());
    let errors: Vec<String> = compilation.errors().map(|d| d.render_protoc()).collect();
    if !errors.is_empty() {
        panic!("compiling the test protos failed:\n{}", errors.join("\n"));
    }
    let mut config = Config::new();
    config.layout(Layout::SingleFile("protos.rs".to_string()));
    let files = generate(&compilation.pool, &compilation.files, &config)
        .unwrap_or_else(|e| panic!("generating Rust for the test protos failed: {e}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    for file in files {
        std::fs::write(out.join(&file.name), file.content)
            .unwrap_or_else(|e| panic!("writing {}: {e}", file.name));
    }
}
