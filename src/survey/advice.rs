//! Advice on a survey that loads: scales whose direction the kiosk cannot tell, Polish items that
//! are hard to read, and a `minutes` lower than a slow reader needs. Warnings only, computed on the
//! built [`Survey`] so that `icare survey check` and the kiosk share one definition of each.

use std::fmt::Write as _;
use std::ops::Range;

use super::Survey;
use super::diagnostic::{Diagnostic, LineIndex, Severity};
use super::direction::{Direction, direction};
use super::raw::RawSurvey;
use super::readability::{PisarekCounts, flesch_kincaid_grade, is_polish};
use super::syntax::is_english;
use super::timing::{SLOW_READER_WORDS_PER_MINUTE, estimate};

/// Highest Pisarek index the Polish items, read as one text, should have: the top of the band the
/// Jasnopis service calls "very easy" (below 7.1; see [`super::readability`]). The index is made
/// for passages, so it is taken over all the items together, as the English figures in
/// docs/questionnaire.md are, not per item, where one long word in a nine-word sentence moves it
/// by three points.
pub const MAX_POLISH_PISAREK: f64 = 7.0;

/// Where the parts of the file that advice points at are, taken from the raw file before it is
/// turned into a [`Survey`].
pub(super) struct Spans {
    minutes: Range<usize>,
    languages: Vec<(String, Range<usize>)>,
    scales: Vec<(String, Range<usize>)>,
    survey: Range<usize>,
}

impl Spans {
    pub(super) fn of(raw: &RawSurvey) -> Spans {
        let meta = raw.survey.get_ref();
        Spans {
            minutes: meta.minutes.span(),
            languages: meta
                .languages
                .iter()
                .flat_map(|l| l.get_ref())
                .map(|l| (l.get_ref().clone(), l.span()))
                .collect(),
            scales: raw
                .scales
                .keys()
                .map(|k| (k.get_ref().clone(), k.span()))
                .collect(),
            survey: raw.survey.span(),
        }
    }

    fn language(&self, code: &str) -> (Range<usize>, String) {
        match self.languages.iter().position(|(l, _)| l == code) {
            Some(i) => (
                self.languages[i].1.clone(),
                format!("survey.languages[{i}]"),
            ),
            None => (self.survey.clone(), "survey".to_string()),
        }
    }
}

/// Every piece of advice on `survey`, located in its file.
pub(super) fn advise(survey: &Survey, spans: &Spans, idx: &LineIndex) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    directions(survey, spans, idx, &mut out);
    polish(survey, spans, idx, &mut out);
    minutes(survey, spans, idx, &mut out);
    out
}

/// The scales that items or the headline use, in the order first used.
fn used_scales(survey: &Survey) -> Vec<&str> {
    let mut used: Vec<&str> = Vec::new();
    let names = survey
        .items
        .iter()
        .map(|i| i.scale.as_str())
        .chain(survey.headline.iter().map(|h| h.scale.as_str()));
    for name in names {
        if !used.contains(&name) {
            used.push(name);
        }
    }
    used
}

/// The kiosk puts every scale's good end on the highest number key; a scale whose good end it
/// cannot tell is shown as written and may run the other way from the rest.
fn directions(survey: &Survey, spans: &Spans, idx: &LineIndex, out: &mut Vec<Diagnostic>) {
    let used = used_scales(survey);
    if used.len() < 2 {
        return;
    }
    let unclear: Vec<&str> = used
        .iter()
        .copied()
        .filter(|s| {
            survey
                .scale(s)
                .is_some_and(|s| direction(s) == Direction::Unclear)
        })
        .collect();
    for name in &unclear {
        let others: Vec<String> = used
            .iter()
            .filter(|s| *s != name)
            .map(|s| format!("`{s}`"))
            .collect();
        let span = spans
            .scales
            .iter()
            .find(|(s, _)| s == name)
            .map_or_else(|| spans.survey.clone(), |(_, r)| r.clone());
        out.push(idx.diag(
            Severity::Warning,
            &span,
            format!("scales.{name}"),
            format!(
                "the kiosk cannot tell which end of this scale is the good one (mark the points at \
                 that end, and only those, `positive = true`), so it shows the points as written and \
                 the same number key may mean the opposite here from scale {}; the kiosk puts every \
                 other scale's good end on the highest number",
                others.join(", ")
            ),
        ));
    }
}

/// The items of `survey` in `lang`, as one text.
fn items_text(survey: &Survey, lang: &str) -> String {
    let texts: Vec<&str> = survey.items.iter().map(|i| i.text.get(lang)).collect();
    texts.join(" ")
}

fn polish(survey: &Survey, spans: &Spans, idx: &LineIndex, out: &mut Vec<Diagnostic>) {
    for lang in survey.languages.iter().filter(|l| is_polish(l)) {
        let counts = PisarekCounts::of(&items_text(survey, lang));
        let Some(index) = counts.index() else {
            continue;
        };
        if index <= MAX_POLISH_PISAREK {
            continue;
        }
        let hardest = survey
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| Some((i, PisarekCounts::of(item.text.get(lang)).index()?)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let mut message = format!(
            "the items in `{lang}` read as one text have Pisarek's index {index:.1} ({:.1} words \
             a sentence, {:.0}% words of four or more syllables); keep it at {MAX_POLISH_PISAREK} \
             or below (\"very easy\") with shorter sentences and shorter words",
            counts.words as f64 / counts.sentences.max(1) as f64,
            100.0 * counts.hard as f64 / counts.words.max(1) as f64,
        );
        if let Some((i, worst)) = hardest {
            let _ = write!(message, "; start with items[{i}] ({worst:.1})");
        }
        let (span, key) = spans.language(lang);
        out.push(idx.diag(Severity::Warning, &span, key, message));
    }
}

fn minutes(survey: &Survey, spans: &Spans, idx: &LineIndex, out: &mut Vec<Diagnostic>) {
    let e = estimate(survey);
    if f64::from(survey.minutes) >= e.minutes {
        return;
    }
    out.push(idx.diag(
        Severity::Warning,
        &spans.minutes,
        "survey.minutes",
        format!(
            "says {} but a person who reads slowly ({SLOW_READER_WORDS_PER_MINUTE} words a \
             minute) needs about {:.1} minutes for the {} words on the kiosk's screens in `{}`; \
             set `minutes = {}` or make the survey shorter",
            plural_minutes(survey.minutes),
            e.minutes,
            e.words,
            e.language,
            e.minutes.ceil() as u32,
        ),
    ));
}

fn plural_minutes(n: u32) -> String {
    format!("{n} minute{}", if n == 1 { "" } else { "s" })
}

/// One line on how hard the survey is to read, for `icare survey check`: the items as one text in
/// each language that has a measure (Flesch–Kincaid grade for English, Pisarek's index for
/// Polish), and the slow reader's minutes against the survey's own.
pub fn reading_summary(survey: &Survey) -> String {
    let mut parts = Vec::new();
    for lang in &survey.languages {
        let text = items_text(survey, lang);
        if is_english(lang) {
            if let Some(g) = flesch_kincaid_grade(&text) {
                parts.push(format!("{lang} Flesch–Kincaid grade {g:.1}"));
            }
        } else if is_polish(lang)
            && let Some(p) = PisarekCounts::of(&text).index()
        {
            parts.push(format!("{lang} Pisarek index {p:.1}"));
        }
    }
    let e = estimate(survey);
    let measures = if parts.is_empty() {
        String::new()
    } else {
        format!("items as one text: {}; ", parts.join(", "))
    };
    format!(
        "{measures}a slow reader ({SLOW_READER_WORDS_PER_MINUTE} words a minute) needs about \
         {:.1} minutes in `{}` ({} words), the survey says {}",
        e.minutes,
        e.language,
        e.words,
        plural_minutes(survey.minutes)
    )
}
