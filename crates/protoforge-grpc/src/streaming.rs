//! [`Streaming`]: the messages received on one call, for a server (the
//! client's requests) or a client (the server's responses and, at the end,
//! its status and trailers). Also the helper that sends bytes on an HTTP/2
//! stream within its flow-control window.

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use h2::client::ResponseFuture;
use h2::{RecvStream, SendStream};
use tokio::sync::oneshot;
use tokio::time::Sleep;

use crate::Status;
use crate::codec::Codec;
use crate::compression::Encoding;
use crate::framing::Decoder;
use crate::metadata::Metadata;

type DecodeFn<T> = Box<dyn FnMut(Bytes) -> Result<T, Status> + Send>;

/// How a client's stream reaches the side that sends its requests.
pub(crate) enum SendControl {
    /// The request is fully sent; the stream handle is kept to reset it.
    Owned(SendStream<Bytes>),
    /// A task is sending requests; it resets the stream with the reason it
    /// is given (or `CANCEL` when this end is dropped).
    Task(oneshot::Sender<h2::Reason>),
}

impl SendControl {
    fn reset(self, reason: h2::Reason) {
        match self {
            SendControl::Owned(mut stream) => stream.send_reset(reason),
            SendControl::Task(tx) => {
                let _ = tx.send(reason);
            }
        }
    }
}

pub(crate) struct ClientSide {
    /// The response headers, until they arrive.
    pub(crate) pending: Option<ResponseFuture>,
    /// The response headers' metadata, once they arrived.
    pub(crate) metadata: Option<Metadata>,
    pub(crate) send: Option<SendControl>,
    pub(crate) deadline: Option<Pin<Box<Sleep>>>,
    pub(crate) cancel: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    pub(crate) send_error: Option<std::sync::Arc<std::sync::Mutex<Option<Status>>>>,
    pub(crate) trailers: Option<Metadata>,
}

enum Role {
    Server,
    Client(Box<ClientSide>),
}

/// A stream of received messages.
///
/// Read it with [`message`](Streaming::message) or as a
/// `futures_core::Stream` of `Result<T, Status>`. On a client the stream
/// ends with `None` when the server's status is `OK`, or yields the
/// status as its last error; [`trailers`](Streaming::trailers) then holds
/// the trailing metadata. Dropping a client's stream before its end
/// cancels the call (RST_STREAM with CANCEL).
pub struct Streaming<T> {
    recv: Option<RecvStream>,
    decoder: Decoder,
    decode: DecodeFn<T>,
    role: Role,
    data_done: bool,
    done: bool,
    pending_error: Option<Status>,
    last_compressed: bool,
}

impl<T> fmt::Debug for Streaming<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Streaming")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Streaming<T> {
    fn decode_fn<C>(mut codec: C) -> DecodeFn<T>
    where
        C: Codec<Decode = T>,
    {
        Box::new(move |bytes| codec.decode(bytes))
    }

    pub(crate) fn server<C: Codec<Decode = T>>(
        recv: RecvStream,
        codec: C,
        encoding: Encoding,
        max_receive: usize,
    ) -> Streaming<T> {
        Streaming {
            recv: Some(recv),
            decoder: Decoder::new(encoding, max_receive),
            decode: Self::decode_fn(codec),
            role: Role::Server,
            data_done: false,
            done: false,
            pending_error: None,
            last_compressed: false,
        }
    }

    /// A client's stream, reading the response headers first.
    pub(crate) fn client<C: Codec<Decode = T>>(
        codec: C,
        max_receive: usize,
        side: ClientSide,
    ) -> Streaming<T> {
        Streaming {
            recv: None,
            decoder: Decoder::new(Encoding::Identity, max_receive),
            decode: Self::decode_fn(codec),
            role: Role::Client(Box::new(side)),
            data_done: false,
            done: false,
            pending_error: None,
            last_compressed: false,
        }
    }
}

/// What the response headers say.
enum Head {
    Stream {
        metadata: Metadata,
        encoding: Encoding,
        recv: RecvStream,
    },
    TrailersOnly {
        metadata: Metadata,
        status: Status,
    },
}

/// Reads response headers: a Trailers-Only status, a stream, or the
/// status a client synthesises from a non-gRPC answer.
fn interpret(response: http::Response<RecvStream>) -> Result<Head, Status> {
    let (parts, recv) = response.into_parts();
    if let Some(status) = Status::from_trailers(&parts.headers) {
        let metadata = Metadata::from_headers(&parts.headers);
        return Ok(Head::TrailersOnly { metadata, status });
    }
    if parts.status != http::StatusCode::OK {
        let code = crate::Code::from_http_status(parts.status.as_u16());
        return Err(Status::new(
            code,
            format!("HTTP status {} with no grpc-status", parts.status),
        ));
    }
    let content_type = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/grpc") {
        return Err(Status::unknown(format!(
            "response content-type {content_type:?} is not gRPC"
        )));
    }
    let encoding = match parts.headers.get(&crate::compression::GRPC_ENCODING) {
        None => Encoding::Identity,
        Some(value) => value
            .to_str()
            .ok()
            .and_then(Encoding::from_name)
            .ok_or_else(|| {
                Status::internal(format!(
                    "server used unsupported grpc-encoding {:?}",
                    String::from_utf8_lossy(value.as_bytes())
                ))
            })?,
    };
    Ok(Head::Stream {
        metadata: Metadata::from_headers_owned(parts.headers),
        encoding,
        recv,
    })
}

fn client_side(role: &mut Role) -> Option<&mut ClientSide> {
    match role {
        Role::Client(side) => Some(side),
        Role::Server => None,
    }
}

impl<T> Streaming<T> {
    /// The next message; `None` at the end of a successful stream.
    pub async fn message(&mut self) -> Result<Option<T>, Status> {
        match poll_fn(|cx| self.poll_message(cx)).await {
            Some(Ok(m)) => Ok(Some(m)),
            Some(Err(s)) => Err(s),
            None => Ok(None),
        }
    }

    /// Client side: the response headers' metadata, waiting for the headers
    /// if they have not arrived (an error if the call failed first).
    /// Empty on a server.
    pub async fn metadata(&mut self) -> Result<Metadata, Status> {
        poll_fn(|cx| self.poll_head(cx)).await?;
        Ok(client_side(&mut self.role)
            .and_then(|side| side.metadata.clone())
            .unwrap_or_default())
    }

    fn fail_head(&mut self, status: Status, local: bool) -> Poll<Result<(), Status>> {
        self.end(None, local);
        self.pending_error = Some(status.clone());
        Poll::Ready(Err(status))
    }

    /// Deadline, cancellation and response headers, before any message.
    fn poll_head(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Status>> {
        if self.done {
            return Poll::Ready(match self.pending_error.clone() {
                Some(e) => Err(e),
                None => Ok(()),
            });
        }
        let Some(side) = client_side(&mut self.role) else {
            return Poll::Ready(Ok(()));
        };
        if let Some(deadline) = &mut side.deadline {
            if deadline.as_mut().poll(cx).is_ready() {
                return self.fail_head(Status::deadline_exceeded("deadline exceeded"), true);
            }
        }
        if let Some(cancel) = &mut side.cancel {
            if cancel.as_mut().poll(cx).is_ready() {
                return self.fail_head(Status::cancelled("call cancelled by the client"), true);
            }
        }
        let Some(pending) = side.pending.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let response = match Pin::new(pending).poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(r) => r,
        };
        side.pending = None;
        let head = match response {
            Ok(response) => interpret(response),
            Err(e) => Err(self.status_for(&e)),
        };
        match head {
            Ok(Head::Stream {
                metadata,
                encoding,
                recv,
            }) => {
                if let Some(side) = client_side(&mut self.role) {
                    side.metadata = Some(metadata);
                }
                self.recv = Some(recv);
                self.decoder.set_encoding(encoding);
                Poll::Ready(Ok(()))
            }
            Ok(Head::TrailersOnly { metadata, status }) => {
                let trailers = status.metadata().clone();
                if let Some(side) = client_side(&mut self.role) {
                    side.metadata = Some(metadata);
                }
                let result = if status.code() == crate::Code::Ok {
                    self.end(None, false);
                    Poll::Ready(Ok(()))
                } else {
                    self.fail_head(status, false)
                };
                if let Some(side) = client_side(&mut self.role) {
                    side.trailers = Some(trailers);
                }
                result
            }
            Err(status) => self.fail_head(status, false),
        }
    }

    /// Whether the last message returned arrived compressed.
    pub fn last_message_compressed(&self) -> bool {
        self.last_compressed
    }

    /// Client side: the trailing metadata, once the stream has ended.
    pub fn trailers(&self) -> Option<&Metadata> {
        match &self.role {
            Role::Client(side) => side.trailers.as_ref(),
            Role::Server => None,
        }
    }

    /// Ends the stream with `status`: a client stops its request side
    /// (RST_STREAM(NO_ERROR) if the request is not finished, as the spec
    /// asks after trailers; CANCEL for a local error).
    fn end(&mut self, status: Option<Status>, local: bool) -> Option<Result<T, Status>> {
        self.done = true;
        if let Role::Client(side) = &mut self.role {
            if let Some(send) = side.send.take() {
                send.reset(if local {
                    h2::Reason::CANCEL
                } else {
                    h2::Reason::NO_ERROR
                });
            }
            side.deadline = None;
            side.cancel = None;
            if let Some(status) = &status {
                if side.trailers.is_none() {
                    side.trailers = Some(status.metadata().clone());
                }
            }
            self.recv = None;
        }
        status.map(Err)
    }

    fn poll_message(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, Status>>> {
        if self.poll_head(cx).is_pending() {
            return Poll::Pending;
        }
        if let Some(error) = self.pending_error.take() {
            self.done = true;
            return Poll::Ready(Some(Err(error)));
        }
        if self.done {
            return Poll::Ready(None);
        }
        loop {
            match self.decoder.next() {
                Err(status) => return Poll::Ready(self.end(Some(status), true)),
                Ok(Some(raw)) => {
                    self.last_compressed = raw.compressed;
                    return match (self.decode)(raw.data) {
                        Ok(message) => Poll::Ready(Some(Ok(message))),
                        Err(status) => Poll::Ready(self.end(Some(status), true)),
                    };
                }
                Ok(None) => {}
            }
            let Some(recv) = self.recv.as_mut() else {
                return Poll::Ready(self.end(None, false));
            };
            if self.data_done {
                return match &self.role {
                    Role::Server => {
                        self.done = true;
                        Poll::Ready(None)
                    }
                    Role::Client(_) => match recv.poll_trailers(cx) {
                        Poll::Pending => Poll::Pending,
                        Poll::Ready(Ok(Some(trailers))) => {
                            let status = Status::from_trailers(&trailers).unwrap_or_else(|| {
                                Status::internal("server closed the stream without a grpc-status")
                                    .with_metadata(Metadata::from_headers_owned(trailers))
                            });
                            let metadata = status.metadata().clone();
                            let result = if status.code() == crate::Code::Ok {
                                self.end(None, false)
                            } else {
                                self.end(Some(status), false)
                            };
                            if let Role::Client(side) = &mut self.role {
                                side.trailers = Some(metadata);
                            }
                            Poll::Ready(result)
                        }
                        Poll::Ready(Ok(None)) => Poll::Ready(self.end(
                            Some(Status::internal(
                                "server closed the stream without sending trailers",
                            )),
                            false,
                        )),
                        Poll::Ready(Err(e)) => {
                            let status = self.status_for(&e);
                            Poll::Ready(self.end(Some(status), false))
                        }
                    },
                };
            }
            match recv.poll_data(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    let _ = recv.flow_control().release_capacity(chunk.len());
                    self.decoder.push(chunk);
                }
                Poll::Ready(Some(Err(e))) => {
                    let status = match self.role {
                        Role::Server => Status::cancelled(format!("request stream failed: {e}")),
                        Role::Client(_) => self.status_for(&e),
                    };
                    return Poll::Ready(self.end(Some(status), false));
                }
                Poll::Ready(None) => {
                    if let Err(status) = self.decoder.finish() {
                        return Poll::Ready(self.end(Some(status), true));
                    }
                    self.data_done = true;
                }
            }
        }
    }

    /// A client's status for an HTTP/2 error: a failure of our own request
    /// side takes precedence, and CANCELLED after our deadline is
    /// DEADLINE_EXCEEDED.
    fn status_for(&mut self, error: &h2::Error) -> Status {
        if let Role::Client(side) = &mut self.role {
            if let Some(slot) = &side.send_error {
                let local = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
                if let Some(status) = local {
                    return status;
                }
            }
            let status = Status::from_h2(error);
            if status.code() == crate::Code::Cancelled {
                if let Some(deadline) = &side.deadline {
                    if deadline.is_elapsed() {
                        return Status::deadline_exceeded("deadline exceeded");
                    }
                }
            }
            return status;
        }
        Status::from_h2(error)
    }
}

impl<T> futures_core::Stream for Streaming<T> {
    type Item = Result<T, Status>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_message(cx)
    }
}

impl<T> Unpin for Streaming<T> {}

impl<T> Drop for Streaming<T> {
    fn drop(&mut self) {
        if !self.done {
            if let Role::Client(side) = &mut self.role {
                if let Some(send) = side.send.take() {
                    send.reset(h2::Reason::CANCEL);
                }
            }
        }
    }
}

/// Sends `data` on `stream`, waiting for flow-control capacity, and ends
/// the stream if `end` is set. Fails if the peer resets the stream.
pub(crate) async fn send_data(
    stream: &mut SendStream<Bytes>,
    mut data: Bytes,
    end: bool,
) -> Result<(), h2::Error> {
    if data.is_empty() {
        if end {
            stream.send_data(Bytes::new(), true)?;
        }
        return Ok(());
    }
    while !data.is_empty() {
        stream.reserve_capacity(data.len());
        let capacity = match poll_fn(|cx| stream.poll_capacity(cx)).await {
            Some(result) => result?,
            None => return Err(h2::Error::from(h2::Reason::CANCEL)),
        };
        if capacity == 0 {
            continue;
        }
        let chunk = data.split_to(capacity.min(data.len()));
        stream.send_data(chunk, end && data.is_empty())?;
    }
    Ok(())
}
