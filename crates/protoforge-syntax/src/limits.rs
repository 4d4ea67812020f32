//! Limits that bound the work and memory a single input can demand.
//!
//! These are promises: input within them is parsed completely, input beyond
//! them gets one clear diagnostic instead of a stack overflow or an unbounded
//! allocation.

/// Largest source file accepted, in bytes (64 MiB).
///
/// The largest file in googleapis is under 2 MiB; protoc itself reads files
/// of up to 2 GiB, but nothing legitimate comes near this limit. Spans are
/// `u32` offsets, so the limit must stay below 4 GiB.
pub const MAX_FILE_SIZE: usize = 64 * 1024 * 1024;

/// Deepest nesting of `message` declarations.
///
/// protoc's descriptor pool allows 32 levels of nested message declarations,
/// and protoc's parser reports "Reached maximum recursion limit for nested
/// messages." at the 32nd nested `message`; we report the same message at the
/// same place. As in protoc 35, groups do not count here (see
/// [`MAX_GROUP_DEPTH`]).
pub const MAX_DECLARATION_DEPTH: usize = 32;

/// Deepest nesting of group bodies.
///
/// protoc 35's parser does not limit nested groups (its descriptor pool later
/// rejects more than 32 levels of nested types, without a position); this
/// bound only keeps the parser's recursion finite, far beyond anything the
/// descriptor pool accepts.
pub const MAX_GROUP_DEPTH: usize = 100;
