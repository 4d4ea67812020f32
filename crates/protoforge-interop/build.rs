//! Generates the interop service with protoforge's own compiler and code
//! generator: `testdata/interop` (`grpc.testing`'s messages and
//! `TestService`) into `$OUT_DIR/interop.rs` for the library and the
//! binaries, and `testdata/codegen/services` (the service-codegen snapshot
//! inputs) into `$OUT_DIR/codegen_services.rs`, which the tests compile and
//! run. Any compile error fails the build with protoc-style diagnostics.

use std::path::{Path, PathBuf};

use protoforge_codegen::{Config, Layout, Services, generate};
use protoforge_compiler::resolve::{Chain, IncludePaths};
use protoforge_compiler::{CompileOptions, compile};

fn main() {
    let manifest =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let testdata = manifest.join("../../testdata");

    let interop = testdata.join("interop");
    println!("cargo::rerun-if-changed={}", interop.display());
    let mut config = single_file("interop.rs");
    // Payloads are decoded as slices of the received buffer, not copied.
    config.bytes(".grpc.testing");
    write(
        &interop,
        &[
            "src/proto/grpc/testing/empty.proto",
            "src/proto/grpc/testing/messages.proto",
            "src/proto/grpc/testing/test.proto",
        ],
        &config,
    );

    let services = testdata.join("codegen/services");
    println!("cargo::rerun-if-changed={}", services.display());
    let mut names: Vec<String> = std::fs::read_dir(&services)
        .unwrap_or_else(|e| panic!("{}: {e}", services.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".proto"))
        .collect();
    names.sort();
    let roots: Vec<&str> = names.iter().map(String::as_str).collect();
    write(&services, &roots, &single_file("codegen_services.rs"));
}

/// One file named `name`, with clients and servers.
fn single_file(name: &str) -> Config {
    let mut config = Config::new();
    config
        .layout(Layout::SingleFile(name.to_string()))
        .services(Services::BOTH);
    config
}

/// Compiles `roots` under `dir` (and the built-in Google files) and writes
/// their code, generated with `config`, to `$OUT_DIR`.
fn write(dir: &Path, roots: &[&str], config: &Config) {
    let mut include = IncludePaths::new();
    include.map("", &dir.to_string_lossy());
    let resolver = Chain::new()
        .with(include)
        .with(protoforge_compiler::builtin::GoogleFiles);
    let compilation = compile(&resolver, roots, &CompileOptions::default());
    let errors: Vec<String> = compilation.errors().map(|d| d.render_protoc()).collect();
    if !errors.is_empty() {
        panic!("compiling {roots:?} failed:\n{}", errors.join("\n"));
    }
    let files = generate(&compilation.pool, &compilation.files, config)
        .unwrap_or_else(|e| panic!("generating Rust for {roots:?} failed: {e}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    for file in files {
        std::fs::write(out.join(&file.name), file.content)
            .unwrap_or_else(|e| panic!("writing {}: {e}", file.name));
    }
}
