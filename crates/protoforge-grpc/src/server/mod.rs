//! The server: a [`Server`] builder holding limits, TLS, keepalive and
//! interceptors; a [`Router`] of [`Service`]s keyed by service name; the
//! accept loop, per-connection HTTP/2 driving, graceful shutdown, and the
//! checks every request passes before a service sees it (method, content
//! type, `grpc-timeout`, `grpc-encoding`, interceptors, routing).

mod call;
mod respond;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::{Future, poll_fn};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use h2::RecvStream;
use h2::server::SendResponse;
use http::HeaderMap;
use http::uri::PathAndQuery;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Sleep;

pub use call::{Call, Handled, ResponseSink};

use crate::cancel::CancelOnDrop;
use crate::compression::Encoding;
use crate::error::{Error, ErrorKind};
use crate::interceptor::{self, CallHead, Interceptor};
use crate::limits;
use crate::message::{CallContext, split_path};
use crate::metadata::Metadata;
use crate::tls::ServerTlsConfig;
use crate::write_batch::{BatchedWrites, WriteBatch, batched};
use crate::{Status, timeout};
pub(crate) use respond::Responder;
use respond::send_trailers_only;

/// A gRPC service: a name and a dispatcher from method to handler.
///
/// Generated code implements it with a `match` on
/// [`Call::method`] that calls one of [`Call::unary`],
/// [`Call::client_streaming`], [`Call::server_streaming`] or
/// [`Call::streaming`] with the method's codec, and
/// [`Call::unimplemented`] for anything else.
pub trait Service: Send + Sync + 'static {
    /// The full service name, `package.Service`.
    fn name(&self) -> &str;

    /// Starts one call to this service.
    fn call(&self, call: Call) -> Handled;
}

/// Server settings; the limits default to the constants in [`limits`].
#[derive(Clone)]
pub(crate) struct ServerConfig {
    pub(crate) max_receive: usize,
    pub(crate) max_send: usize,
    max_concurrent_streams: u32,
    max_header_list_size: u32,
    stream_window: u32,
    connection_window: u32,
    max_frame_size: u32,
    keepalive_interval: Duration,
    keepalive_timeout: Duration,
    grace_period: Duration,
    handshake_timeout: Duration,
    pub(crate) response_compression: Option<Encoding>,
    tls: Option<Arc<rustls::ServerConfig>>,
    tls_error: Option<String>,
    interceptors: Vec<Arc<dyn Interceptor>>,
}

/// Builds a server. Start with [`Server::builder`], add services to get a
/// [`Router`], then [`Router::serve`].
#[derive(Clone)]
pub struct Server {
    config: ServerConfig,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("max_receive", &self.config.max_receive)
            .field("tls", &self.config.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A server with the default limits and no TLS.
    pub fn builder() -> Server {
        Server {
            config: ServerConfig {
                max_receive: limits::DEFAULT_MAX_RECEIVE_MESSAGE_SIZE,
                max_send: limits::DEFAULT_MAX_SEND_MESSAGE_SIZE,
                max_concurrent_streams: limits::DEFAULT_MAX_CONCURRENT_STREAMS,
                max_header_list_size: limits::DEFAULT_MAX_HEADER_LIST_SIZE,
                stream_window: limits::DEFAULT_STREAM_WINDOW,
                connection_window: limits::DEFAULT_CONNECTION_WINDOW,
                max_frame_size: limits::DEFAULT_MAX_FRAME_SIZE,
                keepalive_interval: limits::DEFAULT_SERVER_KEEPALIVE_INTERVAL,
                keepalive_timeout: limits::DEFAULT_KEEPALIVE_TIMEOUT,
                grace_period: limits::DEFAULT_SHUTDOWN_GRACE_PERIOD,
                handshake_timeout: limits::DEFAULT_HANDSHAKE_TIMEOUT,
                response_compression: None,
                tls: None,
                tls_error: None,
                interceptors: Vec::new(),
            },
        }
    }

    /// Largest request message accepted, after decompression
    /// (default [`limits::DEFAULT_MAX_RECEIVE_MESSAGE_SIZE`]).
    pub fn max_receive_message_size(mut self, bytes: usize) -> Self {
        self.config.max_receive = bytes;
        self
    }

    /// Largest response message sent (default unlimited).
    pub fn max_send_message_size(mut self, bytes: usize) -> Self {
        self.config.max_send = bytes;
        self
    }

    /// Concurrent calls per connection
    /// (default [`limits::DEFAULT_MAX_CONCURRENT_STREAMS`]).
    pub fn max_concurrent_streams(mut self, streams: u32) -> Self {
        self.config.max_concurrent_streams = streams;
        self
    }

    /// Largest request header list
    /// (default [`limits::DEFAULT_MAX_HEADER_LIST_SIZE`]).
    pub fn max_header_list_size(mut self, bytes: u32) -> Self {
        self.config.max_header_list_size = bytes;
        self
    }

    /// Initial flow-control window per stream
    /// (default [`limits::DEFAULT_STREAM_WINDOW`]).
    pub fn initial_stream_window_size(mut self, bytes: u32) -> Self {
        self.config.stream_window = bytes;
        self
    }

    /// Initial flow-control window per connection
    /// (default [`limits::DEFAULT_CONNECTION_WINDOW`]).
    pub fn initial_connection_window_size(mut self, bytes: u32) -> Self {
        self.config.connection_window = bytes;
        self
    }

    /// Largest HTTP/2 frame accepted (default 16 KiB).
    pub fn max_frame_size(mut self, bytes: u32) -> Self {
        self.config.max_frame_size = bytes;
        self
    }

    /// How often to ping each connection, and how long to wait for the
    /// answer before closing it (defaults: 2 hours and 20 seconds).
    pub fn keepalive(mut self, interval: Duration, timeout: Duration) -> Self {
        self.config.keepalive_interval = interval;
        self.config.keepalive_timeout = timeout;
        self
    }

    /// How long in-flight calls may run after a graceful shutdown begins
    /// (default [`limits::DEFAULT_SHUTDOWN_GRACE_PERIOD`]).
    pub fn shutdown_grace_period(mut self, grace: Duration) -> Self {
        self.config.grace_period = grace;
        self
    }

    /// Compress responses with `encoding` by default, when the client
    /// accepts it (handlers can override per call).
    pub fn response_compression(mut self, encoding: Option<Encoding>) -> Self {
        self.config.response_compression = encoding;
        self
    }

    /// Serve over TLS. Invalid TLS material is reported by
    /// [`Router::serve`].
    pub fn tls(mut self, tls: ServerTlsConfig) -> Self {
        match tls.build() {
            Ok(config) => {
                self.config.tls = Some(config);
                self.config.tls_error = None;
            }
            Err(e) => self.config.tls_error = Some(e.to_string()),
        }
        self
    }

    /// Adds an interceptor run before every call, in the order added.
    pub fn interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.config.interceptors.push(Arc::new(interceptor));
        self
    }

    /// Adds a service, giving a router.
    pub fn add_service(self, service: impl Service) -> Router {
        Router {
            config: self.config,
            services: BTreeMap::new(),
        }
        .add_service(service)
    }
}

/// A server with its services, ready to serve.
pub struct Router {
    config: ServerConfig,
    services: BTreeMap<String, Arc<dyn Service>>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("services", &self.services.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

type Certificates = Arc<Vec<rustls::pki_types::CertificateDer<'static>>>;

struct Shared {
    config: Arc<ServerConfig>,
    services: BTreeMap<String, Arc<dyn Service>>,
    /// The client certificates of every plaintext connection (none), shared
    /// rather than allocated per connection.
    no_certificates: Certificates,
}

impl Router {
    /// Adds another service. A later service with the same name replaces
    /// the earlier one.
    pub fn add_service(mut self, service: impl Service) -> Router {
        self.services
            .insert(service.name().to_string(), Arc::new(service));
        self
    }

    /// Accepts connections on `listener` until `shutdown` resolves, then
    /// shuts down gracefully: every connection gets GOAWAY, in-flight calls
    /// have the grace period to finish, and what remains is closed.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), Error> {
        if let Some(message) = &self.config.tls_error {
            return Err(Error::new(ErrorKind::Tls, message.clone()));
        }
        let grace = self.config.grace_period;
        let shared = Arc::new(Shared {
            config: Arc::new(self.config),
            services: self.services,
            no_certificates: Arc::new(Vec::new()),
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut connections = JoinSet::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => {
                    let (tcp, remote) = match accepted {
                        Ok(pair) => pair,
                        // Per-connection accept errors (the peer went away,
                        // out of descriptors) must not stop the server.
                        Err(_) => {
                            tokio::time::sleep(Duration::from_millis(5)).await;
                            continue;
                        }
                    };
                    let _ = tcp.set_nodelay(true);
                    let shared = Arc::clone(&shared);
                    let stop = stop_rx.clone();
                    // Separate tasks for plaintext and TLS: one future for
                    // both was as large as the TLS one (its stream holds the
                    // TLS session) for every plaintext connection too.
                    match shared.config.tls.clone() {
                        None => {
                            let certs = Arc::clone(&shared.no_certificates);
                            connections.spawn(serve_connection(tcp, Some(remote), certs, shared, stop));
                        }
                        Some(tls) => {
                            connections.spawn(accept_tls(tcp, remote, tls, shared, stop));
                        }
                    }
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(listener);
        let _ = stop_tx.send(true);
        let drained = tokio::time::timeout(grace, async {
            while connections.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            connections.shutdown().await;
        }
        Ok(())
    }
}

/// The TLS handshake (ALPN `h2` required), then the connection.
async fn accept_tls(
    tcp: tokio::net::TcpStream,
    remote: SocketAddr,
    tls: Arc<rustls::ServerConfig>,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let Ok(Ok(stream)) =
        tokio::time::timeout(shared.config.handshake_timeout, acceptor.accept(tcp)).await
    else {
        return;
    };
    let (_, session) = stream.get_ref();
    if crate::tls::check_alpn(session.alpn_protocol()).is_err() {
        return;
    }
    let certs = match session.peer_certificates() {
        Some(chain) => Arc::new(chain.iter().map(|c| c.clone().into_owned()).collect()),
        None => Arc::clone(&shared.no_certificates),
    };
    serve_connection(stream, Some(remote), certs, shared, stop).await;
}

async fn serve_connection<IO>(
    io: IO,
    remote: Option<SocketAddr>,
    certs: Certificates,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // Made before the handshake: made after it, from the arguments, it
    // kept the connection's future 1.2 KB larger (the arguments and the
    // handshake's state no longer shared storage), on every connection.
    let peer = PeerInfo {
        remote,
        certs,
        inline_calls: current_thread_runtime(),
    };
    let config = &shared.config;
    let mut builder = h2::server::Builder::new();
    builder
        .max_concurrent_streams(config.max_concurrent_streams)
        .max_header_list_size(config.max_header_list_size)
        .initial_window_size(config.stream_window)
        .initial_connection_window_size(config.connection_window)
        .max_frame_size(config.max_frame_size);
    let (io, writes) = batched(io);
    let Ok(Ok(mut connection)) =
        tokio::time::timeout(config.handshake_timeout, builder.handshake::<_, Bytes>(io)).await
    else {
        return;
    };
    // From here on, h2's writes wait for the loop (`poll_event`).
    writes.hold();
    let mut keepalive = connection.ping_pong().map(|ping_pong| Keepalive {
        ping_pong,
        interval: config.keepalive_interval,
        timeout: config.keepalive_timeout,
        awaiting_pong: false,
        timer_registered: false,
    });
    let mut timer = std::pin::pin!(tokio::time::sleep(config.keepalive_interval));
    let mut draining = *stop.borrow();
    if draining {
        connection.graceful_shutdown();
    }
    // One future for the connection's life: `stop.changed()` made anew on
    // every pass of the loop registered with the channel and left it again
    // for every request.
    let mut stopping = std::pin::pin!(async move {
        while stop.changed().await.is_ok() {
            if *stop.borrow() {
                return;
            }
        }
    });
    // Every stream h2 has ready is taken before any of them runs: a call
    // runs until it first waits (see `Runner::run`), queueing its response
    // in h2, and h2 writes what is queued on every poll, so calls run
    // between polls of the connection would cost a write each. Run together
    // after the connection returns pending, their responses leave in one
    // write on the next poll. The streams wait in `ACCEPTED`.
    loop {
        let event = poll_fn(|cx| {
            poll_event(
                cx,
                &mut connection,
                &writes,
                draining,
                stopping.as_mut(),
                &mut keepalive,
                timer.as_mut(),
            )
        })
        .await;
        // Still in the poll that filled it: no other task has run on this
        // thread since. Taken out while the calls start (a handler's first
        // poll runs inside), then put back to keep its room.
        let mut batch = ACCEPTED.with_borrow_mut(std::mem::take);
        for (request, respond) in batch.drain(..) {
            start_call(request, respond, &peer, &shared);
        }
        ACCEPTED.with_borrow_mut(|spare| {
            if spare.capacity() < batch.capacity() {
                *spare = batch;
            }
        });
        match event {
            Event::Streams => {}
            Event::Stop => {
                draining = true;
                connection.graceful_shutdown();
            }
            Event::Closed => break,
        }
    }
    // Calls still running lose their connection here: dropping it resets
    // their streams, their drivers see the reset and fire their
    // cancellation.
    drop(connection);
}

/// Whether this code runs on a current-thread tokio runtime.
fn current_thread_runtime() -> bool {
    tokio::runtime::Handle::current().runtime_flavor()
        == tokio::runtime::RuntimeFlavor::CurrentThread
}

/// What the connection's loop acts on next: streams h2 accepted (left in
/// `ACCEPTED`), the server stopping, or the end of the connection.
fn poll_event<IO>(
    cx: &mut Context<'_>,
    connection: &mut h2::server::Connection<BatchedWrites<IO>, Bytes>,
    writes: &WriteBatch<IO>,
    draining: bool,
    stopping: Pin<&mut impl Future<Output = ()>>,
    keepalive: &mut Option<Keepalive>,
    timer: Pin<&mut Sleep>,
) -> Poll<Event>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let accepted = ACCEPTED.with_borrow_mut(|batch| {
        loop {
            let polled = connection.poll_accept(cx);
            // What this poll of h2 wrote, held in `writes`, leaves now in
            // one write.
            if let Poll::Ready(Err(_)) = writes.poll_write_held(cx) {
                return Err(());
            }
            match polled {
                Poll::Ready(Some(Ok(stream))) => batch.push(stream),
                Poll::Ready(Some(Err(_)) | None) => return Err(()),
                Poll::Pending => return Ok(!batch.is_empty()),
            }
        }
    });
    match accepted {
        Err(()) => return Poll::Ready(Event::Closed),
        Ok(true) => return Poll::Ready(Event::Streams),
        Ok(false) => {}
    }
    if !draining && stopping.poll(cx).is_ready() {
        return Poll::Ready(Event::Stop);
    }
    match keepalive {
        Some(k) => k.poll_dead(timer, cx).map(|()| Event::Closed),
        None => Poll::Pending,
    }
}

/// A stream h2 accepted: the request (its body still arriving) and the way
/// to answer it.
type Accepted = (http::Request<RecvStream>, SendResponse<Bytes>);

thread_local! {
    /// The streams a connection's task took from h2 in its current poll,
    /// not yet started. One per thread rather than one per connection: it
    /// is filled and emptied within one poll of one connection's task, so
    /// it is empty whenever no connection runs on the thread, and a buffer
    /// in each connection would sit in every idle connection's memory.
    static ACCEPTED: RefCell<Vec<Accepted>> = const { RefCell::new(Vec::new()) };
}

/// What wakes a connection's loop.
enum Event {
    /// Streams were accepted.
    Streams,
    /// The server is shutting down: time for GOAWAY.
    Stop,
    /// The connection ended, failed, or missed its keepalive.
    Closed,
}

/// The server's keepalive, driven by its connection's own task (a task of
/// its own per connection cost memory on every idle connection): a PING
/// after each `interval`, and the connection is dead when its PONG does not
/// come back within `timeout`.
struct Keepalive {
    ping_pong: h2::PingPong,
    interval: Duration,
    timeout: Duration,
    awaiting_pong: bool,
    /// The timer was polled since it was last set, so it will wake the
    /// connection's task when it fires.
    timer_registered: bool,
}

impl Keepalive {
    /// Whether `timer` has fired. Polled once after each reset to register
    /// the connection task's waker, then only read: polling it on every
    /// wake of the connection (every frame) registered the waker again each
    /// time. (The connection always runs as one task, so its waker does not
    /// change.)
    fn fired(&mut self, timer: Pin<&mut Sleep>, cx: &mut Context<'_>) -> bool {
        if self.timer_registered && !timer.is_elapsed() {
            return false;
        }
        self.timer_registered = true;
        timer.poll(cx).is_ready()
    }

    /// Resets `timer` to fire `after` from now.
    fn set(&mut self, timer: Pin<&mut Sleep>, after: Duration) {
        timer.reset(tokio::time::Instant::now() + after);
        self.timer_registered = false;
    }

    /// Ready when the connection must be closed. `timer` is the next
    /// moment to act: the next ping, or the end of the wait for a pong.
    fn poll_dead(&mut self, mut timer: Pin<&mut Sleep>, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            if self.awaiting_pong {
                match self.ping_pong.poll_pong(cx) {
                    Poll::Ready(Ok(_)) => {
                        self.awaiting_pong = false;
                        self.set(timer.as_mut(), self.interval);
                        continue;
                    }
                    Poll::Ready(Err(_)) => return Poll::Ready(()),
                    Poll::Pending => {}
                }
                return if self.fired(timer.as_mut(), cx) {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                };
            }
            if !self.fired(timer.as_mut(), cx) {
                return Poll::Pending;
            }
            if self.ping_pong.send_ping(h2::Ping::opaque()).is_err() {
                return Poll::Ready(());
            }
            self.awaiting_pong = true;
            self.set(timer.as_mut(), self.timeout);
        }
    }
}

/// Answers a request that never reaches a service.
fn refuse(mut respond: SendResponse<Bytes>, http_status: http::StatusCode, status: Status) {
    send_trailers_only(&mut respond, http_status, &Metadata::new(), &status);
}

/// Checks a request and hands it to its service, which starts the call
/// (see `Runner::run`); with interceptors, a task runs them first.
fn start_call(
    request: http::Request<RecvStream>,
    respond: SendResponse<Bytes>,
    peer: &PeerInfo,
    shared: &Arc<Shared>,
) {
    let (parts, recv) = request.into_parts();
    let Some(checked) = check(parts, respond) else {
        return;
    };
    if shared.config.interceptors.is_empty() {
        route(checked, recv, peer, shared);
    } else {
        let peer = peer.clone();
        let shared = Arc::clone(shared);
        tokio::spawn(async move {
            if let Some(checked) = intercept(checked, peer.remote, &shared).await {
                route(checked, recv, &peer, &shared);
            }
        });
    }
}

/// What the calls of one connection share.
#[derive(Clone)]
struct PeerInfo {
    remote: Option<SocketAddr>,
    certs: Certificates,
    /// Run each call's first poll on the connection's task: true on a
    /// current-thread runtime, where a task of its own would gain the call
    /// no parallelism. On a multi-thread runtime every call gets a task, so
    /// calls on one connection run on all workers.
    inline_calls: bool,
}

/// A request that passed the transport's checks.
struct Checked {
    respond: SendResponse<Bytes>,
    path: PathAndQuery,
    metadata: Metadata,
    /// The request's header map, emptied, for the response headers.
    spare_headers: HeaderMap,
    extensions: http::Extensions,
    deadline: Option<Instant>,
    request_encoding: Encoding,
    accept_encoding: Option<http::HeaderValue>,
}

/// The method, content type, `grpc-timeout` and `grpc-encoding` checks;
/// `None` when the request was refused.
fn check(parts: http::request::Parts, respond: SendResponse<Bytes>) -> Option<Checked> {
    if parts.method != http::Method::POST {
        refuse(
            respond,
            http::StatusCode::METHOD_NOT_ALLOWED,
            Status::internal(format!("gRPC requires POST, not {}", parts.method)),
        );
        return None;
    }
    // One pass over the request headers: the metadata, and the reserved
    // headers this function acts on (the first value of each).
    let mut spare_headers = parts.headers;
    let mut content_type = None;
    let mut grpc_timeout = None;
    let mut grpc_encoding = None;
    let mut grpc_accept_encoding = None;
    let metadata = Metadata::from_headers_drain(&mut spare_headers, |name, value| {
        let slot = if name == http::header::CONTENT_TYPE {
            &mut content_type
        } else if name == timeout::GRPC_TIMEOUT {
            &mut grpc_timeout
        } else if name == crate::compression::GRPC_ENCODING {
            &mut grpc_encoding
        } else if name == crate::compression::GRPC_ACCEPT_ENCODING {
            &mut grpc_accept_encoding
        } else {
            return;
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    });
    let content_type = content_type
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/grpc") {
        refuse(
            respond,
            http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Status::internal(format!("invalid gRPC content-type {content_type:?}")),
        );
        return None;
    }
    let deadline = match grpc_timeout {
        None => None,
        Some(value) => match timeout::decode(value.as_bytes()) {
            Some(t) => Some(Instant::now() + t),
            None => {
                refuse(
                    respond,
                    http::StatusCode::OK,
                    Status::internal(format!(
                        "malformed grpc-timeout {:?}",
                        String::from_utf8_lossy(value.as_bytes())
                    )),
                );
                return None;
            }
        },
    };
    let request_encoding = match grpc_encoding {
        None => Encoding::Identity,
        Some(value) => match value.to_str().ok().and_then(Encoding::from_name) {
            Some(e) => e,
            None => {
                refuse(
                    respond,
                    http::StatusCode::OK,
                    Status::unimplemented(format!(
                        "unsupported grpc-encoding {:?}; supported: {}",
                        String::from_utf8_lossy(value.as_bytes()),
                        crate::compression::ACCEPT_ENCODING
                    )),
                );
                return None;
            }
        },
    };
    let path = parts
        .uri
        .into_parts()
        .path_and_query
        .unwrap_or_else(|| PathAndQuery::from_static("/"));
    Some(Checked {
        respond,
        path,
        metadata,
        spare_headers,
        extensions: http::Extensions::new(),
        deadline,
        request_encoding,
        accept_encoding: grpc_accept_encoding,
    })
}

/// Runs the interceptors (under the call's deadline); `None` when they
/// refused the call.
async fn intercept(
    mut checked: Checked,
    remote: Option<SocketAddr>,
    shared: &Shared,
) -> Option<Checked> {
    let interceptors = &shared.config.interceptors;
    let head = CallHead {
        path: checked.path.path().to_string(),
        metadata: std::mem::take(&mut checked.metadata),
        extensions: std::mem::take(&mut checked.extensions),
        remote_addr: remote,
        deadline: checked.deadline,
    };
    let intercepted = match checked.deadline {
        None => Ok(interceptor::run(interceptors, head).await),
        Some(d) => tokio::time::timeout_at(d.into(), interceptor::run(interceptors, head)).await,
    };
    match intercepted {
        Ok(Ok(head)) => {
            checked.metadata = head.metadata;
            checked.extensions = head.extensions;
            Some(checked)
        }
        Ok(Err(status)) => {
            refuse(checked.respond, http::StatusCode::OK, status);
            None
        }
        Err(_) => {
            refuse(
                checked.respond,
                http::StatusCode::OK,
                Status::deadline_exceeded("deadline exceeded"),
            );
            None
        }
    }
}

/// Finds the call's service and hands it the call.
fn route(checked: Checked, recv: RecvStream, peer: &PeerInfo, shared: &Arc<Shared>) {
    let Some((service_name, method)) = split_path(checked.path.path()) else {
        let status =
            Status::unimplemented(format!("malformed method path {:?}", checked.path.path()));
        return refuse(checked.respond, http::StatusCode::OK, status);
    };
    let Some(service) = shared.services.get(service_name) else {
        let status = Status::unimplemented(format!("unknown service {service_name}"));
        return refuse(checked.respond, http::StatusCode::OK, status);
    };
    let method_start = checked.path.path().len() - method.len();
    let context = CallContext::new(
        checked.path,
        method_start,
        checked.deadline,
        peer.remote,
        Arc::clone(&peer.certs),
        Responder::new(checked.respond, Some(checked.spare_headers)),
    );
    let call = Call {
        metadata: checked.metadata,
        extensions: checked.extensions,
        guard: CancelOnDrop {
            cancellation: context.cancellation_handle(),
            armed: true,
        },
        context,
        recv,
        request_encoding: checked.request_encoding,
        accept_encoding: checked.accept_encoding,
        config: Arc::clone(&shared.config),
        inline: peer.inline_calls,
    };
    let _handled: Handled = service.call(call);
}
