//! What the three services share: the request id that travels in the
//! `x-request-id` metadata from the caller through every downstream call,
//! the deadline that travels with it, and a log of what each service did
//! under which request id (so the demo can show one request's path
//! through the system).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use protoforge_grpc::{CallOptions, Metadata, Status};

/// The metadata key carrying the request id.
pub(crate) const REQUEST_ID: &str = "x-request-id";

/// The request id of a call: the caller's, or the one the orders service's
/// interceptor assigned.
pub(crate) fn request_id(metadata: &Metadata) -> String {
    metadata.get(REQUEST_ID).unwrap_or("-").to_string()
}

/// Options for a call made while serving a request: the same request id,
/// and the time left before the caller's deadline (a call made with no
/// time left fails at once instead of doing work nobody waits for).
pub(crate) fn downstream(
    request_id: &str,
    deadline: Option<Instant>,
) -> Result<CallOptions, Status> {
    let mut options = CallOptions::new();
    if let Some(deadline) = deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Status::deadline_exceeded(
                "the caller's deadline has passed",
            ));
        }
        options = options.timeout(left);
    }
    options
        .metadata_mut()
        .insert(REQUEST_ID, request_id)
        .map_err(|e| Status::invalid_argument(format!("bad request id: {e}")))?;
    Ok(options)
}

/// Milliseconds left before `deadline`, for the log.
pub(crate) fn time_left(deadline: Option<Instant>) -> String {
    match deadline {
        Some(d) => format!(
            "deadline in {} ms",
            d.saturating_duration_since(Instant::now()).as_millis()
        ),
        None => "no deadline".to_string(),
    }
}

/// One thing a service did.
#[derive(Debug)]
struct Line {
    request_id: String,
    service: &'static str,
    text: String,
}

/// What the services did, in order, shared by all three.
#[derive(Clone, Debug, Default)]
pub(crate) struct Log {
    lines: Arc<Mutex<Vec<Line>>>,
}

impl Log {
    pub(crate) fn record(&self, request_id: &str, service: &'static str, text: impl Into<String>) {
        if let Ok(mut lines) = self.lines.lock() {
            lines.push(Line {
                request_id: request_id.to_string(),
                service,
                text: text.into(),
            });
        }
    }

    /// What the services logged for `request_id`, in order.
    pub(crate) fn for_request(&self, request_id: &str) -> Vec<(&'static str, String)> {
        self.lines
            .lock()
            .map(|lines| {
                lines
                    .iter()
                    .filter(|line| line.request_id == request_id)
                    .map(|line| (line.service, line.text.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }
}
