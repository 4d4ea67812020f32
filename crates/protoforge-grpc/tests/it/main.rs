//! protoforge-grpc's integration tests: the transport against itself for
//! protocol details, against raw HTTP/2 for wire-level behaviour, and the
//! gRPC interop cases against real Python (grpcio) and Node
//! (@grpc/grpc-js) peers.

#![allow(unreachable_pub)]

mod echo;
mod interop;
mod support;
mod transport;
mod wire;
