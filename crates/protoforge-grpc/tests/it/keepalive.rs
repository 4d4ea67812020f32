//! The client's connection settings as a server sees them: the flow-control
//! windows it announces (SETTINGS and the connection WINDOW_UPDATE) and its
//! keepalive pings, read frame by frame by a bare TCP server that speaks
//! just enough HTTP/2 (RFC 9113 framing) to watch them; and the server's
//! keepalive pings as a bare TCP client sees them.

use std::time::Duration;

use protoforge_grpc::{Endpoint, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::echo::{Echo, Events};
use crate::support::{TestServer, run};

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const SETTINGS: u8 = 0x4;
const PING: u8 = 0x6;
const WINDOW_UPDATE: u8 = 0x8;
const ACK: u8 = 0x1;
const SETTINGS_INITIAL_WINDOW_SIZE: u16 = 0x4;
/// HTTP/2's initial connection window, before any WINDOW_UPDATE.
const DEFAULT_CONNECTION_WINDOW: u32 = 65_535;
/// How long a test waits for one frame before failing.
const FRAME_WAIT: Duration = Duration::from_secs(10);

struct Frame {
    kind: u8,
    flags: u8,
    stream: u32,
    payload: Vec<u8>,
}

/// The next frame, or `None` once the client closed the connection.
async fn read_frame(tcp: &mut TcpStream) -> Option<Frame> {
    let mut head = [0u8; 9];
    match tokio::time::timeout(FRAME_WAIT, tcp.read_exact(&mut head)).await {
        Ok(Ok(_)) => {}
        Ok(Err(_)) => return None,
        Err(_) => panic!("no frame from the client within {FRAME_WAIT:?}"),
    }
    let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
    let mut payload = vec![0u8; len];
    tcp.read_exact(&mut payload).await.ok()?;
    Some(Frame {
        kind: head[3],
        flags: head[4],
        stream: u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff,
        payload,
    })
}

async fn write_frame(tcp: &mut TcpStream, kind: u8, flags: u8, payload: &[u8]) {
    let len = (payload.len() as u32).to_be_bytes();
    let mut frame = vec![len[1], len[2], len[3], kind, flags, 0, 0, 0, 0];
    frame.extend_from_slice(payload);
    let _ = tcp.write_all(&frame).await;
}

/// Accepts one connection, reads the client preface and answers with the
/// server's (empty) SETTINGS; returns the stream and the client's first
/// SETTINGS frame.
async fn accept_h2(listener: &TcpListener) -> (TcpStream, Frame) {
    let (mut tcp, _) = tokio::time::timeout(FRAME_WAIT, listener.accept())
        .await
        .expect("the client connects")
        .expect("accept");
    let mut preface = [0u8; 24];
    tcp.read_exact(&mut preface).await.expect("client preface");
    assert_eq!(&preface[..], PREFACE);
    let settings = read_frame(&mut tcp).await.expect("client SETTINGS");
    assert_eq!(settings.kind, SETTINGS);
    write_frame(&mut tcp, SETTINGS, 0, &[]).await;
    write_frame(&mut tcp, SETTINGS, ACK, &[]).await;
    (tcp, settings)
}

fn setting(frame: &Frame, id: u16) -> Option<u32> {
    frame.payload.chunks_exact(6).find_map(|p| {
        (u16::from_be_bytes([p[0], p[1]]) == id)
            .then(|| u32::from_be_bytes([p[2], p[3], p[4], p[5]]))
    })
}

async fn listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    (listener, port)
}

#[test]
fn window_overrides_reach_the_server() {
    run(|| async {
        let (listener, port) = listener().await;
        let client = tokio::spawn(
            Endpoint::new("127.0.0.1", port)
                .initial_stream_window_size(123_456)
                .initial_connection_window_size(3_000_000)
                .connect(),
        );
        let (mut tcp, settings) = accept_h2(&listener).await;
        assert_eq!(
            setting(&settings, SETTINGS_INITIAL_WINDOW_SIZE),
            Some(123_456),
            "the stream window in the client's SETTINGS"
        );
        // The connection window grows by WINDOW_UPDATE on stream 0.
        let mut increment = None;
        while increment.is_none() {
            let frame = read_frame(&mut tcp).await.expect("connection open");
            if frame.kind == WINDOW_UPDATE && frame.stream == 0 {
                let p = &frame.payload;
                increment = Some(u32::from_be_bytes([p[0], p[1], p[2], p[3]]) & 0x7fff_ffff);
            }
        }
        assert_eq!(increment, Some(3_000_000 - DEFAULT_CONNECTION_WINDOW));
        let channel = client.await.expect("no panic").expect("connected");
        drop(channel);
    });
}

#[test]
fn default_windows_are_the_documented_limits() {
    run(|| async {
        let (listener, port) = listener().await;
        let client = tokio::spawn(Endpoint::new("127.0.0.1", port).connect());
        let (_tcp, settings) = accept_h2(&listener).await;
        assert_eq!(
            setting(&settings, SETTINGS_INITIAL_WINDOW_SIZE),
            Some(protoforge_grpc::limits::DEFAULT_STREAM_WINDOW)
        );
        drop(client.await.expect("no panic").expect("connected"));
    });
}

/// Reads frames until `pings` PINGs arrived, answering each when `answer`
/// (and acknowledging SETTINGS); `None` if the peer closed the connection
/// first.
async fn watch_pings(tcp: &mut TcpStream, pings: usize, answer: bool) -> Option<()> {
    let mut seen = 0;
    while seen < pings {
        let frame = read_frame(tcp).await?;
        if frame.kind == SETTINGS && frame.flags & ACK == 0 {
            write_frame(tcp, SETTINGS, ACK, &[]).await;
        }
        if frame.kind == PING && frame.flags & ACK == 0 {
            assert_eq!(frame.stream, 0);
            assert_eq!(frame.payload.len(), 8);
            seen += 1;
            if answer {
                write_frame(tcp, PING, ACK, &frame.payload).await;
            }
        }
    }
    Some(())
}

#[test]
fn keepalive_pings_keep_an_answering_connection_open() {
    run(|| async {
        let (listener, port) = listener().await;
        let client = tokio::spawn(
            Endpoint::new("127.0.0.1", port)
                .keepalive(Duration::from_millis(50), Duration::from_secs(5))
                .connect(),
        );
        let (mut tcp, _) = accept_h2(&listener).await;
        let channel = client.await.expect("no panic").expect("connected");
        // Answered pings keep coming: the client neither stops pinging nor
        // closes the connection.
        watch_pings(&mut tcp, 5, true)
            .await
            .expect("the client keeps the connection while pings are answered");
        drop(channel);
    });
}

#[test]
fn unanswered_keepalive_ping_closes_the_connection() {
    run(|| async {
        let (listener, port) = listener().await;
        let client = tokio::spawn(
            Endpoint::new("127.0.0.1", port)
                .keepalive(Duration::from_millis(50), Duration::from_millis(200))
                .connect(),
        );
        let (mut tcp, _) = accept_h2(&listener).await;
        let channel = client.await.expect("no panic").expect("connected");
        watch_pings(&mut tcp, 1, false)
            .await
            .expect("a ping before the close");
        // The ping stays unanswered: the client gives up on the connection
        // (a GOAWAY may come first), which ends in end of file.
        let mut frames = 0;
        while read_frame(&mut tcp).await.is_some() {
            frames += 1;
            assert!(frames < 100, "the client kept talking instead of closing");
        }
        drop(channel);
    });
}

#[test]
fn no_pings_without_keepalive() {
    run(|| async {
        let (listener, port) = listener().await;
        let client = tokio::spawn(Endpoint::new("127.0.0.1", port).connect());
        let (mut tcp, _) = accept_h2(&listener).await;
        let channel = client.await.expect("no panic").expect("connected");
        // Watch the connection for a while (far longer than the intervals
        // above): settings traffic only, never a PING.
        let quiet = tokio::time::timeout(Duration::from_millis(500), async {
            while let Some(frame) = read_frame(&mut tcp).await {
                assert_ne!(frame.kind, PING, "a ping without keepalive");
            }
        })
        .await;
        assert!(quiet.is_err(), "the client closed an idle connection");
        drop(channel);
    });
}

#[test]
fn server_keepalive_pings_keep_an_answering_connection_open() {
    run(|| async {
        let server = TestServer::start(
            Server::builder()
                .keepalive(Duration::from_millis(50), Duration::from_millis(500))
                .add_service(Echo {
                    events: Events::default(),
                }),
        )
        .await;
        let mut tcp = TcpStream::connect(server.addr).await.expect("connect");
        tcp.write_all(PREFACE).await.expect("preface");
        write_frame(&mut tcp, SETTINGS, 0, &[]).await;
        // Every ping is answered: the server keeps pinging (one interval
        // after each pong) and never closes the connection.
        watch_pings(&mut tcp, 6, true)
            .await
            .expect("the server keeps the connection while pings are answered");
    });
}
