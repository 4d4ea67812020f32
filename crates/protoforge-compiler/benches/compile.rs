//! Wall time and peak memory of compiling the whole googleapis tree, ours
//! against the pinned protoc, in the same run.
//!
//! Both compile every `.proto` under `../shared/corpus/googleapis` (except
//! `preview/`, which redefines `google/api`) to a descriptor set with
//! `--include_imports`, once without and once with `--include_source_info`.
//! protoc runs as `python -m grpc_tools.protoc` under `/usr/bin/time` (its
//! peak includes the small Python launcher); ours runs as a child process of
//! this bench (`--ours`), which reports its own peak (`VmHWM`) and, like a
//! compiler process, exits without freeing its descriptors. The median
//! of the rounds is reported, with the ratio protoc/ours.
//!
//! Run with `cargo bench -p protoforge-compiler --bench compile`.
//! `PROTOFORGE_BENCH_ROUNDS` sets the rounds (default 3).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use protoforge_compiler::builtin::GoogleFiles;
use protoforge_compiler::resolve::{Chain, IncludePaths};
use protoforge_compiler::{CompileOptions, DescriptorSetOptions, compile};

fn files(root: &Path) -> Vec<String> {
    protoforge_testkit::proto_files(root)
        .into_iter()
        .map(|p| p.display().to_string())
        .filter(|p| !p.starts_with("preview/"))
        .collect()
}

/// Runs our compiler in this process and prints `elapsed_ms peak_kb`.
fn ours(root: &Path, source_info: bool, out: &Path) {
    let start = Instant::now();
    let mut paths = IncludePaths::new();
    paths.map("", &root.to_string_lossy());
    let resolver = Chain::new().with(paths).with(GoogleFiles);
    let files = files(root);
    let roots: Vec<&str> = files.iter().map(String::as_str).collect();
    // What `protoforge -o` asks for: no comments on elements (only code
    // generators read them), source info only when written.
    let options = CompileOptions {
        source_info,
        comments: false,
        ..CompileOptions::default()
    };
    let compilation = compile(&resolver, &roots, &options);
    if compilation.has_errors() {
        eprintln!("our compile failed: {:?}", compilation.errors().next());
        std::process::exit(1);
    }
    let options = DescriptorSetOptions {
        include_imports: true,
        include_source_info: source_info,
        retain_options: false,
    };
    let written = std::fs::File::create(out).and_then(|file| {
        let mut writer = std::io::BufWriter::with_capacity(1 << 16, file);
        compilation
            .pool
            .write_file_descriptor_set(&compilation.files, options, &mut writer)?;
        std::io::Write::flush(&mut writer)
    });
    if let Err(e) = written {
        eprintln!("writing {}: {e}", out.display());
        std::process::exit(1);
    }
    // A one-shot compiler process exits here; freeing every descriptor first
    // would only cost time (as protoc, which also exits without tearing down
    // its pool).
    std::mem::forget(compilation);
    let elapsed = start.elapsed();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0);
    println!("{} {peak}", elapsed.as_millis());
}

/// Runs a command under `/usr/bin/time`; returns wall time and peak RSS (kB).
fn timed(cmd: Command) -> (Duration, u64) {
    let report = std::env::temp_dir().join(format!("protoforge-bench-time-{}", std::process::id()));
    let mut wrapped = Command::new("/usr/bin/time");
    wrapped.arg("-f").arg("%e %M").arg("-o").arg(&report);
    wrapped.arg(cmd.get_program());
    wrapped.args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    let output = wrapped.output().expect("run /usr/bin/time");
    if !output.status.success() {
        panic!(
            "command failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let mut parts = text.split_whitespace();
    let secs: f64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let peak: u64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    (Duration::from_secs_f64(secs), peak)
}

fn median(mut values: Vec<(Duration, u64)>) -> (Duration, u64) {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--ours") {
        let root = PathBuf::from(&args[i + 1]);
        let source_info = args[i + 2] == "1";
        ours(&root, source_info, Path::new(&args[i + 3]));
        return;
    }
    let Some(corpus) = protoforge_testkit::corpus_dir("bench: compile") else {
        println!("\n!!!!!!!! no corpus: the compile benchmark DID NOT RUN !!!!!!!!\n");
        return;
    };
    let root = corpus.join("googleapis");
    let files = files(&root);
    let rounds: usize = std::env::var("PROTOFORGE_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let tmp = std::env::temp_dir().join(format!("protoforge-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let list = tmp.join("files.args");
    std::fs::write(&list, files.join("\n")).expect("argument file");
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!(
        "googleapis: {} files; {rounds} rounds; {threads} hardware threads; {}",
        files.len(),
        protoforge_testkit::protoc_version()
    );
    let exe = std::env::current_exe().expect("bench executable");
    for source_info in [false, true] {
        let mut protoc_runs = Vec::new();
        let mut our_runs = Vec::new();
        for _ in 0..rounds {
            let mut cmd = protoforge_testkit::protoc();
            cmd.arg(format!("-I{}", root.display()));
            cmd.arg(format!(
                "-I{}",
                protoforge_testkit::grpc_tools_include().display()
            ));
            cmd.arg(format!("-o{}", tmp.join("protoc.pb").display()));
            cmd.arg("--include_imports");
            if source_info {
                cmd.arg("--include_source_info");
            }
            cmd.arg(format!("@{}", list.display()));
            protoc_runs.push(timed(cmd));

            let start = Instant::now();
            let output = Command::new(&exe)
                .arg("--ours")
                .arg(&root)
                .arg(if source_info { "1" } else { "0" })
                .arg(tmp.join("ours.pb"))
                .output()
                .expect("run our compile");
            let wall = start.elapsed();
            let text = String::from_utf8_lossy(&output.stdout);
            let peak = text
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            our_runs.push((wall, peak));
        }
        let (pt, pm) = median(protoc_runs);
        let (ot, om) = median(our_runs);
        let same =
            std::fs::read(tmp.join("protoc.pb")).ok() == std::fs::read(tmp.join("ours.pb")).ok();
        println!(
            "{:<18} protoc {:>7.2}s {:>7} MB | ours {:>7.2}s {:>7} MB | {:.1}x faster, {:.2}x memory | output {}",
            if source_info {
                "with source info"
            } else {
                "without"
            },
            pt.as_secs_f64(),
            pm / 1024,
            ot.as_secs_f64(),
            om / 1024,
            pt.as_secs_f64() / ot.as_secs_f64().max(1e-9),
            om as f64 / pm.max(1) as f64,
            if same { "identical" } else { "DIFFERS" }
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
