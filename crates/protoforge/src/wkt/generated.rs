//! BOOTSTRAP: the well-known types of `google/protobuf/*.proto`
//! (`timestamp`, `duration`, `any`, `empty`, `field_mask`, `struct`,
//! `wrappers`), written by hand in exactly the shape `protoforge-codegen`
//! emits (see `docs/generated-code.md`), until the code generator exists.
//! Codegen will regenerate this file from the `.proto` files and a freshness
//! test will fail on any difference; do not add anything here that the
//! generator would not write. The helpers users expect live beside it
//! (`time.rs`, `any.rs`, `struct_value.rs`, `wrappers.rs`, `field_mask.rs`).
//!
//! Generation options used: `google.protobuf.Struct.fields` as a `BTreeMap`
//! (deterministic encoding).

#![allow(clippy::all)]

#[allow(unused_imports)]
use ::protoforge::__private as __pf;

/// A point in time independent of any time zone: seconds and nanoseconds since the Unix epoch (UTC).
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z; from 0001-01-01 to 9999-12-31 inclusive.
    pub seconds: i64,
    /// Non-negative fractions of a second at nanosecond resolution, 0 to 999,999,999.
    pub nanos: i32,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for Timestamp {
    const NAME: &'static str = "google.protobuf.Timestamp";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "seconds"), (2, "nanos")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::implicit_len::<__pf::Int64>(8, &self.seconds, sizes);
        n += __pf::implicit_len::<__pf::Int32>(16, &self.nanos, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_implicit::<__pf::Int64>(w, 8, &self.seconds);
        __pf::write_implicit::<__pf::Int32>(w, 16, &self.nanos);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            8 => __pf::merge::<__pf::Int64>(&mut self.seconds, tag, d),
            16 => __pf::merge::<__pf::Int32>(&mut self.nanos, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// A signed, fixed-length span of time: seconds and nanoseconds.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Duration {
    /// Signed seconds, -315,576,000,000 to +315,576,000,000 inclusive.
    pub seconds: i64,
    /// Signed fractions of a second, with the sign of `seconds` when that is non-zero.
    pub nanos: i32,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for Duration {
    const NAME: &'static str = "google.protobuf.Duration";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "seconds"), (2, "nanos")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::implicit_len::<__pf::Int64>(8, &self.seconds, sizes);
        n += __pf::implicit_len::<__pf::Int32>(16, &self.nanos, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_implicit::<__pf::Int64>(w, 8, &self.seconds);
        __pf::write_implicit::<__pf::Int32>(w, 16, &self.nanos);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            8 => __pf::merge::<__pf::Int64>(&mut self.seconds, tag, d),
            16 => __pf::merge::<__pf::Int32>(&mut self.nanos, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// An arbitrary serialized message with a URL that describes its type.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Any {
    /// A URL whose last path segment is the message's full name (`type.googleapis.com/pkg.Msg`).
    pub type_url: ::std::string::String,
    /// The serialized message.
    pub value: ::std::vec::Vec<u8>,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for Any {
    const NAME: &'static str = "google.protobuf.Any";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "type_url"), (2, "value")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::implicit_len::<__pf::Str>(10, &self.type_url, sizes);
        n += __pf::implicit_len::<__pf::BytesVec>(18, &self.value, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_implicit::<__pf::Str>(w, 10, &self.type_url);
        __pf::write_implicit::<__pf::BytesVec>(w, 18, &self.value);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            10 => __pf::merge::<__pf::Str>(&mut self.type_url, tag, d),
            18 => __pf::merge::<__pf::BytesVec>(&mut self.value, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// A message with no fields.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Empty {
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for Empty {
    const NAME: &'static str = "google.protobuf.Empty";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[];

    fn compute_size(&self, _sizes: &mut __pf::SizeCache) -> usize {
        self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// A set of symbolic field paths.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct FieldMask {
    /// The field paths.
    pub paths: ::std::vec::Vec<::std::string::String>,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for FieldMask {
    const NAME: &'static str = "google.protobuf.FieldMask";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "paths")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::repeated_len::<__pf::Str>(10, &self.paths, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_repeated::<__pf::Str>(w, 10, &self.paths);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            10 => __pf::merge_repeated::<__pf::Str>(&mut self.paths, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// A structured value: a map from strings to dynamically typed values (a JSON object).
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Struct {
    /// The fields.
    pub fields: ::std::collections::BTreeMap<::std::string::String, Value>,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for Struct {
    const NAME: &'static str = "google.protobuf.Struct";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "fields")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::map_len::<__pf::Str, __pf::Msg<Value>, _>(10, &self.fields, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_map::<__pf::Str, __pf::Msg<Value>, _>(w, 10, &self.fields);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            10 => __pf::merge_map::<__pf::Str, __pf::Msg<Value>, _>(&mut self.fields, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// A repeated field of dynamically typed values (a JSON array).
#[derive(Clone, PartialEq, Default, Debug)]
pub struct ListValue {
    /// The values.
    pub values: ::std::vec::Vec<Value>,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for ListValue {
    const NAME: &'static str = "google.protobuf.ListValue";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "values")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::repeated_len::<__pf::Msg<Value>>(10, &self.values, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_repeated::<__pf::Msg<Value>>(w, 10, &self.values);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            10 => __pf::merge_repeated::<__pf::Msg<Value>>(&mut self.values, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// Wrapper message for `double`.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct DoubleValue {
    /// The `double` value.
    pub value: f64,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for DoubleValue {
    const NAME: &'static str = "google.protobuf.DoubleValue";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "value")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::implicit_len::<__pf::Double>(9, &self.value, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_implicit::<__pf::Double>(w, 9, &self.value);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            9 => __pf::merge::<__pf::Double>(&mut self.value, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// Wrapper message for `float`.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct FloatValue {
    /// The `float` value.
    pub value: f32,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for FloatValue {
    const NAME: &'static str = "google.protobuf.FloatValue";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "value")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::implicit_len::<__pf::Float>(13, &self.value, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_implicit::<__pf::Float>(w, 13, &self.value);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            13 => __pf::merge::<__pf::Float>(&mut self.value, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// Wrapper message for `int64`.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Int64Value {
    /// The `int64` value.
    pub value: i64,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for Int64Value {
    const NAME: &'static str = "google.protobuf.Int64Value";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "value")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::implicit_len::<__pf::Int64>(8, &self.value, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_implicit::<__pf::Int64>(w, 8, &self.value);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            8 => __pf::merge::<__pf::Int64>(&mut self.value, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// Wrapper message for `uint64`.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct UInt64Value {
    /// The `uint64` value.
    pub value: u64,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for UInt64Value {
    const NAME: &'static str = "google.protobuf.UInt64Value";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "value")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::implicit_len::<__pf::Uint64>(8, &self.value, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_implicit::<__pf::Uint64>(w, 8, &self.value);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            8 => __pf::merge::<__pf::Uint64>(&mut self.value, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// Wrapper message for `int32`.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Int32Value {
    /// The `int32` value.
    pub value: i32,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for Int32Value {
    const NAME: &'static str = "google.protobuf.Int32Value";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "value")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::implicit_len::<__pf::Int32>(8, &self.value, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_implicit::<__pf::Int32>(w, 8, &self.value);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            8 => __pf::merge::<__pf::Int32>(&mut self.value, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// Wrapper message for `uint32`.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct UInt32Value {
    /// The `uint32` value.
    pub value: u32,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for UInt32Value {
    const NAME: &'static str = "google.protobuf.UInt32Value";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "value")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::implicit_len::<__pf::Uint32>(8, &self.value, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_implicit::<__pf::Uint32>(w, 8, &self.value);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            8 => __pf::merge::<__pf::Uint32>(&mut self.value, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// Wrapper message for `bool`.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct BoolValue {
    /// The `bool` value.
    pub value: bool,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for BoolValue {
    const NAME: &'static str = "google.protobuf.BoolValue";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "value")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::implicit_len::<__pf::Bool>(8, &self.value, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_implicit::<__pf::Bool>(w, 8, &self.value);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            8 => __pf::merge::<__pf::Bool>(&mut self.value, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// Wrapper message for `string`.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct StringValue {
    /// The `string` value.
    pub value: ::std::string::String,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for StringValue {
    const NAME: &'static str = "google.protobuf.StringValue";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "value")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::implicit_len::<__pf::Str>(10, &self.value, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_implicit::<__pf::Str>(w, 10, &self.value);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            10 => __pf::merge::<__pf::Str>(&mut self.value, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// Wrapper message for `bytes`.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct BytesValue {
    /// The `bytes` value.
    pub value: ::std::vec::Vec<u8>,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for BytesValue {
    const NAME: &'static str = "google.protobuf.BytesValue";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[(1, "value")];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        n += __pf::implicit_len::<__pf::BytesVec>(10, &self.value, sizes);
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        __pf::write_implicit::<__pf::BytesVec>(w, 10, &self.value);
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            10 => __pf::merge::<__pf::BytesVec>(&mut self.value, tag, d),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// A dynamically typed value: null, a number, a string, a boolean, a
/// recursive struct or a list (a JSON value).
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Value {
    /// The kind of value.
    pub kind: ::core::option::Option<value::Kind>,
    /// Fields this message's schema does not know, kept as read.
    pub unknown_fields: __pf::UnknownFields,
}

impl __pf::Message for Value {
    const NAME: &'static str = "google.protobuf.Value";
    const FIELD_NAMES: &'static [(u32, &'static str)] = &[
        (1, "null_value"),
        (2, "number_value"),
        (3, "string_value"),
        (4, "bool_value"),
        (5, "struct_value"),
        (6, "list_value"),
    ];

    fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
        let mut n = 0;
        if let ::core::option::Option::Some(kind) = &self.kind {
            n += match kind {
                value::Kind::NullValue(v) => {
                    __pf::value_len::<__pf::OpenEnum<NullValue>>(8, v, sizes)
                }
                value::Kind::NumberValue(v) => __pf::value_len::<__pf::Double>(17, v, sizes),
                value::Kind::StringValue(v) => __pf::value_len::<__pf::Str>(26, v, sizes),
                value::Kind::BoolValue(v) => __pf::value_len::<__pf::Bool>(32, v, sizes),
                value::Kind::StructValue(v) => __pf::value_len::<__pf::Msg<Struct>>(42, v, sizes),
                value::Kind::ListValue(v) => __pf::value_len::<__pf::Msg<ListValue>>(50, v, sizes),
            };
        }
        n + self.unknown_fields.encoded_len()
    }

    fn write(&self, w: &mut __pf::Writer<'_>) {
        if let ::core::option::Option::Some(kind) = &self.kind {
            match kind {
                value::Kind::NullValue(v) => {
                    __pf::write_value::<__pf::OpenEnum<NullValue>>(w, 8, v)
                }
                value::Kind::NumberValue(v) => __pf::write_value::<__pf::Double>(w, 17, v),
                value::Kind::StringValue(v) => __pf::write_value::<__pf::Str>(w, 26, v),
                value::Kind::BoolValue(v) => __pf::write_value::<__pf::Bool>(w, 32, v),
                value::Kind::StructValue(v) => __pf::write_value::<__pf::Msg<Struct>>(w, 42, v),
                value::Kind::ListValue(v) => __pf::write_value::<__pf::Msg<ListValue>>(w, 50, v),
            }
        }
        self.unknown_fields.write(w);
    }

    #[inline]

    fn merge_field(
        &mut self,
        tag: u32,
        d: &mut __pf::Decoder<'_>,
    ) -> Result<(), __pf::DecodeError> {
        match tag {
            8 => __pf::merge_oneof::<__pf::OpenEnum<NullValue>, _>(
                &mut self.kind,
                tag,
                d,
                |o| match o {
                    value::Kind::NullValue(v) => ::core::option::Option::Some(v),
                    _ => ::core::option::Option::None,
                },
                value::Kind::NullValue,
            ),
            17 => __pf::merge_oneof::<__pf::Double, _>(
                &mut self.kind,
                tag,
                d,
                |o| match o {
                    value::Kind::NumberValue(v) => ::core::option::Option::Some(v),
                    _ => ::core::option::Option::None,
                },
                value::Kind::NumberValue,
            ),
            26 => __pf::merge_oneof::<__pf::Str, _>(
                &mut self.kind,
                tag,
                d,
                |o| match o {
                    value::Kind::StringValue(v) => ::core::option::Option::Some(v),
                    _ => ::core::option::Option::None,
                },
                value::Kind::StringValue,
            ),
            32 => __pf::merge_oneof::<__pf::Bool, _>(
                &mut self.kind,
                tag,
                d,
                |o| match o {
                    value::Kind::BoolValue(v) => ::core::option::Option::Some(v),
                    _ => ::core::option::Option::None,
                },
                value::Kind::BoolValue,
            ),
            42 => __pf::merge_oneof::<__pf::Msg<Struct>, _>(
                &mut self.kind,
                tag,
                d,
                |o| match o {
                    value::Kind::StructValue(v) => ::core::option::Option::Some(v),
                    _ => ::core::option::Option::None,
                },
                value::Kind::StructValue,
            ),
            50 => __pf::merge_oneof::<__pf::Msg<ListValue>, _>(
                &mut self.kind,
                tag,
                d,
                |o| match o {
                    value::Kind::ListValue(v) => ::core::option::Option::Some(v),
                    _ => ::core::option::Option::None,
                },
                value::Kind::ListValue,
            ),
            _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
        }
    }

    fn unknown_fields(&self) -> &__pf::UnknownFields {
        &self.unknown_fields
    }

    fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
        &mut self.unknown_fields
    }
}

/// Nested types of [`Value`].
pub mod value {
    #[allow(unused_imports)]
    use ::protoforge::__private as __pf;

    /// The kind of value.
    #[derive(Clone, PartialEq, Debug)]
    pub enum Kind {
        /// Represents a null value.
        NullValue(__pf::EnumValue<super::NullValue>),
        /// Represents a double value.
        NumberValue(f64),
        /// Represents a string value.
        StringValue(::std::string::String),
        /// Represents a boolean value.
        BoolValue(bool),
        /// Represents a structured value.
        StructValue(super::Struct),
        /// Represents a repeated `Value`.
        ListValue(super::ListValue),
    }
}

/// `NullValue` is a singleton enumeration to represent the null value for the
/// `Value` type union.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
#[repr(i32)]
pub enum NullValue {
    /// Null value.
    #[default]
    NullValue = 0,
}

impl __pf::Enum for NullValue {
    const NAME: &'static str = "google.protobuf.NullValue";

    fn from_i32(value: i32) -> ::core::option::Option<Self> {
        match value {
            0 => ::core::option::Option::Some(NullValue::NullValue),
            _ => ::core::option::Option::None,
        }
    }

    fn to_i32(self) -> i32 {
        self as i32
    }

    fn proto_name(self) -> &'static str {
        match self {
            NullValue::NullValue => "NULL_VALUE",
        }
    }
}
