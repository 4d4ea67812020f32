//! Multi-file test fixtures: several virtual `.proto` files kept in one text
//! file, so that import, link and option cases need no directory trees.
//!
//! # Format
//!
//! A fixture with no marker lines is a single virtual file whose path is the
//! fixture's own file name (`number_zero.proto` holds `number_zero.proto`).
//!
//! Otherwise the text is split at *file markers*, lines of the form
//!
//! ```text
//! //- path/to/file.proto
//! ```
//!
//! Each marker starts a virtual file that runs up to the next marker (or the
//! end); line 1 of a virtual file is the line after its marker, so the
//! positions a compiler reports are counted inside that file.
//!
//! Before the first marker there is a header, which may hold blank lines,
//! ordinary `//` comments (a description of the case), and *directives*:
//!
//! ```text
//! //- compile: a.proto b.proto
//! ```
//!
//! `compile` lists the files handed to the compiler, in order; without it, the
//! first virtual file is the one compiled. Directives are allowed only in the
//! header, anything else in the header is an error, and a path must be
//! relative, without `.` or `..` components, and unique.
//!
//! [`Fixture::materialise`] writes the virtual files under a directory;
//! [`crate::protoc_outcome`] runs the reference protoc on them.

use std::fmt;
use std::path::Path;

/// The prefix of marker and directive lines.
pub const MARKER: &str = "//- ";

/// One virtual file of a fixture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VirtualFile {
    /// The path the file has under the include root (its import name).
    pub path: String,
    /// The file's bytes.
    pub content: Vec<u8>,
}

/// A parsed fixture: its virtual files and which of them are compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixture {
    /// The fixture's name (for messages), usually its path under `testdata`.
    pub name: String,
    /// The virtual files, in the order they appear.
    pub files: Vec<VirtualFile>,
    /// The paths handed to the compiler, in order; never empty.
    pub compile: Vec<String>,
}

/// Why a fixture text is malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixtureError {
    /// The 1-based line of the fixture text at fault.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for FixtureError {}

/// What a `//- ` line is.
enum MarkerLine<'a> {
    Directive { key: &'a str, value: &'a str },
    File(&'a str),
}

fn classify(line: &[u8]) -> Option<Result<MarkerLine<'_>, String>> {
    let rest = line.strip_prefix(MARKER.as_bytes())?;
    let rest = rest.strip_suffix(b"\r").unwrap_or(rest);
    let Ok(rest) = std::str::from_utf8(rest) else {
        return Some(Err("a marker line must be UTF-8".to_string()));
    };
    let rest = rest.trim();
    if let Some((key, value)) = rest.split_once(':') {
        if !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Some(Ok(MarkerLine::Directive {
                key,
                value: value.trim(),
            }));
        }
    }
    Some(Ok(MarkerLine::File(rest)))
}

fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("a file marker needs a path".to_string());
    }
    if path.contains(char::is_whitespace) {
        return Err(format!("path {path:?} contains whitespace"));
    }
    if path.starts_with('/') || path.contains('\\') {
        return Err(format!("path {path:?} must be relative and use '/'"));
    }
    if path
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err(format!("path {path:?} has an empty, '.' or '..' component"));
    }
    Ok(())
}

impl Fixture {
    /// Parses fixture text. `name` is the fixture's file name; it becomes the
    /// virtual path when the text has no file markers.
    ///
    /// # Errors
    /// A [`FixtureError`] naming the offending line.
    pub fn parse(name: &str, text: &[u8]) -> Result<Fixture, FixtureError> {
        let err = |line: usize, message: String| FixtureError { line, message };
        let has_markers = text
            .split(|&b| b == b'\n')
            .any(|line| matches!(classify(line), Some(Ok(MarkerLine::File(_)))));
        if !has_markers {
            if let Some((index, _)) = text
                .split(|&b| b == b'\n')
                .enumerate()
                .find(|(_, line)| classify(line).is_some())
            {
                return Err(err(
                    index + 1,
                    "directives need at least one `//- path` file marker after them".to_string(),
                ));
            }
            let path = Path::new(name)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| name.to_string());
            return Ok(Fixture {
                name: name.to_string(),
                files: vec![VirtualFile {
                    path: path.clone(),
                    content: text.to_vec(),
                }],
                compile: vec![path],
            });
        }

        let mut files: Vec<VirtualFile> = Vec::new();
        let mut compile: Option<Vec<String>> = None;
        let mut offset = 0;
        for (index, line) in text.split_inclusive(|&b| b == b'\n').enumerate() {
            offset += line.len();
            let bare = line.strip_suffix(b"\n").unwrap_or(line);
            match classify(bare) {
                Some(Err(message)) => return Err(err(index + 1, message)),
                Some(Ok(MarkerLine::File(path))) => {
                    check_path(path).map_err(|m| err(index + 1, m))?;
                    if files.iter().any(|f| f.path == path) {
                        return Err(err(index + 1, format!("file {path:?} appears twice")));
                    }
                    files.push(VirtualFile {
                        path: path.to_string(),
                        content: Vec::new(),
                    });
                }
                Some(Ok(MarkerLine::Directive { key, value })) => {
                    if !files.is_empty() {
                        return Err(err(
                            index + 1,
                            format!("directive `{key}` must come before the first file marker"),
                        ));
                    }
                    match key {
                        "compile" => {
                            if compile.is_some() {
                                return Err(err(index + 1, "`compile` given twice".to_string()));
                            }
                            let list: Vec<String> =
                                value.split_whitespace().map(str::to_string).collect();
                            if list.is_empty() {
                                return Err(err(index + 1, "`compile` lists no file".to_string()));
                            }
                            compile = Some(list);
                        }
                        other => {
                            return Err(err(index + 1, format!("unknown directive `{other}`")));
                        }
                    }
                }
                None => match files.last_mut() {
                    Some(file) => file.content.extend_from_slice(line),
                    None => {
                        let trimmed = bare.strip_suffix(b"\r").unwrap_or(bare);
                        let blank = trimmed.iter().all(u8::is_ascii_whitespace);
                        if !blank && !trimmed.starts_with(b"//") {
                            return Err(err(
                                index + 1,
                                "only comments and directives may come before the first file marker"
                                    .to_string(),
                            ));
                        }
                    }
                },
            }
        }
        debug_assert_eq!(offset, text.len());
        let compile = match compile {
            Some(list) => {
                for path in &list {
                    if !files.iter().any(|f| &f.path == path) {
                        return Err(err(
                            1,
                            format!("`compile` names {path:?}, which is not a file of the fixture"),
                        ));
                    }
                }
                list
            }
            None => files.iter().take(1).map(|f| f.path.clone()).collect(),
        };
        Ok(Fixture {
            name: name.to_string(),
            files,
            compile,
        })
    }

    /// Reads and parses the fixture at `path`; its name is `path` relative to
    /// `base`.
    ///
    /// # Panics
    /// When the file cannot be read or is malformed, naming it.
    pub fn load(base: &Path, path: &Path) -> Fixture {
        let text = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path
            .strip_prefix(base)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        Fixture::parse(&name, &text).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
    }

    /// The virtual file at `path`.
    pub fn file(&self, path: &str) -> Option<&VirtualFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// Writes every virtual file under `dir`, creating directories.
    ///
    /// # Errors
    /// The first IO error.
    pub fn materialise(&self, dir: &Path) -> std::io::Result<()> {
        for file in &self.files {
            let path = dir.join(&file.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, &file.content)?;
        }
        Ok(())
    }
}
