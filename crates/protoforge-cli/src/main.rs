//! `protoforge`, the command line of protoforge.
//!
//! The work is split the way ripgrep splits it: [`config`] turns the command
//! line into a plain [`config::Config`] (nothing is read or opened there),
//! [`commands`] acts on it and writes to the streams it is given, and `main`
//! only wires the two together and owns the exit code:
//!
//! - 0: every file was read and no error was found (warnings do not fail);
//! - 1: a file could not be found or read, or has at least one error;
//! - 2: the command line itself is wrong (clap's usage error).
//!
//! This crate is the only one in the workspace that prints.

use std::io::{self, Write as _};
use std::process::ExitCode;

mod commands;
mod config;

fn main() -> ExitCode {
    let config = match config::Config::from_args(std::env::args_os()) {
        Ok(config) => config,
        Err(usage) => {
            // clap formats its own message (and prints --help/--version to stdout).
            let _ = usage.print();
            return ExitCode::from(u8::try_from(usage.exit_code()).unwrap_or(2));
        }
    };
    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let status = commands::run(&config, &mut out, &mut err);
    let flushed = out.flush().and_then(|()| err.flush());
    match (status, flushed) {
        (Ok(commands::Status::Clean), Ok(())) => ExitCode::SUCCESS,
        (Ok(commands::Status::Failed), Ok(())) => ExitCode::FAILURE,
        // A closed pipe (`protoforge debug ast x.proto | head`) is not worth a message.
        (Err(e), _) | (_, Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::FAILURE,
        (Err(e), _) | (_, Err(e)) => {
            let _ = writeln!(io::stderr(), "protoforge: cannot write output: {e}");
            ExitCode::FAILURE
        }
    }
}
