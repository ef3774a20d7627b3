//! The report as tidy CSV: one row per group and measure, with explicit suppression flags.
//!
//! Columns: `synthetic,group_type,group,group_label,theme,item,point,measure,value,suppressed,reason`.
//! `group_type` is `overall`, `period`, `site`, `where_to_act`, `site_batches` (the "sites and
//! batches" section: [`super::intake::csv_rows`]) or `other_survey`; `group` is a
//! stable key (`2026-10 to 2026-11`), `group_label` the same as people read it ("October to
//! November 2026"). A figure that is not shown has an empty `value`, `suppressed` = `true` and the
//! reason in words. Comments are not part of the CSV. [`field`] is the one CSV field writer of the program (`icare decrypt` uses it
//! too).

use std::fmt::Write as _;

use super::common::{self, two_places, whole};
use super::{ReportData, items};
use crate::disclosure::{Cell, Count, Distribution, Reason, Summary, ThemeSummary};

/// The header row.
pub const HEADER: &str =
    "synthetic,group_type,group,group_label,theme,item,point,measure,value,suppressed,reason";

/// A CSV field (RFC 4180), quoted when it holds a comma, quote or line break, and with a leading
/// `=`, `+`, `-`, `@`, tab or carriage return defused by a `'` in front, as OWASP advises, so that
/// a spreadsheet never runs it as a formula. Every CSV the program writes goes through here; write
/// numbers as numbers, not through this.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

struct Rows<'a> {
    out: String,
    synthetic: bool,
    group_type: &'a str,
    group: String,
    label: String,
}

impl Rows<'_> {
    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        theme: &str,
        item: &str,
        point: &str,
        measure: &str,
        value: Option<String>,
        hidden: Option<String>,
    ) {
        let suppressed = value.is_none();
        let reason = match (&value, hidden) {
            (None, Some(r)) => r,
            (None, None) => "not defined for this group".into(),
            (Some(_), _) => String::new(),
        };
        let _ = writeln!(
            self.out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            self.synthetic,
            self.group_type,
            field(&self.group),
            field(&self.label),
            field(theme),
            field(item),
            field(point),
            measure,
            value.unwrap_or_default(),
            suppressed,
            field(&reason)
        );
    }

    fn num(
        &mut self,
        theme: &str,
        item: &str,
        measure: &str,
        v: Option<i64>,
        why: Option<&Reason>,
    ) {
        self.row(
            theme,
            item,
            "",
            measure,
            v.map(|v| v.to_string()),
            why.map(common::reason),
        );
    }

    /// A count of people: the number when exact, else empty with "fewer than N" or "not shown".
    fn count(&mut self, theme: &str, item: &str, measure: &str, c: Count, why: Option<&Reason>) {
        let why = match c {
            Count::Exact(_) => None,
            Count::FewerThan(_) => Some(format!("{c}")),
            Count::Hidden => why.map(common::reason).or_else(|| Some("not shown".into())),
        };
        self.row(
            theme,
            item,
            "",
            measure,
            c.exact().map(|n| n.to_string()),
            why,
        );
    }

    fn cells(&mut self, theme: &str, item: &str, labels: &[String], d: &Distribution) {
        let named = d
            .points
            .iter()
            .enumerate()
            .map(|(i, c)| (labels.get(i).cloned().unwrap_or_default(), *c))
            .chain([
                ("Does not apply".to_string(), d.not_applicable),
                ("Skipped".to_string(), d.skipped),
            ]);
        for (label, c) in named {
            self.cell(theme, item, &label, c);
        }
    }

    fn cell(&mut self, theme: &str, item: &str, label: &str, c: Cell) {
        self.row(
            theme,
            item,
            label,
            "count",
            c.shown().map(|n| n.to_string()),
            common::cell_reason(c).map(str::to_string),
        );
    }

    fn theme(&mut self, data: &ReportData, t: &ThemeSummary, full: bool) {
        let s = t.suppressed.as_ref();
        let id = t.id.as_str();
        self.count(id, "", "responses", t.responses, s);
        self.count(id, "", "n", t.n, s);
        self.num(id, "", "mean", whole(t.mean), s);
        self.num(id, "", "sd", whole(t.sd), s);
        self.num(id, "", "ci_low", whole(t.ci_low), s);
        self.num(id, "", "ci_high", whole(t.ci_high), s);
        self.num(
            id,
            "",
            "pct_positive",
            whole(t.pct_positive),
            s.or(t.detail_withheld.as_ref()),
        );
        if !full {
            return;
        }
        self.num(
            id,
            "",
            "pct_not_applicable",
            whole(t.pct_not_applicable),
            s.or(t.detail_withheld.as_ref()),
        );
        self.num(
            id,
            "",
            "pct_skipped",
            whole(t.pct_skipped),
            s.or(t.detail_withheld.as_ref()),
        );
        let alpha = two_places(t.alpha).map(|a| format!("{a:.2}"));
        self.row(
            id,
            "",
            "",
            "alpha",
            alpha,
            t.alpha_withheld.as_ref().map(common::reason),
        );
        if let Some(d) = &t.distribution {
            self.cells(id, "", &common::theme_labels(data, id), d);
        }
        for (k, i) in t.items.iter().enumerate() {
            let s = i.suppressed.as_ref();
            let item = i.id.as_str();
            self.count(id, item, "responses", i.responses, s);
            self.count(id, item, "n", i.n, s);
            self.num(id, item, "mean", whole(i.mean), s);
            self.num(id, item, "sd", whole(i.sd), s);
            self.num(id, item, "ci_low", whole(i.ci_low), s);
            self.num(id, item, "ci_high", whole(i.ci_high), s);
            self.num(
                id,
                item,
                "pct_positive",
                whole(i.pct_positive),
                s.or(i.detail_withheld.as_ref()),
            );
            let rest = two_places(t.item_rest.get(k).copied().flatten()).map(|r| format!("{r:.2}"));
            self.row(
                id,
                item,
                "",
                "item_rest",
                rest,
                t.alpha_withheld.as_ref().map(common::reason),
            );
            if let Some(d) = &i.distribution {
                let labels = items::item_labels(data, &i.id);
                self.cells(id, item, &labels, d);
            }
        }
    }

    fn summary(&mut self, data: &ReportData, s: &Summary, full: bool) {
        self.count("", "", "responses", s.responses, s.suppressed.as_ref());
        if let Some(h) = &s.headline {
            let why = h.suppressed.as_ref();
            self.count("", &h.id, "answered", h.answered, why);
            self.num(
                "",
                &h.id,
                "pct_positive",
                whole(h.pct_positive),
                why.or(h.detail_withheld.as_ref()),
            );
            if full {
                if let Some(cells) = &h.distribution {
                    let labels = common::headline_labels(data);
                    for (i, c) in cells.iter().enumerate() {
                        self.cell("", &h.id, labels.get(i).map_or("", String::as_str), *c);
                    }
                }
                if let Some(c) = h.skipped {
                    self.cell("", &h.id, "Skipped", c);
                }
            }
        }
        for t in &s.themes {
            self.theme(data, t, full);
        }
    }
}

/// Render the report as CSV.
pub fn render(data: &ReportData) -> String {
    let everything = data
        .covers
        .span
        .map_or_else(String::new, |s| common::period_label(data, s));
    let mut r = Rows {
        out: format!("{HEADER}\n"),
        synthetic: data.synthetic,
        group_type: "overall",
        group: "all".into(),
        label: everything.clone(),
    };
    if data.options.period.is_some()
        && let Some(span) = data.covers.span
    {
        r.group = span.to_string();
    }
    r.summary(data, &data.overall, true);
    r.group_type = "where_to_act";
    r.group = "all".into();
    r.label = everything;
    for p in &data.where_to_act.ranked {
        let id = p.id.as_str();
        r.row(id, "", "", "rank", Some(p.rank.to_string()), None);
        r.row(
            id,
            "",
            "",
            "priority",
            whole(Some(p.priority)).map(|v| v.to_string()),
            None,
        );
        r.row(
            id,
            "",
            "",
            "importance",
            Some(p.importance.to_string()),
            None,
        );
        r.row(
            id,
            "",
            "",
            "weight",
            two_places(Some(p.weight)).map(|v| format!("{v:.2}")),
            None,
        );
        r.row(
            id,
            "",
            "",
            "score",
            whole(Some(p.score)).map(|v| v.to_string()),
            None,
        );
        r.row(
            id,
            "",
            "",
            "quadrant",
            Some(common::quadrant_code(p.quadrant).to_string()),
            None,
        );
    }
    for n in &data.where_to_act.not_ranked {
        r.row(&n.id, "", "", "rank", None, Some(common::reason(&n.reason)));
    }
    r.group_type = "period";
    for row in &data.trends {
        r.group = row.span.to_string();
        r.label = common::period_label(data, row.span);
        r.summary(data, &row.summary, false);
    }
    r.group_type = "site";
    for site in &data.by_site {
        r.group = site.name.clone();
        r.label = site.name.clone();
        r.summary(data, &site.summary, false);
    }
    r.group_type = "site_batches";
    for (group, point, measure, value) in super::intake::csv_rows(&data.intake) {
        r.label = group.clone();
        r.group = group;
        r.row("", "", &point, measure, Some(field(&value)), None);
    }
    r.group_type = "other_survey";
    for (id, hash, n) in &data.other_surveys {
        r.group = format!("{id}@{}", hash.short());
        r.label = format!("{id} version {}", hash.short());
        r.count("", "", "responses", *n, None);
    }
    r.out
}
