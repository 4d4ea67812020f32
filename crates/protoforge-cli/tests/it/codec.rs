//! `--encode`, `--decode` and `--decode_raw`, differentially, data-driven:
//! every `testdata/cli/codec/cases/*.case` runs through the pinned protoc
//! and through protoforge (in `testdata/cli/codec/proto`), and stdout bytes,
//! stderr and the exit status must be equal. A case that encodes
//! successfully is then decoded back (protoc's bytes, both tools), and its
//! bytes are also given to `--decode_raw`.
//!
//! A case file starts with `#! args: …` (protoc's arguments, split on
//! spaces; `{corpus}` is the corpus directory) and either `#! stdin-hex: …`
//! or the text to feed on stdin (everything after the first line).
//!
//! protoc reads stdin and writes to the file descriptors directly, so one
//! Python process runs every protoc invocation, pointing descriptors 0, 1
//! and 2 at each run's files in turn.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{protoc_command, scratch};

/// What a tool did: exit code, stdout, stderr.
pub(crate) type Outcome = (i32, Vec<u8>, Vec<u8>);

/// One run of both tools.
pub(crate) struct Run {
    pub(crate) name: String,
    pub(crate) args: Vec<String>,
    pub(crate) stdin: Vec<u8>,
}

fn parse_case(name: &str, text: &[u8], corpus: &str, include: &str) -> Run {
    let newline = text.iter().position(|b| *b == b'\n').unwrap_or(text.len());
    let first = String::from_utf8_lossy(&text[..newline]).into_owned();
    let args = first
        .strip_prefix("#! args: ")
        .unwrap_or_else(|| panic!("{name}: the first line must be `#! args: …`"));
    let mut args: Vec<String> = args
        .split(' ')
        .filter(|a| !a.is_empty())
        .map(|a| a.replace("{corpus}", corpus))
        .collect();
    // The google/*.proto files: protoc has them on its include path.
    if !args.iter().any(|a| a == "--decode_raw") {
        args.push(format!("-I{include}"));
    }
    let rest = text.get(newline + 1..).unwrap_or_default();
    let stdin = match rest.strip_prefix(b"#! stdin-hex: ") {
        Some(hex) => {
            let hex: Vec<u8> = hex
                .iter()
                .copied()
                .filter(|b| b.is_ascii_hexdigit())
                .collect();
            hex.chunks(2)
                .map(|pair| {
                    u8::from_str_radix(&String::from_utf8_lossy(pair), 16)
                        .unwrap_or_else(|e| panic!("{name}: bad hex: {e}"))
                })
                .collect()
        }
        None => rest.to_vec(),
    };
    Run {
        name: name.to_string(),
        args,
        stdin,
    }
}

const PROTOC_LOOP: &str = "\
import os, sys
from grpc_tools import _protoc_compiler as c
d = sys.argv[1]
n = int(sys.argv[2])
saved = [os.dup(0), os.dup(1), os.dup(2)]
codes = []
for i in range(n):
    with open(os.path.join(d, f'{i}.args'), 'rb') as f:
        args = [a for a in f.read().split(b'\\n') if a]
    fds = [os.open(os.path.join(d, f'{i}.in'), os.O_RDONLY),
           os.open(os.path.join(d, f'{i}.protoc.out'), os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
           os.open(os.path.join(d, f'{i}.protoc.err'), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)]
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    codes.append(c.run_main([b'protoc'] + args))
    for target, fd in enumerate(saved):
        os.dup2(fd, target)
with open(os.path.join(d, 'codes'), 'w') as f:
    f.write(' '.join(map(str, codes)))
";

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// What protoc did for each run: (exit code, stdout, stderr), all runs in
/// one Python process.
pub(crate) fn run_protoc(scratch: &Path, cwd: &Path, runs: &[Run]) -> Vec<Outcome> {
    for (i, run) in runs.iter().enumerate() {
        write(&scratch.join(format!("{i}.in")), &run.stdin);
        write(
            &scratch.join(format!("{i}.args")),
            run.args.join("\n").as_bytes(),
        );
    }
    let program = protoc_command(cwd, &[]).get_program().to_owned();
    let status = Command::new(program)
        .args([
            "-c",
            PROTOC_LOOP,
            &scratch.display().to_string(),
            &runs.len().to_string(),
        ])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("running protoc: {e}"));
    assert!(status.success(), "the protoc loop failed: {status}");
    let codes = String::from_utf8_lossy(&read(&scratch.join("codes"))).into_owned();
    let codes: Vec<i32> = codes.split(' ').map(|c| c.parse().unwrap_or(-1)).collect();
    (0..runs.len())
        .map(|i| {
            (
                codes[i],
                read(&scratch.join(format!("{i}.protoc.out"))),
                read(&scratch.join(format!("{i}.protoc.err"))),
            )
        })
        .collect()
}

fn run_ours(scratch: &Path, cwd: &Path, i: usize, run: &Run) -> Outcome {
    let input =
        std::fs::File::open(scratch.join(format!("{i}.in"))).unwrap_or_else(|e| panic!("{e}"));
    let output = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(&run.args)
        .current_dir(cwd)
        .stdin(input)
        .output()
        .unwrap_or_else(|e| panic!("running protoforge: {e}"));
    (
        output.status.code().unwrap_or(-1),
        output.stdout,
        output.stderr,
    )
}

/// Runs `runs` through both tools; returns the differences and protoc's
/// results.
fn compare(scratch: &Path, cwd: &Path, runs: &[Run]) -> (Vec<String>, Vec<Outcome>) {
    let theirs = run_protoc(scratch, cwd, runs);
    let mut failures = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let ours = run_ours(scratch, cwd, i, run);
        let same = ours.0 == theirs[i].0
            && ours.1 == theirs[i].1
            && crate::support::without_log_noise(&ours.2)
                == crate::support::without_log_noise(&theirs[i].2);
        if !same {
            failures.push(format!(
                "{} ({}):\n  protoc ({}): {:?}\n    stderr {:?}\n  ours ({}): {:?}\n    stderr {:?}",
                run.name,
                run.args.join(" "),
                theirs[i].0,
                String::from_utf8_lossy(&theirs[i].1),
                String::from_utf8_lossy(&theirs[i].2),
                ours.0,
                String::from_utf8_lossy(&ours.1),
                String::from_utf8_lossy(&ours.2),
            ));
        }
    }
    (failures, theirs)
}

fn cases() -> Vec<(String, Vec<u8>)> {
    let dir = protoforge_testkit::testdata().join("cli/codec/cases");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .map(|p| {
            let name = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, read(&p))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn encode_and_decode_match_protoc() {
    let corpus: PathBuf = match protoforge_testkit::corpus_dir("codec conformance cases") {
        Some(dir) => dir,
        None => PathBuf::from("/nonexistent-corpus"),
    };
    let corpus = corpus.display().to_string();
    let cwd = protoforge_testkit::testdata().join("cli/codec/proto");
    let cases = cases();
    assert!(cases.len() >= 100, "only {} cases", cases.len());
    let runs: Vec<Run> = cases
        .iter()
        .map(|(name, text)| parse_case(name, text, &corpus, &crate::support::include()))
        .collect();
    let first = scratch("codec-first");
    let (mut failures, theirs) = compare(&first, &cwd, &runs);

    // Every successful encoding, decoded back and read raw.
    let mut second = Vec::new();
    for (run, (code, stdout, _)) in runs.iter().zip(&theirs) {
        let Some(at) = run.args.iter().position(|a| a.starts_with("--encode=")) else {
            continue;
        };
        if *code != 0 {
            continue;
        }
        let mut args = run.args.clone();
        args[at] = args[at].replacen("--encode=", "--decode=", 1);
        args.retain(|a| a != "--fatal_warnings");
        second.push(Run {
            name: format!("{} (decoded back)", run.name),
            args,
            stdin: stdout.clone(),
        });
        second.push(Run {
            name: format!("{} (decode_raw)", run.name),
            args: vec!["--decode_raw".to_string()],
            stdin: stdout.clone(),
        });
    }
    let round_trips = second.len();
    let (more, _) = compare(&scratch("codec-second"), &cwd, &second);
    failures.extend(more);
    assert!(
        failures.is_empty(),
        "{} of {} runs differ:\n{}",
        failures.len(),
        runs.len() + second.len(),
        failures.join("\n")
    );
    assert!(round_trips >= 60, "only {round_trips} round trips");
}
