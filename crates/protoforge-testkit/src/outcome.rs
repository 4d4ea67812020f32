//! What the reference protoc does with a [`Fixture`]: its exit status, its
//! diagnostics read back into structured form, and the descriptor set it
//! writes. Differential tests compare our compiler against this.
//!
//! protoc prints one diagnostic per line on stderr, as `FILE:LINE:COL: TEXT`
//! or, when it has no position for the problem, `FILE: TEXT`; warnings have
//! `warning: ` at the start of TEXT. [`Diagnostic::parse_line`] reads that
//! form back.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::fixture::Fixture;

/// Whether a protoc line is an error or a warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Makes protoc fail.
    Error,
    /// Printed, but protoc still succeeds (unless `--fatal_warnings`).
    Warning,
}

/// One diagnostic as protoc prints it: file, optional position, text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file protoc names (a virtual path, as the fixture spells it).
    pub file: String,
    /// 1-based line and column, when protoc has a position.
    pub position: Option<(u32, u32)>,
    /// The text after the position (without `warning: `).
    pub message: String,
}

impl Diagnostic {
    /// Reads one line of protoc's stderr; `None` when the line is not a
    /// diagnostic (usage errors, the continuation lines of a multi-line
    /// message). The file part must not contain whitespace, which is true of
    /// every fixture path and tells it apart from prose such as
    /// `Could not make proto path relative: …`.
    pub fn parse_line(line: &str) -> Option<Diagnostic> {
        let (head, rest) = line.split_once(": ")?;
        if head.is_empty() || head.contains(char::is_whitespace) {
            return None;
        }
        let mut parts = head.rsplitn(3, ':');
        let last = parts.next()?;
        let middle = parts.next();
        let first = parts.next();
        let (file, position) = match (first, middle) {
            (Some(file), Some(line_no)) => match (line_no.parse(), last.parse()) {
                (Ok(l), Ok(c)) => (file, Some((l, c))),
                _ => (head, None),
            },
            _ => (head, None),
        };
        let (severity, message) = match rest.strip_prefix("warning: ") {
            Some(message) => (Severity::Warning, message),
            None => (Severity::Error, rest),
        };
        Some(Diagnostic {
            severity,
            file: file.to_string(),
            position,
            message: message.to_string(),
        })
    }
}

impl fmt::Display for Diagnostic {
    /// protoc's own rendering, `file:line:col: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        if self.severity == Severity::Warning {
            write!(f, ": warning")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What protoc did with a fixture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocOutcome {
    /// The process's exit code (`None` if it died by a signal).
    pub exit_code: Option<i32>,
    /// Every stderr line, with the scratch directory removed, the include
    /// directory replaced by [`INCLUDE_PLACEHOLDER`], and the timestamp and
    /// thread id of abseil log lines dropped (`W parser.cc:659] …`).
    pub stderr: Vec<String>,
    /// The diagnostics among those lines, in order.
    pub diagnostics: Vec<Diagnostic>,
    /// The `-o` output, when protoc succeeded.
    pub descriptor_set: Option<Vec<u8>>,
}

impl ProtocOutcome {
    /// Whether protoc accepted the input (exit status 0).
    pub fn accepted(&self) -> bool {
        self.exit_code == Some(0)
    }

    /// The first error protoc printed, if any.
    pub fn first_error(&self) -> Option<&Diagnostic> {
        self.diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
    }

    /// The warnings protoc printed.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }
}

/// A fresh scratch directory under the system's temporary directory; removed
/// when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "protoforge-testkit-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Placeholder that replaces the `grpcio-tools` include directory in stderr.
pub const INCLUDE_PLACEHOLDER: &str = "<grpc_tools_include>";

/// The banner abseil prints before its first log line.
const ABSL_BANNER: &str = "WARNING: All log messages before absl::InitializeLog() is called";

/// If `line` is an abseil log line (`W0000 00:00:1795.9   42 parser.cc:659] text`),
/// its severity letter and the part from the source location on, without
/// the timestamp and thread id that change on every run.
fn absl_log_line(line: &str) -> Option<(char, &str)> {
    let mut rest = line;
    let mut field = || {
        let trimmed = rest.trim_start();
        let end = trimmed.find(char::is_whitespace)?;
        let (field, tail) = trimmed.split_at(end);
        rest = tail;
        Some(field)
    };
    let level = field()?;
    let time = field()?;
    let thread = field()?;
    let mut chars = level.chars();
    let severity = chars.next().filter(|c| "FEWI".contains(*c))?;
    let well_formed = chars.as_str().len() == 4
        && chars.all(|c| c.is_ascii_digit())
        && time.contains(':')
        && thread.chars().all(|c| c.is_ascii_digit());
    well_formed.then(|| (severity, rest.trim_start()))
}

fn normalise(text: &str, root: &Path, include: &Path) -> Vec<String> {
    let root = format!("{}/", root.display());
    let include = include.display().to_string();
    text.lines()
        .map(|line| {
            let line = line
                .replace(&root, "")
                .replace(&include, INCLUDE_PLACEHOLDER);
            match absl_log_line(&line) {
                Some((severity, rest)) => format!("{severity} {rest}"),
                None => line,
            }
        })
        .collect()
}

/// Whether a (normalised) stderr line comes from protoc's logging rather
/// than its diagnostics.
fn is_log_line(line: &str) -> bool {
    line.starts_with(ABSL_BANNER) || absl_log_line(line).is_some() || {
        let mut chars = line.chars();
        chars.next().is_some_and(|c| "FEWI".contains(c)) && chars.next() == Some(' ')
    }
}

/// Runs the pinned protoc on `fixture` and reports what it did.
///
/// The fixture's files are written under a scratch directory, which is
/// protoc's working directory and first include path (`-I.`), so protoc names
/// files by their virtual paths; the `grpcio-tools` include directory (the
/// well-known types and `descriptor.proto`) comes second. protoc writes
/// `--descriptor_set_out` to a file outside the include root; `flags` come
/// after that and before the fixture's `compile` list.
///
/// # Panics
/// When protoc cannot be run (see [`crate::protoc`]) or the scratch directory
/// cannot be written.
pub fn protoc_outcome(fixture: &Fixture, flags: &[&str]) -> ProtocOutcome {
    let scratch = Scratch::new();
    let root = scratch.0.join("src");
    fixture
        .materialise(&root)
        .unwrap_or_else(|e| panic!("writing fixture {}: {e}", fixture.name));
    let out = scratch.0.join("out.pb");
    let include = crate::grpc_tools_include();
    let output = crate::protoc()
        .current_dir(&root)
        .arg("-I.")
        .arg(format!("-I{}", include.display()))
        .arg(format!("--descriptor_set_out={}", out.display()))
        .args(flags)
        .args(&fixture.compile)
        .output()
        .unwrap_or_else(|e| panic!("running protoc on {}: {e}", fixture.name));
    let stderr = normalise(&String::from_utf8_lossy(&output.stderr), &root, &include);
    let diagnostics = stderr
        .iter()
        .filter(|l| !is_log_line(l))
        .filter_map(|l| Diagnostic::parse_line(l))
        .collect();
    let descriptor_set = if output.status.success() {
        Some(std::fs::read(&out).unwrap_or_else(|e| {
            panic!(
                "protoc succeeded on {} but {}: {e}",
                fixture.name,
                out.display()
            )
        }))
    } else {
        None
    };
    ProtocOutcome {
        exit_code: output.status.code(),
        stderr,
        diagnostics,
        descriptor_set,
    }
}

/// The text form of a serialized `FileDescriptorSet`, as protoc's `--decode`
/// prints it: a readable, deterministic view of what protoc produced.
///
/// # Panics
/// When protoc cannot be run or cannot decode the bytes.
pub fn decode_descriptor_set(bytes: &[u8]) -> String {
    use std::io::Write as _;
    let include = crate::grpc_tools_include();
    let mut child = crate::protoc()
        .current_dir(&include)
        .arg("-I.")
        .arg("--decode=google.protobuf.FileDescriptorSet")
        .arg("google/protobuf/descriptor.proto")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running protoc --decode: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(bytes)
            .unwrap_or_else(|e| panic!("writing to protoc --decode: {e}"));
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("waiting for protoc --decode: {e}"));
    assert!(
        output.status.success(),
        "protoc --decode failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `job` over `items` on `threads` worker threads and returns the
/// results in the order of `items`. protoc is a separate process, so a few
/// more threads than cores keep the cores busy while processes start.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    job: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    let slots: Vec<std::sync::Mutex<&mut Option<R>>> =
        results.iter_mut().map(std::sync::Mutex::new).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = job(item);
                    if let Ok(mut slot) = slots[i].lock() {
                        **slot = Some(result);
                    }
                }
            });
        }
    });
    drop(slots);
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| panic!("a worker thread failed")))
        .collect()
}
