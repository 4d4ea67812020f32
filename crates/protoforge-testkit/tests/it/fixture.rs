//! The multi-file fixture format and the reading of protoc's diagnostic lines,
//! checked on small inputs (the real fixtures live in `testdata/compiler`).

use protoforge_testkit::fixture::Fixture;
use protoforge_testkit::{Diagnostic, Severity};

fn parse(name: &str, text: &str) -> Fixture {
    Fixture::parse(name, text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parse_err(text: &str) -> String {
    match Fixture::parse("case.proto", text.as_bytes()) {
        Ok(f) => panic!("expected a fixture error, got {f:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn without_markers_the_whole_text_is_one_file_named_after_the_fixture() {
    let text = "syntax = \"proto3\";\n// a comment, not a marker\nmessage A {}\n";
    let f = parse("err/link/undefined.proto", text);
    assert_eq!(f.compile, ["undefined.proto"]);
    assert_eq!(f.files.len(), 1);
    assert_eq!(f.files[0].path, "undefined.proto");
    assert_eq!(f.files[0].content, text.as_bytes());
}

#[test]
fn markers_split_files_and_line_one_follows_the_marker() {
    let text = "// a case about imports\n\n//- a.proto\nimport \"dir/b.proto\";\n//- dir/b.proto\nB1\r\nB2\n";
    let f = parse("imports/x.proto", text);
    assert_eq!(f.compile, ["a.proto"]);
    let paths: Vec<&str> = f.files.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["a.proto", "dir/b.proto"]);
    assert_eq!(f.files[0].content, b"import \"dir/b.proto\";\n");
    assert_eq!(f.files[1].content, b"B1\r\nB2\n");
}

#[test]
fn compile_directive_chooses_and_orders_the_inputs() {
    let text = "//- compile: b.proto a.proto\n//- a.proto\nA\n//- b.proto\nB";
    let f = parse("x.proto", text);
    assert_eq!(f.compile, ["b.proto", "a.proto"]);
    assert_eq!(
        f.file("b.proto").map(|v| v.content.as_slice()),
        Some(&b"B"[..])
    );
}

#[test]
fn malformed_fixtures_are_refused_with_the_line() {
    assert_eq!(
        parse_err("syntax = \"proto3\";\n//- a.proto\nA\n"),
        "line 1: only comments and directives may come before the first file marker"
    );
    assert_eq!(
        parse_err("//- a.proto\n//- compile: a.proto\n"),
        "line 2: directive `compile` must come before the first file marker"
    );
    assert_eq!(
        parse_err("//- a.proto\nA\n//- a.proto\n"),
        "line 3: file \"a.proto\" appears twice"
    );
    assert_eq!(
        parse_err("//- ../a.proto\n"),
        "line 1: path \"../a.proto\" has an empty, '.' or '..' component"
    );
    assert_eq!(
        parse_err("//- compile: c.proto\n//- a.proto\n"),
        "line 1: `compile` names \"c.proto\", which is not a file of the fixture"
    );
    assert_eq!(
        parse_err("//- flags: --x\n//- a.proto\n"),
        "line 1: unknown directive `flags`"
    );
    assert_eq!(
        parse_err("//- compile: a.proto\nmessage A {}\n"),
        "line 1: directives need at least one `//- path` file marker after them"
    );
}

#[test]
fn materialise_writes_every_file_under_the_directory() {
    let dir = std::env::temp_dir().join(format!("protoforge-fixture-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let f = parse("x.proto", "//- a.proto\nA\n//- d/e/b.proto\nB\n");
    f.materialise(&dir).unwrap_or_else(|e| panic!("{e}"));
    let read =
        |p: &str| std::fs::read_to_string(dir.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    assert_eq!(read("a.proto"), "A\n");
    assert_eq!(read("d/e/b.proto"), "B\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn protoc_lines_read_back_into_diagnostics() {
    let d = Diagnostic::parse_line("a/b.proto:3:17: \"X\" is not defined.");
    assert_eq!(
        d,
        Some(Diagnostic {
            severity: Severity::Error,
            file: "a/b.proto".into(),
            position: Some((3, 17)),
            message: "\"X\" is not defined.".into(),
        })
    );
    let d = Diagnostic::parse_line("a.proto: warning: Import b.proto is unused.");
    assert_eq!(
        d.as_ref()
            .map(|d| (d.severity, d.position, d.message.as_str())),
        Some((Severity::Warning, None, "Import b.proto is unused."))
    );
    assert_eq!(
        d.map(|d| d.to_string()).as_deref(),
        Some("a.proto: warning: Import b.proto is unused.")
    );
    let d = Diagnostic::parse_line("b.proto: File not found.");
    assert_eq!(
        d.map(|d| (d.file, d.position)),
        Some(("b.proto".to_string(), None))
    );
    // Prose and continuation lines are not diagnostics.
    assert_eq!(
        Diagnostic::parse_line("Could not make proto path relative: x.proto: No such file"),
        None
    );
    assert_eq!(Diagnostic::parse_line("Unparsed options: foo"), None);
}
