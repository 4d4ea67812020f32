//! protoforge-interop's tests: the interop binaries against each other and
//! against the Python (grpcio) and Node (@grpc/grpc-js) peers, in four
//! pairings, plaintext and TLS; the binaries' flags; and the generated
//! service code of `testdata/codegen/services` run end to end.

// Pairing reports go to stderr, as the test's record of what ran.
#![allow(unreachable_pub, clippy::print_stderr)]

mod flags;
mod pairings;
mod services;
mod support;
