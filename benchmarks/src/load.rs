//! The RPC benchmark's load generator: a gRPC client on raw `h2` that
//! sends pre-encoded request frames and checks each answer by its length
//! and `grpc-status`, without decoding. It is the same program for every
//! server measured, and does as little per call as a gRPC client can, so
//! the server is what the figures measure.
//!
//! Everything here runs on the caller's tokio current-thread runtime. The
//! latency paths (fixed rate, concurrency 1, ping-pong) use no timer and
//! never park the thread while they wait: they spin on the generator's core,
//! yielding to the runtime between polls, so what they time is the server
//! and the loopback, not the generator's wake-ups.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::{AcqRel, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
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
    exchange(send.clone(), head(uri), request, expect, counter).await
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

/// Polls `future` to its end without ever parking the thread: when it is
/// pending, yields to the runtime ([`tokio::task::yield_now`]: the connection
/// tasks run and the IO driver is polled without blocking) and polls it again.
/// The latency paths wait for answers this way so that a measured round trip
/// does not include the generator's thread being woken from `epoll_wait` by
/// the kernel (the generator owns its core; spinning costs nothing else).
pub async fn spin<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    loop {
        let poll = std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await;
        if let Poll::Ready(output) = poll {
            return output;
        }
        tokio::task::yield_now().await;
    }
}

/// Latencies of unary calls one after another on one connection, for
/// `duration` after `warmup`; nanoseconds. Each call waits with [`spin`].
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
        spin(call(&send, uri, request.clone(), expect, None)).await?;
    }
    let mut latencies = Vec::new();
    let start = Instant::now();
    while start.elapsed() < duration {
        let t = Instant::now();
        spin(call(&send, uri, request.clone(), expect, None)).await?;
        latencies.push(t.elapsed().as_nanos() as f64);
    }
    Ok(latencies)
}

/// Round trips on one bidirectional stream: each message is sent after the
/// previous answer (`frame.len()` bytes) arrived in full; nanoseconds.
/// Answers are waited for with [`spin`].
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
            let r = spin(r).await.map_err(|e| format!("response: {e}"))?;
            body = Some(r.into_body());
        }
        let body = body.as_mut().ok_or("no response body")?;
        let mut got = 0;
        while got < frame.len() {
            let chunk = spin(body.data())
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

/// Issue lag (how late the generator issued a call: from when it was due to
/// when its request was queued in h2) at the 99th percentile above which a
/// fixed-rate run no longer measures the server alone: its latencies then
/// include the generator's own queue. The driver warns when a run passes it.
pub const MAX_ISSUE_LAG_P99: Duration = Duration::from_micros(20);

/// What one fixed-rate run measured for each call after the warm-up, in
/// nanoseconds, each counted from when the call was due: its latency, to
/// when its answer was complete and checked; its issue lag, to when h2 had
/// its request queued (HEADERS and DATA; the pacer's lateness); and its
/// write lag, to the pacer's first pass after that. Between those two passes
/// the runtime has run the connections' tasks, which write what h2 queued,
/// so the write lag is an upper bound on when the request reached the
/// socket; it includes the `write` system call, which on loopback also
/// delivers the bytes to the server (and wakes it when it sleeps).
#[derive(Debug, Default)]
pub struct FixedRate {
    /// Latency of each call.
    pub latencies: Vec<f64>,
    /// How late each call was queued in h2.
    pub issue_lags: Vec<f64>,
    /// How late each call was written, at most.
    pub write_lags: Vec<f64>,
    /// The fraction of the measured window the generator's thread spent
    /// runnable but not running (another process had its core: the
    /// kernel's run-queue delay, `/proc/thread-self/schedstat`); NaN where
    /// the kernel does not say.
    pub generator_waited: f64,
}

/// The kernel's run-queue delay of the calling thread so far: time it was
/// ready to run while something else had its core.
fn thread_run_delay() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = text.split_whitespace().nth(1)?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Calls started at a fixed rate (`rate` per second, round robin over
/// `connections`) whatever the answers, for `duration` after `warmup` at the
/// same rate. Open loop: each latency counts from when the call was due, so
/// a server that falls behind is charged for the queue it builds.
///
/// The pacer is this future alone, spinning on the generator's core (which
/// has nothing else to do): on every pass it issues each call whose due time
/// has passed, polls the calls in flight that were woken, then yields to the
/// runtime with [`tokio::task::yield_now`], which polls the IO driver without
/// parking the thread and runs the connections' tasks. No timer is involved,
/// so a call goes out within one pass of the runtime after it is due (tokio's
/// timer would round to 1 ms and send calls in bursts). Calls in flight live
/// in an [`InFlight`] set polled by the pacer itself, not in a task each.
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
) -> Result<FixedRate, String> {
    let mut sends = Vec::new();
    for _ in 0..connections.max(1) {
        sends.push(connect(port).await?);
    }
    let total = ((warmup + duration).as_secs_f64() * rate) as u64;
    let skip = (warmup.as_secs_f64() * rate) as u64;
    let period_ns = 1e9 / rate;
    let mut out = FixedRate {
        latencies: Vec::with_capacity(total.saturating_sub(skip) as usize),
        issue_lags: Vec::with_capacity(total.saturating_sub(skip) as usize),
        write_lags: Vec::with_capacity(total.saturating_sub(skip) as usize),
        generator_waited: f64::NAN,
    };
    // Run-queue delay and time when the measured window began.
    let mut window_start: Option<(Option<Duration>, Instant)> = None;
    let mut in_flight = InFlight::new();
    // The next call's request head, built while the pacer waits rather than
    // when the call is due.
    let mut spare_head = Some(head(uri));
    let mut woken = Vec::new();
    // Slots of the calls queued in the previous pass (and when), whose
    // requests have been written by now.
    let mut just_issued = Vec::new();
    let start = Instant::now();
    let end = start + Duration::from_nanos((total as f64 * period_ns) as u64);
    let mut next = 0u64;
    loop {
        let now = Instant::now();
        for &(slot, queued) in &just_issued {
            in_flight.issued(slot, queued, now);
        }
        just_issued.clear();
        while next < total {
            let due = start + Duration::from_nanos((next as f64 * period_ns) as u64);
            if due > now {
                break;
            }
            let send = sends[next as usize % sends.len()].clone();
            let request_head = spare_head.take().unwrap_or_else(|| head(uri));
            let call = unary(send, request_head, request.clone(), expect);
            let meta = Meta {
                due,
                queued: None,
                written: None,
                counted: next >= skip,
            };
            match in_flight.start(call, meta) {
                Ok(slot) => just_issued.push((slot, Instant::now())),
                Err(done) => record(&mut out, done)?,
            }
            next += 1;
        }
        if next > skip && window_start.is_none() {
            window_start = Some((thread_run_delay(), Instant::now()));
        }
        in_flight.take_woken(&mut woken);
        for &slot in &woken {
            if let Some(done) = in_flight.poll(slot) {
                record(&mut out, done)?;
            }
        }
        if next == total && in_flight.is_empty() {
            break;
        }
        if now > end + DRAIN_LIMIT {
            return Err(format!(
                "{} calls still unanswered {} s after the last was due",
                in_flight.len(),
                DRAIN_LIMIT.as_secs()
            ));
        }
        if spare_head.is_none() {
            spare_head = Some(head(uri));
        }
        tokio::task::yield_now().await;
    }
    if let Some((Some(before), t0)) = window_start {
        if let Some(after) = thread_run_delay() {
            out.generator_waited =
                after.saturating_sub(before).as_secs_f64() / t0.elapsed().as_secs_f64();
        }
    }
    Ok(out)
}

/// How long a fixed-rate run waits for its last answers.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// What the pacer keeps about a call in flight.
#[derive(Clone, Copy, Debug)]
struct Meta {
    due: Instant,
    /// When the request was queued in h2.
    queued: Option<Instant>,
    /// When the pacer was next polled after that.
    written: Option<Instant>,
    /// Issued after the warm-up.
    counted: bool,
}

/// Records a finished call's latency (now, from its due time) and issue lag.
fn record(out: &mut FixedRate, (meta, result): (Meta, Result<(), String>)) -> Result<(), String> {
    result?;
    if meta.counted {
        let done = Instant::now();
        // An answer cannot come before the pacer's next pass.
        let written = meta.written.unwrap_or(done);
        let queued = meta.queued.unwrap_or(written);
        out.latencies
            .push(done.saturating_duration_since(meta.due).as_nanos() as f64);
        out.issue_lags
            .push(queued.saturating_duration_since(meta.due).as_nanos() as f64);
        out.write_lags
            .push(written.saturating_duration_since(meta.due).as_nanos() as f64);
    }
    Ok(())
}

/// One unary call like [`call`], on its own handle and head so that it
/// borrows nothing.
async fn unary(
    send: SendRequest<Bytes>,
    request_head: Request<()>,
    request: Bytes,
    expect: usize,
) -> Result<(), String> {
    exchange(send, request_head, request, expect, None).await
}

/// Sends one request and checks its answer: `expect` bytes of frames and
/// status OK, counting response bytes into `counter` as they arrive.
async fn exchange(
    send: SendRequest<Bytes>,
    request_head: Request<()>,
    request: Bytes,
    expect: usize,
    counter: Option<&AtomicU64>,
) -> Result<(), String> {
    let mut send = send.ready().await.map_err(|e| format!("ready: {e}"))?;
    let (response, mut stream) = send
        .send_request(request_head, false)
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

/// Futures in flight, polled by their owner (the pacer) only when woken:
/// each slot has its own waker, which puts the slot's number on a shared
/// list. Slots are reused, and a finished slot's boxed future is overwritten
/// in place ([`Pin::set`]), so a call costs no allocation here and no task
/// in the runtime.
struct InFlight<F: Future> {
    slots: Vec<Slot<F>>,
    free: Vec<usize>,
    woken: Arc<Mutex<Vec<usize>>>,
}

struct Slot<F: Future> {
    future: Pin<Box<F>>,
    /// Whether `future` is a call still running (a finished one must not
    /// be polled again).
    busy: bool,
    meta: Meta,
    wake: Arc<SlotWake>,
    waker: Waker,
}

/// A slot's waker: queues the slot's number once until it is polled.
struct SlotWake {
    slot: usize,
    queued: AtomicBool,
    woken: Arc<Mutex<Vec<usize>>>,
}

impl Wake for SlotWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, AcqRel) {
            if let Ok(mut woken) = self.woken.lock() {
                woken.push(self.slot);
            }
        }
    }
}

impl<F: Future> InFlight<F> {
    fn new() -> InFlight<F> {
        InFlight {
            slots: Vec::new(),
            free: Vec::new(),
            woken: Arc::default(),
        }
    }

    fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Puts `future` in a free slot and polls it once, so that it starts
    /// now; the slot, or its output if it finished at once.
    fn start(&mut self, future: F, meta: Meta) -> Result<usize, (Meta, F::Output)> {
        let slot = match self.free.pop() {
            Some(i) => {
                let s = &mut self.slots[i];
                s.future.set(future);
                s.busy = true;
                s.meta = meta;
                i
            }
            None => {
                let i = self.slots.len();
                let wake = Arc::new(SlotWake {
                    slot: i,
                    queued: AtomicBool::new(false),
                    woken: self.woken.clone(),
                });
                self.slots.push(Slot {
                    future: Box::pin(future),
                    busy: true,
                    meta,
                    waker: Waker::from(wake.clone()),
                    wake,
                });
                i
            }
        };
        match self.poll(slot) {
            Some(done) => Err(done),
            None => Ok(slot),
        }
    }

    /// Notes when slot `i`'s call was queued in h2 and then written.
    fn issued(&mut self, i: usize, queued: Instant, written: Instant) {
        if let Some(s) = self.slots.get_mut(i) {
            if s.busy {
                s.meta.queued = Some(queued);
                s.meta.written = Some(written);
            }
        }
    }

    /// Moves the numbers of the slots woken since the last call into `into`
    /// (emptied first).
    fn take_woken(&self, into: &mut Vec<usize>) {
        into.clear();
        if let Ok(mut woken) = self.woken.lock() {
            std::mem::swap(&mut *woken, into);
        }
    }

    /// Polls slot `i` if it holds a running future; its output if it
    /// finished, and the slot is free again.
    fn poll(&mut self, i: usize) -> Option<(Meta, F::Output)> {
        let s = self.slots.get_mut(i)?;
        if !s.busy {
            return None;
        }
        s.wake.queued.store(false, Release);
        let mut cx = Context::from_waker(&s.waker);
        match s.future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => {
                s.busy = false;
                self.free.push(i);
                Some((s.meta, output))
            }
            Poll::Pending => None,
        }
    }
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
