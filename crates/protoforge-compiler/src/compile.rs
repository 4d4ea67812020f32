//! The driver: load files through a resolver, parse them (in parallel), and
//! run the phases on each file in protoc's build order.
//!
//! protoc builds a file only after everything it imports, depth first in
//! import order, starting from each requested file in turn; files get their
//! [`FileId`] in that order, so a file's id is larger than its imports'. For
//! each file the phases run in protoc's order: `lower`, `link`, the first
//! `options` pass (plain names, including `features`), `features`, the second
//! `options` pass (extensions), source-info rewriting, then `validate`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use protoforge_syntax::{LineIndex, Parse};

use crate::diagnostic::{Diagnostic, DiagnosticKind, Position};
use crate::ir::{FileId, Pool};
use crate::lower::{self, Input};
use crate::resolve::{FileResolver, ResolveError};
use crate::{Compilation, CompileOptions};

/// A loaded and parsed file.
struct Loaded {
    source: Arc<[u8]>,
    lines: LineIndex,
    parse: Parse,
}

fn parse_all(sources: Vec<(String, Vec<u8>)>) -> Vec<(String, Loaded)> {
    let work = |(name, bytes): (String, Vec<u8>)| {
        let source: Arc<[u8]> = Arc::from(bytes);
        let parse = protoforge_syntax::parse(&source);
        let lines = LineIndex::new(&source);
        (
            name,
            Loaded {
                source,
                lines,
                parse,
            },
        )
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(sources.len());
    if threads <= 1 {
        return sources.into_iter().map(work).collect();
    }
    // Split the work round-robin by size so threads finish together.
    let mut indexed: Vec<(usize, (String, Vec<u8>))> = sources.into_iter().enumerate().collect();
    indexed.sort_by_key(|(_, (_, b))| std::cmp::Reverse(b.len()));
    let mut buckets: Vec<Vec<(usize, (String, Vec<u8>))>> =
        (0..threads).map(|_| Vec::new()).collect();
    for (i, item) in indexed.into_iter().enumerate() {
        buckets[i % threads].push(item);
    }
    let mut results: Vec<(usize, (String, Loaded))> = std::thread::scope(|scope| {
        let handles: Vec<_> = buckets
            .into_iter()
            .map(|bucket| {
                scope.spawn(move || {
                    bucket
                        .into_iter()
                        .map(|(i, item)| (i, work(item)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// The imports of a parsed file, in order (regular, then option imports).
fn imports(parse: &Parse) -> Vec<String> {
    let mut regular = Vec::new();
    let mut option = Vec::new();
    for item in &parse.file.items {
        if let protoforge_syntax::ast::Item::Import(import) = item {
            let name = import.path.to_string_lossy();
            if matches!(
                import.modifier,
                Some((protoforge_syntax::ast::ImportModifier::Option, _))
            ) {
                option.push(name);
            } else {
                regular.push(name);
            }
        }
    }
    regular.extend(option);
    regular
}

/// Compiles `roots` with the built-in options schema.
pub(crate) fn compile(
    resolver: &dyn FileResolver,
    roots: &[&str],
    options: &CompileOptions,
) -> Compilation {
    compile_with_schema(resolver, roots, options, crate::builtin::schema())
}

/// Compiles `roots`, parsing options messages with `schema`.
pub(crate) fn compile_with_schema(
    resolver: &dyn FileResolver,
    roots: &[&str],
    options: &CompileOptions,
    schema: &Pool,
) -> Compilation {
    let mut diagnostics = Vec::new();
    // Load everything reachable, level by level, parsing each level in parallel.
    let mut loaded: HashMap<String, Result<Loaded, ResolveError>> = HashMap::new();
    let mut frontier: Vec<String> = Vec::new();
    for root in roots {
        if !frontier.iter().any(|f| f == root) {
            frontier.push((*root).to_string());
        }
    }
    while !frontier.is_empty() {
        let mut sources = Vec::new();
        for name in frontier.drain(..) {
            if loaded.contains_key(&name) {
                continue;
            }
            match resolver.open(&name) {
                Ok(file) => sources.push((name, file.contents)),
                Err(e) => {
                    loaded.insert(name, Err(e));
                }
            }
        }
        let parsed = parse_all(sources);
        for (name, file) in parsed {
            for import in imports(&file.parse) {
                if !loaded.contains_key(&import) && !frontier.contains(&import) {
                    frontier.push(import);
                }
            }
            loaded.insert(name, Ok(file));
        }
        frontier.retain(|n| !loaded.contains_key(n));
    }

    // Build order: depth first from each root, imports first.
    let mut order: Vec<String> = Vec::new();
    let mut state: HashMap<String, bool> = HashMap::new(); // false: in progress
    let mut failed: HashMap<String, bool> = HashMap::new();
    fn visit(
        name: &str,
        loaded: &HashMap<String, Result<Loaded, ResolveError>>,
        state: &mut HashMap<String, bool>,
        stack: &mut Vec<String>,
        order: &mut Vec<String>,
        diagnostics: &mut Vec<Diagnostic>,
        failed: &mut HashMap<String, bool>,
    ) {
        match state.get(name) {
            Some(true) => return,
            Some(false) => {
                let from = stack.iter().position(|n| n == name).unwrap_or(0);
                let mut chain = stack[from..].join(" -> ");
                chain.push_str(" -> ");
                chain.push_str(name);
                // Reported in the file that closes the cycle, at its import
                // of the next file in the chain.
                let next = stack.get(from + 1).map(String::as_str).unwrap_or(name);
                let diag = Diagnostic::error(
                    DiagnosticKind::Import,
                    format!("File recursively imports itself: {chain}"),
                );
                let position = loaded
                    .get(name)
                    .and_then(|l| l.as_ref().ok())
                    .and_then(|file| {
                        file.parse.file.items.iter().find_map(|item| match item {
                            protoforge_syntax::ast::Item::Import(i)
                                if i.path.to_string_lossy() == next =>
                            {
                                let lc = file.lines.line_col(&file.source, i.span.start);
                                Some(Position {
                                    file: name.to_string(),
                                    line: lc.line,
                                    col: lc.col,
                                    span: i.span,
                                })
                            }
                            _ => None,
                        })
                    });
                diagnostics.push(match position {
                    Some(p) => diag.at(p),
                    None => diag.in_file(name),
                });
                failed.insert(name.to_string(), true);
                return;
            }
            None => {}
        }
        let Some(Ok(file)) = loaded.get(name) else {
            return;
        };
        state.insert(name.to_string(), false);
        stack.push(name.to_string());
        for import in imports(&file.parse) {
            visit(&import, loaded, state, stack, order, diagnostics, failed);
        }
        stack.pop();
        state.insert(name.to_string(), true);
        order.push(name.to_string());
    }
    let mut stack = Vec::new();
    for root in roots {
        match loaded.get(*root) {
            Some(Err(e)) => diagnostics.push(
                Diagnostic::error(DiagnosticKind::FileNotFound, e.to_string()).in_file(*root),
            ),
            _ => visit(
                root,
                &loaded,
                &mut state,
                &mut stack,
                &mut order,
                &mut diagnostics,
                &mut failed,
            ),
        }
    }

    let mut pool = Pool::default();
    let mut root_ids = Vec::new();
    let mut failed_files: HashSet<String> = failed.keys().cloned().collect();
    for name in &order {
        let Some(Ok(file)) = loaded.get(name) else {
            continue;
        };
        let id = FileId::from_index(pool.files.len());
        let before = diagnostics.len();
        let is_root = roots.contains(&name.as_str());
        build_file(
            &mut pool,
            schema,
            id,
            name,
            file,
            options,
            &mut diagnostics,
            &loaded,
            &failed_files,
            is_root,
        );
        if diagnostics[before..].iter().any(Diagnostic::is_error) {
            failed_files.insert(name.clone());
        }
    }
    for root in roots {
        if let Some(id) = pool.file_by_name(root) {
            if !root_ids.contains(&id) {
                root_ids.push(id);
            }
        }
    }
    // protoc's command line checks the requested files once all are built.
    if !diagnostics.iter().any(Diagnostic::is_error) {
        for id in &root_ids {
            let mut found = Vec::new();
            crate::validate::command_line_checks(&pool, *id, &mut found);
            for f in found {
                diagnostics
                    .push(Diagnostic::error(f.kind, f.message).in_file(pool[*id].name.clone()));
            }
        }
    }
    Compilation {
        pool,
        files: root_ids,
        diagnostics,
    }
}

#[allow(clippy::too_many_arguments)]
fn build_file(
    pool: &mut Pool,
    schema: &Pool,
    id: FileId,
    name: &str,
    file: &Loaded,
    options: &CompileOptions,
    diagnostics: &mut Vec<Diagnostic>,
    loaded: &HashMap<String, Result<Loaded, ResolveError>>,
    failed: &HashSet<String>,
    is_root: bool,
) {
    let first_diagnostic = diagnostics.len();
    let position = |span: protoforge_syntax::Span| {
        let lc = file.lines.line_col(&file.source, span.start);
        Position {
            file: name.to_string(),
            line: lc.line,
            col: lc.col,
            span,
        }
    };
    for d in &file.parse.diagnostics {
        let mut diag = if d.is_error() {
            Diagnostic::error(DiagnosticKind::Syntax(d.kind), d.message.clone())
        } else {
            Diagnostic::warning(DiagnosticKind::Syntax(d.kind), d.message.clone())
        };
        diag = diag.at(position(d.span));
        diagnostics.push(diag);
    }
    pool.files
        .push(lower::new_file(name, file.source.clone(), &file.parse.file));
    pool.files_by_name.insert(name.to_string(), id);

    let input = Input {
        id,
        name,
        source: &file.source,
        lines: &file.lines,
        ast: &file.parse.file,
        source_info: options.source_info,
    };
    let lowered = lower::lower_file(pool, &input, diagnostics);
    lower::register_symbols(pool, id, &lowered, &mut |span, message| {
        let diag = Diagnostic::error(DiagnosticKind::DuplicateName, message);
        diagnostics.push(match span {
            Some(span) => diag.at(position(span)),
            None => diag.in_file(name),
        });
    });
    // Resolve imports to files.
    {
        let by_name = &pool.files_by_name;
        let file = &mut pool.files[id.index()];
        for dep in file
            .dependencies
            .iter_mut()
            .chain(file.option_dependencies.iter_mut())
        {
            dep.file = by_name.get(&dep.name).copied();
        }
    }
    for import in &lowered.imports {
        if pool.files_by_name.get(&import.name).is_none() || failed.contains(&import.name) {
            let message = match loaded.get(&import.name) {
                Some(Err(ResolveError::NonCanonicalName)) => {
                    format!("{}: File not found.", import.name)
                }
                Some(Err(e)) => format!("{}: {e}", import.name),
                _ => String::new(),
            };
            if !message.is_empty() {
                diagnostics.push(Diagnostic::error(DiagnosticKind::FileNotFound, message));
            }
            diagnostics.push(
                Diagnostic::error(
                    DiagnosticKind::Import,
                    format!("Import \"{}\" was not found or had errors.", import.name),
                )
                .at(position(import.span)),
            );
        }
    }

    // The edition must be one protoc supports.
    let edition = pool[id].edition;
    let mut edition_ok = true;
    if pool[id].syntax == crate::ir::Syntax::Editions {
        let message = if edition < crate::features::MINIMUM_EDITION {
            Some(format!(
                "Edition {} is earlier than the minimum supported edition {}",
                edition.display_name(),
                crate::features::MINIMUM_EDITION.display_name()
            ))
        } else if edition > crate::features::MAXIMUM_EDITION
            && edition != crate::ir::Edition::UNSTABLE
        {
            Some(format!(
                "Edition {} is later than the maximum supported edition {}",
                edition.display_name(),
                crate::features::MAXIMUM_EDITION.display_name()
            ))
        } else {
            None
        };
        if let (Some(message), Some(syntax)) = (message, &file.parse.file.syntax) {
            diagnostics.push(
                Diagnostic::error(DiagnosticKind::Feature, message).at(position(syntax.span)),
            );
            edition_ok = false;
        }
    }
    let checks = |pool: &Pool,
                  f: fn(&mut crate::validate::Checker<'_>),
                  diagnostics: &mut Vec<Diagnostic>| {
        let mut checker = crate::validate::Checker {
            pool,
            file: id,
            lowered: &lowered,
            found: Vec::new(),
        };
        f(&mut checker);
        for found in checker.found {
            let diag = match found.severity {
                crate::diagnostic::Severity::Error => Diagnostic::error(found.kind, found.message),
                crate::diagnostic::Severity::Warning => {
                    Diagnostic::warning(found.kind, found.message)
                }
            };
            diagnostics.push(match found.span {
                Some(span) => diag.at(position(span)),
                None => diag.in_file(name),
            });
        }
    };
    checks(pool, crate::validate::build_checks, &mut *diagnostics);
    let mut report =
        |kind: DiagnosticKind, span: Option<protoforge_syntax::Span>, message: String| {
            let diag = Diagnostic::error(kind, message);
            diagnostics.push(match span {
                Some(span) => diag.at(position(span)),
                None => diag.in_file(name),
            });
        };
    let mut visibility = crate::link::Visibility::new(pool, id);
    crate::link::link_file(pool, id, &lowered, &mut visibility, &mut report);
    checks(pool, crate::validate::link_checks, &mut *diagnostics);

    if !edition_ok {
        return;
    }
    let sets = &lowered.option_sets;
    let mut state = crate::options::OptionState::new(sets.len());
    let written = {
        let mut interpreter = crate::options::Interpreter {
            source: Some(file.source.clone()),
            pool: &mut *pool,
            builtin: schema,
            visibility: &mut visibility,
            st: &mut state,
        };
        interpreter.pass(sets, false);
        // Plain options are known from here on (message_set_wire_format
        // decides how aggregate values in the second pass are written).
        interpreter.finish(sets);
        interpreter.written(sets)
    };
    crate::features::resolve_file(pool, id, &written);
    {
        let mut interpreter = crate::options::Interpreter {
            source: Some(file.source.clone()),
            pool: &mut *pool,
            builtin: schema,
            visibility: &mut visibility,
            st: &mut state,
        };
        interpreter.pass(sets, true);
        interpreter.finish(sets);
    }
    for (kind, span, message) in std::mem::take(&mut state.errors) {
        diagnostics.push(Diagnostic::error(kind, message).at(position(span)));
    }
    if pool[id].edition.is_editions() {
        const NAMES: [(&str, &str); 8] = [
            ("field_presence", "FIELD_PRESENCE_UNKNOWN"),
            ("enum_type", "ENUM_TYPE_UNKNOWN"),
            ("repeated_field_encoding", "REPEATED_FIELD_ENCODING_UNKNOWN"),
            ("utf8_validation", "UTF8_VALIDATION_UNKNOWN"),
            ("message_encoding", "MESSAGE_ENCODING_UNKNOWN"),
            ("json_format", "JSON_FORMAT_UNKNOWN"),
            ("enforce_naming_style", "ENFORCE_NAMING_STYLE_UNKNOWN"),
            (
                "default_symbol_visibility",
                "DEFAULT_SYMBOL_VISIBILITY_UNKNOWN",
            ),
        ];
        let mut targets: Vec<_> = written.0.iter().collect();
        targets.sort_by_key(|(t, _)| format!("{t:?}"));
        for (target, (features, _)) in targets {
            let mut reader = crate::wire::Reader::new(features);
            while let Some((number, value)) = reader.field() {
                if let (1..=8, crate::wire::FieldValue::Varint(0)) = (number, value) {
                    let (field, unknown) = NAMES[number as usize - 1];
                    let span = match target {
                        crate::lower::OptionTarget::File(_) => {
                            file.parse.file.syntax.as_ref().map(|s| s.span)
                        }
                        other => feature_target_span(&lowered, *other),
                    };
                    let diag = Diagnostic::error(
                        DiagnosticKind::Feature,
                        format!(
                            "Feature field `{field}` must resolve to a known value, found {unknown}"
                        ),
                    );
                    diagnostics.push(match span {
                        Some(span) => diag.at(position(span)),
                        None => diag.in_file(name),
                    });
                }
            }
        }
    }
    if !pool[id].edition.is_editions() {
        for (target, (features, _)) in &written.0 {
            if features.is_empty() {
                continue;
            }
            let message = "Features are only valid under editions.".to_string();
            let span = match target {
                crate::lower::OptionTarget::File(_) => {
                    file.parse.file.syntax.as_ref().map(|s| s.span)
                }
                other => feature_target_span(&lowered, *other),
            };
            let diag = Diagnostic::error(DiagnosticKind::Feature, message);
            diagnostics.push(match span {
                Some(span) => diag.at(position(span)),
                None => diag.in_file(name),
            });
        }
    }
    if !diagnostics[first_diagnostic..]
        .iter()
        .any(Diagnostic::is_error)
    {
        checks(pool, crate::validate::option_checks, &mut *diagnostics);
    }
    if is_root
        && options.unused_import_warnings
        && !diagnostics[first_diagnostic..]
            .iter()
            .any(Diagnostic::is_error)
    {
        for import in lowered.imports.iter().rev() {
            if let Some(dep) = pool.files_by_name.get(&import.name) {
                if visibility.unused.contains(dep) && !import.option {
                    diagnostics.push(
                        Diagnostic::warning(
                            DiagnosticKind::UnusedImport,
                            format!("Import {} is unused.", import.name),
                        )
                        .at(position(import.span)),
                    );
                }
            }
        }
    }
    let mut locations = lowered.locations.clone();
    if let Some(locations) = locations.as_mut() {
        crate::source_info::apply_interpreted_paths(locations, &state.interpreted_paths);
    }
    pool.files[id.index()].source_code_info =
        locations.map(|locations| crate::ir::SourceCodeInfo { locations });
}

/// Where protoc reports "Features are only valid under editions." for an
/// element (its name).
fn feature_target_span(
    lowered: &crate::lower::Lowered,
    target: crate::lower::OptionTarget,
) -> Option<protoforge_syntax::Span> {
    use crate::ir::Symbol;
    use crate::lower::OptionTarget as T;
    let symbol = match target {
        T::Message(m) => Symbol::Message(m),
        T::Field(f) => Symbol::Field(f),
        T::Oneof(_) => return None,
        T::Enum(e) => Symbol::Enum(e),
        T::EnumValue(v) => Symbol::EnumValue(v),
        T::Service(s) => Symbol::Service(s),
        T::Method(m) => Symbol::Method(m),
        T::File(_) | T::ExtensionRange(..) => return None,
    };
    lowered.parts.get(&symbol).map(|p| p.name)
}
