//! The fixture crate `testdata/build/messages` built and run with cargo: a
//! `build.rs` using protoforge-build, the generated code included with
//! `include_proto!`, and what cargo shows when a `.proto` is broken.

use crate::fixture::{Deps, Fixture, target_dir, text};

#[test]
fn a_build_script_generates_code_that_compiles_and_runs() {
    let fixture = Fixture::new("messages", "messages-ok", Deps::Messages);
    let out = fixture.cargo(&["run", "--quiet"]);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "the fixture must build and run\n--- stdout\n{stdout}\n--- stderr\n{}",
        text(&out.stderr)
    );
    // 59 bytes: id 5, total 9, placed_at 8, two map entries 14, payload
    // 4, last_error 15, state 2, note 2. The descriptor set lists the
    // imports depth first before each input, as protoc's `--include_imports`.
    assert_eq!(
        stdout,
        "order o-1 round-tripped in 59 bytes\n\
         money set holds 1\n\
         loose: no package\n\
         descriptor set: fixture/common/money.proto google/protobuf/descriptor.proto \
         google/api/field_behavior.proto google/protobuf/timestamp.proto \
         google/protobuf/any.proto google/rpc/status.proto \
         fixture/shop/order.proto loose.proto\n"
    );

    // cargo reruns the build script when an input or an import from disk
    // changes, and only then: the built-in Google files are not listed.
    let output = build_script_output("messages-ok");
    let mut reruns: Vec<&str> = output
        .lines()
        .filter_map(|l| l.strip_prefix("cargo:rerun-if-changed="))
        .collect();
    reruns.sort();
    assert_eq!(
        reruns,
        [
            "proto/fixture/common/money.proto",
            "proto/fixture/shop/order.proto",
            "proto/loose.proto"
        ]
    );
}

#[test]
fn every_bundled_googleapis_file_generates_code_that_compiles() {
    // Messages, enums, extensions and the services (Operations,
    // Locations) of the whole bundle, included package by package.
    let fixture = Fixture::new("googleapis", "googleapis", Deps::Grpc);
    let out = fixture.cargo(&["run", "--quiet"]);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "the fixture must build and run\n--- stdout\n{stdout}\n--- stderr\n{}",
        text(&out.stderr)
    );
    // A google.rpc.Status with an ErrorInfo detail round-trips; Money; an
    // HttpRule of 26 bytes (tag, length, 24-byte path).
    assert_eq!(
        stdout,
        "9 STOCK_SHORT type.googleapis.com/google.rpc.ErrorInfo\nEUR 12.500000000\n26\n"
    );
}

#[test]
fn a_broken_proto_fails_the_build_with_a_readable_diagnostic() {
    let fixture = Fixture::new("messages", "messages-broken", Deps::Messages);
    // A misspelled type and a missing semicolon, in two files.
    fixture.write(
        "proto/fixture/common/money.proto",
        "syntax = \"proto3\";\n\npackage fixture.common;\n\nmessage Money {\n  string currency = 1;\n  Int64 units = 2;\n}\n",
    );
    fixture.write(
        "proto/loose.proto",
        "syntax = \"proto3\";\n\nmessage Loose {\n  string name = 1\n}\n",
    );
    let out = fixture.cargo(&["build"]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "the build must fail:\n{stderr}");
    assert!(
        stderr.contains("failed to run custom build command"),
        "{stderr}"
    );
    // cargo indents the script's stderr by two spaces.
    let script: String = stderr
        .lines()
        .skip_while(|l| !l.contains("--- stderr"))
        .skip(1)
        .map(|l| format!("{}\n", l.strip_prefix("  ").unwrap_or(l)))
        .collect();
    let expected = [
        "Error: compiling the .proto files failed with 3 errors\n\n",
        "error[unresolved-name]: \"Int64\" is not defined.\n  --> proto/fixture/common/money.proto:7:3\n  |\n7 |   Int64 units = 2;\n  |   ^^^^^\n",
        // protoc's follow-up error in the importing file.
        "error[import]: Import \"fixture/common/money.proto\" was not found or had errors.\n  --> proto/fixture/shop/order.proto:5:1\n",
        "error[unexpected-token]: Expected \";\".\n  --> proto/loose.proto:5:1\n  |\n5 | }\n  | ^\n",
    ];
    for part in expected {
        assert!(
            script.contains(part),
            "missing from the build script's output:\n{part}\n--- stderr\n{stderr}"
        );
    }
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "a compile error is not a panic:\n{stderr}"
    );
}

#[test]
fn a_warning_is_a_cargo_warning_and_the_build_goes_on() {
    let fixture = Fixture::new("messages", "messages-warning", Deps::Messages);
    fixture.write(
        "proto/loose.proto",
        "syntax = \"proto3\";\n\nimport \"google/protobuf/empty.proto\";\n\nmessage Loose {\n  string name = 1;\n}\n",
    );
    let out = fixture.cargo(&["build"]);
    let stderr = text(&out.stderr);
    assert!(
        out.status.success(),
        "a warning must not fail the build:\n{stderr}"
    );
    assert!(
        stderr.contains(
            "warning: messages-warning@0.1.0: proto/loose.proto:3:1: warning: Import google/protobuf/empty.proto is unused.\n"
        ),
        "{stderr}"
    );
}

/// The `output` file cargo keeps of the fixture's last build-script run.
fn build_script_output(package: &str) -> String {
    let build = target_dir().join("fixtures/target/debug/build");
    let mut newest: Option<(std::time::SystemTime, std::path::PathBuf)> = None;
    for entry in std::fs::read_dir(&build)
        .unwrap_or_else(|e| panic!("{}: {e}", build.display()))
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let output = entry.path().join("output");
        if !name.starts_with(&format!("{package}-")) || !output.is_file() {
            continue;
        }
        let modified = std::fs::metadata(&output)
            .and_then(|m| m.modified())
            .unwrap_or(std::time::UNIX_EPOCH);
        if newest.as_ref().is_none_or(|(t, _)| modified > *t) {
            newest = Some((modified, output));
        }
    }
    let (_, path) = newest.unwrap_or_else(|| panic!("no build-script output for {package}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
