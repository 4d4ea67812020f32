//! `protoforge`, the command line of protoforge.
//!
//! The work is split the way ripgrep splits it: [`config`] turns the command
//! line into plain data (nothing is compiled or written there), [`commands`]
//! acts on it and writes to the streams it is given, and `main` only wires
//! the two together and owns the exit code.
//!
//! Two grammars share the binary (see [`config`]): the subcommands `check`
//! and `debug`, and protoc's own command line for everything else. Their
//! exit codes:
//!
//! - subcommands: 0 when every file was read and no error was found
//!   (warnings do not fail), 1 when a file could not be read or has an error,
//!   2 for a usage error (clap's);
//! - protoc command lines: protoc's, 0 on success and 1 for anything else,
//!   usage errors included.
//!
//! This crate is the only one in the workspace that prints.

use std::io::{self, Write as _};
use std::process::ExitCode;

mod absl;
mod commands;
mod config;
mod generated;
mod help;
mod inputs;
mod plugin;
mod render;
mod zip;

use config::Invocation;
use config::protoc::{Action, FileSystem};

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().collect();
    match Invocation::from_args(args, &FileSystem) {
        Invocation::Subcommand(Ok(config)) => finish(|out, err| {
            commands::run(&config, out, err).map(|status| match status {
                commands::Status::Clean => ExitCode::SUCCESS,
                commands::Status::Failed => ExitCode::FAILURE,
            })
        }),
        Invocation::Subcommand(Err(usage)) => {
            // clap formats its own message (and prints --help/--version to stdout).
            let _ = usage.print();
            ExitCode::from(u8::try_from(usage.exit_code()).unwrap_or(2))
        }
        Invocation::Protoc(parsed) => finish(|out, err| {
            err.write_all(parsed.stderr.as_bytes())?;
            match parsed.action {
                Action::Help { program } => {
                    out.write_all(help::help(&program).as_bytes())?;
                    Ok(ExitCode::SUCCESS)
                }
                Action::Version => {
                    out.write_all(help::version().as_bytes())?;
                    Ok(ExitCode::SUCCESS)
                }
                Action::Notices => {
                    out.write_all(help::notices().as_bytes())?;
                    Ok(ExitCode::SUCCESS)
                }
                Action::Fail => Ok(ExitCode::FAILURE),
                Action::Run(compile) => {
                    let stdin = io::stdin();
                    let status = commands::compile::run(&compile, &mut stdin.lock(), out, err)?;
                    Ok(match status {
                        commands::Status::Clean => ExitCode::SUCCESS,
                        commands::Status::Failed => ExitCode::FAILURE,
                    })
                }
            }
        }),
    }
}

/// Runs `body` with locked stdout and stderr, flushes them, and turns a
/// failure to write into exit code 1 (quietly for a closed pipe).
fn finish(
    body: impl FnOnce(&mut dyn io::Write, &mut dyn io::Write) -> io::Result<ExitCode>,
) -> ExitCode {
    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let code = body(&mut out, &mut err);
    let flushed = out.flush().and_then(|()| err.flush());
    match (code, flushed) {
        (Ok(code), Ok(())) => code,
        // A closed pipe (`protoforge debug ast x.proto | head`) is not worth a message.
        (Err(e), _) | (_, Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::FAILURE,
        (Err(e), _) | (_, Err(e)) => {
            let _ = writeln!(io::stderr(), "protoforge: cannot write output: {e}");
            ExitCode::FAILURE
        }
    }
}
