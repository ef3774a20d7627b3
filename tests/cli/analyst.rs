//! `icare decrypt` is for an analyst: it refuses the store manager's key (saying how to add an
//! analyst), shuffles the rows under ids that mean nothing, writes comments to a file of their
//! own, names no site, week or language held by fewer than 10, and defuses spreadsheet formulas.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::util::{Analyst, PASSPHRASE, icare, ok, texts};

struct Site {
    tmp: tempfile::TempDir,
    data: PathBuf,
    analyst: Analyst,
}

/// A synthetic store named `site`, readable by an analyst, with `n` responses.
fn site(name: &str, n: u32) -> Site {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let analyst = Analyst::new(tmp.path());
    ok(
        &data,
        &[
            "init",
            "--synthetic",
            "--kdf-work-factor",
            "8",
            "--site",
            name,
            "--recipient",
            &analyst.public,
        ],
    );
    ok(
        &data,
        &["simulate", "--count", &n.to_string(), "--seed", "11"],
    );
    Site { tmp, data, analyst }
}

/// The analyst's `decrypt --format csv` of the site, which must succeed: its output and errors.
fn csv(s: &Site) -> (String, String) {
    let out = s
        .analyst
        .decrypt(&s.data)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    (stdout, stderr)
}

#[test]
fn the_managers_key_is_refused_with_how_to_add_an_analyst() {
    let s = site("North", 3);
    // No identity: the default would be the manager's.
    let out = icare(&s.data)
        .env("ICARE_PASSPHRASE", PASSPHRASE)
        .args(["decrypt", "--format", "csv"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("needs an analyst's identity"), "{stderr}");
    assert!(
        stderr.contains("icare init --recipient") && stderr.contains("icare export --to"),
        "{stderr}"
    );
    // The manager's identity file, with its passphrase: refused, saying why.
    let out = icare(&s.data)
        .env("ICARE_ANALYST_PASSPHRASE", PASSPHRASE)
        .args(["decrypt", "--format", "csv", "--identity"])
        .arg(s.data.join("keys/manager.age"))
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("store manager's identity") && stderr.contains("age-keygen"),
        "{stderr}"
    );
    // The same key as a plain age identity file is the same key: refused too.
    let pass = age::secrecy::SecretString::from(PASSPHRASE.to_string());
    let manager = icare::keys::unlock_identity(&s.data, &pass).unwrap();
    let plain = s.tmp.path().join("manager-plain.key");
    std::fs::write(
        &plain,
        age::secrecy::ExposeSecret::expose_secret(&manager.to_string()),
    )
    .unwrap();
    crate::util::chmod(&plain, 0o600);
    let out = icare(&s.data)
        .args(["decrypt", "--format", "csv", "--identity"])
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(texts(&out).1.contains("store manager's identity"));
}

#[test]
fn rows_come_in_random_order_with_ids_that_mean_nothing_and_comments_apart() {
    let s = site("North", 40);
    // The stored order, read through the library with the manager's identity.
    let pass = age::secrecy::SecretString::from(PASSPHRASE.to_string());
    let manager = icare::keys::unlock_identity(&s.data, &pass).unwrap();
    let value = |a: &icare::response::Answer| match a {
        icare::response::Answer::Value(v) => serde_json::json!(v),
        _ => serde_json::Value::Null,
    };
    let stored: Vec<Vec<serde_json::Value>> = icare::store::read_all(&s.data, &manager)
        .unwrap()
        .map(|r| r.unwrap().1.answers.iter().map(value).collect())
        .collect();
    let (first, comments) = s.analyst.read(&s.data);
    let (second, _) = s.analyst.read(&s.data);
    assert_eq!(first.len(), 40);
    // Ids are the row's place in this output and nothing else.
    for (k, line) in first.iter().enumerate() {
        assert_eq!(line["response"], format!("synthetic-{}", k + 1));
        assert!(line.get("comment").is_none(), "{line}");
    }
    let values = |lines: &[serde_json::Value]| -> Vec<Vec<serde_json::Value>> {
        lines
            .iter()
            .map(|l| {
                l["answers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a["value"].clone())
                    .collect()
            })
            .collect()
    };
    let (a, b) = (values(&first), values(&second));
    assert_ne!(a, b, "two runs, two orders");
    assert_ne!(a, stored, "the stored order is not kept");
    let (mut a, mut b, mut c) = (a, b, stored.clone());
    let key = |v: &Vec<serde_json::Value>| serde_json::to_string(v).unwrap();
    a.sort_by_key(key);
    b.sort_by_key(key);
    c.sort_by_key(key);
    assert!(a == b && a == c, "the same responses every time");
    // Every stored comment is in the comments file, and only there.
    let stored_comments: usize = icare::store::read_all(&s.data, &manager)
        .unwrap()
        .filter(|r| r.as_ref().unwrap().1.comment.is_some())
        .count();
    assert_eq!(comments.len(), stored_comments);
    // Without --comments, no comment is written anywhere.
    let (stdout, stderr) = csv(&s);
    for c in &comments {
        assert!(!stdout.contains(c.as_str()));
    }
    if !comments.is_empty() {
        assert!(stderr.contains("--comments"), "{stderr}");
    }
}

#[test]
fn no_site_week_or_language_label_covers_fewer_than_ten() {
    let s = site("North", 60);
    let (stdout, _) = csv(&s);
    let mut combos: BTreeMap<(String, String, String), std::collections::BTreeSet<String>> =
        BTreeMap::new();
    for line in stdout.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        combos
            .entry((f[2].to_string(), f[3].to_string(), f[4].to_string()))
            .or_default()
            .insert(f[1].to_string());
    }
    for (combo, ids) in &combos {
        assert!(ids.len() >= 10, "{combo:?}: {} responses", ids.len());
    }
    assert!(combos.keys().all(|(site, _, _)| site == "North"));
}

#[test]
fn a_site_name_that_looks_like_a_formula_is_defused_in_every_csv() {
    let evil = "=HYPERLINK(\"http://example.invalid\",\"click\")";
    let s = site(evil, 12);
    let (stdout, _) = csv(&s);
    let defused = "\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"click\"\")\"";
    assert!(stdout.contains(defused), "{stdout}");
    for line in stdout.lines() {
        for field in line.split(',') {
            assert!(!field.starts_with('='), "{line}");
        }
    }
}

/// A Python with duckdb, pandas and scipy (`scripts/test` installs one into `.venv/`).
fn python() -> Option<PathBuf> {
    [
        std::env::var_os("ICARE_PYTHON").map(PathBuf::from),
        Some(crate::util::repo(".venv/bin/python3")),
        Some(PathBuf::from("python3")),
    ]
    .into_iter()
    .flatten()
    .find(|p| {
        std::process::Command::new(p)
            .args(["-c", "import duckdb, pandas, scipy"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Runs the SQL and Python blocks of docs/analyst-data.md, as written there, in the folder of a
/// `responses.csv`, and prints what they give as JSON.
const DRIVER: &str = r#"
import contextlib, io, json, os, re, sys
import duckdb
doc = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"```(sql|python)\n(.*?)```", doc, re.S)
sql = [b for k, b in blocks if k == "sql"]
python = [b for k, b in blocks if k == "python"]
assert len(sql) == 2 and len(python) == 1, (len(sql), len(python))
os.chdir(sys.argv[2])
out = {"duckdb": {}, "pandas": {}}
for theme, n, mean, sd, pct in duckdb.sql(sql[0]).fetchall():
    out["duckdb"][theme] = {"n": n, "mean": mean, "sd": sd, "pct_positive": pct}
out["headline"] = duckdb.sql(sql[1]).fetchall()[0][0]
scope = {}
with contextlib.redirect_stdout(io.StringIO()):
    exec(python[0], scope)
themes = scope["themes"]
for theme in themes.index:
    out["pandas"][theme] = {c: float(themes.loc[theme, c]) for c in themes.columns}
print(json.dumps(out))
"#;

#[test]
fn the_documented_queries_give_the_reports_figures() {
    let Some(python) = python() else {
        assert!(
            std::env::var_os("ICARE_REQUIRE_CROSSCHECK").is_none(),
            "ICARE_REQUIRE_CROSSCHECK is set but no python3 with duckdb, pandas and scipy was found"
        );
        eprintln!("skipped: no python3 with duckdb, pandas and scipy (scripts/test installs one)");
        return;
    };
    let s = site("North", 300);
    let report = icare(&s.data)
        .env("ICARE_PASSPHRASE", PASSPHRASE)
        .args(["report", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(report.status.code(), Some(0), "{}", texts(&report).1);
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let dir = s.tmp.path().join("analysis");
    std::fs::create_dir(&dir).unwrap();
    let out = s
        .analyst
        .decrypt(&s.data)
        .args(["--format", "csv", "--out"])
        .arg(dir.join("responses.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", texts(&out).1);
    let run = std::process::Command::new(python)
        .args(["-c", DRIVER])
        .arg(crate::util::repo("docs/analyst-data.md"))
        .arg(&dir)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", texts(&run).1);
    let theirs: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let themes = report["themes"].as_array().unwrap();
    assert_eq!(themes.len(), 10);
    for t in themes {
        let id = t["id"].as_str().unwrap();
        let as_f64 = |v: &serde_json::Value| v.as_f64().unwrap();
        for tool in ["duckdb", "pandas"] {
            for m in ["n", "mean", "sd", "pct_positive"] {
                assert_eq!(
                    as_f64(&t[m]),
                    as_f64(&theirs[tool][id][m]),
                    "{tool} {id} {m}"
                );
            }
        }
        for m in ["ci_low", "ci_high"] {
            assert_eq!(
                as_f64(&t[m]),
                as_f64(&theirs["pandas"][id][m]),
                "pandas {id} {m}"
            );
        }
    }
    assert_eq!(
        report["headline"]["pct_positive"].as_f64().unwrap(),
        theirs["headline"].as_f64().unwrap()
    );
}
