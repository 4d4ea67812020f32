//! The interop client: the client side of each interop test case, written
//! from gRPC's interop test descriptions, on the generated
//! `TestServiceClient`. [`run`] runs one case against the server behind a
//! channel and says why it failed.

use std::time::Duration;

use protoforge_grpc::{
    CallOptions, Cancellation, Channel, Code, Encoding, Metadata, Outbound, Status, stream,
};

use crate::pb::grpc::testing::{
    EchoStatus, Empty, Payload, ResponseParameters, SimpleRequest, StreamingInputCallRequest,
    StreamingOutputCallRequest, TestServiceClient, UnimplementedServiceClient,
};
use crate::{bool_value, is_true, zeros};

/// The 18 cases, in the order the interop descriptions list them.
pub const CASES: &[&str] = &[
    "empty_unary",
    "large_unary",
    "client_streaming",
    "server_streaming",
    "ping_pong",
    "empty_stream",
    "custom_metadata",
    "status_code_and_message",
    "special_status_message",
    "unimplemented_method",
    "unimplemented_service",
    "cancel_after_begin",
    "cancel_after_first_response",
    "timeout_on_sleeping_server",
    "client_compressed_unary",
    "server_compressed_unary",
    "client_compressed_streaming",
    "server_compressed_streaming",
];

/// A case's outcome: why it failed, if it did.
pub type CaseResult = Result<(), String>;

/// How long each call of a case may take (a case never hangs on a server
/// that stops answering).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

fn fail(what: &str) -> impl FnOnce(Status) -> String + '_ {
    move |s| format!("{what}: {s}")
}

fn body_len(payload: &Option<Payload>) -> usize {
    payload.as_ref().map_or(0, |p| p.body.len())
}

fn all_zero(payload: &Option<Payload>) -> bool {
    payload
        .as_ref()
        .is_none_or(|p| p.body.iter().all(|&b| b == 0))
}

fn opts() -> CallOptions {
    CallOptions::new().timeout(CALL_TIMEOUT)
}

fn large_request() -> SimpleRequest {
    SimpleRequest {
        response_size: 314159,
        payload: zeros(271828),
        ..Default::default()
    }
}

fn sized(size: i32) -> ResponseParameters {
    ResponseParameters {
        size,
        ..Default::default()
    }
}

/// Runs `case` against the server behind `channel`.
pub async fn run(case: &str, channel: Channel) -> CaseResult {
    let client = TestServiceClient::new(channel.clone());
    match case {
        "empty_unary" => {
            client
                .empty_call(Empty::default(), opts())
                .await
                .map_err(fail("EmptyCall"))?;
            Ok(())
        }
        "large_unary" => {
            let response = client
                .unary_call(large_request(), opts())
                .await
                .map_err(fail("UnaryCall"))?;
            let payload = &response.get_ref().payload;
            check!(
                body_len(payload) == 314159,
                "response body is {} bytes",
                body_len(payload)
            );
            check!(all_zero(payload), "response body is not zeros");
            Ok(())
        }
        "client_streaming" => {
            let sizes = [27182, 8, 1828, 45904];
            let requests = stream::iter(sizes.map(|n| StreamingInputCallRequest {
                payload: zeros(n),
                ..Default::default()
            }));
            let response = client
                .streaming_input_call(requests, opts())
                .await
                .map_err(fail("StreamingInputCall"))?;
            let total = response.get_ref().aggregated_payload_size;
            check!(total == 74922, "aggregated_payload_size {total}");
            Ok(())
        }
        "server_streaming" => server_streaming(&client, false).await,
        "server_compressed_streaming" => server_streaming(&client, true).await,
        "ping_pong" => {
            let steps = [(31415, 27182), (9, 8), (2653, 1828), (58979, 45904)];
            let request = |(size, body): (i32, usize)| StreamingOutputCallRequest {
                response_parameters: vec![sized(size)],
                payload: zeros(body),
                ..Default::default()
            };
            let (tx, rx) = stream::channel(1);
            tx.send(request(steps[0]))
                .await
                .map_err(|_| "could not queue the first request")?;
            let mut responses = client
                .full_duplex_call(rx, opts())
                .await
                .map_err(fail("FullDuplexCall"))?;
            for (i, step) in steps.into_iter().enumerate() {
                if i > 0 {
                    tx.send(request(step))
                        .await
                        .map_err(|_| "the call ended before all requests were sent")?;
                }
                let message = responses.message().await.map_err(fail("FullDuplexCall"))?;
                let Some(message) = message else {
                    return Err(format!(
                        "stream ended before the response of size {}",
                        step.0
                    ));
                };
                check!(
                    body_len(&message.payload) == step.0 as usize,
                    "got {} bytes, want {}",
                    body_len(&message.payload),
                    step.0
                );
            }
            drop(tx);
            let end = responses
                .message()
                .await
                .map_err(fail("FullDuplexCall end"))?;
            check!(end.is_none(), "an extra response after half-close");
            Ok(())
        }
        "empty_stream" => {
            let mut stream = client
                .full_duplex_call(
                    stream::iter(Vec::<StreamingOutputCallRequest>::new()),
                    opts(),
                )
                .await
                .map_err(fail("FullDuplexCall"))?;
            let first = stream.message().await.map_err(fail("FullDuplexCall"))?;
            check!(first.is_none(), "expected zero responses");
            Ok(())
        }
        "custom_metadata" => custom_metadata(&client).await,
        "status_code_and_message" => {
            let message = "test status message";
            let echo = Some(EchoStatus {
                code: 2,
                message: message.into(),
                ..Default::default()
            });
            let status = client
                .unary_call(
                    SimpleRequest {
                        response_status: echo.clone(),
                        ..Default::default()
                    },
                    opts(),
                )
                .await
                .err()
                .ok_or("UnaryCall succeeded")?;
            check!(
                status.code() == Code::Unknown && status.message() == message,
                "UnaryCall: {status:?}"
            );
            let response = client
                .full_duplex_call(
                    stream::iter([StreamingOutputCallRequest {
                        response_status: echo,
                        ..Default::default()
                    }]),
                    opts(),
                )
                .await;
            let status = match response {
                Err(status) => status,
                Ok(mut stream) => loop {
                    match stream.message().await {
                        Ok(Some(_)) => continue,
                        Ok(None) => return Err("FullDuplexCall succeeded".into()),
                        Err(status) => break status,
                    }
                },
            };
            check!(
                status.code() == Code::Unknown && status.message() == message,
                "FullDuplexCall: {status:?}"
            );
            Ok(())
        }
        "special_status_message" => {
            let message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";
            let status = client
                .unary_call(
                    SimpleRequest {
                        response_status: Some(EchoStatus {
                            code: 2,
                            message: message.into(),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    opts(),
                )
                .await
                .err()
                .ok_or("UnaryCall succeeded")?;
            check!(status.code() == Code::Unknown, "code {:?}", status.code());
            check!(
                status.message() == message,
                "message {:?}",
                status.message()
            );
            Ok(())
        }
        "unimplemented_method" => {
            let status = client
                .unimplemented_call(Empty::default(), opts())
                .await
                .err()
                .ok_or("UnimplementedCall succeeded")?;
            check!(status.code() == Code::Unimplemented, "{status:?}");
            Ok(())
        }
        "unimplemented_service" => {
            let status = UnimplementedServiceClient::new(channel)
                .unimplemented_call(Empty::default(), opts())
                .await
                .err()
                .ok_or("UnimplementedService/UnimplementedCall succeeded")?;
            check!(status.code() == Code::Unimplemented, "{status:?}");
            Ok(())
        }
        "cancel_after_begin" => {
            let cancel = Cancellation::new();
            let call = {
                let client = client.clone();
                let options = opts().cancellation(cancel.clone());
                tokio::spawn(async move {
                    client
                        .streaming_input_call(
                            stream::pending::<StreamingInputCallRequest>(),
                            options,
                        )
                        .await
                })
            };
            tokio::time::sleep(Duration::from_millis(100)).await;
            cancel.cancel();
            let result = call.await.map_err(|e| format!("call task: {e}"))?;
            let status = result.err().ok_or("the cancelled call succeeded")?;
            check!(status.code() == Code::Cancelled, "{status:?}");
            Ok(())
        }
        "cancel_after_first_response" => {
            let cancel = Cancellation::new();
            let (tx, rx) = stream::channel(1);
            tx.send(StreamingOutputCallRequest {
                response_parameters: vec![sized(31415)],
                payload: zeros(27182),
                ..Default::default()
            })
            .await
            .map_err(|_| "could not queue the request")?;
            let mut stream = client
                .full_duplex_call(rx, opts().cancellation(cancel.clone()))
                .await
                .map_err(fail("FullDuplexCall"))?;
            let first = stream.message().await.map_err(fail("first response"))?;
            check!(
                first.is_some_and(|m| body_len(&m.payload) == 31415),
                "wrong first response"
            );
            cancel.cancel();
            let status = stream
                .message()
                .await
                .err()
                .ok_or("no error after cancelling")?;
            check!(status.code() == Code::Cancelled, "{status:?}");
            drop(tx);
            Ok(())
        }
        "timeout_on_sleeping_server" => {
            let (tx, rx) = stream::channel(1);
            tx.send(StreamingOutputCallRequest {
                payload: zeros(27182),
                ..Default::default()
            })
            .await
            .map_err(|_| "could not queue the request")?;
            let options = CallOptions::new().timeout(Duration::from_millis(1));
            let status = match client.full_duplex_call(rx, options).await {
                Err(status) => status,
                Ok(mut stream) => loop {
                    match stream.message().await {
                        Ok(Some(_)) => continue,
                        Ok(None) => return Err("the call succeeded".into()),
                        Err(status) => break status,
                    }
                },
            };
            drop(tx);
            check!(status.code() == Code::DeadlineExceeded, "{status:?}");
            Ok(())
        }
        "client_compressed_unary" => {
            let mut probe = large_request();
            probe.expect_compressed = bool_value(true);
            let probed = client.unary_call(probe.clone(), opts()).await;
            let server_checks = match probed {
                Err(status) if status.code() == Code::InvalidArgument => true,
                Err(status) => return Err(format!("probe: {status:?}")),
                // The server cannot see the compressed flag (grpcio and
                // grpc-js give handlers no way to); the description makes
                // the probe a feature test.
                Ok(_) => false,
            };
            let _ = server_checks;
            let compressed = opts().compression(Encoding::Gzip);
            let response = client
                .unary_call(probe, compressed)
                .await
                .map_err(fail("compressed UnaryCall"))?;
            check!(
                body_len(&response.get_ref().payload) == 314159,
                "compressed call: wrong size"
            );
            let mut plain = large_request();
            plain.expect_compressed = bool_value(false);
            let response = client
                .unary_call(plain, opts())
                .await
                .map_err(fail("uncompressed UnaryCall"))?;
            check!(
                body_len(&response.get_ref().payload) == 314159,
                "uncompressed call: wrong size"
            );
            Ok(())
        }
        "server_compressed_unary" => {
            for compressed in [true, false] {
                let mut request = large_request();
                request.response_compressed = bool_value(compressed);
                let response = client
                    .unary_call(request, opts())
                    .await
                    .map_err(fail("UnaryCall"))?;
                check!(
                    body_len(&response.get_ref().payload) == 314159,
                    "wrong size"
                );
                check!(
                    response.message_compressed() == compressed,
                    "response_compressed {compressed} but the compressed flag was {}",
                    response.message_compressed()
                );
            }
            Ok(())
        }
        "client_compressed_streaming" => {
            let probe = StreamingInputCallRequest {
                expect_compressed: bool_value(true),
                payload: zeros(27182),
                ..Default::default()
            };
            match client
                .streaming_input_call(
                    stream::iter([Outbound::new(probe.clone()).compress(false)]),
                    opts(),
                )
                .await
            {
                Err(status) if status.code() == Code::InvalidArgument => {}
                Err(status) => return Err(format!("probe: {status:?}")),
                // See client_compressed_unary.
                Ok(_) => {}
            }
            let requests = stream::iter([
                Outbound::new(probe).compress(true),
                Outbound::new(StreamingInputCallRequest {
                    expect_compressed: bool_value(false),
                    payload: zeros(45904),
                    ..Default::default()
                })
                .compress(false),
            ]);
            let response = client
                .streaming_input_call(requests, opts().compression(Encoding::Gzip))
                .await
                .map_err(fail("StreamingInputCall"))?;
            let total = response.get_ref().aggregated_payload_size;
            check!(total == 73086, "aggregated_payload_size {total}");
            Ok(())
        }
        other => Err(format!("unknown case {other}")),
    }
}

async fn server_streaming(client: &TestServiceClient, compressed: bool) -> CaseResult {
    let params: Vec<ResponseParameters> = if compressed {
        vec![
            ResponseParameters {
                size: 31415,
                compressed: bool_value(true),
                ..Default::default()
            },
            ResponseParameters {
                size: 92653,
                compressed: bool_value(false),
                ..Default::default()
            },
        ]
    } else {
        [31415, 9, 2653, 58979].map(sized).to_vec()
    };
    let request = StreamingOutputCallRequest {
        response_parameters: params.clone(),
        ..Default::default()
    };
    let response = client
        .streaming_output_call(request, opts())
        .await
        .map_err(fail("StreamingOutputCall"))?;
    let mut stream = response.into_inner();
    for p in &params {
        let message = stream
            .message()
            .await
            .map_err(fail("StreamingOutputCall"))?;
        let Some(message) = message else {
            return Err(format!(
                "stream ended before the response of size {}",
                p.size
            ));
        };
        check!(
            body_len(&message.payload) == p.size as usize,
            "got {} bytes, want {}",
            body_len(&message.payload),
            p.size
        );
        if compressed {
            let want = is_true(&p.compressed);
            check!(
                stream.last_message_compressed() == want,
                "response of size {} has compressed flag {}, want {want}",
                p.size,
                stream.last_message_compressed()
            );
        }
    }
    let end = stream
        .message()
        .await
        .map_err(fail("StreamingOutputCall end"))?;
    check!(end.is_none(), "more responses than asked for");
    Ok(())
}

async fn custom_metadata(client: &TestServiceClient) -> CaseResult {
    const INITIAL: &str = "x-grpc-test-echo-initial";
    const TRAILING: &str = "x-grpc-test-echo-trailing-bin";
    let mut metadata = Metadata::new();
    metadata
        .insert(INITIAL, "test_initial_metadata_value")
        .map_err(|e| e.to_string())?;
    metadata
        .insert_bin(TRAILING, &[0xab, 0xab, 0xab])
        .map_err(|e| e.to_string())?;
    let check_md = |what: &str, initial: &Metadata, trailing: Option<&Metadata>| -> CaseResult {
        check!(
            initial.get(INITIAL) == Some("test_initial_metadata_value"),
            "{what}: initial metadata {initial:?}"
        );
        let trailing = trailing.cloned().unwrap_or_default();
        check!(
            trailing.get_bin(TRAILING).as_deref() == Some(&[0xab, 0xab, 0xab][..]),
            "{what}: trailing metadata {trailing:?}"
        );
        Ok(())
    };
    let response = client
        .unary_call(large_request(), opts().metadata(metadata.clone()))
        .await
        .map_err(fail("UnaryCall"))?;
    check!(
        body_len(&response.get_ref().payload) == 314159,
        "UnaryCall: wrong size"
    );
    check_md("UnaryCall", response.metadata(), Some(response.trailers()))?;

    let request = StreamingOutputCallRequest {
        response_parameters: vec![sized(314159)],
        payload: zeros(271828),
        ..Default::default()
    };
    let mut stream = client
        .full_duplex_call(stream::iter([request]), opts().metadata(metadata))
        .await
        .map_err(fail("FullDuplexCall"))?;
    let initial = stream
        .metadata()
        .await
        .map_err(fail("FullDuplexCall headers"))?;
    let first = stream.message().await.map_err(fail("FullDuplexCall"))?;
    check!(
        first.is_some_and(|m| body_len(&m.payload) == 314159),
        "FullDuplexCall: wrong response"
    );
    let end = stream.message().await.map_err(fail("FullDuplexCall end"))?;
    check!(end.is_none(), "FullDuplexCall: extra response");
    check_md("FullDuplexCall", &initial, stream.trailers())
}
