//! The report as JSON, in the schema documented in `docs/report-schema.md`.

use serde_json::{Value, json};

use super::common::{self, two_places, whole};
use super::{Coverage, ReportData, items};
use crate::disclosure::{
    Cell, Count, Distribution, HeadlineSummary, ItemSummary, Reason, Span, Summary, ThemeSummary,
};

/// Version of the schema in `docs/report-schema.md`.
pub const SCHEMA: &str = "icare-report/4";

/// A count of people: the number when exact, else `null` (the words are in `reason`, or in
/// `count_text` where there is no reason field).
fn count(c: Count) -> Value {
    c.exact().map_or(Value::Null, Value::from)
}

/// What a group covers: its sites, its stored periods and the periods it spans, by their keys
/// and as people name them.
fn covers(data: &ReportData, c: &Coverage) -> Value {
    json!({
        "sites": c.sites,
        "periods": c.periods.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        "from": c.span.map(|s| s.first.to_string()),
        "to": c.span.map(|s| s.last.to_string()),
        "label": c.span.map(|s| common::period_label(data, s)),
        "partial": c.span.is_some_and(|s| partial(data, s)),
    })
}

/// Whether a span of periods is still under way on the day the report was made.
fn partial(data: &ReportData, s: Span) -> bool {
    crate::stats::period::is_partial(s.first, s.last, data.generated)
}

fn reason(r: Option<&Reason>) -> Value {
    r.map_or(
        Value::Null,
        |r| json!({"code": common::reason_code(r), "text": common::reason(r)}),
    )
}

fn cell(label: &str, c: Cell) -> Value {
    json!({
        "label": label,
        "count": c.shown(),
        "shown": common::cell_text(c),
        "hidden_reason": common::cell_reason(c),
    })
}

fn distribution(labels: &[String], d: Option<&Distribution>) -> Value {
    d.map_or(Value::Null, |d| {
        let mut cells: Vec<Value> = d
            .points
            .iter()
            .enumerate()
            .map(|(i, c)| cell(labels.get(i).map_or("", String::as_str), *c))
            .collect();
        cells.push(cell("Does not apply", d.not_applicable));
        cells.push(cell("Skipped", d.skipped));
        Value::Array(cells)
    })
}

fn item(data: &ReportData, i: &ItemSummary, rest: Option<f64>) -> Value {
    let labels = items::item_labels(data, &i.id);
    json!({
        "id": i.id,
        "text": common::item_text(data, &i.id),
        "reversed": i.reversed,
        "responses": count(i.responses),
        "n": count(i.n),
        "mean": whole(i.mean),
        "sd": whole(i.sd),
        "ci_low": whole(i.ci_low),
        "ci_high": whole(i.ci_high),
        "pct_positive": whole(i.pct_positive),
        "pct_not_applicable": whole(i.pct_not_applicable),
        "pct_skipped": whole(i.pct_skipped),
        "item_rest": two_places(rest),
        "distribution": distribution(&labels, i.distribution.as_ref()),
        "suppressed": i.suppressed.is_some(),
        "reason": reason(i.suppressed.as_ref()),
        "detail_withheld": reason(i.detail_withheld.as_ref()),
    })
}

/// A theme's figures; `full` adds the distribution and the items.
fn theme(data: &ReportData, t: &ThemeSummary, full: bool) -> Value {
    let mut v = json!({
        "id": t.id,
        "number": t.number,
        "name": t.name,
        "responses": count(t.responses),
        "n": count(t.n),
        "mean": whole(t.mean),
        "sd": whole(t.sd),
        "ci_low": whole(t.ci_low),
        "ci_high": whole(t.ci_high),
        "pct_positive": whole(t.pct_positive),
        "suppressed": t.suppressed.is_some(),
        "reason": reason(t.suppressed.as_ref()),
    });
    if full {
        let extra = json!({
            "title": common::theme_title(data, &t.id),
            "importance": t.importance,
            "pct_not_applicable": whole(t.pct_not_applicable),
            "pct_skipped": whole(t.pct_skipped),
            "alpha": two_places(t.alpha),
            "alpha_withheld": reason(t.alpha_withheld.as_ref()),
            "detail_withheld": reason(t.detail_withheld.as_ref()),
            "distribution": distribution(&common::theme_labels(data, &t.id), t.distribution.as_ref()),
            "items": t.items.iter().enumerate().map(|(k, i)| item(data, i, t.item_rest.get(k).copied().flatten())).collect::<Vec<_>>(),
        });
        if let (Value::Object(a), Value::Object(b)) = (&mut v, extra) {
            a.extend(b);
        }
    }
    v
}

fn headline(data: &ReportData, h: Option<&HeadlineSummary>) -> Value {
    let Some(h) = h else {
        return Value::Null;
    };
    let labels = common::headline_labels(data);
    json!({
        "id": h.id,
        "text": data.survey.headline.as_ref().map(|q| q.text.get(data.survey.default_language())),
        "responses": count(h.responses),
        "answered": count(h.answered),
        "pct_positive": whole(h.pct_positive),
        "distribution": h.distribution.as_ref().map(|cells| cells.iter().enumerate().map(|(i, c)| cell(labels.get(i).map_or("", String::as_str), *c)).collect::<Vec<_>>()),
        "skipped": h.skipped.map(|c| cell("Skipped", c)),
        "suppressed": h.suppressed.is_some(),
        "reason": reason(h.suppressed.as_ref()),
        "detail_withheld": reason(h.detail_withheld.as_ref()),
    })
}

/// A trend row or a site: `key` names it (`period` or `site`), `label` as people read it.
fn group(
    data: &ReportData,
    key: (&str, String),
    label: String,
    c: &Coverage,
    s: &Summary,
) -> Value {
    json!({
        key.0: key.1,
        "label": label,
        "covers": covers(data, c),
        "responses": count(s.responses),
        "responses_text": s.responses.to_string(),
        "suppressed": s.suppressed.is_some(),
        "reason": reason(s.suppressed.as_ref()),
        "headline_pct_positive": whole(s.headline.as_ref().and_then(|h| h.pct_positive)),
        "themes": s.themes.iter().map(|t| theme(data, t, false)).collect::<Vec<_>>(),
    })
}

/// The report as a JSON value.
pub fn value(data: &ReportData) -> Value {
    let o = &data.options;
    let w = &data.where_to_act;
    json!({
        "schema": SCHEMA,
        "synthetic": data.synthetic,
        "generated": data.generated.to_string(),
        "survey": {
            "id": data.survey.id,
            "version": data.survey.version,
            "hash": data.survey.hash.to_string(),
            "title": data.survey.title.get(data.survey.default_language()),
        },
        "site": data.store_site,
        "sites": data.sites,
        "filters": {
            "granularity": o.granularity.word(),
            "from": o.from.map(|d| d.to_string()),
            "to": o.to.map(|d| d.to_string()),
            "site": o.site,
            "period": o.period.map(|p| p.to_string()),
            "period_label": o.period.map(|p| common::key_label(data, p)),
        },
        "covers": covers(data, &data.covers),
        "rule": {
            "min_n": o.rule.min_n(),
            "comment_min_responses": o.rule.comment_min(),
            "small_count_max": crate::disclosure::protect::SMALL_MAX,
            "counts_rounded_to": 5,
        },
        "responses": count(data.responses),
        "responses_text": data.responses.to_string(),
        "unplaced": count(data.unplaced),
        "left_out": count(data.left_out),
        "periods": data.periods.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        "headline": headline(data, data.overall.headline.as_ref()),
        "suppressed": data.overall.suppressed.is_some(),
        "reason": reason(data.overall.suppressed.as_ref()),
        "themes": data.overall.themes.iter().map(|t| theme(data, t, true)).collect::<Vec<_>>(),
        "where_to_act": {
            "weights_source": common::weights_source(data),
            "formula": "priority = (importance / largest importance among ranked themes) * (100 - score)",
            "importance_median": w.importance_median,
            "score_median": whole(w.score_median),
            "ranked": w.ranked.iter().map(|p| json!({
                "rank": p.rank,
                "id": p.id,
                "name": p.name,
                "importance": p.importance,
                "weight": two_places(Some(p.weight)),
                "score": whole(Some(p.score)),
                "priority": whole(Some(p.priority)),
                "quadrant": common::quadrant_code(p.quadrant),
            })).collect::<Vec<_>>(),
            "not_ranked": w.not_ranked.iter().map(|n| json!({
                "id": n.id,
                "name": n.name,
                "reason": reason(Some(&n.reason)),
            })).collect::<Vec<_>>(),
        },
        "trends": data.trends.iter().map(|r| {
            let mut v = group(data, ("period", r.span.to_string()), common::period_label(data, r.span), &r.covers, &r.summary);
            if let Value::Object(m) = &mut v {
                m.insert("partial".into(), Value::Bool(partial(data, r.span)));
            }
            v
        }).collect::<Vec<_>>(),
        "by_site": data.by_site.iter().map(|r| group(data, ("site", r.name.clone()), r.name.clone(), &r.covers, &r.summary)).collect::<Vec<_>>(),
        "comments": {
            "period": data.comments_span.map(|p| p.to_string()),
            "label": data.comments_span.map(|p| common::period_label(data, p)),
            "covers": data.comments_covers.as_ref().map(|c| covers(data, c)),
            "shown": data.comments.is_ok(),
            "reason": reason(data.comments.as_ref().err()),
            "texts": data.comments.as_ref().map_or_else(|_| Vec::new(), Clone::clone),
        },
        "sites_and_batches": super::intake::json(&data.intake),
        "other_surveys": data.other_surveys.iter().map(|(id, hash, n)| json!({
            "id": id,
            "hash": hash.to_string(),
            "responses": count(*n),
            "responses_text": n.to_string(),
        })).collect::<Vec<_>>(),
    })
}

/// The report as pretty-printed JSON text, ending in a newline, with control and bidirectional
/// characters escaped ([`escape_controls`]).
pub fn render(data: &ReportData) -> String {
    let mut s = escape_controls(&serde_json::to_string_pretty(&value(data)).unwrap_or_default());
    s.push('\n');
    s
}

/// JSON text with every C1 control character, bidirectional control and other invisible format
/// character written as a `\uXXXX` escape (serde_json already escapes C0 controls). The value is
/// unchanged for a JSON reader, but a terminal or editor showing the raw text cannot be steered by
/// a comment or a site name. Characters outside strings never need it: serde_json writes only
/// ASCII there.
pub fn escape_controls(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if needs_escape(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// C1 controls, DEL, and the Unicode format characters that reorder or hide text: bidi embeddings,
/// overrides and isolates, marks, zero-width characters, the BOM, line and paragraph separators.
fn needs_escape(c: char) -> bool {
    matches!(c,
        '\u{7f}'..='\u{9f}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}'
        | '\u{061c}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
    )
}
