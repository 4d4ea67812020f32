//! Running plugins as subprocesses, as protoc's `Subprocess` does.
//!
//! A plugin is started with no arguments (its name or path as `argv[0]`),
//! is sent the encoded request on stdin while its stdout is read, and
//! inherits our stderr. `--plugin` paths are run as given; other plugins are
//! searched in `PATH`. The outcome is described with protoc's words
//! ("Plugin failed with status code 1.", "Plugin killed by signal 9.",
//! "Plugin output is unparseable: …").
//!
//! [`run_all`] runs every plugin of a command line at once, each on its own
//! thread: a request does not depend on what other plugins write, so only
//! applying the responses must follow the command-line order, and the caller
//! does that.

use std::io::{Read as _, Write as _};
use std::process::{Command, Stdio};

use super::codec::{Response, c_escape};
use crate::config::protoc::Program;

/// The environment variable protoc sets for `--enable_codegen_trace`.
pub(crate) const CODEGEN_TRACE_ENV: &str = "PROTOC_CODEGEN_TRACE";

/// One plugin to run.
#[derive(Debug)]
pub(crate) struct Job<'a> {
    pub(crate) program: &'a Program,
    pub(crate) request: Vec<u8>,
    /// Set `PROTOC_CODEGEN_TRACE=yes` for the plugin (unless already set).
    pub(crate) codegen_trace: bool,
}

/// What running a plugin gave.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// What protoc's child would have printed itself before exiting (when
    /// the program cannot be started).
    pub(crate) stderr: String,
    /// The response, or protoc's description of the failure.
    pub(crate) result: Result<Response, String>,
}

/// Runs every job, in parallel; outcomes come back in the jobs' order.
pub(crate) fn run_all(jobs: &[Job<'_>]) -> Vec<Outcome> {
    if jobs.len() == 1 {
        return jobs.iter().map(run).collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs.iter().map(|job| scope.spawn(|| run(job))).collect();
        handles
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| Outcome {
                    stderr: String::new(),
                    result: Err("internal error: the thread running the plugin panicked".into()),
                })
            })
            .collect()
    })
}

/// Runs one plugin to completion.
pub(crate) fn run(job: &Job<'_>) -> Outcome {
    let (shown, path) = match job.program {
        // protoc `execv`s the path as given: a bare name is relative to the
        // working directory, not looked up in PATH.
        Program::Exact(path) if !path.contains('/') => (path.clone(), format!("./{path}")),
        Program::Exact(path) => (path.clone(), path.clone()),
        Program::SearchPath(name) => (name.clone(), name.clone()),
        Program::BuiltinRust => {
            return Outcome {
                stderr: String::new(),
                result: Err("internal error: the built-in Rust generator runs in-process".into()),
            };
        }
    };
    let mut command = Command::new(&path);
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if job.codegen_trace && std::env::var_os(CODEGEN_TRACE_ENV).is_none() {
        command.env(CODEGEN_TRACE_ENV, "yes");
    }
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(_) => {
            return Outcome {
                stderr: format!(
                    "{shown}: program not found or is not executable\nPlease specify a program \
                     using absolute path or make sure the program is available in your PATH \
                     system variable\n"
                ),
                result: Err("Plugin failed with status code 1.".into()),
            };
        }
    };
    let stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    let mut output = Vec::new();
    let read = std::thread::scope(|scope| {
        scope.spawn(|| {
            if let Some(mut stdin) = stdin {
                // A plugin that exits without reading everything closes the
                // pipe; its exit status tells what happened.
                let _ = stdin.write_all(&job.request);
            }
        });
        match stdout.as_mut() {
            Some(stdout) => stdout.read_to_end(&mut output).map(|_| ()),
            None => Ok(()),
        }
    });
    let status = child.wait();
    let result = match (read, status) {
        (Err(e), _) | (_, Err(e)) => Err(format!("cannot talk to the plugin: {e}")),
        (Ok(()), Ok(status)) => describe_status(status).and_then(|()| {
            Response::decode(&output)
                .map_err(|_| format!("Plugin output is unparseable: {}", c_escape(&output)))
        }),
    };
    Outcome {
        stderr: String::new(),
        result,
    }
}

#[cfg(unix)]
fn describe_status(status: std::process::ExitStatus) -> Result<(), String> {
    use std::os::unix::process::ExitStatusExt as _;
    match (status.code(), status.signal()) {
        (Some(0), _) => Ok(()),
        (Some(code), _) => Err(format!("Plugin failed with status code {code}.")),
        (None, Some(signal)) => Err(format!("Plugin killed by signal {signal}.")),
        (None, None) => Err("Neither WEXITSTATUS nor WTERMSIG is true?".into()),
    }
}

#[cfg(not(unix))]
fn describe_status(status: std::process::ExitStatus) -> Result<(), String> {
    match status.code() {
        Some(0) => Ok(()),
        Some(code) => Err(format!("Plugin failed with status code {code}.")),
        None => Err("Plugin failed.".into()),
    }
}
