//! The compiler's differential cases, `testdata/compiler/{ok,warn,err}`,
//! against the pinned protoc.
//!
//! Every case is a fixture (see `protoforge_testkit::fixture`). For each one
//! this module runs protoc and
//!
//! - asserts what the folder promises: `ok` cases are accepted, `warn` cases
//!   are accepted with something on stderr, `err` cases are rejected with at
//!   least one diagnostic (cases under `err/protoc_aborts` make protoc die on
//!   a signal instead, a protoc bug we record rather than copy);
//! - snapshots protoc's outcome beside the data (`<folder>/snapshots`), so a
//!   reviewer sees what each case expects and every expectation comes from
//!   protoc, never from a hand;
//! - compares our outcome with protoc's ([`compare`]): the same accept or
//!   reject, and for a reject the same first error (file, line, column and
//!   text). Cases where we still differ are listed in
//!   `testdata/compiler/known_disagreements.txt`; that list may only shrink.
//!
//! # Our side
//!
//! [`our_outcome`] is the one function that asks protoforge what it makes of
//! a fixture: it calls `protoforge_compiler::compile` with the fixture's
//! `compile` list as roots and the same include paths protoc gets, and takes
//! the first error in protoc's one-line form.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use protoforge_compiler::resolve::IncludePaths;
use protoforge_compiler::{CompileOptions, compile};
use protoforge_testkit::outcome::{INCLUDE_PLACEHOLDER, decode_descriptor_set, parallel_map};
use protoforge_testkit::{Diagnostic, Fixture, ProtocOutcome, Severity, protoc_outcome};

/// Worker threads running protoc; each is mostly waiting on a process.
const THREADS: usize = 4;

/// The least number of invalid cases, so the suite cannot pass by shrinking.
const MIN_ERR_CASES: usize = 330;

/// The least number of valid cases.
const MIN_OK_CASES: usize = 40;

/// The folder of cases on which protoc aborts instead of reporting an error.
const PROTOC_ABORTS: &str = "protoc_aborts/";

/// The checked-in list of cases where our outcome differs from protoc's.
const KNOWN_DISAGREEMENTS: &str = "known_disagreements.txt";

/// Set to `1` to drop entries that now agree from the known-disagreements
/// list (it never adds any: a new disagreement is added by hand, on purpose).
const SHRINK_ENV: &str = "PROTOFORGE_SHRINK_DISAGREEMENTS";

/// One of the three case folders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Ok,
    Warn,
    Err,
}

impl Kind {
    fn dir(self) -> &'static str {
        match self {
            Kind::Ok => "ok",
            Kind::Warn => "warn",
            Kind::Err => "err",
        }
    }

    /// protoc flags for this folder: valid cases are snapshotted with their
    /// source info, the part of the output that is easiest to get wrong.
    fn flags(self) -> &'static [&'static str] {
        match self {
            Kind::Ok => &["--include_source_info"],
            Kind::Warn | Kind::Err => &[],
        }
    }
}

/// A fixture and what protoc did with it.
struct Case {
    /// Path under `testdata/compiler/<kind>/`, with `/` separators.
    rel: String,
    fixture: Fixture,
    protoc: ProtocOutcome,
}

fn cases_root() -> PathBuf {
    protoforge_testkit::testdata().join("compiler")
}

/// Every `.proto` under the folder, loaded and run through protoc once per
/// test binary.
fn cases(kind: Kind) -> &'static [Case] {
    static OK: OnceLock<Vec<Case>> = OnceLock::new();
    static WARN: OnceLock<Vec<Case>> = OnceLock::new();
    static ERR: OnceLock<Vec<Case>> = OnceLock::new();
    let cell = match kind {
        Kind::Ok => &OK,
        Kind::Warn => &WARN,
        Kind::Err => &ERR,
    };
    cell.get_or_init(|| {
        let dir = cases_root().join(kind.dir());
        let files: Vec<PathBuf> = protoforge_testkit::proto_files(&dir)
            .into_iter()
            .filter(|p| !p.starts_with("snapshots"))
            .collect();
        assert!(!files.is_empty(), "no cases in {}", dir.display());
        parallel_map(&files, THREADS, |rel| {
            let fixture = Fixture::load(&dir, &dir.join(rel));
            let protoc = protoc_outcome(&fixture, kind.flags());
            Case {
                rel: fixture.name.clone(),
                fixture,
                protoc,
            }
        })
    })
}

fn find<'a>(cases: &'a [Case], dir: &Path, path: &Path) -> &'a Case {
    let rel = path
        .strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    cases
        .iter()
        .find(|c| c.rel == rel)
        .unwrap_or_else(|| panic!("{rel} was not loaded"))
}

/// Whether a protoc line is an unused-import warning. protoc keeps unused
/// imports in a hash set and prints these warnings in an order that changes
/// from run to run, so snapshots sort each run of them.
fn is_unused_import_warning(line: &str) -> bool {
    line.contains("warning: Import ") && line.ends_with(" is unused.")
}

/// Sorts each run of consecutive lines that `unordered` accepts.
fn sort_runs<T: Ord>(items: &mut [T], unordered: impl Fn(&T) -> bool) {
    let mut start = 0;
    while start < items.len() {
        let len = items[start..].iter().take_while(|i| unordered(i)).count();
        items[start..start + len].sort();
        start += len.max(1);
    }
}

/// The stderr lines worth keeping in a snapshot: for a protoc that aborted,
/// everything before its stack trace (which varies between machines), with
/// unused-import warnings in a stable order.
fn stable_stderr(outcome: &ProtocOutcome) -> Vec<&str> {
    let mut lines: Vec<&str> = outcome
        .stderr
        .iter()
        .map(String::as_str)
        .take_while(|l| !l.starts_with("*** "))
        .collect();
    sort_runs(&mut lines, |l| is_unused_import_warning(l));
    lines
}

/// The readable record of what protoc did with a case.
fn render(case: &Case, kind: Kind) -> String {
    let p = &case.protoc;
    let mut out = String::new();
    let _ = writeln!(out, "case: {}", case.rel);
    let _ = writeln!(out, "compile: {}", case.fixture.compile.join(" "));
    if !kind.flags().is_empty() {
        let _ = writeln!(out, "flags: {}", kind.flags().join(" "));
    }
    match p.exit_code {
        Some(code) => {
            let _ = writeln!(out, "exit: {code}");
        }
        None => {
            let _ = writeln!(out, "exit: killed by a signal");
        }
    }
    if let Some(first) = p.first_error() {
        let _ = writeln!(out, "first error: {first}");
    }
    let mut warnings: Vec<String> = p.warnings().map(Diagnostic::to_string).collect();
    sort_runs(&mut warnings, |w| is_unused_import_warning(w));
    if !warnings.is_empty() {
        let _ = writeln!(out, "warnings:");
        for w in warnings {
            let _ = writeln!(out, "  {w}");
        }
    }
    let stderr = stable_stderr(p);
    if stderr.is_empty() {
        let _ = writeln!(out, "stderr: (empty)");
    } else {
        let _ = writeln!(out, "stderr:");
        for line in stderr {
            let _ = writeln!(out, "  {line}");
        }
    }
    if let Some(bytes) = &p.descriptor_set {
        let _ = writeln!(
            out,
            "descriptor set ({} bytes), as protoc --decode prints it:",
            bytes.len()
        );
        out.push_str(&decode_descriptor_set(bytes));
    }
    out
}

/// What the folder promises about protoc's outcome; `None` when it holds.
fn check_expectation(case: &Case, kind: Kind) -> Option<String> {
    let p = &case.protoc;
    let problem = match kind {
        Kind::Ok if !p.accepted() => "protoc rejects it, so it belongs in err/",
        Kind::Warn if !p.accepted() => "protoc rejects it, so it belongs in err/",
        Kind::Warn if p.stderr.is_empty() => "protoc prints nothing, so it belongs in ok/",
        Kind::Err if case.rel.starts_with(PROTOC_ABORTS) && p.exit_code.is_some() => {
            "protoc no longer aborts on it: move it to the folder of its error"
        }
        Kind::Err if case.rel.starts_with(PROTOC_ABORTS) => return None,
        Kind::Err if p.accepted() => "protoc accepts it, so it belongs in ok/ or warn/",
        Kind::Err if p.exit_code.is_none() => {
            "protoc aborts on it: move it under err/protoc_aborts/"
        }
        Kind::Err if p.first_error().is_none() => {
            "protoc rejects it without a diagnostic line, so there is no first error to compare"
        }
        _ => return None,
    };
    Some(format!(
        "{}/{}: {problem}\n    stderr: {:?}",
        kind.dir(),
        case.rel,
        p.stderr
    ))
}

fn run_folder(kind: Kind) {
    let all = cases(kind);
    let problems: Vec<String> = all
        .iter()
        .filter_map(|c| check_expectation(c, kind))
        .collect();

    let root = cases_root();
    let dir = root.join(kind.dir());
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir.join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| match kind {
        Kind::Ok => insta::glob!("../../../../testdata/compiler/ok", "**/*.proto", |path| {
            insta::assert_snapshot!("outcome", render(find(all, &dir, path), kind));
        }),
        Kind::Warn => insta::glob!("../../../../testdata/compiler/warn", "**/*.proto", |path| {
            insta::assert_snapshot!("outcome", render(find(all, &dir, path), kind));
        }),
        Kind::Err => insta::glob!("../../../../testdata/compiler/err", "**/*.proto", |path| {
            insta::assert_snapshot!("outcome", render(find(all, &dir, path), kind));
        }),
    });

    assert!(
        problems.is_empty(),
        "cases in the wrong folder for what {} does with them:\n  {}",
        protoforge_testkit::protoc_version(),
        problems.join("\n  ")
    );
}

#[test]
fn ok_cases_are_accepted_by_protoc() {
    assert!(
        cases(Kind::Ok).len() >= MIN_OK_CASES,
        "only {} valid cases; expected at least {MIN_OK_CASES}",
        cases(Kind::Ok).len()
    );
    run_folder(Kind::Ok);
}

#[test]
fn warn_cases_are_accepted_with_warnings() {
    run_folder(Kind::Warn);
}

#[test]
fn err_cases_are_rejected_by_protoc() {
    assert!(
        cases(Kind::Err).len() >= MIN_ERR_CASES,
        "only {} invalid cases; expected at least {MIN_ERR_CASES}",
        cases(Kind::Err).len()
    );
    run_folder(Kind::Err);
}

// ---------------------------------------------------------------------------
// Our outcome, and the comparison.

/// What protoforge makes of a fixture, in the terms protoc's outcome is read
/// in: whether it is accepted, and the first error in protoc's one-line form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OurOutcome {
    /// No error at all.
    pub(crate) accepted: bool,
    /// The first error, as protoc would print it.
    pub(crate) first_error: Option<Diagnostic>,
    /// Every warning, in order, as protoc would print it.
    pub(crate) warnings: Vec<Diagnostic>,
}

/// A fresh directory for one fixture's files under cargo's per-target
/// temporary directory.
fn scratch_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cases")
        .join(NEXT.fetch_add(1, Ordering::Relaxed).to_string());
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Runs protoforge's compiler on a fixture, as protoc is run on it: the
/// fixture's files written to a directory that is the first include path,
/// the `grpcio-tools` include directory second (protoc's `-I. -I<include>`),
/// and the fixture's `compile` list as roots.
pub(crate) fn our_outcome(fixture: &Fixture) -> OurOutcome {
    let dir = scratch_dir();
    fixture
        .materialise(&dir)
        .unwrap_or_else(|e| panic!("writing {} to {}: {e}", fixture.name, dir.display()));
    let include = protoforge_testkit::grpc_tools_include();
    let mut resolver = IncludePaths::new();
    resolver.map("", &dir.display().to_string());
    resolver.map("", &include.display().to_string());

    let roots: Vec<&str> = fixture.compile.iter().map(String::as_str).collect();
    let options = CompileOptions {
        source_info: false,
        ..CompileOptions::default()
    };
    let compilation = compile(&resolver, &roots, &options);
    let _ = std::fs::remove_dir_all(&dir);

    let in_protoc_form = |d: &protoforge_compiler::Diagnostic| {
        let line = d.render_protoc();
        let mut diagnostic = Diagnostic::parse_line(&line).unwrap_or_else(|| Diagnostic {
            severity: if d.is_error() {
                Severity::Error
            } else {
                Severity::Warning
            },
            file: String::new(),
            position: None,
            message: line,
        });
        // protoc prints a file by its disk path; for the fixture's files (under
        // `-I.`) that is the virtual path, for the include directory's files it
        // is the path the snapshots show as `<grpc_tools_include>/…`.
        if fixture.file(&diagnostic.file).is_none() && include.join(&diagnostic.file).is_file() {
            diagnostic.file = format!("{INCLUDE_PLACEHOLDER}/{}", diagnostic.file);
        }
        diagnostic
    };
    let first_error = compilation.errors().next().map(in_protoc_form);
    let warnings = compilation
        .diagnostics
        .iter()
        .filter(|d| !d.is_error())
        .map(in_protoc_form)
        .collect();
    OurOutcome {
        accepted: first_error.is_none(),
        first_error,
        warnings,
    }
}

/// How our outcome differs from protoc's; `None` when they agree.
pub(crate) fn compare(protoc: &ProtocOutcome, ours: &OurOutcome) -> Option<String> {
    match (protoc.accepted(), ours.accepted) {
        (true, true) => None,
        (true, false) => Some(format!(
            "protoc accepts, we reject with {}",
            show(ours.first_error.as_ref())
        )),
        (false, true) => Some(format!(
            "protoc rejects with {}, we accept",
            show(protoc.first_error())
        )),
        (false, false) => {
            let theirs = protoc.first_error();
            let same = match (theirs, ours.first_error.as_ref()) {
                (Some(a), Some(b)) => {
                    a.file == b.file && a.position == b.position && a.message == b.message
                }
                _ => false,
            };
            (!same).then(|| {
                format!(
                    "first errors differ\n      protoc: {}\n      ours:   {}",
                    show(theirs),
                    show(ours.first_error.as_ref())
                )
            })
        }
    }
}

fn show(d: Option<&Diagnostic>) -> String {
    d.map_or_else(|| "(no diagnostic)".to_string(), Diagnostic::to_string)
}

/// The case names in the known-disagreements file (`kind/rel` per line; `#`
/// starts a comment).
fn read_known(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Rewrites the known-disagreements file without the entries in `fixed`,
/// keeping comments and order.
fn shrink_known(path: &Path, fixed: &BTreeSet<String>) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !fixed.contains(l.split('#').next().unwrap_or("").trim()))
        .collect();
    std::fs::write(path, kept.join("\n") + "\n")
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

#[test]
#[allow(clippy::print_stderr)]
fn our_outcomes_match_protoc() {
    let root = cases_root();
    let known_path = root.join(KNOWN_DISAGREEMENTS);
    let known = read_known(&known_path);

    let mut total = 0;
    let mut agree = 0;
    let mut err_total = 0;
    let mut err_agree = 0;
    let mut disagreeing = BTreeSet::new();
    let mut regressions = String::new();
    for kind in [Kind::Ok, Kind::Warn, Kind::Err] {
        let all = cases(kind);
        let ours = parallel_map(all, THREADS, |case| our_outcome(&case.fixture));
        for (case, ours) in all.iter().zip(&ours) {
            let name = format!("{}/{}", kind.dir(), case.rel);
            total += 1;
            if kind == Kind::Err {
                err_total += 1;
            }
            let difference = if case.rel.starts_with(PROTOC_ABORTS) {
                // protoc has no first error to agree with; we only must reject.
                ours.accepted
                    .then(|| "protoc aborts, we accept".to_string())
            } else {
                compare(&case.protoc, ours)
            };
            match difference {
                None => {
                    agree += 1;
                    if kind == Kind::Err {
                        err_agree += 1;
                    }
                }
                Some(difference) => {
                    if !known.contains(&name) {
                        let _ = writeln!(regressions, "  {name}: {difference}");
                    }
                    disagreeing.insert(name);
                }
            }
        }
    }

    eprintln!(
        "compiler cases: {agree}/{total} agree with {} ({err_agree}/{err_total} invalid cases, {:.1}%)",
        protoforge_testkit::protoc_version(),
        100.0 * err_agree as f64 / err_total.max(1) as f64
    );

    let fixed: BTreeSet<String> = known.difference(&disagreeing).cloned().collect();
    if !fixed.is_empty() && std::env::var_os(SHRINK_ENV).is_some() {
        shrink_known(&known_path, &fixed);
    }
    let mut failure = String::new();
    if !regressions.is_empty() {
        let _ = write!(
            failure,
            "cases where we differ from protoc that are not in {KNOWN_DISAGREEMENTS} \
             (fix them; add a line only for a new case you cannot fix yet):\n{regressions}"
        );
    }
    if !fixed.is_empty() && std::env::var_os(SHRINK_ENV).is_none() {
        let _ = writeln!(
            failure,
            "cases that now agree with protoc: remove them from {KNOWN_DISAGREEMENTS} \
             (or run with {SHRINK_ENV}=1):"
        );
        for name in &fixed {
            let _ = writeln!(failure, "  {name}");
        }
    }
    assert!(failure.is_empty(), "{failure}");
}

#[test]
fn compare_tells_agreement_from_each_kind_of_difference() {
    let diag = |file: &str, position, message: &str| Diagnostic {
        severity: Severity::Error,
        file: file.into(),
        position,
        message: message.into(),
    };
    let protoc = |code, diagnostics: Vec<Diagnostic>| ProtocOutcome {
        exit_code: Some(code),
        stderr: diagnostics.iter().map(Diagnostic::to_string).collect(),
        diagnostics,
        descriptor_set: None,
    };
    let rejected = protoc(
        1,
        vec![diag("a.proto", Some((3, 5)), "\"X\" is not defined.")],
    );
    let accepted = protoc(0, vec![]);
    let ours = |error: Option<Diagnostic>| OurOutcome {
        accepted: error.is_none(),
        first_error: error,
        warnings: Vec::new(),
    };

    assert_eq!(compare(&accepted, &ours(None)), None);
    assert_eq!(
        compare(
            &rejected,
            &ours(Some(diag("a.proto", Some((3, 5)), "\"X\" is not defined.")))
        ),
        None
    );
    let differs = |theirs: &ProtocOutcome, o: OurOutcome| compare(theirs, &o).is_some();
    assert!(differs(&rejected, ours(None)));
    assert!(differs(&accepted, ours(Some(diag("a.proto", None, "x")))));
    assert!(differs(
        &rejected,
        ours(Some(diag("b.proto", Some((3, 5)), "\"X\" is not defined.")))
    ));
    assert!(differs(
        &rejected,
        ours(Some(diag("a.proto", Some((3, 6)), "\"X\" is not defined.")))
    ));
    assert!(differs(
        &rejected,
        ours(Some(diag("a.proto", None, "\"X\" is not defined.")))
    ));
    assert!(differs(
        &rejected,
        ours(Some(diag("a.proto", Some((3, 5)), "\"Y\" is not defined.")))
    ));
}

/// The warnings of an outcome in protoc's text, each run of unused-import
/// warnings sorted: protoc prints one file's unused imports in hash-set
/// order, which changes from run to run, so only the set per file and the
/// order of the files can agree.
fn comparable_warnings(warnings: &[Diagnostic]) -> Vec<String> {
    let mut lines: Vec<String> = warnings.iter().map(Diagnostic::to_string).collect();
    sort_runs(&mut lines, |l| is_unused_import_warning(l));
    lines
}

/// Cases whose warnings still differ from protoc's; the test fails when one
/// agrees (remove it).
const KNOWN_WARNING_DIFFERENCES: &[&str] = &[];

#[test]
fn warnings_match_protoc() {
    let mut compared = 0;
    let mut unused_imports = 0;
    let mut differences = String::new();
    for kind in [Kind::Ok, Kind::Warn] {
        for case in cases(kind) {
            let name = format!("{}/{}", kind.dir(), case.rel);
            let theirs: Vec<Diagnostic> = case.protoc.warnings().cloned().collect();
            let theirs = comparable_warnings(&theirs);
            let mut ours = our_outcome(&case.fixture).warnings;
            // protoc logs this one (an abseil line, not a diagnostic).
            ours.retain(|w| !w.message.starts_with("no edition or syntax specified"));
            let ours = comparable_warnings(&ours);
            compared += usize::from(!theirs.is_empty());
            unused_imports += usize::from(theirs.iter().any(|w| is_unused_import_warning(w)));
            let known = KNOWN_WARNING_DIFFERENCES.contains(&name.as_str());
            if known && theirs == ours {
                let _ = writeln!(
                    differences,
                    "  {name}: now agrees; remove it from KNOWN_WARNING_DIFFERENCES"
                );
            }
            if theirs != ours && !known {
                let _ = writeln!(
                    differences,
                    "  {name}:\n    protoc: {theirs:?}\n    ours:   {ours:?}"
                );
            }
        }
    }
    assert!(
        differences.is_empty(),
        "warnings differ from protoc:\n{differences}"
    );
    assert!(
        compared >= 10 && unused_imports >= 3,
        "only {compared} cases with warnings, {unused_imports} with unused imports"
    );
}
