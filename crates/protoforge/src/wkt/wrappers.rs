//! Conversions between the wrapper messages (`google.protobuf.Int32Value`
//! and friends) and the Rust values they wrap.

use super::{
    BoolValue, BytesValue, DoubleValue, FloatValue, Int32Value, Int64Value, StringValue,
    UInt32Value, UInt64Value,
};

macro_rules! wrapper {
    ($($msg:ident($ty:ty)),* $(,)?) => {$(
        impl From<$ty> for $msg {
            fn from(value: $ty) -> $msg {
                $msg { value, ..Default::default() }
            }
        }

        impl From<$msg> for $ty {
            fn from(wrapper: $msg) -> $ty {
                wrapper.value
            }
        }
    )*};
}

wrapper!(
    DoubleValue(f64),
    FloatValue(f32),
    Int64Value(i64),
    UInt64Value(u64),
    Int32Value(i32),
    UInt32Value(u32),
    BoolValue(bool),
    StringValue(String),
    BytesValue(Vec<u8>),
);

impl From<&str> for StringValue {
    fn from(value: &str) -> StringValue {
        StringValue::from(value.to_string())
    }
}

impl From<&[u8]> for BytesValue {
    fn from(value: &[u8]) -> BytesValue {
        BytesValue::from(value.to_vec())
    }
}
