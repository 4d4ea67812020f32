//! Real-world files parse without errors: the corpus (googleapis, protobuf's
//! own test protos, gRPC's), the well-known types shipped with the reference
//! protoc, and googleapis-common-protos.

use std::fmt::Write as _;
use std::path::Path;

use protoforge_syntax::LineIndex;

/// Parses every `.proto` under `dir`; returns the number of files and appends
/// each failing file with its first error to `failures`.
fn parse_tree(dir: &Path, failures: &mut String) -> usize {
    let files = protoforge_testkit::proto_files(dir);
    for file in &files {
        let path = dir.join(file);
        let source =
            std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let parsed = protoforge_syntax::parse(&source);
        if let Some(first) = parsed.errors().next() {
            let index = LineIndex::new(&source);
            let count = parsed.errors().count();
            let _ = write!(
                failures,
                "{}",
                first.render_protoc(&path.display().to_string(), &source, &index)
            );
            let _ = writeln!(failures, "    ({count} errors in this file)");
        }
    }
    files.len()
}

#[test]
fn corpus_parses_without_errors() {
    let mut failures = String::new();
    let mut roots = vec![
        protoforge_testkit::grpc_tools_include(),
        protoforge_testkit::googleapis_common_protos_root().join("google"),
    ];
    roots.extend(protoforge_testkit::corpus_dir("syntax corpus"));
    let mut total = 0;
    for root in &roots {
        let count = parse_tree(root, &mut failures);
        assert!(count > 0, "no .proto files under {}", root.display());
        total += count;
    }
    assert!(
        failures.is_empty(),
        "files with syntax errors (of {total} parsed):\n{failures}"
    );
}
