//! Acting on a [`Config`]: find and read the files, run the front end, print.
//!
//! Output goes to the two writers [`run`] is given (stdout and stderr in the
//! real program): results on the first, diagnostics and "cannot read" errors
//! on the second. Files are read as bytes and handed to the parser as they
//! are; the parser reports invalid UTF-8 where protoc would.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use protoforge_syntax::{Diagnostic, LineIndex};

pub(crate) mod codec;
pub(crate) mod compile;
pub(crate) mod depfile;
pub(crate) mod free_fields;
pub(crate) mod pool;

use crate::config::{Command, Config, ErrorFormat, Lookup};

/// How a run ended, when it could write its output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Every file was read and had no error.
    Clean,
    /// A file could not be read or had an error (already reported).
    Failed,
}

impl Status {
    fn and(self, other: Status) -> Status {
        if self == Status::Clean {
            other
        } else {
            Status::Failed
        }
    }
}

/// Runs the command. The error is a failure to write to `out` or `err`.
pub(crate) fn run(config: &Config, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    match &config.command {
        Command::Check { lookup, files } => {
            let mut status = Status::Clean;
            for file in files {
                status = status.and(check(config.error_format, lookup, file, err)?);
            }
            Ok(status)
        }
        Command::DebugAst { lookup, file } => {
            let Some(source) = read(lookup, file, err)? else {
                return Ok(Status::Failed);
            };
            let parsed = protoforge_syntax::parse(&source);
            out.write_all(protoforge_syntax::dump::dump(&parsed.file, &source).as_bytes())?;
            report(config.error_format, file, &source, &parsed.diagnostics, err)
        }
    }
}

fn check(
    format: ErrorFormat,
    lookup: &Lookup,
    file: &Path,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let Some(source) = read(lookup, file, err)? else {
        return Ok(Status::Failed);
    };
    let parsed = protoforge_syntax::parse(&source);
    report(format, file, &source, &parsed.diagnostics, err)
}

/// Prints `diagnostics` of `file` (named as given on the command line);
/// [`Status::Failed`] if any is an error.
fn report(
    format: ErrorFormat,
    file: &Path,
    source: &[u8],
    diagnostics: &[Diagnostic],
    err: &mut dyn Write,
) -> io::Result<Status> {
    let path = file.to_string_lossy();
    let index = LineIndex::new(source);
    let mut status = Status::Clean;
    for diagnostic in diagnostics {
        match format {
            ErrorFormat::Gcc => {
                err.write_all(diagnostic.render_protoc(&path, source, &index).as_bytes())?
            }
            ErrorFormat::Rich => {
                err.write_all(diagnostic.render_rich(&path, source, &index).as_bytes())?;
                err.write_all(b"\n")?;
            }
        }
        if diagnostic.is_error() {
            status = Status::Failed;
        }
    }
    Ok(status)
}

/// Reads `file` as protoc finds it (see [`resolve`]). When it cannot, prints
/// `FILE: reason` to `err` and returns `None`.
fn read(lookup: &Lookup, file: &Path, err: &mut dyn Write) -> io::Result<Option<Vec<u8>>> {
    let reason = match resolve(lookup, file) {
        Some(path) => match std::fs::read(&path) {
            Ok(bytes) => return Ok(Some(bytes)),
            Err(e) => describe(&e),
        },
        None => "No such file or directory".to_string(),
    };
    writeln!(err, "{}: {reason}", file.display())?;
    Ok(None)
}

/// The path to read for `file`: `file` itself if it exists, else the first
/// `dir/file` that exists, in the order of the `-I` directories.
fn resolve(lookup: &Lookup, file: &Path) -> Option<PathBuf> {
    if file.exists() {
        return Some(file.to_path_buf());
    }
    lookup
        .proto_paths
        .iter()
        .map(|dir| dir.join(file))
        .find(|path| path.exists())
}

/// An IO error as the C library words it, without Rust's `(os error N)`.
fn describe(error: &io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_error_numbers_are_dropped() {
        assert_eq!(
            describe(&io::Error::from_raw_os_error(2)),
            "No such file or directory"
        );
        assert_eq!(describe(&io::Error::other("plain")), "plain");
    }
}
