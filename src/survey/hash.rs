//! The content hash: SHA-256 of a survey's canonical form, so answers are never mixed across wordings.
//!
//! The canonical form is the compact JSON of the `Canonical` struct in this module: a format tag,
//! then every part of the survey except `version`, with fields in a fixed order, texts as maps
//! sorted by language code, scales sorted by id, themes sorted by number and items in the order
//! they are asked. Nothing of the file's layout enters it: comments, whitespace, quoting style, key
//! order and inline versus dotted tables all give the same hash. The tag changes if this form ever
//! changes.

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
            // Adding 0.0 turns -0.0 into 0.0, which would otherwise print differently.
            importance: t.importance + 0.0,
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

#[cfg(test)]
mod tests {
    use crate::survey::{Survey, from_str};

    const MINIMAL: &str = include_str!("../../tests/testdata/surveys/valid-minimal.toml");
    const REFORMATTED: &str =
        include_str!("../../tests/testdata/surveys/valid-minimal-reformatted.toml");

    fn load(text: &str) -> Survey {
        from_str(text, "test").unwrap()
    }

    /// `MINIMAL` with one edit, which must apply exactly once.
    fn edited(from: &str, to: &str) -> Survey {
        assert_eq!(MINIMAL.matches(from).count(), 1, "{from}");
        load(&MINIMAL.replacen(from, to, 1))
    }

    #[test]
    fn hash_ignores_layout_key_order_quoting_and_comments() {
        assert_eq!(load(MINIMAL).hash, load(REFORMATTED).hash);
    }

    #[test]
    fn hash_is_deterministic() {
        assert_eq!(load(MINIMAL).hash, load(MINIMAL).hash);
        assert_eq!(
            super::canonical_bytes(&load(MINIMAL)),
            super::canonical_bytes(&load(REFORMATTED))
        );
    }

    #[test]
    fn hash_is_pinned_so_stored_answers_keep_matching() {
        // If this fails, the canonical form changed: every stored response would stop matching
        // its survey. Change `CANONICAL_FORMAT` deliberately, never by accident.
        assert_eq!(
            load(MINIMAL).hash.to_string(),
            "4e48f6169367f28a05723581d03e1a7cbefad5d730e23453a3499aaf297e768c"
        );
    }

    #[test]
    fn version_alone_does_not_change_the_hash() {
        assert_eq!(
            edited("version = 1", "version = 2").hash,
            load(MINIMAL).hash
        );
    }

    #[test]
    fn every_change_of_meaning_changes_the_hash() {
        let base = load(MINIMAL).hash;
        let changes = [
            ("know who I am.", "know who I was."),
            ("reverse = true", "reverse = false"),
            (
                "{ value = 3, label = { en = \"Don't know\" }",
                "{ value = 4, label = { en = \"Don't know\" }",
            ),
            ("{ en = \"Not sure\" }", "{ en = \"Unsure\" }"),
            (
                "{ en = \"Poor\" } }",
                "{ en = \"Poor\" }, positive = true }",
            ),
            ("not_applicable = true", "not_applicable = false"),
            ("id = \"mini\"", "id = \"mini-b\""),
            ("minutes = 2", "minutes = 3"),
            ("A few questions", "Some questions"),
            ("importance = 95", "importance = 96"),
            ("Please don't write names.", "Please do not write names."),
            (
                "source = [\"Knowing who I am\"]",
                "source = [\"Knowing me\"]",
            ),
            ("Overall, how", "All in all, how"),
        ];
        for (from, to) in changes {
            assert_ne!(edited(from, to).hash, base, "{from} -> {to}");
        }
    }

    #[test]
    fn item_order_and_theme_membership_change_the_hash() {
        let base = load(MINIMAL);
        let mut swapped = base.clone();
        swapped.items.swap(0, 1);
        assert_ne!(super::content_hash(&swapped), base.hash);
        let mut moved = base.clone();
        moved.items[0].theme = "bond".to_string();
        assert_ne!(super::content_hash(&moved), base.hash);
    }
}
