//! The single integration-test binary of protoforge-compiler.

mod resolve;
mod descriptor_set;
mod decode;
