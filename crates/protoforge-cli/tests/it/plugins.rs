//! The plugin protocol, differentially: the same plugin (the capture
//! plugin of `tools/plugin-capture`, which records its request and answers
//! with bytes the test chose) runs under the pinned protoc and under
//! protoforge, each in its own copy of the same directory. The requests must
//! be byte-identical, and so must everything the two compilers do with the
//! same response: exit status, stdout, stderr and every output file.

use std::collections::BTreeMap;

use crate::support::pb::{code_info, file, response};
use crate::support::{
    Run, capture_plugin, include, protoc, protoforge_as_protoc, scratch, tree, write_files,
};

const FEATURES: u64 = 3; // proto3 optional and editions
const EDITIONS: Option<(i64, i64)> = Some((998, 1001));

/// The protos most cases compile: source-retention options, proto3
/// `optional`, an import, an editions file.
const PROTOS: &[(&str, &str)] = &[
    (
        "a.proto",
        "syntax = \"proto3\";\npackage p;\nimport \"google/protobuf/descriptor.proto\";\nimport \"b.proto\";\n\
         extend google.protobuf.FileOptions {\n  int32 src_opt = 50001 [retention = RETENTION_SOURCE];\n  int32 run_opt = 50002;\n}\n\
         option (src_opt) = 1;\noption (run_opt) = 2;\n// Comment on M.\nmessage M {\n  optional int32 x = 1;  // trailing\n  B b = 2;\n  map<string, B> m = 3;\n}\n",
    ),
    (
        "b.proto",
        "syntax = \"proto3\";\npackage p;\nimport \"google/protobuf/descriptor.proto\";\n\
         extend google.protobuf.MessageOptions { int32 msrc = 50003 [retention = RETENTION_SOURCE]; }\n\
         message B { option (msrc) = 5; string some_field = 1; }\n",
    ),
    (
        "sub/e.proto",
        "edition = \"2023\";\npackage e;\nimport \"b.proto\";\nmessage E {\n  int32 x = 1 [features.field_presence = IMPLICIT];\n  p.B b = 2;\n  repeated int32 packed = 3;\n}\n",
    ),
];

/// A plugin of a case: its executable's name, its response and exit status.
struct Plugin {
    name: &'static str,
    response: Vec<u8>,
    exit: i32,
}

fn plugin(name: &'static str, response: Vec<u8>) -> Plugin {
    Plugin {
        name,
        response,
        exit: 0,
    }
}

/// What one compiler did.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    run: Run,
    outputs: Vec<(String, Vec<u8>)>,
    requests: BTreeMap<String, Vec<u8>>,
}

fn side(
    case: &str,
    who: &str,
    files: &[(&str, &str)],
    plugins: &[Plugin],
    args: &[&str],
) -> Outcome {
    let dir = scratch(&format!("plugins-{case}-{who}"));
    write_files(&dir, files);
    let captured = dir.join("captured");
    for d in ["out", "captured"] {
        std::fs::create_dir_all(dir.join(d)).unwrap_or_else(|e| panic!("{e}"));
    }
    for p in plugins {
        let response_path = dir.join(format!("{}.response", p.name));
        std::fs::write(&response_path, &p.response).unwrap_or_else(|e| panic!("{e}"));
        capture_plugin(
            &dir,
            p.name,
            &[
                ("PROTOFORGE_CAPTURE_DIR", captured.display().to_string()),
                ("PROTOFORGE_CAPTURE_NAME", p.name.to_string()),
                (
                    "PROTOFORGE_CAPTURE_RESPONSE",
                    response_path.display().to_string(),
                ),
                ("PROTOFORGE_CAPTURE_EXIT", p.exit.to_string()),
            ],
        );
    }
    let include = include();
    let mut all: Vec<&str> = vec!["-I.", "-I", &include];
    all.extend_from_slice(args);
    let run = if who == "protoc" {
        protoc(&dir, &all)
    } else {
        protoforge_as_protoc(&dir, &all)
    };
    let requests = tree(&captured).into_iter().collect();
    let mut outputs = tree(&dir.join("out"));
    for extra in ["out.zip", "out.jar", "deps.d", "set.pb"] {
        if let Ok(bytes) = std::fs::read(dir.join(extra)) {
            outputs.push((extra.to_string(), bytes));
        }
    }
    Outcome {
        run,
        outputs,
        requests,
    }
}

/// Runs the case under both compilers and asserts they did the same; returns what happened.
fn same(case: &str, files: &[(&str, &str)], plugins: &[Plugin], args: &[&str]) -> Outcome {
    let theirs = side(case, "protoc", files, plugins, args);
    let ours = side(case, "protoforge", files, plugins, args);
    assert_eq!(
        ours.run, theirs.run,
        "{case}: exit status or output streams differ"
    );
    let names = |o: &Outcome| o.outputs.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ours), names(&theirs), "{case}: output files differ");
    for ((name, a), (_, b)) in ours.outputs.iter().zip(&theirs.outputs) {
        assert!(
            a == b,
            "{case}: {name} differs:\n ours: {:?}\n protoc: {:?}",
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(b)
        );
    }
    assert_eq!(
        ours.requests.keys().collect::<Vec<_>>(),
        theirs.requests.keys().collect::<Vec<_>>()
    );
    for (name, request) in &ours.requests {
        assert!(
            request == &theirs.requests[name],
            "{case}: the request to {name} differs"
        );
    }
    theirs
}

fn flags<'a>(names: &[&'a str], out: &'a str) -> Vec<String> {
    let mut args = Vec::new();
    for name in names {
        args.push(format!("--plugin=protoc-gen-{name}=./{name}"));
        args.push(format!("--{name}_out={out}"));
    }
    args
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn requests_are_protocs() {
    let ok = response("", FEATURES, EDITIONS, &[]);
    let plugins = [plugin("gen-a", ok.clone()), plugin("gen-b", ok)];
    let args = [
        "--plugin=protoc-gen-a=./gen-a",
        "--a_out=p1,p2:out",
        "--a_opt=p3",
        "--plugin=protoc-gen-b=./gen-b",
        "--b_out=out",
        "a.proto",
        "sub/e.proto",
    ];
    let outcome = same("requests", PROTOS, &plugins, &args);
    assert_eq!(outcome.run.code, 0, "{:?}", outcome.run);
    assert_eq!(outcome.requests.len(), 2);
    // Parameters in the same plugin run: bootstrap mode and a former
    // built-in plugin name change what protoc sends.
    for (case, args) in [
        (
            "request-bootstrap",
            [
                "--plugin=protoc-gen-a=./gen-a",
                "--a_out=x,bootstrap:out",
                "a.proto",
            ],
        ),
        (
            "request-builtin-name",
            [
                "--plugin=protoc-gen-cpp=./gen-a",
                "--cpp_out=out",
                "a.proto",
            ],
        ),
    ] {
        let plugins = [plugin("gen-a", response("", FEATURES, EDITIONS, &[]))];
        same(case, PROTOS, &plugins, &args);
    }
}

#[test]
fn files_chunks_and_insertion_points() {
    let base = "header\n  // @@protoc_insertion_point(body)\n\t// @@protoc_insertion_point(tabbed)\nfooter\n";
    let first = response(
        "",
        FEATURES,
        EDITIONS,
        &[
            file("x.txt", "", base, &[]),
            file("", "", "continued\n", &[]),
            file("dir/y.txt", "", "y", &[]),
            file(
                "z.txt",
                "",
                "call(/* @@protoc_insertion_point(args) */);\n",
                &[],
            ),
            file("x.txt", "body", "one\ntwo", &[]),
            file("z.txt", "args", "1, ", &[]),
            file("x.txt", "tabbed", "", &[]),
        ],
    );
    let second = response(
        "",
        FEATURES,
        EDITIONS,
        &[
            file("x.txt", "body", "from b\n", &[]),
            file("x.txt", "tabbed", "t1\nt2\n", &[]),
        ],
    );
    let plugins = [plugin("gen-a", first), plugin("gen-b", second)];
    let mut args = flags(&["gen-a", "gen-b"], "out");
    args.push("a.proto".into());
    let outcome = same("insertions", PROTOS, &plugins, &strs(&args));
    assert_eq!(outcome.run.code, 0, "{:?}", outcome.run);
    assert_eq!(outcome.outputs.len(), 3);
}

#[test]
fn metadata_follows_insertions() {
    let base = "class A {\n    // @@protoc_insertion_point(members)\n}\n";
    let meta = code_info(&[(&[4, 0], 6, 7), (&[4, 0, 2, 0], 40, 50)]);
    // The companion's content is wire-format GeneratedCodeInfo.
    let mut first_fixed = Vec::new();
    {
        use crate::support::pb::bytes;
        let mut meta_file = Vec::new();
        bytes(&mut meta_file, 1, b"a.h.pb.meta");
        bytes(&mut meta_file, 15, &meta);
        let mut base_file = Vec::new();
        bytes(&mut base_file, 1, b"a.h");
        bytes(&mut base_file, 15, base.as_bytes());
        crate::support::pb::uint(&mut first_fixed, 2, FEATURES);
        crate::support::pb::uint(&mut first_fixed, 3, 998);
        crate::support::pb::uint(&mut first_fixed, 4, 1001);
        bytes(&mut first_fixed, 15, &base_file);
        bytes(&mut first_fixed, 15, &meta_file);
    }
    let inserted = code_info(&[(&[4, 1], 4, 7), (&[4, 2], 12, 20)]);
    let second = response(
        "",
        FEATURES,
        EDITIONS,
        &[file(
            "a.h",
            "members",
            "int a;\nint bb;\nint ccc;\n",
            &inserted,
        )],
    );
    // Also an insertion with annotations into a file with no companion yet.
    let third = response(
        "",
        FEATURES,
        EDITIONS,
        &[
            file("b.h", "", "// @@protoc_insertion_point(x)\n", &[]),
            file("b.h", "x", "  abc\n", &code_info(&[(&[1], 2, 5)])),
        ],
    );
    let plugins = [
        plugin("gen-a", first_fixed),
        plugin("gen-b", second),
        plugin("gen-c", third),
    ];
    let mut args = flags(&["gen-a", "gen-b", "gen-c"], "out");
    args.push("a.proto".into());
    let outcome = same("metadata", PROTOS, &plugins, &strs(&args));
    assert_eq!(outcome.run.code, 0, "{:?}", outcome.run);
    assert!(outcome.outputs.iter().any(|(n, _)| n == "b.h.pb.meta"));
}

#[test]
fn failures_are_reported_as_protoc_reports_them() {
    let ok = |files: &[Vec<u8>]| response("", FEATURES, EDITIONS, files);
    let cases: Vec<(&str, Vec<Plugin>, Vec<&str>)> = vec![
        (
            "missing-point",
            vec![plugin(
                "gen-a",
                ok(&[file("x", "", "a\n", &[]), file("x", "nope", "b", &[])]),
            )],
            vec![],
        ),
        (
            "twice",
            vec![plugin(
                "gen-a",
                ok(&[file("x", "", "a", &[]), file("x", "", "b", &[])]),
            )],
            vec![],
        ),
        (
            "insert-missing-file",
            vec![plugin("gen-a", ok(&[file("x", "p", "a", &[])]))],
            vec![],
        ),
        (
            "no-first-name",
            vec![plugin("gen-a", ok(&[file("", "", "a", &[])]))],
            vec![],
        ),
        (
            "error",
            vec![plugin(
                "gen-a",
                response(
                    "it went wrong",
                    FEATURES,
                    EDITIONS,
                    &[file("x", "", "a", &[])],
                ),
            )],
            vec![],
        ),
        (
            "unparseable",
            vec![plugin("gen-a", b"\x0a\x05ab\n\x01\xff".to_vec())],
            vec![],
        ),
        (
            "exit-status",
            vec![Plugin {
                name: "gen-a",
                response: Vec::new(),
                exit: 3,
            }],
            vec![],
        ),
        (
            "no-proto3-optional",
            vec![plugin("gen-a", response("", 2, EDITIONS, &[]))],
            vec![],
        ),
        (
            "no-editions",
            vec![plugin("gen-a", response("", 1, None, &[]))],
            vec!["sub/e.proto"],
        ),
        (
            "edition-too-new",
            vec![plugin(
                "gen-a",
                response("", FEATURES, Some((998, 999)), &[]),
            )],
            vec!["sub/e.proto"],
        ),
        (
            "edition-too-old",
            vec![plugin(
                "gen-a",
                response("", FEATURES, Some((1001, 1001)), &[]),
            )],
            vec!["sub/e.proto"],
        ),
        (
            "optional-and-error",
            vec![plugin("gen-a", response("also this", 0, None, &[]))],
            vec![],
        ),
        (
            "escape",
            vec![plugin("gen-a", ok(&[file("../x", "", "a", &[])]))],
            vec![],
        ),
        (
            "second-fails",
            vec![
                plugin("gen-a", ok(&[file("x", "", "a", &[])])),
                Plugin {
                    name: "gen-b",
                    response: Vec::new(),
                    exit: 1,
                },
            ],
            vec![],
        ),
    ];
    for (case, plugins, inputs) in cases {
        let names: Vec<&str> = plugins.iter().map(|p| p.name).collect();
        let mut args = flags(&names, "out");
        if inputs.is_empty() {
            args.push("a.proto".into());
        }
        args.extend(inputs.iter().map(|s| s.to_string()));
        let outcome = same(case, PROTOS, &plugins, &strs(&args));
        assert_eq!(outcome.run.code, 1, "{case}: {:?}", outcome.run);
        assert!(!outcome.run.stderr.is_empty(), "{case}");
    }
}

#[test]
fn output_locations() {
    let files = response(
        "",
        FEATURES,
        EDITIONS,
        &[file("b/x.txt", "", "x", &[]), file("a.txt", "", "a", &[])],
    );
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "zip",
            vec![
                "--plugin=protoc-gen-a=./gen-a".into(),
                "--a_out=out.zip".into(),
            ],
        ),
        (
            "jar",
            vec![
                "--plugin=protoc-gen-a=./gen-a".into(),
                "--a_out=opt:out.jar".into(),
            ],
        ),
        (
            "missing-dir",
            vec![
                "--plugin=protoc-gen-a=./gen-a".into(),
                "--a_out=nowhere".into(),
            ],
        ),
        (
            "escape-allowed",
            vec![
                "--plugin=protoc-gen-a=./gen-a".into(),
                "--a_out=out/sub".into(),
                "--unsafe_allow_out_dir_escape".into(),
            ],
        ),
        (
            "depfile",
            vec![
                "--plugin=protoc-gen-a=./gen-a".into(),
                "--a_out=./out".into(),
                "-o".into(),
                "set.pb".into(),
                "--dependency_out=deps.d".into(),
            ],
        ),
    ];
    for (case, mut args) in cases {
        let plugin_files = if case == "escape-allowed" {
            response("", FEATURES, EDITIONS, &[file("../up.txt", "", "u", &[])])
        } else {
            files.clone()
        };
        args.push("a.proto".into());
        let mut files = PROTOS.to_vec();
        files.push(("out/sub/keep", ""));
        let outcome = same(case, &files, &[plugin("gen-a", plugin_files)], &strs(&args));
        let expected = if case == "missing-dir" { 1 } else { 0 };
        assert_eq!(outcome.run.code, expected, "{case}: {:?}", outcome.run);
    }
}

#[test]
fn plugins_that_cannot_start() {
    let dir_args: [&[&str]; 2] = [
        &[
            "--plugin=protoc-gen-a=./does-not-exist",
            "--a_out=out",
            "a.proto",
        ],
        &["--nonexistent_plugin_for_tests_out=out", "a.proto"],
    ];
    for (i, args) in dir_args.iter().enumerate() {
        let outcome = same(&format!("no-plugin-{i}"), PROTOS, &[], args);
        assert_eq!(outcome.run.code, 1);
    }
}

/// How long each plugin of [`plugins_run_at_the_same_time`] waits for the
/// other to start before giving up, in tenths of a second.
const RENDEZVOUS_TENTHS: u32 = 300;

#[test]
fn plugins_run_at_the_same_time() {
    // Each plugin announces itself, then waits for the other: they can only
    // both succeed if they run at the same time (protoc, which runs them one
    // after the other, fails this).
    let dir = scratch("plugins-rendezvous");
    write_files(&dir, PROTOS);
    std::fs::create_dir_all(dir.join("out")).unwrap_or_else(|e| panic!("{e}"));
    for (me, other) in [("gen-a", "gen-b"), ("gen-b", "gen-a")] {
        let script = format!(
            "#!/bin/sh\ncat > /dev/null\ntouch '{dir}/{me}.started'\ni=0\n\
             while [ ! -e '{dir}/{other}.started' ]; do\n  i=$((i+1))\n  \
             [ $i -gt {RENDEZVOUS_TENTHS} ] && exit 7\n  sleep 0.1\ndone\nprintf '\\020\\003'\n",
            dir = dir.display()
        );
        let path = dir.join(me);
        std::fs::write(&path, script).unwrap_or_else(|e| panic!("{e}"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let include = include();
    let mut args = vec!["-I.".to_string(), format!("-I{include}")];
    args.extend(flags(&["gen-a", "gen-b"], "out"));
    args.push("b.proto".into());
    let run = crate::support::protoforge(&dir, &strs(&args));
    assert_eq!(run, Run::new(0, "", ""));
}
