//! What every report format says the same way: rounding, labels, the synthetic warning, the method.

use crate::disclosure::{Cell, Reason, Span, Summary, ThemeSummary};
use crate::priority::Quadrant;
use crate::stats::Granularity;

use super::ReportData;

/// Printed on every page and section of a report from a synthetic store.
pub const SYNTHETIC_BANNER: &str = "SYNTHETIC DATA: made-up demo responses, not real patients";

/// A figure on the 0–100 scale (or a percentage) as a whole number: every format publishes
/// whole numbers, which blurs what a mean could reveal about hidden counts (docs/privacy.md).
pub fn whole(x: Option<f64>) -> Option<i64> {
    x.filter(|v| v.is_finite()).map(|v| v.round() as i64)
}

/// `whole` as text, `–` when absent.
pub fn whole_text(x: Option<f64>) -> String {
    whole(x).map_or_else(|| "–".to_string(), |v| v.to_string())
}

/// A correlation or alpha to two decimals.
pub fn two_places(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
        .map(|v| (v * 100.0).round() / 100.0)
}

/// A published count as text: the count, `<5`, or `–` when hidden to protect another cell.
pub fn cell_text(c: Cell) -> String {
    match c {
        Cell::Shown(n) => n.to_string(),
        Cell::Small => "<5".into(),
        Cell::Suppressed => "–".into(),
    }
}

/// A hidden cell's reason, for formats with a reason column.
pub fn cell_reason(c: Cell) -> Option<&'static str> {
    match c {
        Cell::Shown(_) => None,
        Cell::Small => Some("a count from 1 to 4, shown as <5"),
        Cell::Suppressed => Some("hidden so that a count below 5 cannot be worked out"),
    }
}

/// The reason a figure is not shown, as plain words.
pub fn reason(r: &Reason) -> String {
    r.to_string()
}

/// A stable code for a reason (`too_few_respondents`, ...).
pub fn reason_code(r: &Reason) -> &'static str {
    match r {
        Reason::TooFewRespondents { .. } => "too_few_respondents",
        Reason::SmallCounts => "small_counts",
        Reason::Complementary { .. } => "complementary",
        Reason::TooFewResponsesForComments { .. } => "too_few_responses_for_comments",
        Reason::TooFewForConsistency { .. } => "too_few_for_consistency",
        Reason::Undefined => "undefined",
    }
}

pub fn granularity_word(g: Granularity) -> &'static str {
    match g {
        Granularity::Week => "week",
        Granularity::Month => "month",
        Granularity::Quarter => "quarter",
    }
}

pub fn quadrant_words(q: Quadrant) -> &'static str {
    match q {
        Quadrant::ActFirst => "act first",
        Quadrant::KeepUp => "keep up",
        Quadrant::Watch => "watch",
        Quadrant::Maintain => "maintain",
    }
}

pub fn quadrant_code(q: Quadrant) -> &'static str {
    match q {
        Quadrant::ActFirst => "act_first",
        Quadrant::KeepUp => "keep_up",
        Quadrant::Watch => "watch",
        Quadrant::Maintain => "maintain",
    }
}

/// The report's title line.
pub fn title(data: &ReportData) -> String {
    let site = if data.store_site.trim().is_empty() {
        String::new()
    } else {
        format!(" – {}", data.store_site)
    };
    format!(
        "{}{site}",
        data.survey.title.get(data.survey.default_language())
    )
}

/// One line saying what the report covers: the periods and sites of the overall figures, and
/// where the grid widened what was asked for.
pub fn scope_line(data: &ReportData) -> String {
    let o = &data.options;
    let mut parts = vec![format!(
        "{} responses to {} version {}",
        data.responses, data.survey.id, data.survey.version
    )];
    let covered = data.covers.span;
    match covered {
        Some(span) if span.is_pooled() => {
            parts.push(format!("{}s {span}", granularity_word(o.granularity)))
        }
        Some(span) => parts.push(format!("{} {span}", granularity_word(o.granularity))),
        None => {}
    }
    if let Some(p) = o.period {
        match covered {
            Some(span) if span != Span::one(p) => parts.push(format!(
                "{p} was asked for: it is shown pooled with the periods next to it, as one of them alone has too few responses to show"
            )),
            _ => parts.push(format!("overall figures for {p} only")),
        }
    }
    if o.from.is_some() || o.to.is_some() {
        let asked = format!(
            "dates asked for: {} to {}",
            o.from
                .map_or_else(|| "the start".to_string(), |d| d.to_string()),
            o.to.map_or_else(|| "the end".to_string(), |d| d.to_string())
        );
        parts.push(format!(
            "{asked}, taken as whole {}s",
            granularity_word(o.granularity)
        ));
    }
    if let Some(s) = &o.site {
        let others: Vec<&str> = data
            .covers
            .sites
            .iter()
            .filter(|x| *x != s)
            .map(String::as_str)
            .collect();
        if others.is_empty() {
            parts.push(format!("site {s}"));
        } else {
            parts.push(format!(
                "site {s} pooled with {} (too few responses to show it alone)",
                others.join(", ")
            ));
        }
    }
    if data.unplaced != crate::disclosure::Count::Exact(0) {
        parts.push(format!(
            "{} responses dated by a longer period than a {} are in the overall figures only",
            data.unplaced,
            granularity_word(o.granularity)
        ));
    }
    if data.left_out != crate::disclosure::Count::Exact(0) {
        parts.push(format!(
            "{} responses left out: their period is not a real date",
            data.left_out
        ));
    }
    parts.push(format!("made {}", data.generated));
    parts.join(" · ")
}

/// The headline in one sentence.
pub fn headline_sentence(data: &ReportData) -> String {
    let Some(h) = &data.overall.headline else {
        return "This survey has no overall question.".into();
    };
    let question = data
        .survey
        .headline
        .as_ref()
        .map(|q| q.text.get(data.survey.default_language()).to_string())
        .unwrap_or_default();
    match (&h.suppressed, h.pct_positive, &h.detail_withheld) {
        (Some(r), _, _) => format!("{question} – {}", reason(r)),
        (None, Some(p), _) => format!(
            "{question} {}% positive (Very good or Good) of {} answers",
            whole_text(Some(p)),
            h.answered
        ),
        (None, None, Some(r)) => format!(
            "{question} {} answers; % positive {}",
            h.answered,
            reason(r)
        ),
        (None, None, None) => format!("{question} {} answers", h.answered),
    }
}

/// Labels of the headline's answer points, in scale order.
pub fn headline_labels(data: &ReportData) -> Vec<String> {
    let s = &data.survey;
    s.headline
        .as_ref()
        .and_then(|h| s.scale(&h.scale))
        .map(|sc| {
            sc.points
                .iter()
                .map(|p| p.label.get(s.default_language()).to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Labels of a theme's common scale (positive direction), or empty.
pub fn theme_labels(data: &ReportData, theme_id: &str) -> Vec<String> {
    let s = &data.survey;
    let mut items = s.theme_items(theme_id);
    let Some((_, first)) = items.next() else {
        return Vec::new();
    };
    s.item_scale(first)
        .map(|sc| {
            sc.points
                .iter()
                .map(|p| p.label.get(s.default_language()).to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The text of an item in the survey's default language.
pub fn item_text<'a>(data: &'a ReportData, id: &str) -> &'a str {
    data.survey
        .items
        .iter()
        .find(|i| i.id == id)
        .map_or("", |i| i.text.get(data.survey.default_language()))
}

/// A theme's patients'-words title.
pub fn theme_title<'a>(data: &'a ReportData, id: &str) -> &'a str {
    data.survey.theme(id).map_or("", |t| t.title.as_str())
}

/// The series of one theme's means over the trend rows (`None` where not shown).
pub fn theme_series(data: &ReportData, theme: usize) -> Vec<(Span, Option<f64>)> {
    data.trends
        .iter()
        .map(|r| (r.span, r.summary.themes.get(theme).and_then(|t| t.mean)))
        .collect()
}

/// A theme row's numbers as text: `62 (59–65)`.
pub fn mean_ci(t: &ThemeSummary) -> String {
    match (t.mean, t.ci_low, t.ci_high) {
        (Some(m), Some(l), Some(h)) => format!(
            "{} ({}–{})",
            whole_text(Some(m)),
            whole_text(Some(l)),
            whole_text(Some(h))
        ),
        (Some(m), _, _) => whole_text(Some(m)),
        _ => "–".into(),
    }
}

/// Whether any figure of a summary is suppressed (for a short note).
pub fn any_suppressed(s: &Summary) -> bool {
    s.suppressed.is_some() || s.themes.iter().any(|t| t.suppressed.is_some())
}

/// The method and the rules in plain words, one paragraph each.
pub fn method_paragraphs(data: &ReportData) -> Vec<String> {
    let min_n = data.options.rule.min_n();
    let g = granularity_word(data.options.granularity);
    vec![
        "Scores. Each answer is put on a 0–100 scale, the lowest answer 0 and the highest 100 (on a five-point agreement scale: 0, 25, 50, 75, 100); negatively worded questions are turned round first, so higher is always better. A person's theme score is the mean of their answers to that theme's questions, counted when they answered at least half of the questions that apply to them. \"Does not apply\", \"Don't know\" and skipped questions get no score.".to_string(),
        "Figures. For each theme: the mean score, its 95% confidence interval (the range the practice's true score is likely to lie in, from the t distribution), n (people with a theme score) and % positive (agree or strongly agree with a positive statement, disagree or strongly disagree with a negative one). Scores and percentages are rounded to whole numbers. The overall question is reported as the Friends and Family Test does: Very good + Good over every answer, \"Don't know\" included.".to_string(),
        format!("Anonymity. No figure is shown for any group (theme, question, {g}, site) with fewer than {min_n} respondents: it is marked \"not shown\" and its size is given only as \"fewer than {min_n}\". A {g} (or site) too small to show on its own is pooled with its neighbour, so that no figure can be subtracted from another, in this report or any other, to reveal a smaller group. In answer counts, 1 to 4 is shown as <5, other counts are rounded to the nearest 5, and cells are hidden (–) where needed so that a small count cannot be worked out from the totals. Comments are shown only for periods with at least {} responses, in random order and never beside the answers they came with.", data.options.rule.comment_min()),
        format!("Where to act first. {} Priority = (weight ÷ the largest weight) × (100 − the practice's score), so a theme that matters a lot and scores low comes first. The weights say what mattered to patients in the study, not how this practice is doing, and they are not a validated ranking; a practice can change them in its survey file. Themes whose confidence intervals overlap may swap places with more responses: use the list to start a discussion, not to end one.", weights_source(data)),
    ]
}

/// Where the importance weights come from, in plain words.
pub fn weights_source(data: &ReportData) -> String {
    let w: Vec<f64> = data.survey.themes.iter().map(|t| t.importance).collect();
    let equal = w.windows(2).all(|p| p[0] == p[1]);
    if data.survey.id.starts_with("icare") && !equal {
        "Each theme's importance weight comes from the study behind iCARE (Alves et al., BMJ Open 2021, interviews with 24 people in opioid substitution treatment in general practice): how often those patients raised the theme, from 219 references for being treated like a human being down to 13 for being close to home.".into()
    } else if equal {
        "Every theme of this survey has the same importance weight (set in the survey file), so the ranking follows the scores alone.".into()
    } else {
        "Each theme's importance weight is the `importance` set in the survey file; see the survey's own notes for where the weights come from.".into()
    }
}

/// A sentence about other surveys in the store, if any.
pub fn other_surveys_sentence(data: &ReportData) -> Option<String> {
    if data.other_surveys.is_empty() {
        return None;
    }
    let list: Vec<String> = data
        .other_surveys
        .iter()
        .map(|(id, hash, n)| format!("{id} version {} ({n} responses)", hash.short()))
        .collect();
    Some(format!(
        "This store also holds responses to other surveys, not included here: {}. Report on one with --survey-id ID (and --survey FILE for a version not known here).",
        list.join("; ")
    ))
}
