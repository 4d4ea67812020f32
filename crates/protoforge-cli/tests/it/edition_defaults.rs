//! `--edition_defaults_out` with `--edition_defaults_minimum`/`_maximum`,
//! differentially against the pinned protoc: the `FeatureSetDefaults` bytes
//! for `descriptor.proto` alone, with the language feature files and with a
//! user's own feature extension, and protoc's messages and exit codes for bad
//! edition ranges and bad feature definitions.

use crate::support::{Run, include, protoc, protoforge_as_protoc, scratch, write_files};

/// A user's feature extension: a feature that changes its default in 2024,
/// one introduced in 2024 (fixed before), one removed in 2024 (fixed from
/// then) and one introduced only in `EDITION_UNSTABLE`.
const CUSTOM: &str = r#"edition = "2023";
package acme;
import "google/protobuf/descriptor.proto";
extend google.protobuf.FeatureSet { AcmeFeatures acme = 9990; }
message AcmeFeatures {
  enum Mode { MODE_UNKNOWN = 0; FAST = 1; SAFE = 2; }
  Mode mode = 1 [targets = TARGET_TYPE_FIELD, targets = TARGET_TYPE_FILE,
    feature_support = { edition_introduced: EDITION_2023 },
    edition_defaults = { edition: EDITION_LEGACY, value: "SAFE" },
    edition_defaults = { edition: EDITION_2024, value: "FAST" }];
  bool later = 2 [targets = TARGET_TYPE_MESSAGE,
    feature_support = { edition_introduced: EDITION_2024 },
    edition_defaults = { edition: EDITION_LEGACY, value: "false" }];
  bool gone = 3 [targets = TARGET_TYPE_ENUM,
    feature_support = { edition_introduced: EDITION_2023, edition_deprecated: EDITION_2023,
      deprecation_warning: "old", edition_removed: EDITION_2024, removal_error: "gone" },
    edition_defaults = { edition: EDITION_LEGACY, value: "true" },
    edition_defaults = { edition: EDITION_2023, value: "false" }];
  Mode unstable = 4 [targets = TARGET_TYPE_FIELD,
    feature_support = { edition_introduced: EDITION_UNSTABLE },
    edition_defaults = { edition: EDITION_LEGACY, value: "1" }];
}
"#;

/// [`CUSTOM`] under another name with `edit` applied, for one broken
/// feature definition.
fn broken(edit: impl Fn(&str) -> String) -> String {
    edit(
        &CUSTOM
            .replace("package acme;", "package bad;")
            .replace("acme = 9990", "bad = 9991"),
    )
}

/// Runs protoc and protoforge on `files` with `args` plus
/// `--edition_defaults_out=defaults.bin`; returns both runs and the bytes
/// each wrote (if any).
fn both(case: &str, files: &[(&str, &str)], args: &[&str]) -> [(Run, Option<Vec<u8>>); 2] {
    let include = format!("-I{}", include());
    let mut all = vec![
        "-I.",
        include.as_str(),
        "--edition_defaults_out=defaults.bin",
    ];
    all.extend_from_slice(args);
    let theirs = scratch(&format!("edition-defaults-{case}-protoc"));
    let ours = scratch(&format!("edition-defaults-{case}-protoforge"));
    write_files(&theirs, files);
    write_files(&ours, files);
    let runs = [protoc(&theirs, &all), protoforge_as_protoc(&ours, &all)];
    let [a, b] = runs;
    [
        (a, std::fs::read(theirs.join("defaults.bin")).ok()),
        (b, std::fs::read(ours.join("defaults.bin")).ok()),
    ]
}

/// protoc's stderr without its abseil log lines (protoforge prints the
/// reported error only).
fn reported(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| !l.starts_with("WARNING: All log messages") && !l.starts_with("E0000 "))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn assert_same(case: &str, files: &[(&str, &str)], args: &[&str]) -> Option<Vec<u8>> {
    let [(theirs, theirs_bytes), (ours, ours_bytes)] = both(case, files, args);
    assert_eq!(
        (ours.code, ours.stderr.as_str()),
        (theirs.code, reported(&theirs.stderr).as_str()),
        "{case}: exit code and stderr"
    );
    assert_eq!(ours_bytes, theirs_bytes, "{case}: FeatureSetDefaults bytes");
    theirs_bytes
}

#[test]
fn defaults_of_descriptor_proto_match_protoc() {
    let bytes = assert_same("descriptor", &[], &["google/protobuf/descriptor.proto"]);
    assert!(
        bytes.is_some_and(|b| b.len() > 40),
        "protoc wrote no defaults"
    );
    for (case, flags) in [
        ("min-2023", &["--edition_defaults_minimum=2023"][..]),
        ("max-2023", &["--edition_defaults_maximum=2023"]),
        ("max-proto3", &["--edition_defaults_maximum=PROTO3"]),
        ("max-max", &["--edition_defaults_maximum=MAX"]),
        (
            "legacy-unstable",
            &[
                "--edition_defaults_minimum=LEGACY",
                "--edition_defaults_maximum=UNSTABLE",
            ],
        ),
        // UNKNOWN is the value protoc uses for "not given".
        ("unknown-is-unset", &["--edition_defaults_minimum=UNKNOWN"]),
    ] {
        let mut args = flags.to_vec();
        args.push("google/protobuf/descriptor.proto");
        assert!(assert_same(case, &[], &args).is_some(), "{case}: no output");
    }
}

#[test]
fn defaults_with_language_and_custom_features_match_protoc() {
    let files = [("acme/custom.proto", CUSTOM)];
    assert!(assert_same("custom", &files, &["acme/custom.proto"]).is_some());
    assert!(
        assert_same(
            "custom-and-languages",
            &files,
            &[
                "--edition_defaults_maximum=2024",
                "acme/custom.proto",
                "google/protobuf/cpp_features.proto",
                "google/protobuf/java_features.proto",
                "google/protobuf/go_features.proto",
            ],
        )
        .is_some()
    );
}

#[test]
fn bad_ranges_fail_as_protoc_does() {
    for (case, flags) in [
        (
            "min-after-max",
            &[
                "--edition_defaults_minimum=2024",
                "--edition_defaults_maximum=2023",
            ][..],
        ),
        (
            "min-before-legacy",
            &["--edition_defaults_minimum=1_TEST_ONLY"],
        ),
    ] {
        let mut args = flags.to_vec();
        args.push("google/protobuf/descriptor.proto");
        assert_eq!(assert_same(case, &[], &args), None, "{case}");
    }
    // No file loaded descriptor.proto.
    assert_eq!(
        assert_same("no-feature-set", &[], &["google/protobuf/any.proto"]),
        None
    );
}

#[test]
fn bad_feature_definitions_fail_as_protoc_does() {
    let cases: [(&str, String); 5] = [
        (
            "no-target",
            broken(|s| s.replace("[targets = TARGET_TYPE_MESSAGE,\n", "[\n")),
        ),
        (
            "no-legacy-default",
            broken(|s| {
                s.replace(
                    "edition_defaults = { edition: EDITION_LEGACY, value: \"false\" }",
                    "edition_defaults = { edition: EDITION_2024, value: \"false\" }",
                )
            }),
        ),
        (
            "not-enum-or-bool",
            broken(|s| {
                s.replace("bool later = 2", "int32 later = 2").replacen(
                    "value: \"false\" }];",
                    "value: \"0\" }];",
                    1,
                )
            }),
        ),
        (
            "unparsable-default",
            broken(|s| s.replace("value: \"SAFE\"", "value: \"SLOW\"")),
        ),
        (
            "oneof",
            broken(|s| {
                s.replace(
                    "message AcmeFeatures {",
                    "message AcmeFeatures {\n  oneof o { bool x = 9 [targets = TARGET_TYPE_FIELD, \
                     feature_support = { edition_introduced: EDITION_2023 }, \
                     edition_defaults = { edition: EDITION_LEGACY, value: \"true\" }]; }",
                )
            }),
        ),
    ];
    for (case, text) in &cases {
        let files = [
            ("acme/custom.proto", CUSTOM),
            ("bad/bad.proto", text.as_str()),
        ];
        assert_eq!(
            assert_same(case, &files, &["acme/custom.proto", "bad/bad.proto"]),
            None,
            "{case}"
        );
    }
}
