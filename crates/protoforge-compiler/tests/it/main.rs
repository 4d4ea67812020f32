//! The single integration-test binary of protoforge-compiler.

mod decode;
mod descriptor_set;
mod resolve;
