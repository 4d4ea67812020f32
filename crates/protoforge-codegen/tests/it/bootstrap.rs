//! The runtime's checked-in generated code (well-known types,
//! `descriptor.proto`, `plugin.proto`) must be exactly what the generator
//! makes today. Regenerate with `cargo xtask codegen`.

use protoforge_codegen::bootstrap::runtime_files;

#[test]
fn checked_in_generated_code_is_fresh() {
    let root = protoforge_testkit::workspace_root();
    let files = runtime_files().unwrap_or_else(|e| panic!("generating the runtime's files: {e}"));
    assert!(files.len() >= 3);
    let mut stale = Vec::new();
    for file in &files {
        let path = root.join(&file.name);
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        if on_disk != file.content {
            stale.push(file.name.clone());
        }
    }
    assert!(
        stale.is_empty(),
        "checked-in generated code differs from what the generator writes: {stale:?}\n\
         regenerate it with `cargo xtask codegen`"
    );
}
