//! Running the binaries under test: `protoforge` and the pinned protoc, in
//! scratch directories, with what each printed and its exit code.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run printed and how it exited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    pub(crate) fn new(code: i32, stdout: &str, stderr: &str) -> Run {
        Run {
            code,
            stdout: stdout.to_string(),
            stderr: stderr.to_string(),
        }
    }
}

/// A fresh, empty directory for one test case.
pub(crate) fn scratch(case: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(case);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// Writes `files` (relative path, contents) under `dir`.
pub(crate) fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, contents) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
        }
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

fn output(mut command: Command, what: &str) -> Run {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("running {what}: {e}"));
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The `protoforge` binary, run in `dir` with `args`.
pub(crate) fn protoforge_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_protoforge"));
    command.args(args).current_dir(dir);
    command
}

/// Runs `protoforge args…` in `dir`.
pub(crate) fn protoforge(dir: &Path, args: &[&str]) -> Run {
    output(protoforge_command(dir, args), "protoforge")
}

/// Runs `protoforge args…` in `dir` with `argv[0]` set to `protoc`, so
/// the messages that name the program read as protoc's do.
pub(crate) fn protoforge_as_protoc(dir: &Path, args: &[&str]) -> Run {
    let mut command = protoforge_command(dir, args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        command.arg0("protoc");
    }
    output(command, "protoforge")
}

/// The pinned protoc (from grpcio-tools), run in `dir` exactly as `protoc
/// args…` would be: unlike `python -m grpc_tools.protoc`, this adds no `-I`
/// of its own, and `argv[0]` is `protoc`.
pub(crate) fn protoc_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(protoforge_testkit::python());
    command
        .args([
            "-c",
            "import sys\nfrom grpc_tools import _protoc_compiler as c\n\
             sys.exit(c.run_main([a.encode() for a in ['protoc'] + sys.argv[1:]]))",
        ])
        .args(args)
        .current_dir(dir);
    command
}

/// Runs the pinned protoc in `dir`.
pub(crate) fn protoc(dir: &Path, args: &[&str]) -> Run {
    output(protoc_command(dir, args), "protoc")
}
