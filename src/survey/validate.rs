//! Every rule a survey file must follow, checked on the raw file so that each problem keeps its
//! line, column and key. All problems are collected; none stops the others being found.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use toml::Spanned;

use super::diagnostic::{Diagnostic, LineIndex, Severity};
use super::raw::{RawSurvey, RawText};
use super::readability::{flesch_kincaid_grade, word_count};
use super::suggest::hint;
use super::syntax::{describe_char, is_english};
pub use super::syntax::{is_forbidden_char, is_valid_id, is_valid_language};

/// Most words an item should have (issue 2: "at most 15 words an item").
pub const MAX_ITEM_WORDS: usize = 15;
/// Highest Flesch–Kincaid grade an English item should have.
pub const MAX_ITEM_GRADE: f64 = 6.0;

struct Checker<'a> {
    idx: &'a LineIndex<'a>,
    languages: Vec<String>,
    out: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn push(&mut self, severity: Severity, span: &Range<usize>, key: &str, message: String) {
        self.out.push(self.idx.diag(severity, span, key, message));
    }

    fn error(&mut self, span: &Range<usize>, key: &str, message: String) {
        self.push(Severity::Error, span, key, message);
    }

    fn warn(&mut self, span: &Range<usize>, key: &str, message: String) {
        self.push(Severity::Warning, span, key, message);
    }

    fn line_of(&self, span: &Range<usize>) -> usize {
        self.idx.line_col(span.start).0
    }

    /// No forbidden characters in `s`.
    fn chars(&mut self, s: &str, span: &Range<usize>, key: &str) {
        if let Some((pos, c)) = s.chars().enumerate().find(|&(_, c)| is_forbidden_char(c)) {
            self.error(
                span,
                key,
                format!(
                    "contains the control character {} at character {}; remove it (use plain spaces, one line)",
                    describe_char(c),
                    pos + 1
                ),
            );
        }
    }

    /// A one-language text: not empty, no forbidden characters.
    fn plain(&mut self, s: &Spanned<String>, key: &str) {
        if s.get_ref().trim().is_empty() {
            self.error(&s.span(), key, "is empty; write the text".to_string());
        }
        self.chars(s.get_ref(), &s.span(), key);
    }

    fn id(&mut self, id: &Spanned<String>, key: &str) {
        let s = id.get_ref();
        if s.chars().any(is_forbidden_char) {
            self.chars(s, &id.span(), key);
        } else if !is_valid_id(s) {
            let fixed: String = s
                .trim()
                .to_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            let fixed = fixed.trim_matches('-');
            let advice = if is_valid_id(fixed) {
                format!("; for example `{fixed}`")
            } else {
                String::new()
            };
            self.error(
                &id.span(),
                key,
                format!("`{s}` is not a valid id: use lower-case letters a-z, digits and `-`, starting with a letter or digit{advice}"),
            );
        }
    }

    /// A text per language: every declared language present, no others, none empty.
    fn text(&mut self, text: &RawText, key: &str) {
        let declared = self.languages.clone();
        for lang in &declared {
            if !text.get_ref().contains_key(lang.as_str()) {
                self.error(
                    &text.span(),
                    key,
                    format!(
                        "missing the `{lang}` translation; every text needs each language in `survey.languages` ({})",
                        declared.join(", ")
                    ),
                );
            }
        }
        for (lang, value) in text.get_ref() {
            let sub = format!("{key}.{}", lang.get_ref());
            if !declared.is_empty() && !declared.contains(lang.get_ref()) {
                self.error(
                    &lang.span(),
                    &sub,
                    format!(
                        "text in language `{}`, which `survey.languages` does not declare{}",
                        lang.get_ref(),
                        hint(lang.get_ref(), declared.iter().map(String::as_str))
                    ),
                );
            }
            self.plain(value, &sub);
        }
    }

    /// Items' texts: length in every language, reading grade in English.
    fn plain_language(&mut self, text: &RawText, key: &str) {
        for (lang, value) in text.get_ref() {
            let sub = format!("{key}.{}", lang.get_ref());
            let n = word_count(value.get_ref());
            if n > MAX_ITEM_WORDS {
                self.warn(
                    &value.span(),
                    &sub,
                    format!("has {n} words; keep an item to {MAX_ITEM_WORDS} words or fewer"),
                );
            }
            if is_english(lang.get_ref())
                && let Some(grade) = flesch_kincaid_grade(value.get_ref())
                && grade > MAX_ITEM_GRADE
            {
                self.warn(
                            &value.span(),
                            &sub,
                            format!("Flesch–Kincaid grade {grade:.1} is above {MAX_ITEM_GRADE}; use shorter words and sentences"),
                        );
            }
        }
    }
}

/// Check a parsed survey file; `idx` maps its byte offsets to lines.
pub(crate) fn validate(raw: &RawSurvey, idx: &LineIndex) -> Vec<Diagnostic> {
    let mut c = Checker {
        idx,
        languages: Vec::new(),
        out: Vec::new(),
    };
    meta(&mut c, raw);
    scales(&mut c, raw);
    themes(&mut c, raw);
    items(&mut c, raw);
    headline_and_comment(&mut c, raw);
    usage(&mut c, raw);
    c.out.sort_by_key(|d| (d.line, d.column));
    c.out
}

fn meta(c: &mut Checker, raw: &RawSurvey) {
    let meta = raw.survey.get_ref();
    c.id(&meta.id, "survey.id");
    if *meta.version.get_ref() == 0 {
        c.error(
            &meta.version.span(),
            "survey.version",
            "is 0; versions start at 1".to_string(),
        );
    }
    if *meta.minutes.get_ref() == 0 {
        c.error(
            &meta.minutes.span(),
            "survey.minutes",
            "is 0; give the estimated minutes to answer, at least 1".to_string(),
        );
    }
    match &meta.languages {
        None => c.languages = vec!["en".to_string()],
        Some(langs) => {
            if langs.get_ref().is_empty() {
                c.error(
                    &langs.span(),
                    "survey.languages",
                    "is empty; list at least one language code, e.g. [\"en\"]".to_string(),
                );
            }
            let mut seen = BTreeSet::new();
            for (i, lang) in langs.get_ref().iter().enumerate() {
                let key = format!("survey.languages[{i}]");
                let code = lang.get_ref();
                if !is_valid_language(code) {
                    c.error(
                        &lang.span(),
                        &key,
                        format!("`{}` is not a language code such as `en` or `pl`", code),
                    );
                } else if !seen.insert(code.clone()) {
                    c.error(&lang.span(), &key, format!("`{code}` is listed twice"));
                } else {
                    c.languages.push(code.clone());
                }
            }
        }
    }
    c.text(&meta.title, "survey.title");
    c.text(&meta.introduction, "survey.introduction");
}

fn scales(c: &mut Checker, raw: &RawSurvey) {
    for (name, scale) in &raw.scales {
        let key = format!("scales.{}", name.get_ref());
        c.id(name, &key);
        let points = scale.get_ref().points.get_ref();
        let mut prev: Option<i32> = None;
        for (i, point) in points.iter().enumerate() {
            let pkey = format!("{key}.points[{i}]");
            let p = point.get_ref();
            let value = *p.value.get_ref();
            if let Some(before) = prev
                && value <= before
            {
                c.error(
                        &p.value.span(),
                        &format!("{pkey}.value"),
                        format!("{value} is not greater than the previous point's {before}; values must strictly increase in display order"),
                    );
            }
            prev = Some(value);
            c.text(&p.label, &format!("{pkey}.label"));
            if p.dont_know && p.positive {
                c.error(
                    &point.span(),
                    &pkey,
                    "is both `dont_know` and `positive`; a \"Don't know\" answer is never positive"
                        .to_string(),
                );
            }
        }
        let scored = points.iter().filter(|p| !p.get_ref().dont_know).count();
        if scored < 2 {
            c.error(
                &scale.get_ref().points.span(),
                &format!("{key}.points"),
                format!("has {scored} scored point(s); a scale needs at least 2 points that are not `dont_know`"),
            );
        }
        let dont_know = points.iter().filter(|p| p.get_ref().dont_know).count();
        if dont_know > 1 {
            c.error(
                &scale.get_ref().points.span(),
                &format!("{key}.points"),
                format!("has {dont_know} `dont_know` points; keep one"),
            );
        }
    }
}

fn themes(c: &mut Checker, raw: &RawSurvey) {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut numbers: HashMap<u32, usize> = HashMap::new();
    for (i, theme) in raw.themes.iter().enumerate() {
        let t = theme.get_ref();
        let key = format!("themes[{i}]");
        c.id(&t.id, &format!("{key}.id"));
        if let Some(first) = ids.insert(t.id.get_ref(), c.line_of(&t.id.span())) {
            ids.insert(t.id.get_ref(), first);
            c.error(
                &t.id.span(),
                &format!("{key}.id"),
                format!(
                    "duplicate theme id `{}`; first used on line {first}",
                    t.id.get_ref()
                ),
            );
        }
        let number = *t.number.get_ref();
        if number == 0 {
            c.error(
                &t.number.span(),
                &format!("{key}.number"),
                "is 0; theme numbers start at 1".to_string(),
            );
        } else if let Some(first) = numbers.insert(number, c.line_of(&t.number.span())) {
            numbers.insert(number, first);
            c.error(
                &t.number.span(),
                &format!("{key}.number"),
                format!("duplicate theme number {number}; first used on line {first}"),
            );
        }
        c.plain(&t.name, &format!("{key}.name"));
        c.plain(&t.title, &format!("{key}.title"));
        c.plain(&t.description, &format!("{key}.description"));
        let importance = *t.importance.get_ref();
        if !importance.is_finite() || importance < 0.0 {
            c.error(
                &t.importance.span(),
                &format!("{key}.importance"),
                format!("{importance} is not a weight; use a number of 0 or more (for iCARE, the study's reference count)"),
            );
        }
    }
}

fn items(c: &mut Checker, raw: &RawSurvey) {
    if raw.items.is_empty() {
        c.error(
            &raw.survey.span(),
            "items",
            "the survey has no items; add at least one [[items]] table".to_string(),
        );
    }
    let theme_ids: Vec<&str> = raw
        .themes
        .iter()
        .map(|t| t.get_ref().id.get_ref().as_str())
        .collect();
    let scale_ids: Vec<&str> = raw.scales.keys().map(|k| k.get_ref().as_str()).collect();
    let headline = raw
        .headline
        .as_ref()
        .map(|h| h.get_ref().id.get_ref().as_str());
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, item) in raw.items.iter().enumerate() {
        let it = item.get_ref();
        let key = format!("items[{i}]");
        let id = it.id.get_ref().as_str();
        c.id(&it.id, &format!("{key}.id"));
        if let Some(first) = ids.insert(id, c.line_of(&it.id.span())) {
            ids.insert(id, first);
            c.error(
                &it.id.span(),
                &format!("{key}.id"),
                format!("duplicate item id `{id}`; first used on line {first}"),
            );
        }
        if headline == Some(id) {
            c.error(
                &it.id.span(),
                &format!("{key}.id"),
                format!("`{id}` is also the headline's id; answers are stored by id, so give the item another one"),
            );
        }
        let theme = it.theme.get_ref().as_str();
        if !theme_ids.contains(&theme) {
            c.error(
                &it.theme.span(),
                &format!("{key}.theme"),
                format!(
                    "unknown theme `{}`{}",
                    theme,
                    hint(theme, theme_ids.iter().copied())
                ),
            );
        }
        let scale = it.scale.get_ref().as_str();
        if !scale_ids.contains(&scale) {
            c.error(
                &it.scale.span(),
                &format!("{key}.scale"),
                format!(
                    "unknown scale `{}`{}",
                    scale,
                    hint(scale, scale_ids.iter().copied())
                ),
            );
        }
        c.text(&it.text, &format!("{key}.text"));
        c.plain_language(&it.text, &format!("{key}.text"));
        for (j, source) in it.source.iter().enumerate() {
            c.plain(source, &format!("{key}.source[{j}]"));
        }
    }
}

fn headline_and_comment(c: &mut Checker, raw: &RawSurvey) {
    if let Some(h) = &raw.headline {
        let h = h.get_ref();
        c.id(&h.id, "headline.id");
        c.text(&h.text, "headline.text");
        let name = h.scale.get_ref().as_str();
        match raw.scales.get(name) {
            None => {
                let known = raw.scales.keys().map(|k| k.get_ref().as_str());
                c.error(
                    &h.scale.span(),
                    "headline.scale",
                    format!("unknown scale `{}`{}", name, hint(name, known)),
                );
            }
            Some(scale)
                if !scale
                    .get_ref()
                    .points
                    .get_ref()
                    .iter()
                    .any(|p| p.get_ref().positive) =>
            {
                c.error(
                    &h.scale.span(),
                    "headline.scale",
                    format!("scale `{name}` has no `positive = true` point, so the headline's \"% positive\" cannot be computed"),
                );
            }
            Some(_) => {}
        }
    }
    if let Some(comment) = &raw.comment {
        let cm = comment.get_ref();
        c.text(&cm.prompt, "comment.prompt");
        c.text(&cm.privacy, "comment.privacy");
        if let Some(max) = &cm.max_chars
            && *max.get_ref() == 0
        {
            c.error(
                &max.span(),
                "comment.max_chars",
                "is 0; allow at least 1 character or remove [comment]".to_string(),
            );
        }
    }
}

/// Warnings about how themes and scales are used.
///
/// A theme with a single item is measured by one question only, which is fragile; but a short form
/// that deliberately asks exactly one item in every theme is a design, not an accident. So the
/// single-item warning is given only when some other theme has two or more items.
fn usage(c: &mut Checker, raw: &RawSurvey) {
    let mut per_theme: BTreeMap<&str, usize> = BTreeMap::new();
    for item in &raw.items {
        *per_theme
            .entry(item.get_ref().theme.get_ref().as_str())
            .or_default() += 1;
    }
    let mixed = per_theme.values().any(|&n| n >= 2);
    for (i, theme) in raw.themes.iter().enumerate() {
        let id = theme.get_ref().id.get_ref().as_str();
        let key = format!("themes[{i}]");
        match per_theme.get(id).copied().unwrap_or(0) {
            0 => c.warn(&theme.span(), &key, format!("theme `{id}` has no items; add items or remove the theme")),
            1 if mixed => c.warn(
                &theme.span(),
                &key,
                format!("theme `{id}` has a single item while other themes have several; one question alone measures a theme poorly"),
            ),
            _ => {}
        }
    }
    for name in raw.scales.keys() {
        let id = name.get_ref().as_str();
        let used = raw.items.iter().any(|i| i.get_ref().scale.get_ref() == id)
            || raw
                .headline
                .as_ref()
                .is_some_and(|h| h.get_ref().scale.get_ref() == id);
        if !used {
            c.warn(
                &name.span(),
                &format!("scales.{id}"),
                format!("scale `{id}` is not used by any item or the headline; remove it"),
            );
        }
    }
}
