//! `Pool::from_file_descriptor_set`: a descriptor set read back gives the same
//! IR as compiling the sources, and writes the same bytes again.

use protoforge_compiler::builtin::GoogleFiles;
use protoforge_compiler::ir::{FieldType, Pool};
use protoforge_compiler::resolve::{Chain, IncludePaths};
use protoforge_compiler::{CompileOptions, DescriptorSetOptions, compile};

fn type_name(pool: &Pool, ty: FieldType) -> String {
    match ty {
        FieldType::Scalar(s) => s.keyword().to_string(),
        FieldType::Enum(e) => format!("enum {}", pool[e].full_name),
        FieldType::Message(m) => format!("message {}", pool[m].full_name),
        FieldType::Group(m) => format!("group {}", pool[m].full_name),
    }
}

/// Compiles `files`, writes them out, reads them back and checks both sides.
fn round_trip(resolver: &Chain, files: &[&str]) {
    let compilation = compile(resolver, files, &CompileOptions::default());
    assert!(
        !compilation.has_errors(),
        "{:?}",
        compilation.errors().next()
    );
    let compiled = &compilation.pool;
    let flags = DescriptorSetOptions {
        include_imports: true,
        include_source_info: true,
        retain_options: true,
    };
    let bytes = compiled.file_descriptor_set(&compilation.files, flags);
    let decoded = Pool::from_file_descriptor_set(&bytes).expect("our own output decodes");

    let ids: Vec<_> = files
        .iter()
        .filter_map(|f| decoded.file_by_name(f))
        .collect();
    assert_eq!(ids.len(), files.len());
    assert!(
        decoded.file_descriptor_set(&ids, flags) == bytes,
        "re-encoding the decoded set changes it"
    );
    let plain = DescriptorSetOptions {
        include_imports: true,
        ..DescriptorSetOptions::default()
    };
    assert!(
        decoded.file_descriptor_set(&ids, plain)
            == compiled.file_descriptor_set(&compilation.files, plain),
        "stripping source-retention options differs after decoding"
    );

    for (_, field) in compiled.fields() {
        let Some(protoforge_compiler::ir::Symbol::Field(other)) =
            decoded.lookup(field.full_name.as_str())
        else {
            panic!("{} missing after decoding", field.full_name);
        };
        let other = &decoded[other];
        let what = field.full_name.as_str();
        assert_eq!(
            type_name(compiled, field.ty),
            type_name(&decoded, other.ty),
            "{what}"
        );
        assert_eq!(field.label, other.label, "{what}");
        assert_eq!(field.presence, other.presence, "{what}");
        assert_eq!(field.json_name, other.json_name, "{what}");
        assert_eq!(field.features, other.features, "{what}");
        assert_eq!(field.is_packed(), other.is_packed(), "{what}");
        assert_eq!(field.proto3_optional, other.proto3_optional, "{what}");
        assert_eq!(
            field.default.as_ref().map(|d| &d.text),
            other.default.as_ref().map(|d| &d.text),
            "{what}"
        );
        assert_eq!(field.comments, other.comments, "{what}");
        assert_eq!(
            field.extendee.map(|m| compiled[m].full_name.clone()),
            other.extendee.map(|m| decoded[m].full_name.clone()),
            "{what}"
        );
    }
    for (_, message) in compiled.messages() {
        let other = decoded
            .message_by_name(message.full_name.as_str())
            .unwrap_or_else(|| panic!("{} missing after decoding", message.full_name));
        let other = &decoded[other];
        assert_eq!(
            message.map_entry.is_some(),
            other.map_entry.is_some(),
            "{}",
            message.full_name
        );
        assert_eq!(message.comments, other.comments, "{}", message.full_name);
        assert_eq!(message.features, other.features, "{}", message.full_name);
        let oneofs = |pool: &Pool, ids: &[protoforge_compiler::ir::OneofId]| {
            ids.iter()
                .map(|o| (pool[*o].name.clone(), pool[*o].synthetic))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            oneofs(compiled, &message.oneofs),
            oneofs(&decoded, &other.oneofs)
        );
    }
    for (_, e) in compiled.enums() {
        let other = decoded
            .enum_by_name(e.full_name.as_str())
            .expect("enum decoded");
        assert_eq!(e.is_closed(), decoded[other].is_closed(), "{}", e.full_name);
    }
}

#[test]
fn google_files_round_trip() {
    let resolver = Chain::new().with(GoogleFiles);
    let files: Vec<&str> = protoforge_compiler::builtin::FILES
        .iter()
        .map(|(n, _)| *n)
        .collect();
    round_trip(&resolver, &files);
}

#[test]
fn corpus_protobuf_round_trips() {
    let Some(corpus) = protoforge_testkit::corpus_dir("compiler decode") else {
        return;
    };
    let root = corpus.join("protobuf");
    let mut paths = IncludePaths::new();
    paths.map("", &root.to_string_lossy());
    let resolver = Chain::new().with(paths).with(GoogleFiles);
    // Proto2 groups and required, proto3 optional, maps, custom options,
    // editions features and delimited encoding, closed and open enums.
    round_trip(
        &resolver,
        &[
            "google/protobuf/unittest.proto",
            "google/protobuf/unittest_proto3.proto",
            "google/protobuf/unittest_custom_options.proto",
            "google/protobuf/map_unittest.proto",
            "editions/golden/test_messages_proto2_editions.proto",
            "conformance/test_protos/test_messages_edition2023.proto",
        ],
    );
}

#[test]
fn malformed_sets_are_errors_not_panics() {
    for bytes in [
        &[0x0a, 0x02, 0x0a][..],
        &[0x0a, 0x03, 0x22, 0x01, 0xff],
        &[0xff],
    ] {
        assert!(Pool::from_file_descriptor_set(bytes).is_err(), "{bytes:?}");
    }
}

#[test]
fn string_defaults_that_are_not_utf8_keep_their_bytes() {
    let mut files = protoforge_compiler::resolve::InMemory::new();
    files.add(
        "t.proto",
        "syntax = \"proto2\";\nmessage M { optional string s = 1 [default = \"\\377ok\"]; }\n",
    );
    let compilation = compile(&files, &["t.proto"], &CompileOptions::default());
    assert!(!compilation.has_errors(), "{:?}", compilation.diagnostics);
    let bytes = compilation
        .pool
        .file_descriptor_set(&compilation.files, DescriptorSetOptions::default());
    let decoded = Pool::from_file_descriptor_set(&bytes).expect("decodes");
    let Some(protoforge_compiler::ir::Symbol::Field(f)) = decoded.lookup("M.s") else {
        panic!("M.s missing");
    };
    assert_eq!(
        decoded[f].default.as_ref().map(|d| d.value.clone()),
        Some(protoforge_compiler::ir::Value::Bytes(b"\xffok".to_vec()))
    );
    let ids: Vec<_> = decoded.file_by_name("t.proto").into_iter().collect();
    assert!(decoded.file_descriptor_set(&ids, DescriptorSetOptions::default()) == bytes);
}
