//! Surveys: the validated in-memory model of a questionnaire loaded from a TOML file.
//!
//! A [`Survey`] is only ever built by the loader ([`load`]), which checks every reference, so code
//! that holds a `Survey` may rely on each item's theme and scale existing.

pub mod advice;
pub mod catalog;
pub mod diagnostic;
pub mod direction;
pub mod hash;
pub mod load;
mod parse;
mod raw;
pub mod readability;
pub mod show;
pub mod suggest;
pub mod syntax;
pub mod timing;
mod unclosed;
pub mod validate;

#[cfg(test)]
mod advice_tests;
#[cfg(test)]
mod mutation_tests;
#[cfg(test)]
mod shipped_tests;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

pub use catalog::{Catalog, SURVEYS_DIR};
pub use diagnostic::{Diagnostic, Severity};
pub use hash::content_hash;
pub use load::{Checked, LoadError, check_str, embedded, from_file, from_str};

/// Text in one or more languages, keyed by language code (`en`, `pl`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    /// The text in `lang`, or in the first language it has when that one is missing.
    pub fn get(&self, lang: &str) -> &str {
        self.0
            .get(lang)
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// The SHA-256 of a survey's canonical form: two surveys with the same hash ask the same questions
/// with the same wording, scales and scoring.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
pub struct SurveyHash(pub [u8; 32]);

impl SurveyHash {
    /// The first 12 hex digits: enough for a person to tell versions apart.
    pub fn short(&self) -> String {
        self.to_string()[..12].to_string()
    }
}

impl fmt::Display for SurveyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// A validated questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Survey {
    /// Stable identifier, lower case letters, digits and `-`.
    pub id: String,
    /// Bumped whenever anything that changes the hash is edited (see `docs/survey-format.md`).
    pub version: u32,
    pub title: Text,
    /// Shown on the welcome screen.
    pub introduction: Text,
    /// Estimated minutes to answer.
    pub minutes: u32,
    /// Language codes; the first is the default.
    pub languages: Vec<String>,
    /// Answer scales, sorted by id.
    pub scales: Vec<Scale>,
    /// Themes in the order of their `number`.
    pub themes: Vec<Theme>,
    /// Items in the order they are asked.
    pub items: Vec<Item>,
    /// The overall question, reported on its own.
    pub headline: Option<Headline>,
    /// The optional free-text comment.
    pub comment: Option<CommentPrompt>,
    /// Content hash of the canonical form; not part of the hashed data itself.
    #[serde(skip)]
    pub hash: SurveyHash,
}

/// A named answer scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scale {
    pub id: String,
    /// Offers a "Does not apply" choice.
    pub not_applicable: bool,
    /// Allows "Skip this question".
    pub skip: bool,
    /// Points as written in the file; values strictly increasing. The kiosk shows them in
    /// [`direction::display_order`], with the good end on the highest number.
    pub points: Vec<ScalePoint>,
}

/// One answer on a scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScalePoint {
    pub value: i32,
    pub label: Text,
    /// Counts as a positive answer on a positively worded item.
    pub positive: bool,
    /// A "Don't know" answer: recorded, counted in distributions, never scored.
    pub dont_know: bool,
}

impl Scale {
    /// The points that carry a score (all but "Don't know").
    pub fn scored_points(&self) -> impl Iterator<Item = &ScalePoint> {
        self.points.iter().filter(|p| !p.dont_know)
    }

    /// Lowest and highest scored values.
    pub fn range(&self) -> (i32, i32) {
        let mut it = self.scored_points().map(|p| p.value);
        let first = it.next().unwrap_or(0);
        it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v)))
    }

    /// The point with this value.
    pub fn point(&self, value: i32) -> Option<&ScalePoint> {
        self.points.iter().find(|p| p.value == value)
    }
}

/// A theme of the study that items are grouped under.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Theme {
    pub id: String,
    pub number: u32,
    /// Short name for managers ("Humanised care").
    pub name: String,
    /// The patients' own words ("Being treated like a human being").
    pub title: String,
    pub description: String,
    /// How much the theme matters (for iCARE: the study's reference count).
    pub importance: f64,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: String,
    /// Id of the theme; always resolves in a loaded survey.
    pub theme: String,
    pub text: Text,
    /// Id of the scale; always resolves in a loaded survey.
    pub scale: String,
    /// Negatively worded: scored in reverse.
    pub reverse: bool,
    /// The study subtheme(s) the item derives from.
    pub source: Vec<String>,
}

/// The overall question in the Friends and Family Test pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Headline {
    pub id: String,
    pub text: Text,
    pub scale: String,
}

/// The free-text comment prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommentPrompt {
    pub prompt: Text,
    /// What the patient is told about privacy before typing.
    pub privacy: Text,
    /// Longest comment accepted, in characters.
    pub max_chars: u32,
}

impl Survey {
    pub fn scale(&self, id: &str) -> Option<&Scale> {
        self.scales.iter().find(|s| s.id == id)
    }

    pub fn theme(&self, id: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.id == id)
    }

    /// Index of the theme with this id.
    pub fn theme_index(&self, id: &str) -> Option<usize> {
        self.themes.iter().position(|t| t.id == id)
    }

    /// The items of one theme, with their index in [`Survey::items`].
    pub fn theme_items<'a>(
        &'a self,
        theme: &'a str,
    ) -> impl Iterator<Item = (usize, &'a Item)> + 'a {
        self.items
            .iter()
            .enumerate()
            .filter(move |(_, i)| i.theme == theme)
    }

    /// The scale of an item (always present in a loaded survey).
    pub fn item_scale(&self, item: &Item) -> Option<&Scale> {
        self.scale(&item.scale)
    }

    pub fn default_language(&self) -> &str {
        self.languages.first().map(String::as_str).unwrap_or("en")
    }
}
