//! Generate Rust from `.proto` files in a `build.rs`, with no `protoc`
//! installed: protoforge's own compiler and code generator run in-process.
//!
//! ```toml
//! [dependencies]
//! protoforge = "0.1"
//! protoforge-grpc = "0.1"   # for services
//!
//! [build-dependencies]
//! protoforge-build = "0.1"
//! ```
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     protoforge_build::compile_protos(&["proto/shop/orders.proto"], &["proto"])?;
//!     Ok(())
//! }
//! ```
//!
//! ```text
//! // src/lib.rs: one module per package, mirroring the package names.
//! pub mod shop {
//!     pub mod orders {
//!         protoforge::include_proto!("shop.orders");
//!     }
//! }
//! ```
//!
//! # What it does
//!
//! [`Builder::compile`] compiles the input files and everything they
//! import, then writes one Rust file per protobuf package into the output
//! directory (`OUT_DIR` unless [`Builder::out_dir`] says otherwise), named
//! by the package (`shop.orders.rs`; `_.rs` for files with no package):
//! the file `protoforge::include_proto!("shop.orders")` includes. Types of
//! other packages are referred to relatively (`super::common::Money`), so
//! the including modules mirror the package names, as above.
//!
//! - **Services.** For each `service Foo`, a client `FooClient`, a server
//!   trait `Foo` and a server type `FooServer<T>`, on `protoforge-grpc`
//!   ([`Builder::client`], [`Builder::server`]; [`Builder::messages_only`]
//!   for none, so that the crate needs no transport).
//! - **Imports.** Input files are found through the include paths as protoc
//!   finds them (`-I`). `google/protobuf/*.proto` (the well-known types,
//!   `descriptor.proto`) are built into the compiler, and the common
//!   googleapis files (`google/api/annotations.proto`,
//!   `google/rpc/status.proto`, `google/type/money.proto`, …: see
//!   [`googleapis`]) into this crate: nothing needs vendoring. The
//!   well-known types map to the runtime's own (`protoforge::wkt`), so no
//!   code is generated for them; code is generated for every other file
//!   the inputs import.
//! - **Rebuilds.** Prints `cargo:rerun-if-changed` for every input and
//!   every imported file read from disk, so cargo reruns the build script
//!   exactly when one of them changes.
//! - **Errors.** A `.proto` with errors fails the build with every error
//!   rendered for people, and warnings become `cargo:warning` lines:
//!
//!   ```text
//!   error: failed to run custom build command for `shop v0.1.0 (/src/shop)`
//!   ...
//!   --- stderr
//!   Error: compiling the .proto files failed with 1 error
//!
//!   error[unresolved-name]: "Money" is not defined.
//!     --> proto/shop/orders.proto:12:3
//!      |
//!   12 |   Money total = 3;
//!      |   ^^^^^
//!   ```
//!
//!   Return the error from `main` (as above: `Error`'s `Debug` form is the
//!   rendered report, and there is no panic or backtrace), or print it and
//!   exit yourself.
//!
//! # Options
//!
//! [`configure`] returns a [`Builder`] with the generator's options: which
//! service code to generate, `bytes::Bytes` for `bytes` fields ([`Builder::bytes`]), `BTreeMap` for
//! maps ([`Builder::btree_map`]), checked `String`s for proto2 strings
//! ([`Builder::validate_utf8`]), existing Rust types for protobuf
//! packages or types ([`Builder::extern_path`]), extra attributes on
//! generated types and fields ([`Builder::type_attribute`],
//! [`Builder::field_attribute`]), and a `FileDescriptorSet` written beside
//! the code ([`Builder::file_descriptor_set_path`]). Options that name
//! protobuf elements take a *proto path*: `.` for everything, `.pkg` for
//! a package, `.pkg.Msg` for a type, `.pkg.Msg.field` for a field.
//!
//! A complete run, here into a temporary directory instead of `OUT_DIR`:
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::env::temp_dir().join(format!("protoforge-build-doc-{}", std::process::id()));
//! std::fs::create_dir_all(dir.join("proto"))?;
//! std::fs::write(
//!     dir.join("proto/greeting.proto"),
//!     "syntax = \"proto3\";\n\
//!      package hello;\n\
//!      import \"google/protobuf/timestamp.proto\";\n\
//!      message Greeting { string text = 1; google.protobuf.Timestamp at = 2; map<string, int32> counts = 3; }\n",
//! )?;
//!
//! protoforge_build::configure()
//!     .out_dir(dir.join("out"))
//!     .btree_map(".hello")
//!     .type_attribute(".hello.Greeting", "#[derive(Eq)]")
//!     .file_descriptor_set_path("hello.binpb")
//!     .emit_rerun_if_changed(false)
//!     .compile(&[dir.join("proto/greeting.proto")], &[dir.join("proto")])?;
//!
//! let code = std::fs::read_to_string(dir.join("out/hello.rs"))?;
//! assert!(code.contains("pub struct Greeting"));
//! assert!(code.contains("::protoforge::wkt::Timestamp"));
//! assert!(code.contains("BTreeMap"));
//! assert!(dir.join("out/hello.binpb").is_file());
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```
//!
//! This crate has no compiler logic of its own: it drives
//! `protoforge-compiler` and `protoforge-codegen`, and prints only cargo's
//! build-script directives.

#![deny(missing_docs)]
// Printing cargo's directives on stdout is this crate's job.
#![allow(clippy::print_stdout)]

mod error;
pub mod googleapis;
mod render;

use std::path::{Path, PathBuf};

use protoforge_codegen::{Config, Layout, Services};
use protoforge_compiler::resolve::{Chain, DiskToVirtual, FileResolver, IncludePaths};
use protoforge_compiler::{CompileOptions, DescriptorSetOptions, builtin};

pub use error::{Error, ErrorKind};

/// A [`Builder`] with the default configuration.
pub fn configure() -> Builder {
    Builder::new()
}

/// Compiles `protos` (paths to `.proto` files) with the include paths
/// `includes` and the default configuration, into `OUT_DIR`. See
/// [`Builder::compile`].
pub fn compile_protos(
    protos: &[impl AsRef<Path>],
    includes: &[impl AsRef<Path>],
) -> Result<(), Error> {
    configure().compile(protos, includes)
}

/// The configuration of one compilation: where the output goes and how the
/// code is generated. Every setter returns the builder.
#[derive(Clone, Debug)]
#[must_use = "a Builder does nothing until `compile` is called"]
pub struct Builder {
    out_dir: Option<PathBuf>,
    config: Config,
    descriptor_set: Option<PathBuf>,
    googleapis: bool,
    cargo_directives: bool,
    services: Services,
    /// The proto paths of the extern rules (with a leading dot): files of
    /// these packages are not generated.
    extern_packages: Vec<String>,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}

impl Builder {
    /// The default configuration: output to `OUT_DIR`, clients and
    /// servers for every service, the bundled googleapis files available,
    /// cargo directives printed.
    pub fn new() -> Builder {
        let mut config = Config::new();
        config.layout(Layout::Packages);
        Builder {
            out_dir: None,
            config,
            descriptor_set: None,
            googleapis: true,
            cargo_directives: true,
            services: Services::BOTH,
            extern_packages: vec![".google.protobuf".to_string()],
        }
    }

    /// Writes the generated files into `dir` (created if missing) instead
    /// of `OUT_DIR`. `protoforge::include_proto!` reads `OUT_DIR`; code
    /// written elsewhere is included with `include!`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Builder {
        self.out_dir = Some(dir.into());
        self
    }

    /// Whether to generate a client (`FooClient`) for each `service Foo`
    /// (default: yes). Service code uses `protoforge-grpc`, which the
    /// crate then depends on.
    pub fn client(mut self, enabled: bool) -> Builder {
        self.services.client = enabled;
        self
    }

    /// Whether to generate a server trait (`Foo`) and server type
    /// (`FooServer<T>`) for each `service Foo` (default: yes).
    pub fn server(mut self, enabled: bool) -> Builder {
        self.services.server = enabled;
        self
    }

    /// Generates messages (and enums, extensions) only, no service code:
    /// the crate needs `protoforge` alone, not `protoforge-grpc`. The same
    /// as `.client(false).server(false)`.
    pub fn messages_only(self) -> Builder {
        self.client(false).server(false)
    }

    /// Stores the `bytes` fields under the proto path `path` as
    /// `bytes::Bytes` (decoding from a `Bytes` buffer then shares it
    /// instead of copying) instead of `Vec<u8>`.
    pub fn bytes(mut self, path: impl Into<String>) -> Builder {
        self.config.bytes(path);
        self
    }

    /// Stores the map fields under `path` as `BTreeMap` (sorted, so their
    /// encoding is deterministic) instead of `HashMap`.
    pub fn btree_map(mut self, path: impl Into<String>) -> Builder {
        self.config.btree_map(path);
        self
    }

    /// Makes the proto2 `string` fields under `path` (and editions strings
    /// with `utf8_validation = NONE`) plain `String`s checked when decoded,
    /// as proto3 strings are, instead of `protoforge::ProtoString`s that
    /// hold any bytes. A message with invalid UTF-8 in such a field, which
    /// Google's implementations accept, then fails to decode (prost's
    /// behaviour); `"."` applies it everywhere.
    pub fn validate_utf8(mut self, path: impl Into<String>) -> Builder {
        self.config.validate_utf8(path);
        self
    }

    /// Uses existing Rust types for the protobuf package `proto_path`
    /// (`.acme.common`, and the packages under it), found under
    /// `rust_path` (`::acme_common`) with the generator's naming: no code
    /// is generated for the files of that package, and references to its
    /// types use `rust_path`. The longest matching proto path wins.
    /// `.google.protobuf` is mapped to the runtime's own types
    /// (`::protoforge::wkt`, `::protoforge::descriptor`) unless a rule here
    /// maps it elsewhere.
    pub fn extern_path(
        mut self,
        proto_path: impl Into<String>,
        rust_path: impl Into<String>,
    ) -> Builder {
        let proto_path = proto_path.into();
        let dotted = if proto_path.starts_with('.') {
            proto_path.clone()
        } else {
            format!(".{proto_path}")
        };
        self.extern_packages.push(dotted);
        self.config.extern_path(proto_path, rust_path);
        self
    }

    /// Adds an attribute (Rust source: `#[derive(Hash)]`) to the messages,
    /// enums and oneofs under `path`.
    pub fn type_attribute(
        mut self,
        path: impl Into<String>,
        attribute: impl Into<String>,
    ) -> Builder {
        self.config.type_attribute(path, attribute);
        self
    }

    /// Adds an attribute to the struct fields generated for the fields and
    /// oneofs under `path`.
    pub fn field_attribute(
        mut self,
        path: impl Into<String>,
        attribute: impl Into<String>,
    ) -> Builder {
        self.config.field_attribute(path, attribute);
        self
    }

    /// Also writes the inputs' `FileDescriptorSet` to `path` (relative
    /// paths are relative to the output directory), with every imported
    /// file and source info, as `protoc --include_imports
    /// --include_source_info -o` writes it.
    pub fn file_descriptor_set_path(mut self, path: impl Into<PathBuf>) -> Builder {
        self.descriptor_set = Some(path.into());
        self
    }

    /// Whether the bundled googleapis files ([`googleapis`]) can be
    /// imported (default: yes). They are looked up after the include paths.
    pub fn googleapis(mut self, enabled: bool) -> Builder {
        self.googleapis = enabled;
        self
    }

    /// Whether to print `cargo:rerun-if-changed` for the files read, and
    /// compiler warnings as `cargo:warning` (default: yes; turn it off when
    /// not running in a build script).
    pub fn emit_rerun_if_changed(mut self, enabled: bool) -> Builder {
        self.cargo_directives = enabled;
        self
    }

    /// Compiles `protos` (paths of `.proto` files, each under one of the
    /// include paths, or import names found through them or among the
    /// built-in Google files) with the include
    /// paths `includes` (protoc's `-I`; none means the current directory,
    /// which in a build script is the package's directory), and writes one
    /// Rust file per package to the output directory.
    ///
    /// Files are rewritten only when their contents change.
    pub fn compile(
        &self,
        protos: &[impl AsRef<Path>],
        includes: &[impl AsRef<Path>],
    ) -> Result<(), Error> {
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or_else(|| {
                Error::new(
                    ErrorKind::Config,
                    "OUT_DIR is not set: run protoforge-build from a build script, or choose a directory with `out_dir`",
                )
            })?,
        };

        let mut paths = IncludePaths::new();
        if includes.is_empty() {
            paths.map("", ".");
        }
        for include in includes {
            paths.map("", &utf8(include.as_ref())?);
        }
        let mut resolver = Chain::new().with(paths.clone()).with(builtin::GoogleFiles);
        if self.googleapis {
            resolver = resolver.with(googleapis::GoogleApis);
        }
        let mut roots = Vec::new();
        for proto in protos {
            let name = import_name(&paths, &resolver, includes, proto.as_ref())?;
            if !roots.contains(&name) {
                roots.push(name);
            }
        }
        let root_names: Vec<&str> = roots.iter().map(String::as_str).collect();
        let compilation =
            protoforge_compiler::compile(&resolver, &root_names, &CompileOptions::default());

        if self.cargo_directives {
            // Every file read from disk; the built-in ones never change.
            for (_, file) in compilation.pool.files() {
                if let Ok(path) = paths.virtual_to_disk(&file.name) {
                    println!("cargo:rerun-if-changed={}", path.display());
                }
            }
        }

        let mut renderer = render::Renderer::new(&resolver);
        let errors: Vec<String> = compilation.errors().map(|d| renderer.rich(d)).collect();
        if !errors.is_empty() {
            let count = match errors.len() {
                1 => "1 error".to_string(),
                n => format!("{n} errors"),
            };
            return Err(Error::new(
                ErrorKind::Compile,
                format!(
                    "compiling the .proto files failed with {count}\n\n{}",
                    errors.join("\n")
                ),
            ));
        }
        if self.cargo_directives {
            for warning in compilation.diagnostics.iter().filter(|d| !d.is_error()) {
                println!("cargo:warning={}", renderer.one_line(warning));
            }
        }

        // Every file compiled, except those of extern packages.
        let files: Vec<_> = compilation
            .pool
            .files()
            .filter(|(_, file)| {
                let package = match &file.package {
                    Some(p) => format!(".{}", p.as_str()),
                    None => String::new(),
                };
                !self
                    .extern_packages
                    .iter()
                    .any(|rule| covers(rule, &package))
            })
            .map(|(id, _)| id)
            .collect();
        let mut config = self.config.clone();
        config.services(self.services);
        let generated = protoforge_codegen::generate(&compilation.pool, &files, &config).map_err(
            |e| match e.kind() {
                protoforge_codegen::ErrorKind::InvalidOption => {
                    Error::new(ErrorKind::Config, e.to_string())
                }
                _ => Error::new(ErrorKind::Internal, e.to_string()),
            },
        )?;
        std::fs::create_dir_all(&out_dir).map_err(|e| io_error(&out_dir, e))?;
        for file in &generated {
            write_if_changed(&out_dir.join(&file.name), file.content.as_bytes())?;
        }

        if let Some(path) = &self.descriptor_set {
            let bytes = compilation.pool.file_descriptor_set(
                &compilation.files,
                DescriptorSetOptions {
                    include_imports: true,
                    include_source_info: true,
                    retain_options: false,
                },
            );
            let path = out_dir.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
            }
            write_if_changed(&path, &bytes)?;
        }
        Ok(())
    }
}

/// The import name of the input `proto`: its path relative to the include
/// path it is under (as protoc maps its command-line inputs), or `proto`
/// itself when it is not a file on disk but an import name that the
/// include paths or the built-in files have.
fn import_name(
    paths: &IncludePaths,
    resolver: &dyn FileResolver,
    includes: &[impl AsRef<Path>],
    proto: &Path,
) -> Result<String, Error> {
    let text = utf8(proto)?;
    if !proto.exists() && resolver.open(&text).is_ok() {
        return Ok(text);
    }
    let mut mapped = paths.disk_to_virtual(&text);
    if matches!(mapped, DiskToVirtual::NoMapping) {
        // A relative input under an absolute include path, or the other
        // way round: compare them as absolute paths.
        let mut absolute = IncludePaths::new();
        if includes.is_empty() {
            absolute.map(
                "",
                &utf8(&std::path::absolute(".").map_err(|e| io_error(proto, e))?)?,
            );
        }
        for include in includes {
            let dir = std::path::absolute(include.as_ref()).map_err(|e| io_error(proto, e))?;
            absolute.map("", &utf8(&dir)?);
        }
        let file = std::path::absolute(proto).map_err(|e| io_error(proto, e))?;
        mapped = absolute.disk_to_virtual(&utf8(&file)?);
    }
    match mapped {
        DiskToVirtual::Mapped(name) => Ok(name),
        DiskToVirtual::NoMapping => Err(Error::new(
            ErrorKind::Input,
            format!(
                "{text}: the file is not under any include path ({})",
                list_paths(includes)
            ),
        )),
        DiskToVirtual::Shadowed {
            virtual_path,
            shadowing,
        } => Err(Error::new(
            ErrorKind::Input,
            format!(
                "{text}: the import name \"{virtual_path}\" finds {shadowing} first, an earlier include path shadows this input"
            ),
        )),
        DiskToVirtual::CannotOpen(reason) => {
            Err(Error::new(ErrorKind::Input, format!("{text}: {reason}")))
        }
    }
}

/// Whether the extern rule `rule` (a proto path with its leading dot)
/// covers the package `package` (with its leading dot; empty for none).
fn covers(rule: &str, package: &str) -> bool {
    let rule = rule.strip_suffix('.').unwrap_or(rule);
    rule.is_empty()
        || package == rule
        || (package.starts_with(rule) && package.as_bytes().get(rule.len()) == Some(&b'.'))
}

fn list_paths(includes: &[impl AsRef<Path>]) -> String {
    if includes.is_empty() {
        return "none given, so the current directory".to_string();
    }
    includes
        .iter()
        .map(|p| p.as_ref().display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn utf8(path: &Path) -> Result<String, Error> {
    path.to_str().map(str::to_string).ok_or_else(|| {
        Error::new(
            ErrorKind::Input,
            format!("{}: the path is not valid UTF-8", path.display()),
        )
    })
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("{}: {e}", path.display()))
}

/// Writes `bytes` to `path` unless it already holds them, so that
/// unchanged output keeps its timestamp.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    std::fs::write(path, bytes).map_err(|e| io_error(path, e))
}
