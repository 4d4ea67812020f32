//! `testdata/syntax/ok`: files that protoc 35 accepts, covering the whole
//! language. Each must parse with no diagnostic at all, its tree is
//! snapshotted (`snapshots/` beside the inputs), and the real protoc must
//! accept the whole directory, so the inputs cannot drift from the language
//! protoc actually accepts.

use std::path::{Path, PathBuf};

use protoforge_syntax::LineIndex;

fn ok_dir() -> PathBuf {
    protoforge_testkit::testdata().join("syntax/ok")
}

#[test]
fn parse_without_diagnostics_and_snapshot_the_tree() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(ok_dir().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("../../../../testdata/syntax/ok", "*.proto", |path| {
            let source = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let parsed = protoforge_syntax::parse(&source);
            let index = LineIndex::new(&source);
            let name = file_name(path);
            let rendered: String = parsed
                .diagnostics
                .iter()
                .map(|d| d.render_protoc(&name, &source, &index))
                .collect();
            assert!(
                rendered.is_empty(),
                "{name} must parse with no diagnostics, got:\n{rendered}"
            );
            insta::assert_snapshot!("dump", protoforge_syntax::dump::dump(&parsed.file, &source));
        });
    });
}

#[test]
fn protoc_accepts_every_file() {
    let dir = ok_dir();
    let files: Vec<PathBuf> = protoforge_testkit::proto_files(&dir)
        .into_iter()
        .filter(|file| file.parent() == Some(Path::new("")))
        .collect();
    assert!(
        files.len() >= 20,
        "expected at least 20 inputs in {}, found {}",
        dir.display(),
        files.len()
    );
    let output = protoforge_testkit::protoc()
        .current_dir(&dir)
        .arg("-I")
        .arg(&dir)
        .arg("-I")
        .arg(protoforge_testkit::grpc_tools_include())
        .arg("--descriptor_set_out=/dev/null")
        .args(&files)
        .output()
        .unwrap_or_else(|e| panic!("running protoc: {e}"));
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "protoc rejected testdata/syntax/ok ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
