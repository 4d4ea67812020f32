//! The compiler benchmark: wall time, CPU time and peak memory to compile
//! the googleapis tree of the corpus (every `.proto` outside `preview/`,
//! which repeats `google/api` and cannot be compiled with the rest) into a
//! `FileDescriptorSet` with `--include_imports`, with and without
//! `--include_source_info`, for protoforge, protoc (the pinned
//! `grpcio-tools`), `buf build` and protox; and how compile time grows with
//! the number of files.
//!
//! Every run is a separate process under `/usr/bin/time` (its wall time,
//! user and system CPU time and maximum resident set size). Rounds
//! interleave the tools in rotating order, so load from other processes
//! lands on all of them; the report gives medians, the spread, and ratios
//! paired by round. Outputs are compared with protoc's, byte for byte,
//! whole and per file. The report is a Markdown fragment (`--out`).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use protoforge::{UnknownFields, UnknownValue};
use protoforge_benchmarks::stats::{median, paired_ratios, relative_iqr};

/// The file-count fractions of the scaling table.
const FRACTIONS: [usize; 4] = [16, 8, 4, 2];

#[derive(Default)]
struct Args {
    protoforge: PathBuf,
    python: PathBuf,
    grpc_include: PathBuf,
    buf: PathBuf,
    protox: PathBuf,
    corpus: PathBuf,
    work: PathBuf,
    rounds: usize,
    scaling_rounds: usize,
    /// Keep every k-th file only (quick checks of the benchmark itself).
    every: usize,
    out: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        rounds: 5,
        scaling_rounds: 3,
        every: 1,
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .map(PathBuf::from)
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--protoforge" => args.protoforge = value()?,
            "--python" => args.python = value()?,
            "--grpc-include" => args.grpc_include = value()?,
            "--buf" => args.buf = value()?,
            "--protox" => args.protox = value()?,
            "--corpus" => args.corpus = value()?,
            "--work" => args.work = value()?,
            "--out" => args.out = Some(value()?),
            "--rounds" => {
                args.rounds = value()?
                    .to_string_lossy()
                    .parse()
                    .map_err(|e| format!("--rounds: {e}"))?
            }
            "--every" => {
                args.every = value()?
                    .to_string_lossy()
                    .parse()
                    .map_err(|e| format!("--every: {e}"))?
            }
            "--scaling-rounds" => {
                args.scaling_rounds = value()?
                    .to_string_lossy()
                    .parse()
                    .map_err(|e| format!("--scaling-rounds: {e}"))?
            }
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    for (name, path) in [
        ("--protoforge", &args.protoforge),
        ("--python", &args.python),
        ("--buf", &args.buf),
        ("--protox", &args.protox),
        ("--corpus", &args.corpus),
        ("--work", &args.work),
    ] {
        if path.as_os_str().is_empty() {
            return Err(format!("{name} is required"));
        }
    }
    Ok(args)
}

/// The compilers measured, in report order (protoc, the reference, second).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tool {
    Protoforge,
    Protoc,
    Buf,
    Protox,
}

const TOOLS: [Tool; 4] = [Tool::Protoforge, Tool::Protoc, Tool::Buf, Tool::Protox];

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Protoforge => "protoforge",
            Tool::Protoc => "protoc",
            Tool::Buf => "buf build",
            Tool::Protox => "protox",
        }
    }
}

/// One measured run.
#[derive(Clone, Copy, Debug)]
struct Run {
    wall: f64,
    cpu: f64,
    max_rss_kb: f64,
}

/// The files to compile and how to name them to each tool.
struct Input {
    /// Import names, relative to the googleapis root.
    files: Vec<String>,
    /// `@` argument file listing `files`.
    list: PathBuf,
    /// Whether this is the whole tree (buf is then given the directory).
    whole: bool,
}

fn command(tool: Tool, args: &Args, input: &Input, source_info: bool, out: &Path) -> Command {
    let root = args.corpus.join("googleapis");
    let protoc_style = |cmd: &mut Command, google_include: bool| {
        cmd.arg(format!("-I{}", root.display()));
        if google_include {
            cmd.arg(format!("-I{}", args.grpc_include.display()));
        }
        cmd.arg("--include_imports");
        if source_info {
            cmd.arg("--include_source_info");
        }
        cmd.arg(format!("-o{}", out.display()));
        cmd.arg(format!("@{}", input.list.display()));
    };
    let mut cmd = Command::new("/usr/bin/time");
    cmd.args(["-f", "%e %U %S %M", "-o"])
        .arg(out.with_extension("time"));
    match tool {
        Tool::Protoforge => {
            cmd.arg(&args.protoforge);
            protoc_style(&mut cmd, true);
        }
        Tool::Protoc => {
            cmd.arg(&args.python).args(["-m", "grpc_tools.protoc"]);
            protoc_style(&mut cmd, true);
        }
        Tool::Protox => {
            // protox cannot parse protoc 35's descriptor.proto (editions
            // syntax), so it uses its own built-in Google files.
            cmd.arg(&args.protox);
            protoc_style(&mut cmd, false);
        }
        Tool::Buf => {
            cmd.arg(&args.buf).arg("build").arg(&root);
            if input.whole {
                cmd.arg("--exclude-path").arg(root.join("preview"));
            } else {
                for file in &input.files {
                    cmd.arg("--path").arg(root.join(file));
                }
            }
            if !source_info {
                cmd.arg("--exclude-source-info");
            }
            cmd.arg("--as-file-descriptor-set").arg("-o").arg(out);
        }
    }
    cmd
}

fn run_once(
    tool: Tool,
    args: &Args,
    input: &Input,
    source_info: bool,
    out: &Path,
) -> Result<Run, String> {
    let mut cmd = command(tool, args, input, source_info, out);
    let output = cmd.output().map_err(|e| {
        format!(
            "running {}: {e} (is /usr/bin/time installed? Debian: apt-get install time)",
            tool.name()
        )
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.contains("warning"))
            .take(10)
            .collect();
        return Err(format!(
            "{} failed ({}):\n{}",
            tool.name(),
            output.status,
            errors.join("\n")
        ));
    }
    let stats_path = out.with_extension("time");
    let stats = std::fs::read_to_string(&stats_path)
        .map_err(|e| format!("{}: {e}", stats_path.display()))?;
    let fields: Vec<f64> = stats
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    match fields.as_slice() {
        [wall, user, sys, rss] => Ok(Run {
            wall: *wall,
            cpu: user + sys,
            max_rss_kb: *rss,
        }),
        _ => Err(format!("cannot read /usr/bin/time output {stats:?}")),
    }
}

/// `(name, bytes)` of every file in a `FileDescriptorSet`, in order; read
/// with protoforge's own unknown-field parser.
fn split_set(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let set = UnknownFields::from_bytes(bytes).map_err(|e| format!("not a descriptor set: {e}"))?;
    let mut files = Vec::new();
    for field in set.iter() {
        if let (1, UnknownValue::Len(file)) = (field.number, field.value) {
            let fields = UnknownFields::from_bytes(file)
                .map_err(|e| format!("not a file descriptor: {e}"))?;
            let name = fields
                .iter()
                .find_map(|f| match (f.number, f.value) {
                    (1, UnknownValue::Len(n)) => Some(String::from_utf8_lossy(n).into_owned()),
                    _ => None,
                })
                .unwrap_or_default();
            files.push((name, file.to_vec()));
        }
    }
    Ok(files)
}

/// How an output compares with protoc's.
fn identity(ours: &[u8], reference: &[u8]) -> String {
    if ours == reference {
        return "identical".to_string();
    }
    let (Ok(a), Ok(b)) = (split_set(ours), split_set(reference)) else {
        return "unreadable".to_string();
    };
    let theirs: BTreeMap<&str, &[u8]> = b.iter().map(|(n, f)| (n.as_str(), f.as_slice())).collect();
    let same = a
        .iter()
        .filter(|(n, f)| theirs.get(n.as_str()) == Some(&f.as_slice()))
        .count();
    let order = if a.iter().map(|(n, _)| n).eq(b.iter().map(|(n, _)| n)) {
        "same file order"
    } else {
        "other file order"
    };
    format!("{same} / {} files identical, {order}", b.len())
}

fn fmt_s(s: f64) -> String {
    if s >= 10.0 {
        format!("{s:.1} s")
    } else {
        format!("{s:.2} s")
    }
}

/// `samples[tool][round]`.
fn measure(
    args: &Args,
    input: &Input,
    source_info: bool,
    tools: &[Tool],
    rounds: usize,
    label: &str,
) -> Result<(Vec<Vec<Run>>, Vec<String>), String> {
    let mut samples: Vec<Vec<Run>> = vec![Vec::new(); tools.len()];
    let mut identities = vec![String::new(); tools.len()];
    let reference_index = tools.iter().position(|t| *t == Tool::Protoc);
    for round in 0..rounds {
        for k in 0..tools.len() {
            let t = (k + round) % tools.len();
            eprint!(
                "\rcompile {label}: round {}/{rounds} {:<12}",
                round + 1,
                tools[t].name()
            );
            let out = args.work.join(format!(
                "{}-{}.pb",
                tools[t].name().replace(' ', "-"),
                if source_info { "si" } else { "plain" }
            ));
            samples[t].push(run_once(tools[t], args, input, source_info, &out)?);
        }
        if round == 0 {
            if let Some(r) = reference_index {
                let path = |t: Tool| {
                    args.work.join(format!(
                        "{}-{}.pb",
                        t.name().replace(' ', "-"),
                        if source_info { "si" } else { "plain" }
                    ))
                };
                let reference =
                    std::fs::read(path(Tool::Protoc)).map_err(|e| format!("protoc output: {e}"))?;
                for (i, t) in tools.iter().enumerate() {
                    if i != r {
                        let ours = std::fs::read(path(*t))
                            .map_err(|e| format!("{} output: {e}", t.name()))?;
                        identities[i] = identity(&ours, &reference);
                    } else {
                        identities[i] = "(reference)".to_string();
                    }
                }
            }
        }
    }
    eprintln!();
    Ok((samples, identities))
}

fn main_table(out: &mut String, tools: &[Tool], samples: &[Vec<Run>], identities: &[String]) {
    let protoc = tools.iter().position(|t| *t == Tool::Protoc).unwrap_or(1);
    let _ = writeln!(
        out,
        "| compiler | wall (median ±spread) | CPU (user+sys) | peak RSS | protoforge faster (wall) | protoforge less CPU | output vs protoc |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|---|");
    let wall = |t: usize| samples[t].iter().map(|r| r.wall).collect::<Vec<_>>();
    let cpu = |t: usize| samples[t].iter().map(|r| r.cpu).collect::<Vec<_>>();
    let rss = |t: usize| samples[t].iter().map(|r| r.max_rss_kb).collect::<Vec<_>>();
    for (t, tool) in tools.iter().enumerate() {
        let ratio = |f: &dyn Fn(usize) -> Vec<f64>| {
            if t == 0 {
                "—".to_string()
            } else {
                format!("{:.2}x", median(&paired_ratios(&f(t), &f(0))))
            }
        };
        let _ = writeln!(
            out,
            "| {} | {} ±{:.0}% | {} | {:.0} MB | {} | {} | {} |",
            tool.name(),
            fmt_s(median(&wall(t))),
            relative_iqr(&wall(t)) * 50.0,
            fmt_s(median(&cpu(t))),
            median(&rss(t)) / 1024.0,
            ratio(&wall),
            ratio(&cpu),
            identities[t],
        );
    }
    let _ = protoc;
}

fn write_list(path: &Path, files: &[String]) -> Result<(), String> {
    std::fs::write(path, files.join("\n") + "\n").map_err(|e| format!("{}: {e}", path.display()))
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

fn run(args: &Args) -> Result<String, String> {
    std::fs::create_dir_all(&args.work).map_err(|e| format!("{}: {e}", args.work.display()))?;
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
    let files: Vec<String> = files.into_iter().step_by(args.every.max(1)).collect();
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(root.join(f)).ok())
        .map(|m| m.len())
        .sum();
    let list = args.work.join("googleapis.args");
    write_list(&list, &files)?;
    let whole = Input {
        files: files.clone(),
        list,
        whole: args.every <= 1,
    };

    let mut out = String::new();
    let _ = writeln!(
        out,
        "Input: the googleapis tree of the corpus, {} files ({:.1} MB of `.proto`; `preview/` left out, it \
         redefines `google/api` and cannot be compiled with the rest), compiled in one invocation to a \
         `FileDescriptorSet` with imports (`--include_imports`; `buf build --as-file-descriptor-set`, which \
         includes imports). Each tool runs as its own process under `/usr/bin/time`, {} rounds, tools in \
         rotating order; medians, ±half the interquartile range of wall time, and ratios paired by round \
         (tool / protoforge: above 1.00x protoforge is faster or uses less). CPU is user + system time of \
         all threads; protoforge uses two threads (one reads, parses and lowers files while the \
         other links and checks them) and encodes on every core, the others use one. On a loaded \
         machine wall time includes waiting for a core, so CPU time is the steadier figure. protoc and protoforge read the \
         Google files from `grpcio-tools`' include directory; buf and protox use their own built-in copies \
         (protox cannot parse protoc 35's `descriptor.proto`), so their Google files differ from protoc's.\n",
        files.len(),
        bytes as f64 / 1e6,
        args.rounds
    );
    let mut protoc_wall = f64::NAN;
    for source_info in [false, true] {
        let label = if source_info {
            "with source info"
        } else {
            "without source info"
        };
        let (samples, identities) = measure(args, &whole, source_info, &TOOLS, args.rounds, label)?;
        if !source_info {
            protoc_wall = median(&samples[1].iter().map(|r| r.wall).collect::<Vec<_>>());
        }
        let _ = writeln!(out, "#### {label}\n");
        main_table(&mut out, &TOOLS, &samples, &identities);
        let _ = writeln!(out);
    }

    // Scaling: every k-th file, so each subset spans the whole tree.
    let scaling_tools = [Tool::Protoforge, Tool::Protoc, Tool::Protox];
    let _ = writeln!(
        out,
        "#### Scaling with schema size\n\n\
         Every k-th file of the list (so each subset spans the whole tree), with imports, without source \
         info; {} rounds. buf is left out here (it is given the files one `--path` each).\n",
        args.scaling_rounds
    );
    let _ = writeln!(
        out,
        "| files | .proto MB | protoforge wall | protoforge CPU | protoc wall | protoc CPU | protox wall | protox CPU | protoc / protoforge (CPU) |"
    );
    let _ = writeln!(out, "|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for k in FRACTIONS.iter().copied().chain([1]) {
        let subset: Vec<String> = files.iter().step_by(k).cloned().collect();
        let mb: u64 = subset
            .iter()
            .filter_map(|f| std::fs::metadata(root.join(f)).ok())
            .map(|m| m.len())
            .sum();
        let list = args.work.join(format!("googleapis-1-in-{k}.args"));
        write_list(&list, &subset)?;
        let input = Input {
            files: subset.clone(),
            list,
            whole: false,
        };
        let (samples, _) = measure(
            args,
            &input,
            false,
            &scaling_tools,
            args.scaling_rounds,
            &format!("scaling 1/{k}"),
        )?;
        let col = |t: usize, f: fn(&Run) -> f64| samples[t].iter().map(f).collect::<Vec<f64>>();
        let _ = writeln!(
            out,
            "| {} | {:.1} | {} | {} | {} | {} | {} | {} | {:.2}x |",
            subset.len(),
            mb as f64 / 1e6,
            fmt_s(median(&col(0, |r| r.wall))),
            fmt_s(median(&col(0, |r| r.cpu))),
            fmt_s(median(&col(1, |r| r.wall))),
            fmt_s(median(&col(1, |r| r.cpu))),
            fmt_s(median(&col(2, |r| r.wall))),
            fmt_s(median(&col(2, |r| r.cpu))),
            median(&paired_ratios(&col(1, |r| r.cpu), &col(0, |r| r.cpu))),
        );
    }
    let _ = writeln!(out);

    // Interpreter start-up, part of every protoc run above.
    let mut startup = Vec::new();
    let mut startup_rss = Vec::new();
    for _ in 0..args.rounds {
        let stats = args.work.join("startup.time");
        let status = Command::new("/usr/bin/time")
            .args(["-f", "%e %U %S %M", "-o"])
            .arg(&stats)
            .arg(&args.python)
            .args(["-m", "grpc_tools.protoc", "--version"])
            .output()
            .map_err(|e| format!("python: {e}"))?;
        if !status.status.success() {
            return Err("python -m grpc_tools.protoc --version failed".to_string());
        }
        let text =
            std::fs::read_to_string(&stats).map_err(|e| format!("{}: {e}", stats.display()))?;
        let f: Vec<f64> = text
            .lines()
            .last()
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        if let [wall, _, _, rss] = f.as_slice() {
            startup.push(*wall);
            startup_rss.push(*rss);
        }
    }
    let _ = writeln!(
        out,
        "protoc's figures include starting Python and loading the `grpc_tools` extension: \
         `python -m grpc_tools.protoc --version` takes {} wall and {:.0} MB (median of {}), {:.1}% of \
         protoc's median wall time on the whole tree without source info.\n",
        fmt_s(median(&startup)),
        median(&startup_rss) / 1024.0,
        startup.len(),
        median(&startup) / protoc_wall * 100.0
    );
    Ok(out)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "compile: {e}\nusage: compile --protoforge BIN --python PY --grpc-include DIR --buf BIN --protox BIN \
                 --corpus DIR --work DIR [--rounds N] [--scaling-rounds N] [--out FILE]"
            );
            return ExitCode::FAILURE;
        }
    };
    match run(&args) {
        Ok(text) => match &args.out {
            Some(path) => match std::fs::write(path, text) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("compile: {}: {e}", path.display());
                    ExitCode::FAILURE
                }
            },
            None => {
                print!("{text}");
                ExitCode::SUCCESS
            }
        },
        Err(e) => {
            eprintln!("compile: {e}");
            ExitCode::FAILURE
        }
    }
}
