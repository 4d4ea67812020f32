//! `cargo xtask codegen`: regenerates the generated code checked into the
//! runtime crate (well-known types, `descriptor.proto`, `plugin.proto`) with
//! protoforge's own generator (`protoforge_codegen::bootstrap`). The
//! freshness test in `crates/protoforge-codegen/tests/it/bootstrap.rs` fails
//! until this has been run after a generator change.

use crate::root;

pub(crate) fn codegen() -> Result<(), String> {
    let files = protoforge_codegen::bootstrap::runtime_files().map_err(|e| e.to_string())?;
    for file in files {
        let path = root().join(&file.name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let unchanged =
            std::fs::read_to_string(&path).ok().as_deref() == Some(file.content.as_str());
        if !unchanged {
            std::fs::write(&path, &file.content).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        eprintln!(
            "codegen: {} {}",
            file.name,
            if unchanged { "unchanged" } else { "written" }
        );
    }
    Ok(())
}
