//! `FieldMask` helpers: building from paths, the comma-separated form its
//! JSON mapping uses, and path containment (`a.b` covers `a.b.c`).

use std::fmt;

use super::FieldMask;

impl FieldMask {
    /// A mask of `paths`.
    pub fn new<S: Into<String>>(paths: impl IntoIterator<Item = S>) -> FieldMask {
        FieldMask {
            paths: paths.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    /// True when `path` is in the mask or below a path in it.
    pub fn covers(&self, path: &str) -> bool {
        self.paths.iter().any(|p| {
            path == p
                || path
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    }

    /// The paths sorted, with duplicates and paths covered by another path
    /// removed (the canonical form of C++'s `FieldMaskUtil::ToCanonicalForm`).
    pub fn canonical(&self) -> FieldMask {
        let mut paths = self.paths.clone();
        paths.sort();
        paths.dedup();
        let mut out: Vec<String> = Vec::with_capacity(paths.len());
        for p in paths {
            let covered = out.last().is_some_and(|last| {
                p.strip_prefix(last.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
            });
            if !covered {
                out.push(p);
            }
        }
        FieldMask::new(out)
    }
}

/// The comma-separated paths (`a.b,c`), as in the JSON mapping (without its
/// camelCase conversion).
impl fmt::Display for FieldMask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.paths.join(","))
    }
}

impl std::str::FromStr for FieldMask {
    type Err = std::convert::Infallible;

    /// Splits comma-separated paths; empty segments are dropped.
    fn from_str(s: &str) -> Result<FieldMask, Self::Err> {
        Ok(FieldMask::new(s.split(',').filter(|p| !p.is_empty())))
    }
}
