//! The canonical one-line dump of the test messages, the same form
//! `testdata/runtime/differential.py` writes for Python's decoded messages,
//! so the two implementations' values can be compared as strings.

use std::fmt::Write as _;

use protoforge::{Enum, EnumValue, Extendable, Message, UnknownFields, UnknownValue};

use crate::generated::pf::{ed, test2, test3};

/// A message that can write its canonical dump.
pub(crate) trait Dump {
    fn dump_fields(&self, out: &mut Vec<String>);

    fn dump(&self) -> String {
        let mut out = Vec::new();
        self.dump_fields(&mut out);
        out.join(" ")
    }
}

fn hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "-".into();
    }
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A scalar's dump.
pub(crate) trait Scalar {
    fn text(&self) -> String;
}

macro_rules! int_scalar {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            fn text(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
int_scalar!(i32, i64, u32, u64);

impl Scalar for bool {
    fn text(&self) -> String {
        if *self { "1" } else { "0" }.into()
    }
}

impl Scalar for f32 {
    fn text(&self) -> String {
        hex(&self.to_le_bytes())
    }
}

impl Scalar for f64 {
    fn text(&self) -> String {
        hex(&self.to_le_bytes())
    }
}

impl Scalar for String {
    fn text(&self) -> String {
        hex(self.as_bytes())
    }
}

impl Scalar for Vec<u8> {
    fn text(&self) -> String {
        hex(self)
    }
}

impl Scalar for protoforge::ProtoString {
    fn text(&self) -> String {
        hex(self.as_bytes())
    }
}

impl Scalar for bytes::Bytes {
    fn text(&self) -> String {
        hex(self)
    }
}

impl<E: Enum> Scalar for EnumValue<E> {
    fn text(&self) -> String {
        self.to_i32().to_string()
    }
}

macro_rules! enum_scalar {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            fn text(&self) -> String {
                self.to_i32().to_string()
            }
        }
    )*};
}
enum_scalar!(test2::Color, test3::Kind, ed::Closed);

impl<T: Scalar + ?Sized> Scalar for &T {
    fn text(&self) -> String {
        (**self).text()
    }
}

fn scalar(out: &mut Vec<String>, name: &str, v: &impl Scalar) {
    out.push(format!("{name}={}", v.text()));
}

fn opt(out: &mut Vec<String>, name: &str, v: &Option<impl Scalar>) {
    if let Some(v) = v {
        scalar(out, name, v);
    }
}

fn rep(out: &mut Vec<String>, name: &str, vs: &[impl Scalar]) {
    for v in vs {
        scalar(out, name, v);
    }
}

fn msg(out: &mut Vec<String>, name: &str, m: &impl Dump) {
    out.push(format!("{name}{{{}}}", m.dump()));
}

/// An implicit-presence scalar: written unless it is the default (floats:
/// unless its bits are zero, as Python compares `-0.0` apart by bits).
fn implicit<T: Scalar + Default + PartialEq>(out: &mut Vec<String>, name: &str, v: &T) {
    if v.text() != T::default().text() {
        scalar(out, name, v);
    }
}

fn map_entries<K: Ord + Scalar, V>(
    out: &mut Vec<String>,
    name: &str,
    entries: impl Iterator<Item = (K, V)>,
    value: impl Fn(&V) -> String,
) {
    let mut entries: Vec<(K, V)> = entries.collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (k, v) in entries {
        out.push(format!("{name}[{}]{}", k.text(), value(&v)));
    }
}

fn unknown(out: &mut Vec<String>, fields: &UnknownFields) {
    for f in fields.iter() {
        let (wt, value) = match f.value {
            UnknownValue::Varint(v) => (0, v.to_string()),
            UnknownValue::Fixed64(v) => (1, v.to_string()),
            UnknownValue::Len(b) => (2, hex(b)),
            UnknownValue::Group(_) => (3, "group".into()),
            UnknownValue::Fixed32(v) => (5, v.to_string()),
        };
        out.push(format!("?{}:{wt}={value}", f.number));
    }
}

impl Dump for test2::Inner {
    fn dump_fields(&self, out: &mut Vec<String>) {
        opt(out, "id", &self.id);
        opt(out, "name", &self.name);
        unknown(out, &self.unknown_fields);
    }
}

impl Dump for test2::all2::Grp {
    fn dump_fields(&self, out: &mut Vec<String>) {
        opt(out, "a", &self.a);
        opt(out, "b", &self.b);
        unknown(out, &self.unknown_fields);
    }
}

impl Dump for test2::all2::RGrp {
    fn dump_fields(&self, out: &mut Vec<String>) {
        opt(out, "c", &self.c);
        unknown(out, &self.unknown_fields);
    }
}

impl Dump for test2::All2 {
    fn dump_fields(&self, out: &mut Vec<String>) {
        opt(out, "i32", &self.i32);
        opt(out, "i64", &self.i64);
        opt(out, "u32", &self.u32);
        opt(out, "u64", &self.u64);
        opt(out, "s32", &self.s32);
        opt(out, "s64", &self.s64);
        opt(out, "f32", &self.f32);
        opt(out, "f64", &self.f64);
        opt(out, "sf32", &self.sf32);
        opt(out, "sf64", &self.sf64);
        opt(out, "fl", &self.fl);
        opt(out, "db", &self.db);
        opt(out, "b", &self.b);
        opt(out, "s", &self.s);
        opt(out, "by", &self.by);
        opt(out, "color", &self.color);
        opt(out, "req", &self.req);
        if let Some(m) = &self.inner {
            msg(out, "inner", m);
        }
        if let Some(m) = &self.grp {
            msg(out, "grp", m);
        }
        rep(out, "r_i32", &self.r_i32);
        rep(out, "r_color", &self.r_color);
        rep(out, "p_color", &self.p_color);
        rep(out, "r_s", &self.r_s);
        for m in &self.r_inner {
            msg(out, "r_inner", m);
        }
        for m in &self.r_grp {
            msg(out, "rgrp", m);
        }
        map_entries(out, "color_map", self.color_map.iter(), |v| {
            format!("={}", v.text())
        });
        rep(out, "p_s64", &self.p_s64);
        if let Some(m) = &self.recurse {
            msg(out, "recurse", m.as_ref());
        }
        if let Ok(Some(v)) = self.extension(&test2::EXT_I32) {
            scalar(out, "[pf.test2.ext_i32]", &v);
        }
        if let Ok(vs) = self.repeated_extension(&test2::EXT_PACKED) {
            rep(out, "[pf.test2.ext_packed]", vs.as_slice());
        }
        if let Ok(Some(m)) = self.extension(&test2::EXT_INNER) {
            msg(out, "[pf.test2.ext_inner]", &m);
        }
        if let Ok(Some(v)) = self.extension(&test2::EXT_S) {
            scalar(out, "[pf.test2.ext_s]", &v);
        }
        unknown(out, &self.unknown_fields);
    }
}

impl Dump for test3::Leaf {
    fn dump_fields(&self, out: &mut Vec<String>) {
        implicit(out, "name", &self.name);
        implicit(out, "n", &self.n);
        if !self.data.is_empty() {
            scalar(out, "data", &self.data);
        }
        unknown(out, &self.unknown_fields);
    }
}

impl Dump for test3::All3 {
    fn dump_fields(&self, out: &mut Vec<String>) {
        use test3::all3::Choice;
        implicit(out, "i32", &self.i32);
        implicit(out, "i64", &self.i64);
        implicit(out, "u32", &self.u32);
        implicit(out, "u64", &self.u64);
        implicit(out, "s32", &self.s32);
        implicit(out, "s64", &self.s64);
        implicit(out, "f32", &self.f32);
        implicit(out, "f64", &self.f64);
        implicit(out, "sf32", &self.sf32);
        implicit(out, "sf64", &self.sf64);
        implicit(out, "fl", &self.fl);
        implicit(out, "db", &self.db);
        implicit(out, "b", &self.b);
        implicit(out, "s", &self.s);
        implicit(out, "by", &self.by);
        implicit(out, "kind", &self.kind);
        opt(out, "opt_i32", &self.opt_i32);
        opt(out, "opt_s", &self.opt_s);
        if let Some(m) = &self.leaf {
            msg(out, "leaf", m);
        }
        rep(out, "p_i32", &self.p_i32);
        rep(out, "p_db", &self.p_db);
        rep(out, "p_kind", &self.p_kind);
        rep(out, "r_s", &self.r_s);
        rep(out, "r_by", &self.r_by);
        for m in &self.r_leaf {
            msg(out, "r_leaf", m);
        }
        map_entries(out, "m_ss", self.m_ss.iter(), |v| format!("={}", v.text()));
        map_entries(out, "m_leaf", self.m_leaf.iter(), |v| {
            format!("{{{}}}", v.dump())
        });
        map_entries(out, "m_kind", self.m_kind.iter(), |v| {
            format!("={}", v.text())
        });
        map_entries(out, "m_bb", self.m_bb.iter(), |v| format!("={}", v.text()));
        match &self.choice {
            Some(Choice::CI32(v)) => scalar(out, "c_i32", v),
            Some(Choice::CS(v)) => scalar(out, "c_s", v),
            Some(Choice::CLeaf(m)) => msg(out, "c_leaf", m),
            Some(Choice::CKind(v)) => scalar(out, "c_kind", v),
            None => {}
        }
        rep(out, "p_f64", &self.p_f64);
        rep(out, "u_s32", &self.u_s32);
        if let Some(m) = &self.child {
            msg(out, "child", m.as_ref());
        }
        unknown(out, &self.unknown_fields);
    }
}

impl Dump for ed::ed::Sub {
    fn dump_fields(&self, out: &mut Vec<String>) {
        opt(out, "x", &self.x);
        opt(out, "y", &self.y);
        unknown(out, &self.unknown_fields);
    }
}

impl Dump for ed::Ed {
    fn dump_fields(&self, out: &mut Vec<String>) {
        opt(out, "a", &self.a);
        implicit(out, "imp", &self.imp);
        if let Some(m) = &self.delim {
            msg(out, "delim", m);
        }
        for m in &self.r_delim {
            msg(out, "r_delim", m);
        }
        rep(out, "expanded", &self.expanded);
        rep(out, "packed", &self.packed);
        opt(out, "closed", &self.closed);
        rep(out, "r_closed", &self.r_closed);
        opt(out, "open", &self.open);
        opt(out, "unchecked", &self.unchecked);
        opt(out, "req", &self.req);
        map_entries(out, "m_closed", self.m_closed.iter(), |v| {
            format!("={}", v.text())
        });
        unknown(out, &self.unknown_fields);
    }
}

/// Decodes `bytes` as the message named `type_name` and dumps it, or
/// returns the decode error; also returns our re-encoding.
pub(crate) fn decode_and_dump(type_name: &str, bytes: &[u8]) -> Result<(String, Vec<u8>), String> {
    fn go<M: Message + Dump>(bytes: &[u8]) -> Result<(String, Vec<u8>), String> {
        let m = M::decode(bytes).map_err(|e| e.to_string())?;
        Ok((m.dump(), m.encode_to_vec()))
    }
    match type_name {
        "pf.test2.All2" => go::<test2::All2>(bytes),
        "pf.test3.All3" => go::<test3::All3>(bytes),
        "pf.ed.Ed" => go::<ed::Ed>(bytes),
        other => Err(format!("unknown type {other}")),
    }
}
