//! The single integration-test binary of protoforge-compiler.

mod cases;
mod resolve;
mod descriptor_set;
mod decode;
