//! Snapshots of the code generated for `testdata/codegen`.
