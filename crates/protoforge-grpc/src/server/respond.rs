//! The sending half of a server call, shared by the call's driver and the
//! handler's [`ResponseSink`](super::ResponseSink): response headers,
//! messages within the flow-control window, and the final status as
//! trailers or as a Trailers-Only response.
//!
//! Streamed messages are batched: a sink used from the call's own task
//! appends each encoded message to one buffer, and the buffer goes to h2 as
//! one DATA frame when it passes [`SEND_BATCH_BYTES`](crate::limits::SEND_BATCH_BYTES) or when the handler
//! waits for anything (the call's driver flushes it then), as tonic's
//! encoder does. A sink used from another task hands over every message at
//! once, since no driver poll follows it.

use std::future::poll_fn;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use h2::SendStream;
use h2::server::SendResponse;
use http::{HeaderMap, HeaderValue};

use crate::Status;
use crate::compression::{ACCEPT_ENCODING, Encoding, GRPC_ACCEPT_ENCODING, GRPC_ENCODING};
use crate::limits::SEND_BATCH_BYTES;
use crate::metadata::Metadata;

pub(crate) const CONTENT_TYPE_GRPC: &str = "application/grpc";

enum Out {
    Pending(SendResponse<Bytes>),
    Open(SendStream<Bytes>),
    Closed,
}

struct State {
    out: Out,
    /// Whole prefixed messages not yet handed to h2.
    batch: BytesMut,
    /// Bytes taken from the batch, waiting for flow-control capacity.
    unsent: Bytes,
    /// The call's driver is polling the handler: a message the handler
    /// batches will be flushed when the poll ends.
    driving: bool,
    /// Initial metadata not yet sent (handed over by a dropped sink).
    metadata: Metadata,
    trailers: Metadata,
    /// An empty header map with room, reused for the response headers (the
    /// request's own map, drained of its entries).
    spare_headers: Option<HeaderMap>,
}

pub(crate) struct Responder {
    state: Mutex<State>,
}

fn response_headers(encoding: Encoding, spare: Option<HeaderMap>) -> http::Response<()> {
    let mut response = http::Response::new(());
    let headers = response.headers_mut();
    if let Some(spare) = spare {
        *headers = spare;
    }
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(CONTENT_TYPE_GRPC),
    );
    if encoding != Encoding::Identity {
        headers.insert(
            GRPC_ENCODING.clone(),
            HeaderValue::from_static(encoding.name()),
        );
    }
    headers.insert(
        GRPC_ACCEPT_ENCODING.clone(),
        HeaderValue::from_static(ACCEPT_ENCODING),
    );
    response
}

/// Sends a Trailers-Only response (or an HTTP error with a status).
pub(crate) fn send_trailers_only(
    respond: &mut SendResponse<Bytes>,
    http_status: http::StatusCode,
    metadata: &Metadata,
    status: &Status,
) {
    let mut response = response_headers(Encoding::Identity, None);
    *response.status_mut() = http_status;
    if http_status != http::StatusCode::OK {
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain"),
        );
    }
    metadata.write_headers(response.headers_mut());
    status.write_trailers(response.headers_mut());
    let _ = respond.send_response(response, true);
}

fn send_failed(e: &h2::Error) -> Status {
    Status::cancelled(format!("sending failed: {e}"))
}

impl State {
    /// Hands batched bytes to h2 as flow control allows; ready once all
    /// are handed over.
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Status>> {
        let Out::Open(stream) = &mut self.out else {
            return Poll::Ready(Err(Status::cancelled("the call has already finished")));
        };
        loop {
            if self.unsent.is_empty() {
                if self.batch.is_empty() {
                    return Poll::Ready(Ok(()));
                }
                self.unsent = self.batch.split().freeze();
            }
            stream.reserve_capacity(self.unsent.len());
            match stream.poll_capacity(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    return Poll::Ready(Err(Status::cancelled("the stream was reset")));
                }
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(send_failed(&e))),
                Poll::Ready(Some(Ok(0))) => continue,
                Poll::Ready(Some(Ok(n))) => {
                    let chunk = self.unsent.split_to(n.min(self.unsent.len()));
                    if let Err(e) = stream.send_data(chunk, false) {
                        return Poll::Ready(Err(send_failed(&e)));
                    }
                }
            }
        }
    }

    /// Hands everything batched to h2 without waiting for capacity (h2
    /// buffers what the window does not admit yet), before the trailers.
    fn hand_over_all(&mut self) {
        if let Out::Open(stream) = &mut self.out {
            let mut rest = std::mem::take(&mut self.unsent);
            if !self.batch.is_empty() {
                if rest.is_empty() {
                    rest = self.batch.split().freeze();
                } else {
                    let _ = stream.send_data(rest, false);
                    rest = self.batch.split().freeze();
                }
            }
            if !rest.is_empty() {
                let _ = stream.send_data(rest, false);
            }
        }
    }
}

impl Responder {
    pub(crate) fn new(respond: SendResponse<Bytes>, spare_headers: Option<HeaderMap>) -> Responder {
        Responder {
            state: Mutex::new(State {
                out: Out::Pending(respond),
                batch: BytesMut::new(),
                unsent: Bytes::new(),
                driving: false,
                metadata: Metadata::new(),
                trailers: Metadata::new(),
                spare_headers,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends response headers with `metadata`, announcing `encoding`.
    pub(crate) fn send_headers(
        &self,
        metadata: &Metadata,
        encoding: Encoding,
    ) -> Result<(), Status> {
        let mut state = self.lock();
        let spare = state.spare_headers.take();
        let Out::Pending(respond) = &mut state.out else {
            return Err(Status::internal("response headers were already sent"));
        };
        let mut response = response_headers(encoding, spare);
        metadata.write_headers(response.headers_mut());
        match respond.send_response(response, false) {
            Ok(stream) => {
                state.out = Out::Open(stream);
                Ok(())
            }
            Err(e) => {
                state.out = Out::Closed;
                Err(Status::cancelled(format!(
                    "could not send response headers: {e}"
                )))
            }
        }
    }

    /// Sends the one prefixed message of a unary response. h2 buffers what
    /// the flow-control window does not admit yet: the message is already
    /// in memory, so waiting would save nothing.
    pub(crate) fn send_unary(&self, data: Bytes) -> Result<(), Status> {
        let mut state = self.lock();
        let Out::Open(stream) = &mut state.out else {
            return Err(Status::cancelled("the call has already finished"));
        };
        stream.send_data(data, false).map_err(|e| send_failed(&e))
    }

    /// Appends one streamed message, written by `encode` at the end of the
    /// batch; an error leaves the batch as it was. Returns whether the
    /// batch must be flushed now (it is full, or no driver poll will flush
    /// it).
    pub(crate) fn push(
        &self,
        encode: impl FnOnce(&mut BytesMut) -> Result<(), Status>,
    ) -> Result<bool, Status> {
        let mut state = self.lock();
        if matches!(state.out, Out::Closed) {
            return Err(Status::cancelled("the call has already finished"));
        }
        let before = state.batch.len();
        if let Err(status) = encode(&mut state.batch) {
            state.batch.truncate(before);
            return Err(status);
        }
        Ok(!state.driving || state.batch.len() + state.unsent.len() >= SEND_BATCH_BYTES)
    }

    /// Hands batched messages to h2, waiting for flow-control capacity.
    pub(crate) async fn flush(&self) -> Result<(), Status> {
        poll_fn(|cx| self.lock().poll_flush(cx)).await
    }

    /// Marks the start of the driver's poll of the handler.
    pub(crate) fn begin_poll(&self) {
        self.lock().driving = true;
    }

    /// Marks the end of the driver's poll of the handler, and flushes what
    /// it batched as far as flow control allows (the driver is woken for
    /// the rest).
    pub(crate) fn end_poll(&self, cx: &mut Context<'_>) {
        let mut state = self.lock();
        state.driving = false;
        if !state.batch.is_empty() || !state.unsent.is_empty() {
            let _ = state.poll_flush(cx);
        }
    }

    /// Records metadata a dropped sink did not send, and trailers.
    pub(crate) fn hand_over(&self, metadata: Metadata, trailers: Metadata) {
        let mut state = self.lock();
        state.metadata.extend(metadata);
        state.trailers.extend(trailers);
    }

    /// Polls for a reset of the stream by the client.
    pub(crate) fn poll_reset(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.lock();
        match &mut state.out {
            Out::Pending(respond) => respond.poll_reset(cx).map(drop),
            Out::Open(stream) => stream.poll_reset(cx).map(drop),
            Out::Closed => Poll::Pending,
        }
    }

    /// Ends the call with `status` (`None` is OK with no message):
    /// trailers after headers and any batched messages, Trailers-Only
    /// before headers. The stream handle is released, so h2 follows with
    /// RST_STREAM(NO_ERROR) if the client has not finished sending.
    pub(crate) fn finish(&self, status: Option<Status>) {
        let mut state = self.lock();
        let state = &mut *state;
        let trailers = std::mem::take(&mut state.trailers);
        match &mut state.out {
            Out::Pending(respond) => {
                let mut status = status.unwrap_or_else(Status::ok);
                let mut all = trailers;
                all.extend(std::mem::take(status.metadata_mut()));
                let status = status.with_metadata(all);
                send_trailers_only(respond, http::StatusCode::OK, &state.metadata, &status);
            }
            Out::Open(_) => {
                state.hand_over_all();
                let mut headers = HeaderMap::new();
                match status {
                    None => {
                        trailers.write_headers(&mut headers);
                        crate::status::write_ok(&mut headers);
                    }
                    Some(mut status) => {
                        let mut all = trailers;
                        all.extend(std::mem::take(status.metadata_mut()));
                        status.with_metadata(all).write_trailers(&mut headers);
                    }
                }
                if let Out::Open(stream) = &mut state.out {
                    let _ = stream.send_trailers(headers);
                }
            }
            Out::Closed => {}
        }
        state.out = Out::Closed;
        state.batch = BytesMut::new();
        state.unsent = Bytes::new();
    }

    /// Forgets the stream after the client reset it.
    pub(crate) fn close(&self) {
        self.lock().out = Out::Closed;
    }
}
