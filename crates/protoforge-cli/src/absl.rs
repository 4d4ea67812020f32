//! Lines in the format of abseil's logging, for the few messages protoc
//! writes to its log rather than reporting them as errors, so that our
//! stderr reads like protoc's (and compares equal once the time and thread
//! id, which differ on every run, are set aside).

use std::io::{self, Write};
use std::sync::Once;

/// Writes an error-level log line: `E`, a zero date, the time since the
/// epoch, the thread id (the process id here), `location` (protoc's source
/// file and line) and `message`. The first log line of a process comes
/// after abseil's notice that logging is not initialised, as in protoc.
pub(crate) fn log_error(err: &mut dyn Write, location: &str, message: &str) -> io::Result<()> {
    static NOTICE: Once = Once::new();
    let mut notice = false;
    NOTICE.call_once(|| notice = true);
    if notice {
        writeln!(
            err,
            "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
        )?;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    writeln!(
        err,
        "E0000 00:00:{}.{:06} {:>7} {location}] {message}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id()
    )
}
