//! Building the screen's [`Data`] from a stream of responses: the statistics, disclosure control
//! and the where-to-act ranking, in one pass that keeps only running totals and the comments.

use std::collections::BTreeMap;

use super::data::{Data, Filter};
use crate::disclosure::{Reason, Rule, Summary, select_comments, summarize};
use crate::priority::where_to_act;
use crate::response::Response;
use crate::scoring::{ScoringError, ScoringPlan};
use crate::stats::{Collector, PeriodKey};
use crate::survey::Survey;

/// Collects responses from one site's store for one [`Filter`].
#[derive(Debug)]
pub struct Builder<'a> {
    survey: &'a Survey,
    filter: &'a Filter,
    site: &'a str,
    collector: Collector<'a>,
    comments: BTreeMap<PeriodKey, Vec<String>>,
    other_surveys: u64,
}

impl<'a> Builder<'a> {
    /// A builder for responses to `survey` (scored with `plan`, made from `survey`) from `site`.
    pub fn new(
        survey: &'a Survey,
        plan: &'a ScoringPlan,
        site: &'a str,
        filter: &'a Filter,
    ) -> Self {
        Builder {
            survey,
            filter,
            site,
            collector: Collector::new(plan, filter.granularity),
            comments: BTreeMap::new(),
            other_surveys: 0,
        }
    }

    /// Add one response. Responses to another survey (or version) are counted and left out.
    pub fn add(&mut self, response: &Response) -> Result<(), ScoringError> {
        if response.survey_hash != self.survey.hash {
            self.other_surveys += 1;
            return Ok(());
        }
        self.collector.add(response, Some(self.site))?;
        let in_site = self.filter.site.as_deref().is_none_or(|s| s == self.site);
        let period = PeriodKey::of(response.period, self.filter.granularity);
        let in_period = self.filter.period.is_none() || self.filter.period == period;
        if let (true, true, Some(p), Some(c)) = (in_site, in_period, period, &response.comment) {
            if !c.trim().is_empty() {
                self.comments.entry(p).or_default().push(c.clone());
            }
        }
        Ok(())
    }

    /// The published figures; `seed` shuffles the comments.
    pub fn finish(self, synthetic: bool, rule: &Rule, seed: u64) -> Data {
        let plan = self.collector.plan();
        let sum = |acc: &crate::stats::Accumulator| summarize(self.survey, plan, acc, rule);
        let in_site = self.filter.site.as_deref().is_none_or(|s| s == self.site);
        let by_period = if in_site {
            self.collector.by_period()
        } else {
            BTreeMap::new()
        };
        let empty = crate::stats::Accumulator::new(plan);
        let selected = match (&self.filter.period, in_site) {
            (_, false) => empty.clone(),
            (None, true) => self.collector.overall(),
            (Some(p), true) => by_period.get(p).cloned().unwrap_or_else(|| empty.clone()),
        };
        let overall: Summary = sum(&selected);
        let trends: Vec<(PeriodKey, Summary)> =
            by_period.iter().map(|(p, acc)| (*p, sum(acc))).collect();
        let periods = self.collector.by_period().keys().copied().collect();
        let comments = self.comments_for(&by_period, rule, seed);
        Data {
            survey: self.survey.clone(),
            synthetic,
            // A store made without a site name has no site to choose.
            sites: if self.site.trim().is_empty() {
                Vec::new()
            } else {
                vec![self.site.to_string()]
            },
            responses: selected.responses,
            rule: *rule,
            where_to_act: where_to_act(&overall.themes),
            overall,
            trends,
            comments,
            periods,
            other_surveys: self.other_surveys,
        }
    }

    /// Comments of every period in the filter that has enough responses, shuffled together; the
    /// reason when no period has enough.
    fn comments_for(
        &self,
        by_period: &BTreeMap<PeriodKey, crate::stats::Accumulator>,
        rule: &Rule,
        seed: u64,
    ) -> Result<Vec<String>, Reason> {
        let mut shown = Vec::new();
        let mut most = 0;
        let mut any = false;
        for (p, acc) in by_period {
            if self.filter.period.is_some_and(|f| f != *p) {
                continue;
            }
            most = most.max(acc.responses);
            let texts = self.comments.get(p).cloned().unwrap_or_default();
            if let Ok(c) = select_comments(texts, acc.responses, rule, seed) {
                any = true;
                shown.extend(c);
            }
        }
        if !any {
            return Err(Reason::TooFewResponsesForComments {
                responses: most,
                min: rule.comment_min(),
            });
        }
        // Shuffle across periods too, so no period's comments sit together in arrival order.
        select_comments(shown, u64::MAX, rule, seed)
    }
}

/// [`Data`] for `responses`, all from `site`: the same path as the store loader, for tests and
/// demonstrations.
pub fn from_responses(
    survey: &Survey,
    site: &str,
    responses: &[Response],
    filter: &Filter,
    synthetic: bool,
    rule: &Rule,
    seed: u64,
) -> Result<Data, ScoringError> {
    let plan = ScoringPlan::new(survey)?;
    let mut b = Builder::new(survey, &plan, site, filter);
    for r in responses {
        b.add(r)?;
    }
    Ok(b.finish(synthetic, rule, seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manager::fixture::{self, SITE};
    use crate::stats::Granularity;

    #[test]
    fn a_chosen_period_summarises_only_its_responses_but_trends_keep_every_period() {
        let rs = fixture::responses(300);
        let all = fixture::data_of(&rs, &Filter::default());
        let (p, month) = all.trends.last().unwrap();
        let one = fixture::data_of(
            &rs,
            &Filter {
                period: Some(*p),
                ..Filter::default()
            },
        );
        assert_eq!(one.responses, month.responses);
        assert_eq!(one.overall, *month);
        assert_eq!(one.trends, all.trends);
        assert_eq!(all.responses, 306);
        assert_eq!(all.sites, vec![SITE.to_string()]);
    }

    #[test]
    fn another_site_has_nothing_and_so_shows_nothing() {
        let rs = fixture::responses(300);
        let d = fixture::data_of(
            &rs,
            &Filter {
                site: Some("Elsewhere".into()),
                ..Filter::default()
            },
        );
        assert_eq!(d.responses, 0);
        assert!(d.trends.is_empty());
        assert!(d.overall.themes.iter().all(|t| t.suppressed.is_some()));
        assert!(d.where_to_act.ranked.is_empty());
        assert!(d.comments.is_err());
    }

    #[test]
    fn comments_come_only_from_periods_with_enough_responses() {
        let mut rs = fixture::responses(300);
        // The six March responses all carry a comment: March is too small to show them.
        for r in rs.iter_mut().rev().take(6) {
            r.comment = Some("march comment".into());
        }
        let d = fixture::data_of(&rs, &Filter::default());
        let shown = d.comments.unwrap();
        assert!(!shown.is_empty());
        assert!(!shown.iter().any(|c| c == "march comment"));
        let with_comment = rs.iter().filter(|r| r.comment.is_some()).count();
        assert_eq!(shown.len(), with_comment - 6);
        let march = Filter {
            period: Some(PeriodKey::Month {
                year: 2026,
                month: 3,
            }),
            ..Filter::default()
        };
        assert_eq!(
            fixture::data_of(&rs, &march).comments,
            Err(Reason::TooFewResponsesForComments {
                responses: 6,
                min: 10
            })
        );
    }

    #[test]
    fn responses_to_another_survey_are_counted_and_left_out() {
        let mut rs = fixture::responses(20);
        rs[0].survey_hash = crate::survey::SurveyHash([9; 32]);
        let d = fixture::data_of(&rs, &Filter::default());
        assert_eq!((d.responses, d.other_surveys), (25, 1));
    }

    #[test]
    fn weekly_periods_come_in_time_order() {
        let rs = fixture::responses(300);
        let f = Filter::default().with_granularity(Granularity::Week);
        let d = fixture::data_of(&rs, &f);
        assert!(d.periods.windows(2).all(|w| w[0] < w[1]));
        assert!(matches!(
            d.periods[0],
            PeriodKey::Week {
                year: 2026,
                week: 11
            }
        ));
    }
}
