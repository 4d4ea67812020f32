//! The Rust protoforge generates for protobuf's own test protos and the
//! conformance protos (by `build.rs`, from the corpus), for the behaviour
//! tests in `tests/it` and the conformance testee in
//! `src/bin/conformance_testee.rs`. One module tree per package:
//! `conformance`, `protobuf_test_messages::proto2`, …

#![allow(missing_docs)]

include!(concat!(env!("OUT_DIR"), "/protos.rs"));

/// The code generated for `testdata/codegen` (snapshotted by
/// protoforge-codegen's tests).
pub mod codegen_testdata {
    include!(concat!(env!("OUT_DIR"), "/codegen_testdata.rs"));
}
