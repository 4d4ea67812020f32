//! Messages known only through a schema in a [`Pool`]: parse, merge and
//! serialize them the way protobuf's C++ runtime does.
//!
//! protoc's output depends on C++ parse-and-serialize round trips in three
//! places: after interpreting options (the options message is reparsed as
//! the options type compiled into protoc), when writing a descriptor set
//! without `--retain_options` (every options message is reparsed with the
//! pool's own `descriptor.proto` and its custom options, stripped of
//! source-retention fields, and serialized again), and for aggregate option
//! values (text format parsed into a dynamic message and serialized). A
//! round trip sorts known fields by number, merges repeated occurrences of a
//! singular message, keeps the last value of a singular scalar, packs or
//! unpacks repeated scalars as the field's encoding says, and moves unknown
//! fields to the end in their original order. [`DynMessage`] reproduces that.

use crate::ir::{FieldId, FieldType, Label, MessageId, Pool, Scalar};
use crate::wire::{self, FieldValue, WireValue};

/// Deepest message nesting parsed before the rest is kept as unknown bytes.
pub(crate) const MAX_DEPTH: usize = 100;

/// A decoded value of a known field.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum DynValue {
    /// A varint-encoded value as written on the wire (ints, enums, bools).
    Varint(u64),
    /// A 32-bit value (`fixed32`, `sfixed32`, `float`).
    Fixed32(u32),
    /// A 64-bit value (`fixed64`, `sfixed64`, `double`).
    Fixed64(u64),
    /// `string` or `bytes`.
    Bytes(Vec<u8>),
    /// A message or group.
    Message(Box<DynMessage>),
}

/// One known field of a message.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DynField {
    /// The field number.
    pub(crate) number: u32,
    /// The field in the schema pool.
    pub(crate) field: FieldId,
    /// Values: one for a singular field, any number for a repeated one.
    pub(crate) values: Vec<DynValue>,
}

/// A message decoded against a schema.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DynMessage {
    /// The message type in the schema pool.
    pub(crate) ty: MessageId,
    /// Known fields, sorted by number.
    pub(crate) fields: Vec<DynField>,
    /// Unknown fields in the order they were read.
    pub(crate) unknown: Vec<(u32, WireValue)>,
}

/// How a field is laid out on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Varint,
    Fixed32,
    Fixed64,
    Bytes,
    Message(MessageId),
    Group(MessageId),
}

fn kind(pool: &Pool, field: FieldId) -> Kind {
    match pool[field].ty {
        FieldType::Scalar(s) => match s {
            Scalar::Double | Scalar::Fixed64 | Scalar::Sfixed64 => Kind::Fixed64,
            Scalar::Float | Scalar::Fixed32 | Scalar::Sfixed32 => Kind::Fixed32,
            Scalar::String | Scalar::Bytes => Kind::Bytes,
            _ => Kind::Varint,
        },
        FieldType::Enum(_) => Kind::Varint,
        FieldType::Message(m) => Kind::Message(m),
        FieldType::Group(m) => Kind::Group(m),
    }
}

/// The field of `message` with `number`, regular or extension.
pub(crate) fn find_field(pool: &Pool, message: MessageId, number: u32) -> Option<FieldId> {
    let number = i32::try_from(number).ok()?;
    pool.field_by_number(message, number)
        .or_else(|| pool.extension_by_number(message, number))
}

impl DynMessage {
    /// An empty message of type `ty`.
    pub(crate) fn new(ty: MessageId) -> DynMessage {
        DynMessage {
            ty,
            fields: Vec::new(),
            unknown: Vec::new(),
        }
    }

    /// Whether nothing is set.
    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.unknown.is_empty()
    }

    /// The known field `number`, if set.
    pub(crate) fn get(&self, number: u32) -> Option<&DynField> {
        self.fields.iter().find(|f| f.number == number)
    }

    fn slot(&mut self, pool: &Pool, number: u32, field: FieldId) -> &mut DynField {
        let index = match self.fields.binary_search_by_key(&number, |f| f.number) {
            Ok(i) => i,
            Err(_) => {
                // Setting a member of a real oneof clears the others.
                if let Some(oneof) = pool[field].oneof {
                    if !pool[oneof].synthetic {
                        let members = &pool[oneof].fields;
                        self.fields.retain(|f| !members.contains(&f.field));
                    }
                }
                let i = match self.fields.binary_search_by_key(&number, |f| f.number) {
                    Ok(i) | Err(i) => i,
                };
                self.fields.insert(
                    i,
                    DynField {
                        number,
                        field,
                        values: Vec::new(),
                    },
                );
                i
            }
        };
        &mut self.fields[index]
    }

    /// Sets or appends one decoded value, with protobuf's merge rules.
    pub(crate) fn push_value(&mut self, pool: &Pool, field: FieldId, value: DynValue) {
        let number = pool[field].number as u32;
        let repeated = pool[field].label == Label::Repeated;
        let slot = self.slot(pool, number, field);
        if repeated {
            slot.values.push(value);
            return;
        }
        match (slot.values.last_mut(), value) {
            (Some(DynValue::Message(existing)), DynValue::Message(new)) => {
                existing.merge(pool, *new);
            }
            (_, value) => {
                slot.values.clear();
                slot.values.push(value);
            }
        }
    }

    /// Merges `other` into `self` (`other` wins for singular scalars).
    pub(crate) fn merge(&mut self, pool: &Pool, other: DynMessage) {
        for field in other.fields {
            for value in field.values {
                self.push_value(pool, field.field, value);
            }
        }
        self.unknown.extend(other.unknown);
    }

    /// Parses `bytes` into `self`, merging.
    pub(crate) fn merge_bytes(&mut self, pool: &Pool, bytes: &[u8], depth: usize) -> bool {
        let mut reader = wire::Reader::new(bytes);
        while !reader.at_end() {
            let Some((number, value)) = reader.field() else {
                return false;
            };
            self.merge_field(pool, number, value, depth);
        }
        true
    }

    /// Merges one field read from the wire.
    pub(crate) fn merge_field(
        &mut self,
        pool: &Pool,
        number: u32,
        value: FieldValue<'_>,
        depth: usize,
    ) {
        if number == 1 && pool[self.ty].options.message_set_wire_format {
            if let FieldValue::Group(item) = value {
                if self.merge_message_set_item(pool, item, depth) {
                    return;
                }
            }
        }
        let Some(field) = find_field(pool, self.ty, number) else {
            if let Some(v) = value.to_owned() {
                self.unknown.push((number, v));
            }
            return;
        };
        let repeated = pool[field].label == Label::Repeated;
        let kind = kind(pool, field);
        match (kind, value) {
            (Kind::Varint, FieldValue::Varint(v)) => {
                if self.closed_enum_rejects(pool, field, v) {
                    self.unknown.push((number, WireValue::Varint(v)));
                } else {
                    self.push_value(pool, field, DynValue::Varint(v));
                }
            }
            (Kind::Fixed32, FieldValue::Fixed32(v)) => {
                self.push_value(pool, field, DynValue::Fixed32(v));
            }
            (Kind::Fixed64, FieldValue::Fixed64(v)) => {
                self.push_value(pool, field, DynValue::Fixed64(v));
            }
            (Kind::Bytes, FieldValue::Bytes(b)) => {
                self.push_value(pool, field, DynValue::Bytes(b.to_vec()));
            }
            (Kind::Varint | Kind::Fixed32 | Kind::Fixed64, FieldValue::Bytes(b)) if repeated => {
                // Packed encoding of a repeated scalar, accepted either way.
                let mut reader = wire::Reader::new(b);
                let mut values = Vec::new();
                while !reader.at_end() {
                    let v = match kind {
                        Kind::Varint => reader.varint().map(DynValue::Varint),
                        Kind::Fixed32 => reader_fixed32(&mut reader).map(DynValue::Fixed32),
                        _ => reader_fixed64(&mut reader).map(DynValue::Fixed64),
                    };
                    match v {
                        Some(v) => values.push(v),
                        None => {
                            self.unknown.push((number, WireValue::Bytes(b.to_vec())));
                            return;
                        }
                    }
                }
                for v in values {
                    if let DynValue::Varint(raw) = v {
                        if self.closed_enum_rejects(pool, field, raw) {
                            self.unknown.push((number, WireValue::Varint(raw)));
                            continue;
                        }
                    }
                    self.push_value(pool, field, v);
                }
            }
            (Kind::Message(m), FieldValue::Bytes(b)) | (Kind::Group(m), FieldValue::Group(b)) => {
                let mut sub = DynMessage::new(m);
                if depth >= MAX_DEPTH || !sub.merge_bytes(pool, b, depth + 1) {
                    if let Some(v) = value.to_owned() {
                        self.unknown.push((number, v));
                    }
                    return;
                }
                self.push_value(pool, field, DynValue::Message(Box::new(sub)));
            }
            (_, value) => {
                if let Some(v) = value.to_owned() {
                    self.unknown.push((number, v));
                }
            }
        }
    }

    /// A MessageSet item (`type_id` = 2, `message` = 3) as its extension.
    fn merge_message_set_item(&mut self, pool: &Pool, item: &[u8], depth: usize) -> bool {
        let mut type_id = None;
        let mut message = None;
        let mut reader = wire::Reader::new(item);
        while !reader.at_end() {
            match reader.field() {
                Some((2, FieldValue::Varint(v))) => type_id = Some(v),
                Some((3, FieldValue::Bytes(b))) => message = Some(b),
                Some(_) => {}
                None => return false,
            }
        }
        let (Some(type_id), Some(message)) = (type_id, message) else {
            return false;
        };
        let Ok(number) = u32::try_from(type_id) else {
            return false;
        };
        let Some(field) = find_field(pool, self.ty, number) else {
            return false;
        };
        let FieldType::Message(m) = pool[field].ty else {
            return false;
        };
        let mut sub = DynMessage::new(m);
        if depth >= MAX_DEPTH || !sub.merge_bytes(pool, message, depth + 1) {
            return false;
        }
        self.push_value(pool, field, DynValue::Message(Box::new(sub)));
        true
    }

    fn closed_enum_rejects(&self, pool: &Pool, field: FieldId, raw: u64) -> bool {
        let FieldType::Enum(e) = pool[field].ty else {
            return false;
        };
        if !pool[e].is_closed() {
            return false;
        }
        let value = raw as i64 as i32;
        !pool[e].values.iter().any(|v| pool[*v].number == value)
    }

    /// Merges a list of raw fields.
    pub(crate) fn merge_wire(&mut self, pool: &Pool, fields: &[(u32, WireValue)]) {
        let mut bytes = Vec::new();
        wire::put_fields(&mut bytes, fields);
        self.merge_bytes(pool, &bytes, 0);
    }

    /// Serializes: known fields by number, then unknown fields.
    pub(crate) fn encode(&self, pool: &Pool, out: &mut Vec<u8>) {
        let message_set = pool[self.ty].options.message_set_wire_format;
        for field in &self.fields {
            if message_set && pool[field.field].is_extension() {
                for v in &field.values {
                    if let DynValue::Message(m) = v {
                        let mut body = Vec::new();
                        m.encode(pool, &mut body);
                        wire::put_tag(out, 1, wire::START_GROUP);
                        wire::put_uint(out, 2, u64::from(field.number));
                        wire::put_bytes(out, 3, &body);
                        wire::put_tag(out, 1, wire::END_GROUP);
                    }
                }
                continue;
            }
            let number = field.number;
            let packed = pool[field.field].is_packed();
            if packed && !field.values.is_empty() {
                let mut body = Vec::new();
                for v in &field.values {
                    match v {
                        DynValue::Varint(x) => wire::put_varint(&mut body, *x),
                        DynValue::Fixed32(x) => body.extend_from_slice(&x.to_le_bytes()),
                        DynValue::Fixed64(x) => body.extend_from_slice(&x.to_le_bytes()),
                        DynValue::Bytes(_) | DynValue::Message(_) => {}
                    }
                }
                wire::put_bytes(out, number, &body);
                continue;
            }
            let group = matches!(pool[field.field].ty, FieldType::Group(_));
            for v in &field.values {
                match v {
                    DynValue::Varint(x) => wire::put_uint(out, number, *x),
                    DynValue::Fixed32(x) => wire::put_value(out, number, &WireValue::Fixed32(*x)),
                    DynValue::Fixed64(x) => wire::put_value(out, number, &WireValue::Fixed64(*x)),
                    DynValue::Bytes(b) => wire::put_bytes(out, number, b),
                    DynValue::Message(m) => {
                        if group {
                            wire::put_tag(out, number, wire::START_GROUP);
                            m.encode(pool, out);
                            wire::put_tag(out, number, wire::END_GROUP);
                        } else {
                            let mut body = Vec::new();
                            m.encode(pool, &mut body);
                            wire::put_bytes(out, number, &body);
                        }
                    }
                }
            }
        }
        wire::put_fields(out, &self.unknown);
    }

    /// The serialized bytes.
    pub(crate) fn to_bytes(&self, pool: &Pool) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(pool, &mut out);
        out
    }

    /// Removes fields whose `retention` option is `RETENTION_SOURCE`,
    /// recursively, as protoc's `StripMessage` does; options messages that
    /// become empty are removed too. `path` is the message's path; removed
    /// paths are appended to `stripped`.
    pub(crate) fn strip_source_retention(
        &mut self,
        pool: &Pool,
        path: &mut Vec<i32>,
        stripped: &mut Vec<Vec<i32>>,
    ) {
        let mut keep = Vec::with_capacity(self.fields.len());
        for mut field in std::mem::take(&mut self.fields) {
            path.push(field.number as i32);
            if is_source_retention(pool, field.field) {
                stripped.push(path.clone());
                path.pop();
                continue;
            }
            let repeated = pool[field.field].label == Label::Repeated;
            let mut remove = false;
            for (i, value) in field.values.iter_mut().enumerate() {
                if let DynValue::Message(m) = value {
                    if repeated {
                        path.push(i as i32);
                        m.strip_source_retention(pool, path, stripped);
                        path.pop();
                    } else {
                        let was_nonempty_options = is_options_type(pool, m.ty) && !m.is_empty();
                        m.strip_source_retention(pool, path, stripped);
                        if was_nonempty_options && m.is_empty() {
                            stripped.push(path.clone());
                            remove = true;
                        }
                    }
                }
            }
            path.pop();
            if !remove {
                keep.push(field);
            }
        }
        self.fields = keep;
    }
}

fn reader_fixed32(reader: &mut wire::Reader<'_>) -> Option<u32> {
    let mut bytes = [0u8; 4];
    for b in &mut bytes {
        *b = reader.byte()?;
    }
    Some(u32::from_le_bytes(bytes))
}

fn reader_fixed64(reader: &mut wire::Reader<'_>) -> Option<u64> {
    let mut bytes = [0u8; 8];
    for b in &mut bytes {
        *b = reader.byte()?;
    }
    Some(u64::from_le_bytes(bytes))
}

/// Whether `field` has `[retention = RETENTION_SOURCE]`.
pub(crate) fn is_source_retention(pool: &Pool, field: FieldId) -> bool {
    pool[field].options.retention == 2
}

/// Whether `message` is one of `descriptor.proto`'s `*Options` messages.
fn is_options_type(pool: &Pool, message: MessageId) -> bool {
    let m = &pool[message];
    m.name.ends_with("Options") && pool[m.file].name == "google/protobuf/descriptor.proto"
}
