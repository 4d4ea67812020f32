//! `--rust_out`: protoforge's own Rust generator behind protoc's output-flag
//! grammar. What it writes must be exactly what the code generator produces
//! for the same files and options, laid out under the output directory; its
//! option errors must read like any generator's.

use std::path::Path;

use protoforge_compiler::resolve::{Chain, IncludePaths};
use protoforge_compiler::{CompileOptions, builtin, compile};

use crate::support::{protoforge, scratch, write_files};

const FILES: &[(&str, &str)] = &[
    (
        "proto/shop/v1/cart.proto",
        "syntax = \"proto3\";\npackage shop.v1;\nimport \"google/protobuf/timestamp.proto\";\n\
         // A shopping cart.\nmessage Cart {\n  repeated Item items = 1;\n  map<string, int32> counts = 2;\n  \
         google.protobuf.Timestamp updated = 3;\n  bytes blob = 4;\n}\nmessage Item { string sku = 1; }\n\
         service Carts {\n  rpc Get(Cart) returns (Cart);\n  rpc Watch(Cart) returns (stream Cart);\n}\n",
    ),
    (
        "proto/shop/v1/audit.proto",
        "syntax = \"proto2\";\npackage shop.v1;\nmessage Audit { optional int32 level = 1 [default = 3]; }\n",
    ),
];

/// Every file under `dir`, relative path and contents, sorted.
fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap_or_else(|e| panic!("{}: {e}", at.display())) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned();
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.push((name, text));
            }
        }
    }
    out.sort();
    out
}

/// What the generator itself produces for `FILES` with `parameter`.
fn expected(dir: &Path, parameter: &str) -> Vec<(String, String)> {
    let mut paths = IncludePaths::new();
    paths.map("", &dir.join("proto").to_string_lossy());
    let resolver = Chain::new().with(paths).with(builtin::GoogleFiles);
    let roots = ["shop/v1/cart.proto", "shop/v1/audit.proto"];
    let compilation = compile(&resolver, &roots, &CompileOptions::default());
    assert!(!compilation.has_errors(), "{:?}", compilation.diagnostics);
    let config = protoforge_codegen::Config::from_parameter(parameter)
        .unwrap_or_else(|e| panic!("{parameter}: {e}"));
    let mut files: Vec<(String, String)> =
        protoforge_codegen::generate(&compilation.pool, &compilation.files, &config)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|f| (f.name, f.content))
            .collect();
    files.sort();
    files
}

#[test]
fn rust_out_writes_the_generators_files() {
    let dir = scratch("rust-out");
    write_files(&dir, FILES);
    for (flags, parameter) in [
        (vec!["--rust_out=out"], ""),
        (vec!["--rust_out=services=both:out"], "services=both"),
        (
            vec![
                "--rust_opt=services=client",
                "--rust_opt=bytes=.shop",
                "--rust_out=out",
            ],
            "services=client,bytes=.shop",
        ),
        (
            vec!["--rust_out=single_file=all.rs:out"],
            "single_file=all.rs",
        ),
    ] {
        let _ = std::fs::remove_dir_all(dir.join("out"));
        std::fs::create_dir_all(dir.join("out")).unwrap_or_else(|e| panic!("{e}"));
        let mut args = vec!["-Iproto"];
        args.extend(&flags);
        args.extend(["proto/shop/v1/cart.proto", "proto/shop/v1/audit.proto"]);
        let run = protoforge(&dir, &args);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{flags:?}");
        let written = tree(&dir.join("out"));
        assert_eq!(written, expected(&dir, parameter), "{flags:?}");
        let all: String = written.iter().map(|(_, text)| text.as_str()).collect();
        assert!(all.contains("pub struct Cart"), "{flags:?}");
        assert_eq!(
            all.contains("CartsClient"),
            parameter.contains("services"),
            "{flags:?}"
        );
        assert_eq!(
            all.contains("CartsServer"),
            parameter.contains("both"),
            "{flags:?}"
        );
        assert_eq!(
            !all.contains("pub blob: ::std::vec::Vec<u8>"),
            parameter.contains("bytes"),
            "{flags:?}"
        );
    }
}

#[test]
fn rust_out_refuses_an_unknown_option() {
    let dir = scratch("rust-out-bad");
    write_files(&dir, FILES);
    std::fs::create_dir_all(dir.join("out")).unwrap_or_else(|e| panic!("{e}"));
    let run = protoforge(
        &dir,
        &[
            "-Iproto",
            "--rust_opt=colour=blue",
            "--rust_out=out",
            "proto/shop/v1/cart.proto",
        ],
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "--rust_out: parameter `colour=blue`: unknown option (known: bytes, btree_map, \
         validate_utf8, extern_path, single_file, services)\n"
    );
    assert!(
        tree(&dir.join("out")).is_empty(),
        "nothing is written after an error"
    );
}
