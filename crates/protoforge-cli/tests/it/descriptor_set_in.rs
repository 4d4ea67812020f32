//! `--descriptor_set_in`, differentially: descriptor sets written by the
//! pinned protoc from real protos of the corpus go back in as inputs, with
//! and without `-I`, under every combination of `--include_imports` and
//! `--include_source_info` (and `--retain_options`); the `-o` bytes, a
//! plugin's `CodeGeneratorRequest`, stderr and the exit status must equal
//! protoc's. Then the error cases: a set that does not parse or does not
//! exist, a file in no set, a file whose import is in no set, the same file
//! in two sets (the first wins), sets protoc refuses while indexing them
//! (a symbol twice or under another, an extension number twice),
//! `--encode`/`--decode` with types only in a set.

use std::path::Path;

use crate::support::{
    capture_plugin, include, protoc, protoforge_as_protoc, scratch, without_log_noise, write_files,
};

/// Files of the corpus whose sets are fed back in.
const FILES: &[&str] = &[
    "google/protobuf/test_messages_proto2.proto",
    "google/protobuf/test_messages_proto3.proto",
    "google/protobuf/unittest_custom_options.proto",
    "editions/golden/test_messages_proto3_editions.proto",
];

fn read_or_empty(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

/// Runs both tools in `dir` with `args` (plus `-o OUT`), and returns a
/// description of any difference.
fn differ(dir: &Path, args: &[String]) -> Option<String> {
    let mut ours_args: Vec<&str> = args.iter().map(String::as_str).collect();
    ours_args.extend(["-o", "ours.pb"]);
    let mut theirs_args: Vec<&str> = args.iter().map(String::as_str).collect();
    theirs_args.extend(["-o", "theirs.pb"]);
    let _ = std::fs::remove_file(dir.join("ours.pb"));
    let _ = std::fs::remove_file(dir.join("theirs.pb"));
    let theirs = protoc(dir, &theirs_args);
    let ours = protoforge_as_protoc(dir, &ours_args);
    let same_bytes = read_or_empty(&dir.join("ours.pb")) == read_or_empty(&dir.join("theirs.pb"));
    let same_stderr =
        without_log_noise(theirs.stderr.as_bytes()) == without_log_noise(ours.stderr.as_bytes());
    if theirs.code == ours.code && same_stderr && same_bytes {
        return None;
    }
    Some(format!(
        "{}:\n  protoc ({}): {:?}\n  ours ({}): {:?}\n  same -o bytes: {same_bytes}",
        args.join(" "),
        theirs.code,
        theirs.stderr,
        ours.code,
        ours.stderr
    ))
}

/// Runs every command line of `cases` through both tools in `dir`, and
/// fails with every difference.
fn assert_all_match_protoc(dir: &Path, cases: &[&[&str]]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|args| differ(dir, &args.iter().map(|a| a.to_string()).collect::<Vec<_>>()))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn corpus_sets_read_back_as_protoc_reads_them() {
    let Some(corpus) = protoforge_testkit::corpus_dir("descriptor_set_in") else {
        return;
    };
    let root = corpus.join("protobuf").display().to_string();
    let dir = scratch("descriptor-set-in-corpus");
    let include = include();
    let mut failures = Vec::new();
    for (i, file) in FILES.iter().enumerate() {
        let set = format!("set{i}.pb");
        let made = protoc(
            &dir,
            &[
                &format!("-I{root}"),
                &format!("-I{include}"),
                "--include_imports",
                "--include_source_info",
                "-o",
                &set,
                file,
            ],
        );
        assert_eq!(
            made.code, 0,
            "protoc could not write {set}: {}",
            made.stderr
        );
        for flags in [
            &[][..],
            &["--include_imports"][..],
            &["--include_source_info"][..],
            &["--include_imports", "--include_source_info"][..],
            &["--retain_options", "--include_imports"][..],
        ] {
            for with_include in [false, true] {
                let mut args = vec![format!("--descriptor_set_in={set}")];
                if with_include {
                    args.push(format!("-I{include}"));
                }
                args.extend(flags.iter().map(|f| f.to_string()));
                args.push(file.to_string());
                failures.extend(differ(&dir, &args));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn plugins_get_protocs_request_from_a_set() {
    let Some(corpus) = protoforge_testkit::corpus_dir("descriptor_set_in plugin") else {
        return;
    };
    let root = corpus.join("protobuf").display().to_string();
    let dir = scratch("descriptor-set-in-plugin");
    let include = include();
    let file = "google/protobuf/unittest_custom_options.proto";
    let made = protoc(
        &dir,
        &[
            &format!("-I{root}"),
            &format!("-I{include}"),
            "--include_imports",
            "--include_source_info",
            "-o",
            "set.pb",
            file,
        ],
    );
    assert_eq!(made.code, 0, "{}", made.stderr);
    let captured = dir.join("captured");
    std::fs::create_dir_all(&captured).unwrap_or_else(|e| panic!("{e}"));
    let mut requests = Vec::new();
    for who in ["theirs", "ours"] {
        capture_plugin(
            &dir,
            "protoc-gen-cap",
            &[
                ("PROTOFORGE_CAPTURE_DIR", captured.display().to_string()),
                ("PROTOFORGE_CAPTURE_NAME", who.to_string()),
            ],
        );
        let args = [
            "--descriptor_set_in=set.pb",
            "--plugin=protoc-gen-cap=./protoc-gen-cap",
            "--cap_out=out",
            file,
        ];
        std::fs::create_dir_all(dir.join("out")).unwrap_or_else(|e| panic!("{e}"));
        let run = if who == "theirs" {
            protoc(&dir, &args)
        } else {
            protoforge_as_protoc(&dir, &args)
        };
        assert_eq!(run.code, 0, "{who}: {}", run.stderr);
        requests.push(read_or_empty(&captured.join(format!("{who}.bin"))));
    }
    assert!(!requests[0].is_empty(), "the plugin saw no request");
    assert!(
        requests[0] == requests[1],
        "the CodeGeneratorRequests differ"
    );
}

#[test]
fn descriptor_set_errors_match_protoc() {
    let dir = scratch("descriptor-set-in-errors");
    write_files(
        &dir,
        &[
            (
                "src/a.proto",
                "syntax = \"proto3\";\npackage p;\nmessage A { int32 x = 1; }\n",
            ),
            (
                "src/b.proto",
                "syntax = \"proto3\";\npackage p;\nimport \"a.proto\";\nmessage B { A a = 1; }\n",
            ),
            ("garbage.pb", "garbage\n"),
        ],
    );
    for (args, out) in [
        (&["-Isrc", "a.proto"][..], "a.pb"),
        (&["-Isrc", "b.proto"][..], "b.pb"),
        (&["-Isrc", "--include_imports", "b.proto"][..], "ab.pb"),
    ] {
        let mut args = args.to_vec();
        args.extend(["-o", out]);
        let made = protoc(&dir, &args);
        assert_eq!(made.code, 0, "{}", made.stderr);
    }
    // A different a.proto, to see which set wins.
    write_files(
        &dir,
        &[(
            "alt/a.proto",
            "syntax = \"proto3\";\npackage q;\nmessage A { string y = 1; }\n",
        )],
    );
    let alt = protoc(&dir, &["-Ialt", "-o", "alt_a.pb", "a.proto"]);
    assert_eq!(alt.code, 0, "{}", alt.stderr);

    let cases: &[&[&str]] = &[
        &["--descriptor_set_in=b.pb", "b.proto"],
        &["--descriptor_set_in=ab.pb", "b.proto"],
        &["--descriptor_set_in=b.pb:a.pb", "b.proto"],
        &["--descriptor_set_in=garbage.pb", "b.proto"],
        &["--descriptor_set_in=missing.pb", "b.proto"],
        &["--descriptor_set_in=ab.pb", "c.proto"],
        &[
            "--descriptor_set_in=ab.pb",
            "--disallow_services",
            "b.proto",
        ],
        &["-Isrc", "--descriptor_set_in=b.pb", "b.proto"],
        &["-Inowhere", "--descriptor_set_in=b.pb", "b.proto"],
        &["-Isrc", "--descriptor_set_in=ab.pb", "c.proto"],
        &[
            "--descriptor_set_in=alt_a.pb:ab.pb",
            "--include_imports",
            "a.proto",
        ],
        &[
            "--descriptor_set_in=ab.pb:alt_a.pb",
            "--include_imports",
            "a.proto",
        ],
        &["--descriptor_set_in=alt_a.pb:ab.pb", "b.proto"],
        &[
            "-Isrc",
            "--descriptor_set_in=alt_a.pb",
            "--include_imports",
            "b.proto",
        ],
    ];
    assert_all_match_protoc(&dir, cases);
}

#[test]
fn sets_refused_while_indexing_them_match_protoc() {
    let dir = scratch("descriptor-set-in-index");
    write_files(
        &dir,
        &[
            // A package named like a message of another package: `p.A.B`
            // lies under `p.A`.
            (
                "src/pa.proto",
                "syntax = \"proto3\";\npackage p.A;\nmessage B {}\n",
            ),
            (
                "src/p.proto",
                "syntax = \"proto3\";\npackage p;\nmessage A {}\n",
            ),
            (
                "src/z.proto",
                "syntax = \"proto3\";\npackage a;\nmessage Z {}\n",
            ),
            (
                "src/m.proto",
                "syntax = \"proto2\";\npackage p;\nmessage M { extensions 100 to 200; }\n",
            ),
            (
                "src/e1.proto",
                "syntax = \"proto2\";\npackage p;\nimport \"m.proto\";\n\
                 extend M { optional int32 x = 100; }\n",
            ),
            (
                "src/e2.proto",
                "syntax = \"proto2\";\npackage q;\nimport \"m.proto\";\n\
                 message N { extend p.M { optional int32 y = 100; } }\n",
            ),
        ],
    );
    for file in ["pa", "p", "z", "m", "e1", "e2"] {
        let made = protoc(
            &dir,
            &[
                "-Isrc",
                "-o",
                &format!("{file}.pb"),
                &format!("{file}.proto"),
            ],
        );
        assert_eq!(made.code, 0, "{}", made.stderr);
    }
    // Sets put together: a set's `file` field repeats, so sets joined end
    // to end are one set with the files of both, in order.
    let join = |out: &str, parts: &[&str]| {
        let mut bytes = Vec::new();
        for part in parts {
            bytes.extend(read_or_empty(&dir.join(format!("{part}.pb"))));
        }
        std::fs::write(dir.join(out), bytes).unwrap_or_else(|e| panic!("{out}: {e}"));
    };
    join("under.pb", &["p", "pa"]);
    join("over.pb", &["z", "pa", "p"]);
    // Nothing sorts before `p.A`: protoc's index does not see `p.A.B`.
    join("over_first.pb", &["pa", "p"]);
    join("extensions.pb", &["m", "e1", "e2"]);
    join("twice.pb", &["p", "p"]);
    let cases: &[&[&str]] = &[
        &["--descriptor_set_in=under.pb", "p.proto"],
        &["--descriptor_set_in=over.pb", "z.proto"],
        &["--descriptor_set_in=over_first.pb", "p.proto"],
        &["--descriptor_set_in=over_first.pb", "pa.proto"],
        &["--descriptor_set_in=extensions.pb", "m.proto"],
        &["--descriptor_set_in=twice.pb", "p.proto"],
        // Each set is indexed on its own.
        &["--descriptor_set_in=p.pb:pa.pb", "p.proto"],
        &["--descriptor_set_in=e1.pb:e2.pb:m.pb", "m.proto"],
        // The first set that fails stops the run.
        &["--descriptor_set_in=missing.pb:under.pb", "p.proto"],
        &["--descriptor_set_in=under.pb:missing.pb", "p.proto"],
        &["-Isrc", "--descriptor_set_in=extensions.pb", "m.proto"],
    ];
    assert_all_match_protoc(&dir, cases);
}

#[test]
fn encode_and_decode_find_types_in_sets() {
    let dir = scratch("descriptor-set-in-codec");
    write_files(
        &dir,
        &[(
            "src/a.proto",
            "syntax = \"proto3\";\npackage p;\nmessage A { int32 x = 1; string s = 2; }\n",
        )],
    );
    let made = protoc(&dir, &["-Isrc", "-o", "a.pb", "a.proto"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    for direction in ["encode", "decode"] {
        let input: &[u8] = if direction == "encode" {
            b"x: 5 s: \"hi\"\n"
        } else {
            b"\x08\x05\x12\x02hi"
        };
        let mut results = Vec::new();
        for who in ["theirs", "ours"] {
            let mut command = if who == "theirs" {
                crate::support::protoc_command(&dir, &[])
            } else {
                crate::support::protoforge_command(&dir, &[])
            };
            command
                .args(["--descriptor_set_in=a.pb", &format!("--{direction}=p.A")])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = command.spawn().unwrap_or_else(|e| panic!("{who}: {e}"));
            if let Some(mut stdin) = child.stdin.take() {
                use std::io::Write as _;
                stdin.write_all(input).unwrap_or_else(|e| panic!("{e}"));
            }
            let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
            results.push((output.status.code(), output.stdout, output.stderr));
        }
        assert_eq!(results[0], results[1], "--{direction}");
        assert_eq!(results[0].0, Some(0), "--{direction}: protoc failed");
    }
}
