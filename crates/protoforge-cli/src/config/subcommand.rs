//! The command line, parsed into plain data.
//!
//! clap's derive types ([`Cli`] and its subcommands) describe the flags and
//! stay private to this module; [`Config::from_args`] turns them into a
//! [`Config`], which is all the rest of the program sees. Nothing here reads a
//! file or looks at the terminal, so the same flags always give the same
//! `Config` and the same output.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Everything the command line asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Config {
    /// How diagnostics are printed.
    pub(crate) error_format: ErrorFormat,
    /// What to do.
    pub(crate) command: Command,
}

/// A subcommand with its inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// `protoforge check FILE...`: parse each file and report its diagnostics.
    Check {
        /// Where to look for the files.
        lookup: Lookup,
        /// The files, as given on the command line.
        files: Vec<PathBuf>,
    },
    /// `protoforge debug ast FILE`: print the syntax tree of one file.
    DebugAst {
        /// Where to look for the file.
        lookup: Lookup,
        /// The file, as given on the command line.
        file: PathBuf,
    },
}

/// How to find a file named on the command line, as protoc finds it: the
/// path as given if it exists, else the path under each directory in turn.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Lookup {
    /// The `-I`/`--proto_path` directories, in order, lists already split.
    pub(crate) proto_paths: Vec<PathBuf>,
}

/// The `--error_format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ErrorFormat {
    /// protoc's one-line `path:line:col: message` (protoc's name for it).
    Gcc,
    /// The kind, the source line and a caret under the problem, for people.
    Rich,
}

impl Config {
    /// Parses the process arguments (program name first). The error is
    /// clap's: a usage error (exit code 2) or a `--help`/`--version` request.
    pub(crate) fn from_args<I, T>(args: I) -> Result<Config, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let cli = Cli::try_parse_from(args)?;
        let command = match cli.command {
            CliCommand::Check { paths, files } => Command::Check {
                lookup: paths.into_lookup(),
                files,
            },
            CliCommand::Debug {
                stage: DebugStage::Ast { paths, file },
            } => Command::DebugAst {
                lookup: paths.into_lookup(),
                file,
            },
        };
        Ok(Config {
            error_format: cli.error_format,
            command,
        })
    }
}

/// Check and inspect `.proto` files.
#[derive(Debug, Parser)]
#[command(name = "protoforge", version)]
struct Cli {
    /// How to print diagnostics: `gcc` is protoc's one-line
    /// `path:line:col: message`, `rich` adds the source line and a caret.
    #[arg(long = "error_format", value_name = "FORMAT", value_enum, default_value_t = ErrorFormat::Gcc, global = true)]
    error_format: ErrorFormat,
    #[command(subcommand)]
    command: CliCommand,
}

#[derive(Debug, Subcommand)]
enum CliCommand {
    /// Parse each file and print every error and warning; exit with 1 if any
    /// file has an error.
    Check {
        #[command(flatten)]
        paths: ProtoPaths,
        /// The files to check.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
    /// Print one stage of the pipeline for a file.
    Debug {
        #[command(subcommand)]
        stage: DebugStage,
    },
}

#[derive(Debug, Subcommand)]
enum DebugStage {
    /// Print the syntax tree, one node per line with its byte span.
    Ast {
        #[command(flatten)]
        paths: ProtoPaths,
        /// The file to parse.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
struct ProtoPaths {
    /// A directory in which to look for each FILE not found as given; may be
    /// repeated, and, as in protoc, may list several directories separated
    /// by `:` (`;` on Windows). Directories are searched in order.
    #[arg(short = 'I', long = "proto_path", value_name = "DIR")]
    proto_path: Vec<OsString>,
}

impl ProtoPaths {
    fn into_lookup(self) -> Lookup {
        let proto_paths = self
            .proto_path
            .iter()
            .flat_map(std::env::split_paths)
            .filter(|dir| !dir.as_os_str().is_empty())
            .collect();
        Lookup { proto_paths }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(args: &[&str]) -> Config {
        match Config::from_args(std::iter::once("protoforge").chain(args.iter().copied())) {
            Ok(config) => config,
            Err(e) => panic!("{args:?} did not parse: {e}"),
        }
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }

    #[test]
    fn proto_paths_in_every_spelling() {
        let parsed = config(&[
            "check",
            "-I",
            "a",
            "-Ib",
            "--proto_path",
            "c",
            "--proto_path=d:e",
            "x.proto",
        ]);
        let paths = ["a", "b", "c", "d", "e"].map(PathBuf::from).to_vec();
        assert_eq!(
            parsed,
            Config {
                error_format: ErrorFormat::Gcc,
                command: Command::Check {
                    lookup: Lookup { proto_paths: paths },
                    files: vec!["x.proto".into()]
                },
            }
        );
    }

    #[test]
    fn error_format_anywhere() {
        let before = config(&["--error_format=rich", "debug", "ast", "x.proto"]);
        let after = config(&["debug", "ast", "--error_format", "rich", "x.proto"]);
        assert_eq!(before, after);
        assert_eq!(before.error_format, ErrorFormat::Rich);
        assert_eq!(
            before.command,
            Command::DebugAst {
                lookup: Lookup::default(),
                file: "x.proto".into()
            }
        );
    }

    #[test]
    fn usage_errors_exit_with_2() {
        for args in [
            &["check"][..],
            &["check", "--error_format=msvs", "x.proto"],
            &["frobnicate"],
            &[],
        ] {
            let argv = std::iter::once("protoforge").chain(args.iter().copied());
            match Config::from_args(argv) {
                Ok(config) => panic!("{args:?} parsed as {config:?}"),
                Err(e) => assert_eq!(e.exit_code(), 2, "{args:?}: {e}"),
            }
        }
    }
}
