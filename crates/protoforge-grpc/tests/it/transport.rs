//! The transport against itself: call shapes, metadata, status details,
//! deadlines and cancellation in both directions, compression and limits,
//! panics, interceptors, mutual TLS and graceful shutdown.

use std::time::Duration;

use bytes::Bytes;
use protoforge_grpc::{
    BytesCodec, CallHead, CallOptions, Cancellation, Channel, ClientTlsConfig, Code, Encoding,
    Endpoint, Metadata, Server, ServerTlsConfig, Status, stream,
};

use crate::echo::{Echo, Events, path};
use crate::support::{TestServer, pki, run};

async fn echo_server(events: &Events) -> TestServer {
    let echo = Echo {
        events: events.clone(),
    };
    TestServer::start(Server::builder().add_service(echo)).await
}

async fn connect(server: &TestServer) -> Channel {
    Endpoint::new("127.0.0.1", server.port())
        .connect()
        .await
        .expect("connect")
}

fn opts() -> CallOptions {
    CallOptions::new().timeout(Duration::from_secs(20))
}

#[test]
fn unary_with_ascii_and_binary_metadata() {
    run(|| async {
        let server = echo_server(&Events::default()).await;
        let channel = connect(&server).await;
        let mut md = Metadata::new();
        md.insert("x-echo", "hello there").expect("valid");
        md.insert_bin("x-echo-bin", &[0, 1, 2, 0xff])
            .expect("valid");
        let response = channel
            .unary(
                &path("Echo"),
                BytesCodec,
                Bytes::from_static(b"ping"),
                opts().metadata(md),
            )
            .await
            .expect("Echo");
        assert_eq!(response.get_ref(), &Bytes::from_static(b"ping"));
        assert_eq!(response.metadata().get("x-echo"), Some("hello there"));
        assert_eq!(
            response.metadata().get_bin("x-echo-bin").as_deref(),
            Some(&[0, 1, 2, 0xff][..])
        );
        assert_eq!(
            response.trailers().get("x-echo-trailer"),
            Some("hello there")
        );
        let empty = channel
            .unary(&path("Echo"), BytesCodec, Bytes::new(), opts())
            .await
            .expect("empty message");
        assert!(empty.get_ref().is_empty());
    });
}

#[test]
fn handler_sees_path_service_and_method() {
    run(|| async {
        let server = echo_server(&Events::default()).await;
        let channel = connect(&server).await;
        let mut md = Metadata::new();
        md.insert("x-context", "1").expect("valid");
        let response = channel
            .unary(&path("Echo"), BytesCodec, Bytes::new(), opts().metadata(md))
            .await
            .expect("Echo");
        assert_eq!(
            response.metadata().get("x-context"),
            Some("/test.Echo/Echo test.Echo Echo")
        );
    });
}

#[test]
fn status_with_details_and_trailers() {
    run(|| async {
        let server = echo_server(&Events::default()).await;
        let channel = connect(&server).await;
        let mut md = Metadata::new();
        md.insert("x-code", "9").expect("valid");
        md.insert("x-message", "résumé: 100% broken\n")
            .expect_err("not printable ASCII");
        md.insert("x-message", "100% broken").expect("valid");
        md.insert_bin("x-details-bin", b"\x08\x09\x12\x03abc")
            .expect("valid");
        let status = channel
            .unary(&path("Fail"), BytesCodec, Bytes::new(), opts().metadata(md))
            .await
            .expect_err("Fail fails");
        assert_eq!(status.code(), Code::FailedPrecondition);
        assert_eq!(status.message(), "100% broken");
        assert_eq!(status.details().as_ref(), b"\x08\x09\x12\x03abc");
        assert_eq!(status.metadata().get("x-failed"), Some("yes"));
    });
}

#[test]
fn streaming_shapes() {
    run(|| async {
        let server = echo_server(&Events::default()).await;
        let channel = connect(&server).await;

        let messages: Vec<Bytes> = (0..50)
            .map(|i| Bytes::from(vec![i as u8; i * 1000]))
            .collect();
        let total: usize = messages.iter().map(Bytes::len).sum();
        let response = channel
            .client_streaming(
                &path("Collect"),
                BytesCodec,
                stream::iter(messages.clone()),
                opts(),
            )
            .await
            .expect("Collect");
        assert_eq!(response.get_ref(), &Bytes::from(format!("50 {total}")));

        let response = channel
            .server_streaming(
                &path("Repeat"),
                BytesCodec,
                Bytes::from(vec![7u8; 70_000]),
                opts(),
            )
            .await
            .expect("Repeat");
        let mut stream = response.into_inner();
        let mut n = 0;
        while let Some(m) = stream.message().await.expect("Repeat message") {
            assert_eq!(m.len(), 70_000);
            n += 1;
        }
        assert_eq!(n, 7);
        assert_eq!(stream.trailers().and_then(|t| t.get("x-sent")), Some("7"));

        let (tx, rx) = stream::channel(4);
        let mut responses = channel
            .streaming(&path("Bidi"), BytesCodec, rx, opts())
            .await
            .expect("Bidi");
        for m in &messages[..10] {
            tx.send(m.clone()).await.expect("queue");
            assert_eq!(responses.message().await.expect("echo").as_ref(), Some(m));
        }
        drop(tx);
        assert_eq!(responses.message().await.expect("end"), None);
    });
}

#[test]
fn client_deadline_reaches_the_handler() {
    run(|| async {
        let events = Events::default();
        let server = echo_server(&events).await;
        let channel = connect(&server).await;
        let status = channel
            .unary(
                &path("Sleep"),
                BytesCodec,
                Bytes::new(),
                CallOptions::new().timeout(Duration::from_millis(200)),
            )
            .await
            .expect_err("deadline");
        assert_eq!(status.code(), Code::DeadlineExceeded);
        assert!(
            events.wait_for("Sleep cancelled").await,
            "{:?}",
            events.all()
        );
        // The stream deadline applies to streaming responses too.
        let response = channel
            .server_streaming(
                &path("SleepStream"),
                BytesCodec,
                Bytes::new(),
                CallOptions::new().timeout(Duration::from_millis(300)),
            )
            .await
            .expect("headers arrive");
        let mut stream = response.into_inner();
        assert_eq!(
            stream.message().await.expect("first").as_deref(),
            Some(&b"first"[..])
        );
        let status = stream.message().await.expect_err("deadline");
        assert_eq!(status.code(), Code::DeadlineExceeded);
        assert!(
            events.wait_for("SleepStream cancelled").await,
            "{:?}",
            events.all()
        );
    });
}

#[test]
fn dropping_or_cancelling_a_call_cancels_it_on_the_server() {
    run(|| async {
        let events = Events::default();
        let server = echo_server(&events).await;
        let channel = connect(&server).await;

        let call = {
            let channel = channel.clone();
            tokio::spawn(async move {
                channel
                    .unary(&path("Sleep"), BytesCodec, Bytes::new(), CallOptions::new())
                    .await
            })
        };
        assert!(events.wait_for("Sleep started").await);
        call.abort();
        assert!(
            events.wait_for("Sleep cancelled").await,
            "{:?}",
            events.all()
        );

        let response = channel
            .server_streaming(
                &path("SleepStream"),
                BytesCodec,
                Bytes::new(),
                CallOptions::new(),
            )
            .await
            .expect("headers");
        let mut stream = response.into_inner();
        stream.message().await.expect("first").expect("a message");
        assert!(events.wait_for("SleepStream started").await);
        drop(stream);
        assert!(
            events.wait_for("SleepStream cancelled").await,
            "{:?}",
            events.all()
        );

        let cancel = Cancellation::new();
        let (_tx, rx) = stream::channel::<Bytes>(1);
        let call = {
            let channel = channel.clone();
            let cancel = cancel.clone();
            tokio::spawn(async move {
                channel
                    .client_streaming(
                        &path("Collect"),
                        BytesCodec,
                        rx,
                        opts().cancellation(cancel),
                    )
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        cancel.cancel();
        let status = call.await.expect("no panic").expect_err("cancelled");
        assert_eq!(status.code(), Code::Cancelled);
    });
}

#[test]
fn compression_and_limits() {
    run(|| async {
        let server = TestServer::start(
            Server::builder()
                .max_receive_message_size(1024 * 1024)
                .add_service(Echo {
                    events: Events::default(),
                }),
        )
        .await;
        let channel = connect(&server).await;
        let big = Bytes::from(vec![0u8; 600_000]);
        let mut md = Metadata::new();
        md.insert("x-compress", "1").expect("valid");
        let response = channel
            .unary(
                &path("Echo"),
                BytesCodec,
                big.clone(),
                opts().compression(Encoding::Gzip).metadata(md),
            )
            .await
            .expect("compressed echo");
        assert_eq!(response.get_ref(), &big);
        assert!(response.message_compressed());

        // 2 MiB of zeros compresses to a few KiB: the server's limit
        // applies to the decompressed size.
        let huge = Bytes::from(vec![0u8; 2 * 1024 * 1024]);
        let status = channel
            .unary(
                &path("Echo"),
                BytesCodec,
                huge.clone(),
                opts().compression(Encoding::Gzip),
            )
            .await
            .expect_err("over the receive limit");
        assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
        let status = channel
            .unary(&path("Echo"), BytesCodec, huge, opts())
            .await
            .expect_err("over the receive limit");
        assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");

        // The client's own limits.
        let status = channel
            .unary(
                &path("Echo"),
                BytesCodec,
                big.clone(),
                opts().max_receive_message_size(1000),
            )
            .await
            .expect_err("response over the client's receive limit");
        assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
        let status = channel
            .unary(
                &path("Echo"),
                BytesCodec,
                big,
                opts().max_send_message_size(1000),
            )
            .await
            .expect_err("request over the client's send limit");
        assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
        // The connection is still good.
        channel
            .unary(&path("Echo"), BytesCodec, Bytes::from_static(b"ok"), opts())
            .await
            .expect("still serving");
    });
}

#[test]
fn handler_panic_is_internal_and_the_server_keeps_serving() {
    run(|| async {
        let server = echo_server(&Events::default()).await;
        let channel = connect(&server).await;
        for _ in 0..3 {
            let status = channel
                .unary(&path("Panic"), BytesCodec, Bytes::new(), opts())
                .await
                .expect_err("panics");
            assert_eq!(status.code(), Code::Internal);
            channel
                .unary(&path("Echo"), BytesCodec, Bytes::from_static(b"x"), opts())
                .await
                .expect("still serving");
        }
    });
}

#[test]
fn unknown_methods_and_services_are_unimplemented() {
    run(|| async {
        let server = echo_server(&Events::default()).await;
        let channel = connect(&server).await;
        for p in ["/test.Echo/Nope", "/test.Nope/Echo", "/nonsense"] {
            let status = channel
                .unary(p, BytesCodec, Bytes::new(), opts())
                .await
                .expect_err("unimplemented");
            assert_eq!(status.code(), Code::Unimplemented, "{p}: {status:?}");
        }
    });
}

#[test]
fn interceptors_on_both_sides() {
    run(|| async {
        let seen = Events::default();
        let server_seen = seen.clone();
        let server = TestServer::start(
            Server::builder()
                .interceptor(move |mut head: CallHead| {
                    let seen = server_seen.clone();
                    async move {
                        seen.push(format!("server {}", head.path()));
                        match head.metadata().get("authorization") {
                            Some("Bearer let-me-in") => {
                                head.extensions_mut().insert("alice".to_string());
                                Ok(head)
                            }
                            _ => Err(Status::unauthenticated("no valid token")),
                        }
                    }
                })
                .add_service(Echo {
                    events: Events::default(),
                }),
        )
        .await;
        let plain = connect(&server).await;
        let status = plain
            .unary(&path("Echo"), BytesCodec, Bytes::new(), opts())
            .await
            .expect_err("refused");
        assert_eq!(status.code(), Code::Unauthenticated);

        let client_seen = seen.clone();
        let authed = Endpoint::new("127.0.0.1", server.port())
            .interceptor(move |mut head: CallHead| {
                let seen = client_seen.clone();
                async move {
                    seen.push(format!("client {}", head.method()));
                    head.metadata_mut()
                        .insert("authorization", "Bearer let-me-in")
                        .map_err(|e| Status::internal(e.to_string()))?;
                    Ok(head)
                }
            })
            .connect()
            .await
            .expect("connect");
        let response = authed
            .unary(&path("Echo"), BytesCodec, Bytes::new(), opts())
            .await
            .expect("allowed");
        assert_eq!(response.metadata().get("x-user"), Some("alice"));
        assert_eq!(
            seen.all(),
            [
                "server /test.Echo/Echo",
                "client Echo",
                "server /test.Echo/Echo"
            ]
        );
    });
}

#[test]
fn mutual_tls() {
    run(|| async {
        let pki = pki();
        let tls = ServerTlsConfig::new(pki.server_cert_pem.clone(), pki.server_key_pem.clone())
            .client_ca(pki.ca_pem.clone());
        let server = TestServer::start(Server::builder().tls(tls).add_service(Echo {
            events: Events::default(),
        }))
        .await;
        let client_tls = ClientTlsConfig::new().ca_certificate(pki.ca_pem.clone());
        let with_cert = Endpoint::new("localhost", server.port())
            .tls(
                client_tls
                    .clone()
                    .identity(pki.client_cert_pem.clone(), pki.client_key_pem.clone()),
            )
            .connect()
            .await
            .expect("mTLS connect");
        with_cert
            .unary(&path("Echo"), BytesCodec, Bytes::from_static(b"hi"), opts())
            .await
            .expect("call over mTLS");

        let without_cert = Endpoint::new("localhost", server.port())
            .tls(client_tls)
            .connect_lazy()
            .expect("settings are valid");
        let status = without_cert
            .unary(&path("Echo"), BytesCodec, Bytes::new(), opts())
            .await
            .expect_err("the server requires a client certificate");
        assert_eq!(status.code(), Code::Unavailable, "{status:?}");

        let wrong_ca = Endpoint::new("localhost", server.port())
            .tls(ClientTlsConfig::new().ca_certificate(pki.other_ca_pem.clone()))
            .connect()
            .await
            .expect_err("the server's certificate is not from this CA");
        assert_eq!(
            wrong_ca.kind(),
            protoforge_grpc::ErrorKind::Tls,
            "{wrong_ca}"
        );
    });
}

#[test]
fn graceful_shutdown_lets_calls_finish() {
    run(|| async {
        let events = Events::default();
        let server = TestServer::start(
            Server::builder()
                .shutdown_grace_period(Duration::from_secs(5))
                .add_service(Echo {
                    events: events.clone(),
                }),
        )
        .await;
        let channel = connect(&server).await;
        let mut md = Metadata::new();
        md.insert("x-ms", "300").expect("valid");
        let slow = {
            let channel = channel.clone();
            tokio::spawn(async move {
                channel
                    .unary(
                        &path("Slow"),
                        BytesCodec,
                        Bytes::from_static(b"done"),
                        opts().metadata(md),
                    )
                    .await
            })
        };
        assert!(events.wait_for("Slow started").await);
        server.stop().await.expect("clean shutdown");
        let response = slow
            .await
            .expect("no panic")
            .expect("in-flight call finishes");
        assert_eq!(response.get_ref(), &Bytes::from_static(b"done"));
        let status = channel
            .unary(&path("Echo"), BytesCodec, Bytes::new(), opts())
            .await
            .expect_err("server is gone");
        assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    });
}

#[test]
fn grace_period_ends_calls_that_do_not_finish() {
    run(|| async {
        let events = Events::default();
        let server = TestServer::start(
            Server::builder()
                .shutdown_grace_period(Duration::from_millis(200))
                .add_service(Echo {
                    events: events.clone(),
                }),
        )
        .await;
        let channel = connect(&server).await;
        let call = {
            let channel = channel.clone();
            tokio::spawn(async move {
                channel
                    .unary(&path("Sleep"), BytesCodec, Bytes::new(), opts())
                    .await
            })
        };
        assert!(events.wait_for("Sleep started").await);
        server
            .stop()
            .await
            .expect("shutdown ends after the grace period");
        assert!(
            events.wait_for("Sleep cancelled").await,
            "{:?}",
            events.all()
        );
        let status = call.await.expect("no panic").expect_err("cut off");
        assert!(
            matches!(
                status.code(),
                Code::Unavailable | Code::Cancelled | Code::Internal
            ),
            "{status:?}"
        );
    });
}

#[test]
fn max_concurrent_streams_queues_calls_instead_of_failing_them() {
    run(|| async {
        let events = Events::default();
        let server = TestServer::start(Server::builder().max_concurrent_streams(1).add_service(
            Echo {
                events: events.clone(),
            },
        ))
        .await;
        let channel = connect(&server).await;
        let calls: Vec<_> = (0..4)
            .map(|i| {
                let channel = channel.clone();
                let mut md = Metadata::new();
                md.insert("x-ms", "50").expect("valid");
                tokio::spawn(async move {
                    channel
                        .unary(
                            &path("Slow"),
                            BytesCodec,
                            Bytes::from(vec![i; 3]),
                            opts().metadata(md),
                        )
                        .await
                })
            })
            .collect();
        for (i, call) in calls.into_iter().enumerate() {
            let response = call.await.expect("no panic").expect("queued, not refused");
            assert_eq!(response.get_ref(), &Bytes::from(vec![i as u8; 3]));
        }
        // One at a time: every start follows the previous finish.
        let log = events.all();
        for pair in log.chunks(2) {
            assert_eq!(pair, ["Slow started", "Slow finished"], "{log:?}");
        }
    });
}
