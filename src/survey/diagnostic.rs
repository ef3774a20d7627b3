//! Problems found in a survey file, each tied to a line, a column and the key at fault.

use std::fmt;
use std::ops::Range;

use super::syntax::is_forbidden_char;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Advice: the survey loads, but a patients' panel would likely ask for a change.
    /// `icare survey check --strict` treats warnings as errors.
    Warning,
    /// The survey cannot be used.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem in a survey file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// 1-based line of the problem in the file.
    pub line: usize,
    /// 1-based column, counted in characters (not bytes).
    pub column: usize,
    /// The key at fault, as a path: `items[3].theme` (indices start at 0), `scales.agree.points[1]`.
    /// Empty for TOML syntax errors that belong to no key.
    pub key: String,
    /// What is wrong and, where possible, what was meant.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    /// `LINE:COL: error: KEY: MESSAGE`; the caller puts the file name in front.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}: ", self.line, self.column, self.severity)?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// Turns byte offsets in a text into 1-based line and column numbers.
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The 1-based line and character column of byte `offset`. Offsets past the end map to the
    /// end of the text; offsets inside a multi-byte character map to that character.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        (line, column)
    }

    /// A diagnostic at the start of `span`.
    pub fn diag(
        &self,
        severity: Severity,
        span: &Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, column) = self.line_col(span.start);
        Diagnostic {
            severity,
            line,
            column,
            key: printable(&key.into()),
            message: printable(&message.into()),
        }
    }
}

/// `s` with every character that could upset a terminal written as a `\u{..}` escape, since keys
/// and messages quote the file's own (possibly hostile) text.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_forbidden_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let idx = LineIndex::new("ab\ncd\n");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(1), (1, 2));
        assert_eq!(idx.line_col(2), (1, 3));
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(4), (2, 2));
        assert_eq!(idx.line_col(6), (3, 1));
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let idx = LineIndex::new("zażółć = 1");
        // `=` is the 8th character but the 12th byte.
        assert_eq!(idx.line_col(11), (1, 8));
    }

    #[test]
    fn line_col_never_panics_on_bad_offsets() {
        let idx = LineIndex::new("ż\n");
        assert_eq!(idx.line_col(1), (1, 1));
        assert_eq!(idx.line_col(999), (2, 1));
        assert_eq!(LineIndex::new("").line_col(5), (1, 1));
    }

    #[test]
    fn printable_escapes_terminal_controls() {
        assert_eq!(printable("a\u{1b}[2Jb\u{202E}"), "a\\u{1b}[2Jb\\u{202e}");
        assert_eq!(printable("zażółć"), "zażółć");
    }

    #[test]
    fn display_puts_key_before_message() {
        let d = LineIndex::new("x").diag(Severity::Error, &(0..1), "items[0].theme", "unknown");
        assert_eq!(d.to_string(), "1:1: error: items[0].theme: unknown");
    }
}
