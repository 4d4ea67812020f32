//! What users observe of the generated code: exact bytes for known values,
//! round trips, proto2 defaults through the getters, unknown fields kept
//! byte for byte, the recursion limit, closed and open enums, extensions,
//! required fields, `Box` where recursion needs it, editions `DELIMITED`.

use protoforge::{DecodeErrorKind, EnumValue, Extendable, Message, ProtoString};
use protoforge_tests::protobuf_test_messages::{editions, proto2, proto3};
use protoforge_tests::{proto2_unittest, proto3_unittest};

use proto2::TestAllTypesProto2 as All2;
use proto2::test_all_types_proto2 as all2;
use proto3::TestAllTypesProto3 as All3;
use proto3::test_all_types_proto3 as all3;

#[test]
fn golden_bytes() {
    let m = All3 {
        optional_int32: 150,
        ..Default::default()
    };
    assert_eq!(m.encode_to_vec(), [0x08, 0x96, 0x01]);

    let m = All3 {
        optional_string: "hi".to_string(),
        optional_sint32: -1,
        ..Default::default()
    };
    // Field 5 (sint32, zigzag -1 = 1), then field 14 (string).
    assert_eq!(m.encode_to_vec(), [0x28, 0x01, 0x72, 0x02, b'h', b'i']);

    // proto3 repeated scalars are packed; proto2 ones are not.
    let m = All3 {
        repeated_int32: vec![1, 2],
        ..Default::default()
    };
    assert_eq!(m.encode_to_vec(), [0xfa, 0x01, 0x02, 0x01, 0x02]);
    let m = All2 {
        repeated_int32: vec![1, 2],
        ..Default::default()
    };
    assert_eq!(m.encode_to_vec(), [0xf8, 0x01, 0x01, 0xf8, 0x01, 0x02]);

    // A proto2 group: start tag 201, its field 202, end tag 201.
    let m = All2 {
        data: Some(all2::Data {
            group_int32: Some(1),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        m.encode_to_vec(),
        [0xcb, 0x0c, 0xd0, 0x0c, 0x01, 0xcc, 0x0c]
    );

    // proto3 implicit presence: defaults are not written, -0.0 is.
    let m = All3 {
        optional_double: -0.0,
        optional_bool: false,
        ..Default::default()
    };
    assert_eq!(m.encode_to_vec(), [0x61, 0, 0, 0, 0, 0, 0, 0, 0x80]);

    // A set oneof member is written even when it holds the default.
    let m = All3 {
        oneof_field: Some(all3::OneofField::OneofUint32(0)),
        ..Default::default()
    };
    assert_eq!(m.encode_to_vec(), [0xf8, 0x06, 0x00]);
}

#[test]
fn editions_delimited_messages_are_groups_on_the_wire() {
    // The file sets `message_encoding = DELIMITED`; `groupliketype` (201)
    // inherits it, `optional_nested_message` (18) overrides it.
    let m = editions::TestAllTypesEdition2023 {
        groupliketype: Some(editions::test_all_types_edition2023::GroupLikeType {
            group_int32: Some(1),
            ..Default::default()
        }),
        optional_nested_message: Some(
            editions::test_all_types_edition2023::NestedMessage {
                a: Some(1),
                ..Default::default()
            }
            .into(),
        ),
        ..Default::default()
    };
    let bytes = m.encode_to_vec();
    assert_eq!(
        bytes,
        [
            0x92, 0x01, 0x02, 0x08, 0x01, 0xcb, 0x0c, 0xd0, 0x0c, 0x01, 0xcc, 0x0c
        ]
    );
    assert_eq!(
        editions::TestAllTypesEdition2023::decode(&bytes).ok(),
        Some(m)
    );
}

fn populated() -> All2 {
    let mut m = All2 {
        optional_int32: Some(-7),
        optional_int64: Some(i64::MIN),
        optional_uint64: Some(u64::MAX),
        optional_sint64: Some(-3),
        optional_fixed32: Some(9),
        optional_float: Some(1.25),
        optional_double: Some(f64::NEG_INFINITY),
        optional_bool: Some(true),
        optional_string: Some("héllo".into()),
        optional_bytes: Some(vec![0, 255]),
        optional_nested_message: Some(Box::new(all2::NestedMessage {
            a: Some(3),
            ..Default::default()
        })),
        optional_nested_enum: Some(all2::NestedEnum::Neg),
        repeated_int32: vec![1, -1, 300],
        repeated_string: vec!["a".into(), ProtoString::new()],
        packed_sint32: vec![-1, 0, 1],
        repeated_nested_enum: vec![all2::NestedEnum::Foo, all2::NestedEnum::Baz],
        oneof_field: Some(all2::OneofField::OneofString("one".into())),
        data: Some(all2::Data {
            group_int32: Some(5),
            group_uint32: Some(6),
            ..Default::default()
        }),
        ..Default::default()
    };
    m.map_int32_int32.insert(1, -1);
    m.map_string_nested_message.insert(
        "k".into(),
        all2::NestedMessage {
            a: Some(1),
            ..Default::default()
        },
    );
    m.recursive_message = Some(Box::new(All2 {
        optional_int32: Some(1),
        ..Default::default()
    }));
    m
}

#[test]
fn round_trips() {
    let m = populated();
    let bytes = m.encode_to_vec();
    assert_eq!(bytes.len(), m.encoded_len());
    let decoded = All2::decode(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(decoded, m);
    // Encoding is deterministic for the same value.
    assert_eq!(decoded.encode_to_vec(), bytes);

    // Merging appends repeated fields and keeps the last scalar.
    let mut merged = m.clone();
    merged.merge(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(merged.repeated_int32, [1, -1, 300, 1, -1, 300]);
    assert_eq!(merged.optional_int32, Some(-7));
}

#[test]
fn proto2_defaults_through_getters() {
    let m = proto2_unittest::TestAllTypes::default();
    assert_eq!(m.default_int32, None);
    assert_eq!(m.default_int32(), 41);
    assert_eq!(m.default_sint32(), -45);
    assert_eq!(m.default_uint64(), 44);
    assert_eq!(m.default_float(), 51.5);
    assert_eq!(m.default_double(), 52_000.0);
    assert!(m.default_bool());
    // unittest.proto is an editions file with `utf8_validation = NONE`:
    // its strings are `ProtoString`s, which hold any bytes.
    assert_eq!(m.default_string(), "hello");
    assert_eq!(m.default_bytes(), b"world");
    assert_eq!(
        m.default_nested_enum(),
        proto2_unittest::test_all_types::NestedEnum::Bar
    );
    assert_eq!(
        m.default_foreign_enum(),
        proto2_unittest::ForeignEnum::ForeignBar
    );

    let set = proto2_unittest::TestAllTypes {
        default_int32: Some(7),
        default_string: Some("x".into()),
        ..Default::default()
    };
    assert_eq!(set.default_int32(), 7);
    assert_eq!(set.default_string(), "x");

    // Unset fields are not written, whatever their declared default.
    assert!(m.encode_to_vec().is_empty());

    // proto3 has no declared defaults: fields start at zero.
    let m3 = proto3_unittest::TestAllTypes::default();
    assert_eq!(m3.optional_int32, 0);
    assert!(m3.optional_string.is_empty());
}

#[test]
fn unknown_fields_are_kept_byte_for_byte() {
    // A known field, then unknown fields of every wire type (19000+).
    let mut bytes = vec![0x08, 0x01];
    bytes.extend([0xc0, 0xa8, 0x09, 0x96, 0x01]); // 19000 varint
    bytes.extend([0xca, 0xa8, 0x09, 0x02, 0xab, 0xcd]); // 19001 len
    bytes.extend([0xd5, 0xa8, 0x09, 1, 2, 3, 4]); // 19002 fixed32
    bytes.extend([0xdb, 0xa8, 0x09, 0x08, 0x05, 0xdc, 0xa8, 0x09]); // 19003 group
    let m = All3::decode(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.optional_int32, 1);
    assert!(!m.unknown_fields.is_empty());
    assert_eq!(m.encode_to_vec(), bytes);

    // A message that knows nothing keeps everything.
    let full = populated().encode_to_vec();
    let empty = proto2_unittest::TestEmptyMessage::decode(&full).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(empty.encode_to_vec(), full);

    // A known field read with another wire type is unknown too.
    let wrong = [0x0d, 1, 0, 0, 0]; // field 1 as fixed32
    let m = All3::decode(&wrong).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.optional_int32, 0);
    assert_eq!(m.encode_to_vec(), wrong);
}

/// `depth` levels of `TestRecursiveMessage.a`.
fn nested(depth: usize) -> Vec<u8> {
    let mut bytes = vec![0x10, 0x01]; // i = 1
    for _ in 0..depth {
        let mut outer = vec![0x0a];
        let mut len = bytes.len();
        while len >= 0x80 {
            outer.push((len as u8) | 0x80);
            len >>= 7;
        }
        outer.push(len as u8);
        outer.extend(bytes);
        bytes = outer;
    }
    bytes
}

#[test]
fn recursion_limit() {
    use proto2_unittest::TestRecursiveMessage;
    let ok = TestRecursiveMessage::decode(&nested(100)).unwrap_or_else(|e| panic!("{e}"));
    let mut depth = 0;
    let mut m = &ok;
    while let Some(inner) = &m.a {
        depth += 1;
        m = inner;
    }
    assert_eq!((depth, m.i), (100, Some(1)));

    let err = TestRecursiveMessage::decode(&nested(101)).err();
    assert_eq!(err.map(|e| e.kind()), Some(DecodeErrorKind::RecursionLimit));
}

#[test]
fn closed_enums_send_unknown_numbers_to_unknown_fields() {
    // optional_nested_enum (21) = 99, which NestedEnum lacks.
    let bytes = [0xa8, 0x01, 0x63];
    let m = All2::decode(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.optional_nested_enum, None);
    assert!(!m.unknown_fields.is_empty());
    assert_eq!(m.encode_to_vec(), bytes);

    // A packed run (field 88, packed_nested_enum) mixing known and unknown.
    let packed = [0xc2, 0x05, 0x03, 0x01, 0x09, 0x02];
    let m = All2::decode(&packed).unwrap_or_else(|e| panic!("{e}"));
    // NestedEnum is FOO = 0, BAR = 1, BAZ = 2, NEG = -1.
    assert_eq!(
        m.packed_nested_enum,
        [all2::NestedEnum::Bar, all2::NestedEnum::Baz]
    );
    assert!(!m.unknown_fields.is_empty());

    // An open enum keeps any number.
    let open = [0xa8, 0x01, 0x63];
    let m = All3::decode(&open).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        m.optional_nested_enum,
        EnumValue::<all3::NestedEnum>::from_i32(99)
    );
    assert_eq!(m.optional_nested_enum.get(), None);
    assert!(m.unknown_fields.is_empty());
    assert_eq!(m.encode_to_vec(), open);
}

#[test]
fn extensions_are_typed_constants() {
    let mut m = All2::default();
    m.set_extension(&proto2::EXTENSION_INT32, &5);
    let bytes = m.encode_to_vec();
    assert_eq!(bytes, [0xc0, 0x07, 0x05]);
    let decoded = All2::decode(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        decoded.extension(&proto2::EXTENSION_INT32).ok(),
        Some(Some(5))
    );

    let mut ext = proto2_unittest::TestAllExtensions::default();
    ext.set_repeated_extension(&proto2_unittest::REPEATED_INT32_EXTENSION, &[1, 2]);
    ext.set_extension(&proto2_unittest::OPTIONAL_STRING_EXTENSION, &"s".into());
    let decoded = proto2_unittest::TestAllExtensions::decode(&ext.encode_to_vec())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        decoded
            .repeated_extension(&proto2_unittest::REPEATED_INT32_EXTENSION)
            .ok(),
        Some(vec![1, 2])
    );
    assert_eq!(
        decoded
            .extension(&proto2_unittest::OPTIONAL_STRING_EXTENSION)
            .ok(),
        Some(Some(ProtoString::from("s")))
    );
}

#[test]
fn required_fields_are_checked() {
    use proto2_unittest::{TestRequired, TestRequiredForeign};
    // Only `b` (3) set: `a` is missing.
    let err = TestRequired::decode(&[0x18, 0x01]).err();
    assert_eq!(
        err.map(|e| e.kind()),
        Some(DecodeErrorKind::MissingRequired)
    );

    let complete = TestRequired {
        a: Some(1),
        b: Some(2),
        c: Some(3),
        ..Default::default()
    };
    assert!(complete.check_initialized().is_ok());

    // A required field inside a submessage is reported with its path.
    let outer = TestRequiredForeign {
        optional_message: Some(TestRequired {
            a: Some(1),
            ..Default::default()
        }),
        ..Default::default()
    };
    let missing = outer
        .check_initialized()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(missing.contains("optional_message.b"), "{missing}");
}

#[test]
fn proto2_strings_hold_any_bytes_in_every_position() {
    use protoforge_tests::codegen_testdata::strings::{self, Text, text};

    // Declared defaults, UTF-8 or not, come back by reference.
    let empty = Text::default();
    assert_eq!(empty.name(), "café");
    assert_eq!(empty.raw_default().as_bytes(), b"\xffok");
    assert_eq!(empty.raw_default().to_string_lossy(), "\u{fffd}ok");
    assert_eq!(empty.id(), "");

    let mut m = Text {
        id: Some(ProtoString::from_bytes(&b"\xc0"[..])),
        tags: vec!["a".into(), ProtoString::from_bytes(&b"\xff"[..])],
        choice: Some(text::Choice::Word(ProtoString::from_bytes(&b"w\x80"[..]))),
        ..Default::default()
    };
    m.labels.insert(
        ProtoString::from_bytes(&b"k\xfe"[..]),
        ProtoString::from_bytes(&b"\xfd"[..]),
    );
    m.counts.insert("n".into(), 3);
    m.by_number.insert(7, ProtoString::from_bytes(&b"\xe0"[..]));
    m.set_extension(&strings::NOTE, &ProtoString::from_bytes(&b"\xf8"[..]));
    let bytes = m.encode_to_vec();
    let back = Text::decode(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, m);
    assert_eq!(back.id().as_bytes(), b"\xc0");
    assert_eq!(
        back.labels
            .get(b"k\xfe".as_slice())
            .map(ProtoString::as_bytes),
        Some(&b"\xfd"[..])
    );
    assert_eq!(
        back.extension(&strings::NOTE)
            .ok()
            .flatten()
            .map(|s| s.as_bytes().to_vec()),
        Some(b"\xf8".to_vec())
    );

    // Decoded from a `Bytes`, the strings share the input's buffer.
    let shared = protoforge::Bytes::from(bytes);
    let range = shared.as_ptr() as usize..shared.as_ptr() as usize + shared.len();
    let decoded = Text::decode_bytes(&shared).unwrap_or_else(|e| panic!("{e}"));
    let id = decoded.id.unwrap_or_default();
    assert!(range.contains(&(id.as_bytes().as_ptr() as usize)));
}

#[test]
fn closed_enum_extensions_send_unknown_numbers_to_unknown_fields() {
    use protoforge_tests::codegen_testdata::closed_ext::{self, Host, Level, scope};

    // level = 7 (unknown), mode = 1, mode = 5 (unknown), packed [1, 9, 0],
    // unpacked levels 2 (unknown) and 1.
    let input = [
        0xa0, 0x06, 0x07, // 100: 7
        0xf0, 0x06, 0x01, // 110: 1
        0xf0, 0x06, 0x05, // 110: 5
        0xb2, 0x06, 0x03, 0x01, 0x09, 0x00, // 102 packed: 1, 9, 0
        0xa8, 0x06, 0x02, // 101: 2
        0xa8, 0x06, 0x01, // 101: 1
    ];
    let m = Host::decode(&input).unwrap_or_else(|e| panic!("{e}"));
    assert!(!m.has_extension(&closed_ext::LEVEL));
    assert_eq!(m.extension(&scope::MODE).ok(), Some(Some(scope::Mode::On)));
    assert_eq!(
        m.repeated_extension(&closed_ext::PACKED_LEVELS).ok(),
        Some(vec![Level::High, Level::Low])
    );
    assert_eq!(
        m.repeated_extension(&closed_ext::LEVELS).ok(),
        Some(vec![Level::High])
    );
    let unknown: Vec<(u32, Option<u64>)> = m
        .unknown_fields
        .iter()
        .map(|f| match f.value {
            protoforge::UnknownValue::Varint(v) => (f.number, Some(v)),
            _ => (f.number, None),
        })
        .collect();
    assert_eq!(
        unknown,
        [
            (100, Some(7)),
            (110, Some(5)),
            (102, Some(9)),
            (101, Some(2))
        ]
    );
    // Known values in number order, as declared (packed stays packed),
    // then the unknown fields.
    assert_eq!(
        m.encode_to_vec(),
        [
            0xa8, 0x06, 0x01, // 101: 1
            0xb2, 0x06, 0x02, 0x01, 0x00, // 102 packed: 1, 0
            0xf0, 0x06, 0x01, // 110: 1
            0xa0, 0x06, 0x07, 0xf0, 0x06, 0x05, 0xb0, 0x06, 0x09, 0xa8, 0x06, 0x02,
        ]
    );
}

#[test]
fn recursive_messages_round_trip_through_their_boxes() {
    use protoforge_tests::codegen_testdata::codegen::recursion::{A, B, C, Expr, Sum, expr};

    // -(-(1 + 2)): a oneof holding itself, then a sum through a Vec.
    let sum = Expr {
        kind: Some(expr::Kind::Sum(Sum {
            terms: vec![
                Expr {
                    kind: Some(expr::Kind::Number(1)),
                    ..Default::default()
                },
                Expr {
                    kind: Some(expr::Kind::Number(2)),
                    ..Default::default()
                },
            ],
            ..Default::default()
        })),
        ..Default::default()
    };
    let mut e = sum;
    for _ in 0..2 {
        e = Expr {
            kind: Some(expr::Kind::Negate(Box::new(e))),
            ..Default::default()
        };
    }
    let back = Expr::decode(&e.encode_to_vec()).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(back, e);

    // A → B → C → A.
    let a = A {
        b: Some(Box::new(B {
            c: Some(Box::new(C {
                a: Some(Box::new(A::default())),
                many: vec![A::default()],
                ..Default::default()
            })),
            ..Default::default()
        })),
        ..Default::default()
    };
    let bytes = a.encode_to_vec();
    assert_eq!(bytes, [0x0a, 0x06, 0x0a, 0x04, 0x0a, 0x00, 0x12, 0x00]);
    assert_eq!(A::decode(&bytes).ok(), Some(a));
}

#[test]
fn clashing_names_get_separate_rust_items() {
    use protoforge_tests::codegen_testdata::clashes::{
        self, Foo, FooBar, FooBar_, FooBar__, Holder, foo, foo_, foo_bar, foo_bar_, holder,
    };

    // Message `clashes.Foo`'s nested types beside package `clashes.foo`.
    let m = Foo {
        inner: Some(foo_::Inner {
            x: 1,
            ..Default::default()
        }),
        sub: Some(foo::Sub {
            y: 2,
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        m.encode_to_vec(),
        [0x0a, 0x02, 0x08, 0x01, 0x12, 0x02, 0x08, 0x02]
    );
    assert_eq!(Foo::decode(&m.encode_to_vec()).ok(), Some(m));

    let b = FooBar_ {
        b: Some(foo_bar_::In::default()),
        other: Some(FooBar {
            a: Some(foo_bar::In::default()),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(FooBar_::decode(&b.encode_to_vec()).ok(), Some(b));

    let h = Holder {
        r#in: Some(holder::InOneof::Level(holder::In_::One.into())),
        in_3: Some(holder::InOneof_::Text("t".into())),
        kind: FooBar__::Zero.into(),
        ..Default::default()
    };
    assert_eq!(Holder::decode(&h.encode_to_vec()).ok(), Some(h));

    // Extensions whose constants convert alike.
    assert_eq!(
        (clashes::FOO_BAR.number(), clashes::FOO_BAR_.number()),
        (50001, 50002)
    );
}
