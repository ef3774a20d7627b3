//! Cross-check against `scripts/crosscheck.py` (pandas + scipy) on the same synthetic responses,
//! written by the analysts' CSV writer (`report::analyst`, what `icare decrypt --format csv`
//! writes), so the script reads the very file an analyst gets. Run when a Python with pandas and scipy is available (`ICARE_PYTHON`, then `.venv/`, then
//! `python3`). `scripts/test` (the README's test command) installs one and sets
//! `ICARE_REQUIRE_CROSSCHECK=1`, under which a missing Python is a failure, not a skip.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::analyst::{Rows, write_responses};
use crate::disclosure::analyst::Labels;
use crate::response::{Period, Response};
use crate::scoring::ScoringPlan;
use crate::stats::{Collector, Estimate, Granularity, consistency, headline_pct_positive};
use crate::survey::{Catalog, Survey};
use crate::synth::Synth;

fn python() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("ICARE_PYTHON").map(PathBuf::from),
        Some(root.join(".venv/bin/python3")),
        Some(PathBuf::from("python3")),
    ];
    candidates.into_iter().flatten().find(|p| {
        Command::new(p)
            .args(["-c", "import pandas, scipy"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// The tidy CSV of `icare decrypt --format csv`, by its own writer.
fn write_csv(path: &Path, survey: &Survey, responses: &[Response]) {
    let mut catalog = Catalog::new();
    catalog.add(survey.clone());
    let labels: Vec<Labels> = responses
        .iter()
        .map(|r| Labels {
            site: "Crosscheck".into(),
            period: r.period.to_string(),
            language: r.language.clone(),
        })
        .collect();
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let rows = &mut Rows::new(&catalog);
    write_responses(&mut f, true, true, responses.iter().zip(&labels), rows).unwrap();
    f.flush().unwrap();
}

fn close(what: &str, ours: Option<f64>, theirs: &serde_json::Value) {
    match (ours, theirs.as_f64()) {
        (None, None) => {}
        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-6, "{what}: ours {a}, pandas {b}"),
        (a, _) => panic!("{what}: ours {a:?}, pandas {theirs}"),
    }
}

fn crosscheck(survey_toml: &str, count: usize, seed: u64, alpha_required: bool) {
    let Some(python) = python() else {
        assert!(
            std::env::var_os("ICARE_REQUIRE_CROSSCHECK").is_none(),
            "ICARE_REQUIRE_CROSSCHECK is set but no python3 with pandas and scipy was found"
        );
        eprintln!(
            "crosscheck skipped: no python3 with pandas and scipy (see scripts/requirements.txt)"
        );
        return;
    };
    let survey = crate::survey::from_str(survey_toml, "crosscheck.toml").unwrap();
    let plan = ScoringPlan::new(&survey).unwrap();
    let mut synth = Synth::new(&survey, seed);
    let responses: Vec<Response> = (0..count)
        .map(|i| {
            synth.next_response(Period::Week {
                year: 2026,
                week: 1 + (i % 40) as u8,
            })
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let (csv, toml) = (
        dir.path().join("responses.csv"),
        dir.path().join("survey.toml"),
    );
    write_csv(&csv, &survey, &responses);
    std::fs::write(&toml, survey_toml).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/crosscheck.py");
    let out = Command::new(&python)
        .arg(script)
        .arg(&csv)
        .arg(&toml)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    let c = Collector::collect_parallel(&plan, Granularity::Month, &responses, None, 2).unwrap();
    for (t, (theme, acc)) in survey.themes.iter().zip(&c.overall().themes).enumerate() {
        let row = &theirs["themes"][t];
        assert_eq!(row["id"], theme.id.as_str());
        let e = Estimate::of(&acc.scores);
        assert_eq!(row["n"].as_u64(), Some(e.n), "{}: n", theme.id);
        close(&format!("{} mean", theme.id), e.mean, &row["mean"]);
        close(&format!("{} sd", theme.id), e.sd, &row["sd"]);
        close(
            &format!("{} ci_low", theme.id),
            e.ci.map(|c| c.0),
            &row["ci_low"],
        );
        close(
            &format!("{} ci_high", theme.id),
            e.ci.map(|c| c.1),
            &row["ci_high"],
        );
        if acc.complete.k() >= 2 {
            assert_eq!(
                row["complete"].as_u64(),
                Some(acc.complete.n),
                "{}: complete cases",
                theme.id
            );
        }
        close(
            &format!("{} alpha", theme.id),
            consistency(acc).map(|c| c.0),
            &row["alpha"],
        );
    }
    close(
        "headline % positive",
        headline_pct_positive(&plan, &c.overall().headline),
        &theirs["headline"]["pct_positive"],
    );
    assert!(
        !alpha_required || consistency(&c.overall().themes[0]).is_some(),
        "the first theme should have an alpha to compare"
    );
    eprintln!(
        "crosscheck: {count} responses agree with pandas/scipy to 1e-6 ({})",
        python.display()
    );
}

#[test]
fn statistics_agree_with_pandas_and_scipy_on_a_multi_item_survey() {
    crosscheck(crate::scoring::tests::FIXTURE, 3_000, 11, true);
}

#[test]
fn statistics_agree_with_pandas_and_scipy_on_the_icare_survey() {
    crosscheck(crate::survey::load::EMBEDDED_ICARE, 1_000, 12, false);
}
