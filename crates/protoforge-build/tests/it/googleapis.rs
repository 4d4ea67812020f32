//! The bundled googleapis files: the same bytes as the pinned
//! `googleapis-common-protos` package, every one of its files, and each
//! compiles and generates Rust with no error.

use std::collections::BTreeSet;
use std::path::Path;

use protoforge_build::googleapis::{FILES, GoogleApis};
use protoforge_compiler::resolve::{Chain, FileResolver};
use protoforge_compiler::{CompileOptions, builtin, compile};

/// The package's name for a bundled file.
fn package_name(name: &str) -> &str {
    match name {
        "google/longrunning/operations.proto" => "google/longrunning/operations_proto.proto",
        other => other,
    }
}

#[test]
fn the_bundle_is_the_pinned_package_byte_for_byte() {
    let root = protoforge_testkit::googleapis_common_protos_root();
    for (name, bytes) in FILES {
        let path = root.join(package_name(name));
        let theirs = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            theirs == *bytes,
            "{name} differs from {}: copy the pinned package's file into crates/protoforge-build/proto",
            path.display()
        );
    }

    // And nothing of the package is missing.
    let mut theirs = BTreeSet::new();
    walk(&root.join("google"), &root, &mut theirs);
    let ours: BTreeSet<String> = FILES
        .iter()
        .map(|(n, _)| package_name(n).to_string())
        .collect();
    let missing: Vec<&String> = theirs.difference(&ours).collect();
    assert!(missing.is_empty(), "not bundled: {missing:?}");
}

fn walk(dir: &Path, root: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            // `google/protobuf` is the Python runtime, not googleapis.
            if path != root.join("google/protobuf") {
                walk(&path, root, out);
            }
        } else if path.extension().is_some_and(|e| e == "proto") {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            out.insert(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn every_bundled_file_compiles_and_generates() {
    let resolver = Chain::new().with(builtin::GoogleFiles).with(GoogleApis);
    let names: Vec<&str> = FILES.iter().map(|(n, _)| *n).collect();
    let compilation = compile(&resolver, &names, &CompileOptions::default());
    let errors: Vec<String> = compilation.errors().map(|d| d.render_protoc()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(compilation.files.len(), FILES.len());

    let files: Vec<_> = compilation
        .pool
        .files()
        .filter(|(_, f)| !f.name.starts_with("google/protobuf/"))
        .map(|(id, _)| id)
        .collect();
    let mut config = protoforge_codegen::Config::new();
    config.layout(protoforge_codegen::Layout::Packages);
    let out = protoforge_codegen::generate(&compilation.pool, &files, &config)
        .unwrap_or_else(|e| panic!("{e}"));
    let generated: Vec<&str> = out.iter().map(|f| f.name.as_str()).collect();
    for package in [
        "google.api.rs",
        "google.rpc.rs",
        "google.type.rs",
        "google.longrunning.rs",
    ] {
        assert!(generated.contains(&package), "{generated:?}");
    }
    // Served under the googleapis name; the package's own name is unknown.
    assert!(
        resolver
            .open("google/longrunning/operations_proto.proto")
            .is_err()
    );
}
