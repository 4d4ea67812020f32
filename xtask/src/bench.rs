//! `cargo xtask bench`: runs every benchmark of `benchmarks/` and writes
//! `docs/benchmarks.md` (method, machine, peer versions, tables).
//!
//! The measuring lives in the benchmark crate's binaries (`codec`,
//! `compile`); this module installs the peers they need (the pinned Python
//! peers, `@bufbuild/buf` from npm into `<target>/peers/buf`), builds the
//! binaries in release mode, runs them, and assembles their Markdown
//! fragments with the facts about the machine and the versions.
//!
//! `cargo xtask bench [codec|compile|rpc|codegen] [--quick]`: some parts
//! only (the other parts' latest fragments from `<target>/bench/` are
//! reused when present), or a quick pass (few rounds, a sample of the
//! files) to check the pipeline itself. The RPC part uses `h2load`
//! (Debian `nghttp2-client`, installed with apt-get when missing and
//! possible) beside its own load generator. `--page-only` rewrites the
//! page from the latest fragments without measuring.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, root, run};

/// The `buf` CLI measured against, from npm.
const BUF_VERSION: &str = "1.75.0";

fn target() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(target) => PathBuf::from(target),
        None => root().join("target"),
    }
}

/// Installs `@bufbuild/buf` at [`BUF_VERSION`] into `<target>/peers/buf`
/// unless it is there; returns the path of the `buf` binary.
fn install_buf() -> Result<PathBuf, String> {
    let dir = target().join("peers/buf");
    let bin = dir.join("node_modules/.bin/buf");
    if version_of(&bin, &["--version"]).as_deref() == Some(BUF_VERSION) {
        return Ok(bin);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    run(Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(&dir)
        .arg(format!("@bufbuild/buf@{BUF_VERSION}")))
    .map_err(|e| {
        format!("{e}\nthe compiler benchmark needs buf from npm (Node.js and npm: apt-get install nodejs npm)")
    })?;
    match version_of(&bin, &["--version"]) {
        Some(v) if v == BUF_VERSION => Ok(bin),
        other => Err(format!(
            "{} reports version {other:?}, expected {BUF_VERSION}",
            bin.display()
        )),
    }
}

/// The first line of `cmd args`' output (stdout, else stderr), trimmed.
fn version_of(cmd: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new(cmd).args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = if output.stdout.is_empty() {
        output.stderr
    } else {
        output.stdout
    };
    String::from_utf8_lossy(&text)
        .lines()
        .next()
        .map(|l| l.trim().to_string())
}

/// The version of `name` in Cargo.lock.
fn locked_version(name: &str) -> String {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap_or_default();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{name}\"") {
            return lines
                .next()
                .and_then(|l| l.strip_prefix("version = "))
                .map_or_else(|| "?".to_string(), |v| v.trim_matches('"').to_string());
        }
    }
    "?".to_string()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn loadavg() -> String {
    read(Path::new("/proc/loadavg"))
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn machine() -> String {
    let cpuinfo = read(Path::new("/proc/cpuinfo"));
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown".to_string());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem_kb: f64 = read(Path::new("/proc/meminfo"))
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    let kernel = read(Path::new("/proc/sys/kernel/osrelease"));
    format!(
        "- CPU: {model}, {cores} cores available (`nproc`)\n- memory: {:.1} GiB\n- Linux {}\n",
        mem_kb / 1024.0 / 1024.0,
        kernel.trim()
    )
}

/// What a part of the benchmark produced: its fragment and the load
/// average around it.
fn part(
    name: &str,
    quick: bool,
    run_part: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<String, String> {
    let dir = target().join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let fragment = dir.join(format!("{name}.md"));
    let before = loadavg();
    run_part(&fragment)?;
    let after = loadavg();
    let text = read(&fragment);
    let note = if quick {
        " **Quick pass** (`--quick`): few rounds and a sample of the inputs; not for quoting."
    } else {
        ""
    };
    let full = format!(
        "{text}\nLoad average (1, 5, 15 min) before this part: {before}; after: {after}.{note}\n"
    );
    std::fs::write(&fragment, &full).map_err(|e| format!("{}: {e}", fragment.display()))?;
    Ok(full)
}

/// `cargo-llvm-lines`, installed with `cargo install` when missing.
const LLVM_LINES_VERSION: &str = "0.4.48";

/// Whether `cargo llvm-lines` is available, installing it (a minute or two
/// of building) when it is not; the codegen part says so when it is not.
fn llvm_lines() -> bool {
    let present = || {
        cargo()
            .args(["llvm-lines", "--version"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if present() {
        return true;
    }
    eprintln!("bench: installing cargo-llvm-lines {LLVM_LINES_VERSION}");
    let installed = cargo()
        .args([
            "install",
            "--locked",
            "cargo-llvm-lines",
            "--version",
            LLVM_LINES_VERSION,
        ])
        .status()
        .is_ok_and(|s| s.success());
    installed && present()
}

/// The parts of the benchmark, in page order.
const PARTS: [&str; 4] = ["compile", "codegen", "codec", "rpc"];

/// `h2load` (nghttp2), installed from Debian's `nghttp2-client` when it is
/// missing and apt-get works; `None` when it cannot be had (the RPC part
/// then says so on the page).
fn find_h2load() -> Option<PathBuf> {
    let bin = PathBuf::from("h2load");
    if version_of(&bin, &["--version"]).is_some() {
        return Some(bin);
    }
    eprintln!("bench: h2load not found, trying apt-get install nghttp2-client");
    let installed = Command::new("apt-get")
        .args(["install", "-y", "-qq", "nghttp2-client"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .is_ok_and(|s| s.success());
    if installed && version_of(&bin, &["--version"]).is_some() {
        Some(bin)
    } else {
        eprintln!("bench: h2load unavailable; the RPC part runs with its own load generator only");
        None
    }
}

pub(crate) fn bench(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let parts: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    for p in &parts {
        if !PARTS.contains(p) {
            return Err(format!(
                "unknown part {p}; usage: cargo xtask bench [{}] [--quick]",
                PARTS.join("|")
            ));
        }
    }
    // `--page-only`: rewrite the page from the latest fragments, measure nothing.
    let page_only = args.iter().any(|a| a == "--page-only");
    let wants = |p: &str| !page_only && (parts.is_empty() || parts.contains(&p));

    let venv = crate::venv();
    let python = venv.join("bin/python");
    let buf = if page_only {
        target().join("peers/buf/node_modules/.bin/buf")
    } else {
        crate::peers()?;
        let buf = install_buf()?;
        run(cargo().args([
            "build",
            "--release",
            "--locked",
            "-p",
            "protoforge-cli",
            "-p",
            "protoforge-benchmarks",
            "--bins",
        ]))?;
        buf
    };
    let release = target().join("release");
    let bench_dir = target().join("bench");

    let codec = if wants("codec") {
        part("codec", quick, |out| {
            let mut cmd = Command::new(release.join("codec"));
            cmd.arg("--out").arg(out);
            cmd.arg("--raw").arg(bench_dir.join("codec.tsv"));
            if quick {
                cmd.args(["--rounds", "3", "--sample-ms", "5"]);
            } else {
                cmd.args(["--rounds", "21", "--sample-ms", "20"]);
                if version_of(Path::new("valgrind"), &["--version"]).is_some() {
                    cmd.arg("--callgrind");
                } else {
                    eprintln!(
                        "bench: valgrind not found, no instruction counts (Debian: apt-get install valgrind)"
                    );
                }
            }
            run(&mut cmd)
        })?
    } else {
        read(&bench_dir.join("codec.md"))
    };

    let grpc_include = {
        let output = Command::new(&python)
            .args([
                "-c",
                "import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), '_proto'))",
            ])
            .output()
            .map_err(|e| format!("python: {e}"))?;
        PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
    };
    let corpus = match std::env::var_os("PROTOFORGE_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => root().join("../shared/corpus"),
    };
    let compile = if wants("compile") {
        part("compile", quick, |out| {
            let mut cmd = Command::new(release.join("compile"));
            cmd.arg("--protoforge").arg(release.join("protoforge"));
            cmd.arg("--python").arg(&python);
            cmd.arg("--grpc-include").arg(&grpc_include);
            cmd.arg("--buf").arg(&buf);
            cmd.arg("--protox").arg(release.join("protox-compile"));
            cmd.arg("--corpus").arg(&corpus);
            cmd.arg("--work").arg(bench_dir.join("compile"));
            cmd.arg("--out").arg(out);
            if quick {
                cmd.args(["--rounds", "1", "--scaling-rounds", "1", "--every", "20"]);
            } else {
                cmd.args(["--rounds", "2", "--scaling-rounds", "1"]);
            }
            run(&mut cmd)
        })?
    } else {
        read(&bench_dir.join("compile.md"))
    };

    let codegen = if wants("codegen") {
        let llvm_lines = !quick && llvm_lines();
        part("codegen", quick, |out| {
            let mut cmd = Command::new(release.join("codegen"));
            cmd.arg("--protoforge").arg(release.join("protoforge"));
            cmd.arg("--grpc-include").arg(&grpc_include);
            cmd.arg("--corpus").arg(&corpus);
            cmd.arg("--gen-protoforge")
                .arg(release.join("gen-protoforge"));
            cmd.arg("--gen-prost").arg(release.join("gen-prost"));
            cmd.arg("--workspace").arg(root());
            cmd.arg("--work").arg(bench_dir.join("codegen"));
            cmd.arg("--out").arg(out);
            if quick {
                cmd.args(["--every", "256", "--rounds", "1", "--build-rounds", "1"]);
            } else {
                cmd.args(["--every", "64", "--rounds", "5", "--build-rounds", "2"]);
                if llvm_lines {
                    cmd.arg("--llvm-lines");
                }
            }
            run(&mut cmd)
        })?
    } else {
        read(&bench_dir.join("codegen.md"))
    };

    let rpc = if wants("rpc") {
        let h2load = find_h2load();
        part("rpc", quick, |out| {
            let mut cmd = Command::new(release.join("rpc"));
            cmd.arg("--server").arg(release.join("rpc-server"));
            cmd.arg("--work").arg(bench_dir.join("rpc"));
            cmd.arg("--out").arg(out);
            if let Some(h2load) = &h2load {
                cmd.arg("--h2load").arg(h2load);
            }
            if quick {
                cmd.args(["--rounds", "1", "--seconds", "0.5"]);
            } else {
                cmd.args(["--rounds", "5", "--seconds", "2"]);
                if version_of(Path::new("valgrind"), &["--version"]).is_some() {
                    cmd.arg("--callgrind");
                }
            }
            run(&mut cmd)
        })?
    } else {
        read(&bench_dir.join("rpc.md"))
    };

    let protoc = version_of(&python, &["-m", "grpc_tools.protoc", "--version"])
        .unwrap_or_else(|| "?".to_string());
    let rustc = version_of(Path::new("rustc"), &["--version"]).unwrap_or_else(|| "?".to_string());
    let valgrind =
        version_of(Path::new("valgrind"), &["--version"]).unwrap_or_else(|| "absent".to_string());
    let git = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(root())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();

    let mut doc = String::new();
    let _ = write!(
        doc,
        "# Benchmarks\n\n\
         Generated by `cargo xtask bench` (do not edit by hand; rerun it). protoforge is measured against \
         the tools its users would pick instead, in the same run on the same machine, and reported as \
         ratios against those anchors. Speed targets are never test assertions: this page is where they \
         are checked.\n\n\
         ## How to run\n\n\
         ```sh\n\
         cargo xtask bench                 # everything (about forty minutes on a quiet 2-core machine)\n\
         cargo xtask bench codec rpc       # some parts; the others' last fragments are kept\n\
         cargo xtask bench compile --quick # check the pipeline: few rounds, a sample of the inputs\n\
         ```\n\n\
         It installs the pinned peers (`cargo xtask peers`, and `@bufbuild/buf` {BUF_VERSION} from npm into \
         `target/peers/buf`), builds `protoforge` and the `benchmarks/` crate in release mode, and runs \
         `target/release/{{compile,codegen,codec,rpc}}` (each takes `--help`-style arguments; see their \
         sources in `benchmarks/src/bin/`). The RPC part uses `h2load` (Debian `nghttp2-client`, installed \
         with apt-get when missing) and the codegen part `cargo llvm-lines` ({LLVM_LINES_VERSION}, installed \
         with `cargo install` when missing). Raw codec samples go to `target/bench/codec.tsv`. The benchmark crate is a workspace \
         member outside `default-members`, and `cargo xtask test` excludes it, so prost, buffa, protox and \
         tonic never enter the product's dependency graph or the test run.\n\n\
         ## Method\n\n\
         The machine is shared: other processes (compilers, test suites) run at the same time, so:\n\n\
         - every figure is a median over rounds, with the spread (±half the interquartile range) beside it;\n\
         - the implementations are interleaved in each round, in rotating order, so load bursts hit all of them alike;\n\
         - ratios are paired: taken between measurements of the same round, then the median is reported;\n\
         - the codec is also measured in instructions per operation with callgrind, which does not depend on load;\n\
         - for the compilers, CPU time (user + system) is reported beside wall time;\n\
         - the RPC servers and the load generator are pinned to separate cores; the servers' CPU time per call and \
         instructions per call (callgrind) are the figures that do not depend on how busy the other core is.\n\n\
         ## Machine and versions\n\n\
         {}- rustc: {rustc}\n- protoforge: workspace at `{git}`\n\
         - protoc: {protoc} (PyPI `grpcio-tools` {}, run as `python -m grpc_tools.protoc`)\n\
         - buf: {} (npm `@bufbuild/buf`)\n\
         - protox {} (crate), prost {} and prost-build {} (crates), buffa {} and buffa-build {} (crates)\n\
         - tonic {}, tonic-prost-build {}, h2 {}, hyper {}, tokio {} (crates)\n\
         - h2load: {}\n\
         - valgrind: {valgrind}\n\n",
        machine(),
        locked_pip("grpcio-tools"),
        version_of(&buf, &["--version"]).unwrap_or_default(),
        locked_version("protox"),
        locked_version("prost"),
        locked_version("prost-build"),
        locked_version("buffa"),
        locked_version("buffa-build"),
        locked_version("tonic"),
        locked_version("tonic-prost-build"),
        locked_version("h2"),
        locked_version("hyper"),
        locked_version("tokio"),
        version_of(Path::new("h2load"), &["--version"]).unwrap_or_else(|| "absent".to_string()),
    );
    let _ = write!(
        doc,
        "## Compiler: googleapis to a descriptor set\n\n{}\n\
         ## Code generation and the cost of building generated code\n\n{}\n{CODEGEN_NOTES}\n\
         ## Codec: encode and decode per message shape\n\n\
         Messages from `benchmarks/proto/bench.proto`, compiled once by protoforge's compiler; the same \
         descriptor set feeds protoforge's code generator, prost-build (`compile_fds`) and buffa-build \
         (`descriptor_set`), so the three runtimes run code generated from identical descriptors. `bytes` \
         fields are `bytes::Bytes` in all three, maps are `HashMap` (randomly seeded foldhash for protoforge, \
         its default, and for buffa, its default; std's SipHash for prost). Values are built once and transcoded, and each runtime's encoding \
         is checked to decode to the same value with the same length before timing. Sizes are the encoded \
         bytes.\n\n{}\n",
        if compile.is_empty() {
            "Not run yet (`cargo xtask bench compile`).\n".to_string()
        } else {
            compile
        },
        if codegen.is_empty() {
            "Not run yet (`cargo xtask bench codegen`).\n".to_string()
        } else {
            codegen
        },
        if codec.is_empty() {
            "Not run yet (`cargo xtask bench codec`).\n".to_string()
        } else {
            codec
        },
    );
    let _ = write!(
        doc,
        "## RPC: protoforge-grpc against tonic\n\n{}\n{RPC_NOTES}\n",
        if rpc.is_empty() {
            "Not run yet (`cargo xtask bench rpc`).\n".to_string()
        } else {
            rpc
        },
    );
    let path = root().join("docs/benchmarks.md");
    std::fs::write(&path, doc).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("bench: wrote {}", path.display());
    Ok(())
}

/// The version pinned in `tools/peers/requirements.txt`.
fn locked_pip(name: &str) -> String {
    read(&root().join("tools/peers/requirements.txt"))
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}==")))
        .unwrap_or("?")
        .to_string()
}

/// What the profiles of the RPC part showed (written by hand from
/// callgrind and valgrind's DHAT on the servers; update it when the
/// figures move).
const RPC_NOTES: &str = "#### Where the time goes, and what would reach the targets\n\nProfiled with \
callgrind (the table above; `rpc --valgrind-only` runs just that part) and valgrind's DHAT (`rpc \
--valgrind-only --valgrind-tool dhat`, allocation sites) on `rpc-server` answering sequential small unary \
calls and server-streaming calls; system calls counted with `perf stat` under `h2load`.\n\n- **Unary \
throughput (target met for both sizes).** The server's core is saturated in the closed-loop scenarios, so \
rates follow CPU per call. For small calls that is mostly instructions: 42.2 k per call against tonic's 55.6 \
k (1.32x). A call's first poll runs on its connection's task on a current-thread runtime (as here), so a \
unary call whose handler does not wait ends without a task of its own (about 3 k instructions), and the \
connection takes every stream h2 has ready before running any. For ~1 KB calls it was mostly system calls: \
h2 copies a DATA payload into its write buffer only under 256 bytes and flushes after each longer one, so \
every ~1 KB response cost a `writev` of its own (1.36 per call under h2load, 1.43 for tonic, which has the \
same h2 underneath), against 0.08 for small ones. The server and client now hold h2's writes until the end \
of each poll of the connection (`write_batch.rs`), and a batch of responses leaves in one write whatever \
their size (0.08 per call for ~1 KB too), at the cost of copying them once and about 600 instructions per \
sequential call. CPU per ~1 KB call fell from 1.24x tonic's to 1.87x. About half of the instructions left \
are h2's connection task (HPACK, the stream store, framing, h2's checks of the header names this crate \
built, about 3 k); an HTTP/2 layer specialised for gRPC (pre-encoded HPACK for the fixed response headers \
and trailers) would be the next step.\n- **Allocations per unary call: 7 against tonic's 35** (target met). \
What remains: h2's request header map (2), the trailers' header map (2), the call's boxed driver (1; a task \
on a multi-thread runtime), the call's shared state (1) and the decoded message's `name` string (1). The \
held bytes go into one buffer per thread, lent to a connection while it holds any, so batching adds no \
allocation per call and no memory per idle connection.\n- **Server streaming (target met).** Messages sent \
from the handler's task collect in one buffer and go to h2 as one DATA frame at 16 KiB \
(`limits::SEND_BATCH_BYTES`) or when the handler waits: a message costs an encode into the batch and nothing \
per message in h2.\n- **p99 latency (target 2x: missed in this run at every load, in ping-pong and at \
concurrency 1; met at 50%, 75% and 90% load in the previous full run, at `3aa07a4`, with 3.92x, 2.23x and \
2.69x).** The generator spins rather than sleeping, so the latencies do not include its own wake-ups. p50s \
are 31 to 74 µs, and protoforge-grpc's is lower or level at every load. The fixed-load p99s are 1.5 to 9 ms \
in both stacks, 20 to 230 times their p50s. They come from stalls of the machine (a 2-core VM whose kernel \
also runs page reclaim and memory monitoring, `kswapd` and `kdamond`), not from work in either server. In \
this run the generator itself issued 1% of its calls 0.1 to 2.9 ms late in its worst rounds (see the \
validity table), and the p99s vary by ±10% to ±40% between rounds. Where the server's own queue dominates \
(50% and above), protoforge-grpc's lower cost per call brings its tail to about half of tonic's in a quiet \
run (1.6x to 1.9x in this one). Where it does not (25% load, one call at a time), both tails are the \
machine's, and no change to the server was found that would halve them short of busy-polling, which would \
cost every user a core.\n- **Idle connections: 35.9 KiB of heap against 36.1 KiB.** Keepalive runs in the \
connection's own loop, plaintext and TLS connections are separate tasks, and the streams a connection takes \
from h2 and the bytes it holds for writing wait in per-thread buffers, so a plaintext connection's future is \
1.9 KB.\n";

/// What the codegen part showed (by hand; update it when the figures move).
const CODEGEN_NOTES: &str = "#### Where the time goes\n\n\
- **Generating** takes as long as prost-build + tonic-build in wall time on two cores and about twice \
their CPU (the files are built and formatted on several threads), and writes about twice the lines: \
besides what prost writes, protoforge's generator emits the codec functions (`compute_size`, `write`, \
`merge_field`) as source where prost derives them with a proc macro at build time. callgrind on the \
generator: 55% is `syn` parsing the token stream back for prettyplease, 12% prettyplease printing, 25% \
building tokens (the codec bodies are about half of what is parsed and printed), and malloc/free about \
38% of everything. What would reach half of prost's time: building `syn` items directly instead of \
re-parsing tokens, and fewer tokens per field in the codec bodies (shared generic helpers).\n\
- **Building** the output: `cargo llvm-lines` shows `compute_size` and `write` as most of the LLVM IR \
(39% and 27% before `compute_size` became `#[inline]`, which compiles it only where a message is \
encoded). With `write` `#[inline]` as well, release CPU for this crate fell from 46 s to 19 s in a \
separate measurement, but small_flat encode rose from 489 to 514 instructions (behind buffa's 501), so \
it is not adopted until the encode entry point is reworked. The debug build's cost is rustc's front end \
(type and borrow checking) on those same bodies.\n";
