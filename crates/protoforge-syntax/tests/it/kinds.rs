//! Every diagnostic kind has a case: the err folder covers all kinds but the
//! two that need no file on disk, which are checked here in memory.

use std::collections::BTreeSet;

use protoforge_syntax::{DiagnosticKind, Severity, limits};

#[test]
fn every_kind_has_an_err_case() {
    let dir = protoforge_testkit::testdata().join("syntax/err");
    let mut seen = BTreeSet::new();
    for file in protoforge_testkit::proto_files(&dir) {
        let source = std::fs::read(dir.join(&file))
            .unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
        seen.extend(
            protoforge_syntax::parse(&source)
                .diagnostics
                .iter()
                .map(|d| d.kind),
        );
    }
    let missing: Vec<&str> = DiagnosticKind::ALL
        .iter()
        .filter(|k| {
            !matches!(
                k,
                DiagnosticKind::FileTooLarge | DiagnosticKind::MissingSyntax
            )
        })
        .filter(|k| !seen.contains(k))
        .map(|k| k.name())
        .collect();
    assert!(
        missing.is_empty(),
        "no case in {} gives these kinds: {missing:?}",
        dir.display()
    );
}

#[test]
fn file_too_large_is_one_error() {
    let mut source = b"syntax = \"proto3\";\n".to_vec();
    source.resize(limits::MAX_FILE_SIZE + 1, b' ');
    let parsed = protoforge_syntax::parse(&source);
    let kinds: Vec<_> = parsed
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.kind))
        .collect();
    assert_eq!(kinds, [(Severity::Error, DiagnosticKind::FileTooLarge)]);
    assert!(parsed.file.items.is_empty());
}

#[test]
fn missing_syntax_is_a_warning_only() {
    let parsed = protoforge_syntax::parse(b"message Item {\n  optional string sku = 1;\n}\n");
    let kinds: Vec<_> = parsed
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.kind))
        .collect();
    assert_eq!(kinds, [(Severity::Warning, DiagnosticKind::MissingSyntax)]);
    assert!(!parsed.has_errors());
    assert_eq!(parsed.file.items.len(), 1);
}

/// `n` groups nested in one message, each with a field inside.
fn nested_groups(n: usize) -> String {
    let mut s = String::from("syntax = \"proto2\";\nmessage Top {\n");
    for i in 0..n {
        s += &format!("optional group G{i} = 1 {{\n");
    }
    s += "optional int32 leaf = 1;\n";
    s += &"}\n".repeat(n + 1);
    s
}

#[test]
fn groups_do_not_count_toward_the_message_nesting_limit() {
    // protoc 35's parser counts only `message` declarations; its descriptor
    // pool rejects the deep groups later, without a position.
    let parsed = protoforge_syntax::parse(nested_groups(40).as_bytes());
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
}

#[test]
fn group_nesting_is_bounded() {
    let parsed = protoforge_syntax::parse(nested_groups(limits::MAX_GROUP_DEPTH + 1).as_bytes());
    let kinds: Vec<_> = parsed.errors().map(|d| d.kind).collect();
    assert_eq!(
        kinds.first(),
        Some(&DiagnosticKind::NestingTooDeep),
        "{kinds:?}"
    );
}
