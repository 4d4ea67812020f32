//! The four kinds of client call and their options. Every call sends the
//! request headers gRPC requires, runs the endpoint's interceptors, honours
//! the timeout (sent as `grpc-timeout` and enforced locally) and the
//! caller's [`Cancellation`], and reads the response as headers, messages
//! and trailers, or as Trailers-Only.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_core::Stream;
use h2::SendStream;
use h2::client::ResponseFuture;
use http::HeaderValue;
use tokio::sync::oneshot;

use super::Channel;

/// How many times a call whose request was sent whole (unary and
/// server-streaming) is started again when the server refuses its stream
/// with `REFUSED_STREAM` before processing it: once, as gRPC's transparent
/// retry does for calls that reached the server but not the application.
/// This happens when calls start before the server's SETTINGS (say a lower
/// `max_concurrent_streams`) arrive; by the retry the client knows the limit
/// and queues the call instead.
pub(crate) const TRANSPARENT_RETRIES: u32 = 1;
use crate::cancel::Cancellation;
use crate::codec::{Codec, Outbound};
use crate::compression::{ACCEPT_ENCODING, Encoding};
use crate::framing::Encoder;
use crate::interceptor::{self, CallHead};
use crate::message::Response;
use crate::metadata::Metadata;
use crate::streaming::{ClientSide, SendControl, Streaming, send_data};
use crate::{Code, Status, timeout};

/// Per-call options: timeout, metadata, compression, cancellation, limits.
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    timeout: Option<Duration>,
    metadata: Metadata,
    compression: Option<Encoding>,
    cancellation: Option<Cancellation>,
    max_receive: Option<usize>,
    max_send: Option<usize>,
}

impl CallOptions {
    /// No timeout, no metadata, no compression.
    pub fn new() -> CallOptions {
        CallOptions::default()
    }

    /// The call's deadline, from now: sent as `grpc-timeout`, and the call
    /// fails with `DEADLINE_EXCEEDED` when it passes.
    pub fn timeout(mut self, timeout: Duration) -> CallOptions {
        self.timeout = Some(timeout);
        self
    }

    /// Metadata to send as request headers.
    pub fn metadata(mut self, metadata: Metadata) -> CallOptions {
        self.metadata = metadata;
        self
    }

    /// The metadata to send, mutably.
    pub fn metadata_mut(&mut self) -> &mut Metadata {
        &mut self.metadata
    }

    /// Compress request messages with `encoding` (announced in
    /// `grpc-encoding`).
    pub fn compression(mut self, encoding: Encoding) -> CallOptions {
        self.compression = Some(encoding);
        self
    }

    /// Cancel the call when `cancellation` fires: the stream is reset with
    /// CANCEL and the call fails with `CANCELLED`.
    pub fn cancellation(mut self, cancellation: Cancellation) -> CallOptions {
        self.cancellation = Some(cancellation);
        self
    }

    /// Largest response message for this call (overrides the endpoint's).
    pub fn max_receive_message_size(mut self, bytes: usize) -> CallOptions {
        self.max_receive = Some(bytes);
        self
    }

    /// Largest request message for this call (overrides the endpoint's).
    pub fn max_send_message_size(mut self, bytes: usize) -> CallOptions {
        self.max_send = Some(bytes);
        self
    }
}

type ErrorSlot = Arc<Mutex<Option<Status>>>;

/// A call being set up: deadline and cancellation, and the options that
/// shape the streams.
struct Setup {
    deadline: Option<Instant>,
    cancellation: Option<Cancellation>,
    encoding: Encoding,
    max_receive: usize,
    max_send: usize,
}

/// Runs `work` until the deadline or the cancellation; dropping `work`
/// drops its HTTP/2 handles, which resets the stream with CANCEL.
async fn bounded<T>(
    work: impl Future<Output = Result<T, Status>>,
    deadline: Option<Instant>,
    cancellation: Option<&Cancellation>,
) -> Result<T, Status> {
    let cancelled = async {
        match cancellation {
            Some(c) => c.cancelled().await,
            None => std::future::pending().await,
        }
    };
    let expired = async {
        match deadline {
            Some(d) => tokio::time::sleep_until(d.into()).await,
            None => std::future::pending().await,
        }
    };
    let result = tokio::select! {
        biased;
        () = cancelled => Err(Status::cancelled("call cancelled by the client")),
        () = expired => Err(Status::deadline_exceeded("deadline exceeded")),
        result = work => result,
    };
    match result {
        Err(status)
            if status.code() == Code::Cancelled
                && deadline.is_some_and(|d| Instant::now() >= d) =>
        {
            Err(Status::deadline_exceeded("deadline exceeded"))
        }
        other => other,
    }
}

impl Channel {
    fn setup(&self, options: &CallOptions) -> Setup {
        let endpoint = &self.inner.endpoint;
        Setup {
            deadline: options.timeout.map(|t| Instant::now() + t),
            cancellation: options.cancellation.clone(),
            encoding: options.compression.unwrap_or(Encoding::Identity),
            max_receive: options.max_receive.unwrap_or(endpoint.max_receive),
            max_send: options.max_send.unwrap_or(endpoint.max_send),
        }
    }

    /// Sends the request headers; returns the response future and the
    /// request body stream.
    async fn start(
        &self,
        path: &str,
        metadata: Metadata,
        setup: &Setup,
    ) -> Result<(ResponseFuture, SendStream<Bytes>), Status> {
        let inner = &self.inner;
        let head = CallHead {
            path: path.to_string(),
            metadata,
            extensions: http::Extensions::new(),
            remote_addr: None,
            deadline: setup.deadline,
        };
        let head = interceptor::run(&inner.endpoint.interceptors, head).await?;
        let uri = http::Uri::builder()
            .scheme(inner.scheme.clone())
            .authority(inner.authority.clone())
            .path_and_query(head.path.as_str())
            .build()
            .map_err(|e| Status::internal(format!("invalid method path {:?}: {e}", head.path)))?;
        let mut request = http::Request::new(());
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        if let Some(deadline) = setup.deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if let Ok(value) = HeaderValue::from_str(&timeout::encode(left)) {
                headers.insert(timeout::GRPC_TIMEOUT.clone(), value);
            }
        }
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/grpc"),
        );
        headers.insert(http::header::TE, HeaderValue::from_static("trailers"));
        headers.insert(http::header::USER_AGENT, inner.user_agent.clone());
        if setup.encoding != Encoding::Identity {
            headers.insert(
                crate::compression::GRPC_ENCODING.clone(),
                HeaderValue::from_static(setup.encoding.name()),
            );
        }
        headers.insert(
            crate::compression::GRPC_ACCEPT_ENCODING.clone(),
            HeaderValue::from_static(ACCEPT_ENCODING),
        );
        head.metadata.write_headers(headers);
        let mut sender = inner.ready_sender().await?;
        sender
            .send_request(request, false)
            .map_err(|e| Status::from_h2(&e))
    }

    /// The response side of a call: headers are read on first use.
    fn receive<C: Codec>(
        response: ResponseFuture,
        codec: C,
        setup: &Setup,
        send: SendControl,
        send_error: Option<ErrorSlot>,
        streaming: bool,
    ) -> Streaming<C::Decode> {
        let side = ClientSide {
            pending: Some(response),
            metadata: None,
            send: Some(send),
            deadline: if streaming {
                setup
                    .deadline
                    .map(|d| Box::pin(tokio::time::sleep_until(d.into())))
            } else {
                None
            },
            cancel: if streaming {
                setup
                    .cancellation
                    .as_ref()
                    .map(|c| Box::pin(c.cancelled()) as Pin<Box<dyn Future<Output = ()> + Send>>)
            } else {
                None
            },
            send_error,
            trailers: None,
        };
        Streaming::client(codec, setup.max_receive, side)
    }

    fn spawn_sender<C, S, M>(
        requests: S,
        send: SendStream<Bytes>,
        encoder: Encoder<C>,
    ) -> (SendControl, ErrorSlot)
    where
        C: Codec,
        S: Stream<Item = M> + Send + 'static,
        M: Into<Outbound<C::Encode>> + Send + 'static,
    {
        let (stop_tx, stop_rx) = oneshot::channel();
        let slot: ErrorSlot = Arc::new(Mutex::new(None));
        tokio::spawn(send_requests(
            requests,
            send,
            encoder,
            stop_rx,
            Arc::clone(&slot),
        ));
        (SendControl::Task(stop_tx), slot)
    }

    /// A unary call: one request, one response.
    pub async fn unary<C>(
        &self,
        path: &str,
        codec: C,
        message: impl Into<Outbound<C::Encode>>,
        options: CallOptions,
    ) -> Result<Response<C::Decode>, Status>
    where
        C: Codec + Clone,
    {
        let setup = self.setup(&options);
        let message = message.into();
        let work = async {
            let mut encoder = Encoder::new(codec.clone(), setup.encoding, setup.max_send);
            let bytes = encoder.encode(message.message, message.compress)?;
            let mut retries = 0;
            loop {
                let (response, mut send) =
                    self.start(path, options.metadata.clone(), &setup).await?;
                // If sending fails the server has answered or reset; its
                // answer says why.
                let _ = send_data(&mut send, bytes.clone(), true).await;
                let streaming = Self::receive(
                    response,
                    codec.clone(),
                    &setup,
                    SendControl::Owned(send),
                    None,
                    false,
                );
                match single_response(streaming).await {
                    Err(status) if status.is_refused_stream() && retries < TRANSPARENT_RETRIES => {
                        retries += 1;
                    }
                    result => return result,
                }
            }
        };
        bounded(work, setup.deadline, setup.cancellation.as_ref()).await
    }

    /// A client-streaming call: the messages of `requests`, one response.
    /// Items may be [`Outbound`] to choose compression per message.
    pub async fn client_streaming<C, S, M>(
        &self,
        path: &str,
        codec: C,
        requests: S,
        options: CallOptions,
    ) -> Result<Response<C::Decode>, Status>
    where
        C: Codec + Clone,
        S: Stream<Item = M> + Send + 'static,
        M: Into<Outbound<C::Encode>> + Send + 'static,
    {
        let setup = self.setup(&options);
        let work = async {
            let (response, send) = self.start(path, options.metadata, &setup).await?;
            let encoder = Encoder::new(codec.clone(), setup.encoding, setup.max_send);
            let (control, slot) = Self::spawn_sender(requests, send, encoder);
            let streaming = Self::receive(response, codec, &setup, control, Some(slot), false);
            single_response(streaming).await
        };
        bounded(work, setup.deadline, setup.cancellation.as_ref()).await
    }

    /// A server-streaming call: one request, a stream of responses. Returns
    /// once the response headers arrive; the deadline and cancellation go
    /// on applying to the stream.
    pub async fn server_streaming<C>(
        &self,
        path: &str,
        codec: C,
        message: impl Into<Outbound<C::Encode>>,
        options: CallOptions,
    ) -> Result<Response<Streaming<C::Decode>>, Status>
    where
        C: Codec + Clone,
    {
        let setup = self.setup(&options);
        let message = message.into();
        let work = async {
            let mut encoder = Encoder::new(codec.clone(), setup.encoding, setup.max_send);
            let bytes = encoder.encode(message.message, message.compress)?;
            let mut retries = 0;
            let (streaming, metadata) = loop {
                let (response, mut send) =
                    self.start(path, options.metadata.clone(), &setup).await?;
                let _ = send_data(&mut send, bytes.clone(), true).await;
                let mut streaming = Self::receive(
                    response,
                    codec.clone(),
                    &setup,
                    SendControl::Owned(send),
                    None,
                    true,
                );
                match streaming.metadata().await {
                    Ok(metadata) => break (streaming, metadata),
                    Err(status) if status.is_refused_stream() && retries < TRANSPARENT_RETRIES => {
                        retries += 1;
                    }
                    Err(status) => return Err(status),
                }
            };
            Ok(Response::received(
                streaming,
                metadata,
                Metadata::new(),
                false,
            ))
        };
        bounded(work, setup.deadline, setup.cancellation.as_ref()).await
    }

    /// A bidirectional-streaming call: the messages of `requests` are sent
    /// as they come while responses are read. Returns as soon as the
    /// request headers are sent, without waiting for the server (which may
    /// wait for a first request before answering); the response headers are
    /// read by the first [`Streaming::message`] or [`Streaming::metadata`].
    /// The deadline and cancellation apply to the whole stream. Use
    /// [`crate::stream::channel`] to send requests one at a time.
    pub async fn streaming<C, S, M>(
        &self,
        path: &str,
        codec: C,
        requests: S,
        options: CallOptions,
    ) -> Result<Streaming<C::Decode>, Status>
    where
        C: Codec + Clone,
        S: Stream<Item = M> + Send + 'static,
        M: Into<Outbound<C::Encode>> + Send + 'static,
    {
        let setup = self.setup(&options);
        let work = async {
            let (response, send) = self.start(path, options.metadata, &setup).await?;
            let encoder = Encoder::new(codec.clone(), setup.encoding, setup.max_send);
            let (control, slot) = Self::spawn_sender(requests, send, encoder);
            Ok(Self::receive(
                response,
                codec,
                &setup,
                control,
                Some(slot),
                true,
            ))
        };
        bounded(work, setup.deadline, setup.cancellation.as_ref()).await
    }
}

/// Reads exactly one response message and the status after it.
async fn single_response<T>(mut streaming: Streaming<T>) -> Result<Response<T>, Status> {
    let metadata = streaming.metadata().await?;
    let Some(message) = streaming.message().await? else {
        return Err(Status::internal(
            "server ended the call with OK but sent no response message",
        ));
    };
    let compressed = streaming.last_message_compressed();
    if streaming.message().await?.is_some() {
        return Err(Status::internal(
            "server sent more than one response message to a method that returns one",
        ));
    }
    let trailers = streaming.trailers().cloned().unwrap_or_default();
    Ok(Response::received(message, metadata, trailers, compressed))
}

/// Sends a stream of requests, then END_STREAM; stops with a reset when
/// told to (or CANCEL when the call is dropped).
async fn send_requests<C, S, M>(
    requests: S,
    mut send: SendStream<Bytes>,
    mut encoder: Encoder<C>,
    mut stop: oneshot::Receiver<h2::Reason>,
    slot: ErrorSlot,
) where
    C: Codec,
    S: Stream<Item = M> + Send + 'static,
    M: Into<Outbound<C::Encode>> + Send + 'static,
{
    let mut requests = std::pin::pin!(requests);
    loop {
        let next = tokio::select! {
            biased;
            reason = &mut stop => {
                send.send_reset(reason.unwrap_or(h2::Reason::CANCEL));
                return;
            }
            next = poll_fn(|cx| requests.as_mut().poll_next(cx)) => next,
        };
        let Some(item) = next else {
            let _ = send.send_data(Bytes::new(), true);
            return;
        };
        let item = item.into();
        let bytes = match encoder.encode(item.message, item.compress) {
            Ok(bytes) => bytes,
            Err(status) => {
                *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(status);
                send.send_reset(h2::Reason::CANCEL);
                return;
            }
        };
        tokio::select! {
            biased;
            reason = &mut stop => {
                send.send_reset(reason.unwrap_or(h2::Reason::CANCEL));
                return;
            }
            sent = send_data(&mut send, bytes, false) => {
                if sent.is_err() {
                    return;
                }
            }
        }
    }
}
