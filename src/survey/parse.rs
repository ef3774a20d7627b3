//! From TOML text to the raw survey: every syntax error, then every table whose keys or value types
//! are wrong, each with its line, column and key path.
//!
//! The document is parsed once into toml's spanned tree; then each table (`[survey]`, every scale,
//! every `[[themes]]` and `[[items]]` entry, `[headline]`, `[comment]`) is deserialized on its own,
//! so a wrong type in one item does not hide a wrong type in another.

use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::diagnostic::{Diagnostic, LineIndex, Severity};
use super::raw::RawSurvey;
use super::suggest::hint;
use super::unclosed::unclosed_strings;

/// The tables a survey file may have at the top level.
const TOP_LEVEL: [&str; 6] = ["survey", "scales", "themes", "items", "headline", "comment"];

/// serde's names for the types a survey uses, as a survey's author would say them.
const PLAIN_TYPES: [(&str, &str); 5] = [
    ("expected u32", "expected a whole number, 0 or more"),
    ("expected i32", "expected a whole number"),
    ("expected f64", "expected a number"),
    ("expected a boolean", "expected `true` or `false`"),
    ("expected a sequence", "expected an array `[...]`"),
];

/// Most syntax errors reported: after a few, the rest usually follow from the first.
const MAX_SYNTAX_ERRORS: usize = 10;

/// Parse `text` into the raw survey, or every problem that prevents it.
pub fn parse(text: &str, idx: &LineIndex) -> Result<RawSurvey, Vec<Diagnostic>> {
    let (root, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        // An unclosed string confuses the parser from there on: it is said where it opens, and
        // only the parser's errors on earlier lines are kept with it.
        let unclosed = unclosed_strings(text);
        let first_unclosed = unclosed.first().map(|u| idx.line_col(u.offset).0);
        let mut out: Vec<Diagnostic> = unclosed
            .iter()
            .map(|u| idx.diag(Severity::Error, &(u.offset..u.offset), "", u.message()))
            .collect();
        for err in syntax {
            let d = toml_error(text, idx, err, "", 0..0);
            let after_unclosed = first_unclosed.is_some_and(|line| d.line >= line);
            if !after_unclosed && !out.iter().any(|o| o.line == d.line) {
                out.push(d);
            }
        }
        out.sort_by_key(|d| (d.line, d.column));
        out.truncate(MAX_SYNTAX_ERRORS);
        return Err(out);
    }
    let mut p = Parser {
        text,
        idx,
        out: Vec::new(),
    };
    let root_span = root.span();
    let root = root.get_ref();
    for (key, _) in root.iter() {
        let name: &str = key.get_ref();
        if !TOP_LEVEL.contains(&name) {
            p.error(
                &key.span(),
                name,
                format!(
                    "unknown top-level key `{name}`{}",
                    hint(name, TOP_LEVEL.iter().copied())
                ),
            );
        }
    }
    let survey = match root.get("survey") {
        Some(v) => p.de(v, "survey"),
        None => {
            p.error(
                &(root_span.start..root_span.start),
                "survey",
                "missing the [survey] table with id, version, title, introduction and minutes"
                    .to_string(),
            );
            None
        }
    };
    let mut scales = std::collections::BTreeMap::new();
    if let Some(value) = root.get("scales") {
        match value.get_ref() {
            DeValue::Table(table) => {
                for (name, scale) in table.iter() {
                    let key = format!("scales.{}", name.get_ref());
                    if let Some(s) = p.de(scale, &key) {
                        scales.insert(Spanned::new(name.span(), name.get_ref().to_string()), s);
                    }
                }
            }
            other => p.wrong_shape(
                &value.span(),
                "scales",
                other,
                "a table of scales, e.g. [scales.agree]",
            ),
        }
    }
    let themes = p.array(root, "themes", "[[themes]] tables");
    let items = p.array(root, "items", "[[items]] tables");
    let headline = root.get("headline").and_then(|v| p.de(v, "headline"));
    let comment = root.get("comment").and_then(|v| p.de(v, "comment"));
    match survey {
        Some(survey) if p.out.is_empty() => Ok(RawSurvey {
            survey,
            scales,
            themes,
            items,
            headline,
            comment,
        }),
        _ => Err(p.out),
    }
}

struct Parser<'t> {
    text: &'t str,
    idx: &'t LineIndex<'t>,
    out: Vec<Diagnostic>,
}

impl Parser<'_> {
    fn error(&mut self, span: &Range<usize>, key: &str, message: String) {
        self.out
            .push(self.idx.diag(Severity::Error, span, key, message));
    }

    fn wrong_shape(&mut self, span: &Range<usize>, key: &str, found: &DeValue, expected: &str) {
        self.error(
            span,
            key,
            format!("is {}, but must be {expected}", article(found.type_str())),
        );
    }

    /// Deserialize one value, recording its error under `key`.
    fn de<T: DeserializeOwned>(
        &mut self,
        value: &Spanned<DeValue>,
        key: &str,
    ) -> Option<Spanned<T>> {
        let span = value.span();
        match T::deserialize(ValueDeserializer::from(value.clone())) {
            Ok(v) => Some(Spanned::new(span, v)),
            Err(err) => {
                let d = toml_error(self.text, self.idx, err, key, span);
                self.out.push(d);
                None
            }
        }
    }

    /// An optional array of tables at the top level.
    fn array<T: DeserializeOwned>(
        &mut self,
        root: &DeTable,
        key: &str,
        expected: &str,
    ) -> Vec<Spanned<T>> {
        let Some(value) = root.get(key) else {
            return Vec::new();
        };
        match value.get_ref() {
            DeValue::Array(array) => array
                .iter()
                .enumerate()
                .filter_map(|(i, v)| self.de(v, &format!("{key}[{i}]")))
                .collect(),
            other => {
                self.wrong_shape(&value.span(), key, other, expected);
                Vec::new()
            }
        }
    }
}

fn article(type_name: &str) -> String {
    match type_name.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {type_name}"),
        _ => format!("a {type_name}"),
    }
}

/// A TOML syntax or type error as a diagnostic. `prefix` is the key of the table being read and
/// `fallback` its span, for errors toml gives no span of their own.
fn toml_error(
    text: &str,
    idx: &LineIndex,
    mut err: toml::de::Error,
    prefix: &str,
    fallback: Range<usize>,
) -> Diagnostic {
    let mut span = err.span().unwrap_or(fallback);
    // Without the input, `Display` appends the key path as "in `a.b`" instead of a snippet.
    err.set_input(None);
    let shown = err.to_string();
    let inner = shown
        .lines()
        .find_map(|l| l.strip_prefix("in `").and_then(|r| r.strip_suffix('`')))
        .unwrap_or("");
    let key = match (prefix, inner) {
        (p, "") => p.to_string(),
        ("", i) => i.to_string(),
        (p, i) => format!("{p}.{i}"),
    };
    let mut message = err
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    for (rust, plain) in PLAIN_TYPES {
        if let Some(stem) = message.strip_suffix(rust) {
            message = format!("{stem}{plain}");
        }
    }
    if let Some((wrong, suggestion)) = unknown_field_hint(err.message()) {
        message.push_str(&suggestion);
        if let Some(at) = find_key(text, &span, &wrong) {
            span = at..at + wrong.len();
        }
    }
    if message == "duplicate key" {
        let what = text.get(span.clone()).unwrap_or("").trim();
        if !what.is_empty() && what.len() <= 60 && !what.contains('\n') {
            message = format!("duplicate key `{what}`; a key or [table] may be defined only once");
        }
    }
    if message.is_empty() {
        message = "invalid TOML".to_string();
    }
    idx.diag(Severity::Error, &span, key, message)
}

/// The byte offset of `key` written at the start of a line (`key =`) inside `span`.
fn find_key(text: &str, span: &Range<usize>, key: &str) -> Option<usize> {
    let region = text.get(span.clone())?;
    let mut offset = span.start;
    for line in region.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    None
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a`"): the unknown key
/// and "; did you mean `a`?" when one is close.
fn unknown_field_hint(message: &str) -> Option<(String, String)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (wrong, expected) = rest.split_once('`')?;
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let h = hint(wrong, known.iter().copied());
    h.starts_with("; did you mean")
        .then(|| (wrong.to_string(), h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_hint_reads_serde_messages() {
        let m = "unknown field `revers`, expected one of `id`, `reverse`, `source`";
        assert_eq!(
            unknown_field_hint(m),
            Some((
                "revers".to_string(),
                "; did you mean `reverse`?".to_string()
            ))
        );
        assert_eq!(
            unknown_field_hint("unknown field `zzz`, expected `id`"),
            None
        );
        assert_eq!(unknown_field_hint("missing field `id`"), None);
    }

    #[test]
    fn find_key_points_at_the_key_not_the_table() {
        let text = "[[items]]\nid = \"a\"\n  revers = true\n";
        assert_eq!(find_key(text, &(0..text.len()), "revers"), Some(21));
        assert_eq!(find_key(text, &(0..text.len()), "nothing"), None);
        assert_eq!(find_key(text, &(5..999), "revers"), None);
    }
}
