//! `icare export`, `import`, `trust`, `keys` and `init --aggregate` as a user runs them: three
//! synthetic practices send batches to one commissioner, twice, and every response counts once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::{Analyst, fails, icare, ok, texts};

/// The `age1...` key on a line starting with `Manager public key:`.
pub(crate) fn manager_key(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("Manager public key: "))
        .unwrap()
        .trim()
        .to_string()
}

/// An aggregation store (synthetic or real) and its manager key.
pub(crate) fn aggregation(tmp: &Path, synthetic: bool) -> (PathBuf, String) {
    let data = tmp.join(if synthetic { "agg-demo" } else { "agg" });
    let mut args = vec!["init", "--aggregate", "--site", "Commissioner"];
    args.extend(["--kdf-work-factor", "10"]);
    if synthetic {
        args.push("--synthetic");
    }
    let stdout = ok(&data, &args);
    (data, manager_key(&stdout))
}

/// A synthetic practice readable by `recipient` (and by an analyst, if given), with `n`
/// simulated responses.
pub(crate) fn practice(tmp: &Path, name: &str, recipient: &str, n: u32) -> PathBuf {
    practice_for(tmp, name, &[recipient], n)
}

pub(crate) fn practice_for(tmp: &Path, name: &str, recipients: &[&str], n: u32) -> PathBuf {
    let data = tmp.join(name.replace(' ', "-"));
    let mut args = vec![
        "init",
        "--synthetic",
        "--site",
        name,
        "--kdf-work-factor",
        "10",
    ];
    for r in recipients {
        args.extend(["--recipient", r]);
    }
    ok(&data, &args);
    ok(
        &data,
        &["simulate", "--count", &n.to_string(), "--seed", "3"],
    );
    data
}

pub(crate) fn signing_key(data: &Path) -> String {
    let stdout = ok(data, &["keys"]);
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("Signing key: "))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn three_sites_imported_twice_decrypt_once_each_with_their_site_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (agg, key) = aggregation(tmp.path(), true);
    let analyst = Analyst::new(tmp.path());
    let sites = [("North Surgery", 7u32), ("South, Clinic", 5), ("East", 9)];
    let mut batches = Vec::new();
    for (name, n) in sites {
        let data = practice_for(tmp.path(), name, &[&key, &analyst.public], n);
        let keys = ok(&data, &["keys"]);
        assert!(keys.contains(&key), "{keys}");
        assert!(keys.contains("Signing key: icare-site-ed25519:"), "{keys}");
        let out = tmp
            .path()
            .join(format!("{}.icb", name.replace([' ', ','], "")));
        let stdout = ok(&data, &["export", "--out", out.to_str().unwrap()]);
        assert!(stdout.contains(&format!("with {n} records")), "{stdout}");
        batches.push(out);
    }
    let paths: Vec<&str> = batches.iter().map(|p| p.to_str().unwrap()).collect();
    let mut args = vec!["import", "--trust-new-site"];
    args.extend(&paths);
    let stdout = ok(&agg, &args);
    for (name, n) in sites {
        assert!(
            stdout.contains(&format!("Trusted new site {name:?}")),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!("site {name:?}: {n} of {n} records added")),
            "{stdout}"
        );
    }
    // The second time every record is already there.
    let mut args = vec!["import"];
    args.extend(&paths);
    let stdout = ok(&agg, &args);
    assert_eq!(stdout.matches(" 0 of ").count(), 3, "{stdout}");
    // The commissioner's own key opens reports, not rows.
    let stderr = fails(&agg, &["decrypt", "--format", "jsonl"]);
    assert!(stderr.contains("needs an analyst's identity"), "{stderr}");
    // The analyst reads each response once, sites named (each holds at least 5, the minimum
    // asked for here).
    let decrypt = |format: &str| {
        let out = analyst
            .decrypt(&agg)
            .args(["--min-n", "5", "--format", format])
            .output()
            .unwrap();
        let (stdout, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        stdout
    };
    let stdout = decrypt("jsonl");
    let mut per_site: BTreeMap<String, u32> = BTreeMap::new();
    for line in stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["synthetic"], true);
        *per_site
            .entry(v["site"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let expected: BTreeMap<String, u32> = sites.iter().map(|(s, n)| (s.to_string(), *n)).collect();
    assert_eq!(per_site, expected);
    let csv = decrypt("csv");
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .is_some_and(|h| h.starts_with("synthetic,response,site,period,language,survey,"))
    );
    assert!(
        csv.contains(",\"South, Clinic\","),
        "site names are CSV-quoted"
    );
    let keys = ok(&agg, &["keys"]);
    assert_eq!(keys.matches("Trusted site:").count(), 3, "{keys}");
    // With the passphrase (in the environment) every record is opened; without, framing only.
    let with_key = ok(&agg, &["verify"]);
    assert!(with_key.contains("every record opened"), "{with_key}");
    let out = icare(&agg).arg("verify").output().unwrap();
    let (without_key, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(without_key.contains("framing checked"), "{without_key}");
    for stdout in [with_key, without_key] {
        assert!(stdout.contains("OK: no problems found"), "{stdout}");
        assert!(
            stdout
                .lines()
                .any(|l| l.trim_start().starts_with("total") && l.trim_end().ends_with(" 21")),
            "{stdout}"
        );
    }
}

#[test]
fn unknown_signer_tampering_and_mixing_are_refused_with_the_failed_check() {
    let tmp = tempfile::tempdir().unwrap();
    let (agg, key) = aggregation(tmp.path(), false);
    let (demo_agg, demo_key) = aggregation(tmp.path(), true);
    let data = practice_for(tmp.path(), "North", &[&key, &demo_key], 4);
    let batch = tmp.path().join("north.icb");
    ok(&data, &["export", "--out", batch.to_str().unwrap()]);
    let b = batch.to_str().unwrap();
    let stderr = fails(&demo_agg, &["import", b]);
    assert!(
        stderr.contains("unknown site key") && stderr.contains("icare trust"),
        "{stderr}"
    );
    // A synthetic batch never enters a real aggregation store, trusted or not.
    let stderr = fails(&agg, &["import", "--trust-new-site", b]);
    assert!(
        stderr.contains("synthetic batch cannot go into a real"),
        "{stderr}"
    );
    // Tampered: one byte changed in the middle.
    let mut bytes = std::fs::read(&batch).unwrap();
    let n = bytes.len() / 2;
    bytes[n] ^= 1;
    let bad = tmp.path().join("bad.icb");
    std::fs::write(&bad, &bytes).unwrap();
    let stderr = fails(
        &demo_agg,
        &["import", "--trust-new-site", bad.to_str().unwrap()],
    );
    assert!(
        stderr.contains("framing check failed") && stderr.contains("nothing from this batch"),
        "{stderr}"
    );
    // Truncated, at two neighbouring offsets: at most one of them falls between two frames
    // (where the boundaries fall varies from batch to batch), and a cut there leaves a
    // well-framed file without its signature, refused as unsigned.
    let whole = std::fs::read(&batch).unwrap();
    let said: Vec<String> = [n, n + 1]
        .into_iter()
        .map(|cut| {
            std::fs::write(&bad, &whole[..cut]).unwrap();
            fails(
                &demo_agg,
                &["import", "--trust-new-site", bad.to_str().unwrap()],
            )
        })
        .collect();
    assert!(
        said.iter().any(|s| s.contains("cut short"))
            && said.iter().all(|s| {
                (s.contains("cut short") || s.contains("unsigned"))
                    && s.contains("nothing from this batch")
            }),
        "{said:?}"
    );
    assert!(ok(&demo_agg, &["keys"]).contains("No trusted sites yet"));
    // Trusted by hand, then accepted.
    let site_key = signing_key(&data);
    let stdout = ok(&demo_agg, &["trust", &site_key, "--site", "North practice"]);
    assert!(
        stdout.contains("Trusted site \"North practice\""),
        "{stdout}"
    );
    let stdout = ok(&demo_agg, &["import", b]);
    assert!(stdout.contains("4 of 4 records added"), "{stdout}");
    let stderr = fails(&demo_agg, &["trust", &site_key, "--site", "Other"]);
    assert!(stderr.contains("already trusted"), "{stderr}");
    let stderr = fails(
        &demo_agg,
        &["trust", "icare-site-ed25519:zz", "--site", "X"],
    );
    assert!(stderr.contains("not a site signing key"), "{stderr}");
}

#[test]
fn since_last_exports_only_new_records_and_an_old_store_is_told_how_to_get_a_key() {
    let tmp = tempfile::tempdir().unwrap();
    let (agg, key) = aggregation(tmp.path(), true);
    let analyst = Analyst::new(tmp.path());
    let data = practice_for(tmp.path(), "North", &[&key, &analyst.public], 3);
    let out = |name: &str| tmp.path().join(name).to_str().unwrap().to_string();
    let stdout = ok(&data, &["export", "--since-last", "--out", &out("1.icb")]);
    assert!(stdout.contains("with 3 records"), "{stdout}");
    let stderr = fails(&data, &["export", "--since-last", "--out", &out("2.icb")]);
    assert!(stderr.contains("no new records"), "{stderr}");
    assert!(!tmp.path().join("2.icb").exists());
    ok(&data, &["simulate", "--count", "2", "--seed", "9"]);
    let stdout = ok(&data, &["export", "--since-last", "--out", &out("2.icb")]);
    assert!(stdout.contains("with 2 records"), "{stdout}");
    let stderr = fails(&data, &["export", "--out", &out("2.icb")]);
    assert!(stderr.contains("refusing to overwrite"), "{stderr}");
    ok(
        &agg,
        &["import", "--trust-new-site", &out("1.icb"), &out("2.icb")],
    );
    assert_eq!(analyst.read(&agg).0.len(), 5);
    // A store from before batches: no signing key.
    std::fs::remove_file(data.join("keys/site-signing.key")).unwrap();
    let stderr = fails(&data, &["export", "--out", &out("3.icb")]);
    assert!(
        stderr.contains("icare keys --create-signing-key"),
        "{stderr}"
    );
    assert!(ok(&data, &["keys"]).contains("--create-signing-key"));
    let stdout = ok(&data, &["keys", "--create-signing-key"]);
    assert!(
        stdout.contains("Created a site signing key: icare-site-ed25519:"),
        "{stdout}"
    );
    ok(&data, &["export", "--out", &out("3.icb")]);
    // A new key is a new signer: the aggregator must trust it first.
    let stderr = fails(&agg, &["import", &out("3.icb")]);
    assert!(stderr.contains("unknown site key"), "{stderr}");
}

#[test]
fn export_to_an_extra_recipient_lets_it_read_without_touching_the_records() {
    let tmp = tempfile::tempdir().unwrap();
    let (agg, agg_key) = aggregation(tmp.path(), true);
    let analyst = Analyst::new(tmp.path());
    // This practice named neither the commissioner nor the analyst at init.
    let data = tmp.path().join("west");
    ok(
        &data,
        &[
            "init",
            "--synthetic",
            "--site",
            "West",
            "--kdf-work-factor",
            "10",
        ],
    );
    ok(&data, &["simulate", "--count", "3", "--seed", "1"]);
    // Without --to the aggregation store cannot open the batch: it is refused, and the practice
    // is told the command to run.
    let plain = tmp.path().join("plain.icb");
    ok(&data, &["export", "--out", plain.to_str().unwrap()]);
    let stderr = fails(
        &agg,
        &["import", "--trust-new-site", plain.to_str().unwrap()],
    );
    assert!(
        stderr.contains("site \"West\"")
            && stderr.contains(&format!("icare export --to {agg_key} --out FILE")),
        "{stderr}"
    );
    assert!(ok(&agg, &["keys"]).contains("No trusted sites yet"));
    let to = tmp.path().join("to.icb");
    let key = analyst.public.clone();
    let stdout = ok(
        &data,
        &[
            "export",
            "--out",
            to.to_str().unwrap(),
            "--to",
            &agg_key,
            "--to",
            &key,
        ],
    );
    assert!(
        stdout.contains(&format!("also wrapped for {key}")),
        "{stdout}"
    );
    let stdout = ok(&agg, &["import", "--trust-new-site", to.to_str().unwrap()]);
    assert!(stdout.contains("3 of 3 records added"), "{stdout}");
    assert_eq!(analyst.read(&agg).0.len(), 3);
    // An analyst's own store (docs/analyst-data.md): a batch wrapped for the analyst only is
    // checked with the analyst's key.
    let (analysis, _) = aggregation(&tmp.path().join("analysis"), true);
    let only = tmp.path().join("analyst.icb");
    ok(
        &data,
        &["export", "--out", only.to_str().unwrap(), "--to", &key],
    );
    let k = analyst.key.to_str().unwrap();
    let o = only.to_str().unwrap();
    let stderr = fails(&analysis, &["import", "--trust-new-site", o]);
    assert!(stderr.contains("cannot be read with"), "{stderr}");
    let stdout = ok(
        &analysis,
        &["import", "--trust-new-site", "--identity", k, o],
    );
    assert!(stdout.contains("3 of 3 records added"), "{stdout}");
    assert_eq!(analyst.read(&analysis).0.len(), 3);
}

#[test]
fn a_commissioner_reports_by_site_with_suppression_applied_per_site() {
    let tmp = tempfile::tempdir().unwrap();
    let (agg, key) = aggregation(tmp.path(), true);
    let sites = [("North Surgery", 40u32), ("South Clinic", 25), ("East", 6)];
    let mut paths = Vec::new();
    for (name, n) in sites {
        let data = practice(tmp.path(), name, &key, n);
        let out = tmp.path().join(format!("{}.icb", name.replace(' ', "")));
        ok(&data, &["export", "--out", out.to_str().unwrap()]);
        paths.push(out.to_str().unwrap().to_string());
    }
    for _ in 0..2 {
        let mut args = vec!["import", "--trust-new-site"];
        args.extend(paths.iter().map(String::as_str));
        ok(&agg, &args);
    }
    let json = ok(&agg, &["report", "--by", "site", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["responses"], 71, "each response counted once");
    assert_eq!(report["synthetic"], true);
    let by_site: BTreeMap<String, (u64, bool)> = report["by_site"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let name = g["site"].as_str().unwrap().to_string();
            (
                name,
                (g["responses"].as_u64().unwrap(), g["suppressed"] == true),
            )
        })
        .collect();
    assert_eq!(
        by_site.get("North Surgery"),
        Some(&(40, false)),
        "{by_site:?}"
    );
    // East's 6 responses are never shown on their own: East is pooled, and the next smallest
    // site joins the pool, since a pool of 6 would be hidden and East then follow from the total.
    assert!(!by_site.contains_key("East"), "{by_site:?}");
    let pooled = by_site
        .iter()
        .find(|(name, _)| name.contains("pooled") && name.contains("East"))
        .map(|(name, v)| (name.as_str(), *v));
    assert_eq!(
        pooled,
        Some(("Other sites, pooled (East, South Clinic)", (31, false))),
        "{by_site:?}"
    );
    let html = ok(&agg, &["report", "--by", "site", "--format", "html"]);
    assert!(html.contains("North Surgery") && html.contains("pooled"));
}
