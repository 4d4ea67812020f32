//! Service code: `testdata/codegen/services` (and the interop protos of
//! `testdata/interop`, whose hand-written stand-in this generator replaced)
//! generated with clients and servers, snapshotted beside the inputs;
//! `protoforge-tests` compiles and runs the same inputs' code. Below, the
//! choices of [`Services`] checked inline.

use std::path::{Path, PathBuf};

use protoforge_codegen::{Config, GeneratedFile, Services, generate};
use protoforge_compiler::resolve::{Chain, InMemory, IncludePaths};
use protoforge_compiler::{CompileOptions, compile};

fn services_dir() -> PathBuf {
    protoforge_testkit::testdata().join("codegen/services")
}

/// Compiles `roots` found under `dir` (and the built-in Google files) and
/// generates them with `services`.
fn generate_files(dir: &Path, roots: &[&str], services: Services) -> Vec<GeneratedFile> {
    let mut include = IncludePaths::new();
    include.map("", &dir.to_string_lossy());
    let resolver = Chain::new()
        .with(include)
        .with(protoforge_compiler::builtin::GoogleFiles);
    let compilation = compile(&resolver, roots, &CompileOptions::default());
    let errors: Vec<String> = compilation.errors().map(|d| d.render_protoc()).collect();
    assert!(errors.is_empty(), "{roots:?} must compile: {errors:?}");
    let mut config = Config::new();
    config.services(services);
    generate(&compilation.pool, &compilation.files, &config)
        .unwrap_or_else(|e| panic!("generating {roots:?}: {e}"))
}

fn render(files: &[GeneratedFile]) -> String {
    files
        .iter()
        .map(|f| format!("// ===== {} =====\n{}", f.name, f.content))
        .collect()
}

#[test]
fn service_code_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(services_dir().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("../../../../testdata/codegen/services", "*.proto", |path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let files = generate_files(&services_dir(), &[&name], Services::BOTH);
            insta::assert_snapshot!("rust", render(&files));
        });
    });
}

const INTEROP_PROTOS: &[&str] = &[
    "src/proto/grpc/testing/empty.proto",
    "src/proto/grpc/testing/messages.proto",
    "src/proto/grpc/testing/test.proto",
];

/// The interop service, generated from the project's own
/// `testdata/interop` protos: the code protoforge-interop runs against
/// the Python and Node peers.
#[test]
fn interop_service_snapshot() {
    let dir = protoforge_testkit::testdata().join("interop");
    let files = generate_files(&dir, INTEROP_PROTOS, Services::BOTH);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(services_dir().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("interop", render(&files)));
}

const ONE_SERVICE: &str = r#"
syntax = "proto3";
package t;
message M {}
service S { rpc Call(M) returns (M); }
"#;

fn one_service(services: Services) -> String {
    let mut files = InMemory::new();
    files.add("t.proto", ONE_SERVICE);
    let compilation = compile(&files, &["t.proto"], &CompileOptions::default());
    assert!(!compilation.has_errors(), "{:?}", compilation.diagnostics);
    let mut config = Config::new();
    config.services(services);
    generate(&compilation.pool, &compilation.files, &config)
        .unwrap_or_else(|e| panic!("generate: {e}"))
        .into_iter()
        .find(|f| f.name == "t.rs")
        .map(|f| f.content)
        .unwrap_or_default()
}

#[test]
fn services_option_chooses_clients_and_servers() {
    let table = [
        (Services::NONE, false, false),
        (Services::CLIENT, true, false),
        (Services::SERVER, false, true),
        (Services::BOTH, true, true),
    ];
    for (services, client, server) in table {
        let out = one_service(services);
        assert!(
            out.contains("pub struct M {"),
            "{services:?}: messages always"
        );
        assert_eq!(out.contains("pub struct SClient {"), client, "{services:?}");
        assert_eq!(out.contains("pub trait S:"), server, "{services:?}");
        assert_eq!(
            out.contains("pub struct SServer<T> {"),
            server,
            "{services:?}"
        );
    }
}

#[test]
fn services_parse_from_option_text() {
    for (text, want) in [
        ("client", Services::CLIENT),
        ("server", Services::SERVER),
        ("client,server", Services::BOTH),
        ("server, client", Services::BOTH),
        ("client+server", Services::BOTH),
        ("both", Services::BOTH),
        ("none", Services::NONE),
    ] {
        assert_eq!(text.parse::<Services>().ok(), Some(want), "{text}");
    }
    let err = "grpc".parse::<Services>().err().map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("unknown service code `grpc` (expected `client`, `server`, `both` or `none`)")
    );
}

#[test]
fn service_output_is_deterministic() {
    let dir = services_dir();
    let first = generate_files(&dir, &["01-kinds.proto", "02-names.proto"], Services::BOTH);
    let second = generate_files(&dir, &["01-kinds.proto", "02-names.proto"], Services::BOTH);
    assert_eq!(first, second);
}
