//! The plugin run by the real protoc: its output must be exactly what the
//! generator writes in-process for the same files (so reading descriptors
//! back loses nothing the generator uses, comments included), and bad
//! parameters come back as a protoc error.

use std::path::{Path, PathBuf};

use protoforge_codegen::{Config, generate};
use protoforge_compiler::resolve::{Chain, IncludePaths};
use protoforge_compiler::{CompileOptions, compile};

fn codegen_dir() -> PathBuf {
    protoforge_testkit::testdata().join("codegen")
}

fn inputs() -> Vec<String> {
    protoforge_testkit::proto_files(&codegen_dir())
        .into_iter()
        .filter(|p| p.parent() == Some(Path::new("")))
        .map(|p| p.to_string_lossy().into_owned())
        .collect()
}

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

fn protoc(out: &Path, parameter: Option<&str>, files: &[String]) -> std::process::Output {
    let mut cmd = protoforge_testkit::protoc();
    cmd.current_dir(codegen_dir())
        .arg(format!(
            "--plugin=protoc-gen-protoforge={}",
            env!("CARGO_BIN_EXE_protoc-gen-protoforge")
        ))
        .arg(format!("--protoforge_out={}", out.display()))
        .arg("-I")
        .arg(codegen_dir())
        .arg("-I")
        .arg(protoforge_testkit::grpc_tools_include());
    if let Some(p) = parameter {
        cmd.arg(format!("--protoforge_opt={p}"));
    }
    cmd.args(files);
    cmd.output()
        .unwrap_or_else(|e| panic!("running protoc: {e}"))
}

#[test]
fn protoc_plugin_output_equals_in_process_generation() {
    let files = inputs();
    assert!(files.len() >= 5, "{files:?}");
    let out = out_dir("plugin-out");
    let output = protoc(&out, None, &files);
    assert!(
        output.status.success(),
        "protoc failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let mut include = IncludePaths::new();
    include.map("", &codegen_dir().to_string_lossy());
    let resolver = Chain::new()
        .with(include)
        .with(protoforge_compiler::builtin::GoogleFiles);
    let roots: Vec<&str> = files.iter().map(String::as_str).collect();
    let compilation = compile(&resolver, &roots, &CompileOptions::default());
    assert!(!compilation.has_errors());
    let expected = generate(&compilation.pool, &compilation.files, &Config::new())
        .unwrap_or_else(|e| panic!("{e}"));
    for file in &expected {
        let written = std::fs::read_to_string(out.join(&file.name))
            .unwrap_or_else(|e| panic!("{}: {e}", file.name));
        assert_eq!(written, file.content, "{} differs", file.name);
    }
}

#[test]
fn parameters_reach_the_generator_and_bad_ones_fail() {
    let out = out_dir("plugin-params");
    let files = vec!["01-proto3.proto".to_string()];
    let output = protoc(
        &out,
        Some("bytes=.codegen.proto3.Item.raw,single_file=all.rs"),
        &files,
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let all = std::fs::read_to_string(out.join("all.rs")).unwrap_or_else(|e| panic!("{e}"));
    assert!(all.contains("Raw(__pf::bytes::Bytes)"), "{all}");

    let output = protoc(&out, Some("frobnicate=1"), &files);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("parameter `frobnicate=1`: unknown option"),
        "{stderr}"
    );
}
