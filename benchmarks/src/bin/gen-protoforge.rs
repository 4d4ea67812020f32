//! `gen-protoforge SET OUT`: protoforge's Rust generator run on a
//! `FileDescriptorSet` file, clients and servers included, one module file
//! per package (`Layout::Modules`) under `OUT`. The codegen benchmark times
//! this process against `gen-prost` on the same set. Files of
//! `google/protobuf/` are not generated: they map to the runtime's own
//! types, as prost-build maps them to `prost-types`.

#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use protoforge_codegen::{Config, Layout, Services, generate};
use protoforge_compiler::ir::Pool;

fn run(set: &Path, out: &Path) -> Result<usize, String> {
    let bytes = std::fs::read(set).map_err(|e| format!("{}: {e}", set.display()))?;
    let pool =
        Pool::from_file_descriptor_set(&bytes).map_err(|e| format!("reading the set: {e}"))?;
    let files: Vec<_> = pool
        .files()
        .filter(|(_, f)| !f.name.starts_with("google/protobuf/"))
        .map(|(id, _)| id)
        .collect();
    let mut config = Config::new();
    config.services(Services::BOTH).layout(Layout::Modules);
    let generated = generate(&pool, &files, &config).map_err(|e| e.to_string())?;
    for file in &generated {
        let path = out.join(&file.name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&path, &file.content).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(generated.len())
}

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [set, out] = &args[..] else {
        eprintln!("usage: gen-protoforge SET OUT_DIR");
        return ExitCode::FAILURE;
    };
    match run(set, out) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-protoforge: {e}");
            ExitCode::FAILURE
        }
    }
}
