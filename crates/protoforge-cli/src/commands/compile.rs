//! Acting on a protoc command line (see `config::protoc`), step by step in
//! the order of protoc 35.1's `CommandLineInterface::Run`:
//!
//! 1. expand directory and glob inputs (ours);
//! 2. read `--descriptor_set_in`;
//! 3. map each input to its import name through the `-I` paths, with
//!    protoc's messages for inputs outside them or shadowed;
//! 4. compile, printing diagnostics in the chosen format (warnings switched
//!    off with `--allow` are dropped);
//! 5. the checks protoc makes on the parsed files (`--disallow_services`,
//!    `--direct_dependencies`, `--option_dependencies`, protoc's maximum
//!    edition);
//! 6. run the plugins (all at once) and apply their responses in order;
//! 7. write plugin outputs, `--dependency_out`, `-o`;
//! 8. fail on errors, or on warnings with `--fatal_warnings`;
//! 9. `--print_free_field_numbers`, `--decode_raw`.
//!
//! Messages go to `err` as soon as they arise, so they interleave with what
//! plugins print on the shared stderr as protoc's would.

use std::collections::BTreeSet;
use std::io::{self, Read, Write};

use protoforge_compiler::ir::{Edition, FileId, Pool};
use protoforge_compiler::resolve::{
    Chain, DescriptorSets, DiskToVirtual, FileResolver, IncludePaths, SetError,
};
use protoforge_compiler::text_format;
use protoforge_compiler::{
    Compilation, CompileOptions, DescriptorSetOptions, Diagnostic, DiagnosticKind, SetConflict,
    builtin,
};

use super::Status;
use super::{codec, depfile, free_fields, pool};
use crate::config::protoc::{Compile, ErrorFormat, Mode, Output, Program};
use crate::generated::{Generated, describe, location_key};
use crate::plugin::codec::{Request, Response, ResponseFile};
use crate::plugin::run::{Job, Outcome, run_all};
use crate::plugin::{
    self, PLUGINS_WITHOUT_JSON_NAME, check_features, compiler_version, is_bootstrap, json_names,
};
use crate::render::{Report, render};

/// Warnings protoc writes to its log instead of reporting them (so they
/// never fail `--fatal_warnings`): printed, but not counted.
const LOGGED_BY_PROTOC: &[&str] = &["missing-syntax"];

/// The newest edition protoc 35.1 compiles (`ProtocMaximumEdition`).
const PROTOC_MAXIMUM_EDITION: i32 = 1001;

/// Where in protoc 35.1's source (`descriptor_database.cc`) the log line
/// for each way its index refuses a descriptor set comes from.
fn set_conflict_location(conflict: &SetConflict) -> &'static str {
    match conflict {
        SetConflict::InvalidSymbol { .. } => "descriptor_database.cc:207",
        SetConflict::UnderExisting { .. } => "descriptor_database.cc:222",
        SetConflict::OverExisting { .. } => "descriptor_database.cc:237",
        SetConflict::Extension { .. } => "descriptor_database.cc:279",
    }
}

/// Runs a protoc command line. `stdin` is read by `--decode_raw`.
pub(crate) fn run(
    compile: &Compile,
    stdin: &mut dyn Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    Runner { c: compile, err }.run(stdin, out)
}

struct Runner<'a> {
    c: &'a Compile,
    err: &'a mut dyn Write,
}

/// What compiling gave: the pool, the inputs' ids, and whether a reported
/// diagnostic was an error or a warning.
struct Compiled {
    pool: Pool,
    inputs: Vec<FileId>,
    found_errors: bool,
    found_warnings: bool,
}

impl Runner<'_> {
    fn say(&mut self, text: &str) -> io::Result<()> {
        self.err.write_all(text.as_bytes())?;
        self.err.flush()
    }

    fn fail(&mut self, line: &str) -> io::Result<Status> {
        self.say(line)?;
        self.say("\n")?;
        Ok(Status::Failed)
    }

    fn run(&mut self, stdin: &mut dyn Read, out: &mut dyn Write) -> io::Result<Status> {
        let c = self.c;
        let inputs = match crate::inputs::expand(&c.inputs) {
            Ok(inputs) => inputs,
            Err(e) => return self.fail(&e.to_string()),
        };
        if c.dependency_out.is_some() && inputs.len() > 1 {
            return self.fail("Can only process one input file when using --dependency_out=FILE.");
        }
        let mut sets = DescriptorSets::new();
        for name in &c.descriptor_set_in {
            // protoc names ENOENT whatever the reason the file did not open.
            let Ok(bytes) = std::fs::read(name) else {
                return self.fail(&format!("{name}: No such file or directory"));
            };
            match sets.add_set(&bytes) {
                Ok(_) => {}
                Err(SetError::Unparsable(_)) => {
                    return self.fail(&format!("{name}: Unable to parse."));
                }
                // protoc only logs why its index refused the set, and stops.
                Err(SetError::Conflict(conflict)) => {
                    crate::absl::log_error(
                        self.err,
                        set_conflict_location(&conflict),
                        &conflict.to_string(),
                    )?;
                    return Ok(Status::Failed);
                }
            }
        }
        let mut include_paths = IncludePaths::new();
        for path in &c.proto_paths {
            include_paths.map(&path.virtual_prefix, &path.disk);
        }
        let mut names = Vec::with_capacity(inputs.len());
        if c.proto_paths.is_empty() {
            // Only the descriptor sets: inputs are names in them.
            for input in &inputs {
                if !sets.contains(input) {
                    return self.fail(&format!(
                        "Could not find file in descriptor database: {input}: No such file or \
                         directory"
                    ));
                }
                if c.disallow_services && sets.has_services(input) {
                    return self.fail(&format!(
                        "{input}: This file contains services, but --disallow_services was used."
                    ));
                }
                names.push(input.clone());
            }
        } else {
            for input in &inputs {
                match self.map_input(&include_paths, &sets, input)? {
                    Some(name) => names.push(name),
                    None => return Ok(Status::Failed),
                }
            }
        }

        let compiled = if names.is_empty() {
            None
        } else {
            match self.compile(&include_paths, &sets, &names)? {
                Some(compiled) => Some(compiled),
                None => return Ok(Status::Failed),
            }
        };
        // The process ends right after this run: freeing the pool element by
        // element would only cost time (a few percent of a large compile),
        // the OS takes the memory back at exit.
        let compiled = std::mem::ManuallyDrop::new(compiled);
        let compiled: &Option<Compiled> = &compiled;

        if let Some(compiled) = compiled {
            if !self.check_parsed(compiled)? {
                return Ok(Status::Failed);
            }
            if matches!(c.mode, Mode::Compile) && !self.generate(compiled, &include_paths)? {
                return Ok(Status::Failed);
            }
        }

        match &c.mode {
            Mode::Encode(type_name) | Mode::Decode(type_name) => {
                let direction = match &c.mode {
                    Mode::Encode(_) => codec::Direction::Encode,
                    _ => codec::Direction::Decode,
                };
                let empty = Pool::default();
                let fallback;
                let pool = match &compiled {
                    Some(compiled) if compiled.pool.message_by_name(type_name).is_some() => {
                        &compiled.pool
                    }
                    // protoc finds the type in the descriptor sets even when
                    // no input file imports it.
                    _ if !sets.is_empty() => {
                        let every: Vec<String> = sets.names().map(str::to_string).collect();
                        fallback = self.compile(&include_paths, &sets, &every)?;
                        match &fallback {
                            Some(all) => &all.pool,
                            None => return Ok(Status::Failed),
                        }
                    }
                    Some(compiled) => &compiled.pool,
                    None => &empty,
                };
                let ok = codec::run(
                    pool,
                    type_name,
                    direction,
                    c.error_format,
                    c.fatal_warnings,
                    c.deterministic_output,
                    stdin,
                    out,
                    self.err,
                )?;
                if !ok {
                    return Ok(Status::Failed);
                }
            }
            Mode::DecodeRaw => {
                let mut input = Vec::new();
                stdin.read_to_end(&mut input)?;
                match text_format::print_unknown(&input) {
                    Some(text) => out.write_all(text.as_bytes())?,
                    None => return self.fail("Failed to parse input."),
                }
            }
            Mode::Compile | Mode::PrintFreeFieldNumbers => {}
        }
        if let Some(compiled) = compiled {
            if compiled.found_errors || (c.fatal_warnings && compiled.found_warnings) {
                return Ok(Status::Failed);
            }
            if c.mode == Mode::PrintFreeFieldNumbers {
                let mut text = String::new();
                for &file in &compiled.inputs {
                    for &message in &compiled.pool[file].messages {
                        free_fields::render(
                            &pool::message_numbers(&compiled.pool, message),
                            &mut text,
                        );
                    }
                }
                out.write_all(text.as_bytes())?;
            }
        }
        Ok(Status::Clean)
    }

    /// protoc's `MakeProtoProtoPathRelative`: the import name of an input
    /// given by disk path or by import name.
    fn map_input(
        &mut self,
        paths: &IncludePaths,
        sets: &DescriptorSets,
        input: &str,
    ) -> io::Result<Option<String>> {
        let in_sets = sets.contains(input);
        if std::fs::metadata(input).is_err() {
            if paths.virtual_to_disk(input).is_ok()
                || in_sets
                || builtin::GoogleFiles.open(input).is_ok()
            {
                return Ok(Some(input.to_string()));
            }
            self.fail(&format!(
                "Could not make proto path relative: {input}: No such file or directory"
            ))?;
            return Ok(None);
        }
        let message = match paths.disk_to_virtual(input) {
            DiskToVirtual::Mapped(name) => return Ok(Some(name)),
            DiskToVirtual::Shadowed { shadowing, .. } => format!(
                "{input}: Input is shadowed in the --proto_path by \"{shadowing}\".  Either use \
                 the latter file as your input or reorder the --proto_path so that the former \
                 file's location comes first."
            ),
            DiskToVirtual::CannotOpen(_) if in_sets => return Ok(Some(input.to_string())),
            DiskToVirtual::CannotOpen(reason) => format!(
                "Could not map to virtual file: {input}: {}",
                strip_os_error(&reason)
            ),
            DiskToVirtual::NoMapping => {
                if paths.virtual_to_disk(input).is_ok() || in_sets {
                    return Ok(Some(input.to_string()));
                }
                format!(
                    "{input}: File does not reside within any path specified using --proto_path \
                     (or -I).  You must specify a --proto_path which encompasses this file.  Note \
                     that the proto_path must be an exact prefix of the .proto file names -- \
                     protoc is too dumb to figure out when two paths (e.g. absolute and relative) \
                     are equivalent (it's harder than you think)."
                )
            }
        };
        self.fail(&message)?;
        Ok(None)
    }

    /// Compiles the inputs and prints the diagnostics; `None` when there
    /// was an error.
    fn compile(
        &mut self,
        paths: &IncludePaths,
        sets: &DescriptorSets,
        names: &[String],
    ) -> io::Result<Option<Compiled>> {
        let sets = sets.clone();
        // protoc looks in the source tree first, then in the descriptor
        // sets; with no `-I` at all, only in the sets.
        let only_sets = self.c.proto_paths.is_empty();
        let resolver = if only_sets {
            Chain::new().with(sets)
        } else {
            Chain::new()
                .with(paths.clone())
                .with(sets)
                .with(builtin::GoogleFiles)
        };
        let roots: Vec<&str> = names.iter().map(String::as_str).collect();
        let options = CompileOptions {
            // Source info is written by `--include_source_info` and sent to
            // plugins; recording it is a good part of a compile's time and
            // memory, so it is only built when some output needs it.
            source_info: self.c.include_source_info || !self.c.outputs.is_empty(),
            // Comments on elements are for code generators (plugins get
            // them through source info, the built-in Rust generator from
            // the elements).
            comments: !self.c.outputs.is_empty(),
            // The rich form shows the source line of each diagnostic.
            keep_sources: self.c.error_format == ErrorFormat::Rich,
            ..CompileOptions::default()
        };
        let Compilation {
            pool,
            files,
            diagnostics,
        } = protoforge_compiler::compile(&resolver, &roots, &options);
        let mut found_errors = false;
        let mut found_warnings = false;
        for diagnostic in &diagnostics {
            let kind = kind_name(diagnostic.kind);
            if !diagnostic.is_error() && self.c.allowed_warnings.contains(&kind) {
                continue;
            }
            // With only descriptor sets there is no source tree to say that a
            // file is missing; protoc reports the import alone.
            if only_sets && diagnostic.kind == DiagnosticKind::FileNotFound {
                found_errors = true;
                continue;
            }
            if diagnostic.is_error() {
                found_errors = true;
            } else if !LOGGED_BY_PROTOC.contains(&kind.as_str()) {
                found_warnings = true;
            }
            let text = self.render(&pool, paths, diagnostic, &kind);
            self.say(&text)?;
        }
        if found_errors || files.len() != names.len() {
            return Ok(None);
        }
        Ok(Some(Compiled {
            pool,
            inputs: files,
            found_errors,
            found_warnings,
        }))
    }

    fn render(
        &self,
        pool: &Pool,
        paths: &IncludePaths,
        diagnostic: &Diagnostic,
        kind: &str,
    ) -> String {
        let name = diagnostic
            .position
            .as_ref()
            .map(|p| p.file.as_str())
            .or(diagnostic.file.as_deref());
        // protoc names the file by its disk path when the include paths know it.
        let shown = name.map(|name| match paths.virtual_to_disk(name) {
            Ok(disk) => disk.display().to_string(),
            Err(_) => name.to_string(),
        });
        let source = name
            .and_then(|name| pool.file_by_name(name))
            .and_then(|file| pool[file].source.clone());
        let report = Report {
            file: shown.as_deref(),
            line_col: diagnostic.position.as_ref().map(|p| (p.line, p.col)),
            span: diagnostic.position.as_ref().map(|p| p.span),
            source: source.as_deref(),
            is_error: diagnostic.is_error(),
            kind,
            message: &diagnostic.message,
        };
        render(self.c.error_format, &report)
    }

    /// The checks protoc makes on each parsed input, then its maximum
    /// edition.
    fn check_parsed(&mut self, compiled: &Compiled) -> io::Result<bool> {
        let c = self.c;
        let pool = &compiled.pool;
        for &file in &compiled.inputs {
            let f = &pool[file];
            if c.disallow_services && !f.services.is_empty() {
                self.fail(&format!(
                    "{}: This file contains services, but --disallow_services was used.",
                    f.name
                ))?;
                return Ok(false);
            }
            for (allow_list, dependencies) in [
                (&c.direct_dependencies, &f.dependencies),
                (&c.option_dependencies, &f.option_dependencies),
            ] {
                let Some(allow_list) = allow_list else {
                    continue;
                };
                let mut violated = false;
                for dependency in dependencies {
                    if !allow_list.allowed.contains(&dependency.name) {
                        violated = true;
                        let message = allow_list.violation_message.replace("%s", &dependency.name);
                        self.say(&format!("{}: {message}\n", f.name))?;
                    }
                }
                if violated {
                    return Ok(false);
                }
            }
        }
        if !c.experimental_editions {
            for &file in &compiled.inputs {
                let f = &pool[file];
                if plugin::skips_edition_check(&f.name) {
                    continue;
                }
                if f.edition.0 > PROTOC_MAXIMUM_EDITION {
                    self.fail(&format!(
                        "{}: is a file using edition {}, which is later than the protoc maximum \
                         supported edition {}.",
                        f.name,
                        plugin::edition_name(f.edition.0),
                        plugin::edition_name(PROTOC_MAXIMUM_EDITION),
                    ))?;
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// Plugins, then every output file. False when something failed (and
    /// was reported).
    fn generate(&mut self, compiled: &Compiled, paths: &IncludePaths) -> io::Result<bool> {
        let c = self.c;
        let pool = &compiled.pool;
        // External plugins run as subprocesses, all at once; the built-in
        // Rust generator runs here, on the compiled pool.
        let external: Vec<&Output> = c
            .outputs
            .iter()
            .filter(|output| output.program != Program::BuiltinRust)
            .collect();
        let jobs: Vec<Job<'_>> = external
            .iter()
            .map(|output| Job {
                program: &output.program,
                request: request(pool, &compiled.inputs, output).encode(),
                codegen_trace: c.codegen_trace,
            })
            .collect();
        let mut external_outcomes = run_all(&jobs).into_iter();
        let outcomes: Vec<Outcome> = c
            .outputs
            .iter()
            .map(|output| match output.program {
                Program::BuiltinRust => builtin_rust(pool, &compiled.inputs, &output.parameter),
                _ => external_outcomes.next().unwrap_or_else(|| Outcome {
                    stderr: String::new(),
                    result: Err("internal error: a plugin's outcome is missing".into()),
                }),
            })
            .collect();
        let facts: Vec<plugin::FileFacts> = compiled
            .inputs
            .iter()
            .map(|&file| pool::facts(pool, file))
            .collect();
        // Output locations in order of first appearance, each with its files.
        let mut locations: Vec<(String, Generated)> = Vec::new();
        for (output, outcome) in c.outputs.iter().zip(outcomes) {
            self.say(&outcome.stderr)?;
            let response = match outcome.result {
                Ok(response) => response,
                Err(error) => {
                    self.fail(&format!("{}: {}: {error}", output.flag, output.plugin))?;
                    return Ok(false);
                }
            };
            let key = location_key(&output.location);
            let at = match locations.iter().position(|(k, _)| *k == key) {
                Some(at) => at,
                None => {
                    locations.push((key, Generated::default()));
                    locations.len() - 1
                }
            };
            let mut messages = String::new();
            let applied = locations[at]
                .1
                .apply(&response, &output.plugin, &mut messages);
            self.say(&messages)?;
            if let Err(error) = applied {
                self.fail(&format!("{}: {error}", output.flag))?;
                return Ok(false);
            }
            let mut messages = String::new();
            let mut ok = check_features(
                &output.plugin,
                &response,
                &facts,
                c.experimental_editions,
                &mut messages,
            );
            self.say(&messages)?;
            let mut error = String::new();
            if !response.error.is_empty() {
                error = String::from_utf8_lossy(&response.error).into_owned();
                ok = false;
            }
            if !ok {
                self.fail(&format!("{}: {error}", output.flag))?;
                return Ok(false);
            }
        }

        for (key, generated) in &mut locations {
            let mut messages = String::new();
            let written = if key.ends_with('/') {
                generated.write_to_disk(key, c.unsafe_allow_out_dir_escape, &mut messages)
            } else {
                if key.ends_with(".jar") {
                    generated.add_jar_manifest();
                }
                generated.write_to_zip(key, &mut messages)
            };
            self.say(&messages)?;
            if !written {
                return Ok(false);
            }
        }

        if let Some(depfile_name) = &c.dependency_out {
            let mut targets = Vec::new();
            // protoc joins location and name as they are, archives included.
            for (key, generated) in &locations {
                targets.extend(generated.names().map(|name| depfile::target(key, name)));
            }
            targets.extend(c.descriptor_set_out.iter().cloned());
            targets.extend(c.edition_defaults_out.iter().cloned());
            let mut prerequisites = Vec::new();
            let mut unknown = None;
            for file in pool::transitive(pool, &compiled.inputs, &mut BTreeSet::new()) {
                let name = &pool[file].name;
                match paths.virtual_to_disk(name) {
                    Ok(disk) => prerequisites.push(disk.display().to_string()),
                    // Built-in files have no path; they never change for a given protoforge.
                    Err(_) if builtin::GoogleFiles.open(name).is_ok() => {}
                    Err(_) => {
                        unknown = Some(name.clone());
                        break;
                    }
                }
            }
            if let Err(e) = std::fs::write(depfile_name, depfile::render(&targets, &prerequisites))
            {
                self.fail(&format!("{depfile_name}: {}", describe(&e)))?;
                return Ok(false);
            }
            if let Some(name) = unknown {
                self.fail(&format!("Unable to identify path for file {name}"))?;
                return Ok(false);
            }
        }

        if let Some(out_name) = &c.descriptor_set_out {
            let options = DescriptorSetOptions {
                include_imports: c.include_imports,
                include_source_info: c.include_source_info,
                retain_options: c.retain_options,
            };
            // Written as it is encoded, so the set is never whole in memory.
            let written = std::fs::File::create(out_name).and_then(|file| {
                let mut out = io::BufWriter::with_capacity(1 << 16, file);
                pool.write_file_descriptor_set(&compiled.inputs, options, &mut out)?;
                out.flush()
            });
            if let Err(e) = written {
                self.fail(&format!("{out_name}: {}", describe(&e)))?;
                return Ok(false);
            }
        }

        if let Some(out_name) = &c.edition_defaults_out {
            if !self.write_edition_defaults(pool, out_name)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// protoc's `WriteEditionDefaults`: the defaults of `FeatureSet` and
    /// every extension of it in the pool, for the requested editions.
    fn write_edition_defaults(&mut self, pool: &Pool, out_name: &str) -> io::Result<bool> {
        use protoforge_compiler::edition_defaults::{self, DefaultsErrorKind};
        let c = self.c;
        // `UNKNOWN` (0) means the flag was not given, as in protoc.
        let pick = |flag: Option<i32>, default: Edition| match flag {
            Some(edition) if edition != Edition::UNKNOWN.0 => Edition(edition),
            _ => default,
        };
        let minimum = pick(c.edition_defaults_minimum, Edition::PROTO2);
        let maximum = pick(c.edition_defaults_maximum, Edition(PROTOC_MAXIMUM_EDITION));
        match edition_defaults::compile(pool, minimum, maximum) {
            Ok(bytes) => {
                if let Err(e) = std::fs::write(out_name, bytes) {
                    self.fail(&format!("{out_name}: {}", describe(&e)))?;
                    return Ok(false);
                }
                Ok(true)
            }
            Err(e) if e.kind() == DefaultsErrorKind::MissingFeatureSet => {
                self.fail(&format!(
                    "{out_name}: Could not find FeatureSet in descriptor pool.  Please make sure \
                     descriptor.proto is in your import path"
                ))?;
                Ok(false)
            }
            Err(e) => {
                self.fail(&format!("{out_name}: {e}"))?;
                Ok(false)
            }
        }
    }
}

/// `--rust_out` without a `--plugin` for it: protoforge's generator on the
/// compiled pool, answered as a plugin response so that it is written (and
/// its errors are reported) exactly like any plugin's output. It declares
/// the features `protoc-gen-protoforge` declares: proto3 `optional` and
/// editions up to 2024.
fn builtin_rust(pool: &Pool, inputs: &[FileId], parameter: &str) -> Outcome {
    let generated = protoforge_codegen::Config::from_parameter(parameter)
        .and_then(|config| protoforge_codegen::generate(pool, inputs, &config));
    let mut response = Response {
        supported_features: 1 | 2,
        minimum_edition: Edition::PROTO2.0,
        maximum_edition: Edition::E2024.0,
        ..Response::default()
    };
    match generated {
        Ok(files) => {
            response.files = files
                .into_iter()
                .map(|file| ResponseFile {
                    name: file.name,
                    content: file.content.into_bytes(),
                    ..ResponseFile::default()
                })
                .collect();
        }
        Err(error) => response.error = error.to_string().into_bytes(),
    }
    Outcome {
        stderr: String::new(),
        result: Ok(response),
    }
}

/// The `CodeGeneratorRequest` protoc sends for one output flag.
fn request(pool: &Pool, inputs: &[FileId], output: &Output) -> Request {
    let files = pool.descriptor_set_files(inputs, true);
    let wanted: BTreeSet<FileId> = inputs.iter().copied().collect();
    let bootstrap = is_bootstrap(&output.parameter);
    let json_name = !PLUGINS_WITHOUT_JSON_NAME.contains(&output.plugin.as_str());
    let full = DescriptorSetOptions {
        include_imports: true,
        include_source_info: true,
        retain_options: true,
    };
    let mut proto_files = Vec::with_capacity(files.len());
    let mut source_file_descriptors = Vec::new();
    for &file in &files {
        if wanted.contains(&file) {
            source_file_descriptors.push(pool.file_descriptor_proto(file, full));
            let stripped = DescriptorSetOptions {
                include_imports: true,
                include_source_info: !bootstrap,
                retain_options: false,
            };
            let mut bytes = pool.file_descriptor_proto(file, stripped);
            if bootstrap || !json_name {
                // The writer's own output always parses; keep it if it did not.
                bytes = json_names::strip(pool, file, &bytes).unwrap_or(bytes);
            }
            proto_files.push(bytes);
        } else {
            proto_files.push(pool.file_descriptor_proto(file, full));
        }
    }
    Request {
        files_to_generate: inputs.iter().map(|&f| pool[f].name.clone()).collect(),
        parameter: output.parameter.clone(),
        proto_files,
        source_file_descriptors,
        compiler_version: compiler_version(),
    }
}

/// A compiler diagnostic kind's stable kebab-case name (what `--allow`
/// takes and `--error_format=rich|json` shows).
pub(crate) fn kind_name(kind: DiagnosticKind) -> String {
    match kind {
        DiagnosticKind::Syntax(kind) => kind.name().to_string(),
        DiagnosticKind::FileNotFound => "file-not-found".into(),
        DiagnosticKind::Import => "import".into(),
        DiagnosticKind::UnusedImport => "unused-import".into(),
        DiagnosticKind::DuplicateName => "duplicate-name".into(),
        DiagnosticKind::UnresolvedName => "unresolved-name".into(),
        DiagnosticKind::Option => "option".into(),
        DiagnosticKind::Feature => "feature".into(),
        DiagnosticKind::Invalid => "invalid".into(),
        DiagnosticKind::Unsupported => "unsupported".into(),
        _ => "other".into(),
    }
}

/// An error message without Rust's ` (os error N)` suffix.
fn strip_os_error(text: &str) -> &str {
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => &text[..at],
        _ => text,
    }
}
