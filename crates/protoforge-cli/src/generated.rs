//! The files plugins generate for one output location, kept in memory until
//! every plugin has run, then written to a directory or an archive.
//!
//! This is protoc's `GeneratorContextImpl`: plugins that write to the same
//! location share one [`Generated`], so a later plugin can insert into a
//! file an earlier one wrote (`@@protoc_insertion_point(NAME)`). Insertion
//! follows protoc to the byte: the text goes at the start of the line that
//! holds the marker (or just before an inline `/* @@protoc_insertion_point */`),
//! each inserted line takes that line's indentation, a missing final newline
//! is added, and the annotations of a `FILE.pb.meta` companion are shifted.
//!
//! Problems found while applying a response (a file written twice, an
//! insertion into a missing file or at a missing point) are printed when
//! they happen, as protoc prints them, and make the location unwritable.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::plugin::codec::{Annotation, GeneratedCodeInfo, Response};
use crate::zip;

/// The suffix of the metadata companion of a generated file.
const META_SUFFIX: &str = ".pb.meta";

/// What the `.jar` writer adds when no plugin wrote a manifest.
const JAR_MANIFEST: &str = "Manifest-Version: 1.0\nCreated-By: 1.6.0 (protoc)\n\n";

/// The generated files of one output location, by name (sorted, as protoc
/// keeps them, which is also the order of a zip's entries).
#[derive(Debug, Default)]
pub(crate) struct Generated {
    files: BTreeMap<String, Vec<u8>>,
    had_error: bool,
}

/// A file being written by one response: protoc's `MemoryOutputStream`.
struct Stream {
    name: String,
    /// Empty for a plain file.
    insertion_point: String,
    info: Vec<u8>,
    data: Vec<u8>,
}

impl Generated {
    /// The names of the files, sorted.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The bytes of one file.
    #[cfg(test)]
    pub(crate) fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(Vec::as_slice)
    }

    /// Applies a plugin's files, in order (protoc's
    /// `GenerateCodeFromResponse`). Problems with single files go to
    /// `stderr` and mark the location as failed; the error returned is the
    /// one protoc returns: a first chunk with no file name.
    pub(crate) fn apply(
        &mut self,
        response: &Response,
        plugin: &str,
        stderr: &mut String,
    ) -> Result<(), String> {
        let mut current: Option<Stream> = None;
        for file in &response.files {
            if !file.insertion_point.is_empty() || !file.name.is_empty() {
                if let Some(stream) = current.take() {
                    self.close(stream, stderr);
                }
                current = Some(Stream {
                    name: file.name.clone(),
                    insertion_point: file.insertion_point.clone(),
                    info: file.generated_code_info.clone(),
                    data: Vec::new(),
                });
            }
            match current.as_mut() {
                Some(stream) => stream.data.extend_from_slice(&file.content),
                None => {
                    return Err(format!(
                        "{plugin}: First file chunk returned by plugin did not specify a file name."
                    ));
                }
            }
        }
        if let Some(stream) = current.take() {
            self.close(stream, stderr);
        }
        Ok(())
    }

    /// Commits a finished stream (protoc's `~MemoryOutputStream`).
    fn close(&mut self, stream: Stream, stderr: &mut String) {
        let Stream {
            name,
            insertion_point,
            info,
            mut data,
        } = stream;
        let already_present = self.files.contains_key(&name);
        let target = self.files.entry(name.clone()).or_default();
        if insertion_point.is_empty() {
            if already_present {
                let _ = writeln!(stderr, "{name}: Tried to write the same file twice.");
                self.had_error = true;
            } else {
                *target = data;
            }
            return;
        }
        if data.last().is_some_and(|&b| b != b'\n') {
            data.push(b'\n');
        }
        if !already_present {
            let _ = writeln!(
                stderr,
                "{name}: Tried to insert into file that doesn't exist."
            );
            self.had_error = true;
            return;
        }
        let marker = format!("@@protoc_insertion_point({insertion_point})");
        let Some(found) = find(target, marker.as_bytes()) else {
            let _ = writeln!(
                stderr,
                "{name}: insertion point \"{insertion_point}\" not found."
            );
            self.had_error = true;
            return;
        };
        let pos = if found > 3 && &target[found - 3..found - 1] == b"/*" {
            // An inline `/* @@protoc_insertion_point(...) */`.
            found - 3
        } else {
            // The start of the marker's line: the text goes above it, so
            // several insertions at one point come out in order.
            target[..found]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |newline| newline + 1)
        };
        let indent_len = target[pos..]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let indent = target[pos..pos + indent_len].to_vec();
        let inserted = if indent.is_empty() {
            data.clone()
        } else {
            let mut inserted = Vec::with_capacity(data.len());
            for line in data.split_inclusive(|&b| b == b'\n') {
                inserted.extend_from_slice(&indent);
                inserted.extend_from_slice(line);
            }
            inserted
        };
        let inserted_len = inserted.len();
        target.splice(pos..pos, inserted);
        self.update_metadata(&name, &info, &data, pos, inserted_len, indent.len(), stderr);
    }

    /// Shifts the annotations of `NAME.pb.meta` past an insertion and adds
    /// the inserted text's own (protoc's `UpdateMetadata`).
    #[allow(clippy::too_many_arguments)]
    fn update_metadata(
        &mut self,
        name: &str,
        info: &[u8],
        content: &[u8],
        offset: usize,
        length: usize,
        indent: usize,
        stderr: &mut String,
    ) {
        let to_insert = GeneratedCodeInfo::decode(info).unwrap_or_default();
        let meta_name = format!("{name}{META_SUFFIX}");
        let existing = match self.files.get(&meta_name) {
            None if to_insert.annotations.is_empty() => return,
            None => GeneratedCodeInfo::default(),
            Some(bytes) => match GeneratedCodeInfo::decode(bytes) {
                Ok(info) => info,
                Err(_) => {
                    // protoc then tries the text format, which plugins that
                    // write .pb.meta themselves do not use; we report the file
                    // as protoc reports one it cannot read at all.
                    let _ = writeln!(
                        stderr,
                        "{meta_name}: Could not parse metadata as wire or text format."
                    );
                    return;
                }
            },
        };
        let mut updated = GeneratedCodeInfo {
            annotations: Vec::new(),
            unknown: existing.unknown.clone(),
        };
        let mut crossed = false;
        let mut to_add: i64 = 0;
        for annotation in &existing.annotations {
            // protoc compares as size_t, so a negative begin counts as past
            // the insertion.
            let begin = i64::from(annotation.begin.unwrap_or(0)) as u64;
            if begin >= offset as u64 && !crossed {
                crossed = true;
                insert_shifted(&to_insert, content, offset, indent, &mut updated);
                to_add += length as i64;
            }
            let mut shifted = annotation.clone();
            shifted.begin = Some(shift(annotation.begin, to_add));
            shifted.end = Some(shift(annotation.end, to_add));
            updated.annotations.push(shifted);
        }
        if !crossed {
            insert_shifted(&to_insert, content, offset, indent, &mut updated);
        }
        self.files.insert(meta_name, updated.encode());
    }

    /// Adds the manifest a `.jar` needs, unless a plugin wrote one.
    pub(crate) fn add_jar_manifest(&mut self) {
        self.files
            .entry("META-INF/MANIFEST.MF".to_string())
            .or_insert_with(|| JAR_MANIFEST.as_bytes().to_vec());
    }

    /// Writes every file under `prefix` (which ends in `/`), creating
    /// subdirectories but not `prefix` itself, as protoc does. Failures are
    /// reported on `stderr` in protoc's words.
    pub(crate) fn write_to_disk(
        &self,
        prefix: &str,
        allow_escape: bool,
        stderr: &mut String,
    ) -> bool {
        if self.had_error {
            return false;
        }
        if !prefix.is_empty() {
            if let Err(e) = std::fs::metadata(prefix) {
                let _ = writeln!(stderr, "{prefix}: {}", describe(&e));
                return false;
            }
        }
        for (name, data) in &self.files {
            if !allow_escape && name.contains("..") {
                let _ = writeln!(
                    stderr,
                    "Output file names must never have a relative path. ({name}). Use \
                     --unsafe_allow_out_dir_escape to disable this error if intentional."
                );
                return false;
            }
            if !create_parents(prefix, name, stderr) {
                return false;
            }
            let path = format!("{prefix}{name}");
            if let Err(e) = std::fs::write(&path, data) {
                // protoc ends this message without a newline.
                let _ = write!(stderr, "{path}: {}", describe(&e));
                return false;
            }
        }
        true
    }

    /// Writes every file into the zip archive `path`.
    pub(crate) fn write_to_zip(&self, path: &str, stderr: &mut String) -> bool {
        if self.had_error {
            return false;
        }
        let archive = match zip::archive(self.files.iter().map(|(n, d)| (n.as_str(), d.as_slice())))
        {
            Ok(archive) => archive,
            Err(e) => {
                let _ = writeln!(stderr, "{path}: {e}");
                return false;
            }
        };
        if let Err(e) = std::fs::write(path, archive) {
            // protoc ends this message without a newline.
            let _ = write!(stderr, "{path}: {}", describe(&e));
            return false;
        }
        true
    }
}

/// protoc's `InsertShiftedInfo`: the inserted text's annotations, moved to
/// where the text landed and stretched by the indentation added to each of
/// its lines.
fn insert_shifted(
    to_insert: &GeneratedCodeInfo,
    content: &[u8],
    offset: usize,
    indent: usize,
    target: &mut GeneratedCodeInfo,
) {
    let mut pos = 0usize;
    let mut offset = (offset + indent) as i64;
    // The final newline does not start an indented line.
    let last = content.len().saturating_sub(1);
    for source in &to_insert.annotations {
        let begin = i64::from(source.begin.unwrap_or(0)) as u64;
        let end = i64::from(source.end.unwrap_or(0)) as u64;
        let mut inner_indent = 0i64;
        while (pos as u64) < end && pos < last {
            if content[pos] == b'\n' {
                if pos as u64 >= begin {
                    inner_indent += indent as i64;
                } else {
                    offset += indent as i64;
                }
            }
            pos += 1;
        }
        let mut annotation: Annotation = source.clone();
        annotation.begin = Some(shift(source.begin, offset));
        offset += inner_indent;
        annotation.end = Some(shift(source.end, offset));
        target.annotations.push(annotation);
    }
}

/// `value + by`, truncated to 32 bits as protoc's `set_begin`/`set_end` do.
fn shift(value: Option<i32>, by: i64) -> i32 {
    (i64::from(value.unwrap_or(0)).wrapping_add(by)) as i32
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Creates the directories of `name` below `prefix` (protoc's
/// `TryCreateParentDirectory`: `/` and `\` both separate, empty parts are
/// skipped).
fn create_parents(prefix: &str, name: &str, stderr: &mut String) -> bool {
    let parts: Vec<&str> = name
        .split(['/', '\\'])
        .filter(|part| !part.is_empty())
        .collect();
    let mut so_far = prefix.to_string();
    for part in parts.iter().take(parts.len().saturating_sub(1)) {
        so_far.push_str(part);
        if let Err(e) = std::fs::create_dir(&so_far) {
            if e.kind() != std::io::ErrorKind::AlreadyExists {
                let _ = writeln!(
                    stderr,
                    "{name}: while trying to create directory {so_far}: {}",
                    describe(&e)
                );
                return false;
            }
        }
        so_far.push('/');
    }
    true
}

/// An IO error as `strerror` words it, without Rust's `(os error N)`.
pub(crate) fn describe(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_string(),
        _ => text,
    }
}

/// Whether `location` names an archive rather than a directory.
pub(crate) fn is_archive(location: &str) -> bool {
    [".zip", ".jar", ".srcjar"]
        .iter()
        .any(|suffix| location.ends_with(suffix))
}

/// The key protoc files an output location under: archives as given,
/// directories with a trailing `/`.
pub(crate) fn location_key(location: &str) -> String {
    if is_archive(location) || location.is_empty() || location.ends_with('/') {
        location.to_string()
    } else {
        format!("{location}/")
    }
}

/// Whether `path` exists (for tests of writing).
#[cfg(test)]
fn exists(path: &str) -> bool {
    std::path::Path::new(path).exists()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::codec::ResponseFile;

    fn file(name: &str, point: &str, content: &str) -> ResponseFile {
        ResponseFile {
            name: name.into(),
            insertion_point: point.into(),
            content: content.as_bytes().to_vec(),
            generated_code_info: Vec::new(),
        }
    }

    fn apply(generated: &mut Generated, files: Vec<ResponseFile>) -> (Result<(), String>, String) {
        let mut stderr = String::new();
        let response = Response {
            files,
            ..Response::default()
        };
        let result = generated.apply(&response, "protoc-gen-test", &mut stderr);
        (result, stderr)
    }

    fn text(generated: &Generated, name: &str) -> String {
        String::from_utf8_lossy(generated.get(name).unwrap_or_default()).into_owned()
    }

    #[test]
    fn insertion_takes_the_indent_of_the_marker_line() {
        let mut g = Generated::default();
        let base = "class A {\n    // @@protoc_insertion_point(body)\n}\n";
        let (result, stderr) = apply(
            &mut g,
            vec![
                file("a.txt", "", base),
                file("a.txt", "body", "int x;\nint y;"),
                file("a.txt", "body", "int z;\n"),
            ],
        );
        assert_eq!((result, stderr.as_str()), (Ok(()), ""));
        assert_eq!(
            text(&g, "a.txt"),
            "class A {\n    int x;\n    int y;\n    int z;\n    // @@protoc_insertion_point(body)\n}\n"
        );
    }

    #[test]
    fn inline_marker_inserts_before_the_comment() {
        let mut g = Generated::default();
        let (result, _) = apply(
            &mut g,
            vec![
                file("a.txt", "", "f(/* @@protoc_insertion_point(args) */);"),
                file("a.txt", "args", "1, "),
            ],
        );
        assert_eq!(result, Ok(()));
        // The newline protoc adds to the inserted text stays.
        assert_eq!(
            text(&g, "a.txt"),
            "f(1, \n/* @@protoc_insertion_point(args) */);"
        );
    }

    #[test]
    fn chunks_continue_the_previous_file() {
        let mut g = Generated::default();
        let (result, _) = apply(&mut g, vec![file("a.txt", "", "one "), file("", "", "two")]);
        assert_eq!(result, Ok(()));
        assert_eq!(text(&g, "a.txt"), "one two");
        let (result, _) = apply(&mut Generated::default(), vec![file("", "", "x")]);
        assert_eq!(
            result,
            Err(
                "protoc-gen-test: First file chunk returned by plugin did not specify a file name."
                    .into()
            )
        );
    }

    #[test]
    fn problems_are_reported_and_block_writing() {
        let mut g = Generated::default();
        let (result, stderr) = apply(
            &mut g,
            vec![
                file("a.txt", "", "x"),
                file("a.txt", "", "y"),
                file("b.txt", "p", "z"),
                file("a.txt", "q", "z"),
            ],
        );
        assert_eq!(result, Ok(()));
        assert_eq!(
            stderr,
            "a.txt: Tried to write the same file twice.\n\
             b.txt: Tried to insert into file that doesn't exist.\n\
             a.txt: insertion point \"q\" not found.\n"
        );
        assert_eq!(text(&g, "a.txt"), "x");
        let mut stderr = String::new();
        assert!(!g.write_to_disk("/nonexistent-dir/", false, &mut stderr));
        assert_eq!(stderr, "");
    }

    #[test]
    fn metadata_is_shifted_past_insertions() {
        let mut g = Generated::default();
        let mut meta = GeneratedCodeInfo::default();
        for (begin, end) in [(0, 3), (20, 25)] {
            meta.annotations.push(Annotation {
                path: vec![4, 0],
                begin: Some(begin),
                end: Some(end),
                ..Annotation::default()
            });
        }
        let inserted_info = GeneratedCodeInfo {
            annotations: vec![Annotation {
                path: vec![4, 1],
                begin: Some(0),
                end: Some(6),
                ..Annotation::default()
            }],
            unknown: Vec::new(),
        };
        let base = "abc\n  // @@protoc_insertion_point(p)\n";
        let mut insert = file("a.txt", "p", "int x;\nint y;\n");
        insert.generated_code_info = inserted_info.encode();
        let meta_file = ResponseFile {
            name: "a.txt.pb.meta".into(),
            content: meta.encode(),
            ..ResponseFile::default()
        };
        let (result, stderr) = apply(&mut g, vec![file("a.txt", "", base), meta_file, insert]);
        assert_eq!((result, stderr.as_str()), (Ok(()), ""));
        assert_eq!(
            text(&g, "a.txt"),
            "abc\n  int x;\n  int y;\n  // @@protoc_insertion_point(p)\n"
        );
        let updated = GeneratedCodeInfo::decode(g.get("a.txt.pb.meta").unwrap_or_default())
            .unwrap_or_default();
        let spans: Vec<(Vec<i32>, Option<i32>, Option<i32>)> = updated
            .annotations
            .iter()
            .map(|a| (a.path.clone(), a.begin, a.end))
            .collect();
        // The first annotation is before the insertion (offset 4); the
        // inserted one lands after the indent; the last moves by the 18
        // bytes inserted.
        assert_eq!(
            spans,
            [
                (vec![4, 0], Some(0), Some(3)),
                (vec![4, 1], Some(6), Some(12)),
                (vec![4, 0], Some(38), Some(43)),
            ]
        );
    }

    #[test]
    fn writing_creates_subdirectories_and_refuses_escapes() {
        let dir = std::env::temp_dir().join(format!("protoforge-generated-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::create_dir_all(&dir);
        let prefix = format!("{}/", dir.display());
        let mut g = Generated::default();
        let _ = apply(&mut g, vec![file("a/b/c.txt", "", "x")]);
        let mut stderr = String::new();
        assert!(g.write_to_disk(&prefix, false, &mut stderr), "{stderr}");
        assert!(exists(&format!("{prefix}a/b/c.txt")));
        let mut g = Generated::default();
        let _ = apply(&mut g, vec![file("../x.txt", "", "x")]);
        assert!(!g.write_to_disk(&prefix, false, &mut stderr));
        assert!(
            stderr.starts_with("Output file names must never have a relative path. (../x.txt).")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
