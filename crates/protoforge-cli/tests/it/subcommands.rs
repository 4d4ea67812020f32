//! The `check` and `debug` subcommands: the real binary run on files written
//! to a scratch directory, checked by exit code and both output streams.

use std::path::PathBuf;
use std::process::Command;

/// What a run of the binary produced.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Writes `files` (path, contents) into a fresh directory named `case`, runs
/// `protoforge args…` there, and returns what it did.
fn protoforge(case: &str, files: &[(&str, &str)], args: &[&str]) -> Run {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(case);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, contents) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
        }
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let output = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(args)
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("running protoforge: {e}"));
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn run(code: i32, stdout: &str, stderr: &str) -> Run {
    Run {
        code,
        stdout: stdout.to_string(),
        stderr: stderr.to_string(),
    }
}

const GOOD: &str =
    "syntax = \"proto3\";\n\n// A point.\nmessage Point {\n  int32 x = 1;  // east\n}\n";
const BAD: &str = "syntax = \"proto3\";\nmessage A { int32 x = 1 }\n";

#[test]
fn check_valid_file_is_silent() {
    assert_eq!(
        protoforge("valid", &[("good.proto", GOOD)], &["check", "good.proto"]),
        run(0, "", "")
    );
}

#[test]
fn check_invalid_file_prints_protoc_line() {
    assert_eq!(
        protoforge("invalid", &[("bad.proto", BAD)], &["check", "bad.proto"]),
        run(1, "", "bad.proto:2:25: Expected \";\".\n"),
    );
}

#[test]
fn check_reports_every_file_and_fails_if_any_fails() {
    let files = [
        ("a.proto", BAD),
        ("b.proto", GOOD),
        ("c.proto", "syntax = \"proto3\";\nenum E { A = 0 B = 1; }\n"),
    ];
    assert_eq!(
        protoforge("many", &files, &["check", "a.proto", "b.proto", "c.proto"]),
        run(
            1,
            "",
            "a.proto:2:25: Expected \";\".\nc.proto:2:16: Expected \";\".\n"
        ),
    );
}

#[test]
fn warnings_do_not_fail() {
    assert_eq!(
        protoforge(
            "warning",
            &[("old.proto", "message M { optional int32 x = 1; }\n")],
            &["check", "old.proto"]
        ),
        run(
            0,
            "",
            "old.proto:1:1: warning: no edition or syntax specified; defaulting to syntax = \"proto2\"\n"
        ),
    );
}

#[test]
fn proto_path_lookup() {
    let files = [
        ("first/dup.proto", GOOD),
        ("second/dup.proto", BAD),
        ("second/only.proto", BAD),
    ];
    // Found under the first directory that has it, and named as given.
    let args = ["check", "-I", "first", "--proto_path=second", "dup.proto"];
    assert_eq!(protoforge("lookup", &files, &args), run(0, "", ""));
    let args = [
        "check",
        "-Isecond",
        "-I",
        "first",
        "dup.proto",
        "only.proto",
    ];
    assert_eq!(
        protoforge("lookup", &files, &args),
        run(
            1,
            "",
            "dup.proto:2:25: Expected \";\".\nonly.proto:2:25: Expected \";\".\n"
        ),
    );
    // A path that exists as given wins over the directories.
    let args = ["check", "-I", "first", "second/dup.proto"];
    assert_eq!(
        protoforge("lookup", &files, &args),
        run(1, "", "second/dup.proto:2:25: Expected \";\".\n")
    );
    // protoc's `:`-separated list.
    let args = ["check", "-I", "nowhere:first", "dup.proto"];
    assert_eq!(protoforge("lookup", &files, &args), run(0, "", ""));
}

#[test]
fn missing_file() {
    assert_eq!(
        protoforge(
            "missing",
            &[("good.proto", GOOD)],
            &["check", "-I", "elsewhere", "nope.proto", "good.proto"]
        ),
        run(1, "", "nope.proto: No such file or directory\n"),
    );
}

#[test]
fn rich_format_shows_the_caret() {
    let expected = "\
error[unexpected-token]: Expected \";\".
  --> bad.proto:2:25
  |
2 | message A { int32 x = 1 }
  |                         ^
  = help: found `}`

";
    assert_eq!(
        protoforge(
            "rich",
            &[("bad.proto", BAD)],
            &["check", "--error_format=rich", "bad.proto"]
        ),
        run(1, "", expected),
    );
}

#[test]
fn debug_ast_prints_the_tree() {
    let expected = "\
File @0..74
  Syntax syntax \"proto3\" @0..18
  Message Point @32..73
    leading: \" A point.\\n\"
    Field int32 x = 1 @50..62
      trailing: \" east\\n\"
";
    assert_eq!(
        protoforge(
            "ast",
            &[("good.proto", GOOD)],
            &["debug", "ast", "good.proto"]
        ),
        run(0, expected, "")
    );
}

#[test]
fn debug_ast_prints_what_it_can_and_fails_on_errors() {
    let expected = "\
File @0..45
  Syntax syntax \"proto3\" @0..18
  Message A @19..44
";
    assert_eq!(
        protoforge(
            "ast-error",
            &[("bad.proto", BAD)],
            &["debug", "ast", "bad.proto"]
        ),
        run(1, expected, "bad.proto:2:25: Expected \";\".\n"),
    );
}

#[test]
fn files_are_read_as_bytes() {
    // Latin-1 bytes in a comment and a string are fine; outside them they are an error.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join("bytes-input");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let source = b"syntax = \"proto2\"; // caf\xe9\nmessage M { optional string s = 1 [default = \"\xe9\"]; }\n\xe9\n";
    std::fs::write(dir.join("latin1.proto"), source).unwrap_or_else(|e| panic!("{e}"));
    let result = protoforge(
        "bytes",
        &[],
        &[
            "check",
            "-I",
            dir.to_str().unwrap_or_default(),
            "latin1.proto",
        ],
    );
    // The same two lines as protoc.
    let expected = "latin1.proto:3:1: Interpreting non ascii codepoint 233.\n\
                    latin1.proto:3:1: Expected top-level statement (e.g. \"message\").\n";
    assert_eq!(result, run(1, "", expected));
}

#[test]
fn usage_errors_exit_with_2() {
    for args in [
        &["check"][..],
        &["check", "--error_format=msvs", "x.proto"],
        &["debug", "ir", "x.proto"],
    ] {
        let result = protoforge("usage", &[], args);
        assert_eq!(result.code, 2, "{args:?}: {result:?}");
        assert!(
            result.stdout.is_empty() && !result.stderr.is_empty(),
            "{args:?}: {result:?}"
        );
    }
}

#[test]
fn bundled_examples_are_clean() {
    // What `cargo xtask demo` runs.
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../protoforge-examples/proto");
    let mut args = vec![
        "check".to_string(),
        "-I".to_string(),
        examples.display().to_string(),
    ];
    for name in ["helloworld.proto", "route_guide.proto", "inventory.proto"] {
        assert!(
            examples.join(name).is_file(),
            "{name} is missing from {}",
            examples.display()
        );
        args.push(name.to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(protoforge("examples", &[], &args), run(0, "", ""));
}
