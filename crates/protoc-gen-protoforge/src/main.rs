//! `protoc-gen-protoforge`: protoforge's Rust generator as a protoc plugin.
//!
//! protoc (or buf) writes a `CodeGeneratorRequest` to the plugin's stdin
//! and reads a `CodeGeneratorResponse` from its stdout. The request's
//! `proto_file` descriptors are read back into the compiler's IR
//! (`Pool::from_file_descriptor_set`), so the generated code is exactly
//! what `protoforge --rust_out` and the build API write for the same files.
//! The request and response are decoded and encoded with the runtime's own
//! generated `plugin.proto` types.
//!
//! ```text
//! protoc --plugin=protoc-gen-protoforge --protoforge_out=src/gen -I proto proto/a.proto
//! protoc ... --protoforge_opt=bytes=.pkg.Msg.data,btree_map=.pkg --protoforge_out=...
//! ```
//!
//! Parameters (comma-separated, read by `Config::from_parameter`, the same
//! as `protoforge --rust_out`'s): `bytes=PATH`, `btree_map=PATH`,
//! `validate_utf8=PATH`, `extern_path=PROTO_PATH=RUST_PATH`,
//! `single_file=NAME.rs`, `services=client|server|both|none`.

use std::io::{Read, Write};
use std::process::ExitCode;

use protoforge::Message;
use protoforge::compiler::{CodeGeneratorRequest, CodeGeneratorResponse, code_generator_response};
use protoforge::descriptor::FileDescriptorSet;
use protoforge_codegen::{Config, generate};
use protoforge_compiler::ir::{Edition, Pool};

/// `FEATURE_PROTO3_OPTIONAL | FEATURE_SUPPORTS_EDITIONS`.
const SUPPORTED_FEATURES: u64 = 1 | 2;

/// Answers one request.
fn respond(request: &[u8]) -> CodeGeneratorResponse {
    let mut response = CodeGeneratorResponse {
        supported_features: Some(SUPPORTED_FEATURES),
        minimum_edition: Some(Edition::PROTO2.0),
        maximum_edition: Some(Edition::E2024.0),
        ..Default::default()
    };
    match generate_files(request) {
        Ok(files) => response.file = files,
        Err(e) => response.error = Some(e.into()),
    }
    response
}

fn generate_files(request: &[u8]) -> Result<Vec<code_generator_response::File>, String> {
    let request =
        CodeGeneratorRequest::decode(request).map_err(|e| format!("reading the request: {e}"))?;
    // `plugin.proto` is proto2: its strings are `ProtoString`s, any bytes.
    let parameter = match &request.parameter {
        Some(p) => p
            .as_str()
            .map_err(|e| format!("the parameter is not UTF-8: {e}"))?,
        None => "",
    };
    let config = Config::from_parameter(parameter).map_err(|e| e.to_string())?;
    let set = FileDescriptorSet {
        file: request.proto_file,
        ..Default::default()
    };
    let pool = Pool::from_file_descriptor_set(&set.encode_to_vec())
        .map_err(|e| format!("reading the descriptors: {e}"))?;
    let files = request
        .file_to_generate
        .iter()
        .map(|name| {
            let text = name
                .as_str()
                .map_err(|e| format!("file to generate {name:?} is not UTF-8: {e}"))?;
            pool.file_by_name(text)
                .ok_or_else(|| format!("{text} is not among the request's files"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let generated = generate(&pool, &files, &config).map_err(|e| e.to_string())?;
    Ok(generated
        .into_iter()
        .map(|f| code_generator_response::File {
            name: Some(f.name.into()),
            content: Some(f.content.into()),
            ..Default::default()
        })
        .collect())
}

fn main() -> ExitCode {
    let mut request = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut request) {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("protoc-gen-protoforge: reading stdin: {e}");
        }
        return ExitCode::FAILURE;
    }
    let response = respond(&request).encode_to_vec();
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(&response).and_then(|()| stdout.flush()) {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("protoc-gen-protoforge: writing stdout: {e}");
        }
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
