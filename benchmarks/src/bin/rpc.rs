//! The RPC benchmark: protoforge-grpc against tonic, serving the same
//! `bench.rpc.Bench` service generated from one descriptor set
//! (`rpc-server --stack protoforge|tonic`).
//!
//! This process is the load generator (`protoforge_benchmarks::load`, raw
//! `h2` with pre-encoded frames, the same for both servers) and pins itself
//! to core 0 with `taskset`; each server is a separate process pinned to
//! core 1, one tokio thread. Rounds interleave the two servers in rotating
//! order, a fresh server process per round; each round runs every scenario
//! against one server, then the other. Figures are medians over rounds,
//! ratios paired by round. The server's CPU time comes from
//! `/proc/PID/task/*/schedstat`, its allocations from its counting
//! allocator, its memory from `/proc/PID/status`. With `--h2load`, Debian's
//! `h2load` (nghttp2) drives the unary cases too, as a second load
//! generator written in C. With `--callgrind`, each server runs under
//! valgrind for two numbers of sequential unary calls, and the difference
//! gives instructions per call (unaffected by the load on the machine).
//!
//! Unary latency under load is measured open loop at several fixed offered
//! loads (fractions of the slower server's closed-loop rate, or `--rate`),
//! each with the generator's own issue lag beside it: the proof that the
//! generator kept its schedule and the figures are the server's.
//!
//! The report is a Markdown fragment (`--out`).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::Uri;
use protoforge::Message as _;
use protoforge_benchmarks::load::{self, Workers};
use protoforge_benchmarks::pf_rpc::bench::rpc::{Msg, StreamRequest};
use protoforge_benchmarks::stats::{median, paired_ratios, quantile, relative_iqr};

const STACKS: [&str; 2] = ["protoforge", "tonic"];

/// Closed-loop unary load: connections × concurrent calls per connection.
const CONNECTIONS: usize = 4;
const PER_CONNECTION: usize = 16;
/// Connections the fixed offered loads are spread over. One: calls issued
/// in the same pass of the pacer then share h2's work and one `write`, which
/// keeps the generator's cost per call low enough for the higher loads (over
/// 4 connections its issue lag at ~110k calls/s was 3 to 4 times as long).
const FIXED_CONNECTIONS: usize = 1;
/// Calls in flight on that connection in the closed-loop calibration run
/// that the fixed loads are fractions of (as many as the closed-loop unary
/// scenario has over its 4 connections).
const CALIBRATION_IN_FLIGHT: usize = CONNECTIONS * PER_CONNECTION;
/// Streaming calls in flight, each asking for `STREAM_COUNT` messages of
/// `STREAM_PAYLOAD` payload bytes.
const STREAMS: usize = 4;
const STREAM_COUNT: i32 = 1000;
const STREAM_PAYLOAD: i32 = 32;
/// Server-streaming calls in the callgrind run that measures one streamed
/// message.
const STREAM_CALLS: usize = 3;
/// Concurrent calls on one connection for the scaling table.
const SCALING: [usize; 3] = [1, 10, 100];
/// Idle connections opened to measure memory per connection.
const IDLE: usize = 100;
/// Payload of the ~1 KB message.
const KB_PAYLOAD: usize = 1000;
/// Fixed offered loads for the latency table, as fractions of the slower
/// server's closed-loop small unary rate in the calibration run.
const LOADS: [f64; 4] = [0.25, 0.5, 0.75, 0.9];
/// Offered loads are rounded down to a multiple of this (calls/s).
const RATE_STEP: f64 = 500.0;

const USAGE: &str = "usage: rpc --server BIN [--h2load BIN] [--work DIR] [--rounds N] [--seconds S] \
[--rate CALLS_PER_S[,CALLS_PER_S...]] [--callgrind] [--valgrind-only] [--valgrind-tool TOOL] [--out FILE]

  --server BIN      the rpc-server binary (required)
  --h2load BIN      also drive the unary cases with nghttp2's h2load
  --work DIR        scratch directory (default: $TMPDIR/protoforge-rpc-bench)
  --rounds N        rounds, each a fresh process of each server (default 5)
  --seconds S       measured window of each scenario, after S/4 (at least 0.2 s) of warm-up;
                    each fixed offered load gets the same window (default 2)
  --rate LIST       the fixed offered loads, comma-separated calls/s, instead of 25%, 50%, 75% and 90%
                    of the slower server's closed-loop small unary rate on one connection with 64 calls
                    in flight (measured first, ~2 s)
  --callgrind       also count server instructions per call under valgrind
  --valgrind-only   only the valgrind part, no load rounds
  --valgrind-tool T another valgrind tool (say dhat) instead of callgrind; output left in --work
  --out FILE        write the Markdown report there instead of stdout
";

struct Args {
    server: PathBuf,
    h2load: Option<PathBuf>,
    work: PathBuf,
    rounds: usize,
    seconds: f64,
    /// Fixed offered loads given on the command line (calls/s).
    rates: Option<Vec<f64>>,
    callgrind: bool,
    /// Only the valgrind measurement, no load rounds.
    valgrind_only: bool,
    valgrind_tool: Option<String>,
    out: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        server: PathBuf::new(),
        h2load: None,
        work: std::env::temp_dir().join("protoforge-rpc-bench"),
        rounds: 5,
        seconds: 2.0,
        rates: None,
        callgrind: false,
        valgrind_only: false,
        valgrind_tool: None,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--server" => args.server = PathBuf::from(value()?),
            "--h2load" => args.h2load = Some(PathBuf::from(value()?)),
            "--work" => args.work = PathBuf::from(value()?),
            "--out" => args.out = Some(PathBuf::from(value()?)),
            "--rounds" => args.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--seconds" => {
                args.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?
            }
            "--rate" => {
                let list = value()?
                    .split(',')
                    .map(|r| match r.trim().parse::<f64>() {
                        Ok(r) if r.is_finite() && r >= 1.0 => Ok(r),
                        Ok(r) => Err(format!("--rate: {r} is not a rate of at least 1 call/s")),
                        Err(e) => Err(format!("--rate: {r:?}: {e}")),
                    })
                    .collect::<Result<Vec<f64>, String>>()?;
                args.rates = Some(list);
            }
            "--help" | "-h" => return Err(String::new()),
            "--callgrind" => args.callgrind = true,
            "--valgrind-only" => {
                args.callgrind = true;
                args.valgrind_only = true;
            }
            "--valgrind-tool" => args.valgrind_tool = Some(value()?),
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    if args.server.as_os_str().is_empty() {
        return Err("--server is required".to_string());
    }
    Ok(args)
}

/// What the server reports about itself at one instant.
#[derive(Clone, Copy, Debug, Default)]
struct Stats {
    allocations: f64,
    allocated: f64,
    live: f64,
    peak: f64,
    cpu_ns: f64,
    rss_kb: f64,
}

/// A server process, pinned to core 1, driven over stdin/stdout.
struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    port: u16,
}

impl Server {
    fn start(bin: &Path, stack: &str) -> Result<Server, String> {
        let mut child = Command::new("taskset")
            .args(["-c", "1"])
            .arg(bin)
            .args(["--stack", stack])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("taskset {}: {e} (Debian: util-linux)", bin.display()))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .map_err(|e| format!("server: {e}"))?;
        let port = line
            .trim()
            .strip_prefix("port ")
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| format!("the {stack} server said {line:?}, not its port"))?;
        Ok(Server {
            child,
            stdin,
            stdout,
            port,
        })
    }

    fn command(&mut self, command: &str) -> Result<String, String> {
        writeln!(self.stdin, "{command}").map_err(|e| format!("server stdin: {e}"))?;
        self.stdin
            .flush()
            .map_err(|e| format!("server stdin: {e}"))?;
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .map_err(|e| format!("server stdout: {e}"))?;
        Ok(line)
    }

    fn stats(&mut self) -> Result<Stats, String> {
        let line = self.command("stats")?;
        let n: Vec<f64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|x| x.parse().ok())
            .collect();
        let [allocations, allocated, live, peak] = n[..] else {
            return Err(format!("server stats: {line:?}"));
        };
        let pid = self.child.id();
        let mut cpu_ns = 0.0;
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
            for task in tasks.flatten() {
                let text =
                    std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
                cpu_ns += text
                    .split_whitespace()
                    .next()
                    .and_then(|x| x.parse::<f64>().ok())
                    .unwrap_or(0.0);
            }
        }
        let rss_kb = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|x| x.parse().ok())
            .unwrap_or(f64::NAN);
        Ok(Stats {
            allocations,
            allocated,
            live,
            peak,
            cpu_ns,
            rss_kb,
        })
    }

    /// The kernel's run-queue delay of the server's threads so far: time
    /// they were ready to run while something else had core 1; NaN where
    /// the kernel does not say.
    fn run_delay_ns(&self) -> f64 {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", self.child.id())) else {
            return f64::NAN;
        };
        let mut total = 0.0;
        for task in tasks.flatten() {
            let text = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            match text.split_whitespace().nth(1).map(str::parse::<f64>) {
                Some(Ok(ns)) => total += ns,
                _ => return f64::NAN,
            }
        }
        total
    }

    fn stop(mut self) {
        let _ = writeln!(self.stdin, "quit");
        let _ = self.stdin.flush();
        drop(self.stdin);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The requests, encoded once with protoforge's runtime (the bytes do not
/// depend on the encoder; the server generated by prost decodes them too).
struct Requests {
    unary: Uri,
    stream: Uri,
    ping_pong: Uri,
    small: Bytes,
    kb: Bytes,
    stream_request: Bytes,
    /// Bytes of one streamed response frame.
    stream_frame: usize,
}

impl Requests {
    fn new(port: u16) -> Result<Requests, String> {
        let uri = |method: &str| -> Result<Uri, String> {
            format!("http://127.0.0.1:{port}/bench.rpc.Bench/{method}")
                .parse()
                .map_err(|e| format!("uri: {e}"))
        };
        let small = Msg {
            id: 42,
            name: "benchmark".to_string(),
            ..Default::default()
        };
        let kb = Msg {
            payload: Bytes::from(vec![0xa5; KB_PAYLOAD]),
            ..small.clone()
        };
        let streamed = Msg {
            id: 1,
            payload: Bytes::from(vec![0x5a; STREAM_PAYLOAD as usize]),
            ..Default::default()
        };
        let request = StreamRequest {
            count: STREAM_COUNT,
            payload_size: STREAM_PAYLOAD,
            ..Default::default()
        };
        Ok(Requests {
            unary: uri("Unary")?,
            stream: uri("ServerStream")?,
            ping_pong: uri("PingPong")?,
            small: load::frame(&small.encode_to_vec()),
            kb: load::frame(&kb.encode_to_vec()),
            stream_request: load::frame(&request.encode_to_vec()),
            stream_frame: load::frame(&streamed.encode_to_vec()).len(),
        })
    }
}

/// One round's figures for one server, by key.
type Sample = BTreeMap<&'static str, f64>;

/// A fixed offered load of the latency table.
#[derive(Clone, Copy, Debug)]
struct Level {
    /// Calls per second.
    rate: f64,
    /// The fraction of the calibrated closed-loop rate it was set from, if
    /// it was (not with `--rate`).
    fraction: Option<f64>,
}

impl Level {
    fn label(&self) -> String {
        let rate = fmt_value(self.rate, Unit::PerSecond);
        match self.fraction {
            Some(f) => format!("{rate} ({:.0}%)", f * 100.0),
            None => rate,
        }
    }
}

/// A sample key for fixed load number `i`.
fn level_key(i: usize, what: &str) -> &'static str {
    Box::leak(format!("rate{i}_{what}").into_boxed_str())
}

/// A closed-loop window: calls or bytes per second, and the server's CPU
/// time and allocations over it.
struct Window {
    calls: f64,
    bytes: f64,
    seconds: f64,
    before: Stats,
    after: Stats,
}

async fn closed_loop(
    server: &mut Server,
    workers: Workers,
    warmup: Duration,
    window: Duration,
) -> Result<Window, String> {
    tokio::time::sleep(warmup).await;
    let (c0, b0) = (
        workers.progress.calls.load(Relaxed),
        workers.progress.bytes.load(Relaxed),
    );
    let before = server.stats()?;
    let t0 = Instant::now();
    tokio::time::sleep(window).await;
    let (c1, b1) = (
        workers.progress.calls.load(Relaxed),
        workers.progress.bytes.load(Relaxed),
    );
    let after = server.stats()?;
    let seconds = t0.elapsed().as_secs_f64();
    workers.stop().await?;
    Ok(Window {
        calls: (c1 - c0) as f64,
        bytes: (b1 - b0) as f64,
        seconds,
        before,
        after,
    })
}

/// Every scenario against one server.
async fn measure_stack(
    server: &mut Server,
    stack: &str,
    req: &Requests,
    levels: &[Level],
    seconds: f64,
) -> Result<Sample, String> {
    let mut s = Sample::new();
    let warmup = Duration::from_secs_f64((seconds / 4.0).max(0.2));
    let window = Duration::from_secs_f64(seconds);
    let port = server.port;

    for (name, body) in [("small", &req.small), ("kb", &req.kb)] {
        let workers = Workers::start(
            port,
            CONNECTIONS,
            PER_CONNECTION,
            &req.unary,
            body.clone(),
            body.len(),
        )
        .await?;
        let w = closed_loop(server, workers, warmup, window).await?;
        let cpu = w.after.cpu_ns - w.before.cpu_ns;
        let key =
            |k: &str| -> &'static str { Box::leak(format!("unary_{name}_{k}").into_boxed_str()) };
        s.insert(key("rps"), w.calls / w.seconds);
        s.insert(key("cpu_us"), cpu / 1e3 / w.calls);
        s.insert(key("busy"), cpu / 1e9 / w.seconds);
        s.insert(
            key("allocs"),
            (w.after.allocations - w.before.allocations) / w.calls,
        );
        s.insert(
            key("alloc_bytes"),
            (w.after.allocated - w.before.allocated) / w.calls,
        );
    }

    let workers = Workers::start(
        port,
        1,
        STREAMS,
        &req.stream,
        req.stream_request.clone(),
        req.stream_frame * STREAM_COUNT as usize,
    )
    .await?;
    let w = closed_loop(server, workers, warmup, window).await?;
    let messages = w.bytes / req.stream_frame as f64;
    s.insert("stream_mps", messages / w.seconds);
    s.insert(
        "stream_cpu_ns",
        (w.after.cpu_ns - w.before.cpu_ns) / messages,
    );
    s.insert(
        "stream_allocs",
        (w.after.allocations - w.before.allocations) / messages,
    );

    let pp = load::ping_pong(port, &req.ping_pong, req.small.clone(), warmup, window).await?;
    s.insert("pingpong_p50_us", quantile(&pp, 0.5) / 1e3);
    s.insert("pingpong_p99_us", quantile(&pp, 0.99) / 1e3);

    let c1 = load::sequential(
        port,
        &req.unary,
        req.small.clone(),
        req.small.len(),
        warmup,
        window,
    )
    .await?;
    s.insert("c1_p50_us", quantile(&c1, 0.5) / 1e3);
    s.insert("c1_p99_us", quantile(&c1, 0.99) / 1e3);

    for (i, level) in levels.iter().enumerate() {
        let (waited_before, t0) = (server.run_delay_ns(), Instant::now());
        let fixed = load::fixed_rate(
            port,
            FIXED_CONNECTIONS,
            level.rate,
            &req.unary,
            req.small.clone(),
            req.small.len(),
            warmup,
            window,
        )
        .await?;
        let lag_p99 = quantile(&fixed.issue_lags, 0.99);
        s.insert(
            level_key(i, "p50_us"),
            quantile(&fixed.latencies, 0.5) / 1e3,
        );
        s.insert(
            level_key(i, "p99_us"),
            quantile(&fixed.latencies, 0.99) / 1e3,
        );
        s.insert(
            level_key(i, "lag_p50_us"),
            quantile(&fixed.issue_lags, 0.5) / 1e3,
        );
        s.insert(level_key(i, "lag_p99_us"), lag_p99 / 1e3);
        s.insert(
            level_key(i, "write_p50_us"),
            quantile(&fixed.write_lags, 0.5) / 1e3,
        );
        s.insert(
            level_key(i, "write_p99_us"),
            quantile(&fixed.write_lags, 0.99) / 1e3,
        );
        s.insert(level_key(i, "generator_waited"), fixed.generator_waited);
        s.insert(
            level_key(i, "server_waited"),
            (server.run_delay_ns() - waited_before) / t0.elapsed().as_nanos() as f64,
        );
        if lag_p99 > load::MAX_ISSUE_LAG_P99.as_nanos() as f64 {
            eprintln!(
                "\nrpc: WARNING: at {} against {stack}, the load generator issued 1% of calls more \
                 than {:.1} µs late (limit {} µs): these latencies measure the generator too (other \
                 processes had its core {:.1}% of the window)",
                level.label(),
                lag_p99 / 1e3,
                load::MAX_ISSUE_LAG_P99.as_micros(),
                fixed.generator_waited * 100.0
            );
        }
    }

    for n in SCALING {
        let workers =
            Workers::start(port, 1, n, &req.unary, req.small.clone(), req.small.len()).await?;
        let w = closed_loop(server, workers, warmup / 2, window / 2).await?;
        let key: &'static str = Box::leak(format!("streams_{n}_rps").into_boxed_str());
        s.insert(key, w.calls / w.seconds);
    }

    // Idle connections: opened, one call each, then left alone.
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.command("reset-peak")?;
    let before = server.stats()?;
    let idle =
        load::idle_connections(port, IDLE, &req.unary, req.small.clone(), req.small.len()).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = server.stats()?;
    s.insert(
        "idle_heap_kb",
        (after.live - before.live) / 1024.0 / IDLE as f64,
    );
    s.insert(
        "idle_peak_kb",
        (after.peak - before.live) / 1024.0 / IDLE as f64,
    );
    s.insert("idle_rss_kb", (after.rss_kb - before.rss_kb) / IDLE as f64);
    drop(idle);
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(s)
}

/// `h2load` on the unary method: requests per second and mean latency.
fn h2load(
    h2load: &Path,
    work: &Path,
    port: u16,
    name: &str,
    body: &Bytes,
    seconds: u64,
) -> Result<(f64, f64), String> {
    let data = work.join(format!("{name}.grpc"));
    std::fs::write(&data, body).map_err(|e| format!("{}: {e}", data.display()))?;
    let output = Command::new("taskset")
        .args(["-c", "0"])
        .arg(h2load)
        .args(["-D", &seconds.to_string(), "--warm-up-time=1"])
        .args(["-c", &CONNECTIONS.to_string()])
        .args(["-m", &PER_CONNECTION.to_string(), "-t", "1"])
        .arg("-d")
        .arg(&data)
        .args(["-H", "content-type: application/grpc", "-H", "te: trailers"])
        .arg(format!("http://127.0.0.1:{port}/bench.rpc.Bench/Unary"))
        .output()
        .map_err(|e| format!("h2load: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let rps = text
        .lines()
        .find_map(|l| l.strip_prefix("finished in "))
        .and_then(|l| l.split(", ").nth(1))
        .and_then(|l| l.strip_suffix(" req/s"))
        .and_then(|x| x.parse::<f64>().ok());
    let failed = text
        .lines()
        .find(|l| l.starts_with("requests:"))
        .is_none_or(|l| !l.contains(" 0 failed, 0 errored"));
    let mean = text
        .lines()
        .find_map(|l| l.strip_prefix("time for request:"))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(parse_duration_us);
    match (rps, mean, failed) {
        (Some(rps), Some(mean), false) => Ok((rps, mean)),
        _ => Err(format!("h2load failed or printed something else:\n{text}")),
    }
}

/// `842us`, `5.74ms`, `1.2s` → microseconds.
fn parse_duration_us(text: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1e3)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1e6)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

/// Instructions the server executes for `calls` sequential small unary
/// calls, `kb_calls` sequential ~1 KB unary calls and then `streams`
/// sequential server-streaming calls of `STREAM_COUNT` messages, under
/// callgrind (start-up and shutdown
/// included). With `--valgrind-tool` another valgrind tool (say `dhat`)
/// runs instead, its output left in the work directory, and the result is 0.
fn callgrind_run(
    args: &Args,
    stack: &str,
    calls: usize,
    kb_calls: usize,
    streams: usize,
) -> Result<f64, String> {
    let tool = args.valgrind_tool.as_deref().unwrap_or("callgrind");
    let out = args
        .work
        .join(format!("{tool}.{stack}.{calls}.{kb_calls}.{streams}.out"));
    let mut child = Command::new("taskset")
        .args(["-c", "1", "valgrind"])
        .arg(format!("--tool={tool}"))
        .arg(format!("--{tool}-out-file={}", out.display()))
        .arg(&args.server)
        .args(["--stack", stack])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("valgrind: {e} (Debian: apt-get install valgrind)"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut line = String::new();
    stdout
        .read_line(&mut line)
        .map_err(|e| format!("server: {e}"))?;
    let port: u16 = line
        .trim()
        .strip_prefix("port ")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("the {stack} server under valgrind said {line:?}"))?;
    let req = Requests::new(port)?;
    runtime()?.block_on(async {
        let send = load::connect(port).await?;
        for _ in 0..calls {
            load::call(&send, &req.unary, req.small.clone(), req.small.len(), None).await?;
        }
        for _ in 0..kb_calls {
            load::call(&send, &req.unary, req.kb.clone(), req.kb.len(), None).await?;
        }
        for _ in 0..streams {
            load::call(
                &send,
                &req.stream,
                req.stream_request.clone(),
                req.stream_frame * STREAM_COUNT as usize,
                None,
            )
            .await?;
        }
        Ok::<(), String>(())
    })?;
    let _ = writeln!(stdin, "quit");
    drop(stdin);
    let output = child
        .wait_with_output()
        .map_err(|e| format!("valgrind: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if tool != "callgrind" {
        return Ok(0.0);
    }
    stderr
        .lines()
        .find_map(|l| l.split("Collected :").nth(1))
        .and_then(|n| n.trim().parse::<f64>().ok())
        .ok_or_else(|| format!("no instruction count from callgrind for {stack}:\n{stderr}"))
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio: {e}"))
}

/// Pins this process (every thread) to core 0.
fn pin_self() -> Result<(), String> {
    let status = Command::new("taskset")
        .args(["-a", "-p", "-c", "0", &std::process::id().to_string()])
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("taskset: {e} (Debian: util-linux)"))?;
    if !status.success() {
        return Err("taskset could not pin the load generator to core 0".to_string());
    }
    Ok(())
}

/// Closed-loop small unary throughput of each server for a short while, on
/// the fixed loads' connection with [`CALIBRATION_IN_FLIGHT`] calls in
/// flight; the slower one's rate, which the fixed offered loads are
/// fractions of.
fn calibrate(args: &Args) -> Result<f64, String> {
    let rt = runtime()?;
    let mut slowest = f64::INFINITY;
    for stack in STACKS {
        let mut server = Server::start(&args.server, stack)?;
        let req = Requests::new(server.port)?;
        let w = rt.block_on(async {
            let workers = Workers::start(
                server.port,
                FIXED_CONNECTIONS,
                CALIBRATION_IN_FLIGHT,
                &req.unary,
                req.small.clone(),
                req.small.len(),
            )
            .await?;
            closed_loop(
                &mut server,
                workers,
                Duration::from_millis(300),
                Duration::from_millis(700),
            )
            .await
        })?;
        server.stop();
        slowest = slowest.min(w.calls / w.seconds);
    }
    Ok(slowest)
}

/// One table row: a label, the sample key, its unit, and whether more is
/// better.
struct Row {
    label: &'static str,
    key: &'static str,
    unit: Unit,
    higher_is_better: bool,
    target: &'static str,
}

#[derive(Clone, Copy)]
enum Unit {
    PerSecond,
    Micros,
    Count,
    Bytes,
    KiB,
    Percent,
    Nanos,
}

fn fmt_value(v: f64, unit: Unit) -> String {
    match unit {
        Unit::PerSecond if v >= 1e6 => format!("{:.2} M/s", v / 1e6),
        Unit::PerSecond => format!("{:.1} k/s", v / 1e3),
        Unit::Micros if v >= 1000.0 => format!("{:.2} ms", v / 1e3),
        Unit::Micros => format!("{v:.0} µs"),
        Unit::Nanos if v >= 1000.0 => format!("{:.2} µs", v / 1e3),
        Unit::Nanos => format!("{v:.0} ns"),
        Unit::Count => format!("{v:.1}"),
        Unit::Bytes => format!("{v:.0} B"),
        Unit::KiB => format!("{v:.1} KiB"),
        Unit::Percent => format!("{:.0}%", v * 100.0),
    }
}

const fn row(
    label: &'static str,
    key: &'static str,
    unit: Unit,
    higher_is_better: bool,
    target: &'static str,
) -> Row {
    Row {
        label,
        key,
        unit,
        higher_is_better,
        target,
    }
}

fn rows() -> Vec<Row> {
    use Unit::*;
    vec![
        row(
            "unary requests/s, small message",
            "unary_small_rps",
            PerSecond,
            true,
            "≥ 1.30x",
        ),
        row(
            "unary requests/s, ~1 KB message",
            "unary_kb_rps",
            PerSecond,
            true,
            "≥ 1.30x",
        ),
        row(
            "server-streaming messages/s",
            "stream_mps",
            PerSecond,
            true,
            "≥ 1.30x",
        ),
        row(
            "bidi ping-pong round trip, p50",
            "pingpong_p50_us",
            Micros,
            false,
            "",
        ),
        row(
            "bidi ping-pong round trip, p99",
            "pingpong_p99_us",
            Micros,
            false,
            "≥ 2.00x",
        ),
        row(
            "unary latency at concurrency 1, p50",
            "c1_p50_us",
            Micros,
            false,
            "",
        ),
        row(
            "unary latency at concurrency 1, p99",
            "c1_p99_us",
            Micros,
            false,
            "≥ 2.00x",
        ),
        row(
            "server CPU per unary call, small",
            "unary_small_cpu_us",
            Micros,
            false,
            "",
        ),
        row(
            "server CPU per unary call, ~1 KB",
            "unary_kb_cpu_us",
            Micros,
            false,
            "",
        ),
        row(
            "server CPU per streamed message",
            "stream_cpu_ns",
            Nanos,
            false,
            "",
        ),
        row(
            "server core busy during small unary",
            "unary_small_busy",
            Percent,
            true,
            "",
        ),
        row(
            "allocations per unary call, small",
            "unary_small_allocs",
            Count,
            false,
            "≥ 4.00x",
        ),
        row(
            "allocations per unary call, ~1 KB",
            "unary_kb_allocs",
            Count,
            false,
            "≥ 4.00x",
        ),
        row(
            "bytes allocated per unary call, small",
            "unary_small_alloc_bytes",
            Bytes,
            false,
            "",
        ),
        row(
            "allocations per streamed message",
            "stream_allocs",
            Count,
            false,
            "",
        ),
        row(
            "heap per idle connection (live)",
            "idle_heap_kb",
            KiB,
            false,
            "",
        ),
        row(
            "heap per connection (peak while opening)",
            "idle_peak_kb",
            KiB,
            false,
            "",
        ),
        row(
            "resident memory per idle connection",
            "idle_rss_kb",
            KiB,
            false,
            "",
        ),
    ]
}

/// `samples[stack][key]` over rounds.
type Samples = [BTreeMap<&'static str, Vec<f64>>; 2];

fn ratio(samples: &Samples, key: &str, higher_is_better: bool) -> f64 {
    let (Some(ours), Some(theirs)) = (samples[0].get(key), samples[1].get(key)) else {
        return f64::NAN;
    };
    if higher_is_better {
        median(&paired_ratios(ours, theirs))
    } else {
        median(&paired_ratios(theirs, ours))
    }
}

fn cell(samples: &Samples, stack: usize, key: &str, unit: Unit) -> String {
    match samples[stack].get(key) {
        Some(v) if !v.is_empty() => {
            let spread = relative_iqr(v) * 50.0;
            if spread.is_finite() && v.len() > 2 {
                format!("{} ±{spread:.0}%", fmt_value(median(v), unit))
            } else {
                fmt_value(median(v), unit)
            }
        }
        _ => "—".to_string(),
    }
}

fn met(ratio: f64, target: &str) -> &'static str {
    let Some(need) = target
        .strip_prefix("≥ ")
        .and_then(|t| t.strip_suffix('x'))
        .and_then(|t| t.parse::<f64>().ok())
    else {
        return "";
    };
    if ratio >= need { " (met)" } else { " (missed)" }
}

#[allow(clippy::too_many_arguments)]
fn report(
    args: &Args,
    samples: &Samples,
    levels: &[Level],
    h2load_note: &str,
    instructions: Option<[Instructions; 2]>,
    calls: usize,
) -> String {
    let sizes = Requests::new(0)
        .map(|r| (r.small.len(), r.kb.len()))
        .unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Service `bench.rpc.Bench` (`benchmarks/proto/rpc.proto`): `Unary` answers with the decoded \
         request, `ServerStream` sends `count` copies of one message, `PingPong` answers every message \
         with itself. protoforge-grpc serves the code protoforge's generator writes (`Services::SERVER`), \
         tonic {} the code tonic-prost-build {} writes from the same descriptor set (prost messages, \
         `async_trait` server trait), both with their default settings, `bytes` fields as `bytes::Bytes`. \
         Each server is its own process (`target/release/rpc-server`) on a tokio current-thread runtime \
         pinned to core 1 (`taskset -c 1`), with a counting global allocator; the load generator pins \
         itself to core 0: raw `h2` with pre-encoded request frames, checking every answer's length and \
         `grpc-status` without decoding it. Loopback TCP, no TLS.\n\n\
         {} rounds; in each, a fresh process of each server (in rotating order) runs every scenario; \
         windows of {:.1} s after {:.1} s of warm-up. Small message: `id` and a 9-byte `name` ({} bytes \
         framed); ~1 KB: plus 1000 bytes of `payload` ({} bytes framed). Closed-loop unary load: {CONNECTIONS} \
         connections × {PER_CONNECTION} calls in flight. Streaming: {STREAMS} calls in flight on one \
         connection, each asking for {STREAM_COUNT} messages of {STREAM_PAYLOAD} payload bytes. Ping-pong: \
         one message in flight on one stream. Concurrency 1: one unary call at a time on one connection. \
         Fixed loads: small unary calls at {levels} on {FIXED_CONNECTIONS} connection, each load for its own \
         window after its own warm-up; see the latency table below. In ping-pong, at concurrency 1 and at \
         the fixed loads the generator never parks its thread or uses a timer: it spins on its core, \
         yielding to tokio between polls, so the latencies do not include its own wake-ups. CPU time is the server \
         process's (`/proc/PID/task/*/schedstat`) over the window, divided by the calls or messages in it; \
         allocations count `alloc`, `alloc_zeroed` and `realloc`. Idle connections: {IDLE} connections, \
         each after one small unary call, server heap (allocator) and resident memory growth divided by \
         {IDLE}.\n\n\
         Figures are medians over rounds (±half the interquartile range). \"protoforge better by\" is \
         the median of per-round ratios: tonic / protoforge for times, allocations and memory, \
         protoforge / tonic for rates, so above 1.00x protoforge is better. Targets (issue 7): at least \
         1.3x tonic's throughput, p99 at most half of tonic's (2.00x; judged on ping-pong, concurrency 1 \
         and every fixed load, each on its own), allocations per unary call at most a quarter of tonic's \
         (4.00x).\n",
        locked("tonic"),
        locked("tonic-prost-build"),
        args.rounds,
        args.seconds,
        (args.seconds / 4.0).max(0.2),
        sizes.0,
        sizes.1,
        levels = levels_text(levels),
    );
    let _ = writeln!(
        out,
        "| measurement | protoforge-grpc | tonic | protoforge better by | target |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|---|");
    for r in rows() {
        let q = ratio(samples, r.key, r.higher_is_better);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {q:.2}x | {}{} |",
            r.label,
            cell(samples, 0, r.key, r.unit),
            cell(samples, 1, r.key, r.unit),
            r.target,
            met(q, r.target),
        );
    }
    let _ = writeln!(out);
    fixed_load_tables(&mut out, samples, levels);

    let _ = writeln!(
        out,
        "#### Throughput against concurrent calls on one connection\n\n\
         Small unary calls, closed loop, all on one HTTP/2 connection.\n"
    );
    let _ = writeln!(
        out,
        "| calls in flight | protoforge-grpc | tonic | protoforge / tonic |"
    );
    let _ = writeln!(out, "|--:|--:|--:|--:|");
    for n in SCALING {
        let key = format!("streams_{n}_rps");
        let _ = writeln!(
            out,
            "| {n} | {} | {} | {:.2}x |",
            cell(samples, 0, &key, Unit::PerSecond),
            cell(samples, 1, &key, Unit::PerSecond),
            ratio(samples, &key, true)
        );
    }
    let _ = writeln!(out);

    let _ = writeln!(
        out,
        "#### The same unary load from h2load\n\n{h2load_note}\n"
    );
    if samples[0].contains_key("h2load_small_rps") {
        let _ = writeln!(
            out,
            "| measurement | protoforge-grpc | tonic | protoforge better by |"
        );
        let _ = writeln!(out, "|---|--:|--:|--:|");
        for (label, key, unit, higher) in [
            (
                "requests/s, small",
                "h2load_small_rps",
                Unit::PerSecond,
                true,
            ),
            ("requests/s, ~1 KB", "h2load_kb_rps", Unit::PerSecond, true),
            (
                "mean latency, small",
                "h2load_small_mean_us",
                Unit::Micros,
                false,
            ),
            (
                "mean latency, ~1 KB",
                "h2load_kb_mean_us",
                Unit::Micros,
                false,
            ),
        ] {
            let _ = writeln!(
                out,
                "| {label} | {} | {} | {:.2}x |",
                cell(samples, 0, key, unit),
                cell(samples, 1, key, unit),
                ratio(samples, key, higher)
            );
        }
        let _ = writeln!(out);
    }

    if let Some([ours, theirs]) = instructions {
        let (ours_stream, theirs_stream) = (ours.per_message, theirs.per_message);
        let (ours_kb, theirs_kb) = (ours.per_kb_call, theirs.per_kb_call);
        let (ours, theirs) = (ours.per_call, theirs.per_call);
        let _ = writeln!(
            out,
            "#### Server instructions per call (callgrind)\n\n\
             Each server under valgrind's callgrind answers {calls} and then {} sequential small unary \
             calls on one connection; the difference in instructions divided by {} is one call, \
             everything the server process does for it (HTTP/2, gRPC, decoding, encoding, the tokio \
             runtime, the allocator). A third run adds {} ~1 KB unary calls to the first, counted the \
             same way. A fourth run adds {STREAM_CALLS} sequential server-streaming calls of \
             {STREAM_COUNT} messages to the first; the difference divided by {} is one streamed message.\n\n\
             | measurement | protoforge-grpc | tonic | tonic / protoforge |\n|---|--:|--:|--:|\n\
             | instructions per unary call, small | {:.0} | {:.0} | {:.2}x |\n\
             | instructions per unary call, ~1 KB | {:.0} | {:.0} | {:.2}x |\n\
             | instructions per streamed message | {:.0} | {:.0} | {:.2}x |\n",
            3 * calls,
            2 * calls,
            2 * calls,
            STREAM_CALLS * STREAM_COUNT as usize,
            ours,
            theirs,
            theirs / ours,
            ours_kb,
            theirs_kb,
            theirs_kb / ours_kb,
            ours_stream,
            theirs_stream,
            theirs_stream / ours_stream,
        );
    }
    out
}

/// The fixed offered loads as page text.
fn levels_text(levels: &[Level]) -> String {
    let rates: Vec<String> = levels.iter().map(|l| format!("{:.0}", l.rate)).collect();
    let rates = rates.join(", ");
    if levels.is_empty() {
        return "no rate (none was measured)".to_string();
    }
    match levels.first().and_then(|l| l.fraction) {
        Some(_) => {
            let fractions: Vec<String> = levels
                .iter()
                .filter_map(|l| l.fraction)
                .map(|f| format!("{:.0}%", f * 100.0))
                .collect();
            format!(
                "{rates} calls/s ({} of the slower server's closed-loop rate on {FIXED_CONNECTIONS} \
                 connection with {CALIBRATION_IN_FLIGHT} calls in flight, in a calibration run before the \
                 rounds, rounded down to {RATE_STEP:.0} calls/s)",
                fractions.join(", ")
            )
        }
        None => format!("{rates} calls/s (given with `--rate`)"),
    }
}

/// The latency table at each fixed offered load, and the load generator's
/// own lateness at each, which says whether the figures are the servers'.
fn fixed_load_tables(out: &mut String, samples: &Samples, levels: &[Level]) {
    let _ = writeln!(
        out,
        "#### Unary latency at fixed offered loads\n\n\
         Open loop: small unary calls issued on schedule whatever the answers, on {FIXED_CONNECTIONS} \
         HTTP/2 connection, latency counted from when each call was due (a server that falls \
         behind is charged for its queue). The p99 target (at most half of tonic's, 2.00x) is judged at \
         every load, each row on its own.\n"
    );
    let _ = writeln!(
        out,
        "| offered load | p50 protoforge-grpc | p50 tonic | p50 better by | p99 protoforge-grpc | p99 tonic | p99 better by | target |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|---|");
    for (i, level) in levels.iter().enumerate() {
        let (p50, p99) = (level_key(i, "p50_us"), level_key(i, "p99_us"));
        let q99 = ratio(samples, p99, false);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.2}x | {} | {} | {q99:.2}x | ≥ 2.00x{} |",
            level.label(),
            cell(samples, 0, p50, Unit::Micros),
            cell(samples, 1, p50, Unit::Micros),
            ratio(samples, p50, false),
            cell(samples, 0, p99, Unit::Micros),
            cell(samples, 1, p99, Unit::Micros),
            met(q99, "≥ 2.00x"),
        );
    }
    let _ = writeln!(out);

    let limit = load::MAX_ISSUE_LAG_P99.as_micros();
    let _ = writeln!(
        out,
        "Validity: how late the load generator issued the calls, counted from when each was due. \
         Issue lag: to when h2 had the request queued, the generator's own lateness; it paces calls by \
         spinning on its core, not with a timer, and a p99 above {limit} µs would mean that the generator, \
         not the server, set part of the latencies above. Write lag: to the pacer's first pass after \
         that, by which time the connection's task has written the request (an upper bound); it includes \
         the `write` system call, which on loopback also delivers the bytes to the server and wakes it \
         if it sleeps, a cost every latency figure here includes for both servers. Medians over rounds \
         of each round's p50 and p99, with the worst round's p99. Core taken: the share of the time \
         (worst round) that the generator's or the server's threads were ready to run while another \
         process had their core (the kernel's run-queue delay, `/proc/PID/task/*/schedstat`); above \
         zero, the machine's other work is in the tails.\n"
    );
    let _ = writeln!(
        out,
        "| offered load | server | issue lag p50 | issue lag p99 (worst) | write lag p50 | write lag p99 (worst) | generator's core taken | server's core taken |"
    );
    let _ = writeln!(out, "|---|---|--:|--:|--:|--:|--:|--:|");
    let mut late = Vec::new();
    for (i, level) in levels.iter().enumerate() {
        for (stack, name) in STACKS.iter().enumerate() {
            let worst = |what: &str| {
                samples[stack]
                    .get(level_key(i, what))
                    .and_then(|v| v.iter().copied().reduce(f64::max))
                    .unwrap_or(f64::NAN)
            };
            let lag_worst = worst("lag_p99_us");
            if lag_worst > limit as f64 {
                late.push(format!(
                    "{} against {name} ({})",
                    level.label(),
                    fmt_lag(lag_worst)
                ));
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} ({}) | {} | {} ({}) | {:.1}% | {:.1}% |",
                level.label(),
                if stack == 0 {
                    "protoforge-grpc"
                } else {
                    "tonic"
                },
                lag_cell(samples, stack, level_key(i, "lag_p50_us")),
                lag_cell(samples, stack, level_key(i, "lag_p99_us")),
                fmt_lag(lag_worst),
                lag_cell(samples, stack, level_key(i, "write_p50_us")),
                lag_cell(samples, stack, level_key(i, "write_p99_us")),
                fmt_lag(worst("write_p99_us")),
                worst("generator_waited") * 100.0,
                worst("server_waited") * 100.0,
            );
        }
    }
    let _ = writeln!(out);
    if !late.is_empty() {
        let _ = writeln!(
            out,
            "**Warning: the load generator's issue lag p99 passed {limit} µs at {}; the latencies at \
             those loads include the generator's own delay.**\n",
            late.join(", ")
        );
    }
}

/// A median over rounds of an issue lag.
fn lag_cell(samples: &Samples, stack: usize, key: &str) -> String {
    match samples[stack].get(key) {
        Some(v) if !v.is_empty() => fmt_lag(median(v)),
        _ => "—".to_string(),
    }
}

/// An issue lag in microseconds, with one decimal (they are often below
/// 1 µs) up to a millisecond.
fn fmt_lag(us: f64) -> String {
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{us:.1} µs")
    }
}

/// The version of `name` in the workspace's Cargo.lock (the benchmark is
/// built from it).
fn locked(name: &str) -> String {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
        .unwrap_or_default();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{name}\"") {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = ")) {
                return v.trim_matches('"').to_string();
            }
        }
    }
    "?".to_string()
}

/// Server instructions for one unary call and one streamed message.
#[derive(Clone, Copy, Debug, Default)]
struct Instructions {
    per_call: f64,
    per_kb_call: f64,
    per_message: f64,
}

fn run(args: &Args) -> Result<String, String> {
    std::fs::create_dir_all(&args.work).map_err(|e| format!("{}: {e}", args.work.display()))?;
    pin_self()?;
    let levels: Vec<Level> = match &args.rates {
        Some(rates) => rates
            .iter()
            .map(|&rate| Level {
                rate,
                fraction: None,
            })
            .collect(),
        None if args.valgrind_only => Vec::new(),
        None => {
            let closed = calibrate(args)?;
            LOADS
                .iter()
                .map(|&f| Level {
                    rate: ((closed * f) / RATE_STEP).floor().max(1.0) * RATE_STEP,
                    fraction: Some(f),
                })
                .collect()
        }
    };
    let rt = runtime()?;
    let mut samples: Samples = [BTreeMap::new(), BTreeMap::new()];
    let mut h2load_error = None;
    let rounds = if args.valgrind_only { 0 } else { args.rounds };
    for round in 0..rounds {
        for k in 0..STACKS.len() {
            let i = (k + round) % STACKS.len();
            let stack = STACKS[i];
            eprint!("\rrpc: round {}/{} {stack:<10}", round + 1, args.rounds);
            let mut server = Server::start(&args.server, stack)?;
            let req = Requests::new(server.port)?;
            let mut sample = rt.block_on(measure_stack(
                &mut server,
                stack,
                &req,
                &levels,
                args.seconds,
            ))?;
            if let Some(h2load_bin) = &args.h2load {
                let secs = args.seconds.round().max(1.0) as u64;
                for (name, body) in [("small", &req.small), ("kb", &req.kb)] {
                    match h2load(h2load_bin, &args.work, server.port, name, body, secs) {
                        Ok((rps, mean)) => {
                            let rps_key: &'static str =
                                Box::leak(format!("h2load_{name}_rps").into_boxed_str());
                            let mean_key: &'static str =
                                Box::leak(format!("h2load_{name}_mean_us").into_boxed_str());
                            sample.insert(rps_key, rps);
                            sample.insert(mean_key, mean);
                        }
                        Err(e) => h2load_error = Some(e),
                    }
                }
            }
            server.stop();
            for (key, value) in sample {
                samples[i].entry(key).or_default().push(value);
            }
        }
    }
    eprintln!();
    let h2load_note = match (&args.h2load, &h2load_error) {
        (None, _) => {
            "`h2load` was not found (Debian: `apt-get install nghttp2-client`), so only the \
                      Rust load generator ran."
                .to_string()
        }
        (Some(_), Some(e)) => format!("`h2load` failed: {e}"),
        (Some(_), None) => format!(
            "`h2load` {} (Debian `nghttp2-client`) pinned to core 0, one thread, {CONNECTIONS} connections × \
             {PER_CONNECTION} streams, the same pre-encoded request as a POST body, {} s after 1 s of warm-up, \
             after the Rust generator's scenarios in each round. It checks HTTP status only (every answer \
             was 200), not `grpc-status`; the Rust generator checks both on the same requests.",
            h2load_version(args.h2load.as_deref()),
            args.seconds.round().max(1.0)
        ),
    };
    let calls = 1000;
    let instructions = if args.callgrind {
        let mut per_call = [Instructions::default(); 2];
        for (i, stack) in STACKS.iter().enumerate() {
            eprint!("\rrpc: callgrind {stack:<10}");
            let low = callgrind_run(args, stack, calls, 0, 0)?;
            let high = callgrind_run(args, stack, 3 * calls, 0, 0)?;
            let kb = callgrind_run(args, stack, calls, 2 * calls, 0)?;
            let streamed = callgrind_run(args, stack, calls, 0, STREAM_CALLS)?;
            per_call[i] = Instructions {
                per_call: (high - low) / (2 * calls) as f64,
                per_kb_call: (kb - low) / (2 * calls) as f64,
                per_message: (streamed - low) / (STREAM_CALLS * STREAM_COUNT as usize) as f64,
            };
            if args.valgrind_only {
                eprintln!(
                    "\rrpc: {stack}: {:.0} instructions per small unary call, {:.0} per ~1 KB unary \
                     call, {:.0} per streamed message",
                    per_call[i].per_call, per_call[i].per_kb_call, per_call[i].per_message
                );
            }
        }
        eprintln!();
        Some(per_call)
    } else {
        None
    };
    Ok(report(
        args,
        &samples,
        &levels,
        &h2load_note,
        instructions,
        calls,
    ))
}

fn h2load_version(bin: Option<&Path>) -> String {
    bin.and_then(|b| Command::new(b).arg("--version").output().ok())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .find_map(|w| w.strip_prefix("nghttp2/"))
                .unwrap_or("?")
                .to_string()
        })
        .unwrap_or_else(|| "?".to_string())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprint!("rpc: {e}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    match run(&args) {
        Ok(text) => match &args.out {
            Some(path) => match std::fs::write(path, text) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("rpc: {}: {e}", path.display());
                    ExitCode::FAILURE
                }
            },
            None => {
                print!("{text}");
                ExitCode::SUCCESS
            }
        },
        Err(e) => {
            eprintln!("rpc: {e}");
            ExitCode::FAILURE
        }
    }
}
