//! gRPC over HTTP/2 for protoforge: client and server on tokio, `h2` and
//! rustls, speaking the protocol exactly as gRPC's own implementations do.
//!
//! The transport knows messages only through a [`Codec`]; generated code
//! supplies one per method (and [`BytesCodec`] passes raw bytes).
//!
//! - Server: [`Server::builder`] → [`Router`] of [`Service`]s →
//!   [`Router::serve`]. A service dispatches on [`Call::method`] to one of
//!   the generic handlers [`Call::unary`], [`Call::client_streaming`],
//!   [`Call::server_streaming`], [`Call::streaming`]; streaming responses
//!   go through a [`ResponseSink`].
//! - Client: [`Endpoint`] → [`Channel`], with [`Channel::unary`],
//!   [`Channel::client_streaming`], [`Channel::server_streaming`] and
//!   [`Channel::streaming`], each taking the method path, a codec and
//!   [`CallOptions`] (timeout, metadata, compression, cancellation).
//! - [`Status`] with code, message, details and trailers; [`Metadata`]
//!   with ASCII and `-bin` entries; [`Encoding::Gzip`] compression;
//!   [`Interceptor`]s on both sides; TLS with [`ServerTlsConfig`] and
//!   [`ClientTlsConfig`] (ALPN `h2`, optional client certificates).
//!
//! - [`ProtoCodec`]: the [`Codec`] for `protoforge` messages, which
//!   generated service code passes for every method.
//!
//! Features: `protoforge-codec` (default) compiles [`ProtoCodec`] and
//! depends on the `protoforge` message runtime; without it the transport
//! knows no message runtime at all.
//!
//! Limits are named constants in [`limits`], each with a builder override.
//! `docs/generated-code.md` ("Services") describes the code the service
//! generator emits against this API.
//!
//! ```no_run
//! use protoforge_grpc::{BytesCodec, CallOptions, Endpoint};
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let channel = Endpoint::new("127.0.0.1", 50051).connect().await?;
//! let reply = channel
//!     .unary("/pkg.Echo/Say", BytesCodec, bytes::Bytes::from_static(b"\x0a\x02hi"), CallOptions::new())
//!     .await?;
//! println!("{} bytes", reply.get_ref().len());
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

mod base64;
mod cancel;
mod client;
mod codec;
mod compression;
mod error;
mod framing;
mod interceptor;
pub mod limits;
mod message;
mod metadata;
#[cfg(feature = "protoforge-codec")]
mod proto_codec;
mod server;
mod status;
pub mod stream;
mod streaming;
mod timeout;
mod tls;

pub use cancel::Cancellation;
pub use client::{CallOptions, Channel, Endpoint, USER_AGENT};
pub use codec::{BytesCodec, Codec, FnCodec, Outbound};
pub use compression::Encoding;
pub use error::{Error, ErrorKind};
pub use interceptor::{CallHead, InterceptFuture, Interceptor};
pub use message::{CallContext, Request, Response};
pub use metadata::{Metadata, MetadataError, MetadataErrorKind, MetadataValue};
#[cfg(feature = "protoforge-codec")]
pub use proto_codec::ProtoCodec;
pub use server::{Call, Handled, ResponseSink, Router, Server, Service};
pub use status::{Code, Status};
pub use streaming::Streaming;
pub use tls::{ClientTlsConfig, ServerTlsConfig};
