//! The content hash: SHA-256 of a survey's canonical form, so answers are never mixed across wordings.
//!
//! The canonical form is the compact JSON of [`Canonical`] below: a format tag, then every part of
//! the survey except `version`, with fields in a fixed order, texts as maps sorted by language code,
//! scales sorted by id, themes sorted by number and items in the order they are asked. Nothing of
//! the file's layout enters it: comments, whitespace, quoting style, key order and inline versus
//! dotted tables all give the same hash. The tag changes if this form ever changes.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Survey, SurveyHash, Text};

/// Names the canonical form; part of the hashed bytes.
pub const CANONICAL_FORMAT: &str = "icare-survey-canonical/1";

#[derive(Serialize)]
struct Canonical<'a> {
    format: &'static str,
    id: &'a str,
    languages: &'a [String],
    title: &'a BTreeMap<String, String>,
    introduction: &'a BTreeMap<String, String>,
    minutes: u32,
    scales: Vec<CScale<'a>>,
    themes: Vec<CTheme<'a>>,
    items: Vec<CItem<'a>>,
    headline: Option<CHeadline<'a>>,
    comment: Option<CComment<'a>>,
}

#[derive(Serialize)]
struct CScale<'a> {
    id: &'a str,
    not_applicable: bool,
    skip: bool,
    points: Vec<CPoint<'a>>,
}

#[derive(Serialize)]
struct CPoint<'a> {
    value: i32,
    label: &'a BTreeMap<String, String>,
    positive: bool,
    dont_know: bool,
}

#[derive(Serialize)]
struct CTheme<'a> {
    id: &'a str,
    number: u32,
    name: &'a str,
    title: &'a str,
    description: &'a str,
    /// As the shortest decimal that reads back to the same `f64`, so `219` and `219.0` agree.
    importance: f64,
}

#[derive(Serialize)]
struct CItem<'a> {
    id: &'a str,
    theme: &'a str,
    text: &'a BTreeMap<String, String>,
    scale: &'a str,
    reverse: bool,
    source: &'a [String],
}

#[derive(Serialize)]
struct CHeadline<'a> {
    id: &'a str,
    text: &'a BTreeMap<String, String>,
    scale: &'a str,
}

#[derive(Serialize)]
struct CComment<'a> {
    prompt: &'a BTreeMap<String, String>,
    privacy: &'a BTreeMap<String, String>,
    max_chars: u32,
}

fn text(t: &Text) -> &BTreeMap<String, String> {
    &t.0
}

/// The canonical form of `survey` as bytes (compact JSON, UTF-8).
pub fn canonical_bytes(survey: &Survey) -> Vec<u8> {
    let mut scales: Vec<CScale> = survey
        .scales
        .iter()
        .map(|s| CScale {
            id: &s.id,
            not_applicable: s.not_applicable,
            skip: s.skip,
            points: s
                .points
                .iter()
                .map(|p| CPoint {
                    value: p.value,
                    label: text(&p.label),
                    positive: p.positive,
                    dont_know: p.dont_know,
                })
                .collect(),
        })
        .collect();
    scales.sort_by(|a, b| a.id.cmp(b.id));
    let mut themes: Vec<CTheme> = survey
        .themes
        .iter()
        .map(|t| CTheme {
            id: &t.id,
            number: t.number,
            name: &t.name,
            title: &t.title,
            description: &t.description,
            importance: t.importance,
        })
        .collect();
    themes.sort_by_key(|t| t.number);
    let canonical = Canonical {
        format: CANONICAL_FORMAT,
        id: &survey.id,
        languages: &survey.languages,
        title: text(&survey.title),
        introduction: text(&survey.introduction),
        minutes: survey.minutes,
        scales,
        themes,
        items: survey
            .items
            .iter()
            .map(|i| CItem {
                id: &i.id,
                theme: &i.theme,
                text: text(&i.text),
                scale: &i.scale,
                reverse: i.reverse,
                source: &i.source,
            })
            .collect(),
        headline: survey.headline.as_ref().map(|h| CHeadline {
            id: &h.id,
            text: text(&h.text),
            scale: &h.scale,
        }),
        comment: survey.comment.as_ref().map(|c| CComment {
            prompt: text(&c.prompt),
            privacy: text(&c.privacy),
            max_chars: c.max_chars,
        }),
    };
    // Serialising plain structs, strings, maps and finite numbers to a Vec cannot fail; the
    // loader rejects non-finite importance before a `Survey` exists.
    serde_json::to_vec(&canonical).unwrap_or_default()
}

/// SHA-256 of [`canonical_bytes`].
pub fn content_hash(survey: &Survey) -> SurveyHash {
    SurveyHash(Sha256::digest(canonical_bytes(survey)).into())
}
