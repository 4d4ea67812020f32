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
//! generated. `PROTOFORGE_DIFF_COUNT` (default 300 per type, twelve types)
//! and `PROTOFORGE_DIFF_SEED` change the run.
//!
//! A second test sends chosen inputs both ways: proto2 strings that are not
//! UTF-8 (accepted and kept by both; proto3 rejects them in both) and
//! closed-enum extensions with numbers the enum lacks (which both move to
//! the unknown fields), comparing our encoding with Python's byte for byte.

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
        "proto2_unittest.TestPackedExtensions" => {
            round_trip::<proto2_unittest::TestPackedExtensions>(bytes)
        }
        "proto2_unittest.TestUnpackedExtensions" => {
            round_trip::<proto2_unittest::TestUnpackedExtensions>(bytes)
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

/// The peer's descriptor set of [`PROTOS`], written into `dir`.
fn descriptor_set(dir: &Path) -> PathBuf {
    let corpus = crate::corpus().join("protobuf");
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
    set
}

#[test]
fn python_and_generated_rust_agree_on_random_messages() {
    let dir = temp_dir("python-generated-differential");
    let set = descriptor_set(&dir);

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

/// What Python serializes each `(type, bytes)` to after parsing it: the
/// bytes, or the error text.
fn python_reencodes(cases: &[(&str, Vec<u8>)], dir: &Path) -> Vec<Result<Vec<u8>, String>> {
    let set = descriptor_set(dir);
    let input: String = cases
        .iter()
        .map(|(ty, bytes)| format!("{ty}\t{}\n", hex(bytes)))
        .collect();
    let (in_path, out_path) = (dir.join("reencode-in.txt"), dir.join("reencode-out.txt"));
    std::fs::write(&in_path, input).unwrap_or_else(|e| panic!("{e}"));
    run(Command::new(protoforge_testkit::python())
        .arg(protoforge_testkit::testdata().join("codegen/differential.py"))
        .arg("reencode")
        .arg(&set)
        .arg(&in_path)
        .arg(&out_path));
    let out = std::fs::read_to_string(&out_path).unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<Result<Vec<u8>, String>> = out
        .lines()
        .map(|l| match l.strip_prefix("ERROR ") {
            Some(e) => Err(e.to_string()),
            None => Ok(unhex(l)),
        })
        .collect();
    assert_eq!(lines.len(), cases.len(), "one answer per case");
    lines
}

fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
    out
}

/// A varint field.
fn vf(number: u32, value: u64) -> Vec<u8> {
    let mut out = varint(u64::from(number) << 3);
    out.extend(varint(value));
    out
}

/// A length-delimited field.
fn lf(number: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = varint((u64::from(number) << 3) | 2);
    out.extend(varint(payload.len() as u64));
    out.extend_from_slice(payload);
    out
}

#[test]
fn python_and_rust_agree_on_unchecked_strings_and_closed_enum_extensions() {
    use proto2_unittest::test_all_types::NestedEnum;
    use protoforge::{Extendable, ProtoString};
    use tm::proto2::TestAllTypesProto2 as P2;

    let dir = temp_dir("python-utf8-closed-extensions");

    // proto2 strings that are not UTF-8, in every position: singular,
    // repeated, map key and value, oneof member, extensions.
    let p2_input: Vec<u8> = [
        lf(14, b"\xffa"),
        lf(44, b"\xc3\x28"),
        lf(44, b"ok"),
        lf(69, &[lf(1, b"k\xfe"), lf(2, b"\x80v")].concat()),
        lf(113, b"\xed\xa0\x80"),
    ]
    .concat();
    let ext_strings: Vec<u8> = [lf(14, b"\xff"), lf(44, b"x\xc0"), lf(44, b"")].concat();
    // The same built in Rust: our encoding of ProtoStrings of any bytes.
    let mut built = P2 {
        optional_string: Some(ProtoString::from_bytes(&b"\xfe\xff"[..])),
        repeated_string: vec![ProtoString::from_bytes(&b"\x80"[..]), "fine".into()],
        ..Default::default()
    };
    built.map_string_string.insert(
        ProtoString::from_bytes(&b"\xc1"[..]),
        ProtoString::from_bytes(&b"v\xf5"[..]),
    );
    let built_bytes = built.encode_to_vec();
    // proto3 checks: both reject.
    let p3_input = lf(14, b"\xffa");

    // Closed-enum extensions with numbers the enum lacks (99): singular
    // (the last known value wins), repeated unpacked (from unpacked and
    // packed input), repeated packed.
    let all_ext: Vec<u8> = [
        vf(21, 99),
        vf(21, 2),
        lf(51, &[1, 99, 2]),
        vf(51, 99),
        vf(51, 3),
    ]
    .concat();
    let packed_ext: Vec<u8> = lf(103, &[4, 99, 5]);
    let unpacked_ext: Vec<u8> = [vf(103, 6), lf(103, &[99, 4])].concat();

    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "protobuf_test_messages.proto2.TestAllTypesProto2",
            p2_input.clone(),
        ),
        ("proto2_unittest.TestAllExtensions", ext_strings.clone()),
        (
            "protobuf_test_messages.proto2.TestAllTypesProto2",
            built_bytes.clone(),
        ),
        (
            "protobuf_test_messages.proto3.TestAllTypesProto3",
            p3_input.clone(),
        ),
        ("proto2_unittest.TestAllExtensions", all_ext.clone()),
        ("proto2_unittest.TestPackedExtensions", packed_ext.clone()),
        (
            "proto2_unittest.TestUnpackedExtensions",
            unpacked_ext.clone(),
        ),
    ];
    let python = python_reencodes(&cases, &dir);
    let ok = |i: usize| -> Vec<u8> {
        python[i]
            .clone()
            .unwrap_or_else(|e| panic!("Python rejects case {i}: {e}"))
    };

    // Python accepts and keeps the bytes; so do we, byte for byte.
    let m = P2::decode(&p2_input).unwrap_or_else(|e| panic!("{e}"));
    let name = m.optional_string.clone().unwrap_or_default();
    assert_eq!(name.as_bytes(), b"\xffa");
    assert!(name.as_str().is_err());
    assert_eq!(format!("{name:?}"), r#""\xffa""#);
    assert_eq!(m.repeated_string[1], "ok");
    assert_eq!(
        m.map_string_string
            .get(b"k\xfe".as_slice())
            .map(ProtoString::as_bytes),
        Some(&b"\x80v"[..])
    );
    assert!(matches!(
        &m.oneof_field,
        Some(tm::proto2::test_all_types_proto2::OneofField::OneofString(s)) if s.as_bytes() == b"\xed\xa0\x80"
    ));
    assert_eq!(
        m.encode_to_vec(),
        ok(0),
        "Python's and our encodings differ"
    );
    assert_eq!(ok(0), p2_input);

    let e =
        proto2_unittest::TestAllExtensions::decode(&ext_strings).unwrap_or_else(|e| panic!("{e}"));
    let note = e
        .extension(&proto2_unittest::OPTIONAL_STRING_EXTENSION)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(note.as_ref().map(ProtoString::as_bytes), Some(&b"\xff"[..]));
    let notes = e
        .repeated_extension_values(&proto2_unittest::REPEATED_STRING_EXTENSION)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0].as_bytes(), b"x\xc0");
    assert_eq!(e.encode_to_vec(), ok(1));

    // What we build with bytes that are not UTF-8, Python reads and writes
    // back unchanged.
    assert_eq!(ok(2), built_bytes);

    // proto3: both reject.
    assert!(python[3].is_err(), "Python accepts invalid UTF-8 in proto3");
    let e = tm::proto3::TestAllTypesProto3::decode(&p3_input).expect_err("must fail");
    assert_eq!(e.kind(), protoforge::DecodeErrorKind::InvalidUtf8);

    // Closed-enum extensions: known numbers stay, unknown ones go to the
    // unknown fields (written last), and the bytes are Python's.
    let m = proto2_unittest::TestAllExtensions::decode(&all_ext).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        m.extension(&proto2_unittest::OPTIONAL_NESTED_ENUM_EXTENSION)
            .ok(),
        Some(Some(NestedEnum::Bar))
    );
    assert_eq!(
        m.repeated_extension(&proto2_unittest::REPEATED_NESTED_ENUM_EXTENSION)
            .ok(),
        Some(vec![NestedEnum::Foo, NestedEnum::Bar, NestedEnum::Baz])
    );
    let unknown: Vec<u32> = m.unknown_fields.iter().map(|f| f.number).collect();
    assert_eq!(unknown, [21, 51, 51]);
    assert_eq!(
        m.encode_to_vec(),
        ok(4),
        "Python's and our encodings differ"
    );

    // A number alone reads as absent, as in Python (HasExtension is false).
    let alone =
        proto2_unittest::TestAllExtensions::decode(&vf(21, 99)).unwrap_or_else(|e| panic!("{e}"));
    assert!(!alone.has_extension(&proto2_unittest::OPTIONAL_NESTED_ENUM_EXTENSION));
    assert_eq!(alone.encode_to_vec(), vf(21, 99));

    let packed = proto2_unittest::TestPackedExtensions::decode(&packed_ext)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        packed
            .repeated_extension(&proto2_unittest::PACKED_ENUM_EXTENSION)
            .ok(),
        Some(vec![
            proto2_unittest::ForeignEnum::ForeignFoo,
            proto2_unittest::ForeignEnum::ForeignBar
        ])
    );
    assert_eq!(
        packed.encode_to_vec(),
        ok(5),
        "Python's and our encodings differ"
    );

    let unpacked = proto2_unittest::TestUnpackedExtensions::decode(&unpacked_ext)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        unpacked
            .repeated_extension(&proto2_unittest::UNPACKED_ENUM_EXTENSION)
            .ok(),
        Some(vec![
            proto2_unittest::ForeignEnum::ForeignBaz,
            proto2_unittest::ForeignEnum::ForeignFoo
        ])
    );
    assert_eq!(
        unpacked.encode_to_vec(),
        ok(6),
        "Python's and our encodings differ"
    );
}
