//! gRPC interop for protoforge: `grpc.testing.TestService` compiled from the
//! project's own `testdata/interop` protos by protoforge's compiler and
//! code generator (in `build.rs`), the server and client sides of the
//! standard interop test cases on top of it, and the `interop-server` and
//! `interop-client` binaries that take the standard interop flags.
//!
//! - [`pb`]: the generated messages and services (`pb::grpc::testing`).
//! - [`server::InteropServer`]: the `TestService` every interop client
//!   expects (echoed metadata and status, compressed requests and
//!   responses, response sizes and intervals).
//! - [`client`]: the client side of the 18 cases ([`client::CASES`]).
//!
//! The tests in `tests/it` run the binaries against each other and against
//! the Python (`grpcio`) and Node (`@grpc/grpc-js`) peers of
//! `tools/peers/interop`, in four pairings, plaintext and TLS.

#![deny(missing_docs)]

pub mod client;
pub mod server;

/// The code protoforge generates for `testdata/interop` (messages, and
/// clients and servers for `TestService` and `UnimplementedService`).
#[allow(missing_docs, missing_debug_implementations, unreachable_pub)]
pub mod pb {
    include!(concat!(env!("OUT_DIR"), "/interop.rs"));
}

use pb::grpc::testing::{BoolValue, Payload};

/// A payload of `size` zero bytes.
pub fn zeros(size: usize) -> Option<Payload> {
    Some(Payload {
        body: protoforge::Bytes::from(vec![0u8; size]),
        ..Default::default()
    })
}

/// A `BoolValue` holding `value`.
pub fn bool_value(value: bool) -> Option<BoolValue> {
    Some(BoolValue {
        value,
        ..Default::default()
    })
}

/// Whether an optional `BoolValue` is present and true.
pub fn is_true(value: &Option<BoolValue>) -> bool {
    value.as_ref().is_some_and(|v| v.value)
}
