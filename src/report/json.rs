//! The report as JSON, in the schema documented in `docs/report-schema.md`.

use serde_json::{Value, json};

use super::ReportData;
use super::common::{self, two_places, whole};
use crate::disclosure::{
    Cell, Distribution, HeadlineSummary, ItemSummary, Reason, Summary, ThemeSummary,
};

/// Version of the schema in `docs/report-schema.md`.
pub const SCHEMA: &str = "icare-report/1";

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
    let labels = data
        .survey
        .items
        .iter()
        .find(|x| x.id == i.id)
        .and_then(|x| data.survey.item_scale(x))
        .map(|s| {
            s.points
                .iter()
                .map(|p| p.label.get(data.survey.default_language()).to_string())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    json!({
        "id": i.id,
        "text": common::item_text(data, &i.id),
        "reversed": i.reversed,
        "responses": i.responses,
        "n": i.n,
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
        "responses": t.responses,
        "n": t.n,
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
        "responses": h.responses,
        "answered": h.answered,
        "pct_positive": whole(h.pct_positive),
        "distribution": h.distribution.as_ref().map(|cells| cells.iter().enumerate().map(|(i, c)| cell(labels.get(i).map_or("", String::as_str), *c)).collect::<Vec<_>>()),
        "skipped": h.skipped.map(|c| cell("Skipped", c)),
        "suppressed": h.suppressed.is_some(),
        "reason": reason(h.suppressed.as_ref()),
        "detail_withheld": reason(h.detail_withheld.as_ref()),
    })
}

fn group(data: &ReportData, key: (&str, String), s: &Summary) -> Value {
    json!({
        key.0: key.1,
        "responses": s.responses,
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
            "granularity": common::granularity_word(o.granularity),
            "from": o.from.map(|d| d.to_string()),
            "to": o.to.map(|d| d.to_string()),
            "site": o.site,
            "period": o.period.map(|p| p.to_string()),
        },
        "rule": {
            "min_n": o.rule.min_n(),
            "comment_min_responses": o.rule.comment_min(),
            "small_count_max": crate::disclosure::protect::SMALL_MAX,
        },
        "responses": data.responses,
        "unplaced": data.unplaced,
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
        "trends": data.trends.iter().map(|(p, s)| group(data, ("period", p.to_string()), s)).collect::<Vec<_>>(),
        "by_site": data.by_site.iter().map(|(n, s)| group(data, ("site", n.clone()), s)).collect::<Vec<_>>(),
        "comments": {
            "period": data.comments_period.map(|p| p.to_string()),
            "shown": data.comments.is_ok(),
            "reason": reason(data.comments.as_ref().err()),
            "texts": data.comments.as_ref().map_or_else(|_| Vec::new(), Clone::clone),
        },
        "other_surveys": data.other_surveys.iter().map(|(id, hash, n)| json!({
            "id": id,
            "hash": hash.to_string(),
            "responses": n,
        })).collect::<Vec<_>>(),
    })
}

/// The report as pretty-printed JSON text, ending in a newline.
pub fn render(data: &ReportData) -> String {
    let mut s = serde_json::to_string_pretty(&value(data)).unwrap_or_default();
    s.push('\n');
    s
}
