//! Tidy rules over the whole workspace's source, as ordinary tests: the
//! habits from STYLE.md that a reviewer would otherwise have to remember.

use std::path::{Path, PathBuf};

use protoforge_testkit::workspace_root;

/// Every `.rs` file under `crates/*/src`, `crates/*/tests`, `crates/*/benches`
/// and `xtask/src`, sorted.
fn rust_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path
                    .file_name()
                    .is_some_and(|n| n == "snapshots" || n == "target")
                {
                    continue;
                }
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = workspace_root();
    let mut out = Vec::new();
    walk(&root.join("crates"), &mut out);
    walk(&root.join("xtask"), &mut out);
    out.sort();
    assert!(
        out.len() > 5,
        "found too few Rust files under {}",
        root.display()
    );
    out
}

fn relative(path: &Path) -> String {
    path.strip_prefix(workspace_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The part of a source file before its `#[cfg(test)]` module.
fn non_test_code(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |i| &text[..i])
}

fn is_library_source(path: &Path) -> bool {
    let s = path.to_string_lossy();
    s.contains("/src/") && !s.contains("protoforge-testkit") && !s.contains("xtask")
}

fn check(rule: &str, offenders: Vec<String>) {
    assert!(
        offenders.is_empty(),
        "tidy rule violated: {rule}\n  {}",
        offenders.join("\n  ")
    );
}

#[test]
fn every_file_says_why_it_exists() {
    let offenders = rust_files()
        .into_iter()
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|p| relative(&p))
        .collect();
    check(
        "every Rust file opens with a `//!` doc comment saying why it exists",
        offenders,
    );
}

#[test]
fn library_code_does_not_unwrap_or_leave_placeholders() {
    let banned = [".unwrap()", "todo!(", "unimplemented!(", "dbg!("];
    let mut offenders = Vec::new();
    for path in rust_files().into_iter().filter(|p| is_library_source(p)) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (n, line) in non_test_code(&text).lines().enumerate() {
            if banned.iter().any(|b| line.contains(b)) && !line.trim_start().starts_with("//") {
                offenders.push(format!("{}:{}: {}", relative(&path), n + 1, line.trim()));
            }
        }
    }
    check(
        "library code has no unwrap(), todo!, unimplemented! or dbg!",
        offenders,
    );
}

#[test]
fn tests_are_never_ignored_or_expected_to_panic() {
    let mut offenders = Vec::new();
    for path in rust_files() {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("#[ignore") || t.starts_with("#[should_panic") {
                offenders.push(format!("{}:{}", relative(&path), n + 1));
            }
        }
    }
    check(
        "no #[ignore] or #[should_panic]: assert today's behaviour and leave a FIXME",
        offenders,
    );
}

#[test]
fn front_end_has_no_hash_maps() {
    let mut offenders = Vec::new();
    for path in rust_files() {
        let s = path.to_string_lossy();
        if !s.contains("protoforge-syntax/src/") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.contains("HashMap") || text.contains("HashSet") {
            offenders.push(relative(&path));
        }
    }
    check(
        "protoforge-syntax uses no HashMap/HashSet (deterministic output)",
        offenders,
    );
}
