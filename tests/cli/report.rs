//! `icare report` as a user runs it: every format from one synthetic store, the formats agreeing
//! with each other and with the independent pandas/scipy cross-check, a 7-response store
//! suppressed everywhere, and a wrong passphrase writing nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::util::{Analyst, icare, repo, texts, with_secrets};

struct Store {
    tmp: tempfile::TempDir,
    data: PathBuf,
    analyst: Analyst,
}

impl Store {
    /// `init --synthetic` (an analyst as a recipient) and `simulate --count n`, secrets from the
    /// environment.
    fn synthetic(n: u64) -> Store {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let analyst = Analyst::new(tmp.path());
        let s = Store { tmp, data, analyst };
        let init = s.env(&[
            "init",
            "--synthetic",
            "--kdf-work-factor",
            "10",
            "--site",
            "Riverside Surgery",
            "--recipient",
            &s.analyst.public,
        ]);
        assert_eq!(init.status.code(), Some(0), "{}", texts(&init).1);
        let sim = s.env(&["simulate", "--count", &n.to_string(), "--seed", "5"]);
        assert_eq!(sim.status.code(), Some(0), "{}", texts(&sim).1);
        s
    }

    fn env(&self, args: &[&str]) -> Output {
        with_secrets(&self.data).args(args).output().unwrap()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// `report --format f --out FILE` and the file's text.
    fn report(&self, format: &str, extra: &[&str]) -> String {
        let out = self.path(&format!("report.{format}"));
        let mut args = vec!["report", "--format", format, "--out", out.to_str().unwrap()];
        args.extend(extra);
        let o = self.env(&args);
        let (stdout, stderr) = texts(&o);
        assert_eq!(o.status.code(), Some(0), "{stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(stderr.contains("SYNTHETIC"), "{stderr}");
        std::fs::read_to_string(out).unwrap()
    }
}

fn num(v: &Value) -> String {
    v.to_string()
}

/// The CSV value of an overall theme measure (columns: synthetic, group_type, group, group_label,
/// theme, item, point, measure, value; the overall label holds no comma).
fn csv_value(csv: &str, theme: &str, measure: &str) -> String {
    let row = csv
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f[1] == "overall" && f[4] == theme && f[5].is_empty() && f[7] == measure)
        .unwrap_or_else(|| panic!("no CSV row for {theme} {measure}"));
    row[8].to_string()
}

#[test]
fn every_format_agrees_with_the_others_and_with_the_crosscheck() {
    let s = Store::synthetic(300);
    let json: Value = serde_json::from_str(&s.report("json", &[])).unwrap();
    let csv = s.report("csv", &[]);
    let text = s.report("text", &[]);
    let md = s.report("markdown", &[]);
    let html = s.report("html", &[]);

    assert_eq!(json["schema"], "icare-report/4");
    assert_eq!(json["synthetic"], true);
    assert_eq!(json["responses"], 300);
    assert_eq!(json["survey"]["id"], "icare");
    assert!(json["headline"].is_object());
    let themes = json["themes"].as_array().unwrap();
    assert_eq!(themes.len(), 10);
    for t in themes {
        let id = t["id"].as_str().unwrap();
        assert_eq!(t["suppressed"], false, "{id}");
        for m in ["n", "mean", "ci_low", "ci_high", "pct_positive"] {
            assert!(t[m].is_number(), "{id} {m}");
            assert_eq!(csv_value(&csv, id, m), num(&t[m]), "{id} {m}: csv vs json");
        }
        let ci = format!("{} ({}–{})", t["mean"], t["ci_low"], t["ci_high"]);
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{:>2} ", t["number"].as_u64().unwrap())))
            .unwrap();
        assert!(
            line.contains(&ci) && line.contains(&format!(" {} ", t["n"])),
            "text: {line} vs {ci}"
        );
        let row = format!(
            "| **{}** | {}–{} | {} |",
            t["mean"], t["ci_low"], t["ci_high"], t["n"]
        );
        assert!(md.contains(&row), "markdown lacks {row}");
        assert!(html.contains(&ci), "html lacks {ci}");
    }
    let pos = &json["headline"]["pct_positive"];
    assert!(text.contains(&format!("{pos}% positive")), "text headline");
    assert!(html.contains(&format!(">{pos}%<")), "html headline");
    assert_eq!(json["where_to_act"]["ranked"].as_array().unwrap().len(), 10);
    assert!(text.starts_with("*** SYNTHETIC DATA") && md.starts_with("> **SYNTHETIC DATA"));
    assert!(html.contains(r#"<div class="synthetic">"#) && !html.contains("<script"));

    // The same store through `icare decrypt --format csv` and scripts/crosscheck.py.
    let Some(python) = python() else {
        assert!(
            std::env::var_os("ICARE_REQUIRE_CROSSCHECK").is_none(),
            "ICARE_REQUIRE_CROSSCHECK is set but no python3 with pandas and scipy was found"
        );
        eprintln!(
            "report crosscheck skipped: no python3 with pandas and scipy (scripts/test installs one)"
        );
        return;
    };
    let plain = s.path("responses.csv");
    let d = s
        .analyst
        .decrypt(&s.data)
        .args(["--format", "csv", "--out"])
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(d.status.code(), Some(0), "{}", texts(&d).1);
    let out = Command::new(python)
        .arg(repo("scripts/crosscheck.py"))
        .arg(&plain)
        .arg(repo("surveys/icare.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", texts(&out).1);
    let theirs: Value = serde_json::from_slice(&out.stdout).unwrap();
    for (ours, theirs) in themes.iter().zip(theirs["themes"].as_array().unwrap()) {
        let id = ours["id"].as_str().unwrap();
        assert_eq!(ours["id"], theirs["id"]);
        assert_eq!(ours["n"], theirs["n"], "{id} n");
        for m in ["mean", "ci_low", "ci_high"] {
            // The report publishes whole numbers (docs/privacy.md).
            let (a, b) = (ours[m].as_f64().unwrap(), theirs[m].as_f64().unwrap());
            assert!(
                (a - b).abs() <= 0.5 + 1e-9,
                "{id} {m}: report {a}, pandas {b}"
            );
        }
    }
    let (a, b) = (
        json["headline"]["pct_positive"].as_f64().unwrap(),
        theirs["headline"]["pct_positive"].as_f64().unwrap(),
    );
    assert!(
        (a - b).abs() <= 0.5 + 1e-9,
        "headline: report {a}, pandas {b}"
    );
}

fn python() -> Option<PathBuf> {
    [
        std::env::var_os("ICARE_PYTHON").map(PathBuf::from),
        Some(repo(".venv/bin/python3")),
        Some(PathBuf::from("python3")),
    ]
    .into_iter()
    .flatten()
    .find(|p| {
        Command::new(p)
            .args(["-c", "import pandas, scipy"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[test]
fn seven_responses_show_every_group_suppressed_in_every_format() {
    let s = Store::synthetic(7);
    let json: Value = serde_json::from_str(&s.report("json", &[])).unwrap();
    // The number of people is never printed below the minimum.
    assert!(json["responses"].is_null());
    assert_eq!(json["responses_text"], "fewer than 10");
    assert_eq!(json["suppressed"], true);
    assert_eq!(json["headline"]["suppressed"], true);
    for t in json["themes"].as_array().unwrap() {
        assert_eq!(t["suppressed"], true);
        assert!(t["mean"].is_null() && t["pct_positive"].is_null());
        for i in t["items"].as_array().unwrap() {
            assert_eq!(i["suppressed"], true);
            assert!(i["distribution"].is_null());
        }
    }
    for p in json["trends"].as_array().unwrap() {
        assert_eq!(p["suppressed"], true);
    }
    assert_eq!(json["comments"]["shown"], false);
    assert!(
        json["where_to_act"]["ranked"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let csv = s.report("csv", &[]);
    let figures: Vec<&str> = csv
        .lines()
        .filter(|l| {
            [",mean,", ",ci_low,", ",pct_positive,", ",count,"]
                .iter()
                .any(|m| l.contains(m))
        })
        .collect();
    assert!(!figures.is_empty());
    for row in figures {
        assert!(row.contains(",,true,"), "shown in CSV: {row}");
    }
    let text = s.report("text", &[]);
    let md = s.report("markdown", &[]);
    let html = s.report("html", &[]);
    // The human formats say once that there are not enough responses yet, and show no theme,
    // chart or number of people.
    for (fmt, out) in [("text", &text), ("markdown", &md), ("html", &html)] {
        assert_eq!(out.matches("Not enough responses yet").count(), 1, "{fmt}");
        assert!(out.contains("fewer than 10 people have answered"), "{fmt}");
        for name in ["Humanised care", "Teamwork", "Flexibility"] {
            assert!(!out.contains(name), "{fmt} lists {name}");
        }
        assert!(
            !out.contains("7 responses") && !out.contains("7 people"),
            "{fmt}"
        );
    }
    assert!(!html.contains("<svg"), "html draws a chart");
}

#[test]
fn wrong_passphrase_exits_2_and_writes_no_file() {
    let s = Store::synthetic(3);
    let out = s.path("r.html");
    let o = icare(&s.data)
        .env("ICARE_PASSPHRASE", "not the passphrase at all")
        .args(["report", "--format", "html", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    let (_, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("passphrase"), "{stderr}");
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(s.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn bad_options_are_refused_before_the_passphrase_is_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    for (args, says) in [
        (&["report", "--min-n", "3"][..], "at least 5"),
        (&["report", "--only", "2026-13"][..], "--only"),
        (
            &["report", "--from", "2026-05-01", "--to", "2026-04-01"][..],
            "swap",
        ),
    ] {
        let o = icare(Path::new(data)).args(args).output().unwrap();
        let (_, stderr) = texts(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}
