//! The interop messages (testdata/interop/src/proto/grpc/testing/messages.proto)
//! with a small hand-written protobuf encoder and decoder, standing in for the
//! generated Rust messages until the runtime crate and the message generator
//! exist; codegen replaces this file. Unknown fields are skipped, as the
//! real runtime will.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use protoforge_grpc::{Codec, Status};

/// A message this file can encode and decode.
pub trait Msg: Default + Send + 'static {
    fn encode(&self, buf: &mut BytesMut);
    fn merge_field(&mut self, field: u32, value: Value) -> Result<(), Status>;

    fn decode(mut buf: Bytes) -> Result<Self, Status> {
        let mut msg = Self::default();
        while buf.has_remaining() {
            let key = varint(&mut buf)?;
            let field = (key >> 3) as u32;
            let value = match key & 7 {
                0 => Value::Varint(varint(&mut buf)?),
                1 => {
                    need(&buf, 8)?;
                    buf.advance(8);
                    continue;
                }
                2 => {
                    let len = varint(&mut buf)? as usize;
                    need(&buf, len)?;
                    Value::Bytes(buf.split_to(len))
                }
                5 => {
                    need(&buf, 4)?;
                    buf.advance(4);
                    continue;
                }
                _ => return Err(Status::internal("unsupported wire type")),
            };
            msg.merge_field(field, value)?;
        }
        Ok(msg)
    }

    fn to_bytes(&self) -> Bytes {
        let mut buf = BytesMut::new();
        self.encode(&mut buf);
        buf.freeze()
    }
}

pub enum Value {
    Varint(u64),
    Bytes(Bytes),
}

impl Value {
    fn int(self) -> Result<u64, Status> {
        match self {
            Value::Varint(v) => Ok(v),
            Value::Bytes(_) => Err(Status::internal("expected a varint")),
        }
    }

    fn bytes(self) -> Result<Bytes, Status> {
        match self {
            Value::Bytes(b) => Ok(b),
            Value::Varint(_) => Err(Status::internal("expected length-delimited")),
        }
    }

    fn message<M: Msg>(self, into: &mut Option<M>) -> Result<(), Status> {
        // Merging a repeated occurrence is not needed by the interop cases.
        *into = Some(M::decode(self.bytes()?)?);
        Ok(())
    }
}

fn need(buf: &Bytes, n: usize) -> Result<(), Status> {
    if buf.remaining() < n {
        Err(Status::internal("truncated message"))
    } else {
        Ok(())
    }
}

fn varint(buf: &mut Bytes) -> Result<u64, Status> {
    let mut out = 0u64;
    for shift in (0..64).step_by(7) {
        need(buf, 1)?;
        let b = buf.get_u8();
        out |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Ok(out);
        }
    }
    Err(Status::internal("varint too long"))
}

fn put_varint(buf: &mut BytesMut, mut v: u64) {
    while v >= 0x80 {
        buf.put_u8((v as u8) | 0x80);
        v >>= 7;
    }
    buf.put_u8(v as u8);
}

fn put_int(buf: &mut BytesMut, field: u32, v: i64) {
    if v != 0 {
        put_varint(buf, u64::from(field) << 3);
        put_varint(buf, v as u64);
    }
}

fn put_bytes(buf: &mut BytesMut, field: u32, v: &[u8]) {
    if !v.is_empty() {
        put_varint(buf, (u64::from(field) << 3) | 2);
        put_varint(buf, v.len() as u64);
        buf.put_slice(v);
    }
}

fn put_message<M: Msg>(buf: &mut BytesMut, field: u32, m: &Option<M>) {
    if let Some(m) = m {
        let inner = m.to_bytes();
        put_varint(buf, (u64::from(field) << 3) | 2);
        put_varint(buf, inner.len() as u64);
        buf.put_slice(&inner);
    }
}

macro_rules! skip_unknown {
    () => {
        Ok(())
    };
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Empty {}

impl Msg for Empty {
    fn encode(&self, _: &mut BytesMut) {}
    fn merge_field(&mut self, _: u32, _: Value) -> Result<(), Status> {
        skip_unknown!()
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BoolValue {
    pub value: bool,
}

impl Msg for BoolValue {
    fn encode(&self, buf: &mut BytesMut) {
        put_int(buf, 1, i64::from(self.value));
    }
    fn merge_field(&mut self, field: u32, value: Value) -> Result<(), Status> {
        if field == 1 {
            self.value = value.int()? != 0;
        }
        Ok(())
    }
}

pub fn bool_value(value: bool) -> Option<BoolValue> {
    Some(BoolValue { value })
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Payload {
    pub r#type: i32,
    pub body: Bytes,
}

impl Payload {
    pub fn zeros(n: usize) -> Option<Payload> {
        Some(Payload {
            r#type: 0,
            body: Bytes::from(vec![0u8; n]),
        })
    }
}

impl Msg for Payload {
    fn encode(&self, buf: &mut BytesMut) {
        put_int(buf, 1, i64::from(self.r#type));
        put_bytes(buf, 2, &self.body);
    }
    fn merge_field(&mut self, field: u32, value: Value) -> Result<(), Status> {
        match field {
            1 => self.r#type = value.int()? as i32,
            2 => self.body = value.bytes()?,
            _ => {}
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct EchoStatus {
    pub code: i32,
    pub message: String,
}

impl Msg for EchoStatus {
    fn encode(&self, buf: &mut BytesMut) {
        put_int(buf, 1, i64::from(self.code));
        put_bytes(buf, 2, self.message.as_bytes());
    }
    fn merge_field(&mut self, field: u32, value: Value) -> Result<(), Status> {
        match field {
            1 => self.code = value.int()? as i32,
            2 => {
                self.message = String::from_utf8(value.bytes()?.to_vec())
                    .map_err(|_| Status::internal("string field is not UTF-8"))?
            }
            _ => {}
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SimpleRequest {
    pub response_type: i32,
    pub response_size: i32,
    pub payload: Option<Payload>,
    pub fill_username: bool,
    pub fill_oauth_scope: bool,
    pub response_compressed: Option<BoolValue>,
    pub response_status: Option<EchoStatus>,
    pub expect_compressed: Option<BoolValue>,
}

impl Msg for SimpleRequest {
    fn encode(&self, buf: &mut BytesMut) {
        put_int(buf, 1, i64::from(self.response_type));
        put_int(buf, 2, i64::from(self.response_size));
        put_message(buf, 3, &self.payload);
        put_int(buf, 4, i64::from(self.fill_username));
        put_int(buf, 5, i64::from(self.fill_oauth_scope));
        put_message(buf, 6, &self.response_compressed);
        put_message(buf, 7, &self.response_status);
        put_message(buf, 8, &self.expect_compressed);
    }
    fn merge_field(&mut self, field: u32, value: Value) -> Result<(), Status> {
        match field {
            1 => self.response_type = value.int()? as i32,
            2 => self.response_size = value.int()? as i32,
            3 => value.message(&mut self.payload)?,
            4 => self.fill_username = value.int()? != 0,
            5 => self.fill_oauth_scope = value.int()? != 0,
            6 => value.message(&mut self.response_compressed)?,
            7 => value.message(&mut self.response_status)?,
            8 => value.message(&mut self.expect_compressed)?,
            _ => {}
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SimpleResponse {
    pub payload: Option<Payload>,
    pub username: String,
    pub oauth_scope: String,
}

impl Msg for SimpleResponse {
    fn encode(&self, buf: &mut BytesMut) {
        put_message(buf, 1, &self.payload);
        put_bytes(buf, 2, self.username.as_bytes());
        put_bytes(buf, 3, self.oauth_scope.as_bytes());
    }
    fn merge_field(&mut self, field: u32, value: Value) -> Result<(), Status> {
        if field == 1 {
            value.message(&mut self.payload)?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamingInputCallRequest {
    pub payload: Option<Payload>,
    pub expect_compressed: Option<BoolValue>,
}

impl Msg for StreamingInputCallRequest {
    fn encode(&self, buf: &mut BytesMut) {
        put_message(buf, 1, &self.payload);
        put_message(buf, 2, &self.expect_compressed);
    }
    fn merge_field(&mut self, field: u32, value: Value) -> Result<(), Status> {
        match field {
            1 => value.message(&mut self.payload)?,
            2 => value.message(&mut self.expect_compressed)?,
            _ => {}
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamingInputCallResponse {
    pub aggregated_payload_size: i32,
}

impl Msg for StreamingInputCallResponse {
    fn encode(&self, buf: &mut BytesMut) {
        put_int(buf, 1, i64::from(self.aggregated_payload_size));
    }
    fn merge_field(&mut self, field: u32, value: Value) -> Result<(), Status> {
        if field == 1 {
            self.aggregated_payload_size = value.int()? as i32;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResponseParameters {
    pub size: i32,
    pub interval_us: i32,
    pub compressed: Option<BoolValue>,
}

impl ResponseParameters {
    pub fn size(size: i32) -> ResponseParameters {
        ResponseParameters {
            size,
            ..Default::default()
        }
    }
}

impl Msg for ResponseParameters {
    fn encode(&self, buf: &mut BytesMut) {
        put_int(buf, 1, i64::from(self.size));
        put_int(buf, 2, i64::from(self.interval_us));
        put_message(buf, 3, &self.compressed);
    }
    fn merge_field(&mut self, field: u32, value: Value) -> Result<(), Status> {
        match field {
            1 => self.size = value.int()? as i32,
            2 => self.interval_us = value.int()? as i32,
            3 => value.message(&mut self.compressed)?,
            _ => {}
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamingOutputCallRequest {
    pub response_type: i32,
    pub response_parameters: Vec<ResponseParameters>,
    pub payload: Option<Payload>,
    pub response_status: Option<EchoStatus>,
}

impl Msg for StreamingOutputCallRequest {
    fn encode(&self, buf: &mut BytesMut) {
        put_int(buf, 1, i64::from(self.response_type));
        for p in &self.response_parameters {
            put_message(buf, 2, &Some(p.clone()));
        }
        put_message(buf, 3, &self.payload);
        put_message(buf, 7, &self.response_status);
    }
    fn merge_field(&mut self, field: u32, value: Value) -> Result<(), Status> {
        match field {
            1 => self.response_type = value.int()? as i32,
            2 => self
                .response_parameters
                .push(ResponseParameters::decode(value.bytes()?)?),
            3 => value.message(&mut self.payload)?,
            7 => value.message(&mut self.response_status)?,
            _ => {}
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamingOutputCallResponse {
    pub payload: Option<Payload>,
}

impl Msg for StreamingOutputCallResponse {
    fn encode(&self, buf: &mut BytesMut) {
        put_message(buf, 1, &self.payload);
    }
    fn merge_field(&mut self, field: u32, value: Value) -> Result<(), Status> {
        if field == 1 {
            value.message(&mut self.payload)?;
        }
        Ok(())
    }
}

/// The codec generated code would use: encodes `E`, decodes `D`.
pub struct ProtoCodec<E, D>(std::marker::PhantomData<fn(E) -> D>);

impl<E, D> Default for ProtoCodec<E, D> {
    fn default() -> Self {
        ProtoCodec(std::marker::PhantomData)
    }
}

impl<E, D> Clone for ProtoCodec<E, D> {
    fn clone(&self) -> Self {
        ProtoCodec::default()
    }
}

impl<E: Msg, D: Msg> Codec for ProtoCodec<E, D> {
    type Encode = E;
    type Decode = D;

    fn encode(&mut self, item: E, buf: &mut BytesMut) -> Result<(), Status> {
        item.encode(buf);
        Ok(())
    }

    fn decode(&mut self, buf: Bytes) -> Result<D, Status> {
        D::decode(buf)
    }
}

#[test]
fn golden_bytes() {
    let req = SimpleRequest {
        response_size: 314159,
        payload: Payload::zeros(3),
        expect_compressed: bool_value(true),
        ..Default::default()
    };
    let bytes = req.to_bytes();
    // Field 2 varint 314159, field 3 {field 2: 3 zero bytes}, field 8 {field 1: true}.
    assert_eq!(
        &bytes[..],
        &[
            0x10, 0xaf, 0x96, 0x13, 0x1a, 0x05, 0x12, 0x03, 0, 0, 0, 0x42, 0x02, 0x08, 0x01
        ]
    );
    assert_eq!(SimpleRequest::decode(bytes).expect("decodes"), req);
}
