//! `cargo xtask`: the project's automation, in Rust rather than shell.
//!
//! - `cargo xtask peers`: install the pinned real peers (protoc via
//!   `grpcio-tools`, Python `protobuf`, `grpcio`) into `target/peers/venv`,
//!   the npm protoc plugins into `target/peers/node-plugins`, and the Node
//!   gRPC peer (`@grpc/grpc-js`) into `target/peers/node`.
//! - `cargo xtask test`: install the peers, then run every test and the
//!   conformance suite.
//! - `cargo xtask codegen`: regenerate the runtime's checked-in generated
//!   code (`codegen.rs`).
//! - `cargo xtask conformance`: the protobuf conformance suite against the
//!   generated code (`conformance.rs`).
//! - `cargo xtask demo`: the main job end to end on the bundled inputs.
//! - `cargo xtask bench`: every benchmark, written to `docs/benchmarks.md`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod bench;
mod codegen;
mod conformance;
mod node_peers;
mod node_plugins;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn run(cmd: &mut Command) -> Result<(), String> {
    eprintln!("$ {cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed with {status}"))
    }
}

fn venv() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(target) => PathBuf::from(target).join("peers/venv"),
        None => root().join("target/peers/venv"),
    }
}

/// Creates the venv and installs the pinned requirements, unless the stamp
/// shows the same requirements file is already installed.
fn peers() -> Result<(), String> {
    let requirements = root().join("tools/peers/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .map_err(|e| format!("{}: {e}", requirements.display()))?;
    let venv = venv();
    let stamp = venv.join("protoforge-requirements.txt");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str())
        && venv.join("bin/python").exists()
    {
        eprintln!("peers: up to date in {}", venv.display());
        return node_peers::install(&root(), venv.parent().unwrap_or(&venv))
            .and_then(|()| node_plugins::install(&root()));
    }
    if !venv.join("bin/python").exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv)).map_err(|e| {
            format!("{e}\nprotoforge's tests need python3 with the venv module (Debian: apt-get install python3-venv)")
        })?;
    }
    run(Command::new(venv.join("bin/python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements))
    .map_err(|e| {
        format!("{e}\ninstalling the pinned peers from PyPI failed; check network access to PyPI")
    })?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("{}: {e}", stamp.display()))?;
    node_peers::install(&root(), venv.parent().unwrap_or(&venv))?;
    node_plugins::install(&root())
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

fn test() -> Result<(), String> {
    peers()?;
    // Benchmarks are built (so they keep compiling) but not run: they are
    // measurements, not tests (`cargo bench` runs them).
    // The benchmark crate (prost, buffa, protox as peers) is no part of it.
    run(cargo().args([
        "build",
        "--workspace",
        "--exclude",
        "protoforge-benchmarks",
        "--benches",
        "--locked",
    ]))?;
    run(cargo().args([
        "test",
        "--workspace",
        "--exclude",
        "protoforge-benchmarks",
        "--lib",
        "--bins",
        "--tests",
        "--examples",
        "--locked",
    ]))?;
    run(cargo().args([
        "test",
        "--workspace",
        "--exclude",
        "protoforge-benchmarks",
        "--doc",
        "--locked",
    ]))?;
    conformance::conformance()?;
    Ok(())
}

/// The main job end to end: `protoforge-examples`' build script compiles
/// the bundled example protos with protoforge-build, then the
/// order-management example starts its three services on loopback, places
/// a batch of orders through them and prints the outcome (it exits
/// non-zero if any order ends with a status it should not).
fn demo() -> Result<(), String> {
    run(cargo().args([
        "run",
        "--locked",
        "-p",
        "protoforge-examples",
        "--bin",
        "order-management",
    ]))
}

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "peers" => peers(),
        "test" => test(),
        "demo" => demo(),
        "bench" => bench::bench(&std::env::args().skip(2).collect::<Vec<_>>()),
        "conformance" => conformance::conformance(),
        "codegen" => codegen::codegen(),
        _ => Err("usage: cargo xtask <peers|test|demo|bench|conformance|codegen>".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {task}: {e}");
            ExitCode::FAILURE
        }
    }
}
