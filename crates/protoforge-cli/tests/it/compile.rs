//! Compiling through the protoc command line, differentially against the
//! pinned protoc: `-o` bytes under every combination of
//! `--include_imports`, `--include_source_info` and `--retain_options`, the
//! ways of naming inputs and include paths, `--dependency_out`,
//! `--print_free_field_numbers`, diagnostics in protoc's two formats, and
//! the errors for inputs protoc cannot map.

use std::path::Path;

use crate::support::{Run, include, protoc, protoforge_as_protoc, scratch, write_files};

/// Files for the cases that do not use the corpus.
const FILES: &[(&str, &str)] = &[
    (
        "src/app/a.proto",
        "syntax = \"proto3\";\npackage app;\nimport \"google/protobuf/descriptor.proto\";\nimport \"app/b.proto\";\n\
         import public \"app/c.proto\";\n\
         extend google.protobuf.FieldOptions {\n  string note = 50001 [retention = RETENTION_SOURCE];\n  int32 level = 50002;\n}\n\
         // A message.\nmessage A {\n  optional int32 x = 1 [(note) = \"n\", (level) = 3];  // x\n  B b = 2;\n  map<string, C> cs = 3;\n  reserved 10 to 12, 20;\n  oneof o { string s = 4; int64 i = 5; }\n  message Inner { int32 y = 7; }\n}\n",
    ),
    (
        "src/app/b.proto",
        "syntax = \"proto3\";\npackage app;\nmessage B { repeated int32 v = 1; }\n",
    ),
    (
        "src/app/c.proto",
        "syntax = \"proto2\";\npackage app;\nmessage C {\n  optional group G = 1 { optional int32 z = 2; }\n  extensions 100 to 199;\n  required string r = 3;\n}\n",
    ),
    (
        "vendor/ext/e.proto",
        "edition = \"2023\";\npackage ext;\nimport \"app/b.proto\";\nmessage E { app.B b = 1; int32 n = 2 [features.field_presence = IMPLICIT]; }\n",
    ),
    (
        "bad/warn.proto",
        "syntax = \"proto3\";\nmessage W {\n  reserved \"bad name\";\n}\n",
    ),
    (
        "bad/err.proto",
        "syntax = \"proto3\";\nmessage E {\n  int32 x = 1;\n  string x = 2;\n  Missing m = 3;\n}\n",
    ),
    (
        "shadow/app/b.proto",
        "syntax = \"proto3\";\nmessage Shadow {}\n",
    ),
];

/// Runs `args` under both compilers, each in a fresh copy of [`FILES`],
/// and returns (protoc's run, protoforge's run, protoc's dir, our dir).
fn both(case: &str, args: &[&str]) -> (Run, Run, std::path::PathBuf, std::path::PathBuf) {
    let include = format!("-I{}", include());
    let mut all = args.to_vec();
    all.push(&include);
    let theirs_dir = scratch(&format!("compile-{case}-protoc"));
    let ours_dir = scratch(&format!("compile-{case}-protoforge"));
    write_files(&theirs_dir, FILES);
    write_files(&ours_dir, FILES);
    let theirs = protoc(&theirs_dir, &all);
    let ours = protoforge_as_protoc(&ours_dir, &all);
    (theirs, ours, theirs_dir, ours_dir)
}

fn read(dir: &Path, name: &str) -> Option<Vec<u8>> {
    std::fs::read(dir.join(name)).ok()
}

/// Asserts the same run and the same `outputs` files.
fn same(case: &str, args: &[&str], outputs: &[&str]) -> Run {
    let (theirs, ours, theirs_dir, ours_dir) = both(case, args);
    assert_eq!(ours, theirs, "{case}: {args:?}");
    for output in outputs {
        let (a, b) = (read(&ours_dir, output), read(&theirs_dir, output));
        assert!(a == b, "{case}: {output} differs ({args:?})");
    }
    theirs
}

const FLAG_SETS: [&[&str]; 8] = [
    &[],
    &["--include_imports"],
    &["--include_source_info"],
    &["--retain_options"],
    &["--include_imports", "--include_source_info"],
    &["--include_imports", "--retain_options"],
    &["--include_source_info", "--retain_options"],
    &[
        "--include_imports",
        "--include_source_info",
        "--retain_options",
    ],
];

#[test]
fn descriptor_sets_under_every_flag_combination() {
    let inputs: [(&str, &[&str]); 5] = [
        ("disk-paths", &["-Isrc", "src/app/a.proto"]),
        (
            "import-names",
            &["--proto_path=src", "app/a.proto", "app/c.proto"],
        ),
        (
            "virtual-mapping",
            &[
                "-Ivend=vendor",
                "-Isrc",
                "vend/ext/e.proto",
                "src/app/b.proto",
            ],
        ),
        (
            "dependency-order",
            &["-Isrc:vendor", "app/b.proto", "ext/e.proto", "app/a.proto"],
        ),
        ("argfile-and-list", &["-Isrc", "@../../args"]),
    ];
    for (name, inputs) in inputs {
        for (i, flags) in FLAG_SETS.iter().enumerate() {
            let mut args = vec!["-o", "out.pb"];
            args.extend_from_slice(flags);
            args.extend_from_slice(inputs);
            let case = format!("set-{name}-{i}");
            if name == "argfile-and-list" {
                // The argument file lives next to the two copies.
                let parent = crate::support::scratch(&format!("compile-{case}-protoc"));
                let args_file = parent.join("../../args");
                std::fs::write(&args_file, "app/c.proto\napp/b.proto\n")
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            let run = same(&case, &args, &["out.pb"]);
            assert_eq!(run.code, 0, "{case}: {run:?}");
        }
    }
}

#[test]
fn dependency_files() {
    for (case, args) in [
        (
            "deps-disk",
            &[
                "-Isrc",
                "-o",
                "out.pb",
                "--dependency_out=deps.d",
                "src/app/a.proto",
            ][..],
        ),
        (
            "deps-virtual",
            &[
                "-Iv=vendor",
                "-Isrc",
                "-o",
                "./out.pb",
                "--dependency_out",
                "deps.d",
                "v/ext/e.proto",
            ],
        ),
    ] {
        let run = same(case, args, &["deps.d", "out.pb"]);
        assert_eq!(run.code, 0, "{case}: {run:?}");
    }
}

#[test]
fn free_field_numbers() {
    let run = same(
        "free-fields",
        &[
            "-Isrc",
            "--print_free_field_numbers",
            "app/a.proto",
            "app/c.proto",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("app.A.Inner"), "{run:?}");
}

#[test]
fn diagnostics_in_both_protoc_formats() {
    for format in ["gcc", "msvs"] {
        let format_flag = format!("--error_format={format}");
        for (case, input) in [("warning", "bad/warn.proto"), ("error", "bad/err.proto")] {
            let args = ["-Isrc", "-I.", "-o", "out.pb", &format_flag, input];
            let run = same(&format!("diag-{case}-{format}"), &args, &["out.pb"]);
            assert!(!run.stderr.is_empty(), "{case}");
            let fatal = [
                "-Isrc",
                "-I.",
                "-o",
                "out.pb",
                "--fatal_warnings",
                &format_flag,
                input,
            ];
            let run = same(&format!("diag-{case}-{format}-fatal"), &fatal, &["out.pb"]);
            assert_eq!(run.code, 1, "{case}");
        }
    }
}

#[test]
fn inputs_protoc_cannot_map() {
    let cases: [(&str, &[&str]); 6] = [
        ("missing", &["-Isrc", "-o", "o", "src/app/nope.proto"]),
        ("outside", &["-Isrc", "-o", "o", "vendor/ext/e.proto"]),
        (
            "shadowed",
            &["-Ishadow", "-Isrc", "-o", "o", "src/app/b.proto"],
        ),
        ("unknown-name", &["-Isrc", "-o", "o", "app/nope.proto"]),
        ("dash", &["-o", "o", "-"]),
        ("non-canonical", &["-Isrc", "-o", "o", "app//b.proto"]),
    ];
    for (case, args) in cases {
        let run = same(&format!("map-{case}"), args, &["o"]);
        assert_eq!(run.code, 1, "{case}: {run:?}");
    }
}
