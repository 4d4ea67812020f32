//! Test support shared by protoforge's crates: where the real-world corpus is,
//! and how to run the pinned real peers (protoc from `grpcio-tools`, Python
//! `protobuf`).
//!
//! Peers are installed by `cargo xtask peers` into `target/peers/venv`, at the
//! versions in `tools/peers/requirements.txt`. A test that needs a peer calls
//! [`python`] or [`protoc`]; when the peer is missing these panic with a
//! message that says how to install it, so a missing peer is a failure, never
//! a silent skip.
//!
//! The corpus (`../shared/corpus`, or `$PROTOFORGE_CORPUS`) is optional: where
//! it is absent, [`corpus_dir`] prints a loud notice that the tier did not run
//! and returns `None`.
//!
//! [`fixture`] reads the multi-file fixture format of `testdata/compiler`, and
//! [`outcome`] runs protoc on a fixture and reads its diagnostics back.

#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub mod fixture;
pub mod outcome;

pub use fixture::Fixture;
pub use outcome::{Diagnostic, ProtocOutcome, Severity, protoc_outcome};

/// Environment variable naming the corpus directory.
pub const CORPUS_ENV: &str = "PROTOFORGE_CORPUS";

/// The workspace root (the directory holding the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| here.to_path_buf())
}

/// The project's own test data directory, `testdata/`.
pub fn testdata() -> PathBuf {
    workspace_root().join("testdata")
}

/// The corpus of real `.proto` files, if present.
///
/// Reads `$PROTOFORGE_CORPUS`, defaulting to `../shared/corpus` beside the
/// workspace. When the directory does not exist this prints a notice naming
/// `tier` and returns `None`; under CI (`CI` set) a missing corpus is a
/// failure instead, because CI always has it.
pub fn corpus_dir(tier: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os(CORPUS_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("../shared/corpus"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    let notice = format!(
        "corpus not found at {} (set {CORPUS_ENV}): the `{tier}` tier DID NOT RUN",
        dir.display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{notice}; CI always has the corpus");
    }
    eprintln!("\n!!!!!!!! {notice} !!!!!!!!\n");
    None
}

/// Every `.proto` file under `dir`, sorted, as paths relative to `dir`.
pub fn proto_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if path.extension().is_some_and(|e| e == "proto") {
                if let Ok(rel) = path.strip_prefix(base) {
                    out.push(rel.to_path_buf());
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The peers' virtual environment, `target/peers/venv`.
pub fn venv_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(target) => PathBuf::from(target).join("peers/venv"),
        None => workspace_root().join("target/peers/venv"),
    }
}

fn missing_peer(what: &str) -> ! {
    panic!(
        "{what} is not installed at {}.\n\
         Install the pinned peers with `cargo xtask peers` (needs python3 with venv and pip, \
         and network access to PyPI), or run the whole suite with `cargo xtask test`, which installs them first.",
        venv_dir().display()
    )
}

/// The Python interpreter of the peers' virtual environment.
///
/// # Panics
/// When the environment is not installed, with instructions.
pub fn python() -> PathBuf {
    let python = venv_dir().join("bin/python");
    if !python.exists() {
        missing_peer("the peers' Python environment");
    }
    python
}

/// The `site-packages` directory of the peers' environment.
pub fn site_packages() -> PathBuf {
    let lib = venv_dir().join("lib");
    let found = std::fs::read_dir(&lib)
        .ok()
        .and_then(|entries| {
            entries.flatten().map(|e| e.path()).find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("python"))
            })
        })
        .map(|p| p.join("site-packages"));
    match found {
        Some(dir) if dir.is_dir() => dir,
        _ => missing_peer("the peers' site-packages"),
    }
}

/// The `.proto` include directory shipped in `grpcio-tools` (the well-known
/// types and `descriptor.proto`, as protoc 35.1 sees them).
pub fn grpc_tools_include() -> PathBuf {
    let dir = site_packages().join("grpc_tools/_proto");
    if !dir.is_dir() {
        missing_peer("grpcio-tools");
    }
    dir
}

/// The root under which `googleapis-common-protos` installs its `.proto`
/// files (`google/api/…`, `google/rpc/…`, `google/type/…`).
pub fn googleapis_common_protos_root() -> PathBuf {
    let root = site_packages();
    if !root.join("google/api/annotations.proto").is_file() {
        missing_peer("googleapis-common-protos");
    }
    root
}

/// A `Command` that runs the reference protoc (`python -m grpc_tools.protoc`).
///
/// Unlike a bare `protoc`, `grpc_tools.protoc` does not add its own include
/// directory: add `-I` [`grpc_tools_include`] where the well-known types are
/// needed.
pub fn protoc() -> Command {
    let mut cmd = Command::new(python());
    cmd.args(["-m", "grpc_tools.protoc"]);
    cmd
}

/// The version line protoc prints (`libprotoc 35.1`).
pub fn protoc_version() -> String {
    let out = protoc()
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("running protoc: {e}"));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
