//! The single integration-test binary of protoforge-syntax; each module is one area.

mod comments;
mod corpus;
mod err;
mod fuzz;
mod kinds;
mod ok;
mod protoc_positions;
mod rng;
mod walk;
