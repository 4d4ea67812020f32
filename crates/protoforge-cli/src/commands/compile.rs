//! Acting on a protoc command line (see `config::protoc`).

use std::io::{self, Write};

use super::Status;
use crate::config::protoc::Compile;

/// Runs a protoc command line.
pub(crate) fn run(
    _compile: &Compile,
    _out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    // TEMPORARY until protoforge-compiler's compile() lands on this branch.
    writeln!(err, "protoforge: compiling is not available yet")?;
    Ok(Status::Failed)
}
