//! The sending half of a server call, shared by the call's driver and the
//! handler's [`ResponseSink`](super::ResponseSink): response headers, messages
//! within the flow-control window, and the final status as trailers, as a
//! Trailers-Only response, or (when a message was cut off mid-way) as
//! RST_STREAM(CANCEL).

use std::future::poll_fn;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll};

use bytes::Bytes;
use h2::SendStream;
use h2::server::SendResponse;
use http::{HeaderMap, HeaderValue};

use crate::Status;
use crate::compression::{ACCEPT_ENCODING, Encoding};
use crate::metadata::Metadata;

pub(crate) const CONTENT_TYPE_GRPC: &str = "application/grpc";

enum Out {
    Pending(SendResponse<Bytes>),
    Open(SendStream<Bytes>),
    Closed,
}

struct State {
    out: Out,
    /// A message has been partly written: only a reset can end the stream.
    in_flight: bool,
    /// Initial metadata not yet sent (handed over by a dropped sink).
    metadata: Metadata,
    trailers: Metadata,
}

pub(crate) struct Responder {
    state: Mutex<State>,
}

fn response_headers(encoding: Encoding) -> http::Response<()> {
    let mut response = http::Response::new(());
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(CONTENT_TYPE_GRPC),
    );
    if encoding != Encoding::Identity {
        headers.insert("grpc-encoding", HeaderValue::from_static(encoding.name()));
    }
    headers.insert(
        "grpc-accept-encoding",
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
    let mut response = response_headers(Encoding::Identity);
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

impl Responder {
    pub(crate) fn new(respond: SendResponse<Bytes>) -> Responder {
        Responder {
            state: Mutex::new(State {
                out: Out::Pending(respond),
                in_flight: false,
                metadata: Metadata::new(),
                trailers: Metadata::new(),
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
        let Out::Pending(respond) = &mut state.out else {
            return Err(Status::internal("response headers were already sent"));
        };
        let mut response = response_headers(encoding);
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

    /// Sends one prefixed message, waiting for flow-control capacity.
    pub(crate) async fn send_message(&self, mut data: Bytes) -> Result<(), Status> {
        poll_fn(|cx| {
            let mut state = self.lock();
            let state = &mut *state;
            let Out::Open(stream) = &mut state.out else {
                return Poll::Ready(Err(Status::cancelled("the call has already finished")));
            };
            while !data.is_empty() {
                stream.reserve_capacity(data.len());
                match stream.poll_capacity(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(None) => {
                        return Poll::Ready(Err(Status::cancelled("the stream was reset")));
                    }
                    Poll::Ready(Some(Err(e))) => {
                        return Poll::Ready(Err(Status::cancelled(format!("sending failed: {e}"))));
                    }
                    Poll::Ready(Some(Ok(0))) => continue,
                    Poll::Ready(Some(Ok(n))) => {
                        let chunk = data.split_to(n.min(data.len()));
                        state.in_flight = !data.is_empty();
                        if let Err(e) = stream.send_data(chunk, false) {
                            return Poll::Ready(Err(Status::cancelled(format!(
                                "sending failed: {e}"
                            ))));
                        }
                    }
                }
            }
            state.in_flight = false;
            Poll::Ready(Ok(()))
        })
        .await
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

    /// Ends the call with `status`: trailers after headers, Trailers-Only
    /// before them, RST_STREAM(CANCEL) after a cut-off message. The stream
    /// handle is released, so h2 follows with RST_STREAM(NO_ERROR) if the
    /// client has not finished sending.
    pub(crate) fn finish(&self, status: Status) {
        let mut state = self.lock();
        let state = &mut *state;
        let out = std::mem::replace(&mut state.out, Out::Closed);
        let mut status = status;
        let mut trailers = std::mem::take(&mut state.trailers);
        trailers.extend(std::mem::take(status.metadata_mut()));
        let status = status.with_metadata(trailers);
        match out {
            Out::Pending(mut respond) => {
                send_trailers_only(&mut respond, http::StatusCode::OK, &state.metadata, &status);
            }
            Out::Open(mut stream) => {
                if state.in_flight {
                    stream.send_reset(h2::Reason::CANCEL);
                } else {
                    let mut headers = HeaderMap::new();
                    status.write_trailers(&mut headers);
                    let _ = stream.send_trailers(headers);
                }
            }
            Out::Closed => {}
        }
    }

    /// Forgets the stream after the client reset it.
    pub(crate) fn close(&self) {
        self.lock().out = Out::Closed;
    }
}
