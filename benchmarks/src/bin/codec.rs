//! The codec benchmark: encode and decode time per message shape for
//! protoforge, prost and buffa, interleaved in one process per case.
//!
//! Each (case, operation) is measured in a child process of its own (the
//! heap left by another case changes allocation speed); there, each round
//! times one sample of every runtime, in a rotating order, so a burst of
//! load from another process hits all three alike; ratios are paired
//! within a round. A sample is a loop calibrated to last about
//! `--sample-ms`. The report is a Markdown
//! fragment (`--out`), and every sample goes to `--raw` as TSV.
//!
//! `--callgrind` adds a table of instructions per operation counted by
//! valgrind's callgrind (deterministic, so unaffected by load): each case
//! runs under valgrind at two iteration counts, and the difference divided
//! by the difference in iterations is the cost of one operation, without
//! the set-up. `--only CASE/RUNTIME/OP --iters N` runs one loop and exits
//! (what the callgrind mode runs, also handy under a profiler).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write as _;
use std::process::{Command, ExitCode};
use std::time::Instant;

use protoforge_benchmarks::shapes::{self, Case, IMPLEMENTATIONS};
use protoforge_benchmarks::stats::{geomean, median, paired_ratios, relative_iqr};

const OPS: [&str; 2] = ["encode", "decode"];

struct Args {
    rounds: usize,
    sample_ms: f64,
    out: Option<String>,
    raw: Option<String>,
    callgrind: bool,
    only: Option<String>,
    iters: u64,
    filter: Option<String>,
    measure: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        rounds: 15,
        sample_ms: 20.0,
        out: None,
        raw: None,
        callgrind: false,
        only: None,
        iters: 1000,
        filter: None,
        measure: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--rounds" => args.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--sample-ms" => {
                args.sample_ms = value()?.parse().map_err(|e| format!("--sample-ms: {e}"))?
            }
            "--out" => args.out = Some(value()?),
            "--raw" => args.raw = Some(value()?),
            "--callgrind" => args.callgrind = true,
            "--only" => args.only = Some(value()?),
            "--filter" => args.filter = Some(value()?),
            "--measure" => args.measure = Some(value()?),
            "--iters" => args.iters = value()?.parse().map_err(|e| format!("--iters: {e}"))?,
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    Ok(args)
}

fn all_cases() -> Vec<Case> {
    let mut cases = shapes::shapes();
    cases.extend(shapes::depth_series());
    cases
}

fn run(case: &Case, runtime: usize, op: usize, n: u64) {
    let runner = &case.runners[runtime];
    if op == 0 {
        (runner.encode)(n)
    } else {
        (runner.decode)(n)
    }
}

/// Iterations for a sample of about `ms` milliseconds.
fn calibrate(case: &Case, runtime: usize, op: usize, ms: f64) -> u64 {
    let mut n = 1u64;
    loop {
        let start = Instant::now();
        run(case, runtime, op, n);
        let elapsed = start.elapsed().as_secs_f64() * 1e3;
        if elapsed >= ms / 4.0 || n >= 1 << 30 {
            return ((n as f64 * ms / elapsed.max(1e-6)).ceil() as u64).max(1);
        }
        n *= 4;
    }
}

/// ns per operation, `[case][op][runtime][round]`.
type Samples = Vec<[Vec<Vec<f64>>; 2]>;

/// The rounds of one case and operation, in this process: `[runtime][round]`.
fn measure_one(case: &Case, op: usize, rounds: usize, sample_ms: f64) -> Vec<Vec<f64>> {
    let iters: Vec<u64> = (0..IMPLEMENTATIONS.len())
        .map(|rt| calibrate(case, rt, op, sample_ms))
        .collect();
    let mut samples = vec![Vec::new(); IMPLEMENTATIONS.len()];
    for round in 0..rounds {
        for k in 0..IMPLEMENTATIONS.len() {
            let rt = (k + round) % IMPLEMENTATIONS.len();
            let start = Instant::now();
            run(case, rt, op, iters[rt]);
            samples[rt].push(start.elapsed().as_nanos() as f64 / iters[rt] as f64);
        }
    }
    samples
}

/// Every case and operation, each in a child process of its own (running
/// [`measure_one`]): the allocator's state left by one case (large frees,
/// fragmentation) changes the speed of the next case's small allocations
/// by up to 2x, so cases must not share a heap. Within a child, the
/// runtimes share one heap and are interleaved round by round.
fn measure(cases: &[Case], rounds: usize, sample_ms: f64) -> Result<Samples, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let mut samples: Samples = Vec::new();
    for case in cases {
        let mut per_op = [Vec::new(), Vec::new()];
        for (op, slot) in per_op.iter_mut().enumerate() {
            eprint!("\rcodec: {:<16} {:<6}", case.name, OPS[op]);
            let output = Command::new(&exe)
                .args(["--measure", &format!("{}/{}", case.name, OPS[op])])
                .args(["--rounds", &rounds.to_string()])
                .args(["--sample-ms", &sample_ms.to_string()])
                .output()
                .map_err(|e| format!("running {}: {e}", exe.display()))?;
            if !output.status.success() {
                return Err(format!(
                    "measuring {}/{} failed:\n{}",
                    case.name,
                    OPS[op],
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
            let mut per_rt = vec![Vec::new(); IMPLEMENTATIONS.len()];
            for line in String::from_utf8_lossy(&output.stdout).lines() {
                let mut fields = line.split('\t');
                if let (Some(Ok(rt)), Some(Ok(ns))) = (
                    fields.next().map(str::parse::<usize>),
                    fields.next().map(str::parse::<f64>),
                ) {
                    if let Some(v) = per_rt.get_mut(rt) {
                        v.push(ns);
                    }
                }
            }
            *slot = per_rt;
        }
        samples.push(per_op);
    }
    eprintln!();
    Ok(samples)
}

/// Instructions per operation under callgrind, `[case][op][runtime]`.
fn count_instructions(cases: &[Case]) -> Result<Vec<[Vec<f64>; 2]>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let collected = |spec: &str, iters: u64| -> Result<f64, String> {
        let output = Command::new("valgrind")
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(&exe)
            .args(["--only", spec, "--iters", &iters.to_string()])
            .output()
            .map_err(|e| format!("valgrind: {e} (Debian: apt-get install valgrind)"))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(format!("valgrind failed on {spec}:\n{stderr}"));
        }
        stderr
            .lines()
            .find_map(|l| l.split("Collected :").nth(1))
            .and_then(|n| n.trim().parse::<f64>().ok())
            .ok_or_else(|| format!("no instruction count from callgrind for {spec}:\n{stderr}"))
    };
    let mut out = Vec::new();
    for case in cases {
        // Enough iterations that the per-operation cost dominates set-up
        // noise, few enough that valgrind stays quick on large shapes.
        let base = (2_000_000 / (case.len as u64 + 200)).clamp(20, 20_000);
        let mut per_op = [Vec::new(), Vec::new()];
        for (op, counts) in per_op.iter_mut().enumerate() {
            for rt in IMPLEMENTATIONS {
                let spec = format!("{}/{rt}/{}", case.name, OPS[op]);
                eprint!("\rcallgrind: {spec:<40}");
                let low = collected(&spec, base)?;
                let high = collected(&spec, 3 * base)?;
                counts.push((high - low) / (2 * base) as f64);
            }
        }
        out.push(per_op);
    }
    eprintln!();
    Ok(out)
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 100_000.0 {
        format!("{:.0} µs", ns / 1000.0)
    } else if ns >= 10_000.0 {
        format!("{:.1} µs", ns / 1000.0)
    } else if ns >= 1000.0 {
        format!("{:.2} µs", ns / 1000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

fn fmt_count(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.2} M", n / 1e6)
    } else if n >= 1e4 {
        format!("{:.1} k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

/// The timing table of one operation over `range` of the cases.
fn timing_table(
    out: &mut String,
    cases: &[Case],
    samples: &Samples,
    op: usize,
    range: std::ops::Range<usize>,
    with_geomean: bool,
) {
    let _ = writeln!(
        out,
        "| shape | bytes | protoforge | prost | buffa | protoforge MB/s | vs prost | vs buffa |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|");
    let mut vs = [Vec::new(), Vec::new()];
    for c in range {
        let s = &samples[c][op];
        let ours = median(&s[0]);
        let mut row = format!("| {} | {} |", cases[c].name, cases[c].len);
        for rt in s {
            let _ = write!(
                row,
                " {} ±{:.0}% |",
                fmt_ns(median(rt)),
                relative_iqr(rt) * 50.0
            );
        }
        let _ = write!(row, " {:.0} |", cases[c].len as f64 / ours * 1e3);
        for (peer, acc) in vs.iter_mut().enumerate() {
            let ratio = median(&paired_ratios(&s[peer + 1], &s[0]));
            acc.push(ratio);
            let _ = write!(row, " {ratio:.2}x |");
        }
        let _ = writeln!(out, "{row}");
    }
    if with_geomean {
        let _ = writeln!(
            out,
            "| **geometric mean** | | | | | | **{:.2}x** | **{:.2}x** |",
            geomean(&vs[0]),
            geomean(&vs[1])
        );
    }
}

fn report(
    cases: &[Case],
    shape_count: usize,
    samples: &Samples,
    instructions: Option<&[[Vec<f64>; 2]]>,
    args: &Args,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Times are medians of {} interleaved rounds (one sample per runtime per round, about {} ms each, \
         runtimes in rotating order); ±x% is half the interquartile range across rounds. \
         \"vs prost\" is the median over rounds of prost's time divided by protoforge's in the same round: \
         above 1.00x protoforge is faster. Encoding is into a reused `Vec<u8>`; decoding is from a \
         `bytes::Bytes` buffer (each runtime's zero-copy path for `bytes` fields), dropping the message.\n",
        args.rounds, args.sample_ms
    );
    for (op, name) in OPS.iter().enumerate() {
        let _ = writeln!(out, "#### {name}\n");
        timing_table(&mut out, cases, samples, op, 0..shape_count, true);
        let _ = writeln!(out);
    }
    if let Some(instructions) = instructions {
        let _ = writeln!(
            out,
            "#### Instructions per operation (callgrind)\n\n\
             Counted by valgrind's callgrind, which is deterministic and so unaffected by the load on \
             the machine: each loop runs at two iteration counts and the difference is divided by the \
             difference in iterations. Ratios are peer / protoforge (above 1.00x protoforge executes \
             fewer instructions). Instructions are not time (cache misses, branch mispredictions and \
             instruction-level parallelism differ), but they are what the optimisation work used to \
             decide between variants.\n"
        );
        let _ = writeln!(
            out,
            "| shape | op | protoforge | prost | buffa | vs prost | vs buffa |"
        );
        let _ = writeln!(out, "|---|---|--:|--:|--:|--:|--:|");
        let mut vs = [[Vec::new(), Vec::new()], [Vec::new(), Vec::new()]];
        for (c, per_op) in instructions.iter().enumerate() {
            for (op, counts) in per_op.iter().enumerate() {
                let r_prost = counts[1] / counts[0];
                let r_buffa = counts[2] / counts[0];
                if c < shape_count {
                    vs[op][0].push(r_prost);
                    vs[op][1].push(r_buffa);
                }
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {r_prost:.2}x | {r_buffa:.2}x |",
                    cases[c].name,
                    OPS[op],
                    fmt_count(counts[0]),
                    fmt_count(counts[1]),
                    fmt_count(counts[2]),
                );
            }
        }
        for (op, name) in OPS.iter().enumerate() {
            let _ = writeln!(
                out,
                "| **geometric mean, five shapes** | {name} | | | | **{:.2}x** | **{:.2}x** |",
                geomean(&vs[op][0]),
                geomean(&vs[op][1])
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "#### Nesting depth\n\n\
         A chain of nodes, each with an id, a name and a one-field submessage, nested `depth` deep \
         (the recursion limit of all three decoders is 100). protoforge computes every submessage's \
         length once per encode (a size pass recording lengths in order); prost's `encoded_len` is \
         recomputed by every enclosing level while writing, so its encode cost grows with depth squared.\n"
    );
    for (op, name) in OPS.iter().enumerate() {
        let _ = writeln!(out, "{name}:\n");
        timing_table(
            &mut out,
            cases,
            samples,
            op,
            shape_count..cases.len(),
            false,
        );
        let _ = writeln!(out);
    }
    out
}

fn raw_tsv(cases: &[Case], samples: &Samples) -> String {
    let mut out = String::from("case\tbytes\top\truntime\tround\tns_per_op\n");
    for (c, case) in cases.iter().enumerate() {
        for (op, per_rt) in samples[c].iter().enumerate() {
            for (rt, rounds) in per_rt.iter().enumerate() {
                for (round, ns) in rounds.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{round}\t{ns:.2}",
                        case.name, case.len, OPS[op], IMPLEMENTATIONS[rt]
                    );
                }
            }
        }
    }
    out
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!(
                "codec: {e}\nusage: codec [--rounds N] [--sample-ms MS] [--out FILE] [--raw FILE] [--callgrind] [--filter TEXT]\n       codec --only CASE/RUNTIME/OP --iters N"
            );
            return ExitCode::FAILURE;
        }
    };
    let mut cases = all_cases();
    if let Some(spec) = &args.measure {
        // A child of `measure`: one case and operation, samples on stdout.
        let found = spec.split_once('/').and_then(|(case, op)| {
            let op = OPS.iter().position(|o| *o == op)?;
            Some((cases.iter().find(|c| c.name == case)?, op))
        });
        let Some((case, op)) = found else {
            eprintln!("codec: no case {spec} (CASE/OP)");
            return ExitCode::FAILURE;
        };
        let mut text = String::new();
        for (rt, rounds) in measure_one(case, op, args.rounds, args.sample_ms)
            .iter()
            .enumerate()
        {
            for ns in rounds {
                let _ = writeln!(text, "{rt}\t{ns}");
            }
        }
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    let mut shape_count = shapes::shapes().len();
    if let Some(filter) = &args.filter {
        shape_count = cases[..shape_count]
            .iter()
            .filter(|c| c.name.contains(filter.as_str()))
            .count();
        cases.retain(|c| c.name.contains(filter.as_str()));
    }
    if let Some(spec) = &args.only {
        let parts: Vec<&str> = spec.split('/').collect();
        let found = match parts.as_slice() {
            [case, rt, op] => cases.iter().find(|c| c.name == *case).and_then(|c| {
                let rt = IMPLEMENTATIONS.iter().position(|r| r == rt)?;
                let op = OPS.iter().position(|o| o == op)?;
                Some((c, rt, op))
            }),
            _ => None,
        };
        let Some((case, rt, op)) = found else {
            eprintln!("codec: no case {spec} (CASE/RUNTIME/OP)");
            return ExitCode::FAILURE;
        };
        run(case, rt, op, args.iters);
        return ExitCode::SUCCESS;
    }
    let instructions = if args.callgrind {
        match count_instructions(&cases) {
            Ok(counts) => Some(counts),
            Err(e) => {
                eprintln!("codec: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    let samples = match measure(&cases, args.rounds, args.sample_ms) {
        Ok(samples) => samples,
        Err(e) => {
            eprintln!("codec: {e}");
            return ExitCode::FAILURE;
        }
    };
    let text = report(
        &cases,
        shape_count,
        &samples,
        instructions.as_deref(),
        &args,
    );
    if let Some(raw) = &args.raw {
        if let Err(e) = std::fs::write(raw, raw_tsv(&cases, &samples)) {
            eprintln!("codec: {raw}: {e}");
            return ExitCode::FAILURE;
        }
    }
    match &args.out {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                eprintln!("codec: {path}: {e}");
                return ExitCode::FAILURE;
            }
        }
        None => print!("{text}"),
    }
    ExitCode::SUCCESS
}
