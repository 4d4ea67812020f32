//! The single integration-test binary of protoforge-compiler.

mod resolve;
