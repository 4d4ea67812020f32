//! The `source_info` phase: the `SourceCodeInfo` protoc writes for a file.
//!
//! protoc's parser records a location each time it starts parsing a piece of
//! a declaration (a `LocationRecorder`), in the order it starts them, with
//! the span from the first token to the last token consumed and the comments
//! attached to declarations. Lowering walks the tree in the same order and
//! calls [`Recorder::push`] where protoc's parser creates a recorder, so the
//! locations come out in protoc's order with protoc's spans.
//!
//! Two later rewrites follow protoc's descriptor builder and its `-o`
//! writer: [`apply_interpreted_paths`] replaces the path of each interpreted
//! option (`…, 999, i`) by the path of the option field it set and drops the
//! locations under it, and [`strip_paths`] drops the locations of options
//! removed for having source retention.

use std::collections::HashMap;

use protoforge_syntax::ast::Comments;
use protoforge_syntax::{LineIndex, Span};

use crate::ir::Location;

/// Builds the locations of one file in protoc's order.
#[derive(Debug)]
pub(crate) struct Recorder<'a> {
    source: &'a [u8],
    lines: &'a LineIndex,
    /// The last positions computed for starts and ends (both mostly move
    /// forward), to avoid rescanning lines.
    cursors: [Cursor; 2],
    /// The locations so far; `None` when source info is not wanted.
    pub(crate) locations: Option<Vec<Location>>,
}

impl<'a> Recorder<'a> {
    /// A recorder for `source`; it records nothing unless `enabled`.
    pub(crate) fn new(source: &'a [u8], lines: &'a LineIndex, enabled: bool) -> Recorder<'a> {
        Recorder {
            source,
            lines,
            cursors: [Cursor::default(); 2],
            locations: enabled.then(Vec::new),
        }
    }

    /// protoc's line and column of `offset`, using `cursors[which]`.
    fn line_col(&mut self, which: usize, offset: u32) -> (u32, u32) {
        let cursor = &mut self.cursors[which];
        if offset >= cursor.offset && cursor.valid {
            let gap =
                &self.source[cursor.offset as usize..(offset as usize).min(self.source.len())];
            if !gap.contains(&b'\n') {
                let mut col = cursor.col;
                for b in gap {
                    if *b == b'\t' {
                        col += protoforge_syntax::TAB_WIDTH - col % protoforge_syntax::TAB_WIDTH;
                    } else {
                        col += 1;
                    }
                }
                cursor.offset = offset;
                cursor.col = col;
                return (cursor.line, col);
            }
        }
        let lc = self.lines.line_col(self.source, offset);
        *cursor = Cursor {
            valid: true,
            offset,
            line: lc.line,
            col: lc.col,
        };
        (lc.line, lc.col)
    }

    /// Records a location for `path` from byte `start` to byte `end` (the end
    /// of the last token), with `comments`.
    pub(crate) fn push(&mut self, path: &[i32], start: u32, end: u32, comments: Option<&Comments>) {
        if self.locations.is_none() {
            return;
        }
        let from = self.line_col(0, start);
        let to = self.line_col(1, end);
        let mut span = Vec::with_capacity(4);
        span.push(from.0 as i32);
        span.push(from.1 as i32);
        if to.0 != from.0 {
            span.push(to.0 as i32);
        }
        span.push(to.1 as i32);
        let Some(locations) = self.locations.as_mut() else {
            return;
        };
        let mut location = Location {
            path: path.to_vec(),
            span,
            ..Location::default()
        };
        if let Some(comments) = comments {
            location.leading_comments = comments.leading.clone();
            location.trailing_comments = comments.trailing.clone();
            location.leading_detached_comments = comments.detached.clone();
        }
        locations.push(location);
    }

    /// Records a location spanning `span`.
    pub(crate) fn span(&mut self, path: &[i32], span: Span, comments: Option<&Comments>) {
        self.push(path, span.start, span.end, comments);
    }

    /// Whether locations are being recorded.
    pub(crate) fn enabled(&self) -> bool {
        self.locations.is_some()
    }
}

/// A position computed before, to continue from.
#[derive(Clone, Copy, Debug, Default)]
struct Cursor {
    valid: bool,
    offset: u32,
    line: u32,
    col: u32,
}

/// The offset of the first token at or after `offset`: skips whitespace and
/// comments as protoc's tokenizer does.
pub(crate) fn next_token(source: &[u8], mut offset: usize) -> usize {
    loop {
        match source.get(offset) {
            Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) => offset += 1,
            Some(b'/') if source.get(offset + 1) == Some(&b'/') => {
                while let Some(b) = source.get(offset) {
                    if *b == b'\n' {
                        break;
                    }
                    offset += 1;
                }
            }
            Some(b'/') if source.get(offset + 1) == Some(&b'*') => {
                offset += 2;
                loop {
                    match source.get(offset) {
                        None => return offset,
                        Some(b'*') if source.get(offset + 1) == Some(&b'/') => {
                            offset += 2;
                            break;
                        }
                        Some(_) => offset += 1,
                    }
                }
            }
            _ => return offset,
        }
    }
}

/// protoc's `OptionInterpreter::UpdateSourceCodeInfo`: each location whose
/// path is a key of `interpreted` gets the mapped path, and the locations
/// right after it whose paths extend the old path are dropped.
pub(crate) fn apply_interpreted_paths(
    locations: &mut Vec<Location>,
    interpreted: &HashMap<Vec<i32>, Vec<i32>>,
) {
    if interpreted.is_empty() {
        return;
    }
    let old = std::mem::take(locations);
    let mut removing: Option<Vec<i32>> = None;
    for mut location in old {
        if let Some(prefix) = &removing {
            if location.path.len() >= prefix.len() && location.path[..prefix.len()] == prefix[..] {
                continue;
            }
            removing = None;
        }
        if let Some(new_path) = interpreted.get(&location.path) {
            removing = Some(std::mem::replace(&mut location.path, new_path.clone()));
        }
        locations.push(location);
    }
}

/// Drops every location whose path starts with one of `stripped`, as
/// protoc's `StripSourceRetentionOptions` does.
pub(crate) fn strip_paths(locations: &mut Vec<Location>, stripped: &[Vec<i32>]) {
    if stripped.is_empty() {
        return;
    }
    locations.retain(|location| {
        !stripped
            .iter()
            .any(|p| location.path.len() >= p.len() && location.path[..p.len()] == p[..])
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpreted_paths_replace_and_drop_children() {
        let loc = |path: &[i32]| Location {
            path: path.to_vec(),
            ..Location::default()
        };
        let mut locations = vec![
            loc(&[8]),
            loc(&[8, 999, 0]),
            loc(&[8, 999, 0, 2]),
            loc(&[8, 999, 0, 7]),
            loc(&[4, 0]),
        ];
        let mut map = HashMap::new();
        map.insert(vec![8, 999, 0], vec![8, 1]);
        apply_interpreted_paths(&mut locations, &map);
        let paths: Vec<_> = locations.iter().map(|l| l.path.clone()).collect();
        assert_eq!(paths, vec![vec![8], vec![8, 1], vec![4, 0]]);
    }

    #[test]
    fn trivia_is_skipped() {
        assert_eq!(next_token(b"  // x\n /* y */ a", 0), 16);
        assert_eq!(next_token(b"/* open", 0), 7);
    }
}
