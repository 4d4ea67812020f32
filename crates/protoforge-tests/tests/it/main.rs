//! Behaviour tests of the code protoforge generates for protobuf's own test
//! protos and the conformance protos: round trips, golden bytes, defaults,
//! unknown fields, recursion limits, closed enums, extensions, required
//! fields, and a differential test against Python's protobuf.

mod behaviour;
mod python;

use std::path::PathBuf;

/// The corpus (the build script already failed if it is missing).
fn corpus() -> PathBuf {
    protoforge_testkit::corpus_dir("generated code")
        .unwrap_or_else(|| panic!("the corpus is required by protoforge-tests' build script"))
}
