//! The IR as code generators see it: what the compiler resolves so back
//! ends never re-derive proto2/proto3/editions rules.

use protoforge_compiler::builtin::GoogleFiles;
use protoforge_compiler::ir::{
    EnumType, FieldType, Label, Pool, Presence, RepeatedFieldEncoding, Scalar, Symbol, Value,
};
use protoforge_compiler::resolve::{Chain, InMemory};
use protoforge_compiler::{CompileOptions, compile};

/// Compiles one in-memory file (with the Google files available).
fn pool(source: &str) -> Pool {
    let mut files = InMemory::new();
    files.add("test.proto", source);
    let resolver = Chain::new().with(files).with(GoogleFiles);
    let compilation = compile(&resolver, &["test.proto"], &CompileOptions::default());
    assert!(
        !compilation.has_errors(),
        "{:?}",
        compilation.errors().collect::<Vec<_>>()
    );
    compilation.pool
}

fn field<'a>(pool: &'a Pool, name: &str) -> &'a protoforge_compiler::ir::Field {
    match pool.lookup(name) {
        Some(Symbol::Field(f)) => &pool[f],
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn proto3_presence_and_synthetic_oneofs() {
    let pool = pool(
        r#"syntax = "proto3";
package p;
message M {
  int32 plain = 1;
  optional int32 opt = 2;
  M child = 3;
  repeated int32 nums = 4;
  repeated string names = 5;
  int32 _opt = 6;
  optional int32 clash = 7;
  oneof _clash { int32 other = 8; }
}
"#,
    );
    assert_eq!(field(&pool, "p.M.plain").presence, Presence::Implicit);
    assert_eq!(field(&pool, "p.M.opt").presence, Presence::Explicit);
    assert!(field(&pool, "p.M.opt").proto3_optional);
    assert_eq!(field(&pool, "p.M.child").presence, Presence::Explicit);
    assert_eq!(field(&pool, "p.M.nums").presence, Presence::Repeated);
    assert!(
        field(&pool, "p.M.nums").is_packed(),
        "proto3 packs repeated scalars"
    );
    assert!(
        !field(&pool, "p.M.names").is_packed(),
        "strings are never packed"
    );
    let m = pool.message_by_name("p.M").expect("message");
    let oneofs: Vec<(&str, bool)> = pool[m]
        .oneofs
        .iter()
        .map(|o| (pool[*o].name.as_str(), pool[*o].synthetic))
        .collect();
    // Synthetic oneofs come after real ones and dodge existing names with `X`.
    assert_eq!(
        oneofs,
        vec![("_clash", false), ("X_opt", true), ("X_clash", true)]
    );
}

#[test]
fn proto2_groups_required_defaults_and_closed_enums() {
    let pool = pool(
        r#"syntax = "proto2";
package p;
enum E { A = 1; B = 2; }
message M {
  required int32 id = 1;
  optional E e = 2 [default = B];
  optional float f = 3 [default = 0.1];
  optional double d = 4 [default = -1e300];
  optional bytes b = 5 [default = "a\001\"z"];
  repeated int32 packed = 6 [packed = true];
  optional group Item = 7 { optional int32 x = 1; }
  optional string snake_case_name = 8 [json_name = "custom"];
}
"#,
    );
    assert_eq!(field(&pool, "p.M.id").label, Label::Required);
    assert_eq!(field(&pool, "p.M.id").presence, Presence::Required);
    let e = field(&pool, "p.M.e");
    let default = e.default.as_ref().expect("default");
    assert_eq!(default.text, "B");
    assert!(matches!(default.value, Value::Enum(_)));
    assert_eq!(
        field(&pool, "p.M.f")
            .default
            .as_ref()
            .map(|d| d.text.as_str()),
        Some("0.1")
    );
    assert_eq!(
        field(&pool, "p.M.d")
            .default
            .as_ref()
            .map(|d| d.text.as_str()),
        Some("-1e+300")
    );
    assert_eq!(
        field(&pool, "p.M.b")
            .default
            .as_ref()
            .map(|d| d.text.as_str()),
        Some("a\\001\\\"z")
    );
    assert!(field(&pool, "p.M.packed").is_packed());
    let item = field(&pool, "p.M.item");
    assert!(matches!(item.ty, FieldType::Group(_)), "{:?}", item.ty);
    assert_eq!(field(&pool, "p.M.snake_case_name").json_name, "custom");
    assert!(field(&pool, "p.M.snake_case_name").has_explicit_json_name);
    let en = pool.enum_by_name("p.E").expect("enum");
    assert_eq!(pool[en].features.enum_type, EnumType::Closed);
}

#[test]
fn maps_are_recognisable() {
    let pool = pool(
        r#"syntax = "proto3";
package p;
message M { map<string, M> children = 1; }
"#,
    );
    let children = field(&pool, "p.M.children");
    assert_eq!(children.label, Label::Repeated);
    let FieldType::Message(entry) = children.ty else {
        panic!("{:?}", children.ty);
    };
    let map = pool[entry].map_entry.expect("map entry");
    assert_eq!(pool[entry].name, "ChildrenEntry");
    assert_eq!(pool[map.key].ty, FieldType::Scalar(Scalar::String));
    assert_eq!(
        pool[map.value].ty,
        FieldType::Message(pool.message_by_name("p.M").expect("M"))
    );
}

#[test]
fn editions_features_resolve_and_inherit() {
    let pool = pool(
        r#"edition = "2023";
package p;
option features.repeated_field_encoding = EXPANDED;
message Node {
  int32 a = 1;
  int32 b = 2 [features.field_presence = IMPLICIT];
  repeated int32 c = 3;
  repeated int32 d = 4 [features.repeated_field_encoding = PACKED];
  Node child = 5 [features.message_encoding = DELIMITED];
  int32 r = 6 [features.field_presence = LEGACY_REQUIRED];
}
enum Closed { option features.enum_type = CLOSED; ONE = 1; }
"#,
    );
    assert_eq!(field(&pool, "p.Node.a").presence, Presence::Explicit);
    assert_eq!(field(&pool, "p.Node.b").presence, Presence::Implicit);
    assert_eq!(
        field(&pool, "p.Node.c").features.repeated_field_encoding,
        RepeatedFieldEncoding::Expanded
    );
    assert!(!field(&pool, "p.Node.c").is_packed());
    assert!(field(&pool, "p.Node.d").is_packed());
    assert!(matches!(
        field(&pool, "p.Node.child").ty,
        FieldType::Group(_)
    ));
    assert_eq!(field(&pool, "p.Node.r").label, Label::Required);
    let closed = pool.enum_by_name("p.Closed").expect("enum");
    assert!(pool[closed].is_closed());
}

#[test]
fn comments_and_spans_reach_elements() {
    let source = "syntax = \"proto3\";\n// The answer.\nmessage Answer {\n  int32 value = 1; // always 42\n}\n";
    let pool = pool(source);
    let m = pool.message_by_name("Answer").expect("message");
    assert_eq!(pool[m].comments.leading.as_deref(), Some(" The answer.\n"));
    let value = field(&pool, "Answer.value");
    assert_eq!(value.comments.trailing.as_deref(), Some(" always 42\n"));
    let span = value.span.expect("span").range;
    assert_eq!(
        &source[span.start as usize..span.end as usize],
        "int32 value = 1;"
    );
}

#[test]
fn diagnostics_use_protoc_wording_and_positions() {
    let mut files = InMemory::new();
    files.add(
        "bad.proto",
        "syntax = \"proto3\";\nmessage M {\n  Missing m = 1;\n  int32 a = 1;\n}\n",
    );
    let compilation = compile(&files, &["bad.proto"], &CompileOptions::default());
    let errors: Vec<String> = compilation.errors().map(|d| d.render_protoc()).collect();
    assert_eq!(
        errors,
        vec![
            "bad.proto:3:3: \"Missing\" is not defined.".to_string(),
            "bad.proto:4:13: Field number 1 has already been used in \"M\" by field \"m\". Next available field number is 2."
                .to_string(),
        ]
    );
}

#[test]
fn deep_aggregate_values_are_an_error_not_an_overflow() {
    // protoc's text-format parser has no depth limit and protoc aborts when it
    // re-reads such options in binary; we report the nesting at the option.
    let levels = 100_000;
    let mut source = String::from(
        "syntax = \"proto2\";\nimport \"google/protobuf/descriptor.proto\";\n\
         message R { optional R r = 1; }\n\
         extend google.protobuf.FileOptions { optional R deep = 50000; }\noption (deep) = { ",
    );
    source.push_str(&"r { ".repeat(levels));
    source.push_str(&"} ".repeat(levels));
    source.push_str("};\n");
    let mut files = InMemory::new();
    files.add("deep.proto", source.as_str());
    let resolver = Chain::new().with(files).with(GoogleFiles);
    let compilation = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || compile(&resolver, &["deep.proto"], &CompileOptions::default()))
        .expect("spawn")
        .join()
        .expect("the compiler must not overflow its stack");
    let errors: Vec<String> = compilation.errors().map(|d| d.render_protoc()).collect();
    assert_eq!(
        errors,
        vec![
            "deep.proto:5:17: Error while parsing option value for \"deep\": Message is too deep, \
             the parser exceeded the configured recursion limit of 99."
                .to_string()
        ]
    );
}
