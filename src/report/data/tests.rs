//! Site pooling and the date filter.
use super::*;
use crate::stats::Granularity;

/// Cells for sites with the given numbers of responses, all in one week.
fn cells(
    survey: &crate::survey::Survey,
    plan: &ScoringPlan,
    sites: &[(&str, usize)],
) -> BTreeMap<(String, PeriodKey), Accumulator> {
    let mut synth = crate::synth::Synth::new(survey, 1);
    let mut c = Collector::new(plan, Granularity::Month);
    for (site, n) in sites {
        for _ in 0..*n {
            let r = synth.next_response(Period::Week {
                year: 2026,
                week: 10,
            });
            c.add(&r, Some(site)).unwrap();
        }
    }
    c.by_site_and_period()
}

fn names(survey: &crate::survey::Survey, sites: &[(&str, usize)]) -> Vec<(String, u64)> {
    let plan = ScoringPlan::new(survey).unwrap();
    let cells = cells(survey, &plan, sites);
    let list: Vec<String> = sites.iter().map(|(s, _)| s.to_string()).collect();
    let options = ReportOptions {
        by_site: true,
        ..ReportOptions::default()
    };
    site_summaries(survey, &plan, &cells, &list, &options)
        .into_iter()
        .map(|(s, sum)| (s, sum.responses))
        .collect()
}

#[test]
fn small_sites_are_pooled_until_the_pool_is_large_enough() {
    let survey = crate::survey::embedded().unwrap();
    assert_eq!(
        names(&survey, &[("A", 50), ("B", 40), ("C", 3)]),
        vec![
            ("A".to_string(), 50),
            ("Other sites, pooled (B, C)".to_string(), 43)
        ]
    );
    assert_eq!(
        names(&survey, &[("A", 50), ("B", 6), ("C", 7)]),
        vec![
            ("A".to_string(), 50),
            ("Other sites, pooled (B, C)".to_string(), 13)
        ]
    );
    // A lone site below the minimum stays as it is (suppressed by the rule itself).
    assert_eq!(names(&survey, &[("A", 4)]), vec![("A".to_string(), 4)]);
    assert_eq!(
        names(&survey, &[("A", 30), ("B", 12)]),
        vec![("A".to_string(), 30), ("B".to_string(), 12)]
    );
}

#[test]
fn a_period_overlapping_the_dates_is_included_whole() {
    let w = Period::Week {
        year: 2026,
        week: 3,
    }; // Monday 12 – Sunday 18 January 2026.
    let d = |day| NaiveDate::from_ymd_opt(2026, 1, day);
    assert!(in_dates(w, d(18), None));
    assert!(!in_dates(w, d(19), None));
    assert!(in_dates(w, None, d(12)));
    assert!(!in_dates(w, None, d(11)));
    let m = Period::Month {
        year: 2026,
        month: 2,
    };
    assert!(in_dates(m, d(31), NaiveDate::from_ymd_opt(2026, 2, 1)));
    assert!(!in_dates(
        Period::Week {
            year: 2025,
            week: 53
        },
        d(1),
        None
    ));
}
