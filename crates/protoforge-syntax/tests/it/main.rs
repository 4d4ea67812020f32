//! The integration tests of protoforge-syntax, one module per data directory.

mod ok;
