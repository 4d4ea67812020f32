//! The envelopes of a call's messages: [`Request`] (what a server handler
//! receives) and [`Response`] (what a unary handler returns and what a
//! client receives), with their metadata, and [`CallContext`], what a
//! handler knows about its call.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use rustls::pki_types::CertificateDer;

use http::uri::PathAndQuery;

use crate::cancel::{Cancellation, HasSignal, Signal};
use crate::compression::Encoding;
use crate::metadata::Metadata;
use crate::server::Responder;

/// What a server knows about a call besides its messages.
#[derive(Clone, Debug)]
pub struct CallContext {
    inner: Arc<CallShared>,
}

/// Everything one server call shares between its driver, its handler's
/// [`Request`] and its [`ResponseSink`](crate::ResponseSink): one
/// allocation per call holds the context, the cancellation signal and the
/// responder.
pub(crate) struct CallShared {
    path: PathAndQuery,
    /// Where the method name starts in `path` (generated code matches on
    /// it for every call; splitting the path each time cost a search).
    method_start: usize,
    deadline: Option<Instant>,
    remote_addr: Option<SocketAddr>,
    peer_certificates: Arc<Vec<CertificateDer<'static>>>,
    signal: Signal,
    pub(crate) responder: Responder,
}

impl std::fmt::Debug for CallShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallContext")
            .field("path", &self.path.path())
            .field("deadline", &self.deadline)
            .field("remote_addr", &self.remote_addr)
            .finish_non_exhaustive()
    }
}

impl HasSignal for CallShared {
    fn signal(&self) -> &Signal {
        &self.signal
    }
}

impl CallContext {
    /// The context of a call to `path`, whose method name starts at
    /// `method_start` (from [`split_path`]).
    pub(crate) fn new(
        path: PathAndQuery,
        method_start: usize,
        deadline: Option<Instant>,
        remote_addr: Option<SocketAddr>,
        peer_certificates: Arc<Vec<CertificateDer<'static>>>,
        responder: Responder,
    ) -> CallContext {
        CallContext {
            inner: Arc::new(CallShared {
                path,
                method_start,
                deadline,
                remote_addr,
                peer_certificates,
                signal: Signal::default(),
                responder,
            }),
        }
    }

    /// The call's shared state (for its driver and response sink).
    pub(crate) fn shared(&self) -> &Arc<CallShared> {
        &self.inner
    }

    /// A handle on the call's cancellation signal.
    pub(crate) fn cancellation_handle(&self) -> Cancellation {
        Cancellation::from_holder(Arc::clone(&self.inner) as Arc<dyn HasSignal>)
    }

    /// The method path, `/package.Service/Method`.
    pub fn path(&self) -> &str {
        self.inner.path.path()
    }

    /// The service part of the path (`package.Service`).
    pub fn service(&self) -> &str {
        let start = self.inner.method_start.saturating_sub(1);
        self.path().get(1..start).unwrap_or("")
    }

    /// The method part of the path (`Method`).
    pub fn method(&self) -> &str {
        self.path().get(self.inner.method_start..).unwrap_or("")
    }

    /// When the call's deadline (from the client's `grpc-timeout`) passes.
    pub fn deadline(&self) -> Option<Instant> {
        self.inner.deadline
    }

    /// The client's address.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.inner.remote_addr
    }

    /// The client's certificate chain, when it presented one over TLS.
    pub fn peer_certificates(&self) -> &[CertificateDer<'static>] {
        &self.inner.peer_certificates
    }

    /// Fires when the call is cancelled: the deadline passed, the client
    /// reset the stream or the connection closed. The handler's future is
    /// then dropped; work it spawned should watch this. The handle shares
    /// the call's signal (no allocation of its own).
    pub fn cancellation(&self) -> Cancellation {
        self.cancellation_handle()
    }
}

/// Splits `/service/method` into its parts.
pub(crate) fn split_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix('/')?;
    let (service, method) = rest.rsplit_once('/')?;
    if service.is_empty() || method.is_empty() {
        return None;
    }
    Some((service, method))
}

/// A request as a server handler receives it.
#[derive(Debug)]
pub struct Request<T> {
    message: T,
    metadata: Metadata,
    extensions: http::Extensions,
    context: CallContext,
    compressed: bool,
}

impl<T> Request<T> {
    pub(crate) fn from_parts(
        message: T,
        metadata: Metadata,
        extensions: http::Extensions,
        context: CallContext,
        compressed: bool,
    ) -> Request<T> {
        Request {
            message,
            metadata,
            extensions,
            context,
            compressed,
        }
    }

    /// The message (for streaming requests, the stream of messages).
    pub fn get_ref(&self) -> &T {
        &self.message
    }

    /// The message, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.message
    }

    /// The message, consuming the request.
    pub fn into_inner(self) -> T {
        self.message
    }

    /// The client's metadata (request headers without the transport's own).
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Values interceptors attached for the handler (an authenticated user,
    /// a trace id).
    pub fn extensions(&self) -> &http::Extensions {
        &self.extensions
    }

    /// The call's context: path, deadline, peer, cancellation.
    pub fn context(&self) -> &CallContext {
        &self.context
    }

    /// For a unary request, whether the message arrived compressed.
    pub fn message_compressed(&self) -> bool {
        self.compressed
    }

    /// Splits the request into its message and everything else.
    pub fn into_parts(self) -> (T, Request<()>) {
        (
            self.message,
            Request {
                message: (),
                metadata: self.metadata,
                extensions: self.extensions,
                context: self.context,
                compressed: self.compressed,
            },
        )
    }

    /// The same request around another message.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Request<U> {
        Request {
            message: f(self.message),
            metadata: self.metadata,
            extensions: self.extensions,
            context: self.context,
            compressed: self.compressed,
        }
    }
}

/// A response: the message with its initial metadata (response headers) and
/// trailing metadata.
///
/// A server handler returns one; [`set_compression`](Response::set_compression)
/// asks for the message to be compressed when the client accepts the
/// encoding. A client receives one; [`message_compressed`](Response::message_compressed)
/// tells whether the message arrived compressed.
#[derive(Debug)]
pub struct Response<T> {
    message: T,
    metadata: Metadata,
    trailers: Metadata,
    compression: Option<Encoding>,
    compressed: bool,
}

impl<T> Response<T> {
    /// A response with empty metadata.
    pub fn new(message: T) -> Response<T> {
        Response {
            message,
            metadata: Metadata::new(),
            trailers: Metadata::new(),
            compression: None,
            compressed: false,
        }
    }

    pub(crate) fn received(
        message: T,
        metadata: Metadata,
        trailers: Metadata,
        compressed: bool,
    ) -> Self {
        Response {
            message,
            metadata,
            trailers,
            compression: None,
            compressed,
        }
    }

    /// The message.
    pub fn get_ref(&self) -> &T {
        &self.message
    }

    /// The message, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.message
    }

    /// The message, consuming the response.
    pub fn into_inner(self) -> T {
        self.message
    }

    /// Initial metadata (response headers).
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Initial metadata, mutably.
    pub fn metadata_mut(&mut self) -> &mut Metadata {
        &mut self.metadata
    }

    /// Trailing metadata (sent with the status). For a streaming response
    /// received by a client, the trailers are on the stream instead.
    pub fn trailers(&self) -> &Metadata {
        &self.trailers
    }

    /// Trailing metadata, mutably.
    pub fn trailers_mut(&mut self) -> &mut Metadata {
        &mut self.trailers
    }

    /// Server side: compress the message with `encoding` if the client
    /// accepts it (otherwise it is sent uncompressed).
    pub fn set_compression(&mut self, encoding: Option<Encoding>) {
        self.compression = encoding;
    }

    pub(crate) fn compression(&self) -> Option<Encoding> {
        self.compression
    }

    /// Client side: whether the message arrived compressed.
    pub fn message_compressed(&self) -> bool {
        self.compressed
    }

    /// Splits into message, initial metadata and trailing metadata.
    pub fn into_parts(self) -> (T, Metadata, Metadata) {
        (self.message, self.metadata, self.trailers)
    }

    /// The same response around another message.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            message: f(self.message),
            metadata: self.metadata,
            trailers: self.trailers,
            compression: self.compression,
            compressed: self.compressed,
        }
    }
}
