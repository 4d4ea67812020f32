//! Taking `json_name` back out of an encoded `FileDescriptorProto`.
//!
//! protoc sends the files to generate without the `json_name` it computes
//! (keeping only those written in the source) in two cases: bootstrap mode
//! and its former built-in plugins. The descriptor writer always sets it,
//! so for those cases the CLI removes it again, walking the encoded file
//! alongside the IR to know which fields had an explicit `json_name`.
//! Everything else is copied byte for byte, so the result is what protoc
//! serializes.

use protoforge_compiler::ir::{FieldId, FileId, MessageId, Pool};

use super::wire::{Malformed, Reader, Value, Writer};

/// `bytes` (the encoded `FileDescriptorProto` of `file`) without computed
/// `json_name`s.
pub(crate) fn strip(pool: &Pool, file: FileId, bytes: &[u8]) -> Result<Vec<u8>, Malformed> {
    let f = &pool[file];
    let mut messages = f.messages.iter();
    let mut extensions = f.extensions.iter();
    let mut out = Writer::default();
    let mut reader = Reader::new(bytes);
    while let Some((number, value, raw)) = reader.next_raw()? {
        match (number, value) {
            (4, Value::Len(m)) => {
                let id = messages.next().ok_or(Malformed)?;
                out.bytes(4, &message(pool, *id, m)?);
            }
            (7, Value::Len(x)) => {
                let id = extensions.next().ok_or(Malformed)?;
                out.bytes(7, &field(pool, *id, x)?);
            }
            _ => out.bytes.extend_from_slice(raw),
        }
    }
    Ok(out.bytes)
}

fn message(pool: &Pool, id: MessageId, bytes: &[u8]) -> Result<Vec<u8>, Malformed> {
    let m = &pool[id];
    let mut fields = m.fields.iter();
    let mut nested = m.nested_messages.iter();
    let mut extensions = m.extensions.iter();
    let mut out = Writer::default();
    let mut reader = Reader::new(bytes);
    while let Some((number, value, raw)) = reader.next_raw()? {
        match (number, value) {
            (2, Value::Len(x)) => {
                let id = fields.next().ok_or(Malformed)?;
                out.bytes(2, &field(pool, *id, x)?);
            }
            (3, Value::Len(x)) => {
                let id = nested.next().ok_or(Malformed)?;
                out.bytes(3, &message(pool, *id, x)?);
            }
            (6, Value::Len(x)) => {
                let id = extensions.next().ok_or(Malformed)?;
                out.bytes(6, &field(pool, *id, x)?);
            }
            _ => out.bytes.extend_from_slice(raw),
        }
    }
    Ok(out.bytes)
}

fn field(pool: &Pool, id: FieldId, bytes: &[u8]) -> Result<Vec<u8>, Malformed> {
    let keep = pool[id].has_explicit_json_name;
    let mut out = Vec::with_capacity(bytes.len());
    let mut reader = Reader::new(bytes);
    while let Some((number, _, raw)) = reader.next_raw()? {
        if number != 10 || keep {
            out.extend_from_slice(raw);
        }
    }
    Ok(out)
}
