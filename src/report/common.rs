//! What every report format says the same way: rounding, labels, the synthetic warning, the method.

use chrono::NaiveDate;

use crate::disclosure::{Cell, Reason, Span, ThemeSummary};
use crate::priority::Quadrant;
use crate::stats::PeriodKey;
use crate::stats::period::{Form, label_on};

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

/// The reason a figure is not shown in the fewest words, for a chart's row: the full words go in
/// the chart's legend.
pub fn short_reason(r: &Reason) -> String {
    match r {
        Reason::TooFewRespondents { min_n } => format!("not shown: fewer than {min_n} people"),
        Reason::Complementary { .. } => "not shown on its own".into(),
        Reason::SmallCounts => "not shown: small counts".into(),
        _ => "not shown".into(),
    }
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

pub fn quadrant_words(q: Quadrant) -> &'static str {
    match q {
        Quadrant::ActFirst => "act first",
        Quadrant::KeepUp => "keep up",
        Quadrant::Watch => "watch",
        Quadrant::Maintain => "maintain",
    }
}

/// What the quadrants and the priority are, in one paragraph shared by every format and the
/// screen's legend.
pub fn quadrant_sentence() -> &'static str {
    "Priority = (importance ÷ largest importance) × (100 − score): a theme that matters a lot to patients and scores low comes first. Quadrants, against the middle (median) score and importance of the ranked themes: act first = important to patients and scoring below the middle; keep up = important, at or above it; watch = less important, below it; maintain = less important, at or above it."
}

pub fn quadrant_code(q: Quadrant) -> &'static str {
    match q {
        Quadrant::ActFirst => "act_first",
        Quadrant::KeepUp => "keep_up",
        Quadrant::Watch => "watch",
        Quadrant::Maintain => "maintain",
    }
}

/// A row's periods as people name them ("October to November 2026"), with "(so far)" when they
/// are still under way on the day the report was made.
pub fn period_label(data: &ReportData, span: Span) -> String {
    label_on(span.first, span.last, Form::Long, data.generated)
}

/// [`period_label`] in its short form ("Oct–Nov 2026"), for axes and lists of figures.
pub fn period_short(data: &ReportData, span: Span) -> String {
    label_on(span.first, span.last, Form::Short, data.generated)
}

/// One period as people name it.
pub fn key_label(data: &ReportData, k: PeriodKey) -> String {
    period_label(data, Span::one(k))
}

/// A day as people write it: "30 Nov 2026".
pub fn day_label(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
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
    let g = o.granularity.word();
    let mut parts = vec![format!(
        "{} responses to the {} survey, version {}",
        data.responses, data.survey.id, data.survey.version
    )];
    let covered = data.covers.span;
    if let Some(span) = covered {
        parts.push(period_label(data, span));
    }
    if let Some(p) = o.period {
        match covered {
            Some(span) if span != Span::one(p) => parts.push(format!(
                "{} was asked for: it is shown pooled with the {g}s next to it, as it has too few responses to show alone",
                key_label(data, p)
            )),
            _ => parts.push(format!("overall figures for {} only", key_label(data, p))),
        }
    }
    if o.from.is_some() || o.to.is_some() {
        let asked = format!(
            "dates asked for: {} to {}",
            o.from.map_or_else(|| "the start".to_string(), day_label),
            o.to.map_or_else(|| "the end".to_string(), day_label)
        );
        parts.push(format!("{asked}, taken as whole {g}s"));
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
            "{} responses dated by a longer period than a {g} are in the overall figures only",
            data.unplaced,
        ));
    }
    if data.left_out != crate::disclosure::Count::Exact(0) {
        parts.push(format!(
            "{} responses left out: their period is not a real date",
            data.left_out
        ));
    }
    parts.push(format!("made {}", day_label(data.generated)));
    parts.join(" · ")
}

/// Whether the whole report is below the minimum group size, so that no figure at all may be
/// shown: the reports then say so once instead of showing every section empty.
pub fn too_few_overall(data: &ReportData) -> bool {
    matches!(
        data.overall.suppressed,
        Some(Reason::TooFewRespondents { .. })
    )
}

/// Said once, in place of every figure, when [`too_few_overall`].
pub fn too_few_sentence(data: &ReportData) -> String {
    let min_n = data.options.rule.min_n();
    format!(
        "So far {} people have answered. Figures are shown only for groups of at least {min_n}, so that no one can be recognised from them: they will appear here once at least {min_n} people have answered.",
        data.responses
    )
}

/// Whether theme `theme` has a trend to draw: a score shown for at least two rows.
pub fn has_trend(data: &ReportData, theme: usize) -> bool {
    theme_series(data, theme)
        .iter()
        .filter(|(_, v)| v.is_some())
        .count()
        >= 2
}

/// Said once, in place of the trend charts, when no theme has a trend to draw.
pub fn no_trend_sentence(data: &ReportData) -> Option<String> {
    if (0..data.overall.themes.len()).any(|t| has_trend(data, t)) {
        return None;
    }
    let g = data.options.granularity.word();
    let min_n = data.options.rule.min_n();
    Some(format!(
        "Not enough responses yet for a trend: a theme's score is shown for a {g} only when at least {min_n} people in it have a score (a smaller {g} is pooled with the next), and a trend needs two such {g}s."
    ))
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

/// The labels of a scale's points in the survey's default language, in scale order (empty
/// without a scale).
pub fn scale_labels(data: &ReportData, scale: Option<&crate::survey::Scale>) -> Vec<String> {
    let lang = data.survey.default_language();
    scale.map_or_else(Vec::new, |sc| {
        sc.points
            .iter()
            .map(|p| p.label.get(lang).to_string())
            .collect()
    })
}

/// Labels of the headline's answer points, in scale order.
pub fn headline_labels(data: &ReportData) -> Vec<String> {
    let s = &data.survey;
    scale_labels(data, s.headline.as_ref().and_then(|h| s.scale(&h.scale)))
}

/// Labels of a theme's common scale (positive direction), or empty.
pub fn theme_labels(data: &ReportData, theme_id: &str) -> Vec<String> {
    let s = &data.survey;
    let first = s.theme_items(theme_id).next();
    scale_labels(data, first.and_then(|(_, i)| s.item_scale(i)))
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
    mean_ci_of(t.mean, t.ci_low, t.ci_high)
}

/// A mean and its interval as text: `62 (59–65)`, `62` without an interval, `–` without a mean.
pub fn mean_ci_of(mean: Option<f64>, low: Option<f64>, high: Option<f64>) -> String {
    match (mean, low, high) {
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

/// The method and the rules in plain words, one paragraph each.
pub fn method_paragraphs(data: &ReportData) -> Vec<String> {
    let min_n = data.options.rule.min_n();
    let g = data.options.granularity.word();
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
        "Each theme's importance weight is the importance set in the survey file; see the survey's own notes for where the weights come from.".into()
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
