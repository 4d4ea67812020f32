//! `testdata/codegen`: focused `.proto` inputs, each compiled and generated
//! with the default configuration; the generated files are snapshotted
//! (`snapshots/` beside the inputs). `protoforge-tests` compiles the same
//! inputs' generated code, so every snapshot is Rust that builds. The
//! options a build script can set are checked inline below.

use std::path::{Path, PathBuf};

use protoforge_codegen::{Config, GeneratedFile, Layout, generate};
use protoforge_compiler::resolve::{Chain, InMemory, IncludePaths};
use protoforge_compiler::{CompileOptions, compile};

fn codegen_dir() -> PathBuf {
    protoforge_testkit::testdata().join("codegen")
}

/// Compiles `name` from `dir` (and the built-in Google files) and generates
/// it with `config`.
fn generate_file(dir: &Path, name: &str, config: &Config) -> Vec<GeneratedFile> {
    let mut include = IncludePaths::new();
    include.map("", &dir.to_string_lossy());
    let resolver = Chain::new()
        .with(include)
        .with(protoforge_compiler::builtin::GoogleFiles);
    let compilation = compile(&resolver, &[name], &CompileOptions::default());
    let errors: Vec<String> = compilation.errors().map(|d| d.render_protoc()).collect();
    assert!(errors.is_empty(), "{name} must compile: {errors:?}");
    generate(&compilation.pool, &compilation.files, config)
        .unwrap_or_else(|e| panic!("generating {name}: {e}"))
}

fn render(files: &[GeneratedFile]) -> String {
    files
        .iter()
        .map(|f| format!("// ===== {} =====\n{}", f.name, f.content))
        .collect()
}

#[test]
fn generated_code_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(codegen_dir().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("../../../../testdata/codegen", "*.proto", |path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let files = generate_file(&codegen_dir(), &name, &Config::default());
            insta::assert_snapshot!("rust", render(&files));
        });
    });
}

#[test]
fn output_is_deterministic() {
    let dir = codegen_dir();
    for name in ["01-proto3.proto", "02-proto2.proto", "04-recursion.proto"] {
        let first = generate_file(&dir, name, &Config::default());
        let second = generate_file(&dir, name, &Config::default());
        assert_eq!(first, second, "{name}");
    }
}

/// Generates one in-memory file with `config`; the content of its
/// package's module.
fn generate_source(source: &str, config: &Config) -> String {
    let mut files = InMemory::new();
    files.add("t.proto", source);
    let compilation = compile(&files, &["t.proto"], &CompileOptions::default());
    assert!(!compilation.has_errors(), "{:?}", compilation.diagnostics);
    let out = generate(&compilation.pool, &compilation.files, config)
        .unwrap_or_else(|e| panic!("generate: {e}"));
    out.into_iter()
        .find(|f| f.name == "t.rs")
        .map(|f| f.content)
        .unwrap_or_else(|| panic!("no t.rs generated"))
}

const OPTIONS_PROTO: &str = r#"
syntax = "proto3";
package t;
import "other.proto";
message M {
  bytes data = 1;
  bytes plain = 2;
  map<string, bytes> by_name = 3;
  other.Thing thing = 4;
  other.Thing.Inner inner = 5;
}
"#;

fn options_source(config: &Config) -> String {
    let mut files = InMemory::new();
    files.add("t.proto", OPTIONS_PROTO);
    files.add(
        "other.proto",
        "syntax = \"proto3\";\npackage other;\nmessage Thing { message Inner {} }\n",
    );
    let compilation = compile(&files, &["t.proto"], &CompileOptions::default());
    assert!(!compilation.has_errors(), "{:?}", compilation.diagnostics);
    let out = generate(&compilation.pool, &compilation.files, config)
        .unwrap_or_else(|e| panic!("generate: {e}"));
    out.into_iter()
        .find(|f| f.name == "t.rs")
        .map(|f| f.content)
        .unwrap_or_default()
}

#[test]
fn build_script_options() {
    let mut config = Config::new();
    config
        .bytes(".t.M.data")
        .bytes(".t.M.by_name")
        .btree_map(".t")
        .extern_path(".other", "::other_crate::pb")
        .type_attribute(".t.M", "#[derive(Eq)]")
        .field_attribute(".t.M.plain", "#[doc(alias = \"blob\")]");
    let out = options_source(&config);
    for wanted in [
        "pub data: __pf::bytes::Bytes,",
        "pub plain: ::std::vec::Vec<u8>,",
        "pub by_name: ::std::collections::BTreeMap<::std::string::String, __pf::bytes::Bytes>,",
        "pub thing: ::core::option::Option<::other_crate::pb::Thing>,",
        "pub inner: ::core::option::Option<::other_crate::pb::thing::Inner>,",
        "#[derive(Eq)]\n#[derive(Clone, PartialEq, Default, Debug)]\npub struct M {",
        "#[doc(alias = \"blob\")]\n    pub plain:",
    ] {
        assert!(out.contains(wanted), "missing {wanted:?} in:\n{out}");
    }

    // Without options: Vec<u8>, HashMap, and the other package by a
    // relative path.
    let plain = options_source(&Config::new());
    assert!(plain.contains("pub data: ::std::vec::Vec<u8>,"));
    assert!(plain.contains("__pf::HashMap<::std::string::String, ::std::vec::Vec<u8>>"));
    assert!(plain.contains("::core::option::Option<super::other::Thing>"));
}

#[test]
fn invalid_options_are_errors() {
    let mut config = Config::new();
    config.type_attribute(".t", "not an attribute");
    let mut files = InMemory::new();
    files.add(
        "t.proto",
        "syntax = \"proto3\";\npackage t;\nmessage M {}\n",
    );
    let compilation = compile(&files, &["t.proto"], &CompileOptions::default());
    let err = generate(&compilation.pool, &compilation.files, &config)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("attribute `not an attribute` for `.t`"),
        "{err}"
    );

    let mut config = Config::new();
    config.extern_path(".other", "not a path!");
    let err = generate_result_error(&config);
    assert!(err.contains("extern path `not a path!`"), "{err}");
}

fn generate_result_error(config: &Config) -> String {
    let mut files = InMemory::new();
    files.add(
        "t.proto",
        "syntax = \"proto3\";\npackage t;\nimport \"o.proto\";\nmessage M { other.T t = 1; }\n",
    );
    files.add(
        "o.proto",
        "syntax = \"proto3\";\npackage other;\nmessage T {}\n",
    );
    let compilation = compile(&files, &["t.proto"], &CompileOptions::default());
    generate(&compilation.pool, &compilation.files, config)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

#[test]
fn single_file_layout_nests_packages_inline() {
    let mut files = InMemory::new();
    files.add(
        "a.proto",
        "syntax = \"proto3\";\npackage a.b;\nmessage M {}\n",
    );
    files.add(
        "c.proto",
        "syntax = \"proto3\";\npackage a.b.c;\nmessage N { a.b.M m = 1; }\nimport \"a.proto\";\n",
    );
    let compilation = compile(&files, &["a.proto", "c.proto"], &CompileOptions::default());
    assert!(!compilation.has_errors(), "{:?}", compilation.diagnostics);

    let modules = generate(&compilation.pool, &compilation.files, &Config::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = modules.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["a/b.rs", "a/b/c.rs", "mod.rs"]);
    assert!(
        modules[2]
            .content
            .contains("pub mod a {\n    pub mod b;\n}")
    );
    assert!(modules[0].content.contains("pub mod c;"));
    assert!(
        modules[1]
            .content
            .contains("::core::option::Option<super::M>")
    );

    let mut config = Config::new();
    config.layout(Layout::SingleFile("all.rs".to_string()));
    let single =
        generate(&compilation.pool, &compilation.files, &config).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(single.len(), 1);
    assert_eq!(single[0].name, "all.rs");
    let text = &single[0].content;
    assert!(
        text.contains("pub mod a {")
            && text.contains("pub mod b {")
            && text.contains("pub mod c {")
    );
    assert!(
        !text.contains("#!["),
        "an include!d file cannot have inner attributes"
    );
}

#[test]
fn small_case_to_paste_a_failing_input_into() {
    let out = generate_source(
        "syntax = \"proto3\";\npackage t;\nmessage M { int32 a = 1; }\n",
        &Config::new(),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn packages_layout_writes_one_includable_file_per_package() {
    let mut files = InMemory::new();
    files.add(
        "a.proto",
        "syntax = \"proto3\";\npackage Top.b;\nmessage M { message In {} }\n",
    );
    files.add(
        "c.proto",
        "syntax = \"proto3\";\npackage Top.b.c;\nimport \"a.proto\";\nmessage N { Top.b.M m = 1; }\n",
    );
    files.add("d.proto", "syntax = \"proto3\";\nmessage Loose {}\n");
    let compilation = compile(
        &files,
        &["a.proto", "c.proto", "d.proto"],
        &CompileOptions::default(),
    );
    assert!(!compilation.has_errors(), "{:?}", compilation.diagnostics);

    let mut config = Config::new();
    config.layout(Layout::Packages);
    let out =
        generate(&compilation.pool, &compilation.files, &config).unwrap_or_else(|e| panic!("{e}"));
    // Named by the package as written in the .proto, the no-package files as `_.rs`.
    let names: Vec<&str> = out.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["Top.b.c.rs", "Top.b.rs", "_.rs"]);
    for file in &out {
        assert!(
            !file.content.contains("#!["),
            "{}: an include!d file cannot have inner attributes",
            file.name
        );
        assert!(
            syn::parse_file(&file.content).is_ok(),
            "{} parses",
            file.name
        );
    }
    let b = &out[1].content;
    assert!(b.contains("pub struct M"), "{b}");
    assert!(
        b.contains("pub mod m {"),
        "nested types stay in the file: {b}"
    );
    assert!(
        !b.contains("pub mod c"),
        "sub-packages are not declared: {b}"
    );
    assert!(
        b.contains("#[allow(\n    clippy::all,"),
        "items carry the lint allowances: {b}"
    );
    assert!(out[0].content.contains("::core::option::Option<super::M>"));
    assert!(out[2].content.contains("pub struct Loose"));
}

const STRINGS_PROTO: &str = r#"
syntax = "proto2";
package t;
message M {
  optional string name = 1 [default = "\377ok"];
  repeated string tags = 2;
  map<string, string> labels = 3;
  oneof choice { string word = 4; }
  optional string other = 5;
  extensions 100 to 199;
}
extend M { optional string note = 100; }
"#;

#[test]
fn proto2_strings_are_proto_strings_unless_validate_utf8_says_otherwise() {
    let raw = generate_source(STRINGS_PROTO, &Config::new());
    for wanted in [
        "pub name: ::core::option::Option<__pf::ProtoString>,",
        "pub tags: ::std::vec::Vec<__pf::ProtoString>,",
        "pub labels: __pf::HashMap<__pf::ProtoString, __pf::ProtoString>,",
        "Word(__pf::ProtoString),",
        "pub fn name(&self) -> &__pf::ProtoString {",
        "b\"\\xFFok\",",
        "__pf::Extension<M, __pf::StrUnverified>",
    ] {
        assert!(raw.contains(wanted), "missing {wanted:?} in:\n{raw}");
    }

    // Everything checked, as prost does; the default that is not UTF-8
    // becomes its lossy conversion.
    let mut config = Config::new();
    config.validate_utf8(".");
    let checked = generate_source(STRINGS_PROTO, &config);
    assert!(!checked.contains("ProtoString"), "{checked}");
    for wanted in [
        "pub name: ::core::option::Option<::std::string::String>,",
        "pub labels: __pf::HashMap<::std::string::String, ::std::string::String>,",
        "Word(::std::string::String),",
        "pub fn name(&self) -> &str {",
        "::core::option::Option::None => \"\u{fffd}ok\",",
        "__pf::Extension<M, __pf::Str>",
    ] {
        assert!(
            checked.contains(wanted),
            "missing {wanted:?} in:\n{checked}"
        );
    }

    // By path: one field, one map (its key and value), one extension; the
    // parameter form reads the same option. The `bytes` option does not
    // apply to strings.
    let config = Config::from_parameter(
        "validate_utf8=.t.M.name,validate_utf8=.t.M.labels,validate_utf8=.t.note,bytes=.t.M.other",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let some = generate_source(STRINGS_PROTO, &config);
    for wanted in [
        "pub name: ::core::option::Option<::std::string::String>,",
        "pub tags: ::std::vec::Vec<__pf::ProtoString>,",
        "Word(__pf::ProtoString),",
        "pub other: ::core::option::Option<__pf::ProtoString>,",
        "__pf::Extension<M, __pf::Str>",
    ] {
        assert!(some.contains(wanted), "missing {wanted:?} in:\n{some}");
    }
    assert!(
        some.contains("__pf::HashMap<::std::string::String, ::std::string::String>,"),
        "{some}"
    );
    assert!(Config::from_parameter("validate_utf8=").is_err());
}

/// The struct fields and oneof variants of `04-recursion.proto` that hold
/// a `Box`: exactly the edges of the recursion cycles, nothing else.
#[test]
fn only_fields_on_a_recursion_cycle_are_boxed() {
    let files = generate_file(&codegen_dir(), "04-recursion.proto", &Config::default());
    let text = render(&files);
    let mut boxed = Vec::new();
    let mut owner = "";
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line
            .strip_prefix("pub struct ")
            .or_else(|| line.strip_prefix("pub enum "))
        {
            owner = rest.trim_end_matches(" {");
        } else if line.contains("::std::boxed::Box<") && !line.starts_with("fn ") {
            let name = line
                .trim_start_matches("pub ")
                .split(['(', ':'])
                .next()
                .unwrap_or_default();
            boxed.push(format!("{owner}.{name}"));
        }
    }
    assert_eq!(
        boxed,
        [
            "Tree.left",
            "Ping.pong",
            "Next.Ping",
            "Kind.Negate",
            "A.b",
            "B.c",
            "C.a",
            "Outer.inner",
            "Inner.outer"
        ]
    );
}
