//! The wire codec through the hand-written generated messages: golden bytes,
//! round trips, unknown fields, closed enums, maps, extensions, `Bytes`
//! sharing, and every decode error with the message and field it names.

use protoforge::{
    Bytes, DecodeErrorKind, DecodeOptions, EnumValue, Extendable, Message, UnknownValue,
};

use crate::generated::pf::ed::{self, Closed, Ed};
use crate::generated::pf::test2::{self, All2, Color, Inner};
use crate::generated::pf::test3::{All3, Kind, Leaf, all3::Choice};

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("test hex"))
        .collect()
}

#[track_caller]
fn golden<M: Message>(msg: &M, hex: &str) {
    let want = unhex(hex);
    assert_eq!(msg.encode_to_vec(), want, "encoding of {msg:?}");
    assert_eq!(msg.encoded_len(), want.len());
    assert_eq!(&M::decode(&want).expect("golden bytes decode"), msg);
}

fn all2() -> All2 {
    All2 {
        req: Some(0),
        ..Default::default()
    }
}

#[test]
fn golden_bytes_proto3() {
    golden(&All3::default(), "");
    golden(
        &All3 {
            i32: 150,
            ..Default::default()
        },
        "08 9601",
    );
    golden(
        &All3 {
            i32: -1,
            ..Default::default()
        },
        "08 ffffffffffffffffff01",
    );
    golden(
        &All3 {
            s32: -1,
            ..Default::default()
        },
        "28 01",
    );
    golden(
        &All3 {
            s64: i64::MIN,
            ..Default::default()
        },
        "30 ffffffffffffffffff01",
    );
    golden(
        &All3 {
            fl: -0.0,
            ..Default::default()
        },
        "5d 00000080",
    );
    golden(
        &All3 {
            b: true,
            ..Default::default()
        },
        "68 01",
    );
    golden(
        &All3 {
            kind: EnumValue::from(Kind::B),
            ..Default::default()
        },
        "80 01 02",
    );
    golden(
        &All3 {
            kind: EnumValue::from_i32(-2),
            ..Default::default()
        },
        "8001 feffffffffffffffff01",
    );
    golden(
        &All3 {
            opt_i32: Some(0),
            ..Default::default()
        },
        "8801 00",
    );
    golden(
        &All3 {
            p_i32: vec![1, 2, 300],
            ..Default::default()
        },
        "a201 04 01 02 ac02",
    );
    golden(
        &All3 {
            p_db: vec![1.0],
            ..Default::default()
        },
        "aa01 08 000000000000f03f",
    );
    golden(
        &All3 {
            u_s32: vec![1, -1],
            ..Default::default()
        },
        "9802 02 9802 01",
    );
    golden(
        &All3 {
            m_ss: [("a".to_string(), "b".to_string())].into(),
            ..Default::default()
        },
        "d201 06 0a0161 120162",
    );
    // Map entries always carry the key and the value, defaults included.
    golden(
        &All3 {
            m_leaf: [(0, Leaf::default())].into(),
            ..Default::default()
        },
        "da01 04 0800 1200",
    );
    golden(
        &All3 {
            choice: Some(Choice::CS("x".into())),
            ..Default::default()
        },
        "fa01 01 78",
    );
    golden(
        &All3 {
            choice: Some(Choice::CI32(0)),
            ..Default::default()
        },
        "f001 00",
    );
    golden(
        &All3 {
            leaf: Some(Leaf {
                name: "n".into(),
                ..Default::default()
            }),
            child: Some(Box::new(All3 {
                i32: 1,
                ..Default::default()
            })),
            ..Default::default()
        },
        "9a01 03 0a016e a202 02 0801",
    );
}

#[test]
fn golden_bytes_proto2_groups_and_editions_delimited() {
    golden(&all2(), "8801 00");
    golden(
        &All2 {
            grp: Some(test2::all2::Grp {
                a: Some(1),
                ..Default::default()
            }),
            ..all2()
        },
        "8801 00 9b01 a00101 9c01",
    );
    golden(
        &All2 {
            p_color: vec![Color::Red, Color::Blue],
            ..all2()
        },
        "8801 00 c201 02 01 03",
    );
    golden(
        &All2 {
            r_color: vec![Color::Red, Color::Blue],
            ..all2()
        },
        "8801 00 b801 01 b801 03",
    );
    golden(
        &Ed {
            req: Some(1),
            delim: Some(ed::ed::Sub {
                x: Some(1),
                ..Default::default()
            }),
            r_delim: vec![ed::ed::Sub::default()],
            ..Default::default()
        },
        "1b 0801 1c 23 24 5801",
    );
    golden(
        &Ed {
            req: Some(1),
            imp: 0,
            a: Some(0),
            ..Default::default()
        },
        "0800 5801",
    );
    golden(
        &Ed {
            req: Some(1),
            packed: vec![1],
            expanded: vec![2, 3],
            ..Default::default()
        },
        "2802 2803 3201 01 5801",
    );
}

#[test]
fn proto2_defaults_come_from_the_getters() {
    let m = all2();
    assert_eq!(
        (m.i32(), m.fl(), m.b(), m.s(), m.color()),
        (-5, 1.5, true, "hello", Color::Green)
    );
    let m = All2 {
        i32: Some(3),
        s: Some(String::new()),
        color: Some(Color::Black),
        ..all2()
    };
    assert_eq!((m.i32(), m.s(), m.color()), (3, "", Color::Black));
}

#[test]
fn both_repeated_forms_are_accepted_for_every_packable_field() {
    // p_i32 (packed) sent unpacked, u_s32 (expanded) sent packed.
    let m = All3::decode(&unhex("a001 05 a001 06 9a02 02 01 02")).expect("decodes");
    assert_eq!(m.p_i32, [5, 6]);
    assert_eq!(m.u_s32, [-1, 1]);
    // A closed enum, both forms, both directions.
    let m = All2::decode(&unhex("8801 00 c001 02 ba01 02 03 01")).expect("decodes");
    assert_eq!(m.p_color, [Color::Green]);
    assert_eq!(m.r_color, [Color::Blue, Color::Red]);
    // Fixed-width packed run whose length is not a multiple of the width.
    let e = All3::decode(&unhex("aa01 03 000000")).expect_err("must fail");
    assert_eq!(e.kind(), DecodeErrorKind::InvalidValue);
    assert!(e.to_string().starts_with("pf.test3.All3.p_db: "), "{e}");
}

#[test]
fn merging_follows_the_protobuf_rules() {
    let a = All3 {
        i32: 1,
        p_i32: vec![1],
        leaf: Some(Leaf {
            name: "a".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let b = All3 {
        i64: 2,
        p_i32: vec![2],
        leaf: Some(Leaf {
            n: 5,
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut bytes = a.encode_to_vec();
    b.encode(&mut bytes);
    let m = All3::decode(&bytes).expect("decodes");
    assert_eq!((m.i32, m.i64, m.p_i32.as_slice()), (1, 2, &[1, 2][..]));
    assert_eq!(
        m.leaf,
        Some(Leaf {
            name: "a".into(),
            n: 5,
            ..Default::default()
        })
    );
    // A oneof member read twice merges when it is the same member, and is
    // replaced by another member.
    let m = All3::decode(&unhex("8202 03 0a0161 8202 02 1005")).expect("decodes");
    assert_eq!(
        m.choice,
        Some(Choice::CLeaf(Leaf {
            name: "a".into(),
            n: 5,
            ..Default::default()
        }))
    );
    let m = All3::decode(&unhex("8202 03 0a0161 f001 07")).expect("decodes");
    assert_eq!(m.choice, Some(Choice::CI32(7)));
}

#[test]
fn map_entries_follow_cpp() {
    // Duplicate key: the last wins. Missing key / value: defaults.
    let m = All3::decode(&unhex(
        "d201 06 0a0161 120131  d201 06 0a0161 120132  d201 03 120133  d201 03 0a0162  d201 00",
    ))
    .expect("decodes");
    let mut entries: Vec<_> = m
        .m_ss
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    entries.sort();
    assert_eq!(entries, [("", ""), ("a", "2"), ("b", "")]);
    // Unknown fields inside an entry are skipped; a key with the wrong wire
    // type is skipped too; a message value given twice is merged.
    let m = All3::decode(&unhex("da01 0f 1803 0a00 0807 1203 0a0178 1202 1009")).expect("decodes");
    assert_eq!(
        m.m_leaf.get(&7),
        Some(&Leaf {
            name: "x".into(),
            n: 9,
            ..Default::default()
        })
    );
    assert!(m.unknown_fields.is_empty());
    // An end-group tag inside an entry is an error.
    let e = All3::decode(&unhex("d201 02 0c00")).expect_err("must fail");
    assert_eq!(e.kind(), DecodeErrorKind::EndGroupMismatch);
}

#[test]
fn unknown_fields_survive_byte_for_byte() {
    // Field 1 with the wrong wire type, a field-5000 varint with an overlong
    // (non-canonical) tag, a group holding a nested group, a fixed32.
    let known = "0801";
    let unknown = "0a 02 6869  c0b8 82 00 05  d3b802 0801 dbb802 dcb802 d4b802  cdb802 01020304";
    let bytes = unhex(&format!("{known} {unknown}"));
    let m = All3::decode(&bytes).expect("decodes");
    assert_eq!(m.i32, 1);
    assert_eq!(m.unknown_fields.as_bytes(), unhex(unknown));
    assert_eq!(m.encode_to_vec(), bytes);
    let fields: Vec<_> = m
        .unknown_fields
        .iter()
        .map(|f| (f.number, f.value))
        .collect();
    assert_eq!(fields.len(), 4, "{fields:?}");
    assert_eq!(fields[0], (1, UnknownValue::Len(b"hi")));
    assert_eq!(fields[1], (5000, UnknownValue::Varint(5)));
    assert_eq!(fields[3], (5001, UnknownValue::Fixed32(0x0403_0201)));
    // In a submessage too, and unknown fields come after the known ones.
    let m = All3::decode(&unhex("9a01 05 f80301 1005")).expect("decodes");
    assert_eq!(
        m.leaf.as_ref().map(|l| l.unknown_fields.as_bytes()),
        Some(&unhex("f803 01")[..])
    );
    assert_eq!(m.encode_to_vec(), unhex("9a01 05 1005 f80301"));
}

#[test]
fn closed_enum_unknown_values_go_to_the_unknown_fields() {
    // Singular (7 and -1), packed with a mix, map value.
    let bytes = unhex("8001 07 8801 00 8001 ffffffffffffffffff01 c201 04 01 09 03 2a");
    let m = All2::decode(&bytes).expect("decodes");
    assert_eq!(m.color, None);
    assert_eq!(m.p_color, [Color::Red, Color::Blue]);
    let unknown: Vec<_> = m
        .unknown_fields
        .iter()
        .map(|f| (f.number, f.value))
        .collect();
    assert_eq!(
        unknown,
        [
            (16, UnknownValue::Varint(7)),
            (16, UnknownValue::Varint(u64::MAX)),
            (24, UnknownValue::Varint(9)),
            (24, UnknownValue::Varint(42)),
        ]
    );
    // A known value after an unknown one sets the field.
    let m = All2::decode(&unhex("8001 07 8001 02 8801 00")).expect("decodes");
    assert_eq!(m.color, Some(Color::Green));
    // Editions closed enum map: the whole entry, re-encoded as C++ does.
    let m = Ed::decode(&unhex("5801 62 06 0805 1009 1801 62 04 0806 1001")).expect("decodes");
    assert_eq!(m.m_closed.get(&6), Some(&Closed::COne));
    assert_eq!(m.m_closed.len(), 1);
    assert_eq!(m.unknown_fields.as_bytes(), unhex("62 04 0805 1009"));
}

#[test]
fn extensions_have_typed_accessors_and_round_trip() {
    let mut m = all2();
    assert_eq!(m.extension(&test2::EXT_I32).expect("reads"), None);
    m.set_extension(&test2::EXT_I32, &-3);
    m.set_extension(&test2::EXT_S, &"é".to_string());
    m.set_extension(
        &test2::EXT_INNER,
        &Inner {
            id: Some(4),
            ..Default::default()
        },
    );
    m.set_repeated_extension(&test2::EXT_PACKED, &[1, -1]);
    assert!(m.has_extension(&test2::EXT_I32));
    let bytes = m.encode_to_vec();
    assert_eq!(
        bytes,
        unhex("8801 00 a006 fdffffffffffffffff01 aa06 02 02 01 b206 02 0804 ba06 02 c3a9")
    );
    let back = All2::decode(&bytes).expect("decodes");
    assert_eq!(back, m);
    assert_eq!(back.extension(&test2::EXT_I32).expect("reads"), Some(-3));
    assert_eq!(
        back.repeated_extension(&test2::EXT_PACKED).expect("reads"),
        [1, -1]
    );
    assert_eq!(
        back.extension(&test2::EXT_INNER)
            .expect("reads")
            .and_then(|i| i.id),
        Some(4)
    );
    assert!(back.unknown_fields.is_empty());
    // Occurrences combine like a regular field: the last scalar wins, the
    // repeated extension reads unpacked input too.
    let m = All2::decode(&unhex("8801 00 a006 01 a006 02 a806 04 a806 03")).expect("decodes");
    assert_eq!(m.extension(&test2::EXT_I32).expect("reads"), Some(2));
    assert_eq!(
        m.repeated_extension(&test2::EXT_PACKED).expect("reads"),
        [2, -2]
    );
    let mut m = m;
    m.clear_extension(&test2::EXT_I32);
    assert_eq!(m.extension(&test2::EXT_I32).expect("reads"), None);
}

#[test]
fn bytes_fields_share_a_bytes_input() {
    let leaf = Leaf {
        data: Bytes::from_static(b"0123456789"),
        ..Default::default()
    };
    let input = Bytes::from(leaf.encode_to_vec());
    let decoded = Leaf::decode_bytes(&input).expect("decodes");
    assert_eq!(decoded.data, leaf.data);
    let range = input.as_ptr() as usize..input.as_ptr() as usize + input.len();
    assert!(
        range.contains(&(decoded.data.as_ptr() as usize)),
        "the value was copied"
    );
    // From a slice, it is a copy.
    let copied = Leaf::decode(&input).expect("decodes");
    assert!(!range.contains(&(copied.data.as_ptr() as usize)));
}

#[test]
fn utf8_is_checked_where_the_field_asks() {
    let e = All3::decode(&unhex("72 02 c328")).expect_err("must fail");
    assert_eq!(e.kind(), DecodeErrorKind::InvalidUtf8);
    assert_eq!(
        e.to_string(),
        "pf.test3.All3.s: invalid UTF-8 in a string field"
    );
    let e = All3::decode(&unhex("9a01 03 0a01ff")).expect_err("must fail");
    assert_eq!(
        e.to_string(),
        "pf.test3.All3.leaf.name: invalid UTF-8 in a string field"
    );
    let path: Vec<_> = e.path().map(|p| (p.message, p.number, p.field)).collect();
    assert_eq!(
        path,
        [
            ("pf.test3.All3", 19, Some("leaf")),
            ("pf.test3.Leaf", 1, Some("name"))
        ]
    );
    // utf8_validation = NONE keeps the bytes.
    let m = Ed::decode(&unhex("5801 52 02 c328")).expect("decodes");
    let unchecked = m.unchecked.as_ref().expect("set");
    assert_eq!(unchecked.as_bytes(), [0xc3, 0x28]);
    assert!(unchecked.as_str().is_err());
    assert_eq!(m.encode_to_vec(), unhex("52 02 c328 5801"));
    // proto3 map keys and values are checked.
    let e = All3::decode(&unhex("d201 03 0a01ff")).expect_err("must fail");
    assert_eq!(e.kind(), DecodeErrorKind::InvalidUtf8);
}

#[test]
fn required_fields_are_checked_with_their_path() {
    let e = All2::decode(&[]).expect_err("must fail");
    assert_eq!(e.kind(), DecodeErrorKind::MissingRequired);
    assert_eq!(e.to_string(), "missing required field: pf.test2.All2.req");
    let e = All2::decode(&unhex("8801 00 d201 02 0801 d201 00")).expect_err("must fail");
    assert_eq!(
        e.to_string(),
        "missing required field: pf.test2.All2.r_inner[1].id"
    );
    let e = All2::decode(&unhex("8801 00 fa01 00")).expect_err("must fail");
    assert_eq!(
        e.to_string(),
        "missing required field: pf.test2.All2.recurse.req"
    );
    // Partial parsing, and the check on its own.
    let m = All2::decode_with(&[], &DecodeOptions::new().check_required(false)).expect("partial");
    let missing = m.check_initialized().expect_err("must fail");
    assert_eq!(
        missing.to_string(),
        "message of type \"pf.test2.All2\" is missing required fields: req"
    );
    let e = Ed::decode(&[]).expect_err("must fail");
    assert_eq!(e.to_string(), "missing required field: pf.ed.Ed.req");
}

fn nested_all3(depth: usize) -> All3 {
    let mut m = All3 {
        i32: 1,
        ..Default::default()
    };
    for _ in 0..depth {
        m = All3 {
            child: Some(Box::new(m)),
            ..Default::default()
        };
    }
    m
}

#[test]
fn recursion_is_limited_to_100_levels_like_cpp() {
    let ok = nested_all3(100).encode_to_vec();
    assert_eq!(
        All3::decode(&ok).expect("100 levels decode"),
        nested_all3(100)
    );
    let deep = nested_all3(101).encode_to_vec();
    let e = All3::decode(&deep).expect_err("must fail");
    assert_eq!(e.kind(), DecodeErrorKind::RecursionLimit);
    assert!(
        e.to_string().starts_with("pf.test3.All3.child.child."),
        "{e}"
    );
    let options = DecodeOptions::new().recursion_limit(200);
    assert!(All3::decode_with(&deep, &options).is_ok());
    let options = DecodeOptions::new().recursion_limit(3);
    assert_eq!(
        All3::decode_with(&nested_all3(4).encode_to_vec(), &options)
            .expect_err("must fail")
            .kind(),
        DecodeErrorKind::RecursionLimit
    );
    // Unknown groups count too: 101 nested unknown groups of field 5000.
    let mut bytes = Vec::new();
    for _ in 0..101 {
        bytes.extend_from_slice(&unhex("c3b802"));
    }
    for _ in 0..101 {
        bytes.extend_from_slice(&unhex("c4b802"));
    }
    assert_eq!(
        All3::decode(&bytes).expect_err("must fail").kind(),
        DecodeErrorKind::RecursionLimit
    );
    assert!(All3::decode(&bytes[3..bytes.len() - 3]).is_ok());
    // And a million levels fail cleanly instead of overflowing the stack.
    let mut bytes = Vec::new();
    for _ in 0..1_000_000 {
        bytes.extend_from_slice(&unhex("c3b802"));
    }
    assert_eq!(
        All3::decode(&bytes).expect_err("must fail").kind(),
        DecodeErrorKind::RecursionLimit
    );
}

#[test]
fn every_malformed_input_gets_its_error() {
    let cases: &[(&str, DecodeErrorKind, &str)] = &[
        (
            "08",
            DecodeErrorKind::Truncated,
            "pf.test3.All3.i32: truncated input",
        ),
        (
            "08 80",
            DecodeErrorKind::Truncated,
            "pf.test3.All3.i32: truncated input",
        ),
        (
            "3d 0102",
            DecodeErrorKind::Truncated,
            "pf.test3.All3.f32: truncated input",
        ),
        (
            "80",
            DecodeErrorKind::Truncated,
            "pf.test3.All3: truncated input",
        ),
        (
            "08 ffffffffffffffffffff01",
            DecodeErrorKind::OverlongVarint,
            "pf.test3.All3.i32: varint longer than 10 bytes",
        ),
        (
            "0f",
            DecodeErrorKind::InvalidTag,
            "pf.test3.All3: invalid tag: wire type 7",
        ),
        (
            "00",
            DecodeErrorKind::InvalidTag,
            "pf.test3.All3: invalid tag: field number 0",
        ),
        (
            "8080808010",
            DecodeErrorKind::InvalidTag,
            "pf.test3.All3: invalid tag: tag 4294967296 does not fit 32 bits",
        ),
        (
            "808080808001",
            DecodeErrorKind::OverlongVarint,
            "pf.test3.All3: varint longer than 10 bytes",
        ),
        (
            "72 05 6162",
            DecodeErrorKind::LengthPastEnd,
            "pf.test3.All3.s: length past the end of the input: length 5 with 2 bytes left",
        ),
        (
            "9a01 02 0a05 6162",
            DecodeErrorKind::LengthPastEnd,
            "pf.test3.All3.leaf.name: length past the end of the input: length 5 with 0 bytes left",
        ),
        (
            "0c",
            DecodeErrorKind::EndGroupMismatch,
            "pf.test3.All3.1: end-group tag does not match the open group: end-group tag for field 1 outside any group",
        ),
        (
            "c3b802 0801",
            DecodeErrorKind::EndGroupMismatch,
            "pf.test3.All3.5000: end-group tag does not match the open group: group 5000 is not closed",
        ),
        (
            "c3b802 bcb802",
            DecodeErrorKind::EndGroupMismatch,
            "pf.test3.All3.5000: end-group tag does not match the open group: end-group tag for field 4999 inside group 5000",
        ),
    ];
    for (hex, kind, text) in cases {
        let e = All3::decode(&unhex(hex)).expect_err("must fail");
        assert_eq!(
            (e.kind(), e.to_string().as_str()),
            (*kind, *text),
            "input {hex}"
        );
    }
    // A group field whose end tag is another field's.
    let e = All2::decode(&unhex("8801 00 9b01 a00101 a401")).expect_err("must fail");
    assert_eq!(e.kind(), DecodeErrorKind::EndGroupMismatch);
    assert!(e.to_string().starts_with("pf.test2.All2.grp."), "{e}");
    // A group that the input ends inside.
    let e = All2::decode(&unhex("8801 00 9b01 a00101")).expect_err("must fail");
    assert_eq!(
        e.to_string(),
        "pf.test2.All2.grp: end-group tag does not match the open group: group 19 is not closed"
    );
}

#[test]
fn every_truncation_of_a_valid_encoding_fails_cleanly() {
    let m = All3 {
        s: "hello".into(),
        leaf: Some(Leaf {
            name: "x".into(),
            n: -1,
            data: Bytes::from_static(b"abc"),
            ..Default::default()
        }),
        p_i32: vec![1, 300, -1],
        m_leaf: [(3, Leaf::default())].into(),
        choice: Some(Choice::CKind(EnumValue::from(Kind::A))),
        child: Some(Box::new(All3 {
            f64: 9,
            ..Default::default()
        })),
        ..Default::default()
    };
    let bytes = m.encode_to_vec();
    let mut failures = 0;
    for end in 0..bytes.len() {
        // A prefix either ends on a field boundary (and decodes) or fails
        // with a truncation error.
        match All3::decode(&bytes[..end]) {
            Ok(_) => {}
            Err(e) => {
                failures += 1;
                assert!(
                    matches!(
                        e.kind(),
                        DecodeErrorKind::Truncated | DecodeErrorKind::LengthPastEnd
                    ),
                    "prefix of {end} bytes: {e}"
                );
            }
        }
    }
    assert!(
        failures > bytes.len() / 2,
        "{failures} of {} prefixes failed",
        bytes.len()
    );
    assert_eq!(All3::decode(&bytes).expect("whole"), m);
}

#[test]
fn length_delimited_framing_round_trips() {
    let m = All3 {
        s: "framed".into(),
        ..Default::default()
    };
    let mut buf = Vec::new();
    m.encode_length_delimited(&mut buf);
    m.encode_length_delimited(&mut buf);
    let (first, used) = All3::decode_length_delimited(&buf).expect("first");
    let (second, _) = All3::decode_length_delimited(&buf[used..]).expect("second");
    assert_eq!((first, second), (m.clone(), m));
}

#[test]
fn encoding_records_each_submessage_length_once() {
    // The size pass records one length per submessage (and per packed
    // varint field), in write order; the write pass consumes exactly those.
    let m = nested_all3(50);
    let mut sizes = protoforge::SizeCache::new();
    let len = m.compute_size(&mut sizes);
    let mut out = Vec::new();
    m.write(&mut protoforge::Writer::new(&mut out, &sizes));
    assert_eq!(out.len(), len);
    assert_eq!(format!("{sizes:?}").matches(',').count() + 1, 50);
}
