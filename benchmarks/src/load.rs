//! The RPC benchmark's load generator: a gRPC client on raw `h2` that
//! sends pre-encoded request frames and checks each answer by its length
//! and `grpc-status`, without decoding. It is the same program for every
//! server measured, and does as little per call as a gRPC client can, so
//! the server is what the figures measure.
//!
//! Everything here runs on the caller's tokio current-thread runtime.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use bytes::Bytes;
use h2::RecvStream;
use h2::client::SendRequest;
use http::{HeaderValue, Method, Request, Uri};

/// A gRPC message with its 5-byte prefix (uncompressed).
pub fn frame(message: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(5 + message.len());
    out.push(0);
    out.extend_from_slice(&(message.len() as u32).to_be_bytes());
    out.extend_from_slice(message);
    Bytes::from(out)
}

/// One HTTP/2 connection to the server.
pub async fn connect(port: u16) -> Result<SendRequest<Bytes>, String> {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    tcp.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
    let (send, connection) = h2::client::Builder::new()
        .initial_window_size(4 << 20)
        .initial_connection_window_size(16 << 20)
        .handshake::<_, Bytes>(tcp)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(send)
}

/// The request head of a call to `uri`.
fn head(uri: &Uri) -> Request<()> {
    let mut request = Request::new(());
    *request.method_mut() = Method::POST;
    *request.uri_mut() = uri.clone();
    let headers = request.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/grpc"),
    );
    headers.insert(http::header::TE, HeaderValue::from_static("trailers"));
    request
}

/// Reads a response body to its end, giving back flow-control capacity as
/// it goes, counting bytes into `counter`; returns the byte count.
async fn drain(body: &mut RecvStream, counter: Option<&AtomicU64>) -> Result<usize, String> {
    let mut total = 0;
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(|e| format!("response body: {e}"))?;
        total += chunk.len();
        if let Some(c) = counter {
            c.fetch_add(chunk.len() as u64, Relaxed);
        }
        let _ = body.flow_control().release_capacity(chunk.len());
    }
    Ok(total)
}

/// Checks the trailers say `grpc-status: 0`.
async fn check_status(body: &mut RecvStream) -> Result<(), String> {
    let trailers = body
        .trailers()
        .await
        .map_err(|e| format!("trailers: {e}"))?
        .ok_or("no trailers")?;
    match trailers.get("grpc-status").map(HeaderValue::as_bytes) {
        Some(b"0") => Ok(()),
        other => Err(format!(
            "grpc-status {:?}, grpc-message {:?}",
            other.map(String::from_utf8_lossy),
            trailers.get("grpc-message")
        )),
    }
}

/// One call with a single request frame; checks the response is
/// `expect` bytes of frames and status OK. `counter` counts response bytes
/// as they arrive.
pub async fn call(
    send: &SendRequest<Bytes>,
    uri: &Uri,
    request: Bytes,
    expect: usize,
    counter: Option<&AtomicU64>,
) -> Result<(), String> {
    let mut send = send
        .clone()
        .ready()
        .await
        .map_err(|e| format!("ready: {e}"))?;
    let (response, mut stream) = send
        .send_request(head(uri), false)
        .map_err(|e| format!("send_request: {e}"))?;
    stream
        .send_data(request, true)
        .map_err(|e| format!("send_data: {e}"))?;
    let response = response.await.map_err(|e| format!("response: {e}"))?;
    if response.status() != http::StatusCode::OK {
        return Err(format!("HTTP status {}", response.status()));
    }
    let mut body = response.into_body();
    let got = drain(&mut body, counter).await?;
    check_status(&mut body).await?;
    if got != expect {
        return Err(format!("expected {expect} response bytes, got {got}"));
    }
    Ok(())
}

/// What a closed-loop run hands back while it runs: completed calls and
/// received response bytes so far.
#[derive(Clone, Default, Debug)]
pub struct Progress {
    /// Completed calls.
    pub calls: Arc<AtomicU64>,
    /// Response bytes received.
    pub bytes: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    failed: Arc<std::sync::Mutex<Option<String>>>,
}

impl Progress {
    /// The first error a worker met, if any.
    pub fn error(&self) -> Option<String> {
        self.failed.lock().ok().and_then(|e| e.clone())
    }
}

/// Workers running calls back to back: `per_connection` of them on each of
/// the `connections`. Stop them with [`Workers::stop`].
#[derive(Debug)]
pub struct Workers {
    /// Their progress.
    pub progress: Progress,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Workers {
    /// Starts the workers.
    pub async fn start(
        port: u16,
        connections: usize,
        per_connection: usize,
        uri: &Uri,
        request: Bytes,
        expect: usize,
    ) -> Result<Workers, String> {
        let progress = Progress::default();
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let send = connect(port).await?;
            for _ in 0..per_connection {
                let (send, uri, request) = (send.clone(), uri.clone(), request.clone());
                let progress = progress.clone();
                tasks.push(tokio::spawn(async move {
                    while !progress.stop.load(Relaxed) {
                        let result =
                            call(&send, &uri, request.clone(), expect, Some(&progress.bytes)).await;
                        match result {
                            Ok(()) => {
                                progress.calls.fetch_add(1, Relaxed);
                            }
                            Err(e) => {
                                if let Ok(mut failed) = progress.failed.lock() {
                                    failed.get_or_insert(e);
                                }
                                progress.stop.store(true, Relaxed);
                            }
                        }
                    }
                }));
            }
        }
        Ok(Workers { progress, tasks })
    }

    /// Stops the workers after their current call and waits for them.
    pub async fn stop(self) -> Result<(), String> {
        self.progress.stop.store(true, Relaxed);
        for task in self.tasks {
            let _ = task.await;
        }
        match self.progress.error() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Latencies of unary calls one after another on one connection, for
/// `duration` after `warmup`; nanoseconds.
pub async fn sequential(
    port: u16,
    uri: &Uri,
    request: Bytes,
    expect: usize,
    warmup: Duration,
    duration: Duration,
) -> Result<Vec<f64>, String> {
    let send = connect(port).await?;
    let start = Instant::now();
    while start.elapsed() < warmup {
        call(&send, uri, request.clone(), expect, None).await?;
    }
    let mut latencies = Vec::new();
    let start = Instant::now();
    while start.elapsed() < duration {
        let t = Instant::now();
        call(&send, uri, request.clone(), expect, None).await?;
        latencies.push(t.elapsed().as_nanos() as f64);
    }
    Ok(latencies)
}

/// Round trips on one bidirectional stream: each message is sent after the
/// previous answer (`frame.len()` bytes) arrived in full; nanoseconds.
pub async fn ping_pong(
    port: u16,
    uri: &Uri,
    frame: Bytes,
    warmup: Duration,
    duration: Duration,
) -> Result<Vec<f64>, String> {
    let send = connect(port).await?;
    let mut send = send.ready().await.map_err(|e| format!("ready: {e}"))?;
    let (response, mut stream) = send
        .send_request(head(uri), false)
        .map_err(|e| format!("send_request: {e}"))?;
    let mut body: Option<RecvStream> = None;
    let mut response = Some(response);
    let mut latencies = Vec::new();
    let start = Instant::now();
    let mut measuring = false;
    let mut phase_start = start;
    loop {
        if !measuring && start.elapsed() >= warmup {
            measuring = true;
            phase_start = Instant::now();
        }
        if measuring && phase_start.elapsed() >= duration {
            break;
        }
        let t = Instant::now();
        stream
            .send_data(frame.clone(), false)
            .map_err(|e| format!("send_data: {e}"))?;
        if let Some(r) = response.take() {
            let r = r.await.map_err(|e| format!("response: {e}"))?;
            body = Some(r.into_body());
        }
        let body = body.as_mut().ok_or("no response body")?;
        let mut got = 0;
        while got < frame.len() {
            let chunk = body
                .data()
                .await
                .ok_or("the server ended the stream early")?
                .map_err(|e| format!("response body: {e}"))?;
            got += chunk.len();
            let _ = body.flow_control().release_capacity(chunk.len());
        }
        if got != frame.len() {
            return Err(format!(
                "expected a {}-byte answer, got {got} bytes",
                frame.len()
            ));
        }
        if measuring {
            latencies.push(t.elapsed().as_nanos() as f64);
        }
    }
    stream
        .send_data(Bytes::new(), true)
        .map_err(|e| format!("end of stream: {e}"))?;
    if let Some(body) = body.as_mut() {
        drain(body, None).await?;
        check_status(body).await?;
    }
    Ok(latencies)
}

/// Calls started at a fixed rate (`rate` per second, spread over
/// `connections`) whatever the answers, for `duration` after `warmup`.
/// Each latency is measured from when the call was due, so a server that
/// falls behind is charged for the queue it builds. Nanoseconds.
#[allow(clippy::too_many_arguments)]
pub async fn fixed_rate(
    port: u16,
    connections: usize,
    rate: f64,
    uri: &Uri,
    request: Bytes,
    expect: usize,
    warmup: Duration,
    duration: Duration,
) -> Result<Vec<f64>, String> {
    let mut sends = Vec::new();
    for _ in 0..connections {
        sends.push(connect(port).await?);
    }
    let total = ((warmup + duration).as_secs_f64() * rate) as u64;
    let skip = (warmup.as_secs_f64() * rate) as u64;
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due).await;
        let send = sends[i as usize % sends.len()].clone();
        let (uri, request) = (uri.clone(), request.clone());
        tasks.push(tokio::spawn(async move {
            call(&send, &uri, request, expect, None).await?;
            Ok::<f64, String>(due.elapsed().as_nanos() as f64)
        }));
    }
    let mut latencies = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        let latency = task.await.map_err(|e| format!("join: {e}"))??;
        if i as u64 >= skip {
            latencies.push(latency);
        }
    }
    Ok(latencies)
}

/// Connections that each made one call and now sit idle; dropped to close.
#[derive(Debug)]
pub struct Idle(#[allow(dead_code)] Vec<SendRequest<Bytes>>);

/// Opens `n` connections and makes one call on each.
pub async fn idle_connections(
    port: u16,
    n: usize,
    uri: &Uri,
    request: Bytes,
    expect: usize,
) -> Result<Idle, String> {
    let mut sends = Vec::new();
    for _ in 0..n {
        let send = connect(port).await?;
        call(&send, uri, request.clone(), expect, None).await?;
        sends.push(send);
    }
    Ok(Idle(sends))
}
