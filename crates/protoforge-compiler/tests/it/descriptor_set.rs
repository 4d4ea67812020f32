//! Differential test of `-o` output against the pinned protoc.
//!
//! Each corpus (a set of files and its include roots) is compiled once by
//! protoc per flag combination, many files per invocation, and once by us;
//! every file's `FileDescriptorProto` bytes are compared raw, with no
//! normalisation. `--include_imports` only decides which files a set holds
//! and in which order, never a file's bytes, so the per-file comparison runs
//! with it on for the four combinations of `--include_source_info` and
//! `--retain_options`, and the set layout (names and order) is compared with
//! it off as well.
//!
//! Files protoc rejects must be rejected by us too. Files where we still
//! differ from protoc are listed in `known_differences.txt`; the test fails
//! when a listed file now matches (remove it from the list) or an unlisted
//! file differs, so the list only shrinks. Each new difference is printed
//! with the first differing descriptor path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use protoforge_compiler::builtin::GoogleFiles;
use protoforge_compiler::debug::{first_difference, split_descriptor_set};
use protoforge_compiler::resolve::{Chain, IncludePaths};
use protoforge_compiler::{CompileOptions, DescriptorSetOptions, compile};

const KNOWN: &str = include_str!("known_differences.txt");

/// The flag combinations compared per file.
const COMBOS: [(bool, bool); 4] = [(false, false), (true, false), (false, true), (true, true)];

fn combo_name(source_info: bool, retain: bool) -> &'static str {
    match (source_info, retain) {
        (false, false) => "plain",
        (true, false) => "source_info",
        (false, true) => "retain",
        (true, true) => "source_info+retain",
    }
}

struct Corpus {
    name: &'static str,
    /// Include roots, in order (the Google files come after them).
    include: Vec<PathBuf>,
    /// Files to compile, by import name.
    files: Vec<String>,
}

/// Runs protoc on `files`; on failure drops the files it names in errors and
/// retries. Returns the output and the files protoc rejected.
fn run_protoc(
    corpus: &Corpus,
    files: &[String],
    flags: &[&str],
    out: &Path,
) -> (Vec<u8>, BTreeMap<String, String>) {
    let mut remaining: Vec<String> = files.to_vec();
    let mut rejected: BTreeMap<String, String> = BTreeMap::new();
    loop {
        let mut cmd = protoforge_testkit::protoc();
        for dir in &corpus.include {
            cmd.arg(format!("-I{}", dir.display()));
        }
        cmd.arg(format!("-I{}", protoforge_testkit::grpc_tools_include().display()));
        cmd.arg(format!("-o{}", out.display()));
        cmd.args(flags);
        // Long argument lists go through protoc's @file syntax.
        let list = out.with_extension("args");
        std::fs::write(&list, remaining.join("\n")).expect("write argument file");
        cmd.arg(format!("@{}", list.display()));
        let output = cmd.output().expect("run protoc");
        if output.status.success() {
            let bytes = std::fs::read(out).expect("read protoc output");
            return (bytes, rejected);
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut newly = 0;
        for line in stderr.lines().filter(|l| !l.contains(": warning: ")) {
            let file = line.split(':').next().unwrap_or("");
            if remaining.iter().any(|f| f == file) && !rejected.contains_key(file) {
                rejected.insert(file.to_string(), line.to_string());
                newly += 1;
            }
        }
        if newly == 0 {
            // The error names a file that is not requested (an import):
            // reject the requested files that mention it.
            panic!("protoc failed on corpus {} without naming a requested file:\n{stderr}", corpus.name);
        }
        remaining.retain(|f| !rejected.contains_key(f));
        if remaining.is_empty() {
            return (Vec::new(), rejected);
        }
    }
}

fn known_differences() -> BTreeSet<String> {
    KNOWN
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Compiles `corpus` both ways and returns the differing entries
/// (`corpus combo file`) and a report line per combination.
fn check(corpus: &Corpus, report: &mut Vec<String>, differing: &mut BTreeSet<String>, details: &mut Vec<String>) {
    let tmp = std::env::temp_dir().join(format!("protoforge-ds-{}-{}", corpus.name, std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");

    // Ours: one compilation for all combinations.
    let mut resolver = Chain::new();
    let mut paths = IncludePaths::new();
    for dir in &corpus.include {
        paths.map("", &dir.to_string_lossy());
    }
    resolver = resolver.with(paths).with(GoogleFiles);
    let roots: Vec<&str> = corpus.files.iter().map(String::as_str).collect();
    let compilation = compile(&resolver, &roots, &CompileOptions::default());

    let mut accepted: Vec<String> = Vec::new();
    let mut first = true;
    for (source_info, retain) in COMBOS {
        let combo = combo_name(source_info, retain);
        let mut flags = vec!["--include_imports"];
        if source_info {
            flags.push("--include_source_info");
        }
        if retain {
            flags.push("--retain_options");
        }
        let out = tmp.join(format!("{combo}.pb"));
        let (protoc_bytes, rejected) = run_protoc(corpus, &corpus.files, &flags, &out);
        if first {
            first = false;
            // Accept/reject agreement, checked once.
            for file in &corpus.files {
                let ours_rejects = compilation.errors().any(|d| {
                    d.position.as_ref().map(|p| p.file.as_str()) == Some(file.as_str())
                        || d.file.as_deref() == Some(file.as_str())
                });
                let protoc_rejects = rejected.contains_key(file);
                if ours_rejects != protoc_rejects {
                    differing.insert(format!("{} accept {file}", corpus.name));
                    let ours = compilation
                        .errors()
                        .find(|d| d.file.as_deref() == Some(file.as_str()))
                        .map(|d| d.render_protoc())
                        .unwrap_or_default();
                    details.push(format!(
                        "{} {file}: protoc {}, we {}\n  protoc: {}\n  ours:   {ours}",
                        corpus.name,
                        if protoc_rejects { "rejects" } else { "accepts" },
                        if ours_rejects { "reject" } else { "accept" },
                        rejected.get(file).map(String::as_str).unwrap_or("")
                    ));
                }
                if !protoc_rejects {
                    accepted.push(file.clone());
                }
            }
            let rejected_count = rejected.len();
            report.push(format!(
                "{:<28} {:>5} files, {:>3} rejected by protoc",
                corpus.name,
                corpus.files.len(),
                rejected_count
            ));
        }
        let Some(protoc_files) = split_descriptor_set(&protoc_bytes) else {
            panic!("protoc output for {} does not parse", corpus.name);
        };
        let ids: Vec<_> = accepted
            .iter()
            .filter_map(|f| compilation.pool.file_by_name(f))
            .collect();
        let ours_bytes = compilation.pool.file_descriptor_set(
            &ids,
            DescriptorSetOptions {
                include_imports: true,
                include_source_info: source_info,
                retain_options: retain,
            },
        );
        let ours_files: BTreeMap<String, Vec<u8>> = split_descriptor_set(&ours_bytes)
            .expect("our output parses")
            .into_iter()
            .collect();
        let mut identical = 0;
        let mut total = 0;
        for (name, expected) in &protoc_files {
            total += 1;
            match ours_files.get(name) {
                Some(actual) if actual == expected => identical += 1,
                actual => {
                    let key = format!("{} {combo} {name}", corpus.name);
                    let why = match actual {
                        None => "missing from our output".to_string(),
                        Some(actual) => first_difference("google.protobuf.FileDescriptorProto", expected, actual)
                            .unwrap_or_default(),
                    };
                    details.push(format!("{key}\n  {why}"));
                    differing.insert(key);
                }
            }
        }
        let protoc_order: Vec<&String> = protoc_files.iter().map(|(n, _)| n).collect();
        let ours_order: Vec<String> = split_descriptor_set(&ours_bytes)
            .unwrap_or_default()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        if protoc_order.iter().map(|s| s.as_str()).ne(ours_order.iter().map(String::as_str)) {
            differing.insert(format!("{} {combo} <file order>", corpus.name));
        }
        report.push(format!("  {combo:<20} identical {identical:>5} / {total:>5}"));
    }

    // Without --include_imports: the whole set, byte for byte.
    let out = tmp.join("no_imports.pb");
    let (protoc_bytes, _) = run_protoc(corpus, &accepted, &[], &out);
    let ids: Vec<_> = accepted
        .iter()
        .filter_map(|f| compilation.pool.file_by_name(f))
        .collect();
    let ours = compilation.pool.file_descriptor_set(&ids, DescriptorSetOptions::default());
    let same = ours == protoc_bytes;
    report.push(format!(
        "  {:<20} whole set {}",
        "no_imports",
        if same { "identical" } else { "differs" }
    ));
    if !same {
        differing.insert(format!("{} no_imports <whole set>", corpus.name));
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

fn corpora() -> Vec<Corpus> {
    let mut out = Vec::new();
    out.push(Corpus {
        name: "google-builtin",
        include: Vec::new(),
        files: protoforge_compiler::builtin::FILES
            .iter()
            .map(|(n, _)| (*n).to_string())
            .collect(),
    });
    let common = protoforge_testkit::googleapis_common_protos_root();
    let files: Vec<String> = protoforge_testkit::proto_files(&common.join("google"))
        .into_iter()
        .map(|p| format!("google/{}", p.display()))
        .collect();
    out.push(Corpus {
        name: "googleapis-common-protos",
        include: vec![common],
        files,
    });
    if let Some(corpus) = protoforge_testkit::corpus_dir("compiler descriptor sets") {
        let protobuf = corpus.join("protobuf");
        out.push(Corpus {
            name: "corpus-protobuf",
            files: protoforge_testkit::proto_files(&protobuf)
                .into_iter()
                .map(|p| p.display().to_string())
                .collect(),
            include: vec![protobuf],
        });
        let grpc = corpus.join("grpc-testing");
        out.push(Corpus {
            name: "corpus-grpc-testing",
            files: protoforge_testkit::proto_files(&grpc)
                .into_iter()
                .map(|p| p.display().to_string())
                .collect(),
            include: vec![grpc],
        });
        let preview = corpus.join("googleapis/preview");
        out.push(Corpus {
            name: "corpus-googleapis-preview",
            files: protoforge_testkit::proto_files(&preview)
                .into_iter()
                .map(|p| p.display().to_string())
                .collect(),
            include: vec![preview],
        });
        let googleapis = corpus.join("googleapis");
        out.push(Corpus {
            name: "corpus-googleapis",
            files: protoforge_testkit::proto_files(&googleapis)
                .into_iter()
                .map(|p| p.display().to_string())
                .filter(|p| !p.starts_with("preview/"))
                .collect(),
            include: vec![googleapis],
        });
    }
    let ok = protoforge_testkit::testdata().join("compiler/ok");
    if ok.is_dir() {
        out.push(Corpus {
            name: "testdata-compiler-ok",
            files: protoforge_testkit::proto_files(&ok)
                .into_iter()
                .map(|p| p.display().to_string())
                .collect(),
            include: vec![ok],
        });
    }
    if let Ok(only) = std::env::var("PROTOFORGE_DS_ONLY") {
        out.retain(|c| c.name == only);
    }
    out
}

#[test]
fn descriptor_sets_match_protoc() {
    let mut report = Vec::new();
    let mut differing = BTreeSet::new();
    let mut details = Vec::new();
    let corpora = corpora();
    for corpus in &corpora {
        check(corpus, &mut report, &mut differing, &mut details);
    }
    println!("descriptor sets vs protoc ({}):", protoforge_testkit::protoc_version());
    for line in &report {
        println!("{line}");
    }
    let known = known_differences();
    let checked: BTreeSet<&str> = corpora.iter().map(|c| c.name).collect();
    let known_here: BTreeSet<String> = known
        .iter()
        .filter(|k| k.split(' ').next().is_some_and(|c| checked.contains(c)))
        .cloned()
        .collect();
    let new: Vec<&String> = differing.difference(&known_here).collect();
    let fixed: Vec<&String> = known_here.difference(&differing).collect();
    for d in details.iter().filter(|d| new.iter().any(|n| d.starts_with(n.as_str()) || d.contains(n.as_str()))).take(40) {
        println!("{d}");
    }
    assert!(
        new.is_empty() && fixed.is_empty(),
        "{} new differences (not in known_differences.txt):\n{}\n{} listed differences now match (remove them from known_differences.txt):\n{}",
        new.len(),
        new.iter().take(200).map(|s| s.as_str()).collect::<Vec<_>>().join("\n"),
        fixed.len(),
        fixed.iter().take(200).map(|s| s.as_str()).collect::<Vec<_>>().join("\n"),
    );
}
