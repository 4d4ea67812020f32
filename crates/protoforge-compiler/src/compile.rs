//! The driver: load files through a resolver, parse and lower them on one
//! thread while another links and checks them, in protoc's build order.
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
use crate::lower::{self, Counts, Fragment, Input};
use crate::resolve::{FileResolver, ResolveError, Resolved};
use crate::{Compilation, CompileOptions};

/// A loaded and parsed file, waiting for its imports to be loaded.
struct Parsed {
    source: Arc<[u8]>,
    lines: LineIndex,
    parse: Parse,
}

/// A file read, parsed and lowered by the loading thread: everything the
/// builder needs of it (the syntax tree is gone).
struct Loaded {
    source: Arc<[u8]>,
    lines: LineIndex,
    fragment: Fragment,
    lowered: lower::Lowered,
    /// The syntax diagnostics, then lowering's.
    diagnostics: Vec<Diagnostic>,
}

/// The position of byte `offset`'s span in `file`.
fn position(
    file: &str,
    source: &[u8],
    lines: &LineIndex,
    span: protoforge_syntax::Span,
) -> Position {
    let lc = lines.line_col(source, span.start);
    Position {
        file: file.to_string(),
        line: lc.line,
        col: lc.col,
        span,
    }
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

/// What the loading thread hands to the builder, in build order.
enum Event {
    /// A file to build; everything it imports came before.
    File { name: String, loaded: Box<Loaded> },
    /// A file compiled already: an encoded `FileDescriptorProto`.
    Descriptor { name: String, bytes: Vec<u8> },
    /// A file that could not be opened.
    Missing { name: String, error: ResolveError },
    /// An import cycle, reported in the file that closes it.
    Cycle(Diagnostic),
}

/// The longest package name protoc accepts (`NameLimits::kPackageName`).
const MAX_PACKAGE_NAME: usize = 511;

/// The most dots a package name may have (protoc's `kPackageLimit`).
const MAX_PACKAGE_DEPTH: usize = 100;

/// How many lowered files may wait for the builder: bounds the memory they
/// hold beyond the pool.
const PARSE_AHEAD: usize = 64;

/// Walks the import graph depth first from each root, reading and parsing
/// each file, and lowers and sends files in protoc's build order (a file
/// after its imports).
struct Loader<'a> {
    resolver: &'a dyn FileResolver,
    options: &'a CompileOptions,
    /// `false` while a file's imports are being visited, `true` once sent.
    state: HashMap<String, bool>,
    stack: Vec<String>,
    /// Parsed files whose imports are being visited, by name.
    pending: HashMap<String, Parsed>,
    /// Where the next lowered file's ids start: the builder appends the
    /// files in the order they are sent, so this is the pool's size then.
    next: Counts,
    send: std::sync::mpsc::SyncSender<Event>,
    /// Built files coming back to be freed here, by the thread that
    /// allocated them, and off the builder's path.
    spent: std::sync::mpsc::Receiver<Box<Loaded>>,
    /// The pool's size after the builder added a file from a descriptor
    /// set: the loader cannot count that file's elements itself, so it
    /// waits for this before lowering the next file.
    built: std::sync::mpsc::Receiver<Counts>,
}

impl Loader<'_> {
    /// Returns false when the builder has gone away.
    fn visit(&mut self, name: &str) -> bool {
        match self.state.get(name) {
            Some(true) => return true,
            Some(false) => {
                let from = self.stack.iter().position(|n| n == name).unwrap_or(0);
                let mut chain = self.stack[from..].join(" -> ");
                chain.push_str(" -> ");
                chain.push_str(name);
                // Reported in the file that closes the cycle, at its import
                // of the next file in the chain.
                let next = self.stack.get(from + 1).map(String::as_str).unwrap_or(name);
                let diag = Diagnostic::error(
                    DiagnosticKind::Import,
                    format!("File recursively imports itself: {chain}"),
                );
                let position = self.pending.get(name).and_then(|file| {
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
                let diag = match position {
                    Some(p) => diag.at(p),
                    None => diag.in_file(name),
                };
                return self.send.send(Event::Cycle(diag)).is_ok();
            }
            None => {}
        }
        let file = match self.resolver.resolve(name) {
            Ok(Resolved::Source(file)) => file,
            Ok(Resolved::Descriptor(bytes)) => return self.visit_descriptor(name, bytes),
            Err(error) => {
                self.state.insert(name.to_string(), true);
                return self
                    .send
                    .send(Event::Missing {
                        name: name.to_string(),
                        error,
                    })
                    .is_ok();
            }
        };
        let source: Arc<[u8]> = Arc::from(file.contents);
        let parse = protoforge_syntax::parse(&source);
        let lines = LineIndex::new(&source);
        let deps = imports(&parse);
        self.state.insert(name.to_string(), false);
        self.stack.push(name.to_string());
        self.pending.insert(
            name.to_string(),
            Parsed {
                source,
                lines,
                parse,
            },
        );
        for dep in deps {
            if !self.visit(&dep) {
                return false;
            }
        }
        self.stack.pop();
        self.state.insert(name.to_string(), true);
        let Some(parsed) = self.pending.remove(name) else {
            return true;
        };
        let loaded = Box::new(self.lower(name, parsed));
        self.send
            .send(Event::File {
                name: name.to_string(),
                loaded,
            })
            .is_ok()
    }

    /// Lowers a file whose imports were all sent, as the next file of the
    /// pool.
    fn lower(&mut self, name: &str, parsed: Parsed) -> Loaded {
        self.spent.try_iter().for_each(drop);
        let Parsed {
            source,
            lines,
            parse,
        } = parsed;
        let mut diagnostics = Vec::with_capacity(parse.diagnostics.len());
        for d in &parse.diagnostics {
            let kind = DiagnosticKind::Syntax(d.kind);
            let diag = if d.is_error() {
                Diagnostic::error(kind, d.message.clone())
            } else {
                Diagnostic::warning(kind, d.message.clone())
            };
            diagnostics.push(diag.at(position(name, &source, &lines, d.span)));
        }
        let mut file = lower::new_file(name, source.clone(), &parse.file);
        if !self.options.keep_sources {
            file.source = None;
        }
        let id = FileId::from_index(self.next.files());
        let mut fragment = Fragment::new(self.next, file);
        let input = Input {
            id,
            name,
            source: &source,
            lines: &lines,
            ast: &parse.file,
            source_info: self.options.source_info,
            comments: self.options.comments,
        };
        let lowered = lower::lower_file(&mut fragment, &input, &mut diagnostics);
        self.next = fragment.end();
        Loaded {
            source,
            lines,
            fragment,
            lowered,
            diagnostics,
        }
    }
}

impl Loader<'_> {
    /// A file from a descriptor set: its imports first, then the file.
    fn visit_descriptor(&mut self, name: &str, bytes: Vec<u8>) -> bool {
        // Malformed bytes are reported when the file is built.
        let deps = crate::decode::file_imports(&bytes).unwrap_or_default();
        self.state.insert(name.to_string(), false);
        self.stack.push(name.to_string());
        for dep in deps {
            if !self.visit(&dep) {
                return false;
            }
        }
        self.stack.pop();
        self.state.insert(name.to_string(), true);
        if self
            .send
            .send(Event::Descriptor {
                name: name.to_string(),
                bytes,
            })
            .is_err()
        {
            return false;
        }
        match self.built.recv() {
            Ok(counts) => {
                self.next = counts;
                true
            }
            Err(_) => false,
        }
    }
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
///
/// A second thread reads, parses and lowers files in build order while this
/// one links and checks them (see [`Fragment`]).
pub(crate) fn compile_with_schema(
    resolver: &dyn FileResolver,
    roots: &[&str],
    options: &CompileOptions,
    schema: &Pool,
) -> Compilation {
    let (send, receive) = std::sync::mpsc::sync_channel::<Event>(PARSE_AHEAD);
    let (send_spent, spent) = std::sync::mpsc::channel::<Box<Loaded>>();
    let (send_built, built) = std::sync::mpsc::channel::<Counts>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut loader = Loader {
                resolver,
                options,
                state: HashMap::new(),
                stack: Vec::new(),
                pending: HashMap::new(),
                next: Counts::default(),
                send,
                spent,
                built,
            };
            for root in roots {
                if !loader.visit(root) {
                    break;
                }
            }
        });
        build_all(receive, &send_spent, &send_built, roots, options, schema)
    })
}

/// Builds files as the loader sends them.
fn build_all(
    receive: std::sync::mpsc::Receiver<Event>,
    spent: &std::sync::mpsc::Sender<Box<Loaded>>,
    built: &std::sync::mpsc::Sender<Counts>,
    roots: &[&str],
    options: &CompileOptions,
    schema: &Pool,
) -> Compilation {
    let mut diagnostics = Vec::new();
    let mut pool = Pool::default();
    let mut missing: HashMap<String, ResolveError> = HashMap::new();
    let mut failed_files: HashSet<String> = HashSet::new();
    for event in receive {
        match event {
            Event::Missing { name, error } => {
                if roots.contains(&name.as_str()) {
                    diagnostics.push(
                        Diagnostic::error(DiagnosticKind::FileNotFound, error.to_string())
                            .in_file(name.clone()),
                    );
                }
                failed_files.insert(name.clone());
                missing.insert(name, error);
            }
            Event::Cycle(diag) => {
                if let Some(file) = diag.file.clone() {
                    failed_files.insert(file);
                }
                diagnostics.push(diag);
            }
            Event::Descriptor { name, bytes } => {
                if !build_descriptor(
                    &mut pool,
                    &name,
                    &bytes,
                    &missing,
                    &failed_files,
                    &mut diagnostics,
                ) {
                    failed_files.insert(name);
                }
                // The loader waits for this to lower the next file.
                let _ = built.send(Counts::of(&pool));
            }
            Event::File { name, mut loaded } => {
                let id = FileId::from_index(pool.files.len());
                let before = diagnostics.len();
                let is_root = roots.contains(&name.as_str());
                build_file(
                    &mut pool,
                    schema,
                    id,
                    &name,
                    &mut loaded,
                    options,
                    &mut diagnostics,
                    &missing,
                    &failed_files,
                    is_root,
                );
                if diagnostics[before..].iter().any(Diagnostic::is_error) {
                    failed_files.insert(name);
                }
                // Once the loader is done, what is left is freed here.
                let _ = spent.send(loaded);
            }
        }
    }
    let mut root_ids = Vec::new();
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
            crate::validate::command_line_checks(&pool, schema, *id, &mut found);
            for f in found {
                diagnostics
                    .push(Diagnostic::error(f.kind, f.message).in_file(pool[*id].name.clone()));
            }
        }
    }
    // protoc refuses to generate from files of editions newer than it supports
    // (edition UNSTABLE compiles, but only with --experimental_editions).
    if !diagnostics.iter().any(Diagnostic::is_error) {
        for id in &root_ids {
            let edition = pool[*id].edition;
            let name = pool[*id].name.as_str();
            // protoc exempts its own test and library files (`CanSkipEditionCheck`).
            let exempt = [
                "google/protobuf/",
                "upb/",
                "com/google/protobuf/",
                "conformance/test_protos/",
                "test_messages_edition_unstable",
            ]
            .iter()
            .any(|p| name.starts_with(p));
            if edition > crate::features::MAXIMUM_EDITION && !exempt {
                diagnostics.push(
                    Diagnostic::error(
                        DiagnosticKind::Feature,
                        format!(
                            "is a file using edition {}, which is later than the protoc maximum supported edition {}.",
                            edition.display_name(),
                            crate::features::MAXIMUM_EDITION.display_name()
                        ),
                    )
                    .in_file(pool[*id].name.clone()),
                );
                break;
            }
        }
    }
    Compilation {
        pool,
        files: root_ids,
        diagnostics,
    }
}

/// Adds a file from a descriptor set to the pool, as protoc's descriptor
/// pool builds a file from its fallback database: every import must have
/// been built without errors, and every name must resolve. False when an
/// error was reported (messages have no line and column: there is no
/// source).
fn build_descriptor(
    pool: &mut Pool,
    name: &str,
    bytes: &[u8],
    missing: &HashMap<String, ResolveError>,
    failed: &HashSet<String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let mut ok = true;
    for import in crate::decode::file_imports(bytes).unwrap_or_default() {
        if !pool.files_by_name.contains_key(&import) || failed.contains(&import) {
            if let Some(e) = missing.get(&import) {
                diagnostics.push(Diagnostic::error(
                    DiagnosticKind::FileNotFound,
                    format!("{import}: {e}"),
                ));
            }
            diagnostics.push(
                Diagnostic::error(
                    DiagnosticKind::Import,
                    format!("Import \"{import}\" was not found or had errors."),
                )
                .in_file(name),
            );
            ok = false;
        }
    }
    if let Err(error) = crate::decode::file_into_pool(pool, bytes) {
        diagnostics
            .push(Diagnostic::error(DiagnosticKind::Invalid, error.to_string()).in_file(name));
        ok = false;
    }
    ok
}

#[allow(clippy::too_many_arguments)]
fn build_file(
    pool: &mut Pool,
    schema: &Pool,
    id: FileId,
    name: &str,
    file: &mut Loaded,
    options: &CompileOptions,
    diagnostics: &mut Vec<Diagnostic>,
    missing: &HashMap<String, ResolveError>,
    failed: &HashSet<String>,
    is_root: bool,
) {
    let first_diagnostic = diagnostics.len();
    let Loaded {
        source,
        lines,
        fragment,
        lowered,
        diagnostics: found,
    } = file;
    let position = |span: protoforge_syntax::Span| position(name, source, lines, span);
    if !pool.append(std::mem::take(fragment)) {
        diagnostics.push(
            Diagnostic::error(
                DiagnosticKind::Invalid,
                "internal error: files were built out of the order they were lowered in",
            )
            .in_file(name),
        );
        return;
    }
    pool.files_by_name.insert(name.to_string(), id);
    // Lowering's diagnostics, with the package clashes protoc reports while
    // parsing the package statement in their place.
    let mut packages = lowered.packages.iter().peekable();
    let mut add_packages = |before: Option<usize>, pool: &mut Pool, diagnostics: &mut Vec<_>| {
        while let Some(p) = packages.next_if(|p| before.is_none_or(|b| p.diagnostics_before <= b)) {
            for message in lower::add_package(pool, id, &p.name) {
                diagnostics.push(
                    Diagnostic::error(DiagnosticKind::DuplicateName, message).at(position(p.span)),
                );
            }
        }
    };
    for (i, diag) in found.drain(..).enumerate() {
        add_packages(Some(i), pool, diagnostics);
        diagnostics.push(diag);
    }
    add_packages(None, pool, diagnostics);

    // protoc refuses packages that are too long or too deep before anything else.
    if let (Some(package), Some(span)) = (pool[id].package.clone(), lowered.package_span) {
        let message = if package.as_str().len() > MAX_PACKAGE_NAME {
            Some("Package name is too long")
        } else if package.as_str().matches('.').count() > MAX_PACKAGE_DEPTH {
            Some("Exceeds Maximum Package Depth")
        } else {
            None
        };
        if let Some(message) = message {
            diagnostics
                .push(Diagnostic::error(DiagnosticKind::Invalid, message).at(position(span)));
            return;
        }
    }
    let locations = lowered.locations.take();
    lower::register_symbols(pool, id, lowered, &mut |span, message| {
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
        if !pool.files_by_name.contains_key(&import.name) || failed.contains(&import.name) {
            let message = match missing.get(&import.name) {
                Some(e) => format!("{}: {e}", import.name),
                None => String::new(),
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
        if let (Some(message), Some(span)) = (message, lowered.syntax_span) {
            diagnostics
                .push(Diagnostic::error(DiagnosticKind::Feature, message).at(position(span)));
            edition_ok = false;
        }
    }
    let checks = |pool: &Pool,
                  f: fn(&mut crate::validate::Checker<'_>),
                  diagnostics: &mut Vec<Diagnostic>| {
        let mut checker = crate::validate::Checker {
            pool,
            file: id,
            lowered,
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
    let mut report = |severity: crate::diagnostic::Severity,
                      kind: DiagnosticKind,
                      span: Option<protoforge_syntax::Span>,
                      message: String| {
        let diag = match severity {
            crate::diagnostic::Severity::Error => Diagnostic::error(kind, message),
            crate::diagnostic::Severity::Warning => Diagnostic::warning(kind, message),
        };
        diagnostics.push(match span {
            Some(span) => diag.at(position(span)),
            None => diag.in_file(name),
        });
    };
    let mut visibility = crate::link::Visibility::new(pool, id);
    crate::link::link_file(pool, id, lowered, &mut visibility, &mut report);
    checks(pool, crate::validate::link_checks, &mut *diagnostics);

    if !edition_ok {
        return;
    }
    let sets = &lowered.option_sets;
    let mut state = crate::options::OptionState::new(sets.len(), options.source_info);
    let written = {
        let mut interpreter = crate::options::Interpreter {
            file: id,
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
            file: id,
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
                        crate::lower::OptionTarget::File(_) => lowered.syntax_span,
                        other => feature_target_span(lowered, *other),
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
        let mut targets: Vec<_> = written.0.iter().collect();
        targets.sort_by_key(|(t, _)| format!("{t:?}"));
        for (target, (features, _)) in targets {
            if features.is_empty() {
                continue;
            }
            let message = "Features are only valid under editions.".to_string();
            let span = match target {
                crate::lower::OptionTarget::File(_) => lowered.syntax_span,
                other => feature_target_span(lowered, *other),
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
    let naming_ok = !diagnostics[first_diagnostic..]
        .iter()
        .any(Diagnostic::is_error);
    if is_root
        && options.unused_import_warnings
        && !diagnostics[first_diagnostic..]
            .iter()
            .any(Diagnostic::is_error)
    {
        // protoc reports them in hash-set order, which changes from run to
        // run; source order is the deterministic choice.
        for import in &lowered.imports {
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
    if naming_ok {
        checks(pool, crate::validate::naming_checks, &mut *diagnostics);
    }
    if !diagnostics[first_diagnostic..]
        .iter()
        .any(Diagnostic::is_error)
    {
        checks(pool, crate::validate::visibility_checks, &mut *diagnostics);
    }
    if !diagnostics[first_diagnostic..]
        .iter()
        .any(Diagnostic::is_error)
    {
        let mut checker = crate::validate::Checker {
            pool,
            file: id,
            lowered,
            found: Vec::new(),
        };
        crate::validate::lifetime_checks(&mut checker, schema);
        for found in checker.found {
            // Deprecation warnings are only reported for requested files.
            if found.severity == crate::diagnostic::Severity::Warning && !is_root {
                continue;
            }
            let diag = match found.severity {
                crate::diagnostic::Severity::Error => {
                    Diagnostic::error(DiagnosticKind::Feature, found.message)
                }
                crate::diagnostic::Severity::Warning => {
                    Diagnostic::warning(DiagnosticKind::Feature, found.message)
                }
            };
            diagnostics.push(match found.span {
                Some(span) => diag.at(position(span)),
                None => diag.in_file(name),
            });
        }
    }

    let mut locations = locations;
    if let Some(locations) = locations.as_mut() {
        crate::source_info::apply_interpreted_paths(locations, &state.interpreted_paths);
    }
    pool.files[id.index()].source_code_info = locations
        .as_deref()
        .map(crate::ir::SourceCodeInfo::from_locations);
    // The decoded locations go back to the loader with the rest.
    lowered.locations = locations;
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
