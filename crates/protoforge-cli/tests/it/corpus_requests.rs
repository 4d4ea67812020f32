//! `CodeGeneratorRequest`s for real-world files: the capture plugin runs
//! under the pinned protoc and under protoforge on groups of corpus files
//! (well-known types, googleapis, editions, source-retention and custom
//! options, `import option`), and the two requests must be the same bytes.
//! Each group is one run, so one request carries many files.

use std::path::Path;

use crate::support::{Run, capture_plugin, include, protoc, protoforge_as_protoc, scratch};

/// The groups: an include root under the corpus, and files under it (a
/// trailing `/*.proto` takes every `.proto` file of that directory).
const GROUPS: &[(&str, &[&str])] = &[
    ("googleapis", &["google/type/*.proto"]),
    ("googleapis", &["google/api/*.proto"]),
    (
        "googleapis",
        &[
            "google/rpc/*.proto",
            "google/rpc/context/*.proto",
            "google/longrunning/*.proto",
        ],
    ),
    (
        "protobuf",
        &[
            "google/protobuf/any.proto",
            "google/protobuf/api.proto",
            "google/protobuf/duration.proto",
            "google/protobuf/empty.proto",
            "google/protobuf/field_mask.proto",
            "google/protobuf/source_context.proto",
            "google/protobuf/struct.proto",
            "google/protobuf/timestamp.proto",
            "google/protobuf/type.proto",
            "google/protobuf/wrappers.proto",
            "google/protobuf/descriptor.proto",
        ],
    ),
    ("protobuf", &["editions/golden/*.proto"]),
    (
        "protobuf",
        &[
            "google/protobuf/unittest_retention.proto",
            "google/protobuf/unittest_custom_options.proto",
            "google/protobuf/unittest.proto",
            "google/protobuf/unittest_proto3_optional.proto",
        ],
    ),
    (
        "protobuf",
        &[
            "google/protobuf/unittest_features.proto",
            "google/protobuf/unittest_import_option.proto",
        ],
    ),
    (
        "protobuf/conformance",
        &[
            "conformance.proto",
            "test_protos/test_messages_edition2023.proto",
        ],
    ),
];

/// The files a group names, relative to its root, sorted per pattern.
fn expand(root: &Path, patterns: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    for pattern in patterns {
        match pattern.strip_suffix("/*.proto") {
            Some(dir) => {
                let mut found: Vec<String> = std::fs::read_dir(root.join(dir))
                    .map(|entries| {
                        entries
                            .flatten()
                            .filter_map(|e| e.file_name().into_string().ok())
                            .filter(|n| n.ends_with(".proto"))
                            .map(|n| format!("{dir}/{n}"))
                            .collect()
                    })
                    .unwrap_or_default();
                found.sort();
                files.extend(found);
            }
            None => files.push(pattern.to_string()),
        }
    }
    files
}

#[test]
fn requests_for_corpus_files() {
    let Some(corpus) = protoforge_testkit::corpus_dir("corpus plugin requests") else {
        return;
    };
    // The response declares every feature and editions up to 2024, so no
    // input is refused after the request is captured.
    let response_dir = scratch("corpus-requests");
    let response = response_dir.join("response.bin");
    std::fs::write(&response, b"\x10\x03\x18\xe6\x07\x20\xe9\x07")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut total = 0;
    for (i, (root, patterns)) in GROUPS.iter().enumerate() {
        let files = expand(&corpus.join(root), patterns);
        assert!(!files.is_empty(), "group {i}: no files under {root}");
        total += files.len();
        let mut requests = Vec::new();
        let mut runs: Vec<Run> = Vec::new();
        for who in ["protoc", "protoforge"] {
            let dir = scratch(&format!("corpus-requests-{i}-{who}"));
            std::fs::create_dir_all(dir.join("out")).unwrap_or_else(|e| panic!("{e}"));
            capture_plugin(
                &dir,
                "capture",
                &[
                    ("PROTOFORGE_CAPTURE_DIR", dir.display().to_string()),
                    (
                        "PROTOFORGE_CAPTURE_RESPONSE",
                        response.display().to_string(),
                    ),
                ],
            );
            let root_flag = format!("-I{}", corpus.join(root).display());
            let include_flag = format!("-I{}", include());
            let plugin_flag = format!("--plugin=protoc-gen-q={}", dir.join("capture").display());
            let out_flag = format!("--q_out={}", dir.join("out").display());
            let mut args: Vec<&str> = vec![&root_flag, &include_flag, &plugin_flag, &out_flag];
            args.extend(files.iter().map(String::as_str));
            let run = if who == "protoc" {
                protoc(&dir, &args)
            } else {
                protoforge_as_protoc(&dir, &args)
            };
            requests.push(std::fs::read(dir.join("request.bin")).unwrap_or_default());
            runs.push(run);
        }
        assert_eq!(runs[1], runs[0], "group {i} ({root}: {patterns:?})");
        assert_eq!(runs[0].code, 0, "group {i}: {:?}", runs[0]);
        assert!(!requests[0].is_empty(), "group {i}: protoc sent nothing");
        assert!(
            requests[1] == requests[0],
            "group {i} ({root}: {patterns:?}): the requests differ ({} bytes from protoforge, {} from protoc)",
            requests[1].len(),
            requests[0].len()
        );
    }
    assert!(total > 60, "only {total} files");
}
