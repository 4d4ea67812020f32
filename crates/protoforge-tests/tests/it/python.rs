//! Differential test against Python's `protobuf` (the pinned peer) over
//! the generated code of protobuf's own test protos: thousands of
//! pseudo-random messages built and encoded in Python (some followed by raw
//! fields the schema does not know and closed-enum numbers the enum lacks)
//! are decoded by the generated Rust and encoded again; Python must decode
//! our encoding to a message equal to what it decodes from its own (compared
//! by deterministic serialization, unknown fields included), and Rust must
//! decode its own encoding to an equal value.
//!
//! The peer side is `testdata/codegen/differential.py`; it reads the types
//! from a descriptor set the pinned protoc writes, so no Python code is
//! generated. `PROTOFORGE_DIFF_COUNT` (default 300 per type, ten types) and
//! `PROTOFORGE_DIFF_SEED` change the run.

#![allow(clippy::print_stderr)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use protoforge::Message;
use protoforge_tests::{proto2_unittest, proto3_unittest, protobuf_test_messages as tm};

/// The corpus files the peer's descriptor set is built from.
const PROTOS: &[&str] = &[
    "google/protobuf/test_messages_proto2.proto",
    "google/protobuf/test_messages_proto3.proto",
    "conformance/test_protos/test_messages_edition2023.proto",
    "editions/golden/test_messages_proto2_editions.proto",
    "editions/golden/test_messages_proto3_editions.proto",
    "google/protobuf/unittest.proto",
    "google/protobuf/map_unittest.proto",
    "google/protobuf/unittest_proto3.proto",
];

/// Decodes `bytes` as `M`, checks that our own encoding decodes back to the
/// same value, and returns that encoding.
fn round_trip<M: Message>(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let message = M::decode(bytes).map_err(|e| format!("decode: {e}"))?;
    let encoded = message.encode_to_vec();
    let again = M::decode(&encoded).map_err(|e| format!("decoding our own encoding: {e}"))?;
    if again != message {
        return Err("our encoding decodes to a different value".to_string());
    }
    if encoded.len() != message.encoded_len() {
        return Err("encoded_len disagrees with the encoding".to_string());
    }
    Ok(encoded)
}

fn round_trip_named(type_name: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    match type_name {
        "protobuf_test_messages.proto2.TestAllTypesProto2" => {
            round_trip::<tm::proto2::TestAllTypesProto2>(bytes)
        }
        "protobuf_test_messages.proto3.TestAllTypesProto3" => {
            round_trip::<tm::proto3::TestAllTypesProto3>(bytes)
        }
        "protobuf_test_messages.editions.TestAllTypesEdition2023" => {
            round_trip::<tm::editions::TestAllTypesEdition2023>(bytes)
        }
        "protobuf_test_messages.editions.proto2.TestAllTypesProto2" => {
            round_trip::<tm::editions::proto2::TestAllTypesProto2>(bytes)
        }
        "protobuf_test_messages.editions.proto3.TestAllTypesProto3" => {
            round_trip::<tm::editions::proto3::TestAllTypesProto3>(bytes)
        }
        "proto2_unittest.TestAllTypes" => round_trip::<proto2_unittest::TestAllTypes>(bytes),
        "proto2_unittest.TestAllExtensions" => {
            round_trip::<proto2_unittest::TestAllExtensions>(bytes)
        }
        "proto2_unittest.TestPackedTypes" => round_trip::<proto2_unittest::TestPackedTypes>(bytes),
        "proto2_unittest.TestMap" => round_trip::<proto2_unittest::TestMap>(bytes),
        "proto3_unittest.TestAllTypes" => round_trip::<proto3_unittest::TestAllTypes>(bytes),
        other => Err(format!("unknown type {other}")),
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
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

fn unhex(s: &str) -> Vec<u8> {
    if s == "-" {
        return Vec::new();
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or_else(|e| panic!("hex: {e}")))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "-".into();
    }
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn python_and_generated_rust_agree_on_random_messages() {
    let corpus = crate::corpus().join("protobuf");
    let dir = temp_dir("python-generated-differential");
    let set = dir.join("set.pb");
    let mut protoc = protoforge_testkit::protoc();
    protoc
        .arg("-I")
        .arg(&corpus)
        .arg("-I")
        .arg(protoforge_testkit::grpc_tools_include())
        .arg("--include_imports")
        .arg(format!("--descriptor_set_out={}", set.display()))
        .args(PROTOS);
    run(&mut protoc);

    let script = protoforge_testkit::testdata().join("codegen/differential.py");
    let seed = env_number("PROTOFORGE_DIFF_SEED", 20_260_101);
    let count = env_number("PROTOFORGE_DIFF_COUNT", 300);
    let cases_path = dir.join("cases.txt");
    run(Command::new(protoforge_testkit::python())
        .arg(&script)
        .arg("gen")
        .arg(&set)
        .arg(seed.to_string())
        .arg(count.to_string())
        .arg(&cases_path));
    let cases = std::fs::read_to_string(&cases_path).unwrap_or_else(|e| panic!("cases: {e}"));

    let mut failures = Vec::new();
    let mut checks = String::new();
    let mut checked = Vec::new();
    for (i, line) in cases.lines().enumerate() {
        let Some((type_name, hx)) = line.split_once('\t') else {
            panic!("malformed case line {i}: {line}");
        };
        match round_trip_named(type_name, &unhex(hx)) {
            Ok(ours) => {
                let _ = writeln!(checks, "{type_name}\t{hx}\t{}", hex(&ours));
                checked.push(i);
            }
            Err(e) => failures.push(format!("case {i} ({type_name}): {e}\n  bytes: {hx}")),
        }
    }
    let n = cases.lines().count();
    assert!(n >= 10 * count as usize, "only {n} cases from the peer");

    let checks_path = dir.join("checks.txt");
    let results_path = dir.join("results.txt");
    std::fs::write(&checks_path, checks).unwrap_or_else(|e| panic!("writing checks: {e}"));
    run(Command::new(protoforge_testkit::python())
        .arg(&script)
        .arg("check")
        .arg(&set)
        .arg(&checks_path)
        .arg(&results_path));
    let results = std::fs::read_to_string(&results_path).unwrap_or_else(|e| panic!("results: {e}"));
    let results: Vec<&str> = results.lines().collect();
    assert_eq!(
        results.len(),
        checked.len(),
        "the peer checked a different number of cases"
    );
    for (i, result) in checked.iter().zip(&results) {
        if *result != "ok" {
            let line = cases.lines().nth(*i).unwrap_or_default();
            failures.push(format!(
                "case {i}: Python reads our encoding differently: {result}\n  case: {line}"
            ));
        }
    }
    eprintln!(
        "python differential (generated code): {n} messages, seed {seed}, {} failures",
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
