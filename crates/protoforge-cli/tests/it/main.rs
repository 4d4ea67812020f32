//! Integration tests of the `protoforge` binary: each module runs the real
//! binary (and, for differential tests, the pinned protoc) on files written to
//! scratch directories.

mod beyond_protoc;
mod codec;
mod compile;
mod corpus_requests;
mod decode_raw;
mod descriptor_set_in;
mod edition_defaults;
mod plugins;
mod protoc_gen_es;
mod protoc_usage;
mod rust_out;
mod subcommands;
mod support;
