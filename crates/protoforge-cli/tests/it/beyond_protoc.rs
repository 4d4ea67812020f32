//! What protoforge's protoc command line does beyond protoc: `--allow`,
//! directory and glob inputs, the `rich` and `json` error formats; and how
//! it treats what protoc only logs.

use crate::support::{Run, protoforge, scratch, write_files};

const FILES: &[(&str, &str)] = &[
    (
        "protos/a.proto",
        "syntax = \"proto3\";\npackage p;\nmessage A {\n  reserved \"bad name\";\n}\n",
    ),
    (
        "protos/sub/b.proto",
        "syntax = \"proto3\";\npackage p.sub;\nmessage B {}\n",
    ),
    (
        "protos/sub/deeper/c.proto",
        "syntax = \"proto3\";\npackage p.deeper;\nmessage C {}\n",
    ),
    ("protos/notes.txt", "not a proto"),
    (
        "old/nosyntax.proto",
        "message Old { optional int32 x = 1; }\n",
    ),
    (
        "broken/e.proto",
        "syntax = \"proto3\";\nmessage E {\n  int32 x = 1;\n  string x = 2;\n}\n",
    ),
];

fn run(case: &str, args: &[&str]) -> Run {
    let dir = scratch(&format!("beyond-{case}"));
    write_files(&dir, FILES);
    protoforge(&dir, args)
}

/// The names of the files in the descriptor set `out.pb` of `case`.
fn set_files(case: &str) -> Vec<String> {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(format!("beyond-{case}"));
    let bytes = std::fs::read(dir.join("out.pb")).unwrap_or_default();
    // FileDescriptorSet.file (1) → FileDescriptorProto.name (1): enough
    // framing to read the names.
    let mut names = Vec::new();
    let mut at = 0;
    let varint = |at: &mut usize| {
        let mut v = 0usize;
        let mut shift = 0;
        while let Some(&b) = bytes.get(*at) {
            *at += 1;
            v |= usize::from(b & 0x7F) << shift;
            shift += 7;
            if b < 0x80 {
                break;
            }
        }
        v
    };
    while at < bytes.len() {
        let _tag = varint(&mut at);
        let len = varint(&mut at);
        let file = &bytes[at..at + len];
        at += len;
        // The name is the first field of each file.
        let name_len = usize::from(file[1]);
        names.push(String::from_utf8_lossy(&file[2..2 + name_len]).into_owned());
    }
    names
}

#[test]
fn allow_switches_off_one_kind_of_warning() {
    let shown = run("allow-none", &["-Iprotos", "-o", "out.pb", "a.proto"]);
    assert_eq!(
        shown,
        Run::new(
            0,
            "",
            "protos/a.proto:4:12: warning: Reserved name \"bad name\" is not a valid identifier.\n"
        )
    );
    let allowed = run(
        "allow",
        &[
            "-Iprotos",
            "-o",
            "out.pb",
            "--allow=invalid-reserved",
            "a.proto",
        ],
    );
    assert_eq!(allowed, Run::new(0, "", ""));
    // An allowed warning does not fail --fatal_warnings; another kind still does.
    let fatal = run(
        "allow-fatal",
        &[
            "-Iprotos",
            "-o",
            "out.pb",
            "--fatal_warnings",
            "--allow",
            "invalid-reserved",
            "a.proto",
        ],
    );
    assert_eq!(fatal.code, 0, "{fatal:?}");
    let fatal = run(
        "allow-other",
        &[
            "-Iprotos",
            "-o",
            "out.pb",
            "--fatal_warnings",
            "--allow=unused-import",
            "a.proto",
        ],
    );
    assert_eq!(fatal.code, 1, "{fatal:?}");
    // Errors cannot be allowed.
    let error = run(
        "allow-error",
        &[
            "-Ibroken",
            "-o",
            "out.pb",
            "--allow=duplicate-name",
            "e.proto",
        ],
    );
    assert_eq!(error.code, 1, "{error:?}");
    assert!(!error.stderr.is_empty());
}

#[test]
fn what_protoc_only_logs_does_not_fail_fatal_warnings() {
    let result = run(
        "logged",
        &[
            "-Iold",
            "-o",
            "out.pb",
            "--fatal_warnings",
            "nosyntax.proto",
        ],
    );
    assert_eq!(result.code, 0, "{result:?}");
    assert!(result.stderr.contains("warning:"), "{result:?}");
}

#[test]
fn directories_expand_to_their_protos() {
    let result = run(
        "directory",
        &[
            "-Iprotos",
            "-o",
            "out.pb",
            "--allow=invalid-reserved",
            "protos",
        ],
    );
    assert_eq!(result, Run::new(0, "", ""));
    assert_eq!(
        set_files("directory"),
        ["a.proto", "sub/b.proto", "sub/deeper/c.proto"]
    );
    let empty = run(
        "directory-empty",
        &[
            "-Iold",
            "-o",
            "out.pb",
            "protos/sub/deeper/",
            "broken/nothing-here",
        ],
    );
    assert_eq!(empty.code, 1);
    let result = run("directory-none", &["-I.", "-o", "out.pb", "protos/missing"]);
    assert_eq!(result.code, 1);
}

#[test]
fn globs_expand_to_matching_files() {
    let result = run(
        "glob",
        &[
            "-Iprotos",
            "-o",
            "out.pb",
            "protos/**/*.proto",
            "--allow=invalid-reserved",
        ],
    );
    assert_eq!(result, Run::new(0, "", ""));
    assert_eq!(
        set_files("glob"),
        ["a.proto", "sub/b.proto", "sub/deeper/c.proto"]
    );
    let result = run(
        "glob-one-level",
        &["-Iprotos", "-o", "out.pb", "protos/s?b/*.proto"],
    );
    assert_eq!(result, Run::new(0, "", ""));
    assert_eq!(set_files("glob-one-level"), ["sub/b.proto"]);
    let result = run("glob-none", &["-Iprotos", "-o", "out.pb", "protos/*.rs"]);
    assert_eq!(
        result,
        Run::new(1, "", "protos/*.rs: no file matches this pattern\n")
    );
}

#[test]
fn json_and_rich_diagnostics() {
    let json = run(
        "json",
        &["-Ibroken", "-o", "out.pb", "--error_format=json", "e.proto"],
    );
    assert_eq!(json.code, 1);
    let lines: Vec<&str> = json.stderr.lines().collect();
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(
            line.starts_with("{\"file\":\"broken/e.proto\",\"line\":"),
            "{line}"
        );
        assert!(line.contains("\"severity\":\"error\""), "{line}");
        assert!(line.ends_with('}'), "{line}");
    }
    let rich = run(
        "rich",
        &["-Ibroken", "-o", "out.pb", "--error_format=rich", "e.proto"],
    );
    assert_eq!(rich.code, 1);
    assert!(rich.stderr.starts_with("error["), "{rich:?}");
    assert!(rich.stderr.contains("  --> broken/e.proto:4:"), "{rich:?}");
    assert!(rich.stderr.contains("4 |   string x = 2;\n"), "{rich:?}");
}
