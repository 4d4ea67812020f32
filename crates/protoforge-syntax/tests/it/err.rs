//! Snapshot runner for `testdata/syntax/err`: every diagnostic of every case,
//! in protoc's one-line form and then in the rich form, snapshotted in
//! `snapshots/` beside the inputs.

use std::fmt::Write as _;

use protoforge_syntax::LineIndex;

/// All diagnostics of `source`, both renderings; panics if there is no error.
fn render_all(name: &str, source: &[u8]) -> String {
    let parsed = protoforge_syntax::parse(source);
    assert!(
        parsed.has_errors(),
        "{name}: an err case must give at least one error"
    );
    let index = LineIndex::new(source);
    let mut out = String::new();
    for d in &parsed.diagnostics {
        out.push_str(&d.render_protoc(name, source, &index));
    }
    for d in &parsed.diagnostics {
        let _ = writeln!(out);
        out.push_str(&d.render_rich(name, source, &index));
    }
    out
}

#[test]
fn err_cases() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(protoforge_testkit::testdata().join("syntax/err/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    let _guard = settings.bind_to_scope();
    insta::glob!("../../../../testdata/syntax/err", "*.proto", |path| {
        let source =
            std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        insta::assert_snapshot!("diagnostics", render_all(&name, &source));
    });
}
