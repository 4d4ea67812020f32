//! Parse throughput over the corpus.
fn main() {}
