//! The benchmark's message shapes, built from the hand-written generated
//! test messages: small flat, ~1 KB of strings and a map, ~10 KB nested,
//! bytes-heavy and packed numeric. The comparison with other runtimes
//! rebuilds the same values in their types.

use std::collections::HashMap;

use protoforge::{Bytes, EnumValue};

use crate::generated::pf::test3::{All3, Kind, Leaf};

/// One benchmark input.
pub(crate) struct Shape {
    pub(crate) name: &'static str,
    pub(crate) msg: All3,
}

fn text(i: usize, len: usize) -> String {
    let mut s = format!("value-{i}-");
    while s.len() < len {
        s.push((b'a' + (s.len() % 26) as u8) as char);
    }
    s
}

/// A handful of scalars and a short string.
fn small_flat() -> All3 {
    All3 {
        i32: 42,
        i64: -7,
        u32: 300,
        s64: -123_456,
        f32: 9,
        db: 2.5,
        b: true,
        s: "hello".into(),
        kind: EnumValue::from(Kind::A),
        opt_i32: Some(1),
        ..Default::default()
    }
}

/// About 1 KB: repeated strings and a string map.
fn strings_and_map() -> All3 {
    All3 {
        s: text(0, 40),
        r_s: (0..10).map(|i| text(i, 30)).collect(),
        m_ss: (0..12)
            .map(|i| (format!("key-{i}"), text(i, 24)))
            .collect::<HashMap<_, _>>(),
        ..Default::default()
    }
}

/// About 10 KB: a tree of submessages three levels deep.
fn nested() -> All3 {
    fn level(depth: u32) -> All3 {
        All3 {
            i32: depth as i32,
            s: text(depth as usize, 12),
            leaf: Some(Leaf {
                name: text(1, 10),
                n: 99,
                ..Default::default()
            }),
            r_leaf: (0..4)
                .map(|i| Leaf {
                    name: text(i, 16),
                    n: i as i64,
                    ..Default::default()
                })
                .collect(),
            r_s: vec![text(2, 8)],
            child: (depth > 0).then(|| Box::new(level(depth - 1))),
            m_leaf: if depth > 0 {
                (0..3)
                    .map(|i| {
                        (
                            i,
                            Leaf {
                                n: i as i64,
                                ..Default::default()
                            },
                        )
                    })
                    .collect()
            } else {
                HashMap::new()
            },
            ..Default::default()
        }
    }
    All3 {
        r_leaf: (0..20)
            .map(|i| Leaf {
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

/// Large `bytes` values (as `Bytes`, shared with the input on decode).
fn bytes_heavy() -> All3 {
    All3 {
        by: vec![7; 4096],
        r_by: (0..16).map(|i| Bytes::from(vec![i as u8; 2048])).collect(),
        leaf: Some(Leaf {
            data: Bytes::from(vec![1; 8192]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Packed numbers: varints of every length, doubles, fixed64.
fn packed_numeric() -> All3 {
    All3 {
        p_i32: (0..1000)
            .map(|i: i32| i.wrapping_mul(2_654_435_761u32 as i32) >> (i % 31))
            .collect(),
        p_db: (0..500).map(|i| f64::from(i) * 0.25).collect(),
        p_f64: (0..250)
            .map(|i: u64| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect(),
        u_s32: (0..200).map(|i| i - 100).collect(),
        ..Default::default()
    }
}

/// Every shape, in report order.
pub(crate) fn all() -> Vec<Shape> {
    vec![
        Shape {
            name: "small_flat",
            msg: small_flat(),
        },
        Shape {
            name: "strings_map_1k",
            msg: strings_and_map(),
        },
        Shape {
            name: "nested_10k",
            msg: nested(),
        },
        Shape {
            name: "bytes_heavy",
            msg: bytes_heavy(),
        },
        Shape {
            name: "packed_numeric",
            msg: packed_numeric(),
        },
    ]
}
