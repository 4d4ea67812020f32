//! Byte spans and the conversion from byte offsets to protoc's line and column.
//!
//! Every AST node and diagnostic carries a [`Span`]: a half-open byte range into
//! the source. Lines and columns are computed only when something is rendered,
//! by a [`LineIndex`], and they are counted the way protoc's tokenizer counts
//! them: zero-based internally, a tab advances the column to the next multiple
//! of [`TAB_WIDTH`], and every other byte (including each byte of a multi-byte
//! UTF-8 sequence and of a byte-order mark) advances it by one.

use std::fmt;
use std::ops::Range;

/// Width of a tab stop when counting columns, as in protoc's tokenizer.
pub const TAB_WIDTH: u32 = 8;

/// A half-open byte range `start..end` into a source file.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end`.
    pub const fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    /// An empty span at `offset`.
    pub const fn empty(offset: u32) -> Span {
        Span {
            start: offset,
            end: offset,
        }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The span as a `usize` range, for slicing the source.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Length in bytes.
    pub fn len(self) -> u32 {
        self.end - self.start
    }

    /// Whether the span covers no bytes.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A zero-based line and column, counted as protoc counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// Zero-based line number.
    pub line: u32,
    /// Zero-based column, with tabs expanded to the next multiple of [`TAB_WIDTH`].
    pub col: u32,
}

/// Maps byte offsets of one source file to [`LineCol`] positions.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset at which each line starts; `line_starts[0] == 0`.
    line_starts: Vec<u32>,
}

impl LineIndex {
    /// Builds the index for `source`.
    pub fn new(source: &[u8]) -> LineIndex {
        let mut line_starts = Vec::with_capacity(source.len() / 32 + 1);
        line_starts.push(0);
        for (i, b) in source.iter().enumerate() {
            if *b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        LineIndex { line_starts }
    }

    /// Number of lines (a file with no newline has one line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of the zero-based line `line`, without its newline.
    pub fn line_range(&self, source: &[u8], line: u32) -> Range<usize> {
        let start = self
            .line_starts
            .get(line as usize)
            .copied()
            .unwrap_or(source.len() as u32) as usize;
        let mut end = self
            .line_starts
            .get(line as usize + 1)
            .map(|e| *e as usize - 1)
            .unwrap_or(source.len());
        end = end.max(start).min(source.len());
        start.min(source.len())..end
    }

    /// The protoc position of byte `offset` in `source`.
    ///
    /// Offsets past the end of the source are clamped to the end.
    pub fn line_col(&self, source: &[u8], offset: u32) -> LineCol {
        let offset = offset.min(source.len() as u32);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let mut col = 0u32;
        for b in &source[start..offset as usize] {
            if *b == b'\t' {
                col += TAB_WIDTH - col % TAB_WIDTH;
            } else {
                col += 1;
            }
        }
        LineCol {
            line: line as u32,
            col,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_advance_to_the_next_stop() {
        let src = b"a\tb\n\t\tc";
        let index = LineIndex::new(src);
        assert_eq!(index.line_col(src, 2), LineCol { line: 0, col: 8 });
        assert_eq!(index.line_col(src, 6), LineCol { line: 1, col: 16 });
        assert_eq!(index.line_col(src, 100), LineCol { line: 1, col: 17 });
        assert_eq!(&src[index.line_range(src, 1)], b"\t\tc");
    }
}
