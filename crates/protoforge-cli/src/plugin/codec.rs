//! The messages of `google/protobuf/compiler/plugin.proto`, encoded and
//! decoded by hand.
//!
//! [`Request`] is what protoc sends a plugin; its descriptors arrive already
//! encoded (the compiler writes `FileDescriptorProto` bytes identical to
//! protoc's), so encoding it is a matter of framing. Fields go out in field
//! number order, as protobuf's C++ serializer writes them, so a request is
//! byte-for-byte the one protoc would send for the same descriptors.
//!
//! [`Response`] is what a plugin answers; decoding follows protobuf's rules
//! for a proto2 message: unknown fields and fields of an unexpected wire type
//! are skipped, the last value of a singular field wins, a message field seen
//! twice is merged.
//!
//! [`GeneratedCodeInfo`] is decoded and re-encoded because inserting text
//! into a generated file shifts the annotations in its `.pb.meta` companion.

use super::wire::{Malformed, Reader, Value, Writer};

/// `google.protobuf.compiler.Version`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Version {
    pub(crate) major: i32,
    pub(crate) minor: i32,
    pub(crate) patch: i32,
    pub(crate) suffix: String,
}

/// `CodeGeneratorRequest`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Request {
    /// `file_to_generate` (1): the import names of the input files.
    pub(crate) files_to_generate: Vec<String>,
    /// `parameter` (2), absent when empty (protoc sets it only then).
    pub(crate) parameter: String,
    /// `proto_file` (15): every file, dependencies first, each an encoded
    /// `FileDescriptorProto`.
    pub(crate) proto_files: Vec<Vec<u8>>,
    /// `source_file_descriptors` (17): the files to generate, encoded with
    /// their source-retention options.
    pub(crate) source_file_descriptors: Vec<Vec<u8>>,
    /// `compiler_version` (3).
    pub(crate) compiler_version: Version,
}

impl Request {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        for file in &self.files_to_generate {
            w.bytes(1, file.as_bytes());
        }
        if !self.parameter.is_empty() {
            w.bytes(2, self.parameter.as_bytes());
        }
        let mut version = Writer::default();
        version.int32(1, self.compiler_version.major);
        version.int32(2, self.compiler_version.minor);
        version.int32(3, self.compiler_version.patch);
        version.bytes(4, self.compiler_version.suffix.as_bytes());
        w.bytes(3, &version.bytes);
        for file in &self.proto_files {
            w.bytes(15, file);
        }
        for file in &self.source_file_descriptors {
            w.bytes(17, file);
        }
        w.bytes
    }
}

/// `CodeGeneratorResponse.Feature` bits.
pub(crate) const FEATURE_PROTO3_OPTIONAL: u64 = 1;
pub(crate) const FEATURE_SUPPORTS_EDITIONS: u64 = 2;

/// `CodeGeneratorResponse`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Response {
    /// `error` (1); empty means none.
    pub(crate) error: Vec<u8>,
    /// `supported_features` (2).
    pub(crate) supported_features: u64,
    /// `minimum_edition` (3), an `Edition` number.
    pub(crate) minimum_edition: i32,
    /// `maximum_edition` (4), an `Edition` number.
    pub(crate) maximum_edition: i32,
    /// `file` (15).
    pub(crate) files: Vec<ResponseFile>,
}

/// `CodeGeneratorResponse.File`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ResponseFile {
    /// `name` (1); empty continues the previous file.
    pub(crate) name: String,
    /// `insertion_point` (2); non-empty inserts into an existing file.
    pub(crate) insertion_point: String,
    /// `content` (15).
    pub(crate) content: Vec<u8>,
    /// `generated_code_info` (16), encoded (several occurrences concatenated,
    /// which is how protobuf merges them).
    pub(crate) generated_code_info: Vec<u8>,
}

fn string(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Response {
    pub(crate) fn decode(bytes: &[u8]) -> Result<Response, Malformed> {
        let mut response = Response::default();
        let mut reader = Reader::new(bytes);
        while let Some((field, value)) = reader.next()? {
            match (field, value) {
                (1, Value::Len(b)) => response.error = b.to_vec(),
                (2, Value::Varint(v)) => response.supported_features = v,
                (3, Value::Varint(v)) => response.minimum_edition = v as i32,
                (4, Value::Varint(v)) => response.maximum_edition = v as i32,
                (15, Value::Len(b)) => response.files.push(ResponseFile::decode(b)?),
                _ => {}
            }
        }
        Ok(response)
    }
}

impl ResponseFile {
    fn decode(bytes: &[u8]) -> Result<ResponseFile, Malformed> {
        let mut file = ResponseFile::default();
        let mut reader = Reader::new(bytes);
        while let Some((field, value)) = reader.next()? {
            match (field, value) {
                (1, Value::Len(b)) => file.name = string(b),
                (2, Value::Len(b)) => file.insertion_point = string(b),
                (15, Value::Len(b)) => file.content = b.to_vec(),
                (16, Value::Len(b)) => {
                    // Checked now: a malformed sub-message fails the whole response.
                    GeneratedCodeInfo::decode(b)?;
                    file.generated_code_info.extend_from_slice(b);
                }
                _ => {}
            }
        }
        Ok(file)
    }
}

/// `google.protobuf.GeneratedCodeInfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct GeneratedCodeInfo {
    pub(crate) annotations: Vec<Annotation>,
    /// Unknown fields, kept in order and written back after the known ones.
    pub(crate) unknown: Vec<u8>,
}

/// `GeneratedCodeInfo.Annotation`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Annotation {
    /// `path` (1, packed).
    pub(crate) path: Vec<i32>,
    /// `source_file` (2).
    pub(crate) source_file: Option<Vec<u8>>,
    /// `begin` (3).
    pub(crate) begin: Option<i32>,
    /// `end` (4).
    pub(crate) end: Option<i32>,
    /// `semantic` (5), an enum number.
    pub(crate) semantic: Option<i32>,
    pub(crate) unknown: Vec<u8>,
}

impl GeneratedCodeInfo {
    pub(crate) fn decode(bytes: &[u8]) -> Result<GeneratedCodeInfo, Malformed> {
        let mut info = GeneratedCodeInfo::default();
        let mut reader = Reader::new(bytes);
        while let Some((field, value, raw)) = reader.next_raw()? {
            match (field, value) {
                (1, Value::Len(b)) => info.annotations.push(Annotation::decode(b)?),
                _ => info.unknown.extend_from_slice(raw),
            }
        }
        Ok(info)
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        for annotation in &self.annotations {
            w.bytes(1, &annotation.encode());
        }
        w.bytes.extend_from_slice(&self.unknown);
        w.bytes
    }
}

impl Annotation {
    fn decode(bytes: &[u8]) -> Result<Annotation, Malformed> {
        let mut annotation = Annotation::default();
        let mut reader = Reader::new(bytes);
        while let Some((field, value, raw)) = reader.next_raw()? {
            match (field, value) {
                (1, Value::Varint(v)) => annotation.path.push(v as i32),
                (1, Value::Len(packed)) => {
                    let mut values = PackedVarints {
                        bytes: packed,
                        at: 0,
                    };
                    while let Some(v) = values.next_value()? {
                        annotation.path.push(v as i32);
                    }
                }
                (2, Value::Len(b)) => annotation.source_file = Some(b.to_vec()),
                (3, Value::Varint(v)) => annotation.begin = Some(v as i32),
                (4, Value::Varint(v)) => annotation.end = Some(v as i32),
                (5, Value::Varint(v)) => annotation.semantic = Some(v as i32),
                _ => annotation.unknown.extend_from_slice(raw),
            }
        }
        Ok(annotation)
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        if !self.path.is_empty() {
            let mut packed = Writer::default();
            for &v in &self.path {
                packed.varint(i64::from(v) as u64);
            }
            w.bytes(1, &packed.bytes);
        }
        if let Some(source_file) = &self.source_file {
            w.bytes(2, source_file);
        }
        for (field, value) in [(3, self.begin), (4, self.end), (5, self.semantic)] {
            if let Some(value) = value {
                w.int32(field, value);
            }
        }
        w.bytes.extend_from_slice(&self.unknown);
        w.bytes
    }
}

/// The varints of a packed field.
struct PackedVarints<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl PackedVarints<'_> {
    fn next_value(&mut self) -> Result<Option<u64>, Malformed> {
        if self.at >= self.bytes.len() {
            return Ok(None);
        }
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let byte = *self.bytes.get(self.at).ok_or(Malformed)?;
            self.at += 1;
            if shift < 64 {
                value |= u64::from(byte & 0x7F) << shift;
            }
            if byte < 0x80 {
                return Ok(Some(value));
            }
        }
        Err(Malformed)
    }
}

/// protoc's `absl::CEscape`, used to show unparseable plugin output: `\n`,
/// `\r`, `\t`, `\"`, `\'` and `\\` by name, other bytes outside printable
/// ASCII as three octal digits.
pub(crate) fn c_escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b'"' => out.push_str("\\\""),
            b'\'' => out.push_str("\\'"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7E => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::wire;
    use super::*;

    #[test]
    fn request_fields_in_number_order() {
        let request = Request {
            files_to_generate: vec!["a.proto".into()],
            parameter: "x=1".into(),
            proto_files: vec![b"dep".to_vec(), b"a".to_vec()],
            source_file_descriptors: vec![b"A".to_vec()],
            compiler_version: Version {
                major: 7,
                minor: 35,
                patch: 1,
                suffix: String::new(),
            },
        };
        let expected: &[u8] = b"\x0a\x07a.proto\x12\x03x=1\x1a\x08\x08\x07\x10\x23\x18\x01\x22\x00\
                                \x7a\x03dep\x7a\x01a\x8a\x01\x01A";
        assert_eq!(request.encode(), expected);
        let no_parameter = Request {
            parameter: String::new(),
            ..request
        };
        assert!(!no_parameter.encode().windows(2).any(|w| w == b"\x12\x03"));
    }

    #[test]
    fn response_decoding_follows_proto2_rules() {
        let mut w = Writer::default();
        w.bytes(1, b"first");
        w.bytes(1, b"second");
        w.tag(2, wire::VARINT);
        w.varint(3);
        w.int32(4, 1001);
        w.int32(1, 7); // wrong wire type: an unknown field
        let mut file = Writer::default();
        file.bytes(1, b"a.txt");
        file.bytes(15, b"hello");
        w.bytes(15, &file.bytes);
        w.bytes(99, b"ignored");
        let response = Response::decode(&w.bytes).unwrap_or_default();
        assert_eq!(
            response,
            Response {
                error: b"second".to_vec(),
                supported_features: 3,
                minimum_edition: 0,
                maximum_edition: 1001,
                files: vec![ResponseFile {
                    name: "a.txt".into(),
                    content: b"hello".to_vec(),
                    ..ResponseFile::default()
                }],
            }
        );
        assert_eq!(Response::decode(b"\x0a\x05ab"), Err(Malformed));
        // A malformed GeneratedCodeInfo makes the whole response unparseable.
        let mut bad = Writer::default();
        let mut file = Writer::default();
        file.bytes(16, b"\x0a\x05");
        bad.bytes(15, &file.bytes);
        assert_eq!(Response::decode(&bad.bytes), Err(Malformed));
    }

    #[test]
    fn generated_code_info_round_trips_in_field_order() {
        // begin before path, unpacked path, an unknown field: written back
        // packed, in field order, unknown last.
        let mut a = Writer::default();
        a.int32(3, 10);
        a.int32(1, 4);
        a.int32(1, 0);
        a.bytes(2, b"x.proto");
        a.int32(9, 1);
        a.int32(4, 20);
        let mut info = Writer::default();
        info.bytes(1, &a.bytes);
        let decoded = GeneratedCodeInfo::decode(&info.bytes).unwrap_or_default();
        assert_eq!(decoded.annotations[0].path, [4, 0]);
        let mut expected_annotation = Writer::default();
        expected_annotation.bytes(1, &[4, 0]);
        expected_annotation.bytes(2, b"x.proto");
        expected_annotation.int32(3, 10);
        expected_annotation.int32(4, 20);
        expected_annotation.int32(9, 1);
        let mut expected = Writer::default();
        expected.bytes(1, &expected_annotation.bytes);
        assert_eq!(decoded.encode(), expected.bytes);
    }

    #[test]
    fn c_escape_like_absl() {
        assert_eq!(c_escape(b"a\n\"'\\\x00\xff~"), "a\\n\\\"\\'\\\\\\000\\377~");
    }
}
