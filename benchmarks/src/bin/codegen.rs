//! The code generation benchmark: how long protoforge's Rust generator
//! takes on a large schema set against prost-build + tonic-prost-build fed
//! the same `FileDescriptorSet`, and how long cargo takes to build a crate
//! of each one's output (debug and release), with lines of LLVM IR when
//! `cargo llvm-lines` is installed.
//!
//! The set is a sample of the googleapis tree of the corpus (every k-th
//! file, `--every`, so it spans the whole tree) with its imports and source
//! info (both generators turn comments into rustdoc), compiled once by
//! `protoforge`. Generation runs `gen-protoforge` and `gen-prost` as
//! separate processes under `/usr/bin/time`, in rotating order. The two
//! outputs become two crates of one scratch workspace under `--work`
//! (protoforge's depends on `protoforge` and `protoforge-grpc` by path;
//! prost's on prost, prost-types, tonic and tonic-prost, at the versions of
//! the workspace's Cargo.lock); their dependencies are built once, then
//! each round cleans one crate (`cargo clean -p`) and times `cargo build`
//! of it alone. The report is a Markdown fragment (`--out`).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use protoforge_benchmarks::stats::{median, paired_ratios, relative_iqr};

#[derive(Default)]
struct Args {
    protoforge: PathBuf,
    grpc_include: PathBuf,
    corpus: PathBuf,
    gen_protoforge: PathBuf,
    gen_prost: PathBuf,
    workspace: PathBuf,
    work: PathBuf,
    every: usize,
    rounds: usize,
    build_rounds: usize,
    llvm_lines: bool,
    out: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        every: 16,
        rounds: 3,
        build_rounds: 2,
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|e| format!("{e}"));
        match arg.as_str() {
            "--protoforge" => args.protoforge = value()?.into(),
            "--grpc-include" => args.grpc_include = value()?.into(),
            "--corpus" => args.corpus = value()?.into(),
            "--gen-protoforge" => args.gen_protoforge = value()?.into(),
            "--gen-prost" => args.gen_prost = value()?.into(),
            "--workspace" => args.workspace = value()?.into(),
            "--work" => args.work = value()?.into(),
            "--out" => args.out = Some(value()?.into()),
            "--every" => args.every = number(value()?)?.max(1),
            "--rounds" => args.rounds = number(value()?)?,
            "--build-rounds" => args.build_rounds = number(value()?)?,
            "--llvm-lines" => args.llvm_lines = true,
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    for (name, path) in [
        ("--protoforge", &args.protoforge),
        ("--corpus", &args.corpus),
        ("--gen-protoforge", &args.gen_protoforge),
        ("--gen-prost", &args.gen_prost),
        ("--workspace", &args.workspace),
        ("--work", &args.work),
    ] {
        if path.as_os_str().is_empty() {
            return Err(format!("{name} is required"));
        }
    }
    Ok(args)
}

/// The two generators, in report order.
const STACKS: [&str; 2] = ["protoforge", "prost + tonic"];

/// Wall time, CPU time (user + system) and peak RSS of one process.
#[derive(Clone, Copy, Debug)]
struct Run {
    wall: f64,
    cpu: f64,
    rss_kb: f64,
}

/// Runs `cmd` under `/usr/bin/time`, failing with its stderr.
fn timed(cmd: Command, stats: &Path, what: &str) -> Result<Run, String> {
    let mut timed = Command::new("/usr/bin/time");
    timed.args(["-f", "%e %U %S %M", "-o"]).arg(stats);
    timed.arg(cmd.get_program()).args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        timed.current_dir(dir);
    }
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    let output = timed.output().map_err(|e| {
        format!("{what}: {e} (is /usr/bin/time installed? Debian: apt-get install time)")
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(30).collect();
        return Err(format!(
            "{what} failed ({}):\n{}",
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ));
    }
    let text = std::fs::read_to_string(stats).map_err(|e| format!("{}: {e}", stats.display()))?;
    let f: Vec<f64> = text
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    match f[..] {
        [wall, user, sys, rss_kb] => Ok(Run {
            wall,
            cpu: user + sys,
            rss_kb,
        }),
        _ => Err(format!("cannot read /usr/bin/time output {text:?}")),
    }
}

fn proto_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            proto_files(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "proto") {
            if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
}

/// Files, lines and bytes of `.rs` under `dir`.
fn rust_size(dir: &Path) -> (usize, usize, u64) {
    let mut total = (0, 0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                total.0 += 1;
                total.1 += text.lines().count();
                total.2 += text.len() as u64;
            }
        }
    }
    total
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            std::fs::copy(&path, &target).map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The scratch workspace with one crate per generator's output.
fn make_crates(args: &Args, outputs: [&Path; 2], crates: &Path) -> Result<(), String> {
    if crates.exists() {
        for name in ["gen-protoforge", "gen-prost"] {
            let _ = std::fs::remove_dir_all(crates.join(name).join("src"));
        }
    }
    let root = args.workspace.display().to_string();
    write(
        &crates.join("Cargo.toml"),
        "# Made by the codegen benchmark (benchmarks/src/bin/codegen.rs); rewritten on every run.\n\
         [workspace]\nresolver = \"3\"\nmembers = [\"gen-protoforge\", \"gen-prost\"]\n",
    )?;
    if !crates.join("Cargo.lock").exists() {
        std::fs::copy(args.workspace.join("Cargo.lock"), crates.join("Cargo.lock"))
            .map_err(|e| format!("Cargo.lock: {e}"))?;
    }
    write(
        &crates.join("gen-protoforge/Cargo.toml"),
        &format!(
            "[package]\nname = \"gen-protoforge\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nprotoforge = {{ path = \"{root}/crates/protoforge\" }}\n\
             protoforge-grpc = {{ path = \"{root}/crates/protoforge-grpc\" }}\n"
        ),
    )?;
    write(
        &crates.join("gen-protoforge/src/lib.rs"),
        "//! protoforge's output for the benchmark's schema set.\n#![allow(warnings)]\npub mod generated;\n",
    )?;
    copy_dir(outputs[0], &crates.join("gen-protoforge/src/generated"))?;
    let version = |name: &str| locked(&args.workspace, name);
    write(
        &crates.join("gen-prost/Cargo.toml"),
        &format!(
            "[package]\nname = \"gen-prost\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nprost = \"={}\"\nprost-types = \"={}\"\ntonic = \"={}\"\ntonic-prost = \"={}\"\n",
            version("prost"),
            version("prost-types"),
            version("tonic"),
            version("tonic-prost"),
        ),
    )?;
    write(
        &crates.join("gen-prost/src/lib.rs"),
        "//! prost's and tonic's output for the benchmark's schema set.\n#![allow(warnings)]\ninclude!(\"generated/mod.rs\");\n",
    )?;
    copy_dir(outputs[1], &crates.join("gen-prost/src/generated"))?;
    Ok(())
}

fn locked(workspace: &Path, name: &str) -> String {
    let lock = std::fs::read_to_string(workspace.join("Cargo.lock")).unwrap_or_default();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{name}\"") {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = ")) {
                return v.trim_matches('"').to_string();
            }
        }
    }
    "*".to_string()
}

fn cargo(crates: &Path) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(crates);
    cmd.env("CARGO_TARGET_DIR", crates.join("target"));
    cmd.env_remove("RUSTFLAGS");
    cmd
}

fn run_cargo(crates: &Path, args: &[&str]) -> Result<(), String> {
    let output = cargo(crates)
        .args(args)
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
        Err(format!(
            "cargo {} failed:\n{}",
            args.join(" "),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ))
    }
}

/// `(lines, copies)` of LLVM IR from `cargo llvm-lines` (debug), if it is
/// installed.
fn llvm_lines(crates: &Path, package: &str) -> Result<(f64, f64), String> {
    let output = cargo(crates)
        .args(["llvm-lines", "-p", package, "--lib"])
        .output()
        .map_err(|e| format!("cargo llvm-lines: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let total = text
        .lines()
        .find(|l| l.trim_end().ends_with("(TOTAL)"))
        .ok_or_else(|| {
            format!(
                "cargo llvm-lines printed no total:\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    let numbers: Vec<f64> = total
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    match numbers[..] {
        [lines, copies, ..] => Ok((lines, copies)),
        _ => Err(format!("cannot read {total:?}")),
    }
}

fn fmt_s(s: f64) -> String {
    if s >= 10.0 {
        format!("{s:.1} s")
    } else {
        format!("{s:.2} s")
    }
}

fn cell(runs: &[Run], f: fn(&Run) -> f64) -> String {
    let v: Vec<f64> = runs.iter().map(f).collect();
    if v.len() > 2 {
        format!("{} ±{:.0}%", fmt_s(median(&v)), relative_iqr(&v) * 50.0)
    } else {
        fmt_s(median(&v))
    }
}

/// prost + tonic / protoforge, paired by round: above 1.00x protoforge is
/// faster.
fn ratio(runs: &[Vec<Run>; 2], f: fn(&Run) -> f64) -> f64 {
    let ours: Vec<f64> = runs[0].iter().map(f).collect();
    let theirs: Vec<f64> = runs[1].iter().map(f).collect();
    median(&paired_ratios(&theirs, &ours))
}

fn target_note(r: f64) -> &'static str {
    if r >= 2.0 { "met" } else { "missed" }
}

fn run(args: &mut Args) -> Result<String, String> {
    std::fs::create_dir_all(&args.work).map_err(|e| format!("{}: {e}", args.work.display()))?;
    // Cargo runs in the scratch workspace: every path must be absolute.
    args.work =
        std::fs::canonicalize(&args.work).map_err(|e| format!("{}: {e}", args.work.display()))?;
    args.workspace = std::fs::canonicalize(&args.workspace)
        .map_err(|e| format!("{}: {e}", args.workspace.display()))?;
    let root = args.corpus.join("googleapis");
    if !root.is_dir() {
        return Err(format!(
            "the googleapis corpus is missing at {} (set PROTOFORGE_CORPUS)",
            root.display()
        ));
    }
    let mut files = Vec::new();
    proto_files(&root, &root, &mut files);
    files.retain(|f| !f.starts_with("preview/"));
    files.sort();
    let all = files.len();
    let files: Vec<String> = files.into_iter().step_by(args.every).collect();
    let list = args.work.join("files.args");
    write(&list, &(files.join("\n") + "\n"))?;
    let set = args.work.join("set.pb");
    let mut compile = Command::new(&args.protoforge);
    compile.arg(format!("-I{}", root.display()));
    if !args.grpc_include.as_os_str().is_empty() {
        compile.arg(format!("-I{}", args.grpc_include.display()));
    }
    let output = compile
        .args(["--include_imports", "--include_source_info"])
        .arg(format!("-o{}", set.display()))
        .arg(format!("@{}", list.display()))
        .output()
        .map_err(|e| format!("protoforge: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "compiling the set failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let set_files = protoforge::UnknownFields::from_bytes(
        &std::fs::read(&set).map_err(|e| format!("{}: {e}", set.display()))?,
    )
    .map(|f| f.iter().filter(|f| f.number == 1).count())
    .unwrap_or(0);

    // Generation.
    let outputs = [
        args.work.join("out/protoforge"),
        args.work.join("out/prost"),
    ];
    let bins = [&args.gen_protoforge, &args.gen_prost];
    let mut gen_runs: [Vec<Run>; 2] = [Vec::new(), Vec::new()];
    for round in 0..args.rounds {
        for k in 0..2 {
            let i = (k + round) % 2;
            eprint!(
                "\rcodegen: generate round {}/{} {:<14}",
                round + 1,
                args.rounds,
                STACKS[i]
            );
            let _ = std::fs::remove_dir_all(&outputs[i]);
            std::fs::create_dir_all(&outputs[i])
                .map_err(|e| format!("{}: {e}", outputs[i].display()))?;
            let mut cmd = Command::new(bins[i]);
            cmd.arg(&set).arg(&outputs[i]);
            gen_runs[i].push(timed(cmd, &args.work.join("gen.time"), STACKS[i])?);
        }
    }
    eprintln!();
    let sizes = [rust_size(&outputs[0]), rust_size(&outputs[1])];

    // Building.
    let crates = args.work.join("crates");
    make_crates(args, [&outputs[0], &outputs[1]], &crates)?;
    let packages = ["gen-protoforge", "gen-prost"];
    let profiles: [(&str, &[&str]); 2] = [("debug", &[]), ("release", &["--release"])];
    let mut build_runs: Vec<[Vec<Run>; 2]> = Vec::new();
    for (profile, flags) in profiles {
        eprintln!("codegen: building dependencies ({profile})");
        let mut warm = vec!["build", "-p", packages[0], "-p", packages[1]];
        warm.extend_from_slice(flags);
        run_cargo(&crates, &warm)?;
        let mut runs: [Vec<Run>; 2] = [Vec::new(), Vec::new()];
        for round in 0..args.build_rounds {
            for k in 0..2 {
                let i = (k + round) % 2;
                eprint!(
                    "\rcodegen: build {profile} round {}/{} {:<14}",
                    round + 1,
                    args.build_rounds,
                    STACKS[i]
                );
                let mut clean = vec!["clean", "-p", packages[i]];
                clean.extend_from_slice(flags);
                run_cargo(&crates, &clean)?;
                let mut cmd = cargo(&crates);
                cmd.args(["build", "-p", packages[i]]).args(flags);
                runs[i].push(timed(cmd, &args.work.join("build.time"), packages[i])?);
            }
        }
        eprintln!();
        build_runs.push(runs);
    }
    let lines = if args.llvm_lines {
        eprintln!("codegen: cargo llvm-lines");
        Some([
            llvm_lines(&crates, packages[0]),
            llvm_lines(&crates, packages[1]),
        ])
    } else {
        None
    };

    let mut out = String::new();
    let _ = writeln!(
        out,
        "Input: every {}th file of the googleapis tree of the corpus ({} of {all} files, `preview/` left \
         out), with imports and source info: {set_files} files in one `FileDescriptorSet`, compiled once by \
         protoforge. Both generators read that set and write clients and servers for every service: \
         `gen-protoforge` (protoforge-codegen from the descriptor set, `Services::BOTH`, one file per \
         package; `google/protobuf` maps to the runtime's types) and `gen-prost` (tonic-prost-build {} \
         `compile_fds` with clients and servers and an include file; `google/protobuf` maps to \
         prost-types). Both format their output with prettyplease. Each generator is a separate process \
         under `/usr/bin/time`, {} rounds in rotating order; medians (±half the interquartile range with \
         more than two rounds) and ratios paired by round (prost + tonic / protoforge: above 1.00x \
         protoforge is faster). Target (issue 7): at most half of prost + tonic (2.00x).\n",
        args.every,
        files.len(),
        locked(&args.workspace, "tonic-prost-build"),
        args.rounds,
    );
    let _ = writeln!(out, "#### Generating Rust\n");
    let _ = writeln!(
        out,
        "| generator | wall | CPU (user+sys) | peak RSS | output | protoforge faster (wall) | protoforge less CPU |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|");
    for i in 0..2 {
        let (wall_ratio, cpu_ratio) = if i == 0 {
            ("—".to_string(), "—".to_string())
        } else {
            let w = ratio(&gen_runs, |r| r.wall);
            let c = ratio(&gen_runs, |r| r.cpu);
            (format!("{w:.2}x ({})", target_note(w)), format!("{c:.2}x"))
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.0} MB | {} files, {} lines, {:.1} MB | {wall_ratio} | {cpu_ratio} |",
            STACKS[i],
            cell(&gen_runs[i], |r| r.wall),
            cell(&gen_runs[i], |r| r.cpu),
            median(&gen_runs[i].iter().map(|r| r.rss_kb).collect::<Vec<_>>()) / 1024.0,
            sizes[i].0,
            sizes[i].1,
            sizes[i].2 as f64 / 1e6,
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "#### Building the generated code\n\n\
         Each output is the whole source of a library crate (`gen-protoforge` depends on `protoforge` and \
         `protoforge-grpc`; `gen-prost` on prost, prost-types, tonic and tonic-prost, the versions of \
         Cargo.lock), in a scratch workspace with cargo's default profiles. Dependencies are built first; \
         then each round runs `cargo clean -p CRATE` and times `cargo build -p CRATE`, so the figure is \
         the generated crate alone (rustc's front end, type checking, code generation; in release, \
         optimisation). {} rounds per profile, crates in rotating order. CPU is the sum over rustc's \
         threads.\n",
        args.build_rounds
    );
    let _ = writeln!(
        out,
        "| profile | crate | wall | CPU (user+sys) | peak RSS | protoforge faster (wall) | protoforge less CPU |"
    );
    let _ = writeln!(out, "|---|---|--:|--:|--:|--:|--:|");
    for (p, runs) in build_runs.iter().enumerate() {
        for i in 0..2 {
            let (wall_ratio, cpu_ratio) = if i == 0 {
                ("—".to_string(), "—".to_string())
            } else {
                let w = ratio(runs, |r| r.wall);
                let c = ratio(runs, |r| r.cpu);
                (
                    format!("{w:.2}x ({})", target_note(w)),
                    format!("{c:.2}x ({})", target_note(c)),
                )
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {:.0} MB | {wall_ratio} | {cpu_ratio} |",
                profiles[p].0,
                STACKS[i],
                cell(&runs[i], |r| r.wall),
                cell(&runs[i], |r| r.cpu),
                median(&runs[i].iter().map(|r| r.rss_kb).collect::<Vec<_>>()) / 1024.0,
            );
        }
    }
    let _ = writeln!(out);
    match lines {
        Some([Ok(ours), Ok(theirs)]) => {
            let _ = writeln!(
                out,
                "#### LLVM IR\n\n`cargo llvm-lines -p CRATE --lib` (debug): lines of LLVM IR handed to \
                 the back end, and the number of monomorphised copies of functions.\n\n\
                 | crate | lines of LLVM IR | copies | prost + tonic / protoforge (lines) |\n|---|--:|--:|--:|\n\
                 | protoforge | {:.0} | {:.0} | — |\n| prost + tonic | {:.0} | {:.0} | {:.2}x |\n",
                ours.0,
                ours.1,
                theirs.0,
                theirs.1,
                theirs.0 / ours.0
            );
        }
        Some([a, b]) => {
            let e = a.err().or(b.err()).unwrap_or_default();
            let _ = writeln!(out, "`cargo llvm-lines` failed: {e}\n");
        }
        None => {
            let _ = writeln!(
                out,
                "`cargo llvm-lines` is not installed (`cargo install cargo-llvm-lines`), so there are no \
                 LLVM IR line counts.\n"
            );
        }
    }
    Ok(out)
}

fn main() -> ExitCode {
    let mut args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "codegen: {e}\nusage: codegen --protoforge BIN --grpc-include DIR --corpus DIR \
                 --gen-protoforge BIN --gen-prost BIN --workspace DIR --work DIR [--every K] [--rounds N] \
                 [--build-rounds N] [--llvm-lines] [--out FILE]"
            );
            return ExitCode::FAILURE;
        }
    };
    match run(&mut args) {
        Ok(text) => match &args.out {
            Some(path) => match std::fs::write(path, text) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("codegen: {}: {e}", path.display());
                    ExitCode::FAILURE
                }
            },
            None => {
                print!("{text}");
                ExitCode::SUCCESS
            }
        },
        Err(e) => {
            eprintln!("codegen: {e}");
            ExitCode::FAILURE
        }
    }
}
