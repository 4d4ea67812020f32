//! protoforge-grpc's integration tests: the transport against itself for
//! protocol details (with raw-bytes codecs: this crate knows no message
//! types), and against raw HTTP/2 for wire-level behaviour. The gRPC
//! interop cases against real Python and Node peers, on generated code,
//! are protoforge-interop's tests.

#![allow(unreachable_pub)]

mod boundary;
mod echo;
mod keepalive;
mod support;
mod transport;
mod wire;
