//! The semantic compiler of protoforge.
//!
//! This crate turns parsed `.proto` files into linked, validated descriptors
//! whose `FileDescriptorSet` bytes equal protoc's. It is being built phase by
//! phase (see ARCHITECTURE.md); what is here today:
//!
//! - [`resolve`]: where source files come from. The compiler core reads files
//!   only through the [`resolve::FileResolver`] trait; [`resolve::IncludePaths`]
//!   gives protoc's `-I`/`--proto_path` semantics (virtual mappings, shadowing,
//!   the rules for mapping an input path back to its import name),
//!   [`resolve::InMemory`] serves sources held in memory, and
//!   [`resolve::Chain`] tries several resolvers in order.

#![deny(missing_docs)]

pub mod ir;
pub mod resolve;
