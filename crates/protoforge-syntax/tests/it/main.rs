//! The single integration-test binary of protoforge-syntax; each module is one area.

mod corpus;
mod err;
mod kinds;
mod ok;
mod protoc_positions;
