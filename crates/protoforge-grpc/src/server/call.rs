//! One incoming call and the generic handlers generated code dispatches to:
//! [`Call::unary`], [`Call::client_streaming`], [`Call::server_streaming`]
//! and [`Call::streaming`]. Each reads requests with the method's codec,
//! runs the handler under the call's deadline, watches for the client
//! resetting the stream, turns a handler panic into `INTERNAL`, and ends
//! the call with its status.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use bytes::BytesMut;
use h2::RecvStream;
use pin_project_lite::pin_project;
use tokio::time::Sleep;

use super::ServerConfig;
use crate::Status;
use crate::cancel::CancelOnDrop;
use crate::codec::{Codec, Outbound};
use crate::compression::Encoding;
use crate::framing::Encoder;
use crate::message::{CallContext, CallShared, Request, Response};
use crate::metadata::Metadata;
use crate::streaming::Streaming;

/// What [`Service::call`](super::Service::call) returns: the call was
/// handed to a handler (which runs until it first waits, and then on a task
/// of its own; see `Runner::run`) or answered.
#[must_use = "return the Handled from Service::call"]
pub struct Handled(());

impl fmt::Debug for Handled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Handled")
    }
}

/// A call routed to a service, waiting for the service to pick the
/// method's handler.
pub struct Call {
    pub(crate) metadata: Metadata,
    pub(crate) extensions: http::Extensions,
    pub(crate) context: CallContext,
    pub(crate) recv: RecvStream,
    pub(crate) request_encoding: Encoding,
    pub(crate) accept_encoding: Option<http::HeaderValue>,
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) guard: CancelOnDrop,
    /// Poll the call first on the connection's task (see `Runner::run`).
    pub(crate) inline: bool,
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("path", &self.context.path())
            .finish_non_exhaustive()
    }
}

enum Outcome {
    Finished(Result<(), Status>),
    Panicked,
    DeadlineExceeded,
    Reset,
}

pin_project! {
    /// A call's task: runs the call's work under its deadline, watching for
    /// resets and panics, flushing the messages the handler batched
    /// whenever it waits, then ends the call.
    ///
    /// Written out rather than as an `async fn`: an `async fn` keeps its
    /// arguments for its whole life beside the locals they move into, so
    /// the work (the largest part of a call) was stored twice, and tokio
    /// copies the whole future when it spawns the task and again when it
    /// drops it.
    struct Drive<W> {
        #[pin]
        work: Option<W>,
        #[pin]
        sleep: Option<Sleep>,
        shared: Arc<CallShared>,
        guard: CancelOnDrop,
    }
}

impl<W> Future for Drive<W>
where
    W: Future<Output = Result<(), Status>>,
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let responder = &this.shared.responder;
        let outcome = 'outcome: {
            let Some(running) = this.work.as_mut().as_pin_mut() else {
                // Finished before: nothing to do.
                return Poll::Ready(());
            };
            responder.begin_poll();
            let polled = std::panic::catch_unwind(AssertUnwindSafe(|| running.poll(cx)));
            responder.end_poll(cx);
            match polled {
                Ok(Poll::Ready(result)) => break 'outcome Outcome::Finished(result),
                Ok(Poll::Pending) => {}
                Err(_) => break 'outcome Outcome::Panicked,
            }
            if let Some(sleep) = this.sleep.as_mut().as_pin_mut() {
                if sleep.poll(cx).is_ready() {
                    break 'outcome Outcome::DeadlineExceeded;
                }
            }
            if responder.poll_reset(cx).is_ready() {
                break 'outcome Outcome::Reset;
            }
            return Poll::Pending;
        };
        // The handler's future (and the sink it may hold) goes first, so
        // trailers it set are handed over before the status.
        let guard = this.guard;
        this.work.set(None);
        this.sleep.set(None);
        match outcome {
            Outcome::Finished(Ok(())) => {
                guard.armed = false;
                responder.finish(None);
            }
            Outcome::Finished(Err(status)) => {
                guard.armed = false;
                responder.finish(Some(status));
            }
            Outcome::Panicked => {
                guard.cancellation.cancel();
                responder.finish(Some(Status::internal("the handler panicked")));
            }
            Outcome::DeadlineExceeded => {
                guard.cancellation.cancel();
                responder.finish(Some(Status::deadline_exceeded("deadline exceeded")));
            }
            Outcome::Reset => {
                guard.cancellation.cancel();
                responder.close();
            }
        }
        Poll::Ready(())
    }
}

/// What becomes a handler's [`Request`] once its message is read.
struct Head {
    metadata: Metadata,
    extensions: http::Extensions,
    context: CallContext,
}

impl Head {
    fn request<T>(self, message: T, compressed: bool) -> Request<T> {
        Request::from_parts(
            message,
            self.metadata,
            self.extensions,
            self.context,
            compressed,
        )
    }
}

/// The sending side of a call, before the handler runs.
struct Output<C> {
    codec: C,
    shared: Arc<CallShared>,
    /// The request's `grpc-accept-encoding`, kept as received.
    accept: Option<http::HeaderValue>,
    default_compression: Option<Encoding>,
    max_send: usize,
}

fn negotiate(wanted: Option<Encoding>, accept: Option<&http::HeaderValue>) -> Encoding {
    match wanted {
        Some(e) if e.accepted_by(accept.and_then(|v| v.to_str().ok())) => e,
        _ => Encoding::Identity,
    }
}

impl<C: Codec> Output<C> {
    fn send_unary(self, response: Response<C::Encode>) -> Result<(), Status> {
        let encoding = negotiate(
            response.compression().or(self.default_compression),
            self.accept.as_ref(),
        );
        let (message, metadata, trailers) = response.into_parts();
        let mut encoder = Encoder::new(self.codec, encoding, self.max_send);
        let bytes = encoder.encode(message, None)?;
        let responder = &self.shared.responder;
        responder.send_headers(&metadata, encoding)?;
        responder.hand_over(Metadata::new(), trailers);
        responder.send_unary(bytes)
    }

    fn sink(self) -> ResponseSink<C::Encode> {
        let mut encoder = Encoder::new(self.codec, Encoding::Identity, self.max_send);
        ResponseSink {
            shared: self.shared,
            encode: Box::new(move |item, encoding, compress, buf| {
                encoder.set_encoding(encoding);
                encoder.encode_into(item, compress, buf)
            }),
            metadata: Metadata::new(),
            trailers: Metadata::new(),
            compression: self.default_compression,
            accept: self.accept,
            encoding: None,
        }
    }
}

/// Reads the one request of a unary or server-streaming method.
async fn single_request<T>(requests: &mut Streaming<T>) -> Result<T, Status> {
    let Some(message) = requests.message().await? else {
        return Err(Status::internal(
            "the client ended the stream without sending a request message",
        ));
    };
    if requests.message().await?.is_some() {
        return Err(Status::internal(
            "the client sent more than one request message to a method that takes one",
        ));
    }
    Ok(message)
}

type EncodeFn<T> =
    Box<dyn FnMut(T, Encoding, Option<bool>, &mut BytesMut) -> Result<(), Status> + Send>;

/// Where a streaming handler sends its responses.
///
/// Set initial metadata and compression before the first message; the
/// headers go out with the first message (or with
/// [`send_headers`](ResponseSink::send_headers)). Trailing metadata set
/// with [`trailers_mut`](ResponseSink::trailers_mut) is sent with the
/// handler's final status. [`send`](ResponseSink::send) waits for HTTP/2
/// flow control, so a slow client slows the handler instead of filling
/// memory.
///
/// Messages sent from the handler's own future are batched: they leave as
/// one HTTP/2 DATA frame when [`SEND_BATCH_BYTES`](crate::limits::SEND_BATCH_BYTES)
/// have collected or as soon as the handler waits for anything else. A sink
/// moved to another task sends each message at once.
pub struct ResponseSink<T> {
    shared: Arc<CallShared>,
    encode: EncodeFn<T>,
    metadata: Metadata,
    trailers: Metadata,
    compression: Option<Encoding>,
    /// The request's `grpc-accept-encoding`, kept as received.
    accept: Option<http::HeaderValue>,
    encoding: Option<Encoding>,
}

impl<T> fmt::Debug for ResponseSink<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseSink")
            .field("headers_sent", &self.encoding.is_some())
            .finish_non_exhaustive()
    }
}

impl<T> ResponseSink<T> {
    /// Initial metadata (response headers). Changes after the headers
    /// were sent have no effect.
    pub fn metadata_mut(&mut self) -> &mut Metadata {
        &mut self.metadata
    }

    /// Trailing metadata, sent with the final status.
    pub fn trailers_mut(&mut self) -> &mut Metadata {
        &mut self.trailers
    }

    /// Compress messages with `encoding` when the client accepts it. Only
    /// effective before the headers are sent.
    pub fn set_compression(&mut self, encoding: Option<Encoding>) {
        self.compression = encoding;
    }

    /// Sends the response headers now (they are otherwise sent with the
    /// first message, or folded into a Trailers-Only response).
    pub fn send_headers(&mut self) -> Result<(), Status> {
        if self.encoding.is_some() {
            return Ok(());
        }
        let encoding = negotiate(self.compression, self.accept.as_ref());
        self.shared
            .responder
            .send_headers(&std::mem::take(&mut self.metadata), encoding)?;
        self.encoding = Some(encoding);
        Ok(())
    }

    /// Sends one message. `message` may be an [`Outbound`] to choose
    /// compression for this message alone.
    pub async fn send(&mut self, message: impl Into<Outbound<T>>) -> Result<(), Status> {
        let message = message.into();
        let encoding = match self.encoding {
            Some(e) => e,
            None => negotiate(self.compression, self.accept.as_ref()),
        };
        let responder = &self.shared.responder;
        let encode = &mut self.encode;
        let flush =
            responder.push(|buf| encode(message.message, encoding, message.compress, buf))?;
        self.send_headers()?;
        if flush {
            self.shared.responder.flush().await
        } else {
            Ok(())
        }
    }
}

impl<T> Drop for ResponseSink<T> {
    fn drop(&mut self) {
        let metadata = if self.encoding.is_none() {
            std::mem::take(&mut self.metadata)
        } else {
            Metadata::new()
        };
        self.shared
            .responder
            .hand_over(metadata, std::mem::take(&mut self.trailers));
    }
}

impl Call {
    /// The method path, `/package.Service/Method`.
    pub fn path(&self) -> &str {
        self.context.path()
    }

    /// The method part of the path, what generated code matches on.
    pub fn method(&self) -> &str {
        self.context.method()
    }

    /// The call's context.
    pub fn context(&self) -> &CallContext {
        &self.context
    }

    fn prepare<C: Codec + Clone>(
        self,
        codec: C,
    ) -> (Streaming<C::Decode>, Head, Output<C>, Runner) {
        let requests = Streaming::server(
            self.recv,
            codec.clone(),
            self.request_encoding,
            self.config.max_receive,
        );
        let output = Output {
            codec,
            shared: Arc::clone(self.context.shared()),
            accept: self.accept_encoding,
            default_compression: self.config.response_compression,
            max_send: self.config.max_send,
        };
        let runner = Runner {
            shared: Arc::clone(self.context.shared()),
            deadline: self.context.deadline(),
            guard: self.guard,
            inline: self.inline,
        };
        let head = Head {
            metadata: self.metadata,
            extensions: self.extensions,
            context: self.context,
        };
        (requests, head, output, runner)
    }

    /// Ends the call with `UNIMPLEMENTED` (what generated code does for a
    /// method it does not know).
    pub fn unimplemented(self) -> Handled {
        let status = Status::unimplemented(format!("method not found: {}", self.path()));
        self.reject(status)
    }

    /// Ends the call with `status` without running a handler.
    pub fn reject(self, status: Status) -> Handled {
        let mut guard = self.guard;
        guard.armed = false;
        self.context.shared().responder.finish(Some(status));
        Handled(())
    }

    /// A unary method: one request, one response.
    pub fn unary<C, F, Fut>(self, codec: C, handler: F) -> Handled
    where
        C: Codec + Clone,
        F: FnOnce(Request<C::Decode>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Response<C::Encode>, Status>> + Send + 'static,
    {
        let (mut requests, head, output, runner) = self.prepare(codec);
        runner.run(async move {
            let message = single_request(&mut requests).await?;
            let compressed = requests.last_message_compressed();
            drop(requests);
            let response = handler(head.request(message, compressed)).await?;
            output.send_unary(response)
        })
    }

    /// A client-streaming method: a stream of requests, one response.
    pub fn client_streaming<C, F, Fut>(self, codec: C, handler: F) -> Handled
    where
        C: Codec + Clone,
        F: FnOnce(Request<Streaming<C::Decode>>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Response<C::Encode>, Status>> + Send + 'static,
    {
        let (requests, head, output, runner) = self.prepare(codec);
        runner.run(async move {
            let response = handler(head.request(requests, false)).await?;
            output.send_unary(response)
        })
    }

    /// A server-streaming method: one request, responses sent through a
    /// [`ResponseSink`].
    pub fn server_streaming<C, F, Fut>(self, codec: C, handler: F) -> Handled
    where
        C: Codec + Clone,
        F: FnOnce(Request<C::Decode>, ResponseSink<C::Encode>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Status>> + Send + 'static,
    {
        let (mut requests, head, output, runner) = self.prepare(codec);
        runner.run(async move {
            let message = single_request(&mut requests).await?;
            let compressed = requests.last_message_compressed();
            drop(requests);
            handler(head.request(message, compressed), output.sink()).await
        })
    }

    /// A bidirectional-streaming method: a stream of requests, responses
    /// sent through a [`ResponseSink`].
    pub fn streaming<C, F, Fut>(self, codec: C, handler: F) -> Handled
    where
        C: Codec + Clone,
        F: FnOnce(Request<Streaming<C::Decode>>, ResponseSink<C::Encode>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Status>> + Send + 'static,
    {
        let (requests, head, output, runner) = self.prepare(codec);
        runner.run(async move { handler(head.request(requests, false), output.sink()).await })
    }
}

/// Runs a handler's work with the call's deadline and guard.
struct Runner {
    shared: Arc<CallShared>,
    deadline: Option<Instant>,
    guard: CancelOnDrop,
    inline: bool,
}

impl Runner {
    /// Spawns the call's task (one allocation holding the whole call), or,
    /// when `inline`, runs the call until it first waits, here on the
    /// connection's task, and spawns a task for the rest only when it does
    /// wait.
    ///
    /// A unary request usually arrives with its headers (h2 reads every
    /// frame at hand before it yields the new stream), so most unary calls
    /// whose handler does not wait end in this first poll: no task is
    /// spawned, scheduled or moved, and the response reaches h2 before the
    /// connection's task next writes. The driver is boxed first because a
    /// polled future cannot move into a task afterwards: the box is the one
    /// allocation a spawned task would have made for a call that ends here,
    /// and a call that waits costs one more (its task holds the box).
    ///
    /// The first poll uses a no-op waker: a call that waits is polled again
    /// at once by its new task, which registers that task's waker wherever
    /// this poll registered one, and sees anything that happened in between.
    fn run<W>(self, work: W) -> Handled
    where
        W: Future<Output = Result<(), Status>> + Send + 'static,
    {
        let drive = Drive {
            work: Some(work),
            sleep: self.deadline.map(|d| tokio::time::sleep_until(d.into())),
            shared: self.shared,
            guard: self.guard,
        };
        if !self.inline {
            tokio::spawn(drive);
            return Handled(());
        }
        let mut drive = Box::pin(drive);
        let mut cx = Context::from_waker(Waker::noop());
        if drive.as_mut().poll(&mut cx).is_pending() {
            tokio::spawn(drive);
        }
        Handled(())
    }
}
