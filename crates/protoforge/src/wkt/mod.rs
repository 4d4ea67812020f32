//! The well-known types (`google.protobuf.*`) and the helpers Rust users
//! expect on them. The message structs are in `generated.rs`, written by
//! protoforge's own code generator (`cargo xtask codegen`; a freshness test
//! keeps it current); each helper file adds inherent methods and
//! conversions:
//!
//! - `time.rs`: [`Timestamp`] and [`Duration`] to and from `std::time`,
//!   with range checks ([`TimeRangeError`]);
//! - `any.rs`: [`Any::pack`] / [`Any::unpack`] by type URL;
//! - `struct_value.rs`: [`Struct`], [`Value`], [`ListValue`] builders and readers;
//! - `wrappers.rs`: `From` conversions for the wrapper messages;
//! - `field_mask.rs`: [`FieldMask`] paths, containment, canonical form.
//!
//! ```
//! use protoforge::wkt::{Any, Duration, Struct, Timestamp, Value};
//! use protoforge::Message;
//!
//! let t = Timestamp::new(1_700_000_000, 5).unwrap();
//! let any = Any::pack(&t);
//! assert_eq!(any.type_url, "type.googleapis.com/google.protobuf.Timestamp");
//! assert_eq!(any.unpack::<Timestamp>().unwrap(), t);
//! assert!(any.unpack::<Duration>().is_err());
//!
//! let s = Struct::new().with("name", "x").with("n", 3).with("tags", vec!["a", "b"]);
//! assert_eq!(s.get("n").and_then(Value::as_f64), Some(3.0));
//! let std: std::time::Duration = Duration::new(2, 500).unwrap().try_into().unwrap();
//! assert_eq!(std, std::time::Duration::new(2, 500));
//! ```

mod any;
mod field_mask;
#[rustfmt::skip]
mod generated;
mod struct_value;
mod time;
mod wrappers;

pub use any::{AnyError, TYPE_URL_PREFIX};
pub use generated::*;
pub use time::{
    DURATION_MAX_SECONDS, TIMESTAMP_MAX_SECONDS, TIMESTAMP_MIN_SECONDS, TimeRangeError,
};
