//! Differential test against the reference protoc: for every file in
//! `testdata/syntax/err`, our first error has the line, column and message of
//! the first error protoc prints. Every case is compared: the parser reports
//! only what protoc's parser reports (aggregate option values are checked
//! by the compiler, as protoc checks them when it interprets options), so an
//! error protoc finds later belongs in `testdata/compiler`.

use std::fmt::Write as _;
use std::path::Path;

use protoforge_syntax::LineIndex;

/// The least number of cases compared, so that the test cannot pass by
/// comparing nothing.
const MIN_COMPARED: usize = 30;

/// A `line:col: message` position and text, as protoc prints it after the path.
#[derive(Debug, PartialEq, Eq)]
struct Located {
    line: u32,
    col: u32,
    message: String,
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

/// Parses `…name.proto:LINE:COL: MESSAGE`; `None` for other lines (protoc's
/// logging, its "Comment started here." continuation has a position too but
/// never comes first) and for warnings.
fn parse_located(line: &str) -> Option<Located> {
    let (_, rest) = line.split_once(".proto:")?;
    let mut parts = rest.splitn(3, ':');
    let line_no = parts.next()?.parse().ok()?;
    let col = parts.next()?.parse().ok()?;
    let message = parts.next()?.strip_prefix(' ')?;
    if message.starts_with("warning: ") {
        return None;
    }
    Some(Located {
        line: line_no,
        col,
        message: message.to_string(),
    })
}

/// protoc's first error for `name` in `dir`, and its whole stderr.
fn protoc_first_error(dir: &Path, name: &str) -> (Option<Located>, String) {
    let output = protoforge_testkit::protoc()
        .arg(format!("-I{}", dir.display()))
        .arg("--descriptor_set_out=/dev/null")
        .arg(name)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("running protoc on {name}: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (stderr.lines().find_map(parse_located), stderr)
}

/// Our first error for `source`, rendered in protoc's form and read back.
fn our_first_error(name: &str, source: &[u8]) -> Option<Located> {
    let parsed = protoforge_syntax::parse(source);
    let index = LineIndex::new(source);
    let first = parsed.errors().next()?;
    parse_located(first.render_protoc(name, source, &index).lines().next()?)
}

#[test]
fn first_error_matches_protoc() {
    let dir = protoforge_testkit::testdata().join("syntax/err");
    let files = protoforge_testkit::proto_files(&dir);
    assert!(!files.is_empty(), "no .proto files in {}", dir.display());

    let mut compared = 0;
    let mut mismatches = String::new();
    for file in &files {
        let name = file.to_string_lossy();
        let source =
            std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("reading {name}: {e}"));
        compared += 1;
        let ours = our_first_error(&name, &source);
        let (theirs, stderr) = protoc_first_error(&dir, &name);
        if ours != theirs || theirs.is_none() {
            let show = |l: &Option<Located>| {
                l.as_ref()
                    .map_or("(no error)".to_string(), Located::to_string)
            };
            let _ = writeln!(
                mismatches,
                "{name}\n  protoc: {}\n  ours:   {}",
                show(&theirs),
                show(&ours)
            );
            if theirs.is_none() {
                let _ = writeln!(
                    mismatches,
                    "  (protoc reports no positioned error: the case does not belong in err/; its stderr was {stderr:?})"
                );
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "first errors differ from protoc ({}); fix the lexer or parser, or, where protoc \
         reports the problem only after parsing, move the case to testdata/compiler:\n{mismatches}",
        protoforge_testkit::protoc_version()
    );
    assert!(
        compared >= MIN_COMPARED,
        "only {compared} cases compared with protoc; expected at least {MIN_COMPARED}"
    );
}
