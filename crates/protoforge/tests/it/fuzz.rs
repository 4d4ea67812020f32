//! Decoding random and mutated bytes never panics: every input either
//! decodes or returns an error, for every test message type, with and
//! without a `Bytes` source; what decodes re-encodes, and that encoding
//! decodes to the same value (decode ∘ encode is the identity on decoded
//! values) and is deterministic.
//!
//! The loop runs for `PROTOFORGE_FUZZ_SECONDS` (default 10) with the seed
//! `PROTOFORGE_FUZZ_SEED` (decimal or `0x…`), which it prints. Inputs are
//! random field sequences (tags of the test messages' fields with every wire
//! type, lengths near the truth, nested runs) and mutations (bit flips,
//! truncations, splices, length bumps) of valid encodings. A failing input
//! is printed in hex with the seed and iteration.

#![allow(clippy::print_stderr)]

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use protoforge::{Bytes, Message};

use crate::generated::pf::{ed::Ed, test2::All2, test3::All3};
use crate::rng::{Rng, seed_from_env};

const DEFAULT_SEED: u64 = 0xDEC0_DE00_F022;

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A random sequence of fields, `depth` levels of nesting at most.
fn random_fields(rng: &mut Rng, depth: u32, out: &mut Vec<u8>) {
    for _ in 0..rng.below(12) {
        let number = if rng.chance(80) {
            1 + rng.below(40) as u64
        } else {
            rng.next_u64() % (1 << 29)
        };
        let wire = if rng.chance(95) {
            rng.below(6) as u64
        } else {
            rng.below(8) as u64
        };
        varint(out, (number << 3) | wire);
        match wire {
            0 => {
                let v = match rng.below(4) {
                    0 => rng.below(3) as u64,
                    1 => rng.next_u64(),
                    2 => u64::MAX,
                    _ => rng.below(300) as u64,
                };
                varint(out, v);
            }
            1 => out.extend_from_slice(&rng.next_u64().to_le_bytes()),
            5 => out.extend_from_slice(&(rng.next_u64() as u32).to_le_bytes()),
            2 => {
                let mut inner = Vec::new();
                if depth > 0 && rng.chance(50) {
                    random_fields(rng, depth - 1, &mut inner);
                } else {
                    for _ in 0..rng.below(20) {
                        inner.push(if rng.chance(70) {
                            b'a' + rng.below(26) as u8
                        } else {
                            rng.next_u64() as u8
                        });
                    }
                }
                let len = match rng.below(10) {
                    0 => inner.len() as u64 + 1 + rng.below(5) as u64,
                    1 => inner.len().saturating_sub(1) as u64,
                    2 => rng.next_u64(),
                    _ => inner.len() as u64,
                };
                varint(out, len);
                out.extend_from_slice(&inner);
            }
            3 => {
                if depth > 0 {
                    random_fields(rng, depth - 1, out);
                }
                let end = if rng.chance(85) {
                    number
                } else {
                    1 + rng.below(40) as u64
                };
                varint(out, (end << 3) | 4);
            }
            _ => {}
        }
    }
}

fn mutate(rng: &mut Rng, mut input: Vec<u8>) -> Vec<u8> {
    for _ in 0..1 + rng.below(4) {
        let len = input.len();
        match rng.below(6) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next_u64() as u8;
            }
            2 => input.truncate(if len == 0 { 0 } else { rng.below(len + 1) }),
            3 if len > 0 => {
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(16));
                input.drain(at..at + n);
            }
            4 => {
                let at = if len == 0 { 0 } else { rng.below(len + 1) };
                let mut piece = Vec::new();
                random_fields(rng, 2, &mut piece);
                input.splice(at..at, piece);
            }
            _ if len > 0 => {
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(64));
                let piece: Vec<u8> = input[at..at + n].to_vec();
                let to = rng.below(input.len() + 1);
                input.splice(to..to, piece);
            }
            _ => {}
        }
    }
    input
}

fn seeds() -> Vec<Vec<u8>> {
    use crate::generated::pf::test2::Inner;
    use crate::generated::pf::test3::Leaf;
    let all3 = All3 {
        s: "seed".into(),
        leaf: Some(Leaf {
            name: "l".into(),
            n: 3,
            ..Default::default()
        }),
        p_i32: vec![1, -1, 300],
        m_ss: [("k".to_string(), "v".to_string())].into(),
        child: Some(Box::new(All3 {
            i32: 7,
            ..Default::default()
        })),
        ..Default::default()
    };
    let all2 = All2 {
        req: Some(1),
        r_inner: vec![Inner {
            id: Some(2),
            ..Default::default()
        }],
        p_color: vec![crate::generated::pf::test2::Color::Blue],
        grp: Some(Default::default()),
        ..Default::default()
    };
    vec![all3.encode_to_vec(), all2.encode_to_vec(), Vec::new()]
}

/// Decodes `input` as `M` from a slice and from `Bytes`; checks the
/// round-trip properties of whatever decodes.
fn check<M: Message>(input: &[u8]) -> Result<(), String> {
    let from_slice = M::decode(input);
    let from_bytes = M::decode_bytes(&Bytes::copy_from_slice(input));
    match (&from_slice, &from_bytes) {
        (Ok(a), Ok(b)) if a != b && format!("{a:?}") != format!("{b:?}") => {
            return Err(format!("{}: slice and Bytes decodes differ", M::NAME));
        }
        (Ok(_), Err(e)) | (Err(e), Ok(_)) => {
            return Err(format!("{}: only one of slice/Bytes decodes: {e}", M::NAME));
        }
        _ => {}
    }
    if let Ok(m) = from_slice {
        let encoded = m.encode_to_vec();
        if encoded.len() != m.encoded_len() {
            return Err(format!(
                "{}: encoded_len disagrees with the encoding",
                M::NAME
            ));
        }
        if encoded != m.encode_to_vec() {
            return Err(format!("{}: encoding is not deterministic", M::NAME));
        }
        let again =
            M::decode(&encoded).map_err(|e| format!("{}: re-decoding failed: {e}", M::NAME))?;
        // NaN compares unequal to itself; the Debug form does not.
        if again != m && format!("{again:?}") != format!("{m:?}") {
            return Err(format!("{}: decode(encode(m)) != m", M::NAME));
        }
    }
    Ok(())
}

fn check_all(input: &[u8]) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| {
        check::<All3>(input)?;
        check::<All2>(input)?;
        check::<Ed>(input)
    }))
    .map_err(|e| {
        e.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into())
    })?
}

#[test]
fn decoding_random_and_mutated_bytes_never_panics() {
    let seed = seed_from_env("PROTOFORGE_FUZZ_SEED", DEFAULT_SEED);
    let seconds: f64 = std::env::var("PROTOFORGE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);
    eprintln!("fuzz: seed {seed:#x} (PROTOFORGE_FUZZ_SEED), {seconds} s (PROTOFORGE_FUZZ_SECONDS)");
    let seeds = seeds();
    let mut rng = Rng::new(seed);
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let (mut iterations, mut decoded_any) = (0u64, 0u64);
    while Instant::now() < deadline {
        let input = if rng.chance(50) {
            let mut out = Vec::new();
            random_fields(&mut rng, 4, &mut out);
            out
        } else {
            let base = rng.pick(&seeds).clone();
            mutate(&mut rng, base)
        };
        if All3::decode(&input).is_ok() {
            decoded_any += 1;
        }
        if let Err(problem) = check_all(&input) {
            let mut hex = String::new();
            for b in &input {
                let _ = write!(hex, "{b:02x}");
            }
            panic!("fuzz: {problem}\n  seed {seed:#x}, iteration {iterations}\n  input: {hex}");
        }
        iterations += 1;
    }
    eprintln!("fuzz: {iterations} inputs, {decoded_any} decoded as All3, all fine");
    assert!(iterations > 0);
}
