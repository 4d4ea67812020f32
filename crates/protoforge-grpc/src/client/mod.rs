//! The client: an [`Endpoint`] (address, TLS, limits, keepalive,
//! interceptors) connects to a [`Channel`], one HTTP/2 connection that
//! reconnects when it breaks and carries any number of calls. A call is
//! made with [`Channel::unary`], [`Channel::client_streaming`],
//! [`Channel::server_streaming`] or [`Channel::streaming`], given the
//! method path, a codec and [`CallOptions`].

mod call;

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use h2::client::SendRequest;
use http::uri::{Authority, Scheme};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

pub use call::CallOptions;

use crate::Status;
use crate::error::{Error, ErrorKind};
use crate::interceptor::Interceptor;
use crate::limits;
use crate::tls::ClientTlsConfig;
use crate::write_batch::batched;

/// The `user-agent` this crate sends, as PROTOCOL-HTTP2.md recommends.
pub const USER_AGENT: &str = concat!("grpc-rust-protoforge/", env!("CARGO_PKG_VERSION"));

/// Where and how to connect.
#[derive(Clone)]
pub struct Endpoint {
    host: String,
    port: u16,
    authority: Option<String>,
    tls: Option<ClientTlsConfig>,
    connect_timeout: Duration,
    keepalive: Option<(Duration, Duration)>,
    pub(crate) max_receive: usize,
    pub(crate) max_send: usize,
    max_header_list_size: u32,
    stream_window: u32,
    connection_window: u32,
    max_frame_size: u32,
    user_agent: String,
    pub(crate) interceptors: Vec<Arc<dyn Interceptor>>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// An endpoint from a URI: `http://host:port` for plaintext,
    /// `https://host:port` for TLS (then set [`tls`](Endpoint::tls)).
    pub fn from_uri(uri: &str) -> Result<Endpoint, Error> {
        let parsed: http::Uri = uri.parse().map_err(|e| {
            Error::with_source(
                ErrorKind::InvalidEndpoint,
                format!("invalid endpoint {uri:?}"),
                e,
            )
        })?;
        let host = parsed.host().ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidEndpoint,
                format!("endpoint {uri:?} has no host"),
            )
        })?;
        let https = parsed.scheme() == Some(&Scheme::HTTPS);
        let port = parsed.port_u16().unwrap_or(if https { 443 } else { 80 });
        let mut endpoint = Endpoint::new(host, port);
        if https {
            endpoint.tls = Some(ClientTlsConfig::new());
        }
        Ok(endpoint)
    }

    /// A plaintext endpoint at `host:port`.
    pub fn new(host: impl Into<String>, port: u16) -> Endpoint {
        Endpoint {
            host: host.into(),
            port,
            authority: None,
            tls: None,
            connect_timeout: limits::DEFAULT_CONNECT_TIMEOUT,
            keepalive: None,
            max_receive: limits::DEFAULT_MAX_RECEIVE_MESSAGE_SIZE,
            max_send: limits::DEFAULT_MAX_SEND_MESSAGE_SIZE,
            max_header_list_size: limits::DEFAULT_MAX_HEADER_LIST_SIZE,
            stream_window: limits::DEFAULT_STREAM_WINDOW,
            connection_window: limits::DEFAULT_CONNECTION_WINDOW,
            max_frame_size: limits::DEFAULT_MAX_FRAME_SIZE,
            user_agent: USER_AGENT.to_string(),
            interceptors: Vec::new(),
        }
    }

    /// Connect with TLS.
    pub fn tls(mut self, tls: ClientTlsConfig) -> Endpoint {
        self.tls = Some(tls);
        self
    }

    /// The `:authority` to send instead of `host:port`
    /// (`--server_host_override`). With TLS, also set
    /// [`ClientTlsConfig::domain_name`].
    pub fn authority(mut self, authority: impl Into<String>) -> Endpoint {
        self.authority = Some(authority.into());
        self
    }

    /// How long connecting may take (default
    /// [`limits::DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Endpoint {
        self.connect_timeout = timeout;
        self
    }

    /// Ping the server every `interval` and drop the connection if a ping
    /// is not answered within `timeout` (off by default; servers may refuse
    /// pings more frequent than every five minutes without calls).
    pub fn keepalive(mut self, interval: Duration, timeout: Duration) -> Endpoint {
        self.keepalive = Some((interval, timeout));
        self
    }

    /// Largest response message accepted, after decompression (default
    /// [`limits::DEFAULT_MAX_RECEIVE_MESSAGE_SIZE`]).
    pub fn max_receive_message_size(mut self, bytes: usize) -> Endpoint {
        self.max_receive = bytes;
        self
    }

    /// Largest request message sent (default unlimited).
    pub fn max_send_message_size(mut self, bytes: usize) -> Endpoint {
        self.max_send = bytes;
        self
    }

    /// Largest response header list or trailers accepted (default
    /// [`limits::DEFAULT_MAX_HEADER_LIST_SIZE`]).
    pub fn max_header_list_size(mut self, bytes: u32) -> Endpoint {
        self.max_header_list_size = bytes;
        self
    }

    /// Initial flow-control window per stream (default
    /// [`limits::DEFAULT_STREAM_WINDOW`]).
    pub fn initial_stream_window_size(mut self, bytes: u32) -> Endpoint {
        self.stream_window = bytes;
        self
    }

    /// Initial flow-control window per connection (default
    /// [`limits::DEFAULT_CONNECTION_WINDOW`]).
    pub fn initial_connection_window_size(mut self, bytes: u32) -> Endpoint {
        self.connection_window = bytes;
        self
    }

    /// Largest HTTP/2 frame accepted (default 16 KiB).
    pub fn max_frame_size(mut self, bytes: u32) -> Endpoint {
        self.max_frame_size = bytes;
        self
    }

    /// Put `prefix` before this crate's user agent.
    pub fn user_agent(mut self, prefix: &str) -> Endpoint {
        self.user_agent = format!("{prefix} {USER_AGENT}");
        self
    }

    /// Adds an interceptor run before every call, in the order added.
    pub fn interceptor(mut self, interceptor: impl Interceptor) -> Endpoint {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    fn prepare(self) -> Result<Channel, Error> {
        let tls = match &self.tls {
            Some(tls) => Some(tls.build()?),
            None => None,
        };
        let authority_text = match &self.authority {
            Some(a) => a.clone(),
            None if self.host.contains(':') => format!("[{}]:{}", self.host, self.port),
            None => format!("{}:{}", self.host, self.port),
        };
        let authority: Authority = authority_text.parse().map_err(|e| {
            Error::with_source(
                ErrorKind::InvalidEndpoint,
                format!("invalid authority {authority_text:?}"),
                e,
            )
        })?;
        let user_agent = http::HeaderValue::from_str(&self.user_agent)
            .map_err(|e| Error::with_source(ErrorKind::InvalidEndpoint, "invalid user agent", e))?;
        let scheme = if tls.is_some() {
            Scheme::HTTPS
        } else {
            Scheme::HTTP
        };
        Ok(Channel {
            inner: Arc::new(ChannelInner {
                endpoint: self,
                tls,
                authority,
                scheme,
                user_agent,
                current: Mutex::new(None),
                connecting: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// Connects now, failing if the server cannot be reached.
    pub async fn connect(self) -> Result<Channel, Error> {
        let channel = self.prepare()?;
        let sender = channel.inner.dial().await?;
        *channel.inner.lock() = Some(sender);
        Ok(channel)
    }

    /// A channel that connects on its first call (a failure then is that
    /// call's `UNAVAILABLE`). Fails only for invalid settings.
    pub fn connect_lazy(self) -> Result<Channel, Error> {
        self.prepare()
    }
}

/// A connection to one server, shared by clones; calls are multiplexed on
/// it. A broken connection is replaced on the next call.
#[derive(Clone, Debug)]
pub struct Channel {
    pub(crate) inner: Arc<ChannelInner>,
}

pub(crate) struct ChannelInner {
    pub(crate) endpoint: Endpoint,
    tls: Option<Arc<rustls::ClientConfig>>,
    pub(crate) authority: Authority,
    pub(crate) scheme: Scheme,
    pub(crate) user_agent: http::HeaderValue,
    current: Mutex<Option<SendRequest<Bytes>>>,
    connecting: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for ChannelInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channel")
            .field("authority", &self.authority)
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

impl ChannelInner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<SendRequest<Bytes>>> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A sender ready for a new stream, reconnecting once if the
    /// connection broke.
    pub(crate) async fn ready_sender(&self) -> Result<SendRequest<Bytes>, Status> {
        let mut last_error = None;
        for _ in 0..2 {
            let existing = self.lock().clone();
            let sender = match existing {
                Some(sender) => sender,
                None => self.reconnect().await?,
            };
            match sender.ready().await {
                Ok(sender) => return Ok(sender),
                Err(e) => {
                    *self.lock() = None;
                    last_error = Some(e);
                }
            }
        }
        Err(match last_error {
            Some(e) => Status::unavailable(format!("connection failed: {e}")),
            None => Status::unavailable("connection failed"),
        })
    }

    async fn reconnect(&self) -> Result<SendRequest<Bytes>, Status> {
        let _one_at_a_time = self.connecting.lock().await;
        if let Some(sender) = self.lock().clone() {
            return Ok(sender);
        }
        let sender = self
            .dial()
            .await
            .map_err(|e| Status::unavailable(format!("could not connect: {e}")))?;
        *self.lock() = Some(sender.clone());
        Ok(sender)
    }

    async fn dial(&self) -> Result<SendRequest<Bytes>, Error> {
        let endpoint = &self.endpoint;
        let work = async {
            let tcp = TcpStream::connect((endpoint.host.as_str(), endpoint.port))
                .await
                .map_err(|e| {
                    Error::with_source(
                        ErrorKind::Io,
                        format!("connecting to {}:{}", endpoint.host, endpoint.port),
                        e,
                    )
                })?;
            let _ = tcp.set_nodelay(true);
            match &self.tls {
                None => self.handshake(tcp).await,
                Some(config) => {
                    let name = endpoint
                        .tls
                        .as_ref()
                        .and_then(ClientTlsConfig::domain)
                        .unwrap_or(&endpoint.host);
                    let name = crate::tls::server_name(name)?;
                    let stream = tokio_rustls::TlsConnector::from(Arc::clone(config))
                        .connect(name, tcp)
                        .await
                        .map_err(|e| Error::with_source(ErrorKind::Tls, "TLS handshake", e))?;
                    crate::tls::check_alpn(stream.get_ref().1.alpn_protocol())?;
                    self.handshake(stream).await
                }
            }
        };
        tokio::time::timeout(endpoint.connect_timeout, work)
            .await
            .map_err(|_| Error::new(ErrorKind::Timeout, "connecting timed out"))?
    }

    async fn handshake<IO>(&self, io: IO) -> Result<SendRequest<Bytes>, Error>
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let endpoint = &self.endpoint;
        let (io, writes) = batched(io);
        let (sender, mut connection) = h2::client::Builder::new()
            .enable_push(false)
            .initial_window_size(endpoint.stream_window)
            .initial_connection_window_size(endpoint.connection_window)
            .max_frame_size(endpoint.max_frame_size)
            .max_header_list_size(endpoint.max_header_list_size)
            .handshake::<_, Bytes>(io)
            .await
            .map_err(|e| Error::with_source(ErrorKind::Http2, "HTTP/2 handshake", e))?;
        let keepalive = endpoint.keepalive;
        let ping_pong = connection.ping_pong();
        tokio::spawn(async move {
            let pinger = async move {
                match (keepalive, ping_pong) {
                    (Some((interval, timeout)), Some(mut ping_pong)) => loop {
                        tokio::time::sleep(interval).await;
                        let pong =
                            tokio::time::timeout(timeout, ping_pong.ping(h2::Ping::opaque())).await;
                        if !matches!(pong, Ok(Ok(_))) {
                            return;
                        }
                    },
                    _ => std::future::pending::<()>().await,
                }
            };
            // The requests and messages of all the calls that queued them
            // since the last poll leave in one write (see `write_batch`).
            writes.hold();
            let driven = std::future::poll_fn(|cx| {
                let polled = Pin::new(&mut connection).poll(cx);
                if let Poll::Ready(Err(_)) = writes.poll_write_held(cx) {
                    return Poll::Ready(());
                }
                polled.map(|_| ())
            });
            tokio::select! {
                () = driven => {}
                () = pinger => {}
            }
        });
        Ok(sender)
    }
}
