//! Where `.proto` sources come from: the [`FileResolver`] trait and its
//! implementations.
//!
//! The compiler names files by their *virtual* path, the name used in
//! `import` statements (`google/protobuf/any.proto`). A resolver maps a
//! virtual path to the file's bytes. Everything else in the compiler is free
//! of IO; the resolvers are where it happens.
//!
//! [`IncludePaths`] follows protoc's `DiskSourceTree` exactly, because users
//! pass the same `-I` flags to both tools and expect the same files:
//! - a mapping is `virtual=disk` or just `disk` (virtual prefix empty); the
//!   first mapping under which the file exists wins;
//! - virtual paths must be canonical (no `.`, `..` or empty parts; a
//!   backslash is an ordinary character, as in protoc);
//! - an input named by its disk path is mapped back to a virtual path by the
//!   first mapping whose disk prefix matches, and is rejected if an earlier
//!   mapping would open a different file for that virtual path (shadowing).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// One source file as a resolver found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The virtual path (the import name).
    pub name: String,
    /// Where it was read from, for messages; `None` for in-memory sources.
    pub disk_path: Option<PathBuf>,
    /// The bytes.
    pub contents: Vec<u8>,
}

/// Why a resolver could not produce a file.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolveError {
    /// No resolver has the file.
    NotFound,
    /// The virtual path is not canonical; protoc refuses these so that every
    /// file has one name.
    NonCanonicalName,
    /// The file exists but could not be read.
    Unreadable {
        /// The disk path.
        path: PathBuf,
        /// The operating system's message.
        reason: String,
    },
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::NotFound => f.write_str("File not found."),
            ResolveError::NonCanonicalName => f.write_str(
                "Backslashes, consecutive slashes, \".\", or \"..\" are not allowed in the virtual path",
            ),
            ResolveError::Unreadable { path, reason } => {
                write!(f, "Read access is denied for file: {} ({reason})", path.display())
            }
        }
    }
}

impl std::error::Error for ResolveError {}

/// A file as a resolver has it: `.proto` source to compile, or a file
/// compiled already (from a descriptor set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// Source text.
    Source(SourceFile),
    /// An encoded `FileDescriptorProto`, used as it is.
    Descriptor(Vec<u8>),
}

/// A source of `.proto` files, by virtual path.
///
/// Resolvers are `Send + Sync`: the compiler reads and parses files on a
/// second thread while it builds the ones already parsed.
pub trait FileResolver: Send + Sync {
    /// The file whose import name is `name`.
    fn open(&self, name: &str) -> Result<SourceFile, ResolveError>;

    /// The file `name` as source or as a compiled descriptor; what the
    /// compiler calls. By default, the source from [`FileResolver::open`].
    fn resolve(&self, name: &str) -> Result<Resolved, ResolveError> {
        self.open(name).map(Resolved::Source)
    }
}

impl<R: FileResolver + ?Sized> FileResolver for &R {
    fn open(&self, name: &str) -> Result<SourceFile, ResolveError> {
        (**self).open(name)
    }
    fn resolve(&self, name: &str) -> Result<Resolved, ResolveError> {
        (**self).resolve(name)
    }
}

impl<R: FileResolver + ?Sized> FileResolver for Box<R> {
    fn open(&self, name: &str) -> Result<SourceFile, ResolveError> {
        (**self).open(name)
    }
    fn resolve(&self, name: &str) -> Result<Resolved, ResolveError> {
        (**self).resolve(name)
    }
}

/// Files compiled already, from `FileDescriptorSet`s (protoc's
/// `--descriptor_set_in`): each file is given to the compiler as its
/// `FileDescriptorProto`. When a name appears more than once, the first
/// occurrence wins (the first set given, and the first copy in a set), as
/// in protoc's merged descriptor database.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DescriptorSets {
    files: BTreeMap<String, Vec<u8>>,
}

impl DescriptorSets {
    /// No files.
    pub fn new() -> DescriptorSets {
        DescriptorSets::default()
    }

    /// Adds the files of one encoded `FileDescriptorSet`. Fails, adding
    /// nothing, when the bytes are not a descriptor set (protoc's "Unable to
    /// parse."), or when protoc would refuse the set while indexing it
    /// ([`SetConflict`](crate::SetConflict): a symbol defined twice or
    /// under another, an extension number used twice).
    pub fn add_set(&mut self, bytes: &[u8]) -> Result<&mut DescriptorSets, SetError> {
        let files = crate::decode::descriptor_set_files(bytes).map_err(SetError::Unparsable)?;
        crate::set_index::check(&files).map_err(|e| match e {
            Ok(conflict) => SetError::Conflict(conflict),
            Err(e) => SetError::Unparsable(e),
        })?;
        for (name, file) in files {
            self.files.entry(name).or_insert_with(|| file.to_vec());
        }
        Ok(self)
    }

    /// Whether no set was added (or every set was empty).
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The names of every file in the sets, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Whether a set holds the file `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// Whether the file `name` defines a service.
    pub fn has_services(&self, name: &str) -> bool {
        self.files
            .get(name)
            .is_some_and(|bytes| crate::decode::has_services(bytes))
    }

    /// The encoded `FileDescriptorProto` of `name`.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(Vec::as_slice)
    }
}

/// Why [`DescriptorSets::add_set`] refused a set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetError {
    /// The bytes are not a `FileDescriptorSet` (protoc: "Unable to parse.").
    Unparsable(crate::DecodeError),
    /// protoc's index of the set refuses it.
    Conflict(crate::SetConflict),
}

impl FileResolver for DescriptorSets {
    /// Descriptor sets hold no source: always [`ResolveError::NotFound`].
    fn open(&self, _name: &str) -> Result<SourceFile, ResolveError> {
        Err(ResolveError::NotFound)
    }

    fn resolve(&self, name: &str) -> Result<Resolved, ResolveError> {
        self.files
            .get(name)
            .map(|bytes| Resolved::Descriptor(bytes.clone()))
            .ok_or(ResolveError::NotFound)
    }
}

/// protoc's canonical form of a path: empty and `.` parts removed, a leading
/// and a trailing `/` kept.
pub fn canonicalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if path.starts_with('/') {
        parts.push("");
    }
    parts.extend(path.split('/').filter(|p| !p.is_empty() && *p != "."));
    if path.ends_with('/') && !path.is_empty() {
        parts.push("");
    }
    parts.join("/")
}

/// Whether `path` refers to a parent directory anywhere.
pub fn contains_parent_reference(path: &str) -> bool {
    path == ".." || path.starts_with("../") || path.ends_with("/..") || path.contains("/../")
}

/// Replaces the prefix `old` of `name` by `new`, if `old` is a whole-directory
/// prefix of `name` (the empty prefix matches every relative path). Paths that
/// would climb out with `..` never match.
fn apply_mapping(name: &str, old: &str, new: &str) -> Option<String> {
    let join = |rest: &str| {
        if new.is_empty() {
            rest.to_string()
        } else {
            format!("{new}/{rest}")
        }
    };
    if old.is_empty() {
        if contains_parent_reference(name) || name.starts_with('/') {
            return None;
        }
        return Some(join(name));
    }
    let rest = name.strip_prefix(old)?;
    if rest.is_empty() {
        return Some(new.to_string());
    }
    let rest = if let Some(rest) = rest.strip_prefix('/') {
        rest
    } else if old.ends_with('/') {
        rest
    } else {
        return None;
    };
    if contains_parent_reference(rest) {
        return None;
    }
    Some(join(rest))
}

/// One `-I` entry: files under `virtual_prefix` are looked up under `disk`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The virtual prefix (empty for a plain `-I dir`).
    pub virtual_prefix: String,
    /// The disk directory, canonicalized as protoc does.
    pub disk: String,
}

/// How an input given by its disk path maps to a virtual path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiskToVirtual {
    /// The file's import name.
    Mapped(String),
    /// An earlier mapping opens a different, existing file for the same
    /// virtual path.
    Shadowed {
        /// The virtual path.
        virtual_path: String,
        /// The file that shadows the input.
        shadowing: String,
    },
    /// No mapping's disk prefix matches.
    NoMapping,
    /// A mapping matched but the file cannot be opened.
    CannotOpen(String),
}

/// protoc's `-I`/`--proto_path` include paths (`DiskSourceTree`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncludePaths {
    mappings: Vec<Mapping>,
}

impl IncludePaths {
    /// No include paths.
    pub fn new() -> IncludePaths {
        IncludePaths::default()
    }

    /// Adds a mapping from `virtual_prefix` to the directory `disk`.
    pub fn map(&mut self, virtual_prefix: &str, disk: &str) -> &mut IncludePaths {
        self.mappings.push(Mapping {
            virtual_prefix: virtual_prefix.to_string(),
            disk: canonicalize_path(disk),
        });
        self
    }

    /// Adds the entries of one `-I` flag value as protoc reads it: a
    /// `:`-separated list of `dir` or `virtual=dir` entries (an entry whose
    /// text exists on disk as a whole is a directory, even with a `=` in it).
    ///
    /// Returns the directories that do not exist, which protoc warns about
    /// (`DIR: warning: directory does not exist.`), or an error for an empty
    /// directory name.
    pub fn add_flag(&mut self, value: &str) -> Result<Vec<String>, String> {
        let mut missing = Vec::new();
        for part in value.split(':').filter(|p| !p.is_empty()) {
            let (mut virtual_prefix, mut disk) = match part.split_once('=') {
                Some((v, d)) => (v, d),
                None => ("", part),
            };
            if disk.is_empty() {
                return Err(
                    "--proto_path passed empty directory name.  (Use \".\" for current directory.)"
                        .to_string(),
                );
            }
            if !Path::new(disk).exists() {
                if Path::new(part).exists() {
                    virtual_prefix = "";
                    disk = part;
                } else {
                    missing.push(disk.to_string());
                }
            }
            self.map(virtual_prefix, disk);
        }
        Ok(missing)
    }

    /// The mappings, in precedence order.
    pub fn mappings(&self) -> &[Mapping] {
        &self.mappings
    }

    /// The disk path of the virtual file `name`: the first mapping under which
    /// it exists as a file.
    pub fn virtual_to_disk(&self, name: &str) -> Result<PathBuf, ResolveError> {
        if name != canonicalize_path(name) || contains_parent_reference(name) {
            return Err(ResolveError::NonCanonicalName);
        }
        for mapping in &self.mappings {
            if let Some(disk) = apply_mapping(name, &mapping.virtual_prefix, &mapping.disk) {
                let path = PathBuf::from(disk);
                if path.is_file() {
                    return Ok(path);
                }
            }
        }
        Err(ResolveError::NotFound)
    }

    /// Maps an input given by its disk path to its virtual path, as protoc
    /// does for the files named on its command line.
    pub fn disk_to_virtual(&self, disk_file: &str) -> DiskToVirtual {
        let canonical = canonicalize_path(disk_file);
        let Some((index, virtual_path)) = self.mappings.iter().enumerate().find_map(|(i, m)| {
            apply_mapping(&canonical, &m.disk, &m.virtual_prefix).map(|v| (i, v))
        }) else {
            return DiskToVirtual::NoMapping;
        };
        for earlier in &self.mappings[..index] {
            if let Some(shadowing) =
                apply_mapping(&virtual_path, &earlier.virtual_prefix, &earlier.disk)
            {
                if Path::new(&shadowing).exists() {
                    return DiskToVirtual::Shadowed {
                        virtual_path,
                        shadowing,
                    };
                }
            }
        }
        let path = Path::new(disk_file);
        if path.is_dir() {
            return DiskToVirtual::CannotOpen("Input file is a directory.".to_string());
        }
        match std::fs::File::open(path) {
            Ok(_) => DiskToVirtual::Mapped(virtual_path),
            Err(e) => DiskToVirtual::CannotOpen(e.to_string()),
        }
    }
}

impl FileResolver for IncludePaths {
    fn open(&self, name: &str) -> Result<SourceFile, ResolveError> {
        let path = self.virtual_to_disk(name)?;
        match std::fs::read(&path) {
            Ok(contents) => Ok(SourceFile {
                name: name.to_string(),
                disk_path: Some(path),
                contents,
            }),
            Err(e) => Err(ResolveError::Unreadable {
                path,
                reason: e.to_string(),
            }),
        }
    }
}

/// Sources held in memory, by virtual path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InMemory {
    files: BTreeMap<String, Vec<u8>>,
}

impl InMemory {
    /// No files.
    pub fn new() -> InMemory {
        InMemory::default()
    }

    /// Adds (or replaces) the file `name`.
    pub fn add(&mut self, name: impl Into<String>, contents: impl Into<Vec<u8>>) -> &mut InMemory {
        self.files.insert(name.into(), contents.into());
        self
    }
}

impl FileResolver for InMemory {
    fn open(&self, name: &str) -> Result<SourceFile, ResolveError> {
        match self.files.get(name) {
            Some(contents) => Ok(SourceFile {
                name: name.to_string(),
                disk_path: None,
                contents: contents.clone(),
            }),
            None => Err(ResolveError::NotFound),
        }
    }
}

/// Several resolvers tried in order; the first that has the file wins.
#[derive(Default)]
pub struct Chain {
    resolvers: Vec<Box<dyn FileResolver>>,
}

impl fmt::Debug for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chain")
            .field("resolvers", &self.resolvers.len())
            .finish()
    }
}

impl Chain {
    /// An empty chain.
    pub fn new() -> Chain {
        Chain::default()
    }

    /// Adds a resolver after the ones already there.
    pub fn with(mut self, resolver: impl FileResolver + 'static) -> Chain {
        self.resolvers.push(Box::new(resolver));
        self
    }
}

impl FileResolver for Chain {
    fn open(&self, name: &str) -> Result<SourceFile, ResolveError> {
        for resolver in &self.resolvers {
            match resolver.open(name) {
                Err(ResolveError::NotFound) => continue,
                other => return other,
            }
        }
        Err(ResolveError::NotFound)
    }

    fn resolve(&self, name: &str) -> Result<Resolved, ResolveError> {
        for resolver in &self.resolvers {
            match resolver.resolve(name) {
                Err(ResolveError::NotFound) => continue,
                other => return other,
            }
        }
        Err(ResolveError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_paths_follow_protoc() {
        let cases = [
            ("foo/./bar//baz.proto", "foo/bar/baz.proto"),
            ("/abs/./x", "/abs/x"),
            ("dir/", "dir/"),
            ("./a", "a"),
            ("", ""),
            ("a/../b", "a/../b"),
        ];
        for (input, want) in cases {
            assert_eq!(canonicalize_path(input), want, "{input}");
        }
    }

    #[test]
    fn mappings_match_whole_directories_only() {
        assert_eq!(
            apply_mapping("foo/bar", "", "baz").as_deref(),
            Some("baz/foo/bar")
        );
        assert_eq!(
            apply_mapping("foo/bar", "foo", "baz").as_deref(),
            Some("baz/bar")
        );
        assert_eq!(apply_mapping("foo", "foo", "bar").as_deref(), Some("bar"));
        assert_eq!(apply_mapping("foo/bar", "baz", "qux"), None);
        assert_eq!(apply_mapping("foobar", "foo", "baz"), None);
        assert_eq!(apply_mapping("foo/bar", "", "").as_deref(), Some("foo/bar"));
        assert_eq!(apply_mapping("../x", "", "d"), None);
        assert_eq!(apply_mapping("/abs/x", "", "d"), None);
        assert_eq!(apply_mapping("foo/../x", "foo", "d"), None);
        assert_eq!(apply_mapping("a/b", "a/", "d").as_deref(), Some("d/b"));
    }

    #[test]
    fn non_canonical_virtual_names_are_refused() {
        let paths = IncludePaths::new();
        for name in ["a//b.proto", "./a.proto", "a/../b.proto"] {
            assert_eq!(
                paths.virtual_to_disk(name),
                Err(ResolveError::NonCanonicalName),
                "{name}"
            );
        }
    }

    #[test]
    fn chain_falls_through_only_on_not_found() {
        let mut first = InMemory::new();
        first.add("a.proto", "first");
        let mut second = InMemory::new();
        second.add("a.proto", "second").add("b.proto", "b");
        let chain = Chain::new().with(first).with(second);
        assert_eq!(
            chain.open("a.proto").map(|f| f.contents),
            Ok(b"first".to_vec())
        );
        assert_eq!(chain.open("b.proto").map(|f| f.contents), Ok(b"b".to_vec()));
        assert_eq!(chain.open("c.proto"), Err(ResolveError::NotFound));
    }
}
