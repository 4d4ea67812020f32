//! The semantic compiler of protoforge: `.proto` files in, a linked and
//! validated descriptor IR out, and from it `FileDescriptorSet` bytes equal
//! to protoc's.
//!
//! ```
//! use protoforge_compiler::{compile, CompileOptions, DescriptorSetOptions};
//! use protoforge_compiler::resolve::InMemory;
//!
//! let mut files = InMemory::new();
//! files.add("hello.proto", "syntax = \"proto3\";\npackage hello;\nmessage Greeting { string text = 1; }\n");
//! let compilation = compile(&files, &["hello.proto"], &CompileOptions::default());
//! assert!(!compilation.has_errors(), "{:?}", compilation.diagnostics);
//!
//! let pool = &compilation.pool;
//! let greeting = pool.message_by_name("hello.Greeting").expect("defined");
//! assert_eq!(pool[pool[greeting].fields[0]].json_name, "text");
//!
//! let bytes = pool.file_descriptor_set(&compilation.files, DescriptorSetOptions::default());
//! assert!(!bytes.is_empty());
//! ```
//!
//! # Pipeline
//!
//! Files come in through a [`resolve::FileResolver`] (include paths,
//! in-memory sources, the built-in Google files of [`builtin::GoogleFiles`],
//! or a chain of them); the compiler does no other IO. Each file is parsed by
//! `protoforge-syntax` and lowered on a second thread while the calling
//! thread links and checks the files before it, then goes through the
//! phases, each a module named after it:
//!
//! 1. `lower`: AST to unlinked IR, synthesised elements (map entries, groups,
//!    proto3 synthetic oneofs, JSON names), source locations in protoc's order;
//! 2. `link`: names resolved with protoc's scoping rules;
//! 3. `options`: option statements interpreted, custom options included;
//! 4. `features`: editions features resolved for every element;
//! 5. `validate`: protoc's descriptor-builder checks;
//! 6. `source_info`: option locations moved to the fields they set.
//!
//! Every phase reports [`Diagnostic`]s and goes on; [`Compilation::has_errors`]
//! tells whether the result is usable. Messages and positions follow protoc.
//!
//! # Output
//!
//! The result is an [`ir::Pool`]: see the [`ir`] module for the model.
//! [`ir::Pool::file_descriptor_set`] writes protoc's `-o` bytes, and
//! [`ir::Pool::from_file_descriptor_set`] reads a descriptor set back into
//! the IR (for `--descriptor_set_in` and for code generators run as protoc
//! plugins). [`edition_defaults::compile`] writes the `FeatureSetDefaults`
//! of a pool's feature definitions (`protoc --edition_defaults_out`).

#![deny(missing_docs)]

pub mod builtin;
mod compile;
pub mod debug;
mod decode;

mod diagnostic;
mod dynamic;
pub mod edition_defaults;
mod encode;
mod features;
mod fxhash;
pub mod ir;
mod link;
mod lower;
pub mod message;
mod options;
pub mod resolve;
mod set_index;
mod source_info;
mod text;
pub mod text_format;
mod validate;

mod wire;

pub use decode::DecodeError;
pub use diagnostic::{Diagnostic, DiagnosticKind, Position, Severity};
pub use encode::DescriptorSetOptions;
pub use set_index::SetConflict;

use ir::{FileId, Pool};
use resolve::FileResolver;

/// How to compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileOptions {
    /// Build each file's `SourceCodeInfo` (needed for
    /// `--include_source_info` and for comments in generated code).
    /// Default: true.
    pub source_info: bool,
    /// Warn about imports that nothing uses in the requested files, as
    /// protoc does. Default: true.
    pub unused_import_warnings: bool,
    /// Keep each file's source text in [`ir::File::source`] (to render
    /// snippets of spans later). Default: false, which saves the memory of
    /// every source (about the size of the inputs).
    pub keep_sources: bool,
    /// Keep each element's comments in the IR (the `comments` fields, read
    /// by code generators). Default: true. Without them a compile holds
    /// less (the source info, when built, has the comments too).
    pub comments: bool,
}

impl Default for CompileOptions {
    fn default() -> CompileOptions {
        CompileOptions {
            source_info: true,
            unused_import_warnings: true,
            keep_sources: false,
            comments: true,
        }
    }
}

/// The result of [`compile`].
#[derive(Debug)]
pub struct Compilation {
    /// Every file that was built, in dependency order.
    pub pool: Pool,
    /// The requested files, in the order requested (those that could be
    /// loaded).
    pub files: Vec<FileId>,
    /// Errors and warnings, in the order they were found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compilation {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

/// Compiles the files named `roots` (import names) and everything they import.
pub fn compile(
    resolver: &dyn FileResolver,
    roots: &[&str],
    options: &CompileOptions,
) -> Compilation {
    compile::compile(resolver, roots, options)
}
