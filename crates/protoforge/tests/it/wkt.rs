//! The well-known types' helpers: `std::time` conversions with their range
//! checks, `Any` pack/unpack, `Struct`/`Value` builders, wrappers and
//! `FieldMask`, and the WKT structs' encodings.

use std::time::{Duration as StdDuration, SystemTime, UNIX_EPOCH};

use protoforge::Message;
use protoforge::wkt::{
    Any, AnyError, BoolValue, BytesValue, Duration, Empty, FieldMask, Int32Value, ListValue,
    StringValue, Struct, TIMESTAMP_MAX_SECONDS, TIMESTAMP_MIN_SECONDS, Timestamp, Value,
};

#[test]
fn timestamps_convert_to_and_from_system_time_within_range() {
    for (seconds, nanos) in [
        (0, 0),
        (1_700_000_000, 123),
        (-1, 999_999_999),
        (-2, 500_000_000),
    ] {
        let t = Timestamp::new(seconds, nanos).expect("in range");
        let system = SystemTime::try_from(t.clone()).expect("representable");
        assert_eq!(Timestamp::try_from(system).expect("back"), t);
    }
    let before = UNIX_EPOCH - StdDuration::from_millis(1500);
    let t = Timestamp::try_from(before).expect("in range");
    assert_eq!((t.seconds, t.nanos), (-2, 500_000_000));
    assert!(Timestamp::new(TIMESTAMP_MIN_SECONDS, 0).is_ok());
    assert!(Timestamp::new(TIMESTAMP_MAX_SECONDS, 999_999_999).is_ok());
    assert!(Timestamp::new(TIMESTAMP_MIN_SECONDS - 1, 0).is_err());
    assert!(Timestamp::new(TIMESTAMP_MAX_SECONDS + 1, 0).is_err());
    assert!(Timestamp::new(0, -1).is_err());
    let e = Timestamp::new(0, 1_000_000_000).expect_err("must fail");
    assert_eq!(
        e.to_string(),
        "timestamp out of range: seconds 0 nanos 1000000000"
    );
    let bad = Timestamp {
        seconds: i64::MAX,
        ..Default::default()
    };
    assert!(SystemTime::try_from(bad).is_err());
    let now = Timestamp::now();
    assert!(now.seconds > 1_600_000_000 && now.check().is_ok());
}

#[test]
fn durations_convert_with_sign_and_range_checks() {
    let d = Duration::try_from(StdDuration::new(3, 7)).expect("in range");
    assert_eq!((d.seconds, d.nanos), (3, 7));
    assert_eq!(
        StdDuration::try_from(d).expect("positive"),
        StdDuration::new(3, 7)
    );
    let neg = Duration::negative(StdDuration::new(1, 5)).expect("in range");
    assert_eq!((neg.seconds, neg.nanos), (-1, -5));
    assert_eq!(
        StdDuration::try_from(neg)
            .expect_err("must fail")
            .to_string(),
        "negative duration out of range: seconds -1 nanos -5"
    );
    assert!(Duration::new(1, -1).is_err(), "mixed signs");
    assert!(Duration::new(0, -1).is_ok());
    assert!(Duration::new(315_576_000_001, 0).is_err());
    assert!(Duration::try_from(StdDuration::from_secs(u64::MAX)).is_err());
}

#[test]
fn any_packs_and_unpacks_by_type_url() {
    let t = Timestamp::new(5, 6).expect("in range");
    let any = Any::pack(&t);
    assert_eq!(
        any.type_url,
        "type.googleapis.com/google.protobuf.Timestamp"
    );
    assert_eq!(any.value, t.encode_to_vec());
    assert!(any.is::<Timestamp>() && !any.is::<Duration>());
    assert_eq!(any.unpack::<Timestamp>().expect("unpacks"), t);
    match any.unpack::<Duration>() {
        Err(AnyError::TypeMismatch { expected, found }) => {
            assert_eq!(expected, "google.protobuf.Duration");
            assert_eq!(found, any.type_url);
        }
        other => panic!("expected a type mismatch, got {other:?}"),
    }
    let custom = Any::pack_with_prefix(&Empty::default(), "example.com/types");
    assert_eq!(custom.type_url, "example.com/types/google.protobuf.Empty");
    assert_eq!(custom.type_name(), "google.protobuf.Empty");
    let broken = Any {
        value: vec![0x08],
        ..Any::pack(&t)
    };
    assert!(matches!(
        broken.unpack::<Timestamp>(),
        Err(AnyError::Decode(_))
    ));
    // Any itself round-trips.
    assert_eq!(Any::decode(&any.encode_to_vec()).expect("decodes"), any);
}

#[test]
fn struct_and_value_builders() {
    let s = Struct::new()
        .with("name", "protoforge")
        .with("n", 3)
        .with("ok", true)
        .with("none", Value::null())
        .with("list", vec![1.5, 2.5])
        .with("nested", Struct::from_iter([("x", 1)]));
    assert_eq!(s.get("name").and_then(Value::as_str), Some("protoforge"));
    assert_eq!(s.get("n").and_then(Value::as_f64), Some(3.0));
    assert_eq!(s.get("ok").and_then(Value::as_bool), Some(true));
    assert!(s.get("none").is_some_and(Value::is_null));
    assert_eq!(
        s.get("list").and_then(Value::as_list).map(<[Value]>::len),
        Some(2)
    );
    assert!(
        s.get("nested")
            .and_then(Value::as_struct)
            .and_then(|n| n.get("x"))
            .is_some()
    );
    assert_eq!(Struct::decode(&s.encode_to_vec()).expect("decodes"), s);
    assert_eq!(Value::from(None::<bool>), Value::null());
    // Golden bytes: {"a": 1.0}, null, ["x"].
    let one = Struct::from_iter([("a", 1.0)]);
    assert_eq!(
        one.encode_to_vec(),
        [
            0x0a, 0x0e, 0x0a, 0x01, b'a', 0x12, 0x09, 0x11, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f
        ]
    );
    assert_eq!(Value::null().encode_to_vec(), [0x08, 0x00]);
    assert_eq!(
        ListValue::from_iter(["x"]).encode_to_vec(),
        [0x0a, 0x03, 0x1a, 0x01, b'x']
    );
}

#[test]
fn wrappers_convert_both_ways() {
    assert_eq!(
        Int32Value::from(-3).encode_to_vec(),
        [
            0x08, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01
        ]
    );
    assert_eq!(i32::from(Int32Value::from(7)), 7);
    assert_eq!(StringValue::from("s").value, "s");
    assert_eq!(
        BytesValue::from(&b"b"[..]).encode_to_vec(),
        [0x0a, 0x01, b'b']
    );
    assert!(BoolValue::from(false).encode_to_vec().is_empty());
}

#[test]
fn field_masks() {
    let mask = FieldMask::new(["b.c", "a", "b", "a.x", "a"]);
    assert!(mask.covers("a.x.y") && mask.covers("b") && !mask.covers("ab") && !mask.covers("c"));
    assert_eq!(mask.canonical().paths, ["a", "b"]);
    assert_eq!(FieldMask::new(["a.b", "c"]).to_string(), "a.b,c");
    let parsed: FieldMask = "a.b,,c".parse().expect("infallible");
    assert_eq!(parsed.paths, ["a.b", "c"]);
    assert_eq!(
        FieldMask::decode(&parsed.encode_to_vec()).expect("decodes"),
        parsed
    );
}
