//! The survey file as written: serde structs that keep every value's byte span for messages.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A text per language, with the span of the table, of each language code and of each text.
pub type RawText = Spanned<BTreeMap<Spanned<String>, Spanned<String>>>;

/// The whole file; built table by table in [`super::parse`], so it needs no `Deserialize`.
pub struct RawSurvey {
    pub survey: Spanned<RawMeta>,
    pub scales: BTreeMap<Spanned<String>, Spanned<RawScale>>,
    pub themes: Vec<Spanned<RawTheme>>,
    pub items: Vec<Spanned<RawItem>>,
    pub headline: Option<Spanned<RawHeadline>>,
    pub comment: Option<Spanned<RawComment>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub id: Spanned<String>,
    pub version: Spanned<u32>,
    pub title: RawText,
    pub introduction: RawText,
    pub minutes: Spanned<u32>,
    pub languages: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScale {
    #[serde(default)]
    pub not_applicable: bool,
    #[serde(default)]
    pub skip: bool,
    pub points: Spanned<Vec<Spanned<RawPoint>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoint {
    pub value: Spanned<i32>,
    pub label: RawText,
    #[serde(default)]
    pub positive: bool,
    #[serde(default)]
    pub dont_know: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTheme {
    pub id: Spanned<String>,
    pub number: Spanned<u32>,
    pub name: Spanned<String>,
    pub title: Spanned<String>,
    pub description: Spanned<String>,
    pub importance: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    pub id: Spanned<String>,
    pub theme: Spanned<String>,
    pub text: RawText,
    pub scale: Spanned<String>,
    #[serde(default)]
    pub reverse: bool,
    #[serde(default)]
    pub source: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeadline {
    pub id: Spanned<String>,
    pub text: RawText,
    pub scale: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawComment {
    pub prompt: RawText,
    pub privacy: RawText,
    pub max_chars: Option<Spanned<u32>>,
}

/// Longest comment accepted when `[comment]` gives no `max_chars`.
pub const DEFAULT_MAX_CHARS: u32 = 500;
