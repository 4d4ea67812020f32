//! The codec benchmark's inputs: five message shapes (small flat, ~1 KB of
//! strings and a map, ~10 KB nested tree, bytes-heavy, packed numeric) and a
//! series of chains of growing nesting depth.
//!
//! Each value is built once in protoforge's types and encoded; prost's and
//! buffa's values are decoded from those bytes, so the three runtimes hold
//! the same message. Building a [`Case`] (`case!`) checks that each
//! runtime's encoding decodes back to the original value, so no runtime is
//! timed doing less than the others.

use protoforge::map::HashMap;
use std::hint::black_box;

use bytes::Bytes;
use protoforge::{EnumValue, Message as _};

use crate::pf::bench as pf;
use crate::{bf, pb};

/// The runtimes measured, in report order; the first is ours.
pub const IMPLEMENTATIONS: [&str; 3] = ["protoforge", "prost", "buffa"];

/// One runtime's timed loops over one value: `encode(n)` encodes it `n`
/// times into a reused buffer, `decode(n)` decodes the encoded bytes `n`
/// times from a `Bytes` buffer (so `bytes` fields can share it in every
/// runtime). The loops are monomorphic inside, so the dynamic call is paid
/// once per sample, not per message.
pub struct Runner {
    /// The runtime's name, one of [`IMPLEMENTATIONS`].
    pub implementation: &'static str,
    /// Encodes the value `n` times.
    pub encode: Box<dyn Fn(u64)>,
    /// Decodes the input `n` times.
    pub decode: Box<dyn Fn(u64)>,
}

/// One benchmark input, with a runner per runtime.
pub struct Case {
    /// The shape's name in reports.
    pub name: String,
    /// The encoded size in bytes.
    pub len: usize,
    /// One per runtime, in [`IMPLEMENTATIONS`] order.
    pub runners: Vec<Runner>,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("name", &self.name)
            .field("len", &self.len)
            .finish()
    }
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("implementation", &self.implementation)
            .finish()
    }
}

/// Builds the three runners of a case from protoforge's value `$value` of
/// type `pf::$ty`, with `pb::$ty` and `bf::bench::$ty` as the peers.
macro_rules! case {
    ($name:expr, $ty:ident, $value:expr) => {{
        let value: pf::$ty = $value;
        let bytes = Bytes::from(value.encode_to_vec());
        let prost_value = <pb::$ty as prost::Message>::decode(bytes.clone())
            .unwrap_or_else(|e| panic!("prost cannot decode {}: {e}", $name));
        let buffa_value = <bf::bench::$ty as buffa::Message>::decode(&mut bytes.clone())
            .unwrap_or_else(|e| panic!("buffa cannot decode {}: {e}", $name));
        // Each runtime's own encoding must decode to the original value.
        let check = |who: &str, encoded: Vec<u8>| {
            assert_eq!(
                encoded.len(),
                bytes.len(),
                "{who} encodes {} to another length",
                $name
            );
            let back = pf::$ty::decode(&encoded)
                .unwrap_or_else(|e| panic!("{who}'s encoding of {} does not decode: {e}", $name));
            assert!(
                back == value,
                "{who}'s encoding of {} decodes to another value",
                $name
            );
        };
        check("protoforge", value.encode_to_vec());
        check("prost", prost::Message::encode_to_vec(&prost_value));
        check("buffa", buffa::Message::encode_to_vec(&buffa_value));
        let len = bytes.len();
        let runners = vec![
            Runner {
                implementation: "protoforge",
                encode: {
                    let value = value.clone();
                    Box::new(move |n| {
                        let mut buf = Vec::with_capacity(len);
                        for _ in 0..n {
                            buf.clear();
                            black_box(&value).encode(&mut buf);
                            black_box(&buf);
                        }
                    })
                },
                decode: {
                    let bytes = bytes.clone();
                    Box::new(move |n| {
                        for _ in 0..n {
                            let _ = black_box(pf::$ty::decode_bytes(black_box(&bytes)));
                        }
                    })
                },
            },
            Runner {
                implementation: "prost",
                encode: Box::new(move |n| {
                    let mut buf = Vec::with_capacity(len);
                    for _ in 0..n {
                        buf.clear();
                        let _ = prost::Message::encode(black_box(&prost_value), &mut buf);
                        black_box(&buf);
                    }
                }),
                decode: {
                    let bytes = bytes.clone();
                    Box::new(move |n| {
                        for _ in 0..n {
                            let _ = black_box(<pb::$ty as prost::Message>::decode(
                                black_box(&bytes).clone(),
                            ));
                        }
                    })
                },
            },
            Runner {
                implementation: "buffa",
                encode: Box::new(move |n| {
                    let mut buf = Vec::with_capacity(len);
                    for _ in 0..n {
                        buf.clear();
                        buffa::Message::encode(black_box(&buffa_value), &mut buf);
                        black_box(&buf);
                    }
                }),
                decode: {
                    let bytes = bytes.clone();
                    Box::new(move |n| {
                        for _ in 0..n {
                            let _ = black_box(<bf::bench::$ty as buffa::Message>::decode(
                                &mut black_box(&bytes).clone(),
                            ));
                        }
                    })
                },
            },
        ];
        Case {
            name: $name.to_string(),
            len,
            runners,
        }
    }};
}

fn text(i: usize, len: usize) -> String {
    let mut s = format!("value-{i}-");
    while s.len() < len {
        s.push((b'a' + (s.len() % 26) as u8) as char);
    }
    s
}

fn small_flat() -> pf::Small {
    pf::Small {
        id: 42,
        timestamp: 1_700_000_000_123,
        count: 300,
        delta: -123_456,
        flags: 0xdead_beef,
        score: 2.5,
        active: true,
        name: "hello world".into(),
        kind: EnumValue::from(pf::Kind::A),
        limit: Some(10),
        ..Default::default()
    }
}

fn strings_and_map() -> pf::Strings {
    pf::Strings {
        title: text(0, 40),
        tags: (0..10).map(|i| text(i, 30)).collect(),
        labels: (0..12)
            .map(|i| (format!("key-{i}"), text(i, 24)))
            .collect::<HashMap<_, _>>(),
        ..Default::default()
    }
}

fn nested() -> pf::Node {
    fn level(depth: u32) -> pf::Node {
        pf::Node {
            id: depth as i32,
            name: text(depth as usize, 12),
            leaf: Some(pf::Leaf {
                name: text(1, 10),
                n: 99,
                ..Default::default()
            }),
            leaves: (0..8)
                .map(|i| pf::Leaf {
                    name: text(i, 24),
                    n: i as i64,
                    ..Default::default()
                })
                .collect(),
            tags: vec![text(2, 8), text(3, 20)],
            child: (depth > 0).then(|| Box::new(level(depth - 1))),
            by_id: if depth > 0 {
                (1..=3)
                    .map(|i| {
                        (
                            i,
                            pf::Leaf {
                                n: i64::from(i),
                                ..Default::default()
                            },
                        )
                    })
                    .collect()
            } else {
                HashMap::default()
            },
            ..Default::default()
        }
    }
    pf::Node {
        leaves: (0..100)
            .map(|i| pf::Leaf {
                name: text(i, 40),
                n: i as i64 * 1000,
                data: Bytes::from(vec![i as u8; 20]),
                ..Default::default()
            })
            .collect(),
        child: Some(Box::new(level(12))),
        ..Default::default()
    }
}

fn bytes_heavy() -> pf::Blobs {
    pf::Blobs {
        blob: Bytes::from(vec![7; 4096]),
        chunks: (0..16).map(|i| Bytes::from(vec![i as u8; 2048])).collect(),
        leaf: Some(pf::Leaf {
            data: Bytes::from(vec![1; 8192]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn packed_numeric() -> pf::Packed {
    pf::Packed {
        ints: (0..1000)
            .map(|i: i32| i.wrapping_mul(2_654_435_761u32 as i32) >> (i % 31))
            .collect(),
        doubles: (0..500).map(|i| f64::from(i) * 0.25).collect(),
        hashes: (0..250)
            .map(|i: u64| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect(),
        deltas: (0..200).map(|i| i - 100).collect(),
        ..Default::default()
    }
}

/// A chain of `depth` nodes, each with an id, a name and a leaf.
fn chain(depth: u32) -> pf::Node {
    let mut node: Option<Box<pf::Node>> = None;
    for i in 0..depth {
        node = Some(Box::new(pf::Node {
            id: i as i32,
            name: "node".into(),
            leaf: Some(pf::Leaf {
                name: "leaf".into(),
                n: i64::from(i),
                ..Default::default()
            }),
            child: node,
            ..Default::default()
        }));
    }
    node.map(|n| *n).unwrap_or_default()
}

/// The five shapes of the main table, in report order.
pub fn shapes() -> Vec<Case> {
    vec![
        case!("small_flat", Small, small_flat()),
        case!("strings_map_1k", Strings, strings_and_map()),
        case!("nested_10k", Node, nested()),
        case!("bytes_heavy", Blobs, bytes_heavy()),
        case!("packed_numeric", Packed, packed_numeric()),
    ]
}

/// The nesting depths of the scaling table.
pub const DEPTHS: [u32; 4] = [1, 4, 16, 64];

/// Chains of [`DEPTHS`] nodes: how encoding and decoding grow with depth.
pub fn depth_series() -> Vec<Case> {
    DEPTHS
        .iter()
        .map(|&d| case!(format!("depth_{d}"), Node, chain(d)))
        .collect()
}
