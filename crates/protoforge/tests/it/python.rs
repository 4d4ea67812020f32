//! Differential test against Python's `protobuf` (the pinned peer): thousands
//! of pseudo-random messages of the test protos, built and encoded in Python
//! (some with extra unknown fields and closed-enum numbers the enum lacks),
//! must decode in Rust to the value Python decodes, compared through the
//! canonical dump of `dump.rs` / `testdata/runtime/differential.py`; and our
//! re-encoding of each must decode in Python to the same value.
//!
//! `PROTOFORGE_DIFF_COUNT` (default 1000) sets the messages per type,
//! `PROTOFORGE_DIFF_SEED` the seed.

#![allow(clippy::print_stderr)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::dump::decode_and_dump;

const PROTOS: [&str; 3] = ["test2.proto", "test3.proto", "ed.proto"];

fn runtime_testdata() -> PathBuf {
    protoforge_testkit::testdata().join("runtime")
}

/// A fresh directory under the target's temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a temporary directory");
    dir
}

fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Generates the Python modules for the test protos into `dir`.
fn generate_python(dir: &Path) {
    let src = runtime_testdata();
    let mut cmd = protoforge_testkit::protoc();
    cmd.arg("-I").arg(&src).arg("--python_out").arg(dir);
    for p in PROTOS {
        cmd.arg(src.join(p));
    }
    run(&mut cmd);
}

fn python(dir: &Path) -> Command {
    let mut cmd = Command::new(protoforge_testkit::python());
    cmd.env("PYTHONPATH", dir)
        .arg(runtime_testdata().join("differential.py"));
    cmd
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn unhex(s: &str) -> Vec<u8> {
    if s == "-" {
        return Vec::new();
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex from the peer"))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "-".into();
    }
    let mut s = String::new();
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[test]
fn python_and_rust_agree_on_random_messages() {
    let dir = temp_dir("python-differential");
    generate_python(&dir);
    let seed = env_number("PROTOFORGE_DIFF_SEED", 20_250_101);
    let count = env_number("PROTOFORGE_DIFF_COUNT", 1000);
    let cases_path = dir.join("cases.txt");
    run(python(&dir)
        .arg("gen")
        .arg(seed.to_string())
        .arg(count.to_string())
        .arg(&cases_path));
    let cases = std::fs::read_to_string(&cases_path).expect("reading the cases");

    // Python → Rust.
    let mut failures = Vec::new();
    let mut reencoded = String::new();
    let mut expected = Vec::new();
    let mut n = 0;
    for (i, line) in cases.lines().enumerate() {
        let mut parts = line.splitn(3, '\t');
        let (Some(type_name), Some(hx), Some(python_dump)) =
            (parts.next(), parts.next(), parts.next())
        else {
            panic!("malformed case line {i}: {line}");
        };
        n += 1;
        match decode_and_dump(type_name, &unhex(hx)) {
            Ok((ours, encoding)) => {
                if ours != python_dump {
                    failures.push(format!(
                        "case {i} ({type_name}) decodes differently\n  bytes:  {hx}\n  python: {python_dump}\n  rust:   {ours}"
                    ));
                }
                let _ = writeln!(reencoded, "{type_name}\t{}", hex(&encoding));
                expected.push((i, type_name.to_string(), python_dump.to_string()));
            }
            Err(e) => failures.push(format!(
                "case {i} ({type_name}) fails to decode in Rust: {e}\n  bytes: {hx}"
            )),
        }
    }
    assert!(n >= 3 * count as usize, "only {n} cases from the peer");

    // Rust → Python.
    let ours_path = dir.join("ours.txt");
    let dumps_path = dir.join("python-dumps.txt");
    std::fs::write(&ours_path, &reencoded).expect("writing our encodings");
    run(python(&dir).arg("dump").arg(&ours_path).arg(&dumps_path));
    let dumps = std::fs::read_to_string(&dumps_path).expect("reading Python's dumps");
    let dumps: Vec<&str> = dumps.lines().collect();
    assert_eq!(
        dumps.len(),
        expected.len(),
        "Python dumped a different number of messages"
    );
    for ((i, type_name, want), got) in expected.iter().zip(&dumps) {
        if got != want {
            failures.push(format!(
                "case {i} ({type_name}): our encoding decodes differently in Python\n  want: {want}\n  got:  {got}"
            ));
        }
    }

    eprintln!(
        "python differential: {n} messages, seed {seed}, {} failures",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {n} cases disagree with Python (seed {seed}); first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
