//! Input files named by directory or by glob pattern, which protoc does not
//! accept (it relies on the shell for patterns, and refuses directories).
//!
//! Each input is expanded on its own, before the inputs are mapped to import
//! names, and in place, so the order of the command line is kept:
//!
//! - an existing file, or a name that matches nothing on disk and has no
//!   wildcard (an import name, say), is kept as it is;
//! - an existing directory becomes every `.proto` file under it, at any
//!   depth, in byte order of their paths (symbolic links to directories are
//!   not followed, so a loop cannot trap the walk);
//! - a pattern with `*`, `?` or `[…]` becomes the files it matches, sorted.
//!   `*` and `?` never match `/`; a component that is exactly `**` matches
//!   any number of directories, none included; as in a shell, a wildcard
//!   does not match a leading `.`. A matched directory is expanded as above.
//!
//! A directory without `.proto` files or a pattern without matches is an
//! error, since the user clearly meant some files.

use std::path::Path;

/// Why an input could not be expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum InputError {
    /// A directory that holds no `.proto` file.
    EmptyDirectory(String),
    /// A pattern that matches nothing.
    NoMatch(String),
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::EmptyDirectory(dir) => write!(f, "{dir}: no .proto file in this directory"),
            InputError::NoMatch(pattern) => write!(f, "{pattern}: no file matches this pattern"),
        }
    }
}

/// The inputs with directories and patterns replaced by the files they name.
pub(crate) fn expand(inputs: &[String]) -> Result<Vec<String>, InputError> {
    let mut out = Vec::new();
    for input in inputs {
        let path = Path::new(input);
        if path.is_dir() {
            let before = out.len();
            walk_protos(input, &mut out);
            if out.len() == before {
                return Err(InputError::EmptyDirectory(input.clone()));
            }
        } else if !path.exists() && is_pattern(input) {
            let mut matches = Vec::new();
            glob(input, &mut matches);
            matches.sort();
            matches.dedup();
            if matches.is_empty() {
                return Err(InputError::NoMatch(input.clone()));
            }
            for found in matches {
                if Path::new(&found).is_dir() {
                    walk_protos(&found, &mut out);
                } else {
                    out.push(found);
                }
            }
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

fn is_pattern(input: &str) -> bool {
    input.contains(['*', '?', '['])
}

/// `dir` joined with `name` by one `/`.
fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The entries of `dir`: (name, is a real directory, is a file), sorted by name.
fn entries(dir: &str) -> Vec<(String, bool, bool)> {
    let read_from = if dir.is_empty() { "." } else { dir };
    let Ok(read) = std::fs::read_dir(read_from) else {
        return Vec::new();
    };
    let mut entries: Vec<(String, bool, bool)> = read
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let file_type = entry.file_type().ok()?;
            let is_dir = file_type.is_dir();
            let is_file = file_type.is_file() || (file_type.is_symlink() && entry.path().is_file());
            Some((name, is_dir, is_file))
        })
        .collect();
    entries.sort();
    entries
}

/// Every `.proto` file under `dir`, sorted by path.
fn walk_protos(dir: &str, out: &mut Vec<String>) {
    let mut found = Vec::new();
    fn walk(dir: &str, found: &mut Vec<String>) {
        for (name, is_dir, is_file) in entries(dir) {
            let path = join(dir, &name);
            if is_dir {
                walk(&path, found);
            } else if is_file && name.ends_with(".proto") {
                found.push(path);
            }
        }
    }
    walk(dir, &mut found);
    found.sort();
    out.extend(found);
}

/// The paths matching `pattern`.
fn glob(pattern: &str, out: &mut Vec<String>) {
    let (root, rest) = match pattern.strip_prefix('/') {
        Some(rest) => ("/", rest),
        None => ("", pattern),
    };
    let components: Vec<&str> = rest.split('/').filter(|c| !c.is_empty()).collect();
    glob_from(root, &components, out);
}

fn glob_from(dir: &str, components: &[&str], out: &mut Vec<String>) {
    let Some((first, rest)) = components.split_first() else {
        if !dir.is_empty() {
            out.push(dir.trim_end_matches('/').to_string());
        }
        return;
    };
    if *first == "**" {
        // Zero directories…
        glob_from(dir, rest, out);
        // …or one more, then `**` again.
        for (name, is_dir, _) in entries(dir) {
            if is_dir && !name.starts_with('.') {
                glob_from(&join(dir, &name), components, out);
            }
        }
        return;
    }
    if !is_pattern(first) {
        let path = join(dir, first);
        if Path::new(&path).exists() {
            glob_from(&path, rest, out);
        }
        return;
    }
    for (name, is_dir, is_file) in entries(dir) {
        if name.starts_with('.') && !first.starts_with('.') {
            continue;
        }
        if !wildcard_match(first.as_bytes(), name.as_bytes()) {
            continue;
        }
        let path = join(dir, &name);
        if rest.is_empty() {
            if is_dir || is_file {
                out.push(path);
            }
        } else if is_dir {
            glob_from(&path, rest, out);
        }
    }
}

/// Whether `name` matches the one-component pattern `pattern` (`*`, `?`,
/// `[abc]`, `[a-z]`, `[!a]`/`[^a]`).
fn wildcard_match(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    // Where to resume after the last `*`: (pattern index, name index).
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    star = Some((p, n));
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    n += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = class_match(&pattern[p..], name[n]) {
                        if matched {
                            p += next;
                            n += 1;
                            continue;
                        }
                    } else if name[n] == b'[' {
                        // An unclosed `[` is a literal.
                        p += 1;
                        n += 1;
                        continue;
                    }
                }
                c if c == name[n] => {
                    p += 1;
                    n += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                p = sp + 1;
                n = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Matches `c` against the class at the start of `pattern` (which begins
/// with `[`): whether it matched and the class's length, or `None` if the
/// class is not closed.
fn class_match(pattern: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut i = 1;
    let negated = matches!(pattern.get(i), Some(b'!' | b'^'));
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let &start = pattern.get(i)?;
        if start == b']' && !first {
            return Some((matched != negated, i + 1));
        }
        first = false;
        if pattern.get(i + 1) == Some(&b'-') && pattern.get(i + 2).is_some_and(|&e| e != b']') {
            let end = pattern[i + 2];
            matched |= start <= c && c <= end;
            i += 3;
        } else {
            matched |= start == c;
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let cases: &[(&str, &str, bool)] = &[
            ("*.proto", "a.proto", true),
            ("*.proto", "a.protox", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("[ab]*", "beta", true),
            ("[!ab]*", "beta", false),
            ("[a-c]x", "cx", true),
            ("[a-c]x", "dx", false),
            ("*a*b", "xaxxb", true),
            ("*a*b", "xaxxbc", false),
            ("[x", "[x", true),
            ("[]]", "]", true),
            ("**", "anything", true),
        ];
        for (pattern, name, want) in cases {
            assert_eq!(
                wildcard_match(pattern.as_bytes(), name.as_bytes()),
                *want,
                "{pattern} vs {name}"
            );
        }
    }

    #[test]
    fn directories_and_patterns_expand_in_place() {
        let dir = std::env::temp_dir().join(format!("protoforge-inputs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for file in [
            "p/a.proto",
            "p/sub/b.proto",
            "p/sub/deep/c.proto",
            "p/notes.txt",
            "p/.hidden/h.proto",
            "q/z.proto",
        ] {
            let path = dir.join(file);
            let _ = std::fs::create_dir_all(path.parent().unwrap_or(&dir));
            let _ = std::fs::write(&path, "");
        }
        let _ = std::fs::create_dir_all(dir.join("empty"));
        let base = dir.display().to_string();
        let at = |rel: &str| format!("{base}/{rel}");
        let got = expand(&[at("q/z.proto"), at("p"), "import/name.proto".into()]);
        assert_eq!(
            got,
            Ok(vec![
                at("q/z.proto"),
                at("p/.hidden/h.proto"),
                at("p/a.proto"),
                at("p/sub/b.proto"),
                at("p/sub/deep/c.proto"),
                "import/name.proto".into(),
            ])
        );
        assert_eq!(
            expand(&[at("p/**/*.proto")]),
            Ok(vec![
                at("p/a.proto"),
                at("p/sub/b.proto"),
                at("p/sub/deep/c.proto")
            ])
        );
        assert_eq!(expand(&[at("p/s*/*.proto")]), Ok(vec![at("p/sub/b.proto")]));
        assert_eq!(
            expand(&[at("*")]),
            Ok(vec![
                at("p/.hidden/h.proto"),
                at("p/a.proto"),
                at("p/sub/b.proto"),
                at("p/sub/deep/c.proto"),
                at("q/z.proto"),
            ])
        );
        assert_eq!(
            expand(&[at("empty")]),
            Err(InputError::EmptyDirectory(at("empty")))
        );
        assert_eq!(
            expand(&[at("p/*.rs")]),
            Err(InputError::NoMatch(at("p/*.rs")))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
