//! Where an unclosed string opens. A TOML parser meets an unclosed string only where the text
//! stops making sense, often on a later line ("missing comma between key-value pairs"), so the
//! file is scanned for strings as TOML lexes them (comments, the four kinds of string, escapes)
//! and the opening quote of each string that never closes is reported.

/// A string that does not close: the byte offset of its opening quotes and their kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unclosed {
    pub offset: usize,
    pub quotes: &'static str,
}

impl Unclosed {
    /// What is wrong and what to do, for a diagnostic at the opening quotes.
    pub fn message(&self) -> String {
        let q = self.quotes;
        let until = if q.len() == 3 {
            "the end of the file"
        } else {
            "the end of its line (a string in quotes may not run onto the next line)"
        };
        format!("unclosed string: nothing closes the {q} here before {until}; add the closing {q}")
    }
}

/// Every string in `text` that does not close: a one-line string that reaches the end of its
/// line, or a multi-line string that reaches the end of the file (which ends the scan).
pub fn unclosed_strings(text: &str) -> Vec<Unclosed> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => i = line_end(bytes, i),
            q @ (b'"' | b'\'') => {
                let multi = bytes[i..].starts_with(if q == b'"' { b"\"\"\"" } else { b"'''" });
                let (quotes, escapes) = match (q, multi) {
                    (b'"', true) => ("\"\"\"", true),
                    (b'"', false) => ("\"", true),
                    (_, true) => ("'''", false),
                    (_, false) => ("'", false),
                };
                let start = i;
                i += quotes.len();
                match close(bytes, i, q, multi, escapes) {
                    Some(end) => i = end,
                    None => {
                        out.push(Unclosed {
                            offset: start,
                            quotes,
                        });
                        if multi {
                            break;
                        }
                        i = line_end(bytes, start);
                    }
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// The offset of the `\n` ending the line at `i`, or the end of the text.
fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| i + p)
}

/// The offset just past the closing quotes of a string whose body starts at `i`; `None` if it
/// does not close (a one-line string at a line end, any string at the end of the text). A run of
/// up to five quotes closes a multi-line string (its first one or two are part of the body).
fn close(bytes: &[u8], mut i: usize, q: u8, multi: bool, escapes: bool) -> Option<usize> {
    while i < bytes.len() {
        match bytes[i] {
            b'\n' if !multi => return None,
            b'\\' if escapes => {
                // An escaped character; a backslash at a line end is a line continuation in a
                // multi-line string and a mistake (reported by the parser) in a one-line one.
                if !multi && bytes.get(i + 1).is_none_or(|&b| b == b'\n' || b == b'\r') {
                    return None;
                }
                i += 2;
            }
            b if b == q => {
                if !multi {
                    return Some(i + 1);
                }
                let run = bytes[i..].iter().take_while(|&&b| b == q).count();
                if run >= 3 {
                    return Some(i + run.min(5));
                }
                i += run;
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Vec<(usize, &'static str)> {
        unclosed_strings(text)
            .into_iter()
            .map(|u| (u.offset, u.quotes))
            .collect()
    }

    #[test]
    fn closed_strings_of_every_kind_are_not_reported() {
        let text = concat!(
            "a = \"x # not a comment \\\" still inside\" # a \" in a comment\n",
            "b = 'c:\\path' # literal, no escapes\n",
            "c = \"\"\"\none \"quoted\" \"\" line\n\\\n  continued\"\"\"\"\n",
            "d = '''\nit's 'fine' '' here'''''\n",
            "\"quoted key\" = { en = \"Text\" }\n",
            "e = \"\" # empty\n",
        );
        assert_eq!(at(text), []);
    }

    #[test]
    fn a_one_line_string_open_at_its_line_end_is_reported_where_it_opens() {
        let text = "[survey]\ntitle = { en = \"Your care }\nintroduction = { en = \"Hi\" }\n";
        assert_eq!(at(text), [(24, "\"")]);
        let text = "id = 'humanised-care\nname = \"x\"\nother = \"y\n";
        assert_eq!(at(text), [(5, "'"), (40, "\"")]);
        // An escaped quote does not close it; a backslash at the line end does not carry it on.
        assert_eq!(at("a = \"x\\\"\nb = 1\n"), [(4, "\"")]);
        assert_eq!(at("a = \"x\\\nb = 1\n"), [(4, "\"")]);
        assert_eq!(at("a = \"no end"), [(4, "\"")]);
    }

    #[test]
    fn every_shipped_survey_and_valid_fixture_has_no_unclosed_string() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["surveys", "tests/testdata/surveys"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if name.ends_with(".toml") && !name.starts_with("err-") {
                    files.push(path);
                }
            }
        }
        assert!(files.len() >= 8, "{files:?}");
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(toml::from_str::<toml::Table>(&text).is_ok(), "{path:?}");
            assert_eq!(at(&text), [], "{path:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_scanned_without_a_panic_and_reports_only_quotes(text in "[\"'\\#a\n= ]{0,40}") {
            for u in unclosed_strings(&text) {
                proptest::prop_assert!(text[u.offset..].starts_with(u.quotes));
            }
        }
    }

    #[test]
    fn a_multi_line_string_open_at_the_end_of_the_file_is_reported_where_it_opens() {
        assert_eq!(at("a = \"\"\"\nsome\ntext\"\"\nb = 'x"), [(4, "\"\"\"")]);
        assert_eq!(at("a = 'ok'\nb = '''\nsome\n"), [(13, "'''")]);
        assert_eq!(at("a = \"\"\"x\\\"\"\"\n"), [(4, "\"\"\"")]);
    }
}
