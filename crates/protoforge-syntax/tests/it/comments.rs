//! Differential test of comment attachment against the reference protoc.
//!
//! protoc compiles a set of files with `--include_source_info`; a small
//! Python script reads the descriptor set and prints, per file, every source
//! location that has a comment, in protoc's order. Our side parses the same
//! files and walks the AST in the order protoc creates locations (the order
//! in which declarations start), keeping the declarations with comments. The
//! two lists must be equal, text included.
//!
//! Inputs: `testdata/syntax/comments/*.proto` (hand-written tricky layouts),
//! every file of the corpus's `protobuf/` and `grpc-testing/` that protoc
//! accepts, and a sample of `googleapis/`. Which corpus files are skipped is decided by protoc alone:
//! files it rejects are listed and left out. Set `PROTOFORGE_COMMENTS_FULL`
//! to compare every file of `googleapis/` instead of the sample (minutes).

#![allow(clippy::print_stderr)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use protoforge_syntax::LineIndex;
use protoforge_syntax::ast::Comments;

use crate::rng::Rng;
use crate::walk;

/// Prints, for each file of a descriptor set, `F\t<name>` and then one line
/// per location with comments: `L\t<line:col>\t<path>\t<json>`, the JSON being
/// `[leading or null, trailing or null, [detached…]]`.
const DECODE: &str = r#"
import json, sys
from google.protobuf import descriptor_pb2

fds = descriptor_pb2.FileDescriptorSet()
with open(sys.argv[1], "rb") as f:
    fds.ParseFromString(f.read())
out = []
for fd in fds.file:
    out.append("F\t" + fd.name)
    for loc in fd.source_code_info.location:
        has_leading = loc.HasField("leading_comments")
        has_trailing = loc.HasField("trailing_comments")
        detached = list(loc.leading_detached_comments)
        if not (has_leading or has_trailing or detached):
            continue
        comments = [
            loc.leading_comments if has_leading else None,
            loc.trailing_comments if has_trailing else None,
            detached,
        ]
        at = "%d:%d" % (loc.span[0] + 1, loc.span[1] + 1)
        path = ".".join(str(p) for p in loc.path)
        out.append("L\t%s\t%s\t%s" % (at, path, json.dumps(comments)))
sys.stdout.write("\n".join(out) + "\n")
"#;

/// One location with comments, as protoc reports it.
#[derive(Debug)]
struct Located {
    /// One-based `line:col` of the location's start.
    at: String,
    /// The location's path in the descriptor.
    path: String,
    /// The comments, as JSON.
    json: String,
}

/// What protoc made of a set of files.
#[derive(Default)]
struct Reference {
    /// Comment locations of each accepted file.
    accepted: BTreeMap<String, Vec<Located>>,
    /// Rejected files, with protoc's first error line.
    rejected: Vec<(String, String)>,
}

struct Protoc<'a> {
    /// The include root the files are named relative to.
    root: &'a Path,
    /// Further include roots, after `root`.
    includes: Vec<PathBuf>,
}

/// Most files given to one protoc invocation.
const BATCH: usize = 500;

static OUTPUT_COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Protoc<'_> {
    /// Runs protoc on `files` in one invocation; on success, decodes the
    /// descriptor set.
    fn run(&self, files: &[String]) -> Result<BTreeMap<String, Vec<Located>>, String> {
        let n = OUTPUT_COUNTER.fetch_add(1, Ordering::Relaxed);
        let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("comments-{}-{n}.pb", std::process::id()));
        let mut cmd = protoforge_testkit::protoc();
        cmd.current_dir(self.root).arg("-I.");
        for include in &self.includes {
            cmd.arg(format!("-I{}", include.display()));
        }
        cmd.arg("--include_source_info")
            .arg(format!("--descriptor_set_out={}", out.display()))
            .args(files);
        let output = cmd
            .output()
            .unwrap_or_else(|e| panic!("running protoc: {e}"));
        if !output.status.success() {
            let _ = std::fs::remove_file(&out);
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        let decoded = Command::new(protoforge_testkit::python())
            .arg("-c")
            .arg(DECODE)
            .arg(&out)
            .output()
            .unwrap_or_else(|e| panic!("running python: {e}"));
        let _ = std::fs::remove_file(&out);
        assert!(
            decoded.status.success(),
            "decoding the descriptor set failed:\n{}",
            String::from_utf8_lossy(&decoded.stderr)
        );
        let mut result: BTreeMap<String, Vec<Located>> = BTreeMap::new();
        let mut current = None;
        for line in String::from_utf8_lossy(&decoded.stdout).lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["F", name] => {
                    result.insert(name.to_string(), Vec::new());
                    current = Some(name.to_string());
                }
                ["L", at, path, json] => {
                    let name = current.as_ref().expect("a location before any file");
                    let located = Located {
                        at: at.to_string(),
                        path: path.to_string(),
                        json: json.to_string(),
                    };
                    result
                        .get_mut(name)
                        .expect("the current file")
                        .push(located);
                }
                [""] => {}
                _ => panic!("unexpected line from the decoder: {line:?}"),
            }
        }
        Ok(result)
    }

    /// Compiles `files` in as few invocations as protoc allows. protoc stops
    /// at the first file with an error; the files its errors name are taken
    /// out and tried alone later, and a batch whose errors name none of its
    /// files is split in two.
    fn compile(&self, files: &[String]) -> Reference {
        let mut reference = Reference::default();
        let mut queue = vec![files.to_vec()];
        let mut suspects = Vec::new();
        while let Some(batch) = queue.pop() {
            if batch.is_empty() {
                continue;
            }
            let stderr = match self.run(&batch) {
                Ok(found) => {
                    reference.accepted.extend(found);
                    continue;
                }
                Err(stderr) => stderr,
            };
            if batch.len() == 1 {
                reference
                    .rejected
                    .push((batch[0].clone(), first_line(&stderr)));
                continue;
            }
            let named: Vec<String> = batch
                .iter()
                .filter(|f| stderr.lines().any(|l| l.starts_with(&format!("{f}:"))))
                .cloned()
                .collect();
            if named.is_empty() {
                let (a, b) = batch.split_at(batch.len() / 2);
                queue.push(a.to_vec());
                queue.push(b.to_vec());
            } else {
                queue.push(batch.into_iter().filter(|f| !named.contains(f)).collect());
                suspects.extend(named);
            }
        }
        for file in suspects {
            match self.run(std::slice::from_ref(&file)) {
                Ok(found) => reference.accepted.extend(found),
                Err(stderr) => reference.rejected.push((file, first_line(&stderr))),
            }
        }
        reference.rejected.sort();
        reference
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

/// A JSON string as Python's `json.dumps` writes it (`ensure_ascii`).
fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Our comments in the form the decoder prints protoc's.
fn comments_json(c: &Comments) -> String {
    let mut out = String::from("[");
    for (i, text) in [&c.leading, &c.trailing].into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match text {
            Some(text) => json_string(text, &mut out),
            None => out.push_str("null"),
        }
    }
    out.push_str(", [");
    for (i, text) in c.detached.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        json_string(text, &mut out);
    }
    out.push_str("]]");
    out
}

/// One of our declarations with comments.
struct Ours {
    what: String,
    at: String,
    json: String,
}

fn our_comments(source: &[u8]) -> Result<Vec<Ours>, String> {
    let parsed = protoforge_syntax::parse(source);
    if parsed.has_errors() {
        let index = LineIndex::new(source);
        let errors: Vec<String> = parsed
            .errors()
            .take(3)
            .map(|d| {
                let at = index.line_col(source, d.span.start);
                format!("{}:{}: {}", at.line + 1, at.col + 1, d.message)
            })
            .collect();
        return Err(format!("our parser reports errors: {}", errors.join("; ")));
    }
    let index = LineIndex::new(source);
    Ok(walk::declarations(&parsed.file)
        .into_iter()
        .filter(|d| !d.comments.is_empty())
        .map(|d| {
            let at = index.line_col(source, d.span.start);
            Ours {
                what: d.what,
                at: format!("{}:{}", at.line + 1, at.col + 1),
                json: comments_json(d.comments),
            }
        })
        .collect())
}

/// Compares one file; returns a description of the first differences.
fn compare(name: &str, source: &[u8], expected: &[Located]) -> Option<String> {
    let ours = match our_comments(source) {
        Ok(ours) => ours,
        Err(e) => return Some(format!("{name}: {e}")),
    };
    let first =
        (0..expected.len().max(ours.len())).find(|&i| match (expected.get(i), ours.get(i)) {
            (Some(e), Some(o)) => e.json != o.json,
            _ => true,
        })?;
    let mut report = format!(
        "{name}: {} locations with comments from protoc, {} from us; first difference at #{first}\n",
        expected.len(),
        ours.len()
    );
    for i in first..(first + 3).min(expected.len().max(ours.len())) {
        let _ = writeln!(report, "  #{i}:");
        match expected.get(i) {
            Some(e) => {
                let _ = writeln!(
                    report,
                    "    protoc: at {} (path {}): {}",
                    e.at, e.path, e.json
                );
            }
            None => report.push_str("    protoc: (none)\n"),
        }
        match ours.get(i) {
            Some(o) => {
                let _ = writeln!(report, "    ours:   {} at {}: {}", o.what, o.at, o.json);
            }
            None => report.push_str("    ours:   (none)\n"),
        }
    }
    Some(report)
}

/// Compiles `files` (relative to `root`) with protoc, compares each accepted
/// file, and fails with the first differences. Returns what protoc rejected.
fn check(tier: &str, root: &Path, files: &[String]) -> Vec<(String, String)> {
    let protoc = Protoc {
        root,
        includes: vec![protoforge_testkit::grpc_tools_include()],
    };
    let mut reference = Reference::default();
    for chunk in files.chunks(BATCH) {
        let part = protoc.compile(chunk);
        reference.accepted.extend(part.accepted);
        reference.rejected.extend(part.rejected);
    }
    let mut reports = Vec::new();
    let mut locations = 0;
    for (name, expected) in &reference.accepted {
        locations += expected.len();
        let source =
            std::fs::read(root.join(name)).unwrap_or_else(|e| panic!("reading {name}: {e}"));
        if let Some(report) = compare(name, &source, expected) {
            reports.push(report);
        }
    }
    eprintln!(
        "comments/{tier}: {} files compared ({locations} locations with comments), {} rejected by protoc, {} differ",
        reference.accepted.len(),
        reference.rejected.len(),
        reports.len()
    );
    for (file, error) in &reference.rejected {
        eprintln!("  rejected by protoc: {file}: {error}");
    }
    if !reports.is_empty() {
        let shown: Vec<&String> = reports.iter().take(10).collect();
        panic!(
            "comment attachment differs from protoc in {} of {} files (first {} shown):\n\n{}",
            reports.len(),
            reference.accepted.len(),
            shown.len(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    reference.rejected
}

fn names(files: impl IntoIterator<Item = PathBuf>) -> Vec<String> {
    files
        .into_iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect()
}

#[test]
fn testdata_matches_protoc() {
    let root = protoforge_testkit::testdata().join("syntax/comments");
    let files = names(protoforge_testkit::proto_files(&root));
    assert!(
        files.len() >= 8,
        "expected the comment test files in {}",
        root.display()
    );
    let rejected = check("testdata", &root, &files);
    assert!(
        rejected.is_empty(),
        "protoc rejects test files: {rejected:?}"
    );
}

#[test]
fn corpus_protobuf_matches_protoc() {
    let Some(corpus) = protoforge_testkit::corpus_dir("comments: protobuf") else {
        return;
    };
    let root = corpus.join("protobuf");
    let files = names(protoforge_testkit::proto_files(&root));
    check("protobuf", &root, &files);
}

#[test]
fn corpus_grpc_testing_matches_protoc() {
    let Some(corpus) = protoforge_testkit::corpus_dir("comments: grpc-testing") else {
        return;
    };
    let root = corpus.join("grpc-testing");
    let files = names(protoforge_testkit::proto_files(&root));
    check("grpc-testing", &root, &files);
}

#[test]
fn corpus_googleapis_matches_protoc() {
    let Some(corpus) = protoforge_testkit::corpus_dir("comments: googleapis") else {
        return;
    };
    let root = corpus.join("googleapis");
    if std::env::var_os("PROTOFORGE_COMMENTS_FULL").is_some() {
        check(
            "googleapis (full)",
            &root,
            &names(protoforge_testkit::proto_files(&root)),
        );
        return;
    }
    let mut files = Vec::new();
    for dir in [
        "google/api",
        "google/rpc",
        "google/type",
        "google/longrunning",
        "google/iam",
    ] {
        files.extend(names(
            protoforge_testkit::proto_files(&root.join(dir))
                .into_iter()
                .map(|p| Path::new(dir).join(p)),
        ));
    }
    let aiplatform = Path::new("google/cloud/aiplatform/v1");
    files.extend(names(
        protoforge_testkit::proto_files(&root.join(aiplatform))
            .into_iter()
            .filter(|p| p.components().count() == 1)
            .map(|p| aiplatform.join(p)),
    ));
    files.extend(
        [
            "google/cloud/compute/v1/compute.proto",
            "google/privacy/dlp/v2/dlp.proto",
            "google/container/v1/cluster_service.proto",
            "google/ads/admanager/v1/report_definition.proto",
        ]
        .map(String::from),
    );
    check("googleapis", &root, &files);
}

/// Comments and line breaks inserted between tokens, where they cannot change
/// what a valid file means. `{n}` is replaced by a number naming the insertion.
const INSERTIONS: &[&str] = &[
    " /* c{n} */ ",
    "/* c{n} */",
    "// c{n}\n",
    "\n// c{n}\n",
    "\n// c{n}\n\n",
    "\n\n/* c{n} */\n",
    "/* c{n}\n * more {n}\n */",
    "/* c{n} */\n",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "/**/",
    "//\n",
    "// c{n}\n// d{n}\n",
];

/// Inserts random comments and blank lines before random tokens of `source`.
fn scatter_comments(source: &[u8], rng: &mut Rng) -> Vec<u8> {
    let (tokens, _) = protoforge_syntax::tokenize(source);
    let percent = *rng.pick(&[5, 20, 50]);
    let mut out = Vec::with_capacity(source.len() * 2);
    let mut copied = 0;
    for (n, token) in tokens.iter().enumerate() {
        let at = token.span.start as usize;
        // After a `/` (in an `Any` type URL) a comment opener would join it;
        // at the end of a file that ends in a line comment, the insertion
        // would be part of that comment.
        let after_slash = at > 0 && source[at - 1] == b'/';
        let unterminated_end = at == source.len() && !source.ends_with(b"\n");
        if !rng.chance(percent) || after_slash || unterminated_end {
            continue;
        }
        out.extend_from_slice(&source[copied..at]);
        copied = at;
        let insertion = rng.pick(INSERTIONS).replace("{n}", &n.to_string());
        out.extend_from_slice(insertion.as_bytes());
    }
    out.extend_from_slice(&source[copied..]);
    out
}

/// Scatters comments over the test files (and a few corpus files), compiles
/// every variant with protoc and compares. The seed is printed; set
/// `PROTOFORGE_COMMENTS_SEED` to replay it and `PROTOFORGE_COMMENTS_ROUNDS`
/// for more rounds.
#[test]
fn scattered_comments_match_protoc() {
    let seed = crate::rng::seed_from_env("PROTOFORGE_COMMENTS_SEED", 0xC0FF_EE00_1234_5678);
    let rounds = std::env::var("PROTOFORGE_COMMENTS_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(4usize);
    eprintln!(
        "comments/scattered: seed {seed:#x}, {rounds} rounds (PROTOFORGE_COMMENTS_SEED, PROTOFORGE_COMMENTS_ROUNDS)"
    );
    let testdata = protoforge_testkit::testdata().join("syntax/comments");
    let mut bases: Vec<(PathBuf, String)> = names(protoforge_testkit::proto_files(&testdata))
        .into_iter()
        .map(|n| (testdata.clone(), n))
        .collect();
    let mut includes = vec![protoforge_testkit::grpc_tools_include()];
    if let Some(corpus) = protoforge_testkit::corpus_dir("comments: scattered over corpus files") {
        let root = corpus.join("protobuf");
        for name in [
            "google/protobuf/descriptor.proto",
            "google/protobuf/unittest.proto",
            "google/protobuf/unittest_proto3.proto",
        ] {
            bases.push((root.clone(), name.to_string()));
        }
        includes.insert(0, root);
    }
    let mut rng = Rng::new(seed);
    let mut reports = Vec::new();
    for round in 0..rounds {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("comments-scattered-{}-{round}", std::process::id()));
        let mut files = Vec::new();
        for (root, name) in &bases {
            let source =
                std::fs::read(root.join(name)).unwrap_or_else(|e| panic!("reading {name}: {e}"));
            let variant = scatter_comments(&source, &mut rng);
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().expect("a parent directory"))
                .expect("creating the variant directory");
            std::fs::write(&path, &variant).expect("writing a variant");
            files.push(name.clone());
        }
        let protoc = Protoc {
            root: &dir,
            includes: includes.clone(),
        };
        let reference = protoc.compile(&files);
        for (file, error) in &reference.rejected {
            reports.push(format!(
                "round {round}: protoc rejects the variant of {file}: {error}"
            ));
        }
        for (name, expected) in &reference.accepted {
            let source =
                std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("reading {name}: {e}"));
            if let Some(report) = compare(name, &source, expected) {
                reports.push(format!(
                    "round {round} (variant kept in {}): {report}",
                    dir.display()
                ));
            }
        }
        if reports.is_empty() {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    assert!(
        reports.is_empty(),
        "seed {seed:#x}: {} differences from protoc:\n\n{}",
        reports.len(),
        reports
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
