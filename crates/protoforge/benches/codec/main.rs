//! Encode and decode throughput of the runtime over five message shapes
//! (`shapes.rs`): small flat, ~1 KB strings and map, ~10 KB nested,
//! bytes-heavy, packed numeric. Criterion; run with
//! `cargo bench -p protoforge --bench codec`. Decoding is measured from a
//! slice and, for the `Bytes` shapes, from a `Bytes` buffer (no copy).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use protoforge::{Bytes, Message};
use std::hint::black_box;

#[allow(dead_code, unreachable_pub, clippy::all)]
#[path = "../../tests/it/generated/mod.rs"]
mod generated;
mod shapes;

use generated::pf::test3::All3;

fn codec(c: &mut Criterion) {
    for shape in shapes::all() {
        let bytes = shape.msg.encode_to_vec();
        let mut group = c.benchmark_group(shape.name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(BenchmarkId::new("encode", bytes.len()), |b| {
            let mut buf = Vec::with_capacity(bytes.len());
            b.iter(|| {
                buf.clear();
                black_box(&shape.msg).encode(&mut buf);
                black_box(buf.len())
            })
        });
        group.bench_function(BenchmarkId::new("encode_to_vec", bytes.len()), |b| {
            b.iter(|| black_box(black_box(&shape.msg).encode_to_vec()))
        });
        group.bench_function(BenchmarkId::new("decode", bytes.len()), |b| {
            b.iter(|| black_box(All3::decode(black_box(&bytes)).map(|m| m.i32)))
        });
        let shared = Bytes::from(bytes.clone());
        group.bench_function(BenchmarkId::new("decode_bytes", bytes.len()), |b| {
            b.iter(|| black_box(All3::decode_bytes(black_box(&shared)).map(|m| m.i32)))
        });
        group.finish();
    }
}

criterion_group!(benches, codec);
criterion_main!(benches);
