//! Reading a survey from TOML and checking it into a [`Survey`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{CommentPrompt, Headline, Item, Scale, ScalePoint, Survey, SurveyHash, Text, Theme};

/// The iCARE questionnaire compiled into the binary.
pub const EMBEDDED_ICARE: &str = include_str!("../../surveys/icare.toml");

/// Why a survey could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{path}: cannot read the survey file: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid survey.
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// The embedded iCARE survey.
pub fn embedded() -> Result<Survey, LoadError> {
    from_str(EMBEDDED_ICARE, "<embedded icare.toml>")
}

/// Load and check a survey file.
pub fn from_file(path: &Path) -> Result<Survey, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    from_str(&text, &path.display().to_string())
}

/// Parse and check survey TOML; `file` names the source in messages.
pub fn from_str(text: &str, file: &str) -> Result<Survey, LoadError> {
    let invalid = |message: String| LoadError::Invalid {
        file: file.to_string(),
        message,
    };
    let raw: RawSurvey = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
    let scales = raw
        .scales
        .into_iter()
        .map(|(id, s)| Scale {
            id,
            not_applicable: s.not_applicable,
            skip: s.skip,
            points: s
                .points
                .into_iter()
                .map(|p| ScalePoint {
                    value: p.value,
                    label: Text(p.label),
                    positive: p.positive,
                    dont_know: p.dont_know,
                })
                .collect(),
        })
        .collect();
    let mut themes: Vec<Theme> = raw
        .themes
        .into_iter()
        .map(|t| Theme {
            id: t.id,
            number: t.number,
            name: t.name,
            title: t.title,
            description: t.description,
            importance: t.importance,
        })
        .collect();
    themes.sort_by_key(|t| t.number);
    let mut survey = Survey {
        id: raw.survey.id,
        version: raw.survey.version,
        title: Text(raw.survey.title),
        introduction: Text(raw.survey.introduction),
        minutes: raw.survey.minutes,
        languages: raw.survey.languages,
        scales,
        themes,
        items: raw
            .items
            .into_iter()
            .map(|i| Item {
                id: i.id,
                theme: i.theme,
                text: Text(i.text),
                scale: i.scale,
                reverse: i.reverse,
                source: i.source,
            })
            .collect(),
        headline: raw.headline.map(|h| Headline {
            id: h.id,
            text: Text(h.text),
            scale: h.scale,
        }),
        comment: raw.comment.map(|c| CommentPrompt {
            prompt: Text(c.prompt),
            privacy: Text(c.privacy),
            max_chars: c.max_chars,
        }),
        hash: SurveyHash([0; 32]),
    };
    for item in &survey.items {
        if survey.theme(&item.theme).is_none() {
            return Err(invalid(format!(
                "item `{}`: unknown theme `{}`",
                item.id, item.theme
            )));
        }
        if survey.scale(&item.scale).is_none() {
            return Err(invalid(format!(
                "item `{}`: unknown scale `{}`",
                item.id, item.scale
            )));
        }
    }
    survey.hash = content_hash(&survey);
    Ok(survey)
}

/// SHA-256 over the canonical JSON form of the survey (struct fields in declaration order, maps
/// sorted by key), so formatting, comments and key order in the file do not change the hash.
pub fn content_hash(survey: &Survey) -> SurveyHash {
    let canonical = serde_json::to_vec(survey).unwrap_or_default();
    SurveyHash(Sha256::digest(&canonical).into())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurvey {
    survey: RawMeta,
    #[serde(default)]
    scales: BTreeMap<String, RawScale>,
    #[serde(default)]
    themes: Vec<RawTheme>,
    #[serde(default)]
    items: Vec<RawItem>,
    headline: Option<RawHeadline>,
    comment: Option<RawComment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: String,
    version: u32,
    title: BTreeMap<String, String>,
    introduction: BTreeMap<String, String>,
    minutes: u32,
    #[serde(default = "default_languages")]
    languages: Vec<String>,
}

fn default_languages() -> Vec<String> {
    vec!["en".to_string()]
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScale {
    #[serde(default)]
    not_applicable: bool,
    #[serde(default)]
    skip: bool,
    points: Vec<RawPoint>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoint {
    value: i32,
    label: BTreeMap<String, String>,
    #[serde(default)]
    positive: bool,
    #[serde(default)]
    dont_know: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    id: String,
    number: u32,
    name: String,
    title: String,
    description: String,
    importance: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: String,
    theme: String,
    text: BTreeMap<String, String>,
    scale: String,
    #[serde(default)]
    reverse: bool,
    #[serde(default)]
    source: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeadline {
    id: String,
    text: BTreeMap<String, String>,
    scale: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComment {
    prompt: BTreeMap<String, String>,
    privacy: BTreeMap<String, String>,
    #[serde(default = "default_max_chars")]
    max_chars: u32,
}

fn default_max_chars() -> u32 {
    500
}
