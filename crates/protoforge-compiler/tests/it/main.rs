//! The single integration-test binary of protoforge-compiler.

mod cases;
mod decode;
mod descriptor_set;
mod ir;
mod resolve;
