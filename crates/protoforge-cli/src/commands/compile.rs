//! Acting on a protoc command line (see `config::protoc`), in the order
//! protoc 35.1's `CommandLineInterface::Run` acts.

use std::fmt::Write as _;
use std::io::{self, Read, Write};

use super::Status;
use super::decode_raw::decode_raw;
use crate::config::protoc::{Compile, Mode};

/// Runs a protoc command line. `stdin` is read by `--decode_raw`.
pub(crate) fn run(
    compile: &Compile,
    stdin: &mut dyn Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let mut stderr = String::new();
    let status = match &compile.mode {
        Mode::DecodeRaw => {
            let mut input = Vec::new();
            stdin.read_to_end(&mut input)?;
            match decode_raw(&input) {
                Some(text) => {
                    out.write_all(text.as_bytes())?;
                    Status::Clean
                }
                None => {
                    let _ = writeln!(stderr, "Failed to parse input.");
                    Status::Failed
                }
            }
        }
        _ => {
            // TEMPORARY until protoforge-compiler's compile() lands on this branch.
            let _ = writeln!(stderr, "protoforge: compiling is not available yet");
            Status::Failed
        }
    };
    err.write_all(stderr.as_bytes())?;
    Ok(status)
}
