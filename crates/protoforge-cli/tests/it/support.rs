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

/// The absolute path of the capture plugin's script.
pub(crate) fn capture_script() -> PathBuf {
    protoforge_testkit::workspace_root().join("tools/plugin-capture/capture.py")
}

/// Writes an executable `name` in `dir` that runs the capture plugin with
/// `env` (variable, value) set.
pub(crate) fn capture_plugin(dir: &Path, name: &str, env: &[(&str, String)]) {
    let mut script = String::from("#!/bin/sh\n");
    for (variable, value) in env {
        script.push_str(&format!("{variable}='{value}' "));
    }
    script.push_str(&format!(
        "exec '{}' '{}'\n",
        protoforge_testkit::python().display(),
        capture_script().display()
    ));
    let path = dir.join(name);
    std::fs::write(&path, script).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

/// Every file under `dir`, as (relative path, contents), sorted.
pub(crate) fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                out.push((rel, std::fs::read(&path).unwrap_or_default()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The include directory of the pinned protoc (the google/*.proto files).
pub(crate) fn include() -> String {
    protoforge_testkit::grpc_tools_include()
        .display()
        .to_string()
}

/// Protobuf encoding for building plugin responses in tests.
pub(crate) mod pb {
    pub(crate) fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    pub(crate) fn bytes(out: &mut Vec<u8>, field: u64, value: &[u8]) {
        varint(out, field << 3 | 2);
        varint(out, value.len() as u64);
        out.extend_from_slice(value);
    }

    pub(crate) fn uint(out: &mut Vec<u8>, field: u64, value: u64) {
        varint(out, field << 3);
        varint(out, value);
    }

    /// A `CodeGeneratorResponse.File`.
    pub(crate) fn file(name: &str, insertion_point: &str, content: &str, info: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        if !name.is_empty() {
            bytes(&mut out, 1, name.as_bytes());
        }
        if !insertion_point.is_empty() {
            bytes(&mut out, 2, insertion_point.as_bytes());
        }
        bytes(&mut out, 15, content.as_bytes());
        if !info.is_empty() {
            bytes(&mut out, 16, info);
        }
        out
    }

    /// A `CodeGeneratorResponse`.
    pub(crate) fn response(
        error: &str,
        features: u64,
        editions: Option<(i64, i64)>,
        files: &[Vec<u8>],
    ) -> Vec<u8> {
        let mut out = Vec::new();
        if !error.is_empty() {
            bytes(&mut out, 1, error.as_bytes());
        }
        if features != 0 {
            uint(&mut out, 2, features);
        }
        if let Some((min, max)) = editions {
            uint(&mut out, 3, min as u64);
            uint(&mut out, 4, max as u64);
        }
        for file in files {
            bytes(&mut out, 15, file);
        }
        out
    }

    /// A `GeneratedCodeInfo` with annotations (path, begin, end).
    pub(crate) fn code_info(annotations: &[(&[i32], i32, i32)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (path, begin, end) in annotations {
            let mut a = Vec::new();
            let mut packed = Vec::new();
            for &p in *path {
                varint(&mut packed, p as u64);
            }
            bytes(&mut a, 1, &packed);
            uint(&mut a, 3, *begin as u64);
            uint(&mut a, 4, *end as u64);
            bytes(&mut out, 1, &a);
        }
        out
    }
}

/// stderr with what differs on every run set aside: abseil's one-time
/// notice before its first log line, and the time and thread id in its
/// error lines (`E0000 00:00:1795273875.208244   23498 file.cc:237] …`).
pub(crate) fn without_log_noise(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        if line.starts_with("WARNING: All log messages before absl::InitializeLog()") {
            continue;
        }
        let location = line.strip_prefix("E0000 00:00:").and_then(|rest| {
            let (_time, rest) = rest.split_once(' ')?;
            let (_thread, rest) = rest.trim_start().split_once(' ')?;
            Some(rest)
        });
        match location {
            Some(rest) => {
                out.push_str("E0000 00:00:<time> <tid> ");
                out.push_str(rest);
            }
            None => out.push_str(line),
        }
    }
    out
}
