//! Integration tests of protoforge-codegen: snapshots of generated code.

mod scratch;
mod snapshots;
