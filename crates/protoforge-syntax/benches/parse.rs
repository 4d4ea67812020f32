//! Throughput of the lexer and the parser over the whole `.proto` corpus.
//!
//! No harness and no dependencies: every `.proto` under the corpus is read
//! into memory, one warm-up pass runs, then several timed rounds, and the
//! median round is reported as MB/s (and files/s) for tokenizing alone and for
//! a full parse. Run with `cargo bench -p protoforge-syntax --bench parse`.
//!
//! Environment:
//! - `PROTOFORGE_BENCH_ROUNDS`: timed rounds (default 7);
//! - `PROTOFORGE_BENCH_LIMIT`: use only the first N files (for profiling under
//!   callgrind, say);
//! - `PROTOFORGE_BENCH_ONLY`: `tokenize` or `parse` to run one of the two.
//!
//! A missing corpus is not a failure: the bench prints a loud notice and exits.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::hint::black_box;
use std::time::{Duration, Instant};

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn main() {
    let Some(corpus) = protoforge_testkit::corpus_dir("bench: parse") else {
        println!("\n!!!!!!!! no corpus: the parse benchmark DID NOT RUN !!!!!!!!\n");
        return;
    };
    let mut files: Vec<Vec<u8>> = protoforge_testkit::proto_files(&corpus)
        .iter()
        .filter_map(|rel| std::fs::read(corpus.join(rel)).ok())
        .collect();
    if let Some(limit) = env_usize("PROTOFORGE_BENCH_LIMIT") {
        files.truncate(limit);
    }
    let rounds = env_usize("PROTOFORGE_BENCH_ROUNDS").unwrap_or(7).max(1);
    let only = std::env::var("PROTOFORGE_BENCH_ONLY").unwrap_or_default();
    let bytes: usize = files.iter().map(Vec::len).sum();
    println!(
        "corpus: {} files, {} bytes ({:.1} MB), {rounds} rounds",
        files.len(),
        bytes,
        mb(bytes)
    );

    if only.is_empty() || only == "tokenize" {
        let token_count = files
            .iter()
            .map(|f| protoforge_syntax::tokenize(f).0.len())
            .sum::<usize>();
        println!("tokens: {token_count}");
        let median = measure(rounds, || {
            for file in &files {
                black_box(protoforge_syntax::tokenize(black_box(file)));
            }
        });
        report("tokenize", median, bytes, files.len());
    }
    if only.is_empty() || only == "parse" {
        let with_errors = files
            .iter()
            .filter(|f| protoforge_syntax::parse(f).has_errors())
            .count();
        println!("files with syntax errors: {with_errors}");
        let median = measure(rounds, || {
            for file in &files {
                black_box(protoforge_syntax::parse(black_box(file)));
            }
        });
        report("parse", median, bytes, files.len());
    }
}

/// Runs `round` once to warm up, then `rounds` times, and returns the median.
fn measure(rounds: usize, mut round: impl FnMut()) -> Duration {
    round();
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            round();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn report(what: &str, median: Duration, bytes: usize, files: usize) {
    let secs = median.as_secs_f64();
    println!(
        "{what:>8}: median {:>8.1} ms  {:>7.1} MB/s  {:>8.0} files/s",
        secs * 1e3,
        mb(bytes) / secs,
        files as f64 / secs
    );
}
