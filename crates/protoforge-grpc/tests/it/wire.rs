//! The protocol on the wire, checked with raw HTTP/2 (the `h2` crate) on
//! the other end: what our client sends and how it reads odd or broken
//! answers, and what our server answers to requests a gRPC client library
//! would never make.

use std::future::{Future, poll_fn};
use std::net::SocketAddr;
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use h2::RecvStream;
use h2::server::SendResponse;
use http::{HeaderMap, HeaderValue};
use protoforge_grpc::{
    BytesCodec, CallOptions, Code, Encoding, Endpoint, Metadata, Server, stream,
};

use crate::echo::{Echo, Events, path};
use crate::support::{TestServer, run};

/// One length-prefixed message.
fn framed(flag: u8, body: &[u8]) -> Bytes {
    let mut b = BytesMut::new();
    b.put_u8(flag);
    b.put_u32(body.len() as u32);
    b.put_slice(body);
    b.freeze()
}

type Seen = tokio::sync::mpsc::UnboundedSender<http::request::Parts>;

/// A raw HTTP/2 server on 127.0.0.1:0 answering every stream with
/// `handler`; it reports each request's head on the returned channel.
async fn raw_server<F, Fut>(
    handler: F,
) -> (
    SocketAddr,
    tokio::sync::mpsc::UnboundedReceiver<http::request::Parts>,
)
where
    F: Fn(http::request::Parts, RecvStream, SendResponse<Bytes>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let handler = std::sync::Arc::new(handler);
    tokio::spawn(async move {
        let tx: Seen = tx;
        while let Ok((tcp, _)) = listener.accept().await {
            let handler = handler.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                let Ok(mut conn) = h2::server::handshake(tcp).await else {
                    return;
                };
                while let Some(Ok((request, respond))) = conn.accept().await {
                    let (parts, body) = request.into_parts();
                    let _ = tx.send(parts.clone());
                    tokio::spawn(handler(parts, body, respond));
                }
            });
        }
    });
    (addr, rx)
}

fn grpc_response() -> http::Response<()> {
    let mut r = http::Response::new(());
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/grpc"));
    r
}

fn trailers(pairs: &[(&'static str, &[u8])]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(*k, HeaderValue::from_bytes(v).expect("header value"));
    }
    h
}

async fn drain(mut body: RecvStream) {
    while let Some(Ok(chunk)) = body.data().await {
        let _ = body.flow_control().release_capacity(chunk.len());
    }
}

async fn client_for(addr: SocketAddr) -> protoforge_grpc::Channel {
    Endpoint::new("127.0.0.1", addr.port())
        .connect()
        .await
        .expect("connect")
}

#[test]
fn client_request_headers() {
    run(|| async {
        let (addr, mut seen) = raw_server(|_, body, mut respond| async move {
            drain(body).await;
            if let Ok(mut s) = respond.send_response(grpc_response(), false) {
                let _ = s.send_data(framed(0, b""), false);
                let _ = s.send_trailers(trailers(&[("grpc-status", b"0")]));
            }
        })
        .await;
        let channel = client_for(addr).await;
        let mut md = Metadata::new();
        md.insert("x-custom", "v").expect("valid");
        md.insert_bin("x-raw-bin", &[1, 2, 3]).expect("valid");
        channel
            .unary(
                "/pkg.Svc/Method",
                BytesCodec,
                Bytes::from_static(b"abc"),
                CallOptions::new()
                    .timeout(Duration::from_secs(10))
                    .metadata(md)
                    .compression(Encoding::Gzip),
            )
            .await
            .expect("call");
        let parts = seen.recv().await.expect("a request");
        assert_eq!(parts.method, http::Method::POST);
        assert_eq!(parts.uri.path(), "/pkg.Svc/Method");
        assert_eq!(parts.uri.scheme_str(), Some("http"));
        assert_eq!(
            parts.uri.authority().map(|a| a.as_str()),
            Some(format!("127.0.0.1:{}", addr.port()).as_str())
        );
        let h = &parts.headers;
        assert_eq!(h["te"], "trailers");
        assert_eq!(h["content-type"], "application/grpc");
        assert_eq!(
            h["user-agent"],
            format!("grpc-rust-protoforge/{}", env!("CARGO_PKG_VERSION")).as_str()
        );
        assert_eq!(h["grpc-encoding"], "gzip");
        assert_eq!(h["grpc-accept-encoding"], "identity,gzip");
        assert_eq!(h["x-custom"], "v");
        assert_eq!(
            h["x-raw-bin"], "AQID",
            "binary metadata is sent as unpadded base64"
        );
        let timeout = h["grpc-timeout"].to_str().expect("ASCII");
        let (digits, unit) = timeout.split_at(timeout.len() - 1);
        assert!(
            digits.len() <= 8 && digits.bytes().all(|b| b.is_ascii_digit()),
            "{timeout}"
        );
        assert_eq!(unit, "u", "10 s fits in microseconds: {timeout}");
        let micros: u64 = digits.parse().expect("number");
        assert!((9_000_000..=10_000_000).contains(&micros), "{timeout}");
    });
}

#[test]
fn status_synthesised_from_http_status() {
    run(|| async {
        let (addr, _) = raw_server(|parts, body, mut respond| async move {
            drain(body).await;
            let (status, content_type): (u16, &str) = match parts.uri.path() {
                "/s/NotFound" => (404, "text/html"),
                "/s/Unavailable" => (503, "text/plain"),
                "/s/Unauthorized" => (401, "text/plain"),
                "/s/Teapot" => (418, "text/plain"),
                _ => (200, "text/html"),
            };
            let mut r = http::Response::new(());
            *r.status_mut() = http::StatusCode::from_u16(status).expect("status");
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static(content_type));
            if let Ok(mut s) = respond.send_response(r, false) {
                let _ = s.send_data(Bytes::from_static(b"<html>oops</html>"), true);
            }
        })
        .await;
        let channel = client_for(addr).await;
        for (method, code) in [
            ("NotFound", Code::Unimplemented),
            ("Unavailable", Code::Unavailable),
            ("Unauthorized", Code::Unauthenticated),
            ("Teapot", Code::Unknown),
            ("Html", Code::Unknown),
        ] {
            let status = channel
                .unary(
                    &format!("/s/{method}"),
                    BytesCodec,
                    Bytes::new(),
                    CallOptions::new(),
                )
                .await
                .expect_err("not gRPC");
            assert_eq!(status.code(), code, "{method}: {status:?}");
        }
    });
}

#[test]
fn reset_codes_map_to_status_codes() {
    run(|| async {
        let (addr, _) = raw_server(|parts, _body, mut respond| async move {
            let reason = match parts.uri.path() {
                "/s/Refused" => h2::Reason::REFUSED_STREAM,
                "/s/Calm" => h2::Reason::ENHANCE_YOUR_CALM,
                "/s/Cancel" => h2::Reason::CANCEL,
                "/s/Security" => h2::Reason::INADEQUATE_SECURITY,
                "/s/NoError" => h2::Reason::NO_ERROR,
                _ => h2::Reason::INTERNAL_ERROR,
            };
            // Reset after the response headers, mid-stream.
            if let Ok(mut s) = respond.send_response(grpc_response(), false) {
                let _ = s.send_data(framed(0, b"partial")[..4].to_vec().into(), false);
                tokio::time::sleep(Duration::from_millis(20)).await;
                s.send_reset(reason);
            }
        })
        .await;
        let channel = client_for(addr).await;
        for (method, code) in [
            ("Refused", Code::Unavailable),
            ("Calm", Code::ResourceExhausted),
            ("Cancel", Code::Cancelled),
            ("Security", Code::PermissionDenied),
            ("NoError", Code::Internal),
            ("Internal", Code::Internal),
        ] {
            let status = channel
                .unary(
                    &format!("/s/{method}"),
                    BytesCodec,
                    Bytes::new(),
                    CallOptions::new(),
                )
                .await
                .expect_err("reset");
            assert_eq!(status.code(), code, "{method}: {status:?}");
        }
    });
}

#[test]
fn a_refused_stream_is_started_again_once() {
    run(|| async {
        let refused = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = refused.clone();
        let (addr, mut seen) = raw_server(move |parts, body, mut respond| {
            let count = count.clone();
            async move {
                // `/s/Once` refuses its first stream only; `/s/Always` every one.
                let first = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
                if parts.uri.path() == "/s/Always" || first {
                    respond.send_reset(h2::Reason::REFUSED_STREAM);
                    return;
                }
                drain(body).await;
                if let Ok(mut s) = respond.send_response(grpc_response(), false) {
                    let _ = s.send_data(framed(0, b"ok"), false);
                    let _ = s.send_trailers(trailers(&[("grpc-status", b"0")]));
                }
            }
        })
        .await;
        let channel = client_for(addr).await;
        let once = channel
            .unary(
                "/s/Once",
                BytesCodec,
                Bytes::from_static(b"x"),
                CallOptions::new(),
            )
            .await
            .expect("the second attempt is answered");
        assert_eq!(once.get_ref(), &Bytes::from_static(b"ok"));
        let always = channel
            .unary(
                "/s/Always",
                BytesCodec,
                Bytes::from_static(b"x"),
                CallOptions::new(),
            )
            .await
            .expect_err("refused twice");
        assert_eq!(always.code(), Code::Unavailable, "{always:?}");
        // Two attempts per call: the original and one transparent retry.
        let mut paths = Vec::new();
        while let Ok(parts) = seen.try_recv() {
            paths.push(parts.uri.path().to_string());
        }
        assert_eq!(paths, ["/s/Once", "/s/Once", "/s/Always", "/s/Always"]);
    });
}

#[test]
fn odd_trailers_never_change_the_code() {
    run(|| async {
        let (addr, _) = raw_server(|parts, body, mut respond| async move {
            drain(body).await;
            let t = match parts.uri.path() {
                "/s/Garbage" => trailers(&[
                    ("grpc-status", b"5"),
                    ("grpc-message", b"bad %zz % and \xff\xfe bytes %E2%98%BA"),
                    ("grpc-status-details-bin", b"***not base64***"),
                ]),
                "/s/Details" => trailers(&[
                    ("grpc-status", b"3"),
                    ("grpc-message", b"with details"),
                    ("grpc-status-details-bin", b"CAMSBGFiY2Q="),
                ]),
                _ => trailers(&[("grpc-message", b"no status at all")]),
            };
            if let Ok(mut s) = respond.send_response(grpc_response(), false) {
                let _ = s.send_trailers(t);
            }
        })
        .await;
        let channel = client_for(addr).await;
        let status = channel
            .unary("/s/Garbage", BytesCodec, Bytes::new(), CallOptions::new())
            .await
            .expect_err("NOT_FOUND");
        assert_eq!(status.code(), Code::NotFound);
        assert_eq!(status.message(), "bad %zz % and \u{fffd}\u{fffd} bytes ☺");
        assert!(status.details().is_empty());
        let status = channel
            .unary("/s/Details", BytesCodec, Bytes::new(), CallOptions::new())
            .await
            .expect_err("INVALID_ARGUMENT");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(
            status.details().as_ref(),
            b"\x08\x03\x12\x04abcd",
            "padded base64 accepted"
        );
        let status = channel
            .unary("/s/Missing", BytesCodec, Bytes::new(), CallOptions::new())
            .await
            .expect_err("no grpc-status");
        assert_eq!(status.code(), Code::Internal, "{status:?}");
    });
}

#[test]
fn client_reads_messages_split_and_joined_across_frames() {
    run(|| async {
        let (addr, _) = raw_server(|_, body, mut respond| async move {
            drain(body).await;
            let mut wire = BytesMut::new();
            for i in 0..5u8 {
                wire.put(framed(0, &vec![i; 100 * usize::from(i)]));
            }
            let wire = wire.freeze();
            if let Ok(mut s) = respond.send_response(grpc_response(), false) {
                // First three messages one byte per frame, the rest in one frame.
                let cut = 5 * 3 + 300;
                for b in wire[..cut].chunks(1) {
                    let _ = s.send_data(Bytes::copy_from_slice(b), false);
                }
                let _ = s.send_data(wire.slice(cut..), false);
                let _ = s.send_trailers(trailers(&[("grpc-status", b"0")]));
            }
        })
        .await;
        let channel = client_for(addr).await;
        let response = channel
            .server_streaming("/s/Stream", BytesCodec, Bytes::new(), CallOptions::new())
            .await
            .expect("headers");
        let mut stream = response.into_inner();
        for i in 0..5u8 {
            let m = stream.message().await.expect("message").expect("present");
            assert_eq!(m, vec![i; 100 * usize::from(i)], "message {i}");
        }
        assert!(stream.message().await.expect("end").is_none());
    });
}

#[test]
fn client_resets_with_no_error_after_early_trailers() {
    run(|| async {
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<Option<h2::Reason>>();
        let done_tx = std::sync::Mutex::new(Some(done_tx));
        let (addr, _) = raw_server(move |_, mut body, mut respond| {
            let done_tx = done_tx.lock().expect("lock").take();
            async move {
                // Answer at once, before the client ends its stream.
                let mut r = grpc_response();
                r.headers_mut()
                    .insert("grpc-status", HeaderValue::from_static("0"));
                let _ = respond.send_response(r, true);
                let reason = loop {
                    match body.data().await {
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => break e.reason(),
                        None => break None,
                    }
                };
                if let Some(tx) = done_tx {
                    let _ = tx.send(reason);
                }
            }
        })
        .await;
        let channel = client_for(addr).await;
        let (tx, rx) = stream::channel::<Bytes>(1);
        let mut responses = channel
            .streaming("/s/Bidi", BytesCodec, rx, CallOptions::new())
            .await
            .expect("call");
        assert!(responses.message().await.expect("OK").is_none());
        let reason = tokio::time::timeout(Duration::from_secs(10), done_rx)
            .await
            .expect("server saw the stream end")
            .expect("reported");
        assert_eq!(reason, Some(h2::Reason::NO_ERROR));
        drop(tx);
    });
}

/// A raw HTTP/2 client connected to `addr`.
async fn raw_client(addr: SocketAddr) -> h2::client::SendRequest<Bytes> {
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (send, conn) = h2::client::handshake(tcp).await.expect("handshake");
    tokio::spawn(async move {
        let _ = conn.await;
    });
    send
}

fn grpc_request(path: &str, extra: &[(&'static str, &'static str)]) -> http::Request<()> {
    let mut r = http::Request::new(());
    *r.method_mut() = http::Method::POST;
    *r.uri_mut() = format!("http://localhost{path}").parse().expect("uri");
    let h = r.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/grpc"));
    h.insert("te", HeaderValue::from_static("trailers"));
    for (k, v) in extra {
        h.insert(*k, HeaderValue::from_static(v));
    }
    r
}

async fn echo_server() -> TestServer {
    TestServer::start(Server::builder().add_service(Echo {
        events: Events::default(),
    }))
    .await
}

/// On a multi-thread runtime each call gets a task of its own, so two
/// handlers that compute without waiting run on two workers at once even
/// when their requests share a connection and arrive in one write (on a
/// current-thread runtime a call's first poll runs on its connection's task
/// instead, where the second call would wait for the first).
#[test]
fn calls_on_one_connection_run_in_parallel_on_a_multi_thread_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(3)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let server = echo_server().await;
        let tcp = tokio::net::TcpStream::connect(server.addr)
            .await
            .expect("connect");
        let (mut client, connection) = h2::client::handshake(tcp).await.expect("handshake");
        // Both whole requests are queued before the client's connection
        // runs, so they leave together.
        let mut responses = Vec::new();
        for _ in 0..2 {
            let request = grpc_request(&path("Rendezvous"), &[]);
            let (response, mut body) = client.send_request(request, false).expect("send");
            body.send_data(framed(0, b""), true).expect("send data");
            responses.push(response);
        }
        tokio::spawn(async move {
            let _ = connection.await;
        });
        for response in responses {
            let response = response.await.expect("response");
            let mut body = response.into_body();
            let mut received = BytesMut::new();
            while let Some(chunk) = body.data().await {
                received.put(chunk.expect("data"));
            }
            let trailers = body.trailers().await.expect("trailers").expect("some");
            assert_eq!(
                trailers.get("grpc-status").map(HeaderValue::as_bytes),
                Some(&b"0"[..]),
                "grpc-message: {:?}",
                trailers.get("grpc-message")
            );
            assert_eq!(&received[..], &framed(0, b"met")[..]);
        }
    });
}

#[test]
fn server_answers_non_grpc_content_type_with_415() {
    run(|| async {
        let server = echo_server().await;
        let mut client = raw_client(server.addr).await;
        let mut request = grpc_request(&path("Echo"), &[]);
        request
            .headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
        let (response, _) = client.send_request(request, true).expect("send");
        let response = response.await.expect("response");
        assert_eq!(response.status(), 415);
    });
}

#[test]
fn server_trailers_only_and_normal_responses() {
    run(|| async {
        let server = echo_server().await;
        let mut client = raw_client(server.addr).await;

        // Unknown service: one HEADERS frame with the status and END_STREAM.
        let (response, _) = client
            .send_request(grpc_request("/nope.Svc/M", &[]), true)
            .expect("send");
        let response = response.await.expect("response");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["grpc-status"], "12");
        assert_eq!(response.headers()["content-type"], "application/grpc");
        assert!(
            response.body().is_end_stream(),
            "Trailers-Only ends the stream"
        );

        // OK: headers without a status, the message, then grpc-status 0.
        let (response, mut send) = client
            .send_request(grpc_request(&path("Echo"), &[]), false)
            .expect("send");
        send.send_data(framed(0, b"hello"), true).expect("data");
        let response = response.await.expect("response");
        assert!(response.headers().get("grpc-status").is_none());
        let mut body = response.into_body();
        let mut data = BytesMut::new();
        while let Some(chunk) = body.data().await {
            data.put(chunk.expect("data"));
        }
        assert_eq!(&data[..], &framed(0, b"hello")[..]);
        let t = body.trailers().await.expect("trailers").expect("present");
        assert_eq!(t["grpc-status"], "0");
    });
}

#[test]
fn server_reads_messages_split_and_joined_across_frames() {
    run(|| async {
        let server = echo_server().await;
        let mut client = raw_client(server.addr).await;
        let (response, mut send) = client
            .send_request(grpc_request(&path("Collect"), &[]), false)
            .expect("send");
        let mut wire = BytesMut::new();
        for n in [3usize, 0, 70_000, 1] {
            wire.put(framed(0, &vec![9; n]));
        }
        let wire = wire.freeze();
        // The first message's prefix split across frames; the last two share one.
        for part in [
            wire.slice(..2),
            wire.slice(2..9),
            wire.slice(9..40_000),
            wire.slice(40_000..),
        ] {
            send.reserve_capacity(part.len());
            send.send_data(part, false).expect("data");
        }
        send.send_data(Bytes::new(), true).expect("end");
        let mut body = response.await.expect("response").into_body();
        let mut data = BytesMut::new();
        while let Some(chunk) = body.data().await {
            data.put(chunk.expect("data"));
        }
        assert_eq!(&data[5..], b"4 70004");
    });
}

#[test]
fn server_resets_with_no_error_after_early_trailers() {
    run(|| async {
        let server = echo_server().await;
        let mut client = raw_client(server.addr).await;
        // A unary method answered with an error while the client has not
        // ended its stream.
        let (response, mut send) = client
            .send_request(grpc_request(&path("Nope"), &[]), false)
            .expect("send");
        // The server may already have answered and reset the stream.
        let _ = send.send_data(framed(0, b"x"), false);
        let response = response.await.expect("response");
        assert_eq!(response.headers()["grpc-status"], "12");
        let reason =
            tokio::time::timeout(Duration::from_secs(10), poll_fn(|cx| send.poll_reset(cx)))
                .await
                .expect("the server resets the stream")
                .expect("a reset reason");
        assert_eq!(reason, h2::Reason::NO_ERROR);
    });
}

#[test]
fn server_enforces_grpc_timeout_and_rejects_bad_headers() {
    run(|| async {
        let server = echo_server().await;
        let mut client = raw_client(server.addr).await;
        let status_of = |response: http::Response<RecvStream>| async move {
            if let Some(s) = response.headers().get("grpc-status") {
                return (
                    s.to_str().expect("ASCII").to_string(),
                    response.headers().clone(),
                );
            }
            let mut body = response.into_body();
            while let Some(Ok(_)) = body.data().await {}
            let t = body.trailers().await.expect("trailers").expect("present");
            (t["grpc-status"].to_str().expect("ASCII").to_string(), t)
        };
        // The client never times out by itself: the server must.
        let (response, mut send) = client
            .send_request(
                grpc_request(&path("Sleep"), &[("grpc-timeout", "100m")]),
                false,
            )
            .expect("send");
        send.send_data(framed(0, b""), true).expect("data");
        let started = std::time::Instant::now();
        let (code, _) = status_of(response.await.expect("response")).await;
        assert_eq!(code, "4", "DEADLINE_EXCEEDED");
        assert!(started.elapsed() < Duration::from_secs(10));

        let (response, _) = client
            .send_request(
                grpc_request(&path("Echo"), &[("grpc-timeout", "12x")]),
                true,
            )
            .expect("send");
        let (code, _) = status_of(response.await.expect("response")).await;
        assert_eq!(code, "13", "malformed grpc-timeout is INTERNAL");

        let (response, _) = client
            .send_request(
                grpc_request(&path("Echo"), &[("grpc-encoding", "snappy")]),
                true,
            )
            .expect("send");
        let (code, headers) = status_of(response.await.expect("response")).await;
        assert_eq!(code, "12", "unsupported encoding is UNIMPLEMENTED");
        assert_eq!(headers["grpc-accept-encoding"], "identity,gzip");
    });
}

#[test]
fn header_list_size_limit() {
    run(|| async {
        let server = TestServer::start(Server::builder().max_header_list_size(4096).add_service(
            Echo {
                events: Events::default(),
            },
        ))
        .await;
        let channel = Endpoint::new("127.0.0.1", server.port())
            .connect()
            .await
            .expect("connect");
        let mut md = Metadata::new();
        md.insert("x-big", &"a".repeat(8000)).expect("valid");
        let status = channel
            .unary(
                &path("Echo"),
                BytesCodec,
                Bytes::new(),
                CallOptions::new().metadata(md),
            )
            .await
            .expect_err("headers over the server's limit");
        // h2 answers 431, which the spec's table maps to INTERNAL.
        assert_eq!(status.code(), Code::Internal, "{status:?}");
        assert!(status.message().contains("431"), "{status:?}");
        channel
            .unary(
                &path("Echo"),
                BytesCodec,
                Bytes::from_static(b"ok"),
                CallOptions::new(),
            )
            .await
            .expect("the connection still serves normal calls");
    });
}

#[test]
fn server_keepalive_pings_and_closes_a_silent_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    run(|| async {
        let server = TestServer::start(
            Server::builder()
                .keepalive(Duration::from_millis(100), Duration::from_millis(200))
                .add_service(Echo {
                    events: Events::default(),
                }),
        )
        .await;
        let mut tcp = tokio::net::TcpStream::connect(server.addr)
            .await
            .expect("connect");
        // The HTTP/2 preface and an empty SETTINGS frame; then silence: no
        // PING is ever answered.
        tcp.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            .await
            .expect("preface");
        tcp.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0])
            .await
            .expect("settings");
        let mut received = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut received))
            .await
            .expect("the server closes a connection that does not answer pings")
            .expect("read");
        let mut frames = Vec::new();
        let mut rest = &received[..];
        while rest.len() >= 9 {
            let len = usize::from(rest[0]) << 16 | usize::from(rest[1]) << 8 | usize::from(rest[2]);
            frames.push((rest[3], rest[4]));
            rest = &rest[(9 + len).min(rest.len())..];
        }
        assert!(
            frames
                .iter()
                .any(|&(kind, flags)| kind == 6 && flags & 1 == 0),
            "no PING among the server's frames {frames:?}"
        );
    });
}
