//! The documented bounds of the transport, in one place. Every limit has a
//! builder override on `Server` or `Endpoint`; these are the defaults.

use std::time::Duration;

/// Largest message a peer may send us, after decompression: 4 MiB, as in
/// gRPC's own implementations. Larger messages end the call with
/// `RESOURCE_EXHAUSTED`.
pub const DEFAULT_MAX_RECEIVE_MESSAGE_SIZE: usize = 4 * 1024 * 1024;

/// Largest message we send: unlimited (up to the 4 GiB the length prefix can
/// carry), as in gRPC's own implementations.
pub const DEFAULT_MAX_SEND_MESSAGE_SIZE: usize = u32::MAX as usize;

/// Largest header list (request headers, response headers, trailers) we
/// accept, counted as HTTP/2's `SETTINGS_MAX_HEADER_LIST_SIZE` counts: name
/// plus value plus 32 per field. The gRPC spec suggests 8 KiB; gRPC's C core
/// uses 8 KiB soft and 16 KiB hard, and we take the hard limit.
pub const DEFAULT_MAX_HEADER_LIST_SIZE: u32 = 16 * 1024;

/// Concurrent streams a server allows on one connection.
pub const DEFAULT_MAX_CONCURRENT_STREAMS: u32 = 1024;

/// Initial HTTP/2 flow-control window of each stream: 1 MiB, large enough
/// that a 4 MiB message needs few round trips.
pub const DEFAULT_STREAM_WINDOW: u32 = 1024 * 1024;

/// Initial HTTP/2 flow-control window of each connection: 2 MiB.
pub const DEFAULT_CONNECTION_WINDOW: u32 = 2 * 1024 * 1024;

/// Largest HTTP/2 frame payload we accept: 16 KiB, HTTP/2's default.
pub const DEFAULT_MAX_FRAME_SIZE: u32 = 16 * 1024;

/// How often a server pings an idle connection to check the client is still
/// there: 2 hours, as in gRPC's own servers.
pub const DEFAULT_SERVER_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(2 * 60 * 60);

/// How long a keepalive ping may wait for its answer before the connection is
/// closed: 20 seconds, as in gRPC.
pub const DEFAULT_KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(20);

/// How long in-flight calls may run after a graceful shutdown starts before
/// their connections are closed.
pub const DEFAULT_SHUTDOWN_GRACE_PERIOD: Duration = Duration::from_secs(10);

/// How long a client waits to open a TCP connection and finish the TLS and
/// HTTP/2 handshakes.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// How long a server waits for a new connection's TLS and HTTP/2 handshakes.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest deadline `grpc-timeout` can express: 99,999,999 hours. Longer
/// timeouts are sent as this.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(99_999_999 * 3600);

/// A server's streamed responses are collected up to this many bytes
/// before they are handed to HTTP/2 as one DATA frame, unless the handler
/// waits for anything first (then they leave at once).
pub const SEND_BATCH_BYTES: usize = 16 * 1024;

/// Outgoing messages are encoded into per-thread blocks of this many bytes
/// and cut from them, so a small message costs no allocation of its own; a
/// block is freed once the last message cut from it has been sent.
pub const ENCODE_BLOCK_BYTES: usize = 8 * 1024;
