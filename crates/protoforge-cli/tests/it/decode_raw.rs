//! `--decode_raw`, differentially: random well-formed messages (nested
//! messages, groups, strings that happen to parse as messages, deep
//! nesting) and corrupted copies of them go to protoforge and to the pinned
//! protoc; stdout, stderr and the exit status must be the same.
//!
//! protoc reads stdin and writes straight to the file descriptors, so one
//! Python process runs all the cases by pointing descriptors 0, 1 and 2 at
//! each case's files in turn.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{protoc_command, scratch};

/// How many random inputs.
const CASES: usize = 240;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn message(rng: &mut Rng, depth: u32, out: &mut Vec<u8>) {
    let fields = rng.below(5) + u64::from(depth == 0);
    for _ in 0..fields {
        let number = match rng.below(4) {
            0 => rng.below(15) + 1,
            1 => rng.below(2000) + 1,
            2 => 536_870_911,
            _ => rng.below(100) + 1,
        };
        let kind = if depth >= 12 {
            rng.below(3)
        } else {
            rng.below(6)
        };
        match kind {
            0 => {
                varint(out, number << 3);
                let v = match rng.below(3) {
                    0 => rng.below(300),
                    1 => u64::MAX - rng.below(3),
                    _ => rng.next(),
                };
                varint(out, v);
            }
            1 => {
                varint(out, number << 3 | 1);
                out.extend_from_slice(&rng.next().to_le_bytes());
            }
            2 => {
                varint(out, number << 3 | 5);
                out.extend_from_slice(&(rng.next() as u32).to_le_bytes());
            }
            3 => {
                let text: &[u8] = match rng.below(4) {
                    0 => b"hello world",
                    1 => b"tab\there \"quoted\" 'single' back\\slash",
                    2 => b"\x00\x01\xff\xfe caf\xc3\xa9",
                    _ => b"",
                };
                varint(out, number << 3 | 2);
                varint(out, text.len() as u64);
                out.extend_from_slice(text);
            }
            4 => {
                let mut inner = Vec::new();
                message(rng, depth + 1, &mut inner);
                varint(out, number << 3 | 2);
                varint(out, inner.len() as u64);
                out.extend_from_slice(&inner);
            }
            _ => {
                varint(out, number << 3 | 3);
                message(rng, depth + 1, out);
                varint(out, number << 3 | 4);
            }
        }
    }
}

fn inputs() -> Vec<Vec<u8>> {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut cases = vec![
        Vec::new(),
        b"\x08".to_vec(),
        b"\x0c".to_vec(),
        b"\x0b\x14".to_vec(),
        b"\x00\x01".to_vec(),
        b"\x0f\x01".to_vec(),
    ];
    // Twelve levels of length-delimited nesting: protoc stops trying to read
    // them as messages after ten.
    let mut deep = b"\x08\x01".to_vec();
    for _ in 0..12 {
        let mut outer = vec![0x0A];
        varint(&mut outer, deep.len() as u64);
        outer.extend_from_slice(&deep);
        deep = outer;
    }
    cases.push(deep);
    while cases.len() < CASES {
        let mut bytes = Vec::new();
        message(&mut rng, 0, &mut bytes);
        match rng.below(4) {
            0 if !bytes.is_empty() => {
                let cut = rng.below(bytes.len() as u64) as usize;
                bytes.truncate(cut);
            }
            1 if !bytes.is_empty() => {
                let at = rng.below(bytes.len() as u64) as usize;
                bytes[at] ^= 1 << rng.below(8);
            }
            _ => {}
        }
        cases.push(bytes);
    }
    cases
}

const PROTOC_LOOP: &str = "\
import os, sys
from grpc_tools import _protoc_compiler as c
d = sys.argv[1]
n = int(sys.argv[2])
saved = [os.dup(0), os.dup(1), os.dup(2)]
codes = []
for i in range(n):
    fds = [os.open(os.path.join(d, f'{i}.in'), os.O_RDONLY),
           os.open(os.path.join(d, f'{i}.protoc.out'), os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
           os.open(os.path.join(d, f'{i}.protoc.err'), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)]
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    codes.append(c.run_main([b'protoc', b'--decode_raw']))
    for target, fd in enumerate(saved):
        os.dup2(fd, target)
with open(os.path.join(d, 'codes'), 'w') as f:
    f.write(' '.join(map(str, codes)))
";

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn decode_raw_matches_protoc() {
    let dir = scratch("decode-raw");
    let cases = inputs();
    for (i, input) in cases.iter().enumerate() {
        std::fs::write(dir.join(format!("{i}.in")), input).unwrap_or_else(|e| panic!("{e}"));
    }
    let dir_arg = dir.display().to_string();
    let count = cases.len().to_string();
    let protoc = protoc_command(&dir, &[]);
    // Replace the one-shot script by the loop, keeping the interpreter.
    let program = protoc.get_program().to_owned();
    let status = Command::new(program)
        .args(["-c", PROTOC_LOOP, &dir_arg, &count])
        .stdin(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("running protoc: {e}"));
    assert!(status.success(), "the protoc loop failed: {status}");
    let codes = String::from_utf8_lossy(&read(&dir.join("codes"))).into_owned();
    let codes: Vec<i32> = codes.split(' ').map(|c| c.parse().unwrap_or(-1)).collect();
    let mut failures = Vec::new();
    let mut parsed = 0;
    for (i, input) in cases.iter().enumerate() {
        let ours = Command::new(env!("CARGO_BIN_EXE_protoforge"))
            .arg("--decode_raw")
            .stdin(
                std::fs::File::open(dir.join(format!("{i}.in"))).unwrap_or_else(|e| panic!("{e}")),
            )
            .output()
            .unwrap_or_else(|e| panic!("running protoforge: {e}"));
        let theirs_out = read(&dir.join(format!("{i}.protoc.out")));
        let theirs_err = read(&dir.join(format!("{i}.protoc.err")));
        if codes[i] == 0 {
            parsed += 1;
        }
        if ours.stdout != theirs_out
            || ours.stderr != theirs_err
            || ours.status.code() != Some(codes[i])
        {
            failures.push(format!(
                "case {i} (input {input:02x?}):\n  protoc ({}): {:?} {:?}\n  ours ({:?}): {:?} {:?}",
                codes[i],
                String::from_utf8_lossy(&theirs_out),
                String::from_utf8_lossy(&theirs_err),
                ours.status.code(),
                String::from_utf8_lossy(&ours.stdout),
                String::from_utf8_lossy(&ours.stderr),
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // The corpus exercises both outcomes.
    assert!(
        parsed > CASES / 2 && parsed < CASES,
        "{parsed} of {CASES} parsed"
    );
}
