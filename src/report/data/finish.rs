//! One report from a [`Tallied`] store: choose the survey, build its disclosure grid, widen the
//! filters to whole rows of the grid, and publish each group's figures only as the grid allows.

use std::sync::Arc;

use super::super::{Coverage, OtherSurvey, ReportData, ReportError, ReportOptions, Row, SiteRow};
use super::{Cells, Tallied};
use crate::disclosure::grid::{Axis, Measure, Populations, key_days};
use crate::disclosure::{self, Count, Grid, Reason, Span, Summary};
use crate::priority;
use crate::response::Period;
use crate::scoring::ScoringPlan;
use crate::stats::{Accumulator, Granularity, PeriodKey};
use crate::survey::{Survey, SurveyHash};

fn list<T: ToString>(xs: impl IntoIterator<Item = T>) -> String {
    let v: Vec<String> = xs.into_iter().map(|x| x.to_string()).collect();
    if v.is_empty() {
        "(none)".into()
    } else {
        v.join(", ")
    }
}

/// Whether a stored period falls in the dates, taken as whole periods at `g`: a period at `g`
/// that overlaps `from..=to` is included whole (a month-dated response in a report by week counts
/// by its own month).
fn in_dates(o: &ReportOptions, p: Period) -> bool {
    if o.from.is_none() && o.to.is_none() {
        return true;
    }
    let days = match PeriodKey::of(p, o.granularity) {
        Some(k) => key_days(k),
        None => disclosure::grid::days(p),
    };
    let Some((first, last)) = days else {
        return false;
    };
    o.from.is_none_or(|f| last >= f) && o.to.is_none_or(|t| first <= t)
}

/// The grid's view of one survey's cells: every (site, position) cell's totals.
struct Table<'a> {
    survey: &'a Survey,
    plan: &'a ScoringPlan,
    grid: Arc<Grid>,
    /// Summaries made so far from the same totals under the same rule.
    memo: &'a super::Memo,
    key: super::RuleKey,
    /// `[site][position]`.
    cells: Vec<Vec<Option<&'a super::Cell>>>,
    left_out: u64,
}

/// The grid of one survey's cells under a rule. It depends on the data and the rule only, never
/// on the filters, so every report from the same totals shares it.
fn build_grid(plan: &ScoringPlan, cells: &Cells, o: &ReportOptions) -> Grid {
    let mut sites: Vec<String> = cells.keys().map(|(s, _)| s.clone()).collect();
    sites.dedup();
    let axis = Axis::new(cells.keys().map(|(_, p)| *p));
    let mut pops = Populations::new(
        plan.theme_count(),
        plan.item_count(),
        sites.len(),
        axis.len(),
    );
    for ((site, period), cell) in cells {
        let (Some(a), Ok(s), Some(acc)) =
            (axis.index(*period), sites.binary_search(site), &cell.acc)
        else {
            continue;
        };
        pops.add(Measure::Responses, s, a, acc.responses);
        pops.add(Measure::Headline, s, a, acc.headline.counts.iter().sum());
        for (t, th) in acc.themes.iter().enumerate() {
            pops.add(Measure::Theme(t), s, a, th.scores.n);
        }
        for (i, it) in acc.items.iter().enumerate() {
            pops.add(Measure::Item(i), s, a, it.scores.n);
        }
    }
    Grid::build(axis, sites, pops, o.rule.min_n(), o.rule.comment_min())
}

impl<'a> Table<'a> {
    fn new(
        survey: &'a Survey,
        plan: &'a ScoringPlan,
        cells: &'a Cells,
        grid: Arc<Grid>,
        memo: &'a super::Memo,
        key: super::RuleKey,
    ) -> Table<'a> {
        let (axis, sites) = (grid.axis(), grid.sites());
        let mut grid_cells = vec![vec![None; axis.len()]; sites.len()];
        let mut left_out = 0;
        for ((site, period), cell) in cells {
            match (axis.index(*period), sites.binary_search(site)) {
                (Some(a), Ok(s)) => grid_cells[s][a] = Some(cell),
                _ => left_out += cell.responses,
            }
        }
        Table {
            survey,
            plan,
            grid,
            memo,
            key,
            cells: grid_cells,
            left_out,
        }
    }

    fn each<'b>(
        &'b self,
        sites: &'b [usize],
        atoms: &'b [bool],
    ) -> impl Iterator<Item = &'a super::Cell> + 'b {
        sites.iter().flat_map(move |&s| {
            self.cells[s]
                .iter()
                .zip(atoms)
                .filter(|(_, a)| **a)
                .filter_map(|(c, _)| *c)
        })
    }

    /// The published summary of `sites` × `atoms`: a group's figures depend only on its cells and
    /// the rule, so each is made once and reused by every report from the same totals.
    fn summary(&self, sites: &[usize], atoms: &[bool], o: &ReportOptions) -> Summary {
        let key = (self.key, sites.to_vec(), atoms.to_vec());
        let lock = || {
            self.memo
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(s) = lock().get(&key) {
            return s.clone();
        }
        let s = self.make_summary(sites, atoms, o);
        lock().insert(key, s.clone());
        s
    }

    fn make_summary(&self, sites: &[usize], atoms: &[bool], o: &ReportOptions) -> Summary {
        let mut acc = Accumulator::new(self.plan);
        for c in self.each(sites, atoms) {
            if let Some(a) = &c.acc {
                acc.merge(a);
            }
        }
        let visible = |m: Measure| self.grid.shows(m, sites, atoms);
        disclosure::summarize(self.survey, self.plan, &acc, &o.rule, &visible)
    }

    fn coverage(&self, sites: &[usize], atoms: &[bool], g: Granularity) -> Coverage {
        let axis = self.grid.axis();
        let keys: Vec<PeriodKey> = (0..axis.len())
            .filter(|&i| atoms[i])
            .filter_map(|i| axis.key(i, g))
            .collect();
        Coverage {
            sites: sites
                .iter()
                .map(|&s| self.grid.sites()[s].clone())
                .collect(),
            periods: (0..axis.len())
                .filter(|&i| atoms[i])
                .filter_map(|i| axis.period(i))
                .collect(),
            span: match (keys.iter().min(), keys.iter().max()) {
                (Some(a), Some(b)) => Some(Span {
                    first: *a,
                    last: *b,
                }),
                _ => None,
            },
        }
    }
}

pub(super) fn report(t: &Tallied<'_>, o: &ReportOptions) -> Result<ReportData, ReportError> {
    let g = o.granularity;
    let min_n = o.rule.min_n();
    // Responses per survey in the dates; most first, ties by id then hash, so the choice is stable.
    let mut by_count: Vec<(SurveyHash, String, u64)> = t
        .surveys
        .0
        .iter()
        .map(|(h, (id, cells))| {
            let n = cells
                .iter()
                .filter(|((_, p), _)| in_dates(o, *p))
                .map(|(_, c)| c.responses)
                .sum();
            (*h, id.clone(), n)
        })
        .filter(|(_, _, n)| *n > 0)
        .collect();
    if by_count.is_empty() {
        return Err(ReportError::Empty {
            data: t.data_dir.clone(),
            filtered: !t.surveys.0.is_empty(),
        });
    }
    by_count.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)).then(a.0.cmp(&b.0)));
    let known = |h: &SurveyHash| matches!(t.plans.get(h), Some(Ok(_)));
    let chosen = match &o.survey_id {
        Some(id) => by_count
            .iter()
            .find(|(h, sid, _)| sid == id && known(h))
            .ok_or_else(|| ReportError::NoSuchSurvey {
                id: id.clone(),
                available: list(by_count.iter().map(|(h, sid, n)| {
                    let note = if t.catalog.get(h).is_some() {
                        ""
                    } else {
                        ", not known here"
                    };
                    format!("{sid} ({} responses{note})", Count::of(*n, min_n))
                })),
            })?,
        None => &by_count[0],
    };
    let hash = chosen.0;
    let unknown = || ReportError::UnknownSurvey {
        id: chosen.1.clone(),
        hash,
        count: chosen.2,
    };
    let survey = t.catalog.get(&hash).ok_or_else(unknown)?;
    let plan = match t.plans.get(&hash) {
        Some(Ok(plan)) => plan,
        Some(Err(e)) => return Err(e.clone().into()),
        None => return Err(unknown()),
    };
    let cells = &t.surveys.0.get(&hash).ok_or_else(unknown)?.1;
    let key = (hash, o.rule.min_n(), o.rule.comment_min());
    let grid = {
        let mut grids = t
            .grids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        grids
            .entry(key)
            .or_insert_with(|| Arc::new(build_grid(plan, cells, o)))
            .clone()
    };
    let table = Table::new(survey, plan, cells, grid, &t.summaries, key);
    let grid = table.grid.as_ref();
    let axis = grid.axis();

    // What the filters name, and what they may name.
    let dates: Vec<bool> = (0..axis.len())
        .map(|i| axis.period(i).is_some_and(|p| in_dates(o, p)))
        .collect();
    let mut periods: Vec<PeriodKey> = (0..axis.len())
        .filter(|&i| dates[i])
        .filter_map(|i| axis.key(i, g))
        .collect();
    periods.sort();
    periods.dedup();
    let site_names: Vec<String> = (0..grid.sites().len())
        .filter(|&s| table.each(&[s], &dates).next().is_some())
        .map(|s| grid.sites()[s].clone())
        .collect();
    let all_sites: Vec<usize> = (0..grid.sites().len()).collect();
    let chosen_sites = match &o.site {
        Some(site) => {
            let Some(s) = grid
                .sites()
                .iter()
                .position(|x| x == site)
                .filter(|_| site_names.contains(site))
            else {
                return Err(ReportError::NoSuchGroup {
                    what: "site",
                    value: site.clone(),
                    available: list(&site_names),
                });
            };
            grid.site_group(s)
        }
        None => all_sites.clone(),
    };
    if let Some(p) = o.period
        && !periods.contains(&p)
    {
        return Err(ReportError::NoSuchGroup {
            what: "period",
            value: p.to_string(),
            available: list(&periods),
        });
    }
    // Filters widen to whole rows of the grid: with figures per site, rows every site shares.
    let closing = if o.by_site { &all_sites } else { &chosen_sites };
    let in_range = grid.close(closing, g, &dates);
    let overall_atoms = match o.period {
        Some(p) => {
            let only: Vec<bool> = (0..axis.len()).map(|i| axis.key(i, g) == Some(p)).collect();
            grid.close(closing, g, &only)
        }
        None => in_range.clone(),
    };

    let overall = table.summary(&chosen_sites, &overall_atoms, o);
    let covers = table.coverage(&chosen_sites, &overall_atoms, g);
    let mut trends = Vec::new();
    let mut unplaced = 0;
    for row in grid.rows(&chosen_sites, g, &in_range) {
        match row.span {
            Some(span) => trends.push(Row {
                span,
                covers: table.coverage(&chosen_sites, &row.atoms, g),
                summary: table.summary(&chosen_sites, &row.atoms, o),
            }),
            None if o.period.is_none() => {
                unplaced += grid.count(Measure::Responses, &chosen_sites, &row.atoms);
            }
            None => {}
        }
    }
    let by_site = if o.by_site {
        site_rows(&table, &overall_atoms, o)
    } else {
        Vec::new()
    };
    let (comments, comments_span, comments_covers) = comments(&table, &chosen_sites, &in_range, o);
    let other_surveys: Vec<OtherSurvey> = by_count
        .iter()
        .filter(|(h, _, _)| *h != hash)
        .map(|(h, id, n)| (id.clone(), *h, Count::of(*n, min_n)))
        .collect();
    Ok(ReportData {
        survey: survey.clone(),
        synthetic: t.source.synthetic,
        store_site: t.source.name.clone(),
        sites: site_names,
        responses: overall.responses,
        where_to_act: priority::where_to_act(&overall.themes),
        covers,
        overall,
        trends,
        by_site,
        comments,
        comments_span,
        comments_covers,
        periods,
        unplaced: Count::of(unplaced, min_n),
        left_out: Count::of(table.left_out, min_n),
        other_surveys,
        generated: o.today,
        intake: t.intake.clone(),
        options: o.clone(),
    })
}

/// One row per site group of the grid (a site, or small sites pooled) over `atoms`.
fn site_rows(table: &Table<'_>, atoms: &[bool], o: &ReportOptions) -> Vec<SiteRow> {
    let grid = &table.grid;
    grid.site_groups()
        .into_iter()
        .filter(|sites| grid.count(Measure::Responses, sites, atoms) > 0)
        .map(|sites| {
            let names: Vec<&str> = sites.iter().map(|&s| grid.sites()[s].as_str()).collect();
            let name = match names.as_slice() {
                [one] => one.to_string(),
                many => format!("Other sites, pooled ({})", many.join(", ")),
            };
            SiteRow {
                name,
                covers: table.coverage(&sites, atoms, o.granularity),
                summary: table.summary(&sites, atoms, o),
            }
        })
        .collect()
}

type Comments = (Result<Vec<String>, Reason>, Option<Span>, Option<Coverage>);

/// The comments of one row of the comment grid: the row holding the `--only` period, else the
/// latest row in the dates.
fn comments(table: &Table<'_>, sites: &[usize], in_range: &[bool], o: &ReportOptions) -> Comments {
    let grid = &table.grid;
    let rows = grid.comment_rows(sites, o.granularity, in_range);
    let row = match o.period {
        Some(p) => rows.iter().find(|r| r.span.is_some_and(|s| s.contains(p))),
        None => rows.iter().rev().find(|r| r.span.is_some()),
    };
    let Some(row) = row else {
        return (Ok(Vec::new()), None, None);
    };
    let covers = table.coverage(sites, &row.atoms, o.granularity);
    let responses = grid.count(Measure::Responses, sites, &row.atoms);
    let comment_min = o.rule.comment_min();
    let shown = if responses < comment_min {
        Err(Reason::TooFewResponsesForComments { min: comment_min })
    } else if !grid.shows_comments(sites, &row.atoms) {
        Err(Reason::Complementary { min_n: comment_min })
    } else {
        let texts: Vec<String> = table
            .each(sites, &row.atoms)
            .flat_map(|c| c.comments.iter().cloned())
            .collect();
        disclosure::select_comments(texts, responses, &o.rule, o.comment_seed)
    };
    (shown, row.span, Some(covers))
}
