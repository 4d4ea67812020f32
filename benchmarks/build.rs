//! Compiles `proto/bench.proto` once with protoforge's compiler and hands the
//! same `FileDescriptorSet` to the three code generators measured by the
//! codec benchmark: protoforge's own (`$OUT_DIR/protoforge.rs`), prost-build
//! (`$OUT_DIR/prost/bench.rs`) and buffa-build (`$OUT_DIR/buffa_include.rs`).
//! No protoc is needed: prost-build and buffa-build both accept a
//! precompiled descriptor set. `bytes` fields are `bytes::Bytes` in all
//! three, maps are `HashMap` in all three.
//!
//! The RPC benchmark's service, `proto/rpc.proto`, goes the same way to
//! protoforge's generator with server code (`$OUT_DIR/protoforge_rpc.rs`)
//! and to tonic-prost-build (`$OUT_DIR/tonic/bench.rpc.rs`).

use std::path::{Path, PathBuf};

use prost::Message as _;
use protoforge_codegen::{Config, Layout, Services, generate};
use protoforge_compiler::resolve::{Chain, IncludePaths};
use protoforge_compiler::{CompileOptions, DescriptorSetOptions, compile};

const PROTO: &str = "bench.proto";
const RPC_PROTO: &str = "rpc.proto";

fn main() {
    let manifest =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let proto_dir = manifest.join("proto");
    for proto in [PROTO, RPC_PROTO] {
        println!(
            "cargo::rerun-if-changed={}",
            proto_dir.join(proto).display()
        );
    }

    let mut include = IncludePaths::new();
    include.map("", &proto_dir.to_string_lossy());
    let resolver = Chain::new()
        .with(include)
        .with(protoforge_compiler::builtin::GoogleFiles);
    let compilation = compile(&resolver, &[PROTO], &CompileOptions::default());
    let errors: Vec<String> = compilation.errors().map(|d| d.render_protoc()).collect();
    assert!(
        errors.is_empty(),
        "compiling {PROTO} failed:\n{}",
        errors.join("\n")
    );

    // protoforge: generated in process from the IR.
    let mut config = Config::new();
    config.bytes(".");
    config.layout(Layout::SingleFile("protoforge.rs".to_string()));
    let files = generate(&compilation.pool, &compilation.files, &config)
        .unwrap_or_else(|e| panic!("protoforge codegen failed: {e}"));
    for file in files {
        std::fs::write(out.join(&file.name), file.content)
            .unwrap_or_else(|e| panic!("writing {}: {e}", file.name));
    }

    // prost and buffa: from the descriptor set our compiler writes (the same
    // bytes protoc would write).
    let fds_bytes = compilation.pool.file_descriptor_set(
        &compilation.files,
        DescriptorSetOptions {
            include_imports: true,
            ..DescriptorSetOptions::default()
        },
    );
    let fds_path = out.join("bench.fds");
    std::fs::write(&fds_path, &fds_bytes).expect("write bench.fds");

    let prost_out = out.join("prost");
    std::fs::create_dir_all(&prost_out).expect("create prost output directory");
    let fds = prost_types::FileDescriptorSet::decode(fds_bytes.as_slice())
        .expect("prost-types reads our descriptor set");
    prost_build::Config::new()
        .bytes(["."])
        .out_dir(&prost_out)
        .compile_fds(fds)
        .unwrap_or_else(|e| panic!("prost-build failed: {e}"));

    buffa_build::Config::new()
        .descriptor_set(&fds_path)
        .files(&[PROTO])
        .use_bytes_type()
        .generate_views(false)
        .include_file("buffa_include.rs")
        .compile()
        .unwrap_or_else(|e| panic!("buffa-build failed: {e}"));

    rpc(&proto_dir, &out);
}

/// The RPC service: protoforge's messages and server, and prost's messages
/// with tonic's server, from one descriptor set.
fn rpc(proto_dir: &Path, out: &Path) {
    let mut include = IncludePaths::new();
    include.map("", &proto_dir.to_string_lossy());
    let resolver = Chain::new()
        .with(include)
        .with(protoforge_compiler::builtin::GoogleFiles);
    let compilation = compile(&resolver, &[RPC_PROTO], &CompileOptions::default());
    let errors: Vec<String> = compilation.errors().map(|d| d.render_protoc()).collect();
    assert!(
        errors.is_empty(),
        "compiling {RPC_PROTO} failed:\n{}",
        errors.join("\n")
    );
    let mut config = Config::new();
    config.bytes(".");
    config.services(Services::SERVER);
    config.layout(Layout::SingleFile("protoforge_rpc.rs".to_string()));
    let files = generate(&compilation.pool, &compilation.files, &config)
        .unwrap_or_else(|e| panic!("protoforge codegen failed: {e}"));
    for file in files {
        std::fs::write(out.join(&file.name), file.content)
            .unwrap_or_else(|e| panic!("writing {}: {e}", file.name));
    }

    let fds_bytes = compilation.pool.file_descriptor_set(
        &compilation.files,
        DescriptorSetOptions {
            include_imports: true,
            ..DescriptorSetOptions::default()
        },
    );
    let tonic_out = out.join("tonic");
    std::fs::create_dir_all(&tonic_out).expect("create tonic output directory");
    let fds = prost_types::FileDescriptorSet::decode(fds_bytes.as_slice())
        .expect("prost-types reads our descriptor set");
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(true)
        .bytes(".")
        .out_dir(&tonic_out)
        .compile_fds(fds)
        .unwrap_or_else(|e| panic!("tonic-prost-build failed: {e}"));
}
