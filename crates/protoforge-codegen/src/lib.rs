//! protoforge's Rust code generator: the compiler's descriptor IR
//! ([`protoforge_compiler::ir::Pool`]) in, formatted Rust files out.
//!
//! ```
//! use protoforge_compiler::{compile, CompileOptions};
//! use protoforge_compiler::resolve::InMemory;
//! use protoforge_codegen::{generate, Config};
//!
//! let mut files = InMemory::new();
//! files.add("hello.proto", "syntax = \"proto3\";\npackage hello;\nmessage Greeting { string text = 1; }\n");
//! let compilation = compile(&files, &["hello.proto"], &CompileOptions::default());
//! assert!(!compilation.has_errors());
//!
//! let out = generate(&compilation.pool, &compilation.files, &Config::default()).unwrap();
//! let names: Vec<&str> = out.iter().map(|f| f.name.as_str()).collect();
//! assert_eq!(names, ["hello.rs", "mod.rs"]);
//! assert!(out[0].content.contains("pub struct Greeting"));
//! ```
//!
//! # What is generated
//!
//! One module per protobuf package (`a.b` → `a::b`), nested types in a
//! submodule named after their message (`Outer.Inner` → `outer::Inner`),
//! and for each message:
//!
//! - a struct with public fields: `Option<T>` for fields with presence,
//!   `T` for implicit presence, `Vec<T>` for repeated fields, `HashMap`
//!   (or `BTreeMap`, [`Config::btree_map`]) for maps, an `Option` of an
//!   enum for each oneof; open enums as `EnumValue<E>` (any number is
//!   kept), closed enums as `E`; `Box` only where a message contains itself
//!   through singular fields; `unknown_fields` and, with extension ranges,
//!   `extensions`;
//! - `impl Message` (size, write and merge passes over the runtime's
//!   generic field helpers, required-field checks where needed);
//! - getters for fields with a proto2 `[default = …]`;
//! - `Debug`, `Clone`, `PartialEq`, `Default`; rustdoc from the comments.
//!
//! Extensions become typed constants (`Extension<Extendee, Codec>`).
//!
//! With [`Config::services`], each service also gets gRPC code for
//! `protoforge-grpc` (which the generated crate then depends on): a server
//! trait `Foo` with one `async` method per rpc, `FooServer<T>` dispatching
//! calls to it, and a typed client `FooClient` for all four call kinds, as
//! `docs/generated-code.md` ("Services") specifies.
//! Every identifier comes from [`names`]. Output is deterministic: the same
//! pool and configuration give the same bytes.
//!
//! The generated code names the runtime only as `::protoforge::__private`.

#![deny(missing_docs)]

pub mod bootstrap;
mod config;
mod context;
mod doc;
mod enumeration;
mod message;
pub mod names;
mod parameter;
mod service;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use protoforge_compiler::ir::{FileId, Pool};
use quote::quote;

pub use config::{Config, Layout, Services};
use context::Context;

/// One generated file: a path relative to the output directory, with `/`
/// separators, and its contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The path (`a/b.rs`, `mod.rs`).
    pub name: String,
    /// The Rust source.
    pub content: String,
}

/// Why generation failed.
#[derive(Clone, Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

/// The kinds of [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A [`Config`] value is not valid (an attribute or a Rust path that
    /// does not parse).
    InvalidOption,
    /// The generated tokens did not form a Rust file (a generator bug).
    Internal,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Lints the generated code may trip and should not report.
fn allowed_lints() -> TokenStream {
    quote! {
        clippy::all,
        non_camel_case_types,
        non_snake_case,
        non_upper_case_globals,
        unused_imports,
        rustdoc::broken_intra_doc_links,
        rustdoc::invalid_html_tags,
        rustdoc::bare_urls,
        rustdoc::invalid_rust_codeblocks
    }
}

/// Generates Rust for `files` (and only them: types they use from other
/// files are referred to where their own generation puts them, or through
/// an extern path) of `pool`.
///
/// With [`Layout::Modules`] and [`Layout::Packages`] the files are built
/// and formatted on several threads (one file per task, as many threads as
/// [`std::thread::available_parallelism`] allows); the output does not
/// depend on how many.
pub fn generate(
    pool: &Pool,
    files: &[FileId],
    config: &Config,
) -> Result<Vec<GeneratedFile>, Error> {
    let cx = Context::new(pool, files, config)?;
    let packages = context::files_by_package(pool, files);

    // Every package module and its ancestors.
    let mut tree: BTreeMap<Vec<String>, bool> = BTreeMap::new();
    tree.insert(Vec::new(), false);
    for module in packages.keys() {
        for i in 1..module.len() {
            tree.entry(module[..i].to_vec()).or_insert(false);
        }
        tree.insert(module.clone(), true);
    }
    let no_files: Vec<FileId> = Vec::new();
    let files_of = |module: &[String]| packages.get(module).unwrap_or(&no_files);

    let mut out = match &config.layout {
        Layout::Modules => {
            let modules: Vec<(&Vec<String>, bool)> = tree
                .iter()
                .filter(|(module, has_content)| **has_content || module.is_empty())
                .map(|(module, has_content)| (module, *has_content))
                .collect();
            let weights: Vec<usize> = modules
                .iter()
                .map(|(module, _)| weight(pool, files_of(module)))
                .collect();
            parallel(&modules, &weights, |&(module, has_content)| {
                let files = files_of(module);
                let body = if has_content {
                    package_body(&cx, module, files)?
                } else {
                    TokenStream::new()
                };
                let children =
                    child_declarations(&tree, module, &|_| Ok(TokenStream::new()), false)?;
                let header = if module.is_empty() && !has_content {
                    " The module tree of the generated packages. Generated by protoforge; do not edit."
                        .to_string()
                } else {
                    format!(
                        " Generated by protoforge from {}. Do not edit.",
                        quoted_list(pool, files)
                    )
                };
                let lints = allowed_lints();
                // Moved in, not interpolated: `quote!` would copy the
                // whole file's tokens.
                let mut tokens = quote! {
                    #![doc = #header]
                    #![allow(#lints)]
                };
                tokens.extend([body, children]);
                let name = if module.is_empty() {
                    "mod.rs".to_string()
                } else {
                    format!(
                        "{}.rs",
                        module
                            .iter()
                            .map(|s| s.strip_prefix("r#").unwrap_or(s))
                            .collect::<Vec<_>>()
                            .join("/")
                    )
                };
                Ok(GeneratedFile {
                    name,
                    content: format_file(tokens)?,
                })
            })?
        }
        Layout::Packages => {
            let modules: Vec<(&Vec<String>, &Vec<FileId>)> = packages.iter().collect();
            let weights: Vec<usize> = modules
                .iter()
                .map(|(_, files)| weight(pool, files))
                .collect();
            parallel(&modules, &weights, |&(module, files)| {
                let body = package_body(&cx, module, files)?;
                // Named by the package as written in the `.proto` (the
                // name `include_proto!` takes), not by the Rust module.
                let package = files
                    .first()
                    .and_then(|f| pool[*f].package.as_ref())
                    .map(|p| p.as_str().to_string());
                let name = match package {
                    Some(package) => format!("{package}.rs"),
                    None => "_.rs".to_string(),
                };
                Ok(GeneratedFile {
                    name,
                    content: format!(
                        "// Generated by protoforge from {}. Do not edit.\n{}",
                        quoted_list(pool, files),
                        format_items_allowing_lints(body)?
                    ),
                })
            })?
        }
        Layout::SingleFile(name) => {
            let body = match packages.get(&[][..]) {
                Some(files) => package_body(&cx, &[], files)?,
                None => TokenStream::new(),
            };
            let children = child_declarations(
                &tree,
                &[],
                &|module| package_body(&cx, module, files_of(module)),
                true,
            )?;
            let mut tokens = body;
            tokens.extend([children]);
            vec![GeneratedFile {
                name: name.clone(),
                content: format!(
                    "// Generated by protoforge. Do not edit.\n{}",
                    format_file(tokens)?
                ),
            }]
        }
    };
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// A rough measure of the work a package's files make (their messages
/// with their fields, enums with their values, methods), to start the
/// largest files first.
fn weight(pool: &Pool, files: &[FileId]) -> usize {
    fn message(pool: &Pool, id: protoforge_compiler::ir::MessageId) -> usize {
        let m = &pool[id];
        1 + m.fields.len()
            + m.nested_enums
                .iter()
                .map(|e| pool[*e].values.len())
                .sum::<usize>()
            + m.nested_messages
                .iter()
                .map(|n| message(pool, *n))
                .sum::<usize>()
    }
    let mut total = 0;
    for &file in files {
        let file = &pool[file];
        total += file
            .messages
            .iter()
            .map(|m| message(pool, *m))
            .sum::<usize>();
        total += file
            .enums
            .iter()
            .map(|e| pool[*e].values.len())
            .sum::<usize>();
        total += file
            .services
            .iter()
            .map(|s| 4 * pool[*s].methods.len())
            .sum::<usize>();
    }
    total
}

/// Runs `job` on every item, on up to `available_parallelism` threads
/// (the calling thread is one of them), largest `weights` first. Returns
/// the results in item order, or the error of the first item (in item
/// order) that failed, so the outcome does not depend on the scheduling.
fn parallel<T: Sync, R: Send>(
    items: &[T],
    weights: &[usize],
    job: impl Fn(&T) -> Result<R, Error> + Sync,
) -> Result<Vec<R>, Error> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(weights.get(i).copied().unwrap_or(0)));
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(items.len())
        .min(MAX_THREADS);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let Some(&i) = order.get(k) else { break };
            done.push((i, job(&items[i])));
        }
        done
    };
    let mut results: Vec<Option<Result<R, Error>>> = items.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let mut handles = Vec::new();
        for _ in 1..threads {
            // Generation recurses with the nesting of the schema: give the
            // helpers the stack a main thread has.
            let spawned = std::thread::Builder::new()
                .name("protoforge-codegen".to_string())
                .stack_size(THREAD_STACK)
                .spawn_scoped(scope, work);
            // A thread that cannot be spawned leaves its share to the others.
            if let Ok(handle) = spawned {
                handles.push(handle);
            }
        }
        let mut all = work();
        for handle in handles {
            match handle.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        for (i, result) in all {
            results[i] = Some(result);
        }
    });
    results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                Err(Error::new(
                    ErrorKind::Internal,
                    "a generation task did not run",
                ))
            })
        })
        .collect()
}

/// At most this many threads generate files at once.
const MAX_THREADS: usize = 16;

/// The stack of each generating thread (8 MiB, a main thread's usual
/// stack): building and formatting deeply nested messages recurses.
const THREAD_STACK: usize = 8 << 20;

fn quoted_list(pool: &Pool, files: &[FileId]) -> String {
    files
        .iter()
        .map(|f| format!("`{}`", pool[*f].name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The declarations of the child modules of `module`: `pub mod x;` for a
/// package with its own file (when `inline_body` is `None`), inline modules
/// otherwise, holding `body` of the package.
fn child_declarations(
    tree: &BTreeMap<Vec<String>, bool>,
    module: &[String],
    body: &dyn Fn(&[String]) -> Result<TokenStream, Error>,
    inline: bool,
) -> Result<TokenStream, Error> {
    let mut out = TokenStream::new();
    for (child, has_content) in tree.range(module.to_vec()..) {
        if !child.starts_with(module) {
            break;
        }
        if child.len() != module.len() + 1 {
            continue;
        }
        let segment = child.last().map(String::as_str).unwrap_or_default();
        let ident = names::ident(segment);
        let doc = format!(" Package `{}`.", child.join(".").replace("r#", ""));
        if *has_content && !inline {
            out.extend(quote! {
                pub mod #ident;
            });
            continue;
        }
        let grandchildren = child_declarations(tree, child, body, inline)?;
        let mut contents = if *has_content {
            body(child)?
        } else {
            TokenStream::new()
        };
        contents.extend([grandchildren]);
        let lints = allowed_lints();
        let allow = inline.then(|| quote!(#[allow(#lints)]));
        out.extend(quote! {
            #[doc = #doc]
            #allow
            pub mod #ident
        });
        out.extend([TokenTree::Group(Group::new(Delimiter::Brace, contents))]);
    }
    Ok(out)
}

/// The items of one package: its files' messages, enums and extensions,
/// and the service code [`Config::services`] asks for.
fn package_body(
    cx: &Context<'_>,
    module: &[String],
    files: &[FileId],
) -> Result<TokenStream, Error> {
    let pool = cx.pool;
    let mut items = Vec::new();
    for &file in files {
        for &e in &pool[file].enums {
            items.push(enumeration::generate(cx, e)?);
        }
        for &m in &pool[file].messages {
            items.push(message::MessageGen::new(cx, m, module.to_vec()).generate()?);
        }
        for &x in &pool[file].extensions {
            items.push(message::extension(cx, x, module)?);
        }
    }
    if cx.config.services.any() {
        // The package's type names, which service items must not reuse.
        let mut taken: Vec<String> = Vec::new();
        for &file in files {
            taken.extend(
                pool[file]
                    .enums
                    .iter()
                    .map(|e| cx.enum_name(*e).to_string()),
            );
            taken.extend(
                pool[file]
                    .messages
                    .iter()
                    .map(|m| cx.type_name(*m).to_string()),
            );
        }
        for &file in files {
            for &s in &pool[file].services {
                items.push(service::generate(cx, s, module, &mut taken)?);
            }
        }
    }
    let mut out = quote! {
        #[allow(unused_imports)]
        use ::protoforge::__private as __pf;
    };
    out.extend(items);
    Ok(out)
}

/// Formats a file's tokens with prettyplease.
fn format_file(tokens: TokenStream) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("generated code does not parse: {e}"),
        )
    })?;
    Ok(prettyplease::unparse(&file))
}

/// Formats items with prettyplease, each top-level item carrying the lint
/// allowances (a file to `include!` cannot have inner attributes).
fn format_items_allowing_lints(tokens: TokenStream) -> Result<String, Error> {
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("generated code does not parse: {e}"),
        )
    })?;
    let lints = allowed_lints();
    for item in &mut file.items {
        let attrs = match item {
            syn::Item::Const(i) => &mut i.attrs,
            syn::Item::Enum(i) => &mut i.attrs,
            syn::Item::Fn(i) => &mut i.attrs,
            syn::Item::Impl(i) => &mut i.attrs,
            syn::Item::Mod(i) => &mut i.attrs,
            syn::Item::Static(i) => &mut i.attrs,
            syn::Item::Struct(i) => &mut i.attrs,
            syn::Item::Trait(i) => &mut i.attrs,
            syn::Item::Type(i) => &mut i.attrs,
            syn::Item::Union(i) => &mut i.attrs,
            syn::Item::Use(i) => &mut i.attrs,
            _ => continue,
        };
        attrs.insert(0, syn::parse_quote!(#[allow(#lints)]));
    }
    Ok(prettyplease::unparse(&file))
}

/// The attributes configured for the element `dotted`.
pub(crate) fn attributes(rules: &[(String, String)], dotted: &str) -> Result<TokenStream, Error> {
    let mut out = Vec::new();
    for (path, attr) in rules {
        if !config::matches(&config::normalize(path), dotted) {
            continue;
        }
        let parsed =
            syn::parse::Parser::parse_str(syn::Attribute::parse_outer, attr).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidOption,
                    format!("attribute `{attr}` for `{path}`: {e}"),
                )
            })?;
        out.extend(parsed);
    }
    Ok(quote!(#(#out)*))
}
