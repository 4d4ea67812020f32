//! protoc's command line, parsed the way protoc 35.1 parses it.
//!
//! People call protoforge from build scripts, Makefiles and Bazel rules
//! written for protoc, so the grammar and every usage message are protoc's:
//!
//! - `@FILE` arguments are replaced by the lines of FILE (one argument per
//!   line, no quoting; only on the real command line, not inside a file);
//! - `--name=value` or `--name value`; `-Xvalue` or `-X value` for the one-letter
//!   flags; a flag that needs a value takes the next argument unless that
//!   starts with `-`;
//! - the flags that take no value are exactly protoc's list;
//! - `--NAME_out=[PARAMS:]DIR` runs the plugin `protoc-gen-NAME`, and
//!   `--NAME_opt=PARAMS` adds parameters to it;
//! - the checks that involve several flags run after all flags are read, in
//!   protoc's order, and print protoc's words.
//!
//! Our own flags (`--error_format=rich|json`, `--allow`) use the same
//! grammar. The result is a [`Parsed`]: the text protoc would have printed to
//! stderr while parsing (warnings such as a missing `-I` directory, or the
//! usage error) and the [`Action`] to take.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;

/// protoc's separator for lists of paths in one flag value.
#[cfg(not(windows))]
pub(crate) const PATH_SEPARATOR: char = ':';
/// protoc's separator for lists of paths in one flag value.
#[cfg(windows)]
pub(crate) const PATH_SEPARATOR: char = ';';

/// The prefix of plugin executables: `--NAME_out` runs `protoc-gen-NAME`.
pub(crate) const PLUGIN_PREFIX: &str = "protoc-";

/// What the parser needs to know about the file system.
pub(crate) trait Host {
    /// Whether `path` names an existing file or directory (protoc's
    /// `access(path, F_OK)`).
    fn exists(&self, path: &str) -> bool;
    /// The bytes of the argument file `path`, or `None` if it cannot be read.
    fn read_argfile(&self, path: &str) -> Option<Vec<u8>>;
}

/// The real file system.
#[derive(Debug)]
pub(crate) struct FileSystem;

impl Host for FileSystem {
    fn exists(&self, path: &str) -> bool {
        std::fs::metadata(path).is_ok()
    }

    fn read_argfile(&self, path: &str) -> Option<Vec<u8>> {
        std::fs::read(path).ok()
    }
}

/// The result of parsing a protoc command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// What protoc prints on stderr while parsing: warnings, and the usage
    /// error when [`Parsed::action`] is [`Action::Fail`]. Each line ends in `\n`.
    pub(crate) stderr: String,
    /// What to do next.
    pub(crate) action: Action,
}

/// What a parsed protoc command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Print the help text (for the program named `program`) and exit with 0.
    Help {
        /// `argv[0]`, which the usage line names.
        program: String,
    },
    /// Print the version and exit with 0.
    Version,
    /// Print the notices (licences) and exit with 0.
    Notices,
    /// The command line is wrong (the message is in [`Parsed::stderr`]): exit with 1.
    Fail,
    /// Compile.
    Run(Box<Compile>),
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorFormat {
    /// protoc's default: `file:line:col: message`.
    Gcc,
    /// protoc's Visual Studio form: `file(line) : error in column=col: message`.
    Msvs,
    /// Ours: the kind, the source line and a caret, for people.
    Rich,
    /// Ours: one JSON object per line, for tools.
    Json,
}

/// What a run produces besides plugin outputs (protoc's "mode").
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Compile, write descriptor sets and run plugins.
    Compile,
    /// `--print_free_field_numbers`.
    PrintFreeFieldNumbers,
    /// `--encode=TYPE`.
    Encode(String),
    /// `--decode=TYPE`.
    Decode(String),
    /// `--decode_raw`.
    DecodeRaw,
}

/// One `-I` entry: files under the virtual prefix are looked up under `disk`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ProtoPath {
    /// The import-name prefix; empty for a plain `-I DIR`.
    pub(crate) virtual_prefix: String,
    /// The directory, as given.
    pub(crate) disk: String,
}

/// How to start a plugin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Program {
    /// The path given with `--plugin`, run as it is.
    Exact(String),
    /// A name looked up in `PATH` (`protoc-gen-NAME`).
    SearchPath(String),
    /// protoforge's own Rust generator, run in-process: `--rust_out` when no
    /// `--plugin=protoc-gen-rust=…` names another program. (protoc's
    /// `--rust_out` is its own upb-based generator; ours writes the code
    /// `protoforge-codegen` generates, as `protoc-gen-protoforge` does.)
    BuiltinRust,
}

/// The plugin name whose `--NAME_out` runs [`Program::BuiltinRust`].
pub(crate) const BUILTIN_RUST_PLUGIN: &str = "protoc-gen-rust";

/// One `--NAME_out` flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Output {
    /// The flag as written, `--NAME_out`, which protoc's messages name.
    pub(crate) flag: String,
    /// The plugin's name, `protoc-gen-NAME`.
    pub(crate) plugin: String,
    /// What to run.
    pub(crate) program: Program,
    /// The parameter sent to the plugin: the `PARAMS:` part of the flag, then
    /// every `--NAME_opt` value, joined with `,`.
    pub(crate) parameter: String,
    /// Where to write: a directory, or a `.zip`/`.jar`/`.srcjar` archive.
    pub(crate) location: String,
}

/// An allow-list of imports (`--direct_dependencies`, `--option_dependencies`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DependencyAllowList {
    /// The import names allowed.
    pub(crate) allowed: BTreeSet<String>,
    /// The message for a violation; `%s` stands for the import.
    pub(crate) violation_message: String,
}

/// Everything a protoc command line that compiles asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Compile {
    /// `-I`/`--proto_path` entries in order (`.` if neither they nor
    /// `--descriptor_set_in` were given).
    pub(crate) proto_paths: Vec<ProtoPath>,
    /// The input files as given (disk paths, import names, and, beyond
    /// protoc, directories and glob patterns).
    pub(crate) inputs: Vec<String>,
    /// `--descriptor_set_in` files.
    pub(crate) descriptor_set_in: Vec<String>,
    /// `-o`/`--descriptor_set_out`.
    pub(crate) descriptor_set_out: Option<String>,
    /// `--dependency_out`.
    pub(crate) dependency_out: Option<String>,
    /// `--include_imports`.
    pub(crate) include_imports: bool,
    /// `--include_source_info`.
    pub(crate) include_source_info: bool,
    /// `--retain_options`.
    pub(crate) retain_options: bool,
    /// `--error_format`.
    pub(crate) error_format: ErrorFormat,
    /// `--fatal_warnings`.
    pub(crate) fatal_warnings: bool,
    /// What to produce.
    pub(crate) mode: Mode,
    /// Plugin runs, in command-line order.
    pub(crate) outputs: Vec<Output>,
    /// Warning kinds switched off with `--allow`.
    pub(crate) allowed_warnings: BTreeSet<String>,
    /// `--direct_dependencies`.
    pub(crate) direct_dependencies: Option<DependencyAllowList>,
    /// `--option_dependencies`.
    pub(crate) option_dependencies: Option<DependencyAllowList>,
    /// `--disallow_services`.
    pub(crate) disallow_services: bool,
    /// `--unsafe_allow_out_dir_escape`.
    pub(crate) unsafe_allow_out_dir_escape: bool,
    /// `--deterministic_output`.
    pub(crate) deterministic_output: bool,
    /// `--experimental_editions`.
    pub(crate) experimental_editions: bool,
    /// `--enable_codegen_trace`.
    pub(crate) codegen_trace: bool,
    /// `--edition_defaults_out`.
    pub(crate) edition_defaults_out: Option<String>,
    /// `--edition_defaults_minimum`, as the `Edition` enum number.
    pub(crate) edition_defaults_minimum: Option<i32>,
    /// `--edition_defaults_maximum`, as the `Edition` enum number.
    pub(crate) edition_defaults_maximum: Option<i32>,
}

impl Default for Compile {
    fn default() -> Compile {
        Compile {
            proto_paths: Vec::new(),
            inputs: Vec::new(),
            descriptor_set_in: Vec::new(),
            descriptor_set_out: None,
            dependency_out: None,
            include_imports: false,
            include_source_info: false,
            retain_options: false,
            error_format: ErrorFormat::Gcc,
            fatal_warnings: false,
            mode: Mode::Compile,
            outputs: Vec::new(),
            allowed_warnings: BTreeSet::new(),
            direct_dependencies: None,
            option_dependencies: None,
            disallow_services: false,
            unsafe_allow_out_dir_escape: false,
            deterministic_output: false,
            experimental_editions: false,
            codegen_trace: false,
            edition_defaults_out: None,
            edition_defaults_minimum: None,
            edition_defaults_maximum: None,
        }
    }
}

/// The flags that never take a value (protoc's list).
const NO_VALUE_FLAGS: &[&str] = &[
    "-h",
    "--help",
    "--disallow_services",
    "--include_imports",
    "--include_source_info",
    "--retain_options",
    "--version",
    "--decode_raw",
    "--notices",
    "--experimental_editions",
    "--print_free_field_numbers",
    "--experimental_allow_proto3_optional",
    "--deterministic_output",
    "--unsafe_allow_out_dir_escape",
    "--fatal_warnings",
];

/// The names `--edition_defaults_minimum`/`_maximum` accept (the `Edition`
/// enum of descriptor.proto without its `EDITION_` prefix) and their numbers.
pub(crate) const EDITIONS: &[(&str, i32)] = &[
    ("UNKNOWN", 0),
    ("LEGACY", 900),
    ("PROTO2", 998),
    ("PROTO3", 999),
    ("2023", 1000),
    ("2024", 1001),
    ("2026", 1002),
    ("UNSTABLE", 9999),
    ("1_TEST_ONLY", 1),
    ("2_TEST_ONLY", 2),
    ("99997_TEST_ONLY", 99997),
    ("99998_TEST_ONLY", 99998),
    ("99999_TEST_ONLY", 99999),
    ("MAX", 0x7FFF_FFFF),
];

/// The default message for a `--direct_dependencies` violation.
const DIRECT_DEPENDENCIES_VIOLATION: &str =
    "File is imported but not declared in --direct_dependencies: %s";
/// The default message for an `--option_dependencies` violation.
const OPTION_DEPENDENCIES_VIOLATION: &str =
    "File is option imported but not declared in --option_dependencies: %s";

/// Parses a protoc command line (`args[0]` is the program name).
pub(crate) fn parse(args: Vec<OsString>, host: &dyn Host) -> Parsed {
    let mut args = args.into_iter();
    let program = args
        .next()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| "protoforge".to_string());
    let mut parser = Parser::new(program, host);
    let action = match parser.expand(args) {
        Some(arguments) => parser.parse(arguments),
        None => Action::Fail,
    };
    Parsed {
        stderr: parser.stderr,
        action,
    }
}

/// Why flag interpretation stopped early.
enum Stop {
    Help,
    Version,
    Notices,
    Fail,
}

struct Parser<'h> {
    host: &'h dyn Host,
    program: String,
    stderr: String,
    compile: Compile,
    /// `--NAME_opt` values by plugin name, joined with `,`, in the order the
    /// plugins were first named (protoc's order is its hash map's).
    plugin_parameters: Vec<(String, String)>,
    /// `--plugin` paths by plugin name.
    plugins: BTreeMap<String, String>,
    /// Output flags as written: (flag, parameter, location).
    outputs: Vec<(String, String, String)>,
    direct_dependencies: Option<BTreeSet<String>>,
    direct_dependencies_violation: String,
    option_dependencies: Option<BTreeSet<String>>,
    option_dependencies_violation: String,
    /// protoc compares these with `EDITION_UNKNOWN` to detect repeats.
    edition_defaults_minimum: i32,
    edition_defaults_maximum: i32,
}

impl<'h> Parser<'h> {
    fn new(program: String, host: &'h dyn Host) -> Parser<'h> {
        Parser {
            host,
            program,
            stderr: String::new(),
            compile: Compile::default(),
            plugin_parameters: Vec::new(),
            plugins: BTreeMap::new(),
            outputs: Vec::new(),
            direct_dependencies: None,
            direct_dependencies_violation: DIRECT_DEPENDENCIES_VIOLATION.to_string(),
            option_dependencies: None,
            option_dependencies_violation: OPTION_DEPENDENCIES_VIOLATION.to_string(),
            edition_defaults_minimum: 0,
            edition_defaults_maximum: 0,
        }
    }

    /// Replaces each `@FILE` argument by the lines of FILE.
    fn expand(&mut self, args: impl Iterator<Item = OsString>) -> Option<Vec<String>> {
        let mut arguments = Vec::new();
        for (position, arg) in args.enumerate() {
            let Some(arg) = arg.to_str().map(str::to_string) else {
                let shown = arg.to_string_lossy().into_owned();
                line(
                    &mut self.stderr,
                    format!("argument {} is not valid UTF-8: {shown}", position + 1),
                );
                return None;
            };
            let Some(file) = arg.strip_prefix('@') else {
                arguments.push(arg);
                continue;
            };
            match self.host.read_argfile(file) {
                Some(bytes) => arguments.extend(argfile_lines(&bytes)),
                None => {
                    line(
                        &mut self.stderr,
                        format!("Failed to open argument file: {file}"),
                    );
                    return None;
                }
            }
        }
        Some(arguments)
    }

    fn parse(&mut self, arguments: Vec<String>) -> Action {
        if arguments.is_empty() {
            return Action::Help {
                program: self.program.clone(),
            };
        }
        let mut i = 0;
        while i < arguments.len() {
            let (name, mut value, takes_next) = split_argument(&arguments[i]);
            if takes_next {
                match arguments.get(i + 1) {
                    Some(next) if !next.starts_with('-') => {
                        value = next.clone();
                        i += 1;
                    }
                    _ => {
                        line(&mut self.stderr, format!("Missing value for flag: {name}"));
                        if name == "--decode" {
                            line(
                                &mut self.stderr,
                                "To decode an unknown message, use --decode_raw.",
                            );
                        }
                        return Action::Fail;
                    }
                }
            }
            if let Err(stop) = self.interpret(&name, value) {
                return match stop {
                    Stop::Help => Action::Help {
                        program: self.program.clone(),
                    },
                    Stop::Version => Action::Version,
                    Stop::Notices => Action::Notices,
                    Stop::Fail => Action::Fail,
                };
            }
            i += 1;
        }
        match self.finish() {
            Ok(()) => Action::Run(Box::new(std::mem::take(&mut self.compile))),
            Err(()) => Action::Fail,
        }
    }

    /// protoc's `InterpretArgument`: one flag (or input file) at a time.
    fn interpret(&mut self, name: &str, value: String) -> Result<(), Stop> {
        let c = &mut self.compile;
        match name {
            "" => {
                if value.is_empty() {
                    let program = self.program.clone();
                    line(
                        &mut self.stderr,
                        format!(
                            "You seem to have passed an empty string as one of the arguments to \
                         {program}.  This is actually sort of hard to do.  Congrats.  \
                         Unfortunately it is not valid input so the program is going to die now."
                        ),
                    );
                    return Err(Stop::Fail);
                }
                c.inputs.push(value);
            }
            "-I" | "--proto_path" => self.proto_path(&value)?,
            "--direct_dependencies" => {
                if self.direct_dependencies.is_some() {
                    line(
                        &mut self.stderr,
                        format!(
                            "{name} may only be passed once. To specify multiple direct \
                         dependencies, pass them all as a single parameter separated by ':'."
                        ),
                    );
                    return Err(Stop::Fail);
                }
                self.direct_dependencies = Some(split_nonempty(&value, ':'));
            }
            "--direct_dependencies_violation_msg" => self.direct_dependencies_violation = value,
            "--option_dependencies" => {
                if self.option_dependencies.is_some() {
                    line(
                        &mut self.stderr,
                        format!(
                            "{name} may only be passed once. To specify multiple option \
                         dependencies, pass them all as a single parameter separated by ':'."
                        ),
                    );
                    return Err(Stop::Fail);
                }
                self.option_dependencies = Some(split_nonempty(&value, ':'));
            }
            "--option_dependencies_violation_msg" => self.option_dependencies_violation = value,
            "--descriptor_set_in" => {
                if !c.descriptor_set_in.is_empty() {
                    line(
                        &mut self.stderr,
                        format!(
                            "{name} may only be passed once. To specify multiple descriptor sets, \
                         pass them all as a single parameter separated by '{PATH_SEPARATOR}'."
                        ),
                    );
                    return Err(Stop::Fail);
                }
                if value.is_empty() {
                    line(
                        &mut self.stderr,
                        format!("{name} requires a non-empty value."),
                    );
                    return Err(Stop::Fail);
                }
                if c.dependency_out.is_some() {
                    line(
                        &mut self.stderr,
                        format!("{name} cannot be used with --dependency_out."),
                    );
                    return Err(Stop::Fail);
                }
                c.descriptor_set_in = split_nonempty_ordered(&value, PATH_SEPARATOR);
            }
            "-o" | "--descriptor_set_out" => {
                if c.descriptor_set_out.is_some() {
                    line(&mut self.stderr, format!("{name} may only be passed once."));
                    return Err(Stop::Fail);
                }
                if value.is_empty() {
                    line(
                        &mut self.stderr,
                        format!("{name} requires a non-empty value."),
                    );
                    return Err(Stop::Fail);
                }
                if c.mode != Mode::Compile {
                    line(
                        &mut self.stderr,
                        "Cannot use --encode or --decode and generate descriptors at the same time.",
                    );
                    return Err(Stop::Fail);
                }
                c.descriptor_set_out = Some(value);
            }
            "--dependency_out" => {
                if c.dependency_out.is_some() {
                    line(&mut self.stderr, format!("{name} may only be passed once."));
                    return Err(Stop::Fail);
                }
                if value.is_empty() {
                    line(
                        &mut self.stderr,
                        format!("{name} requires a non-empty value."),
                    );
                    return Err(Stop::Fail);
                }
                if !c.descriptor_set_in.is_empty() {
                    line(
                        &mut self.stderr,
                        format!("{name} cannot be used with --descriptor_set_in."),
                    );
                    return Err(Stop::Fail);
                }
                c.dependency_out = Some(value);
            }
            "--include_imports" => once(&mut c.include_imports, name, &mut self.stderr)?,
            "--include_source_info" => once(&mut c.include_source_info, name, &mut self.stderr)?,
            "--retain_options" => once(&mut c.retain_options, name, &mut self.stderr)?,
            "--fatal_warnings" => once(&mut c.fatal_warnings, name, &mut self.stderr)?,
            "-h" | "--help" => return Err(Stop::Help),
            "--version" => return Err(Stop::Version),
            "--notices" => return Err(Stop::Notices),
            "--disallow_services" => c.disallow_services = true,
            "--unsafe_allow_out_dir_escape" => c.unsafe_allow_out_dir_escape = true,
            // No longer has an effect in protoc; accepted for old scripts.
            "--experimental_allow_proto3_optional" => {}
            "--encode" | "--decode" | "--decode_raw" => {
                if c.mode != Mode::Compile {
                    line(
                        &mut self.stderr,
                        "Only one of --encode and --decode can be specified.",
                    );
                    return Err(Stop::Fail);
                }
                if !self.outputs.is_empty() || c.descriptor_set_out.is_some() {
                    line(
                        &mut self.stderr,
                        format!(
                            "Cannot use {name} and generate code or descriptors at the same time."
                        ),
                    );
                    return Err(Stop::Fail);
                }
                if value.is_empty() && name != "--decode_raw" {
                    line(
                        &mut self.stderr,
                        format!("Type name for {name} cannot be blank."),
                    );
                    if name == "--decode" {
                        line(
                            &mut self.stderr,
                            "To decode an unknown message, use --decode_raw.",
                        );
                    }
                    return Err(Stop::Fail);
                }
                if !value.is_empty() && name == "--decode_raw" {
                    line(&mut self.stderr, "--decode_raw does not take a parameter.");
                    return Err(Stop::Fail);
                }
                c.mode = match name {
                    "--encode" => Mode::Encode(value),
                    "--decode" => Mode::Decode(value),
                    _ => Mode::DecodeRaw,
                };
            }
            "--deterministic_output" => c.deterministic_output = true,
            "--error_format" => {
                c.error_format = match value.as_str() {
                    "gcc" => ErrorFormat::Gcc,
                    "msvs" => ErrorFormat::Msvs,
                    "rich" => ErrorFormat::Rich,
                    "json" => ErrorFormat::Json,
                    _ => {
                        line(&mut self.stderr, format!("Unknown error format: {value}"));
                        return Err(Stop::Fail);
                    }
                }
            }
            "--allow" => {
                for id in value.split(',').filter(|id| !id.is_empty()) {
                    if !is_diagnostic_id(id) {
                        line(
                            &mut self.stderr,
                            format!(
                                "--allow: \"{id}\" is not a diagnostic id (ids are kebab-case, \
                             as shown by --error_format=rich, e.g. unused-import)"
                            ),
                        );
                        return Err(Stop::Fail);
                    }
                    c.allowed_warnings.insert(id.to_string());
                }
            }
            "--plugin" => {
                let (plugin_name, path) = match value.split_once('=') {
                    Some((plugin_name, path)) => (plugin_name.to_string(), path.to_string()),
                    None => {
                        let base = value.rsplit('/').next().unwrap_or(&value);
                        (base.to_string(), value.clone())
                    }
                };
                self.plugins.insert(plugin_name, path);
            }
            "--print_free_field_numbers" => {
                if c.mode != Mode::Compile {
                    line(
                        &mut self.stderr,
                        format!(
                            "Cannot use {name} and use --encode, --decode or print other info at \
                         the same time."
                        ),
                    );
                    return Err(Stop::Fail);
                }
                if !self.outputs.is_empty() || c.descriptor_set_out.is_some() {
                    line(
                        &mut self.stderr,
                        format!(
                            "Cannot use {name} and generate code or descriptors at the same time."
                        ),
                    );
                    return Err(Stop::Fail);
                }
                c.mode = Mode::PrintFreeFieldNumbers;
            }
            "--enable_codegen_trace" => c.codegen_trace = true,
            "--experimental_editions" => c.experimental_editions = true,
            "--edition_defaults_out" => {
                if c.edition_defaults_out.is_some() {
                    line(&mut self.stderr, format!("{name} may only be passed once."));
                    return Err(Stop::Fail);
                }
                if value.is_empty() {
                    line(
                        &mut self.stderr,
                        format!("{name} requires a non-empty value."),
                    );
                    return Err(Stop::Fail);
                }
                if c.mode != Mode::Compile {
                    line(
                        &mut self.stderr,
                        "Cannot use --encode or --decode and generate defaults at the same time.",
                    );
                    return Err(Stop::Fail);
                }
                c.edition_defaults_out = Some(value);
            }
            "--edition_defaults_minimum" | "--edition_defaults_maximum" => {
                let minimum = name == "--edition_defaults_minimum";
                let current = if minimum {
                    self.edition_defaults_minimum
                } else {
                    self.edition_defaults_maximum
                };
                if current != 0 {
                    line(&mut self.stderr, format!("{name} may only be passed once."));
                    return Err(Stop::Fail);
                }
                let Some(&(_, edition)) = EDITIONS.iter().find(|(e, _)| *e == value) else {
                    line(
                        &mut self.stderr,
                        format!("{name} unknown edition \"{value}\"."),
                    );
                    return Err(Stop::Fail);
                };
                if minimum {
                    self.edition_defaults_minimum = edition;
                    c.edition_defaults_minimum = Some(edition);
                } else {
                    self.edition_defaults_maximum = edition;
                    c.edition_defaults_maximum = Some(edition);
                }
            }
            _ if name.ends_with("_out") => {
                if c.mode != Mode::Compile {
                    line(
                        &mut self.stderr,
                        "Cannot use --encode, --decode or print .proto info and generate code at \
                         the same time.",
                    );
                    return Err(Stop::Fail);
                }
                let (parameter, location) = match value.split_once(':') {
                    Some((parameter, location)) => (parameter.to_string(), location.to_string()),
                    None => (String::new(), value),
                };
                self.outputs.push((name.to_string(), parameter, location));
            }
            _ if name.starts_with("--") && name.ends_with("_opt") => {
                let plugin = plugin_name(name);
                let at = match self
                    .plugin_parameters
                    .iter()
                    .position(|(p, _)| *p == plugin)
                {
                    Some(at) => at,
                    None => {
                        self.plugin_parameters.push((plugin, String::new()));
                        self.plugin_parameters.len() - 1
                    }
                };
                let parameters = &mut self.plugin_parameters[at].1;
                if !parameters.is_empty() {
                    parameters.push(',');
                }
                parameters.push_str(&value);
            }
            _ => {
                line(&mut self.stderr, format!("Unknown flag: {name}"));
                return Err(Stop::Fail);
            }
        }
        Ok(())
    }

    /// One `-I` value: a list of `DIR` or `VIRTUAL=DIR` entries.
    fn proto_path(&mut self, value: &str) -> Result<(), Stop> {
        for part in value.split(PATH_SEPARATOR).filter(|p| !p.is_empty()) {
            let (mut virtual_prefix, mut disk) = match part.split_once('=') {
                Some((virtual_prefix, disk)) => (virtual_prefix, disk),
                None => ("", part),
            };
            if disk.is_empty() {
                line(
                    &mut self.stderr,
                    "--proto_path passed empty directory name.  (Use \".\" for current directory.)",
                );
                return Err(Stop::Fail);
            }
            if !self.host.exists(disk) {
                // The `=` may be part of a directory's name.
                if self.host.exists(part) {
                    virtual_prefix = "";
                    disk = part;
                } else {
                    line(
                        &mut self.stderr,
                        format!("{disk}: warning: directory does not exist."),
                    );
                }
            }
            self.compile.proto_paths.push(ProtoPath {
                virtual_prefix: virtual_prefix.to_string(),
                disk: disk.to_string(),
            });
        }
        Ok(())
    }

    /// The checks protoc makes once every flag is read, in protoc's order.
    fn finish(&mut self) -> Result<(), ()> {
        // Every --NAME_opt must belong to a plugin that runs (or is named by
        // --plugin); protoc lets --cpp_opt alone through for its C++ plugins.
        let mut unknown_option = false;
        let cpp = format!("{PLUGIN_PREFIX}gen-cpp");
        for (plugin, _) in &self.plugin_parameters {
            let runs = self.plugins.contains_key(plugin)
                || self
                    .outputs
                    .iter()
                    .any(|(flag, _, _)| plugin_name(flag) == *plugin);
            if !runs && *plugin != cpp {
                let short = &plugin[PLUGIN_PREFIX.len() + 4..];
                self.stderr
                    .push_str(&format!("Unknown flag: --{short}_opt\n"));
                unknown_option = true;
            }
        }
        if unknown_option {
            return Err(());
        }

        let c = &mut self.compile;
        if c.proto_paths.is_empty() && c.descriptor_set_in.is_empty() {
            c.proto_paths.push(ProtoPath {
                virtual_prefix: String::new(),
                disk: ".".to_string(),
            });
        }
        let missing_inputs = match c.mode {
            Mode::Compile => c.inputs.is_empty(),
            Mode::DecodeRaw => {
                if !c.inputs.is_empty() || !c.descriptor_set_in.is_empty() {
                    line(
                        &mut self.stderr,
                        "When using --decode_raw, no input files should be given.",
                    );
                    return Err(());
                }
                false
            }
            Mode::Encode(_) | Mode::Decode(_) | Mode::PrintFreeFieldNumbers => {
                c.inputs.is_empty() && c.descriptor_set_in.is_empty()
            }
        };
        let c = &self.compile;
        if missing_inputs {
            line(&mut self.stderr, "Missing input file.");
            return Err(());
        }
        if c.mode == Mode::Compile
            && self.outputs.is_empty()
            && c.descriptor_set_out.is_none()
            && c.edition_defaults_out.is_none()
        {
            line(&mut self.stderr, "Missing output directives.");
            return Err(());
        }
        if c.mode != Mode::Compile && c.dependency_out.is_some() {
            line(
                &mut self.stderr,
                "Can only use --dependency_out=FILE when generating code.",
            );
            return Err(());
        }
        if !matches!(c.mode, Mode::Encode(_)) && c.deterministic_output {
            line(
                &mut self.stderr,
                "Can only use --deterministic_output with --encode.",
            );
            return Err(());
        }
        if c.dependency_out.is_some() && c.inputs.len() > 1 {
            line(
                &mut self.stderr,
                "Can only process one input file when using --dependency_out=FILE.",
            );
            return Err(());
        }
        // These three only warn.
        let without_out = c.descriptor_set_out.is_none();
        if c.include_imports && without_out {
            line(
                &mut self.stderr,
                "--include_imports only makes sense when combined with --descriptor_set_out.",
            );
        }
        if c.include_source_info && without_out {
            line(
                &mut self.stderr,
                "--include_source_info only makes sense when combined with --descriptor_set_out.",
            );
        }
        if c.retain_options && without_out {
            line(
                &mut self.stderr,
                "--retain_options only makes sense when combined with --descriptor_set_out.",
            );
        }

        let outputs = std::mem::take(&mut self.outputs);
        self.compile.outputs = outputs
            .into_iter()
            .map(|(flag, mut parameter, location)| {
                let plugin = plugin_name(&flag);
                if let Some((_, extra)) = self.plugin_parameters.iter().find(|(p, _)| *p == plugin)
                {
                    if !extra.is_empty() {
                        if !parameter.is_empty() {
                            parameter.push(',');
                        }
                        parameter.push_str(extra);
                    }
                }
                let program = match self.plugins.get(&plugin) {
                    Some(path) => Program::Exact(path.clone()),
                    None if plugin == BUILTIN_RUST_PLUGIN => Program::BuiltinRust,
                    None => Program::SearchPath(plugin.clone()),
                };
                Output {
                    flag,
                    plugin,
                    program,
                    parameter,
                    location,
                }
            })
            .collect();
        self.compile.direct_dependencies =
            self.direct_dependencies
                .take()
                .map(|allowed| DependencyAllowList {
                    allowed,
                    violation_message: self.direct_dependencies_violation.clone(),
                });
        self.compile.option_dependencies =
            self.option_dependencies
                .take()
                .map(|allowed| DependencyAllowList {
                    allowed,
                    violation_message: self.option_dependencies_violation.clone(),
                });
        Ok(())
    }
}

/// Appends one line of output to `stderr`.
fn line(stderr: &mut String, text: impl AsRef<str>) {
    stderr.push_str(text.as_ref());
    stderr.push('\n');
}

/// Sets a flag that may be given once (`--include_imports` and friends).
fn once(flag: &mut bool, name: &str, stderr: &mut String) -> Result<(), Stop> {
    if *flag {
        stderr.push_str(&format!("{name} may only be passed once.\n"));
        return Err(Stop::Fail);
    }
    *flag = true;
    Ok(())
}

/// protoc's `ParseArgument`: the flag name (empty for an input file), the
/// value found in the argument itself, and whether the value is the next
/// argument instead.
fn split_argument(arg: &str) -> (String, String, bool) {
    let (name, value, has_value) = if !arg.starts_with('-') || arg == "-" {
        // An input file ("-" too: it then fails as a missing file).
        (String::new(), arg.to_string(), true)
    } else if let Some(long) = arg.strip_prefix("--") {
        match long.split_once('=') {
            Some((name, value)) => (format!("--{name}"), value.to_string(), true),
            None => (arg.to_string(), String::new(), false),
        }
    } else {
        // One dash: one character of name, the rest is the value.
        let split = arg
            .char_indices()
            .nth(2)
            .map_or(arg.len(), |(index, _)| index);
        let value = &arg[split..];
        (
            arg[..split].to_string(),
            value.to_string(),
            !value.is_empty(),
        )
    };
    let takes_next = !has_value && !NO_VALUE_FLAGS.contains(&name.as_str());
    (name, value, takes_next)
}

/// `protoc-gen-NAME` for the flag `--NAME_out` or `--NAME_opt`.
fn plugin_name(flag: &str) -> String {
    let short = flag
        .strip_prefix("--")
        .and_then(|f| f.get(..f.len().saturating_sub(4)))
        .unwrap_or_default();
    format!("{PLUGIN_PREFIX}gen-{short}")
}

/// The lines of an argument file, as `std::getline` reads them: split at
/// `\n`, a last line without `\n` kept, nothing else touched (no quoting,
/// `\r` kept).
fn argfile_lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    if text.is_empty() || text.ends_with('\n') {
        lines.pop();
    }
    lines
}

/// The non-empty parts of `value` split at `separator`, as a set.
fn split_nonempty(value: &str, separator: char) -> BTreeSet<String> {
    value
        .split(separator)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// The non-empty parts of `value` split at `separator`, in order.
fn split_nonempty_ordered(value: &str, separator: char) -> Vec<String> {
    value
        .split(separator)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether `id` has the shape of a diagnostic kind name: lowercase ASCII
/// words joined by single `-`.
fn is_diagnostic_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file system holding only `existing` paths and `argfiles`.
    #[derive(Default)]
    struct Fake {
        existing: Vec<&'static str>,
        argfiles: Vec<(&'static str, &'static str)>,
    }

    impl Host for Fake {
        fn exists(&self, path: &str) -> bool {
            self.existing.contains(&path)
        }
        fn read_argfile(&self, path: &str) -> Option<Vec<u8>> {
            self.argfiles
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, text)| text.as_bytes().to_vec())
        }
    }

    fn parse_with(host: &Fake, args: &[&str]) -> Parsed {
        let args = std::iter::once("protoc")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        parse(args, host)
    }

    fn compile(args: &[&str]) -> Compile {
        let parsed = parse_with(&Fake::default(), args);
        match parsed.action {
            Action::Run(compile) => *compile,
            other => panic!("{args:?}: {other:?}\n{}", parsed.stderr),
        }
    }

    fn fails(args: &[&str]) -> String {
        let parsed = parse_with(&Fake::default(), args);
        assert_eq!(parsed.action, Action::Fail, "{args:?}");
        parsed.stderr
    }

    #[test]
    fn arguments_split_as_protoc_splits_them() {
        let cases = [
            ("a.proto", ("", "a.proto", false)),
            ("-", ("", "-", false)),
            ("--proto_path=x", ("--proto_path", "x", false)),
            ("--proto_path", ("--proto_path", "", true)),
            ("--include_imports", ("--include_imports", "", false)),
            ("--include_imports=yes", ("--include_imports", "yes", false)),
            ("-Ifoo", ("-I", "foo", false)),
            ("-I", ("-I", "", true)),
            ("-h", ("-h", "", false)),
            ("-x", ("-x", "", true)),
            ("--a=b=c", ("--a", "b=c", false)),
        ];
        for (arg, (name, value, next)) in cases {
            assert_eq!(
                split_argument(arg),
                (name.to_string(), value.to_string(), next),
                "{arg}"
            );
        }
    }

    #[test]
    fn a_full_command_line() {
        let c = compile(&[
            "-Isrc",
            "--proto_path",
            "a:vendor=third_party",
            "-o",
            "out.pb",
            "--include_imports",
            "--include_source_info",
            "--retain_options",
            "--es_out=target=ts:gen",
            "--es_opt=json_types=true",
            "--es_opt",
            "x",
            "--plugin=protoc-gen-es=node_modules/.bin/protoc-gen-es",
            "--plugin=bin/protoc-gen-other",
            "--other_out=out",
            "--error_format=json",
            "--allow=unused-import,missing-syntax",
            "--fatal_warnings",
            "a.proto",
            "b/c.proto",
        ]);
        let paths: Vec<(&str, &str)> = c
            .proto_paths
            .iter()
            .map(|p| (p.virtual_prefix.as_str(), p.disk.as_str()))
            .collect();
        assert_eq!(paths, [("", "src"), ("", "a"), ("vendor", "third_party")]);
        assert_eq!(c.inputs, ["a.proto", "b/c.proto"]);
        assert_eq!(c.descriptor_set_out.as_deref(), Some("out.pb"));
        assert!(c.include_imports && c.include_source_info && c.retain_options);
        assert!(c.fatal_warnings);
        assert_eq!(c.error_format, ErrorFormat::Json);
        assert_eq!(
            c.allowed_warnings.iter().collect::<Vec<_>>(),
            ["missing-syntax", "unused-import"]
        );
        assert_eq!(
            c.outputs,
            [
                Output {
                    flag: "--es_out".into(),
                    plugin: "protoc-gen-es".into(),
                    program: Program::Exact("node_modules/.bin/protoc-gen-es".into()),
                    parameter: "target=ts,json_types=true,x".into(),
                    location: "gen".into(),
                },
                Output {
                    flag: "--other_out".into(),
                    plugin: "protoc-gen-other".into(),
                    program: Program::Exact("bin/protoc-gen-other".into()),
                    parameter: String::new(),
                    location: "out".into(),
                },
            ]
        );
    }

    #[test]
    fn plugins_not_named_are_searched_in_path() {
        let c = compile(&["--go_out=.", "x.proto"]);
        assert_eq!(
            c.outputs[0].program,
            Program::SearchPath("protoc-gen-go".into())
        );
        assert_eq!(
            c.proto_paths,
            [ProtoPath {
                virtual_prefix: String::new(),
                disk: ".".into()
            }]
        );
    }

    #[test]
    fn argfiles_expand_in_place() {
        let host = Fake {
            argfiles: vec![("args.txt", "-I\nsome dir\r\n--es_out=gen\n\n")],
            ..Fake::default()
        };
        // The empty line is an empty argument, which protoc refuses.
        let parsed = parse_with(&host, &["@args.txt", "x.proto"]);
        assert_eq!(parsed.action, Action::Fail);
        assert!(
            parsed
                .stderr
                .starts_with("some dir\r: warning: directory does not exist.\n")
        );
        assert!(
            parsed
                .stderr
                .contains("You seem to have passed an empty string")
        );
        assert_eq!(argfile_lines(b"a\nb"), ["a", "b"]);
        assert_eq!(argfile_lines(b"a\n"), ["a"]);
        assert_eq!(argfile_lines(b""), Vec::<String>::new());
        assert_eq!(argfile_lines(b"\n"), [""]);
        let parsed = parse_with(&host, &["@missing.txt"]);
        assert_eq!(parsed.stderr, "Failed to open argument file: missing.txt\n");
    }

    #[test]
    fn proto_path_entries_with_equals_signs() {
        let host = Fake {
            existing: vec!["dir=with=equals", "real"],
            ..Fake::default()
        };
        let parsed = parse_with(
            &host,
            &["-Idir=with=equals", "-Iv=real", "-Iw=gone", "-o", "o", "x"],
        );
        let Action::Run(c) = parsed.action else {
            panic!("{parsed:?}")
        };
        let paths: Vec<(&str, &str)> = c
            .proto_paths
            .iter()
            .map(|p| (p.virtual_prefix.as_str(), p.disk.as_str()))
            .collect();
        assert_eq!(
            paths,
            [("", "dir=with=equals"), ("v", "real"), ("w", "gone")]
        );
        assert_eq!(parsed.stderr, "gone: warning: directory does not exist.\n");
    }

    #[test]
    fn usage_errors_are_protocs() {
        let cases: &[(&[&str], &str)] = &[
            (&["x.proto"], "Missing output directives.\n"),
            (&["-o", "out"], "Missing input file.\n"),
            (&["--foo"], "Missing value for flag: --foo\n"),
            (&["--foo=1", "x"], "Unknown flag: --foo\n"),
            (&["-o"], "Missing value for flag: -o\n"),
            (&["-o", "-I."], "Missing value for flag: -o\n"),
            (
                &["--decode"],
                "Missing value for flag: --decode\nTo decode an unknown message, use --decode_raw.\n",
            ),
            (&["-o", "a", "-o", "b"], "-o may only be passed once.\n"),
            (
                &["--descriptor_set_out="],
                "--descriptor_set_out requires a non-empty value.\n",
            ),
            (&["--es_opt=a", "-o", "o", "x"], "Unknown flag: --es_opt\n"),
            (&["--error_format=vs", "x"], "Unknown error format: vs\n"),
            (
                &["--include_imports", "--include_imports"],
                "--include_imports may only be passed once.\n",
            ),
            (
                &["--dependency_out=d", "-o", "o", "a", "b"],
                "Can only process one input file when using --dependency_out=FILE.\n",
            ),
            (
                &["--descriptor_set_in=a", "--dependency_out=d"],
                "--dependency_out cannot be used with --descriptor_set_in.\n",
            ),
            (
                &["--decode_raw=x"],
                "--decode_raw does not take a parameter.\n",
            ),
            (
                &["--decode_raw", "x.proto"],
                "When using --decode_raw, no input files should be given.\n",
            ),
            (
                &["--print_free_field_numbers", "-o", "x"],
                "Cannot use --encode or --decode and generate descriptors at the same time.\n",
            ),
            (
                &["-o", "x", "--print_free_field_numbers"],
                "Cannot use --print_free_field_numbers and generate code or descriptors at the same time.\n",
            ),
            (
                &["--edition_defaults_minimum=2025"],
                "--edition_defaults_minimum unknown edition \"2025\".\n",
            ),
            (
                &["-Iv="],
                "--proto_path passed empty directory name.  (Use \".\" for current directory.)\n",
            ),
            (
                &["--allow=Unused_Import"],
                "--allow: \"Unused_Import\" is not a diagnostic id (ids are kebab-case, as shown by --error_format=rich, e.g. unused-import)\n",
            ),
        ];
        for (args, stderr) in cases {
            assert_eq!(fails(args), *stderr, "{args:?}");
        }
    }

    #[test]
    fn descriptor_set_flags_without_out_only_warn() {
        let parsed = parse_with(
            &Fake::default(),
            &["--include_imports", "--retain_options", "--es_out=.", "x"],
        );
        assert!(matches!(parsed.action, Action::Run(_)));
        assert_eq!(
            parsed.stderr,
            "--include_imports only makes sense when combined with --descriptor_set_out.\n\
             --retain_options only makes sense when combined with --descriptor_set_out.\n"
        );
    }

    #[test]
    fn help_version_and_nothing() {
        assert_eq!(
            parse_with(&Fake::default(), &[]).action,
            Action::Help {
                program: "protoc".into()
            }
        );
        // Help stops parsing: what follows is never looked at.
        assert_eq!(
            parse_with(&Fake::default(), &["-h", "--bogus"]).action,
            Action::Help {
                program: "protoc".into()
            }
        );
        assert_eq!(
            parse_with(&Fake::default(), &["--version=x", "--bogus"]).action,
            Action::Version
        );
        // But an earlier error wins.
        assert_eq!(
            parse_with(&Fake::default(), &["--bogus=1", "--help"]).action,
            Action::Fail
        );
    }

    #[test]
    fn cpp_opt_alone_is_allowed_and_plugin_names_count() {
        assert!(matches!(
            parse_with(&Fake::default(), &["--cpp_opt=x", "-o", "o", "a"]).action,
            Action::Run(_)
        ));
        assert!(matches!(
            parse_with(
                &Fake::default(),
                &["--plugin=protoc-gen-x=/bin/x", "--x_opt=1", "-o", "o", "a"]
            )
            .action,
            Action::Run(_)
        ));
    }
}
