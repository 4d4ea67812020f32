//! Integration tests of protoforge-codegen: snapshots of generated code for
//! `testdata/codegen`, and the freshness of the runtime's generated code.

mod bootstrap;
mod services;
mod snapshots;
