//! A real third-party plugin, `protoc-gen-es` (npm `@bufbuild/protoc-gen-es`,
//! pinned in `tools/peers/node-plugins`), run under the pinned protoc and
//! under protoforge on the same inputs: every file it writes must be the
//! same, byte for byte. The generated code embeds each file's descriptor,
//! so this also checks the descriptors protoforge sends.

use std::path::{Path, PathBuf};

use crate::support::{include, protoc, protoforge, scratch, tree};

/// `protoc-gen-es`, installed by `cargo xtask peers`.
fn protoc_gen_es() -> PathBuf {
    let venv = protoforge_testkit::venv_dir();
    let peers = venv.parent().map(Path::to_path_buf).unwrap_or_default();
    let plugin = peers.join("node-plugins/node_modules/.bin/protoc-gen-es");
    assert!(
        plugin.exists(),
        "protoc-gen-es is not installed at {}.\nInstall the pinned peers with `cargo xtask peers` \
         (needs Node.js and npm, and access to the npm registry).",
        plugin.display()
    );
    plugin
}

/// Runs protoc-gen-es under both compilers with `args` (the `-I` flags and
/// inputs, relative to `cwd`) and `--es_opt=options`.
fn compare(case: &str, cwd: &Path, options: &str, args: &[&str]) {
    let plugin = format!("--plugin=protoc-gen-es={}", protoc_gen_es().display());
    let include = format!("-I{}", include());
    let mut outputs = Vec::new();
    for who in ["protoc", "protoforge"] {
        let out = scratch(&format!("es-{case}-{who}"));
        let out_flag = format!("--es_out={}", out.display());
        let opt_flag = format!("--es_opt={options}");
        let mut all: Vec<&str> = vec![&plugin, &out_flag, &opt_flag];
        all.extend_from_slice(args);
        all.push(&include);
        let run = if who == "protoc" {
            protoc(cwd, &all)
        } else {
            protoforge(cwd, &all)
        };
        assert_eq!(run.code, 0, "{case}: {who} failed: {run:?}");
        outputs.push((run, tree(&out)));
    }
    let (theirs, ours) = (&outputs[0], &outputs[1]);
    assert_eq!(ours.0.stderr, theirs.0.stderr, "{case}: stderr differs");
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ours.1), names(&theirs.1), "{case}: different files");
    assert!(!ours.1.is_empty(), "{case}: nothing generated");
    for ((name, a), (_, b)) in ours.1.iter().zip(&theirs.1) {
        if a != b {
            let a = String::from_utf8_lossy(a);
            let b = String::from_utf8_lossy(b);
            let line = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            panic!(
                "{case}: {name} differs from line {}:\n ours:   {}\n protoc: {}",
                line + 1,
                a.lines().nth(line).unwrap_or_default(),
                b.lines().nth(line).unwrap_or_default()
            );
        }
    }
}

#[test]
fn bundled_examples() {
    let examples = protoforge_testkit::workspace_root().join("crates/protoforge-examples/proto");
    for options in ["target=ts", "target=js+dts,json_types=true"] {
        compare(
            "examples",
            &examples,
            options,
            &[
                "-I.",
                "helloworld.proto",
                "route_guide.proto",
                "inventory.proto",
            ],
        );
    }
}

#[test]
fn corpus_files() {
    let Some(corpus) = protoforge_testkit::corpus_dir("protoc-gen-es") else {
        return;
    };
    let cases: &[(&str, &[&str])] = &[
        (
            "editions-golden",
            &[
                "-Iprotobuf/editions",
                "golden/test_messages_proto3_editions.proto",
                "golden/test_messages_proto2_editions.proto",
                "golden/simple_proto3.proto",
                "golden/simple_proto2.proto",
            ],
        ),
        (
            "conformance",
            &[
                "-Iprotobuf/conformance",
                "conformance.proto",
                "test_protos/test_messages_edition2023.proto",
            ],
        ),
        (
            "googleapis",
            &[
                "-Igoogleapis",
                "google/type/money.proto",
                "google/type/date.proto",
                "google/rpc/status.proto",
                "google/api/annotations.proto",
                "google/api/http.proto",
            ],
        ),
        (
            "unittest-proto3",
            &["-Iprotobuf", "google/protobuf/unittest_proto3.proto"],
        ),
    ];
    for (case, args) in cases {
        compare(case, &corpus, "target=ts", args);
    }
}
