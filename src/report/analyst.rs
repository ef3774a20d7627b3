//! The analyst's row-level files (`icare decrypt`): responses as tidy CSV or JSON lines, and
//! comments in a file of their own. Columns are documented in `docs/analyst-data.md`.
//!
//! What a row may say about its respondent besides the answers (site, period, language) comes from
//! [`crate::disclosure::analyst`]; the caller shuffles rows and comments and numbers the rows.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::csv::field;
use super::json::escape_controls;
use crate::disclosure::analyst::Labels;
use crate::response::{Answer, Response};
use crate::scoring::{ItemOutcome, ScoringPlan};
use crate::survey::{Catalog, Survey, SurveyHash};

/// The header of the responses CSV.
pub const CSV_HEADER: &str = "synthetic,response,site,period,language,survey,item,theme,value,label,score,positive,reversed,dont_know,status";

/// The header of the comments CSV.
pub const COMMENTS_HEADER: &str = "synthetic,comment";

/// One answer, as both formats write it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerRow {
    pub item: String,
    pub theme: String,
    /// The scale value chosen; `None` when not answered.
    pub value: Option<i32>,
    /// The chosen point's label in the survey's first language.
    pub label: Option<String>,
    /// The 0–100 score after reversal; `None` when unscored ("Don't know", not answered, the
    /// headline, or a survey not known here).
    pub score: Option<f64>,
    /// Whether the answer counts as positive (after reversal); `None` when unscored (the headline:
    /// whether the point is positive, "Don't know" included as not positive).
    pub positive: Option<bool>,
    /// Whether the item is negatively worded and turned round for its score; `None` when the
    /// survey is not known here.
    pub reversed: Option<bool>,
    pub dont_know: bool,
    /// `answered`, `not_applicable` or `skipped`.
    pub status: &'static str,
}

/// Turns responses into answer rows, by survey.
pub struct Rows<'c> {
    catalog: &'c Catalog,
    plans: BTreeMap<SurveyHash, Option<ScoringPlan>>,
    /// Surveys seen that are not known here (their items are numbered).
    pub unknown: BTreeMap<SurveyHash, String>,
}

impl<'c> Rows<'c> {
    pub fn new(catalog: &'c Catalog) -> Rows<'c> {
        Rows {
            catalog,
            plans: BTreeMap::new(),
            unknown: BTreeMap::new(),
        }
    }

    /// Every answer of `r` (items in survey order, then the headline).
    pub fn answers(&mut self, r: &Response) -> Vec<AnswerRow> {
        let survey = self.catalog.get(&r.survey_hash);
        if survey.is_none() {
            self.unknown
                .entry(r.survey_hash)
                .or_insert_with(|| r.survey_id.clone());
        }
        let plan = self
            .plans
            .entry(r.survey_hash)
            .or_insert_with(|| survey.and_then(|s| ScoringPlan::new(s).ok()));
        let scores = plan.as_ref().and_then(|p| p.score(r).ok());
        let mut out = Vec::with_capacity(r.answers.len() + 1);
        for (i, a) in r.answers.iter().enumerate() {
            let item = survey.and_then(|s| s.items.get(i));
            let outcome = scores.as_ref().and_then(|s| s.items.get(i)).copied();
            let (value, status) = parts(*a);
            let label = match (survey, item) {
                (Some(s), Some(it)) => point_label(s, s.item_scale(it), *a),
                _ => None,
            };
            let (score, positive, dont_know) = match outcome {
                Some(ItemOutcome::Scored {
                    score, positive, ..
                }) => (Some(score), Some(positive), false),
                Some(ItemOutcome::DontKnow { .. }) => (None, None, true),
                _ => (None, None, false),
            };
            out.push(AnswerRow {
                item: item.map_or_else(|| format!("item-{}", i + 1), |x| x.id.clone()),
                theme: item.map_or_else(String::new, |x| x.theme.clone()),
                value,
                label,
                score,
                positive,
                reversed: item.map(|x| x.reverse),
                dont_know,
                status,
            });
        }
        let headline = survey.and_then(|s| s.headline.as_ref());
        let scale = survey.zip(headline).and_then(|(s, h)| s.scale(&h.scale));
        let point = match (scale, r.headline) {
            (Some(sc), Answer::Value(v)) => sc.points.iter().find(|p| p.value == v),
            _ => None,
        };
        let (value, status) = parts(r.headline);
        out.push(AnswerRow {
            item: headline.map_or_else(|| "headline".to_string(), |h| h.id.clone()),
            theme: String::new(),
            value,
            label: survey.and_then(|s| point_label(s, scale, r.headline)),
            score: None,
            positive: point.map(|p| p.positive && !p.dont_know),
            reversed: survey.map(|_| false),
            dont_know: point.is_some_and(|p| p.dont_know),
            status,
        });
        out
    }
}

fn point_label(survey: &Survey, scale: Option<&crate::survey::Scale>, a: Answer) -> Option<String> {
    let Answer::Value(v) = a else { return None };
    let p = scale?.points.iter().find(|p| p.value == v)?;
    Some(p.label.get(survey.default_language()).to_string())
}

fn parts(a: Answer) -> (Option<i32>, &'static str) {
    match a {
        Answer::Value(v) => (Some(v), "answered"),
        Answer::NotApplicable => (None, "not_applicable"),
        Answer::Skipped => (None, "skipped"),
    }
}

/// What one output row says besides its answers.
pub struct Head<'a> {
    pub synthetic: bool,
    pub id: &'a str,
    pub labels: &'a Labels,
    pub response: &'a Response,
}

fn survey_name(r: &Response) -> String {
    format!("{}@{}", r.survey_id, r.survey_hash.short())
}

fn opt<T: ToString>(x: Option<T>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// Write one response as tidy CSV rows (one per answer).
pub fn write_csv(
    out: &mut dyn Write,
    head: &Head<'_>,
    answers: &[AnswerRow],
) -> std::io::Result<()> {
    let survey = survey_name(head.response);
    for a in answers {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            head.synthetic,
            field(head.id),
            field(&head.labels.site),
            field(&head.labels.period),
            field(&head.labels.language),
            field(&survey),
            field(&a.item),
            field(&a.theme),
            opt(a.value),
            field(a.label.as_deref().unwrap_or("")),
            opt(a.score.map(score_text)),
            opt(a.positive),
            opt(a.reversed),
            a.dont_know,
            a.status
        )?;
    }
    Ok(())
}

/// A 0–100 score as written: the shortest text that reads back as the same number (`25`,
/// `33.333333333333336`), so an analyst's means match the report's to the last digit.
fn score_text(s: f64) -> String {
    format!("{s}")
}

#[derive(Serialize)]
struct JsonResponse<'a> {
    response: &'a str,
    synthetic: bool,
    site: &'a str,
    period: &'a str,
    language: &'a str,
    survey: &'a str,
    survey_hash: String,
    answers: &'a [AnswerRow],
    headline: Option<&'a AnswerRow>,
}

/// Write one response as a JSON line (answers, then the headline apart), with control and
/// bidirectional characters escaped.
pub fn write_jsonl(
    out: &mut dyn Write,
    head: &Head<'_>,
    answers: &[AnswerRow],
) -> std::io::Result<()> {
    let (headline, items) = match answers.split_last() {
        Some((h, rest)) => (Some(h), rest),
        None => (None, answers),
    };
    let line = JsonResponse {
        response: head.id,
        synthetic: head.synthetic,
        site: &head.labels.site,
        period: &head.labels.period,
        language: &head.labels.language,
        survey: &head.response.survey_id,
        survey_hash: head.response.survey_hash.to_string(),
        answers: items,
        headline,
    };
    let text = serde_json::to_string(&line).map_err(std::io::Error::other)?;
    writeln!(out, "{}", escape_controls(&text))
}

/// Write the responses file: the CSV header (for CSV), then each response in the order given with
/// its labels, named by its place in that order (`r1`, `r2`, …, or `synthetic-1`, … for a synthetic
/// store), so an id tells nothing but where the row stands in an order the caller shuffled.
pub fn write_responses<'a>(
    out: &mut dyn Write,
    csv: bool,
    synthetic: bool,
    responses: impl IntoIterator<Item = (&'a Response, &'a Labels)>,
    rows: &mut Rows<'_>,
) -> std::io::Result<()> {
    if csv {
        writeln!(out, "{CSV_HEADER}")?;
    }
    for (k, (response, labels)) in responses.into_iter().enumerate() {
        let id = if synthetic {
            format!("synthetic-{}", k + 1)
        } else {
            format!("r{}", k + 1)
        };
        let head = Head {
            synthetic,
            id: &id,
            labels,
            response,
        };
        let answers = rows.answers(response);
        if csv {
            write_csv(out, &head, &answers)?;
        } else {
            write_jsonl(out, &head, &answers)?;
        }
    }
    Ok(())
}

/// Write the comments file: CSV (`synthetic,comment`) or JSON lines (`{"synthetic", "comment"}`).
pub fn write_comments(
    out: &mut dyn Write,
    csv: bool,
    synthetic: bool,
    comments: &[String],
) -> std::io::Result<()> {
    if csv {
        writeln!(out, "{COMMENTS_HEADER}")?;
    }
    for c in comments {
        if csv {
            writeln!(out, "{synthetic},{}", field(c))?;
        } else {
            let text = serde_json::to_string(&serde_json::json!({
                "synthetic": synthetic,
                "comment": c,
            }))
            .map_err(std::io::Error::other)?;
            writeln!(out, "{}", escape_controls(&text))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_formula_start_is_defused_and_quoting_holds() {
        for (raw, written) in [
            ("=1+1", "'=1+1"),
            ("+44 7700", "'+44 7700"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "\"'\rcmd\""),
            ("a, b", "\"a, b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("plain", "plain"),
        ] {
            assert_eq!(field(raw), written, "{raw:?}");
        }
    }

    #[test]
    fn comments_in_json_have_controls_and_bidi_escaped_and_read_back_the_same() {
        let hostile =
            "ok \u{202e}evil\u{202c} \u{85}next \u{2066}iso\u{2069} \u{200b}zw \u{1b}[31m";
        let mut out = Vec::new();
        write_comments(&mut out, false, true, &[hostile.to_string()]).unwrap();
        let text = String::from_utf8(out).unwrap();
        for c in [
            '\u{202e}', '\u{202c}', '\u{85}', '\u{2066}', '\u{2069}', '\u{200b}', '\u{1b}',
        ] {
            assert!(!text.contains(c), "{c:?} written raw: {text:?}");
        }
        assert!(
            text.contains("\\u202e") && text.contains("\\u0085"),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(back["comment"], hostile);
        let mut out = Vec::new();
        write_comments(&mut out, true, false, &["=cmd|' /C calc'!A0".to_string()]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "synthetic,comment\nfalse,'=cmd|' /C calc'!A0\n"
        );
    }
}
