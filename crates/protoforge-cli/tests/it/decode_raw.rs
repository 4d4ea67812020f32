//! `--decode_raw`, differentially: random well-formed messages (nested
//! messages, groups, strings that happen to parse as messages, deep
//! nesting) and corrupted copies of them go to protoforge and to the pinned
//! protoc; stdout, stderr and the exit status must be the same.
//!
//! protoc runs all the cases in one Python process ([`run_protoc`]).

use std::process::Command;

use crate::codec::{Run, run_protoc};
use crate::support::scratch;

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

#[test]
fn decode_raw_matches_protoc() {
    let dir = scratch("decode-raw");
    let cases = inputs();
    let runs: Vec<Run> = cases
        .iter()
        .enumerate()
        .map(|(i, input)| Run {
            name: i.to_string(),
            args: vec!["--decode_raw".to_string()],
            stdin: input.clone(),
        })
        .collect();
    let protoc = run_protoc(&dir, &dir, &runs);
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
        let (code, theirs_out, theirs_err) = &protoc[i];
        if *code == 0 {
            parsed += 1;
        }
        if ours.stdout != *theirs_out
            || ours.stderr != *theirs_err
            || ours.status.code() != Some(*code)
        {
            failures.push(format!(
                "case {i} (input {input:02x?}):\n  protoc ({}): {:?} {:?}\n  ours ({:?}): {:?} {:?}",
                code,
                String::from_utf8_lossy(theirs_out),
                String::from_utf8_lossy(theirs_err),
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
