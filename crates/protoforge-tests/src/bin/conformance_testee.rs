//! The conformance testee: speaks the protobuf conformance protocol
//! (`conformance/conformance.proto`) on stdin/stdout for
//! `conformance_test_runner`. Each request is a little-endian `u32` length
//! and a `ConformanceRequest`; each answer a length and a
//! `ConformanceResponse`. Binary input and output are handled by the
//! generated code under test; JSON and text format are answered as skipped.
//! Run by `cargo xtask conformance`.

use std::io::{self, Read, Write};

use protoforge::{EnumValue, Message};
use protoforge_tests::conformance::{
    ConformanceRequest, ConformanceResponse, FailureSet, WireFormat, conformance_request,
    conformance_response,
};
use protoforge_tests::protobuf_test_messages as tm;

/// Decodes `payload` as `M` and encodes it again in the requested format.
fn round_trip<M: Message>(
    payload: &[u8],
    output: EnumValue<WireFormat>,
) -> conformance_response::Result {
    let message = match M::decode(payload) {
        Ok(m) => m,
        Err(e) => return conformance_response::Result::ParseError(e.to_string()),
    };
    match output.get() {
        Some(WireFormat::Protobuf) => {
            conformance_response::Result::ProtobufPayload(message.encode_to_vec())
        }
        _ => conformance_response::Result::Skipped(
            "only the binary output format is supported".to_string(),
        ),
    }
}

fn answer(request: &ConformanceRequest) -> conformance_response::Result {
    let payload = match &request.payload {
        Some(conformance_request::Payload::ProtobufPayload(p)) => p.as_slice(),
        Some(_) => {
            return conformance_response::Result::Skipped(
                "only the binary input format is supported".to_string(),
            );
        }
        None => {
            return conformance_response::Result::RuntimeError(
                "request without payload".to_string(),
            );
        }
    };
    let output = request.requested_output_format;
    match request.message_type.as_str() {
        "protobuf_test_messages.proto3.TestAllTypesProto3" => {
            round_trip::<tm::proto3::TestAllTypesProto3>(payload, output)
        }
        "protobuf_test_messages.proto2.TestAllTypesProto2" => {
            round_trip::<tm::proto2::TestAllTypesProto2>(payload, output)
        }
        "protobuf_test_messages.editions.TestAllTypesEdition2023" => {
            round_trip::<tm::editions::TestAllTypesEdition2023>(payload, output)
        }
        "protobuf_test_messages.editions.proto2.TestAllTypesProto2" => {
            round_trip::<tm::editions::proto2::TestAllTypesProto2>(payload, output)
        }
        "protobuf_test_messages.editions.proto3.TestAllTypesProto3" => {
            round_trip::<tm::editions::proto3::TestAllTypesProto3>(payload, output)
        }
        "conformance.FailureSet" => round_trip::<FailureSet>(payload, output),
        other => {
            conformance_response::Result::RuntimeError(format!("unknown message type {other}"))
        }
    }
}

/// Reads exactly `buf.len()` bytes; `Ok(false)` at a clean end of input.
fn read_exact_or_eof(input: &mut impl Read, buf: &mut [u8]) -> io::Result<bool> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..])? {
            0 if filled == 0 => return Ok(false),
            0 => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "truncated request",
                ));
            }
            n => filled += n,
        }
    }
    Ok(true)
}

fn serve() -> io::Result<()> {
    let mut input = io::stdin().lock();
    let mut output = io::stdout().lock();
    loop {
        let mut len = [0u8; 4];
        if !read_exact_or_eof(&mut input, &mut len)? {
            return Ok(());
        }
        let mut request = vec![0u8; u32::from_le_bytes(len) as usize];
        if !read_exact_or_eof(&mut input, &mut request)? {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "missing request body",
            ));
        }
        let result = match ConformanceRequest::decode(&request) {
            Ok(request) => answer(&request),
            Err(e) => conformance_response::Result::RuntimeError(format!("bad request: {e}")),
        };
        let response = ConformanceResponse {
            result: Some(result),
            ..Default::default()
        };
        let bytes = response.encode_to_vec();
        output.write_all(&(bytes.len() as u32).to_le_bytes())?;
        output.write_all(&bytes)?;
        output.flush()?;
    }
}

fn main() -> std::process::ExitCode {
    match serve() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("conformance-testee: {e}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}
