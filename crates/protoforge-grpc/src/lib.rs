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
//! A server and a client in one program: a hand-written service on raw
//! bytes (generated code implements [`Service`] the same way, with
//! [`ProtoCodec`]), served on a free loopback port, called once, and shut
//! down.
//!
//! ```
//! use bytes::Bytes;
//! use protoforge_grpc::{BytesCodec, Call, CallOptions, Endpoint, Handled, Response, Server, Service};
//!
//! struct Echo;
//!
//! impl Service for Echo {
//!     fn name(&self) -> &str {
//!         "demo.Echo"
//!     }
//!
//!     fn call(&self, call: Call) -> Handled {
//!         match call.method() {
//!             "Say" => call.unary(BytesCodec, |request| async move {
//!                 Ok(Response::new(request.into_inner()))
//!             }),
//!             _ => call.unimplemented(),
//!         }
//!     }
//! }
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//!     let port = listener.local_addr()?.port();
//!     let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//!     let server = tokio::spawn(Server::builder().add_service(Echo).serve(listener, async {
//!         let _ = stopped.await;
//!     }));
//!
//!     let channel = Endpoint::new("127.0.0.1", port).connect().await?;
//!     let reply = channel
//!         .unary("/demo.Echo/Say", BytesCodec, Bytes::from_static(b"hi"), CallOptions::new())
//!         .await?;
//!     assert_eq!(reply.get_ref(), &Bytes::from_static(b"hi"));
//!
//!     // A method the service does not have.
//!     let missing = channel
//!         .unary("/demo.Echo/Shout", BytesCodec, Bytes::new(), CallOptions::new())
//!         .await
//!         .unwrap_err();
//!     assert_eq!(missing.code(), protoforge_grpc::Code::Unimplemented);
//!
//!     let _ = stop.send(());
//!     server.await??;
//!     Ok(())
//! }
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
mod write_batch;

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
