//! The well-known types (`google.protobuf.*`) and the helpers Rust users
//! expect on them. The message structs are in `generated.rs` (generated
//! code's shape; a bootstrap until codegen writes it); each helper file adds
//! inherent methods and conversions.

mod generated;

pub use generated::*;
