//! Reading a survey from TOML and checking it into a [`Survey`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::advice;
use super::diagnostic::{Diagnostic, LineIndex, Severity};
pub use super::hash::content_hash;
use super::parse::parse;
use super::raw::{DEFAULT_MAX_CHARS, RawSurvey, RawText};
use super::validate::validate;
use super::{CommentPrompt, Headline, Item, Scale, ScalePoint, Survey, SurveyHash, Text, Theme};

/// The iCARE questionnaire compiled into the binary.
pub const EMBEDDED_ICARE: &str = include_str!("../../surveys/icare.toml");

/// Name the embedded survey goes by in messages.
pub const EMBEDDED_NAME: &str = "<built-in icare.toml>";

/// The short iCARE questionnaire compiled into the binary.
pub const EMBEDDED_ICARE_SHORT: &str = include_str!("../../surveys/icare-short.toml");

/// The physical-health questionnaire compiled into the binary.
pub const EMBEDDED_PHYSICAL_HEALTH: &str = include_str!("../../surveys/physical-health.toml");

/// Every questionnaire compiled into the binary, with the name each goes by in messages.
pub const EMBEDDED_ALL: [(&str, &str); 3] = [
    (EMBEDDED_ICARE, EMBEDDED_NAME),
    (EMBEDDED_ICARE_SHORT, "<built-in icare-short.toml>"),
    (EMBEDDED_PHYSICAL_HEALTH, "<built-in physical-health.toml>"),
];

/// Why a survey could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read (missing, unreadable, or not UTF-8).
    #[error("{path}: cannot read the survey file: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not UTF-8 text; `line` and `column` (from 1) locate the first bad byte.
    #[error("{path}:{line}:{column}: the survey file is not UTF-8 text; save it as UTF-8")]
    NotUtf8 {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    /// The file was read but has errors; `problems` holds every error found (warnings excluded).
    #[error("{}", invalid_message(file, problems))]
    Invalid {
        file: String,
        problems: Vec<Diagnostic>,
    },
}

fn invalid_message(file: &str, problems: &[Diagnostic]) -> String {
    let mut out = format!(
        "{file} is not a valid survey ({} error{}); fix them, then confirm with `icare survey check {file}`:",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        let _ = write!(out, "\n  {file}:{p}");
    }
    out
}

/// The outcome of checking one survey text: every problem, and the survey when there is no error.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Present exactly when `diagnostics` holds no error (warnings allowed).
    pub survey: Option<Survey>,
    /// Errors and warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// No errors, and with `strict` no warnings either.
    pub fn passes(&self, strict: bool) -> bool {
        self.diagnostics
            .iter()
            .all(|d| d.severity == Severity::Warning && !strict)
    }
}

/// The embedded iCARE survey.
pub fn embedded() -> Result<Survey, LoadError> {
    from_str(EMBEDDED_ICARE, EMBEDDED_NAME)
}

/// Read a survey file as UTF-8 text.
pub fn read(path: &Path) -> Result<String, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        let bytes = err.as_bytes();
        // The prefix before the first bad byte is valid UTF-8 by definition.
        let before = std::str::from_utf8(&bytes[..valid]).unwrap_or("");
        let (line, column) = LineIndex::new(before).line_col(valid);
        LoadError::NotUtf8 {
            path: path.to_owned(),
            line,
            column,
        }
    })
}

/// Load and check a survey file. Warnings do not stop it loading.
pub fn from_file(path: &Path) -> Result<Survey, LoadError> {
    from_str(&read(path)?, &path.display().to_string())
}

/// Parse and check survey TOML; `file` names the source in messages. Warnings do not stop it loading.
pub fn from_str(text: &str, file: &str) -> Result<Survey, LoadError> {
    let checked = check_str(text);
    match checked.survey {
        Some(survey) => Ok(survey),
        None => Err(LoadError::Invalid {
            file: file.to_string(),
            problems: checked.errors().cloned().collect(),
        }),
    }
}

/// Parse and check survey TOML, collecting every error and warning. Never panics.
pub fn check_str(text: &str) -> Checked {
    let idx = LineIndex::new(text);
    let raw = match parse(text, &idx) {
        Ok(raw) => raw,
        Err(diagnostics) => {
            return Checked {
                survey: None,
                diagnostics,
            };
        }
    };
    let mut diagnostics = validate(&raw, &idx);
    let survey = if diagnostics.iter().all(|d| d.severity == Severity::Warning) {
        let spans = advice::Spans::of(&raw);
        let survey = build(raw);
        diagnostics.extend(advice::advise(&survey, &spans, &idx));
        diagnostics.sort_by_key(|d| (d.line, d.column));
        Some(survey)
    } else {
        None
    };
    Checked {
        survey,
        diagnostics,
    }
}

fn text(raw: RawText) -> Text {
    Text(
        raw.into_inner()
            .into_iter()
            .map(|(k, v)| (k.into_inner(), v.into_inner()))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// The model from a raw survey that passed validation.
fn build(raw: RawSurvey) -> Survey {
    let meta = raw.survey.into_inner();
    let mut scales: Vec<Scale> = raw
        .scales
        .into_iter()
        .map(|(id, s)| {
            let s = s.into_inner();
            Scale {
                id: id.into_inner(),
                not_applicable: s.not_applicable,
                skip: s.skip,
                points: s
                    .points
                    .into_inner()
                    .into_iter()
                    .map(|p| {
                        let p = p.into_inner();
                        ScalePoint {
                            value: p.value.into_inner(),
                            label: text(p.label),
                            positive: p.positive,
                            dont_know: p.dont_know,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    scales.sort_by(|a, b| a.id.cmp(&b.id));
    let mut themes: Vec<Theme> = raw
        .themes
        .into_iter()
        .map(|t| {
            let t = t.into_inner();
            Theme {
                id: t.id.into_inner(),
                number: t.number.into_inner(),
                name: t.name.into_inner(),
                title: t.title.into_inner(),
                description: t.description.into_inner(),
                importance: t.importance.into_inner(),
            }
        })
        .collect();
    themes.sort_by_key(|t| t.number);
    let mut survey = Survey {
        id: meta.id.into_inner(),
        version: meta.version.into_inner(),
        title: text(meta.title),
        introduction: text(meta.introduction),
        minutes: meta.minutes.into_inner(),
        languages: match meta.languages {
            Some(l) => l.into_inner().into_iter().map(|s| s.into_inner()).collect(),
            None => vec!["en".to_string()],
        },
        scales,
        themes,
        items: raw
            .items
            .into_iter()
            .map(|i| {
                let i = i.into_inner();
                Item {
                    id: i.id.into_inner(),
                    theme: i.theme.into_inner(),
                    text: text(i.text),
                    scale: i.scale.into_inner(),
                    reverse: i.reverse,
                    source: i.source.into_iter().map(|s| s.into_inner()).collect(),
                }
            })
            .collect(),
        headline: raw.headline.map(|h| {
            let h = h.into_inner();
            Headline {
                id: h.id.into_inner(),
                text: text(h.text),
                scale: h.scale.into_inner(),
            }
        }),
        comment: raw.comment.map(|c| {
            let c = c.into_inner();
            CommentPrompt {
                prompt: text(c.prompt),
                privacy: text(c.privacy),
                max_chars: c.max_chars.map_or(DEFAULT_MAX_CHARS, |m| m.into_inner()),
            }
        }),
        hash: SurveyHash([0; 32]),
    };
    survey.hash = content_hash(&survey);
    survey
}
