//! `gen-prost SET OUT`: prost-build and tonic-prost-build run on a
//! `FileDescriptorSet` file (`compile_fds`), clients and servers included,
//! one file per package under `OUT` and an include file `mod.rs` declaring
//! the module tree: what a user of prost and tonic gets from the same
//! descriptors that `gen-protoforge` reads. prost-build maps
//! `google.protobuf` to `prost-types`.

#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use prost::Message as _;

fn run(set: &Path, out: &Path) -> Result<(), String> {
    let bytes = std::fs::read(set).map_err(|e| format!("{}: {e}", set.display()))?;
    let fds = prost_types::FileDescriptorSet::decode(bytes.as_slice())
        .map_err(|e| format!("reading the set: {e}"))?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .out_dir(out)
        .include_file("mod.rs")
        .compile_fds(fds)
        .map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [set, out] = &args[..] else {
        eprintln!("usage: gen-prost SET OUT_DIR");
        return ExitCode::FAILURE;
    };
    match run(set, out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-prost: {e}");
            ExitCode::FAILURE
        }
    }
}
