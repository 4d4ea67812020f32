//! The builder run in-process into a scratch directory: how inputs map to
//! import names, what errors look like, extern paths, and the descriptor
//! set against the pinned protoc's.

use std::path::{Path, PathBuf};

use protoforge_build::ErrorKind;

use crate::fixture::target_dir;

/// A fresh scratch directory holding `files` (path, contents).
fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = target_dir().join("fixtures/inproc").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, contents) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap_or(&dir)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

fn builder(dir: &Path) -> protoforge_build::Builder {
    protoforge_build::configure()
        .out_dir(dir.join("out"))
        .emit_rerun_if_changed(false)
}

fn generated(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("out"))
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const A: &str = "syntax = \"proto3\";\npackage a;\nmessage A { int32 x = 1; }\n";

#[test]
fn inputs_are_found_by_disk_path_or_import_name() {
    let dir = scratch("inputs", &[("proto/a/a.proto", A)]);
    let include = dir.join("proto");
    // The disk path, under the include path.
    builder(&dir)
        .compile(&[dir.join("proto/a/a.proto")], &[&include])
        .unwrap_or_else(|e| panic!("{e}"));
    // The import name, found through the include path.
    builder(&dir)
        .compile(&["a/a.proto"], &[&include])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(generated(&dir), ["a.rs"]);

    // Not under any include path: an input error that says so.
    let err = builder(&dir)
        .compile(&[dir.join("proto/a/a.proto")], &[dir.join("elsewhere")])
        .err()
        .unwrap_or_else(|| panic!("must fail"));
    assert_eq!(err.kind(), ErrorKind::Input);
    let text = err.to_string();
    assert!(
        text.ends_with(&format!(
            "a.proto: the file is not under any include path ({})",
            dir.join("elsewhere").display()
        )),
        "{text}"
    );
}

#[test]
fn an_error_renders_every_diagnostic_and_debug_prints_the_same() {
    let dir = scratch(
        "errors",
        &[(
            "p/bad.proto",
            "syntax = \"proto3\";\nmessage M {\n  Unknown u = 1;\n  int32 u = 2;\n}\n",
        )],
    );
    let include = dir.join("p");
    let err = builder(&dir)
        .compile(&[include.join("bad.proto")], &[&include])
        .err()
        .unwrap_or_else(|| panic!("must fail"));
    assert_eq!(err.kind(), ErrorKind::Compile);
    let path = include.join("bad.proto").display().to_string();
    let gutter = "  |";
    assert_eq!(
        err.to_string(),
        format!(
            "compiling the .proto files failed with 2 errors\n\n\
             error[duplicate-name]: \"u\" is already defined in \"M\".\n  --> {path}:4:9\n{gutter}\n4 |   int32 u = 2;\n{gutter}         ^\n\n\
             error[unresolved-name]: \"Unknown\" is not defined.\n  --> {path}:3:3\n{gutter}\n3 |   Unknown u = 1;\n{gutter}   ^^^^^^^\n"
        )
    );
    // `fn main() -> Result<(), Box<dyn Error>>` prints `Debug`.
    assert_eq!(format!("{err:?}"), err.to_string());
    assert!(
        !dir.join("out").exists(),
        "nothing is written when compiling fails"
    );
}

#[test]
fn a_missing_import_is_reported_where_it_is_imported() {
    let dir = scratch(
        "missing-import",
        &[(
            "p/m.proto",
            "syntax = \"proto3\";\nimport \"nowhere/x.proto\";\nmessage M {}\n",
        )],
    );
    let include = dir.join("p");
    let err = builder(&dir)
        .compile(&[include.join("m.proto")], &[&include])
        .err()
        .unwrap_or_else(|| panic!("must fail"));
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "error[import]: Import \"nowhere/x.proto\" was not found or had errors.\n  --> {}:2:1\n",
            include.join("m.proto").display()
        )),
        "{text}"
    );
}

#[test]
fn invalid_generator_options_are_configuration_errors() {
    let dir = scratch("bad-attribute", &[("a.proto", A)]);
    let err = builder(&dir)
        .type_attribute(".a.A", "#[derive(")
        .compile(&[dir.join("a.proto")], &[&dir])
        .err()
        .unwrap_or_else(|| panic!("must fail"));
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("#[derive("), "{err}");
}

#[test]
fn out_dir_defaults_to_the_build_scripts() {
    assert!(
        std::env::var_os("OUT_DIR").is_none(),
        "this crate has no build script, so its tests run without OUT_DIR"
    );
    let dir = scratch("no-out-dir", &[("a.proto", A)]);
    let err = protoforge_build::configure()
        .emit_rerun_if_changed(false)
        .compile(&[dir.join("a.proto")], &[&dir])
        .err()
        .unwrap_or_else(|| panic!("must fail"));
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().starts_with("OUT_DIR is not set"), "{err}");
}

#[test]
fn extern_packages_are_not_generated_and_referred_to_by_their_rust_path() {
    let dir = scratch(
        "extern",
        &[
            (
                "common/money.proto",
                "syntax = \"proto3\";\npackage acme.common;\nmessage Money { int64 units = 1; }\n",
            ),
            (
                "shop.proto",
                "syntax = \"proto3\";\npackage acme.shop;\nimport \"common/money.proto\";\nmessage Price { acme.common.Money amount = 1; }\n",
            ),
        ],
    );
    builder(&dir)
        .compile(&[dir.join("shop.proto")], &[&dir])
        .unwrap_or_else(|e| panic!("{e}"));
    // By default an import is generated too, and referred to relatively.
    assert_eq!(generated(&dir), ["acme.common.rs", "acme.shop.rs"]);
    let shop = std::fs::read_to_string(dir.join("out/acme.shop.rs")).unwrap_or_default();
    assert!(shop.contains("super::common::Money"), "{shop}");

    std::fs::remove_dir_all(dir.join("out")).unwrap_or_else(|e| panic!("{e}"));
    builder(&dir)
        .extern_path(".acme.common", "::acme_common")
        .compile(&[dir.join("shop.proto")], &[&dir])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(generated(&dir), ["acme.shop.rs"]);
    let shop = std::fs::read_to_string(dir.join("out/acme.shop.rs")).unwrap_or_default();
    assert!(shop.contains("::acme_common::Money"), "{shop}");
}

#[test]
fn the_descriptor_set_is_protocs_with_imports_and_source_info() {
    let fixture = protoforge_testkit::testdata().join("build/messages/proto");
    let dir = scratch("descriptor-set", &[]);
    let inputs = [
        fixture.join("fixture/shop/order.proto"),
        fixture.join("loose.proto"),
    ];
    builder(&dir)
        .file_descriptor_set_path("set.binpb")
        .compile(&inputs, &[&fixture])
        .unwrap_or_else(|e| panic!("{e}"));
    let ours = std::fs::read(dir.join("out/set.binpb")).unwrap_or_else(|e| panic!("{e}"));

    let theirs = dir.join("protoc.binpb");
    let out = protoforge_testkit::protoc()
        .arg("-I")
        .arg(&fixture)
        .arg("-I")
        .arg(protoforge_testkit::grpc_tools_include())
        .arg("-I")
        .arg(protoforge_testkit::googleapis_common_protos_root())
        .args(["--include_imports", "--include_source_info"])
        .arg("-o")
        .arg(&theirs)
        .args(["fixture/shop/order.proto", "loose.proto"])
        .output()
        .unwrap_or_else(|e| panic!("running protoc: {e}"));
    assert!(
        out.status.success(),
        "protoc: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs = std::fs::read(&theirs).unwrap_or_else(|e| panic!("{e}"));
    assert!(ours == theirs, "descriptor sets differ from protoc's");
}
