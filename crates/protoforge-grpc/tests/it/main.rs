//! protoforge-grpc's integration tests: the transport against itself for
//! protocol details, against raw HTTP/2 for wire-level behaviour, and the
//! gRPC interop cases against real Python (grpcio) and Node
//! (@grpc/grpc-js) peers.

// Interop tests report which pairings ran on stderr.
#![allow(unreachable_pub, clippy::print_stderr)]

mod echo;
mod interop;
mod support;
mod transport;
mod wire;
