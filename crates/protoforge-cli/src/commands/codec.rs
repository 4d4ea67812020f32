//! `--encode=TYPE` and `--decode=TYPE`: text format on stdin to binary on
//! stdout and back, with the types of the compiled files, as protoc's
//! `EncodeOrDecode` does (its messages, its order of output and warnings).
//! The work is `protoforge_compiler::{message, text_format}`; this module
//! only reads, writes and words the errors.

use std::io::{self, Read, Write};

use protoforge_compiler::ir::Pool;
use protoforge_compiler::message::{DecodeErrorKind, DynamicMessage};
use protoforge_compiler::text_format;

use crate::config::protoc::ErrorFormat;

/// Which way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Text in, binary out.
    Encode,
    /// Binary in, text out.
    Decode,
}

/// What happened, for the exit code: `Ok(true)` when protoc would succeed.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    pool: &Pool,
    type_name: &str,
    direction: Direction,
    format: ErrorFormat,
    fatal_warnings: bool,
    deterministic: bool,
    stdin: &mut dyn Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<bool> {
    let Some(ty) = pool.message_by_name(type_name) else {
        writeln!(err, "Type not defined: {type_name}")?;
        return Ok(false);
    };
    let mut input = Vec::new();
    stdin.read_to_end(&mut input)?;
    let message = match direction {
        Direction::Encode => {
            let parsed = text_format::parse(pool, ty, &input);
            for d in &parsed.diagnostics {
                let kind = if d.is_warning { "warning" } else { "error" };
                let place = match format {
                    ErrorFormat::Msvs => {
                        format!("input({}) : {kind} in column={}", d.line + 1, d.column + 1)
                    }
                    _ => format!("input:{}:{}", d.line + 1, d.column + 1),
                };
                if d.is_warning {
                    writeln!(err, "{place}: warning: {}", d.message)?;
                } else {
                    writeln!(err, "{place}: {}", d.message)?;
                }
            }
            match parsed.message {
                Some(message) => message,
                None => {
                    writeln!(err, "Failed to parse input.")?;
                    return Ok(false);
                }
            }
        }
        Direction::Decode => match DynamicMessage::decode(pool, ty, &input) {
            Ok(message) => message,
            Err(e) => {
                if let DecodeErrorKind::InvalidUtf8(field) = e.kind() {
                    absl_log_utf8(err, field, "parsing")?;
                }
                writeln!(err, "Failed to parse input.")?;
                return Ok(false);
            }
        },
    };
    let missing = message.missing_required_fields(pool);
    if !missing.is_empty() {
        writeln!(
            err,
            "warning:  Input message is missing required fields:  {}",
            missing.join(", ")
        )?;
    }
    match direction {
        Direction::Encode => {
            for field in message.invalid_utf8_fields(pool) {
                absl_log_utf8(err, &field, "serializing")?;
            }
            let bytes = if deterministic {
                message.encode_deterministic(pool)
            } else {
                message.encode(pool)
            };
            out.write_all(&bytes)?
        }
        Direction::Decode => out.write_all(text_format::print(pool, &message).as_bytes())?,
    }
    // protoc 35.1 exits 0 here even with --fatal_warnings.
    let _ = fatal_warnings;
    Ok(true)
}

/// The line protobuf's C++ runtime logs for a string field that is not
/// UTF-8.
fn absl_log_utf8(err: &mut dyn Write, field: &str, doing: &str) -> io::Result<()> {
    crate::absl::log_error(
        err,
        "wire_format_lite.cc:578",
        &format!(
            "String field '{field}' contains invalid UTF-8 data when {doing} a protocol buffer. \
             Use the 'bytes' type if you intend to send raw bytes. "
        ),
    )
}
