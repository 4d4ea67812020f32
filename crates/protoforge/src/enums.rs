//! Enums: the [`Enum`] trait generated enums implement, and [`EnumValue`],
//! the field type of an open enum, which keeps values the schema does not
//! name (closed enums use the generated enum itself, and send unknown values
//! to the unknown fields).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// A generated protobuf enum.
pub trait Enum: Copy + Eq + fmt::Debug + Send + Sync + 'static {
    /// The enum's full protobuf name (`pkg.Color`).
    const NAME: &'static str;

    /// The variant with this number, if the schema names one (for an alias,
    /// the first name).
    fn from_i32(value: i32) -> Option<Self>;

    /// The variant's number.
    fn to_i32(self) -> i32;

    /// The variant's protobuf name (`COLOR_RED`).
    fn proto_name(self) -> &'static str;
}

/// The value of an open enum field: any `i32`, one of `E`'s variants or not.
///
/// ```
/// use protoforge::EnumValue;
/// use protoforge::wkt::NullValue;
/// let v = EnumValue::from(NullValue::NullValue);
/// assert_eq!(v.get(), Some(NullValue::NullValue));
/// let unknown = EnumValue::<NullValue>::from_i32(7);
/// assert_eq!((unknown.get(), unknown.to_i32()), (None, 7));
/// ```
pub struct EnumValue<E> {
    value: i32,
    _enum: PhantomData<fn() -> E>,
}

impl<E: Enum> EnumValue<E> {
    /// The value with this number.
    #[inline]
    pub const fn from_i32(value: i32) -> EnumValue<E> {
        EnumValue {
            value,
            _enum: PhantomData,
        }
    }

    /// The number.
    #[inline]
    pub const fn to_i32(self) -> i32 {
        self.value
    }

    /// The variant, when the schema names this number.
    #[inline]
    pub fn get(self) -> Option<E> {
        E::from_i32(self.value)
    }

    /// True when the schema names this number.
    #[inline]
    pub fn is_known(self) -> bool {
        self.get().is_some()
    }

    /// Sets the value to a variant.
    #[inline]
    pub fn set(&mut self, value: E) {
        self.value = value.to_i32();
    }
}

impl<E> Clone for EnumValue<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for EnumValue<E> {}

impl<E> Default for EnumValue<E> {
    fn default() -> Self {
        EnumValue {
            value: 0,
            _enum: PhantomData,
        }
    }
}

impl<E> PartialEq for EnumValue<E> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<E> Eq for EnumValue<E> {}

impl<E> Hash for EnumValue<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl<E: Enum> PartialEq<E> for EnumValue<E> {
    fn eq(&self, other: &E) -> bool {
        self.value == other.to_i32()
    }
}

impl<E: Enum> From<E> for EnumValue<E> {
    fn from(value: E) -> Self {
        EnumValue::from_i32(value.to_i32())
    }
}

impl<E: Enum> fmt::Debug for EnumValue<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.get() {
            Some(e) => fmt::Debug::fmt(&e, f),
            None => write!(f, "{}", self.value),
        }
    }
}
