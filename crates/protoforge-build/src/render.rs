//! Compiler diagnostics as a build script shows them: errors in the rich
//! form (kind, `--> file:line:col`, the source line, a caret under the
//! problem) for the failed build's output, warnings in protoc's one-line
//! form for `cargo:warning=` lines. Files are named by their disk path
//! where the include paths found them, so terminals and editors can open
//! them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use protoforge_compiler::resolve::FileResolver;
use protoforge_compiler::{Diagnostic, DiagnosticKind};
use protoforge_syntax::LineIndex;

/// A file as diagnostics show it: the name to print and its bytes.
struct Shown {
    name: String,
    source: Option<Vec<u8>>,
}

/// Renders diagnostics, reading each file they mention once.
pub(crate) struct Renderer<'a> {
    resolver: &'a dyn FileResolver,
    files: BTreeMap<String, Shown>,
}

impl<'a> Renderer<'a> {
    pub(crate) fn new(resolver: &'a dyn FileResolver) -> Renderer<'a> {
        Renderer {
            resolver,
            files: BTreeMap::new(),
        }
    }

    fn shown(&mut self, file: &str) -> &Shown {
        let resolver = self.resolver;
        self.files
            .entry(file.to_string())
            .or_insert_with(|| match resolver.open(file) {
                Ok(found) => Shown {
                    name: found
                        .disk_path
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| file.to_string()),
                    source: Some(found.contents),
                },
                Err(_) => Shown {
                    name: file.to_string(),
                    source: None,
                },
            })
    }

    /// The rich form: `error[kind]: message`, then the location and the
    /// source line with carets when the position is known.
    pub(crate) fn rich(&mut self, diagnostic: &Diagnostic) -> String {
        let mut out = String::new();
        let severity = if diagnostic.is_error() {
            "error"
        } else {
            "warning"
        };
        let _ = writeln!(
            out,
            "{severity}[{}]: {}",
            kind_name(diagnostic.kind),
            diagnostic.message
        );
        match (&diagnostic.position, &diagnostic.file) {
            (Some(position), _) => {
                let shown = self.shown(&position.file);
                match &shown.source {
                    Some(source) => {
                        let index = LineIndex::new(source);
                        out.push_str(&protoforge_syntax::render_snippet(
                            &shown.name,
                            source,
                            &index,
                            position.span,
                        ));
                    }
                    None => {
                        let _ = writeln!(
                            out,
                            "  --> {}:{}:{}",
                            shown.name,
                            position.line + 1,
                            position.col + 1
                        );
                    }
                }
            }
            (None, Some(file)) => {
                let name = self.shown(file).name.clone();
                let _ = writeln!(out, "  --> {name}");
            }
            (None, None) => {}
        }
        out
    }

    /// protoc's one-line form, with the disk path: `file:line:col: message`.
    pub(crate) fn one_line(&mut self, diagnostic: &Diagnostic) -> String {
        let warn = if diagnostic.is_error() {
            ""
        } else {
            "warning: "
        };
        match (&diagnostic.position, &diagnostic.file) {
            (Some(p), _) => {
                let name = self.shown(&p.file).name.clone();
                format!(
                    "{name}:{}:{}: {warn}{}",
                    p.line + 1,
                    p.col + 1,
                    diagnostic.message
                )
            }
            (None, Some(file)) => {
                let name = self.shown(file).name.clone();
                format!("{name}: {warn}{}", diagnostic.message)
            }
            (None, None) => format!("{warn}{}", diagnostic.message),
        }
    }
}

/// A compiler diagnostic kind's stable kebab-case name (the CLI's
/// `--error_format=rich` shows the same names).
fn kind_name(kind: DiagnosticKind) -> &'static str {
    match kind {
        DiagnosticKind::Syntax(kind) => kind.name(),
        DiagnosticKind::FileNotFound => "file-not-found",
        DiagnosticKind::Import => "import",
        DiagnosticKind::UnusedImport => "unused-import",
        DiagnosticKind::DuplicateName => "duplicate-name",
        DiagnosticKind::UnresolvedName => "unresolved-name",
        DiagnosticKind::Option => "option",
        DiagnosticKind::Feature => "feature",
        DiagnosticKind::Invalid => "invalid",
        DiagnosticKind::Unsupported => "unsupported",
        _ => "other",
    }
}
