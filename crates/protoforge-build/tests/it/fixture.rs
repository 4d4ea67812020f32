//! Fixture crates: small cargo packages that use protoforge the way a user's
//! crate does (a `build.rs` calling `protoforge-build`, `include_proto!` in
//! `src/`), built by the tests with the real `cargo`.
//!
//! A fixture's sources live in `testdata/build/<name>/`; [`Fixture::new`]
//! copies them into a scratch directory under the target directory, writes
//! a `Cargo.toml` with path dependencies on this workspace's crates, and
//! seeds `Cargo.lock` with the workspace's, so the fixture resolves to the
//! same versions and builds offline. Every fixture shares one target
//! directory (`<target>/fixtures/target`), so tokio, h2 and the protoforge
//! crates compile once per checkout, not once per test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use protoforge_testkit::workspace_root;

/// How long one `cargo` run of a fixture may take: a cold build compiles
/// the protoforge crates and tokio/h2/rustls on two cores.
const CARGO_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// The workspace's target directory.
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("target"),
    }
}

/// A fixture crate in its scratch directory.
pub(crate) struct Fixture {
    pub(crate) dir: PathBuf,
}

/// Dependencies a fixture's `Cargo.toml` can name.
#[derive(Clone, Copy)]
pub(crate) enum Deps {
    /// `protoforge` only.
    Messages,
    /// `protoforge`, `protoforge-grpc` and tokio.
    Grpc,
}

impl Fixture {
    /// Copies `testdata/build/<name>` into a fresh scratch directory named
    /// `scratch` and writes its manifest.
    pub(crate) fn new(name: &str, scratch: &str, deps: Deps) -> Fixture {
        let fixture = Fixture::empty(scratch);
        let source = protoforge_testkit::testdata().join("build").join(name);
        copy_dir(&source, &fixture.dir);
        let crates = workspace_root().join("crates");
        let path = |name: &str| format!("{:?}", crates.join(name).display().to_string());
        let runtime = match deps {
            Deps::Messages => format!("protoforge = {{ path = {} }}\n", path("protoforge")),
            Deps::Grpc => format!(
                "protoforge = {{ path = {} }}\nprotoforge-grpc = {{ path = {} }}\ntokio = {{ version = \"1\", features = [\"rt-multi-thread\", \"macros\", \"net\"] }}\n",
                path("protoforge"),
                path("protoforge-grpc")
            ),
        };
        let manifest = format!(
            "[package]\nname = \"{}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n{runtime}\n\
             [build-dependencies]\nprotoforge-build = {{ path = {} }}\n\n\
             # Not a member of the protoforge workspace.\n[workspace]\n",
            scratch,
            path("protoforge-build")
        );
        fixture.write("Cargo.toml", &manifest);
        fixture
    }

    /// A fresh scratch directory `scratch` holding only a copy of the
    /// workspace's `Cargo.lock`.
    pub(crate) fn empty(scratch: &str) -> Fixture {
        let dir = target_dir().join("fixtures").join(scratch);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let lock = workspace_root().join("Cargo.lock");
        std::fs::copy(&lock, dir.join("Cargo.lock"))
            .unwrap_or_else(|e| panic!("copying {}: {e}", lock.display()));
        Fixture { dir }
    }

    /// Writes (or replaces) a file of the fixture.
    pub(crate) fn write(&self, path: &str, contents: &str) {
        write(&self.dir.join(path), contents);
    }

    /// Runs `cargo <args>` in the fixture, with the shared target directory,
    /// offline (every dependency is one of the workspace's, already fetched).
    pub(crate) fn cargo(&self, args: &[&str]) -> Output {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(args)
            .arg("--offline")
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", target_dir().join("fixtures/target"))
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .env("CARGO_TERM_COLOR", "never")
            .stdin(Stdio::null());
        run_bounded(cmd, CARGO_TIMEOUT)
    }
}

/// Runs `cmd` to completion, killing it after `limit`.
pub(crate) fn run_bounded(mut cmd: Command, limit: Duration) -> Output {
    let stdout = tempfile("stdout");
    let stderr = tempfile("stderr");
    cmd.stdout(Stdio::from(
        std::fs::File::create(&stdout).unwrap_or_else(|e| panic!("{e}")),
    ))
    .stderr(Stdio::from(
        std::fs::File::create(&stderr).unwrap_or_else(|e| panic!("{e}")),
    ));
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("starting {cmd:?}: {e}"));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{cmd:?} did not finish in {limit:?}\n--- stderr\n{}",
                std::fs::read_to_string(&stderr).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = Output {
        status,
        stdout: std::fs::read(&stdout).unwrap_or_default(),
        stderr: std::fs::read(&stderr).unwrap_or_default(),
    };
    let _ = std::fs::remove_file(&stdout);
    let _ = std::fs::remove_file(&stderr);
    out
}

fn tempfile(what: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = target_dir().join("fixtures");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir.join(format!(
        "{}-{}.{what}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

fn write(path: &Path, contents: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

/// Text of a process's output stream.
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
