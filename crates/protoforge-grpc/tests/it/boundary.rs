//! The crate's boundary with the message runtime: only `src/proto_codec.rs`
//! (compiled with the `protoforge-codec` feature) may name the `protoforge`
//! crate; the transport itself knows messages only through `Codec`.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_the_codec_module_knows_the_message_runtime() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 10, "found the sources: {files:?}");
    let mut offenders = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read a source file");
        let names_runtime = text.lines().any(|l| {
            let code = l.split("//").next().unwrap_or("");
            code.contains("protoforge::") || code.contains("use protoforge")
        });
        if names_runtime && !file.ends_with("proto_codec.rs") {
            offenders.push(file.display().to_string());
        }
    }
    assert!(
        offenders.is_empty(),
        "these files name the protoforge runtime outside proto_codec.rs: {offenders:?}"
    );

    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("read lib.rs");
    assert!(
        lib.contains("#[cfg(feature = \"protoforge-codec\")]\nmod proto_codec;"),
        "proto_codec is compiled only with the protoforge-codec feature"
    );
}
