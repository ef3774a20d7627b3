//! A week of normal use, simulated through the real store: how large is the group each response
//! is sealed in (all a key holder can learn about when it was sent), with and without a nightly
//! restart? Seeded, so the figures in `docs/security.md` come out the same every time:
//!
//! `cargo test --lib store::tests::week -- --ignored --nocapture`
//!
//! Arrival model (an assumption, stated so it can be argued with): the kiosk is used only while
//! the practice is open, Monday to Friday 08:00–18:30, and responses arrive at random at a steady
//! rate over those hours (a Poisson process), so a day's count varies as real days do. Three
//! volumes: 5, 15 and 40 responses a week on average (a small practice whose patients in OST
//! rarely answer, a typical one, and a busy shared-care clinic where most answer at their
//! fortnightly review). The kiosk runs all week, or is restarted every night (as a nightly reboot
//! or update would do); periods are ISO weeks, so a group never spans two weeks.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

const WEEKS: u8 = 52;
const OPEN_HOURS: f64 = 10.5;
const DAYS: usize = 5;

/// How many responses arrive on each of the week's days, at `per_week` on average.
fn days(rng: &mut StdRng, per_week: f64) -> [usize; DAYS] {
    let rate = per_week / (DAYS as f64 * OPEN_HOURS);
    let mut out = [0; DAYS];
    for day in &mut out {
        // Exponential gaps between arrivals until closing time.
        let mut t = 0.0;
        loop {
            t += -(1.0 - rng.r#gen::<f64>()).ln() / rate;
            if t > OPEN_HOURS {
                break;
            }
            *day += 1;
        }
    }
    out
}

/// Group sizes over a year of weeks: each response's group size (so a share of responses can
/// be read off), and the number of groups.
fn simulate(per_week: f64, nightly_restart: bool) -> (Vec<usize>, usize) {
    let mut rng = StdRng::seed_from_u64(2026);
    let (fs, _) = memory_store(false);
    let s = survey();
    let mut store = open(&fs);
    let mut seen = Vec::new();
    let mut groups = 0;
    for w in 1..=WEEKS {
        for n in days(&mut rng, per_week) {
            if nightly_restart {
                drop(store);
                store = open(&fs);
            }
            for _ in 0..n {
                store.submit(&s, &tagged(&s, week(w), "x")).unwrap();
            }
        }
        let path = Path::new(DIR)
            .join(RECORDS_DIR)
            .join(period_file::file_name(week(w)));
        if fs.exists(&path) {
            let sizes = group_sizes(&fs, week(w));
            assert!(sizes.iter().all(|&g| g <= GROUP_MAX_RECORDS as usize));
            groups += sizes.len();
            for g in sizes {
                seen.extend(std::iter::repeat_n(g, g));
            }
        }
    }
    seen.sort();
    (seen, groups)
}

#[test]
#[ignore = "a measurement for docs/security.md; run it with --ignored --nocapture"]
fn group_sizes_over_a_year_of_weeks_with_and_without_a_nightly_restart() {
    println!(
        "| responses a week (mean) | nightly restart | responses | groups a week | median group a response is in | responses in a group of 1 | of 5 or fewer | of 32 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for per_week in [5.0, 15.0, 40.0] {
        for nightly in [false, true] {
            let (seen, groups) = simulate(per_week, nightly);
            let n = seen.len();
            let share = |f: &dyn Fn(usize) -> bool| {
                100.0 * seen.iter().filter(|&&g| f(g)).count() as f64 / n as f64
            };
            println!(
                "| {per_week} | {} | {n} | {:.1} | {} | {:.0}% | {:.0}% | {:.0}% |",
                if nightly { "yes" } else { "no" },
                groups as f64 / f64::from(WEEKS),
                seen[n / 2],
                share(&|g| g == 1),
                share(&|g| g <= 5),
                share(&|g| g == 32),
            );
        }
    }
}
