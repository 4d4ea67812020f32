//! `protoforge::__private`: the one path generated code uses to reach the
//! runtime. Everything generated code needs, and nothing else, is
//! re-exported here, so the generator never names a transitive crate or an
//! internal module. Outside semver: it changes with the generator, which is
//! released in lockstep with this crate. Users should not name it.

pub use bytes;

pub use crate::codec::{
    Bool, BoxGroup, BoxMsg, BytesBuf, BytesVec, ClosedEnum, Codec, Double, Fixed32, Fixed64, Float,
    Group, Int32, Int64, Msg, OpenEnum, Packable, Sfixed32, Sfixed64, Sint32, Sint64, Str,
    StrUnverified, Uint32, Uint64,
};
pub use crate::decode::Decoder;
pub use crate::encode::{SizeCache, Writer};
pub use crate::enums::{Enum, EnumValue};
pub use crate::error::DecodeError;
pub use crate::extension::{Extendable, Extension, ExtensionSet, RepeatedExtension};
pub use crate::field::{
    MapStorage, decode, implicit_len, map_len, merge, merge_closed_repeated, merge_map,
    merge_map_closed, merge_oneof, merge_opt, merge_packable, merge_repeated, merge_unknown,
    opt_len, packed_len, read_closed, repeated_len, value_len, write_implicit, write_map,
    write_opt, write_packed, write_repeated, write_value,
};
pub use crate::map::HashMap;
pub use crate::message::{Message, RequiredCheck};
pub use crate::string::ProtoString;
pub use crate::unknown::UnknownFields;
