//! Builders for `Struct`, `Value` and `ListValue` (JSON-like values):
//! conversions from Rust values, and typed reads back.

use std::collections::BTreeMap;

use crate::enums::EnumValue;

use super::generated::value::Kind;
use super::{ListValue, NullValue, Struct, Value};

impl Value {
    /// The null value.
    pub fn null() -> Value {
        Value::from_kind(Kind::NullValue(EnumValue::from(NullValue::NullValue)))
    }

    fn from_kind(kind: Kind) -> Value {
        Value {
            kind: Some(kind),
            ..Default::default()
        }
    }

    /// True for the null value (and for a `Value` with no kind set, which
    /// other implementations also read as null).
    pub fn is_null(&self) -> bool {
        matches!(self.kind, None | Some(Kind::NullValue(_)))
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self.kind {
            Some(Kind::NumberValue(n)) => Some(n),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Some(Kind::StringValue(s)) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            Some(Kind::BoolValue(b)) => Some(b),
            _ => None,
        }
    }

    /// The struct, if this is one.
    pub fn as_struct(&self) -> Option<&Struct> {
        match &self.kind {
            Some(Kind::StructValue(s)) => Some(s),
            _ => None,
        }
    }

    /// The list's values, if this is a list.
    pub fn as_list(&self) -> Option<&[Value]> {
        match &self.kind {
            Some(Kind::ListValue(l)) => Some(&l.values),
            _ => None,
        }
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::from_kind(Kind::NumberValue(n))
    }
}

impl From<i32> for Value {
    fn from(n: i32) -> Value {
        Value::from(f64::from(n))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::from_kind(Kind::BoolValue(b))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::from_kind(Kind::StringValue(s.to_string()))
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::from_kind(Kind::StringValue(s))
    }
}

impl From<Struct> for Value {
    fn from(s: Struct) -> Value {
        Value::from_kind(Kind::StructValue(s))
    }
}

impl From<ListValue> for Value {
    fn from(l: ListValue) -> Value {
        Value::from_kind(Kind::ListValue(l))
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(values: Vec<T>) -> Value {
        Value::from(ListValue::from_iter(values))
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    /// `None` is null.
    fn from(v: Option<T>) -> Value {
        v.map_or_else(Value::null, Into::into)
    }
}

impl<T: Into<Value>> FromIterator<T> for ListValue {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> ListValue {
        ListValue {
            values: iter.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Struct {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Struct {
        Struct {
            fields: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect::<BTreeMap<_, _>>(),
            ..Default::default()
        }
    }
}

impl Struct {
    /// An empty struct.
    pub fn new() -> Struct {
        Struct::default()
    }

    /// Adds (or replaces) a field, builder style.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Value>) -> Struct {
        self.fields.insert(key.into(), value.into());
        self
    }

    /// The field `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key)
    }
}
