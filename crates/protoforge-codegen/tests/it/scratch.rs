//! scratch
use protoforge_codegen::{Config, generate};
use protoforge_compiler::resolve::{Chain, IncludePaths};
use protoforge_compiler::{CompileOptions, compile};

#[test]
fn scratch() {
    let dir = std::env::var("SCRATCH_DIR").unwrap_or_default();
    let files = std::env::var("SCRATCH_FILES").unwrap_or_default();
    if dir.is_empty() {
        return;
    }
    let mut inc = IncludePaths::new();
    inc.map("", &dir);
    let resolver = Chain::new()
        .with(inc)
        .with(protoforge_compiler::builtin::GoogleFiles);
    let roots: Vec<&str> = files.split(',').collect();
    let c = compile(&resolver, &roots, &CompileOptions::default());
    for d in c.errors() {
        eprintln!("{d:?}");
    }
    let out = generate(&c.pool, &c.files, &Config::default()).unwrap();
    let outdir = std::env::var("SCRATCH_OUT").unwrap();
    for f in out {
        let p = std::path::Path::new(&outdir).join(&f.name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, f.content).unwrap();
    }
}
