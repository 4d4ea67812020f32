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

#![allow(clippy::print_stdout)]

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
    name: String,
    /// Include roots, in order (the Google files come after them).
    include: Vec<PathBuf>,
    /// Files to compile, by import name.
    files: Vec<String>,
}

/// The import name of the file an error line of protoc is about (protoc
/// names files by their disk path).
fn error_file(corpus: &Corpus, line: &str) -> String {
    let mut file = line.split(':').next().unwrap_or("").to_string();
    for dir in &corpus.include {
        let prefix = format!("{}/", dir.display());
        if let Some(rest) = file.strip_prefix(&prefix) {
            file = rest.to_string();
        }
    }
    file
}

/// One protoc run: the output bytes, or the error lines.
fn protoc_once(
    corpus: &Corpus,
    files: &[String],
    flags: &[&str],
    out: &Path,
) -> Result<Vec<u8>, Vec<String>> {
    let mut cmd = protoforge_testkit::protoc();
    for dir in &corpus.include {
        cmd.arg(format!("-I{}", dir.display()));
    }
    cmd.arg(format!(
        "-I{}",
        protoforge_testkit::grpc_tools_include().display()
    ));
    cmd.arg(format!("-o{}", out.display()));
    cmd.args(flags);
    // Long argument lists go through protoc's @file syntax.
    let list = out.with_extension("args");
    std::fs::write(&list, files.join("\n")).expect("write argument file");
    cmd.arg(format!("@{}", list.display()));
    let output = cmd.output().expect("run protoc");
    if output.status.success() {
        return Ok(std::fs::read(out).expect("read protoc output"));
    }
    Err(String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| !l.contains(": warning: "))
        .map(str::to_string)
        .collect())
}

/// Splits `files` into those protoc compiles together, those it compiles
/// only alone (they clash with another file of the corpus), and those it
/// rejects (with its first error line).
fn partition(corpus: &Corpus, tmp: &Path) -> (Vec<String>, Vec<String>, BTreeMap<String, String>) {
    let out = tmp.join("partition.pb");
    let mut batch: Vec<String> = corpus.files.clone();
    let mut suspects: Vec<String> = Vec::new();
    while let Err(lines) = protoc_once(corpus, &batch, &["--include_imports"], &out) {
        let named: BTreeSet<String> = lines.iter().map(|l| error_file(corpus, l)).collect();
        let before = batch.len();
        batch.retain(|f| !named.contains(f));
        let new: Vec<String> = corpus
            .files
            .iter()
            .filter(|f| named.contains(*f) && !suspects.contains(f))
            .cloned()
            .collect();
        suspects.extend(new);
        assert!(
            batch.len() < before,
            "protoc failed on {} without naming a requested file:\n{}",
            corpus.name,
            lines.join("\n")
        );
    }
    let mut alone = Vec::new();
    let mut rejected = BTreeMap::new();
    for file in suspects {
        match protoc_once(corpus, std::slice::from_ref(&file), &[], &out) {
            Ok(_) => alone.push(file),
            Err(lines) => {
                rejected.insert(file, lines.first().cloned().unwrap_or_default());
            }
        }
    }
    (batch, alone, rejected)
}

fn known_differences() -> BTreeSet<String> {
    KNOWN
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn resolver(corpus: &Corpus) -> Chain {
    let mut paths = IncludePaths::new();
    for dir in &corpus.include {
        paths.map("", &dir.to_string_lossy());
    }
    Chain::new().with(paths).with(GoogleFiles)
}

/// Per-combination counts.
#[derive(Default)]
struct Counts {
    identical: usize,
    total: usize,
}

/// Compares one batch of files (compiled together by both compilers) under
/// every combination.
fn compare_batch(
    corpus: &Corpus,
    files: &[String],
    tmp: &Path,
    counts: &mut BTreeMap<&'static str, Counts>,
    differing: &mut BTreeSet<String>,
    details: &mut Vec<String>,
) {
    if files.is_empty() {
        return;
    }
    let roots: Vec<&str> = files.iter().map(String::as_str).collect();
    let compilation = compile(&resolver(corpus), &roots, &CompileOptions::default());
    for d in compilation.errors().take(5) {
        details.push(format!(
            "{} accept: we reject what protoc accepts: {}",
            corpus.name,
            d.render_protoc()
        ));
        differing.insert(format!(
            "{} accept {}",
            corpus.name,
            d.file.clone().unwrap_or_default()
        ));
    }
    let ids: Vec<_> = files
        .iter()
        .filter_map(|f| compilation.pool.file_by_name(f))
        .collect();
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
        let protoc_bytes = match protoc_once(corpus, files, &flags, &out) {
            Ok(bytes) => bytes,
            Err(lines) => panic!(
                "protoc failed on a batch it accepted before:\n{}",
                lines.join("\n")
            ),
        };
        let protoc_files = split_descriptor_set(&protoc_bytes).expect("protoc output parses");
        let ours_bytes = compilation.pool.file_descriptor_set(
            &ids,
            DescriptorSetOptions {
                include_imports: true,
                include_source_info: source_info,
                retain_options: retain,
            },
        );
        if let Ok(dir) = std::env::var("PROTOFORGE_DS_DUMP") {
            let _ = std::fs::write(
                format!("{dir}/{}-{combo}-protoc.pb", corpus.name.replace('/', "_")),
                &protoc_bytes,
            );
            let _ = std::fs::write(
                format!("{dir}/{}-{combo}-ours.pb", corpus.name.replace('/', "_")),
                &ours_bytes,
            );
        }
        let ours_list = split_descriptor_set(&ours_bytes).expect("our output parses");
        let ours_files: BTreeMap<&str, &Vec<u8>> =
            ours_list.iter().map(|(n, b)| (n.as_str(), b)).collect();
        let count = counts.entry(combo).or_default();
        for (name, expected) in &protoc_files {
            count.total += 1;
            match ours_files.get(name.as_str()) {
                Some(actual) if *actual == expected => count.identical += 1,
                actual => {
                    let key = format!("{} {combo} {name}", corpus.name);
                    let why = match actual {
                        None => "missing from our output".to_string(),
                        Some(actual) => first_difference(
                            "google.protobuf.FileDescriptorProto",
                            expected,
                            actual,
                        )
                        .unwrap_or_default(),
                    };
                    details.push(format!("{key}\n  {why}"));
                    differing.insert(key);
                }
            }
        }
        if protoc_files
            .iter()
            .map(|(n, _)| n)
            .ne(ours_list.iter().map(|(n, _)| n))
        {
            differing.insert(format!("{} {combo} <file order>", corpus.name));
        }
    }
    // Without --include_imports: the whole set, byte for byte.
    let out = tmp.join("no_imports.pb");
    let protoc_bytes = protoc_once(corpus, files, &[], &out).unwrap_or_default();
    let ours = compilation
        .pool
        .file_descriptor_set(&ids, DescriptorSetOptions::default());
    let count = counts.entry("no_imports (whole set)").or_default();
    count.total += 1;
    if ours == protoc_bytes {
        count.identical += 1;
    } else {
        differing.insert(format!(
            "{} no_imports <whole set {}>",
            corpus.name, files[0]
        ));
    }
}

/// Compiles `corpus` both ways; records differences and report lines.
fn check(
    corpus: &Corpus,
    report: &mut Vec<String>,
    differing: &mut BTreeSet<String>,
    details: &mut Vec<String>,
) {
    let tmp = std::env::temp_dir().join(format!(
        "protoforge-ds-{}-{}",
        corpus.name.replace('/', "_"),
        std::process::id()
    ));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let (batch, alone, rejected) = partition(corpus, &tmp);
    let mut counts = BTreeMap::new();
    compare_batch(corpus, &batch, &tmp, &mut counts, differing, details);
    for file in &alone {
        compare_batch(
            corpus,
            std::slice::from_ref(file),
            &tmp,
            &mut counts,
            differing,
            details,
        );
    }
    // Files protoc rejects: we must reject them, with the same first error.
    let mut same_first_error = 0;
    for (file, protoc_error) in &rejected {
        let compilation = compile(
            &resolver(corpus),
            &[file.as_str()],
            &CompileOptions::default(),
        );
        let ours = compilation.errors().next().map(|d| d.render_protoc());
        let protoc_error = match protoc_error.split_once(": ") {
            Some((location, message)) => {
                let mut location = location.to_string();
                for dir in &corpus.include {
                    location = location.replace(&format!("{}/", dir.display()), "");
                }
                format!("{location}: {message}")
            }
            None => protoc_error.clone(),
        };
        match &ours {
            None => {
                differing.insert(format!("{} reject {file}", corpus.name));
                details.push(format!(
                    "{} reject {file}: protoc rejects ({protoc_error}), we accept",
                    corpus.name
                ));
            }
            Some(ours) if *ours == protoc_error => same_first_error += 1,
            Some(ours) => {
                differing.insert(format!("{} first-error {file}", corpus.name));
                details.push(format!(
                    "{} first-error {file}\n  protoc: {protoc_error}\n  ours:   {ours}",
                    corpus.name
                ));
            }
        }
    }
    report.push(format!(
        "{:<28} {:>5} files: {} compiled together, {} alone, {} rejected by protoc ({} with the same first error)",
        corpus.name,
        corpus.files.len(),
        batch.len(),
        alone.len(),
        rejected.len(),
        same_first_error
    ));
    for (combo, count) in counts {
        report.push(format!(
            "  {combo:<24} identical {:>5} / {:>5}",
            count.identical, count.total
        ));
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

fn corpora() -> Vec<Corpus> {
    let mut out = Vec::new();
    out.push(Corpus {
        name: "google-builtin".to_string(),
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
        name: "googleapis-common-protos".to_string(),
        include: vec![common],
        files,
    });
    if let Some(corpus) = protoforge_testkit::corpus_dir("compiler descriptor sets") {
        let protobuf = corpus.join("protobuf");
        out.push(Corpus {
            name: "corpus-protobuf".to_string(),
            files: protoforge_testkit::proto_files(&protobuf)
                .into_iter()
                .map(|p| p.display().to_string())
                .collect(),
            include: vec![protobuf],
        });
        let grpc = corpus.join("grpc-testing");
        out.push(Corpus {
            name: "corpus-grpc-testing".to_string(),
            files: protoforge_testkit::proto_files(&grpc)
                .into_iter()
                .map(|p| p.display().to_string())
                .collect(),
            include: vec![grpc],
        });
        let preview = corpus.join("googleapis/preview");
        out.push(Corpus {
            name: "corpus-googleapis-preview".to_string(),
            files: protoforge_testkit::proto_files(&preview)
                .into_iter()
                .map(|p| p.display().to_string())
                .collect(),
            include: vec![preview],
        });
        let googleapis = corpus.join("googleapis");
        out.push(Corpus {
            name: "corpus-googleapis".to_string(),
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
        // Each case is a fixture (possibly several files after `//- path`
        // markers): written out to its own include root.
        let root =
            std::env::temp_dir().join(format!("protoforge-ds-fixtures-{}", std::process::id()));
        for rel in protoforge_testkit::proto_files(&ok) {
            if rel.starts_with("snapshots") {
                continue;
            }
            let text = std::fs::read_to_string(ok.join(&rel)).expect("read fixture");
            let dir = root.join(&rel);
            let files = materialise_fixture(&rel, &text, &dir);
            out.push(Corpus {
                name: format!("testdata-compiler-ok/{}", rel.display()),
                include: vec![dir],
                files,
            });
        }
    }
    if let Ok(only) = std::env::var("PROTOFORGE_DS_ONLY") {
        out.retain(|c| c.name == only || c.name.starts_with(&format!("{only}/")));
    }
    out
}

/// Writes the virtual files of a multi-file fixture (`//- path` markers, an
/// optional `//- compile: a.proto b.proto` directive in the header) under
/// `dir` and returns the files to compile.
fn materialise_fixture(rel: &Path, text: &str, dir: &Path) -> Vec<String> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut compile: Vec<String> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(marker) = line.strip_prefix("//- ") {
            let marker = marker.trim();
            if let Some(list) = marker.strip_prefix("compile:") {
                compile.extend(list.split_whitespace().map(str::to_string));
            } else {
                files.push((marker.to_string(), String::new()));
            }
            continue;
        }
        if let Some((_, content)) = files.last_mut() {
            content.push_str(line);
        }
    }
    if files.is_empty() {
        let name = rel
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        files.push((name, text.to_string()));
    }
    for (path, content) in &files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).expect("fixture dir");
        }
        std::fs::write(&target, content).expect("write fixture file");
    }
    if compile.is_empty() {
        compile.push(files[0].0.clone());
    }
    compile
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
    println!(
        "descriptor sets vs protoc ({}):",
        protoforge_testkit::protoc_version()
    );
    for line in &report {
        println!("{line}");
    }
    let _ = std::fs::remove_dir_all(
        std::env::temp_dir().join(format!("protoforge-ds-fixtures-{}", std::process::id())),
    );
    let known = known_differences();
    let checked: BTreeSet<&str> = corpora.iter().map(|c| c.name.as_str()).collect();
    let known_here: BTreeSet<String> = known
        .iter()
        .filter(|k| k.split(' ').next().is_some_and(|c| checked.contains(c)))
        .cloned()
        .collect();
    let new: Vec<&String> = differing.difference(&known_here).collect();
    let fixed: Vec<&String> = known_here.difference(&differing).collect();
    for d in details
        .iter()
        .filter(|d| {
            new.iter()
                .any(|n| d.starts_with(n.as_str()) || d.contains(n.as_str()))
        })
        .take(40)
    {
        println!("{d}");
    }
    assert!(
        new.is_empty() && fixed.is_empty(),
        "{} new differences (not in known_differences.txt):\n{}\n{} listed differences now match (remove them from known_differences.txt):\n{}",
        new.len(),
        new.iter()
            .take(200)
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        fixed.len(),
        fixed
            .iter()
            .take(200)
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    );
}
