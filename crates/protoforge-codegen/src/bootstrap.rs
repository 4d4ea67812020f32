//! The generated code checked into the runtime crate: the well-known types,
//! `descriptor.proto` and `plugin.proto`, generated from the copies built
//! into the compiler ([`protoforge_compiler::builtin`]). `cargo xtask
//! codegen` writes these files; a test regenerates them and fails on any
//! difference, so the checked-in code is always what this generator makes.
//!
//! The runtime generates nothing at build time: these files are the
//! bootstrap. Each goes to its own module (`protoforge::wkt`,
//! `protoforge::descriptor`, `protoforge::compiler`); the later ones refer
//! to the earlier ones through the default extern paths.

use protoforge_compiler::builtin::GoogleFiles;
use protoforge_compiler::{CompileOptions, compile};

use crate::{Config, Error, ErrorKind, GeneratedFile, generate};

/// One checked-in file: the `.proto` files it is generated from, the
/// package module to take from the output, and where it goes (relative to
/// the workspace root).
struct Target {
    protos: &'static [&'static str],
    package: &'static str,
    path: &'static str,
}

const TARGETS: &[Target] = &[
    Target {
        protos: &[
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
        ],
        package: "google/protobuf.rs",
        path: "crates/protoforge/src/wkt/generated.rs",
    },
    Target {
        protos: &["google/protobuf/descriptor.proto"],
        package: "google/protobuf.rs",
        path: "crates/protoforge/src/descriptor/generated.rs",
    },
    Target {
        protos: &["google/protobuf/compiler/plugin.proto"],
        package: "google/protobuf/compiler.rs",
        path: "crates/protoforge/src/compiler/generated.rs",
    },
];

/// The generator's options for the runtime's own types.
fn config() -> Config {
    let mut config = Config::new();
    // `Struct` is a JSON object: sorted keys make its encoding deterministic.
    config.btree_map(".google.protobuf.Struct.fields");
    config
}

/// Every checked-in generated file of the runtime, named by its path from
/// the workspace root.
pub fn runtime_files() -> Result<Vec<GeneratedFile>, Error> {
    let mut out = Vec::new();
    for target in TARGETS {
        let compilation = compile(&GoogleFiles, target.protos, &CompileOptions::default());
        if compilation.has_errors() {
            let errors: Vec<String> = compilation.errors().map(|d| d.render_protoc()).collect();
            return Err(Error::new(
                ErrorKind::Internal,
                format!("the built-in protos do not compile: {}", errors.join("; ")),
            ));
        }
        let files = generate(&compilation.pool, &compilation.files, &config())?;
        let file = files
            .into_iter()
            .find(|f| f.name == target.package)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Internal,
                    format!("no {} generated", target.package),
                )
            })?;
        out.push(GeneratedFile {
            name: target.path.to_string(),
            content: file.content,
        });
    }
    Ok(out)
}
