//! A commissioner's aggregation store as issue 13 tried it, at the command line: a batch whose
//! keys are not for this store is refused with the practice's command; a new key claiming a
//! trusted site's name is refused until replaced; a batch that never arrived is listed in
//! `import` and in every report format; a site (or a file) that cannot be read is named, the rest
//! read, exit 3.

use std::path::{Path, PathBuf};

use crate::batches::{aggregation, practice_for, signing_key};
use crate::util::{Analyst, icare, texts};
use crate::util::{fails, ok, run};

/// A practice `site` readable by `recipients` with `n` responses, exported whole and imported
/// into `agg` (trusting its key); the practice's folder.
fn imported(tmp: &Path, agg: &Path, site: &str, recipients: &[&str], n: u32) -> PathBuf {
    let data = practice_for(tmp, site, recipients, n);
    let batch = tmp.join(format!("{site}.icb"));
    ok(&data, &["export", "--out", batch.to_str().unwrap()]);
    ok(
        agg,
        &["import", "--trust-new-site", batch.to_str().unwrap()],
    );
    data
}

/// A copy of another aggregation store's imported file: how a batch imported by an earlier
/// version, which did not check the keys, sits in a store.
fn plant_unreadable(tmp: &Path, agg: &Path, site: &str) {
    let (other, other_key) = aggregation(&tmp.join(format!("other-{site}")), true);
    imported(tmp, &other, site, &[&other_key], 4);
    for entry in std::fs::read_dir(other.join("imported")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), agg.join("imported").join(entry.file_name())).unwrap();
    }
}

fn code(data: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let (out, stdout, stderr) = run(data, args);
    (out.status.code(), stdout, stderr)
}

#[test]
fn a_practice_with_the_wrong_key_is_refused_and_told_what_to_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (agg, key) = aggregation(tmp.path(), true);
    let (_, stranger) = aggregation(&tmp.path().join("elsewhere"), true);
    let data = practice_for(tmp.path(), "West", &[&stranger], 5);
    let batch = tmp.path().join("west.icb");
    ok(&data, &["export", "--out", batch.to_str().unwrap()]);
    let stderr = fails(
        &agg,
        &["import", "--trust-new-site", batch.to_str().unwrap()],
    );
    assert!(
        stderr.contains("site \"West\"")
            && stderr.contains(&format!("icare export --to {key} --out FILE"))
            && stderr.contains("nothing was imported"),
        "{stderr}"
    );
    assert!(ok(&agg, &["keys"]).contains("No trusted sites yet"));
    // The practice runs it; the batch comes in.
    let fixed = tmp.path().join("west-to.icb");
    ok(
        &data,
        &["export", "--to", &key, "--out", fixed.to_str().unwrap()],
    );
    let stdout = ok(
        &agg,
        &["import", "--trust-new-site", fixed.to_str().unwrap()],
    );
    assert!(stdout.contains("5 of 5 records added"), "{stdout}");
}

#[test]
fn a_new_key_for_a_trusted_site_name_needs_an_explicit_replace_and_is_logged() {
    let tmp = tempfile::tempdir().unwrap();
    let (agg, key) = aggregation(tmp.path(), true);
    let a = practice_for(tmp.path(), "Site A", &[&key], 3);
    let b1 = tmp.path().join("a1.icb");
    ok(&a, &["export", "--out", b1.to_str().unwrap()]);
    ok(&agg, &["import", "--trust-new-site", b1.to_str().unwrap()]);
    let old = signing_key(&a);
    let old_fp = &old["icare-site-ed25519:".len()..][..16];
    // A new store (a kiosk set up again) claims the same name.
    let again = practice_for(&tmp.path().join("again"), "Site A", &[&key], 2);
    let new = signing_key(&again);
    let b2 = tmp.path().join("a2.icb");
    ok(&again, &["export", "--out", b2.to_str().unwrap()]);
    let stderr = fails(&agg, &["import", "--trust-new-site", b2.to_str().unwrap()]);
    let command = format!("icare trust --replace {old_fp} {new} --site \"Site A\"");
    assert!(stderr.contains(&command), "{stderr}");
    let stdout = ok(
        &agg,
        &["trust", "--replace", old_fp, &new, "--site", "Site A"],
    );
    assert!(stdout.contains("replaced"), "{stdout}");
    assert!(ok(&agg, &["import", b2.to_str().unwrap()]).contains("2 of 2 records added"));
    let keys = ok(&agg, &["keys"]);
    assert!(
        keys.contains("Key log")
            && keys.contains(&format!("key {old_fp} replaced by {}", &new[19..35])),
        "{keys}"
    );
    assert_eq!(keys.matches("Trusted site:").count(), 1, "{keys}");
}

#[test]
fn a_batch_that_never_arrived_is_listed_by_import_and_in_every_report_format() {
    let tmp = tempfile::tempdir().unwrap();
    let (agg, key) = aggregation(tmp.path(), true);
    let data = practice_for(tmp.path(), "North", &[&key], 12);
    let out = |n: u32| tmp.path().join(format!("{n}.icb"));
    for n in 1..=3 {
        if n > 1 {
            ok(
                &data,
                &["simulate", "--count", "12", "--seed", &n.to_string()],
            );
        }
        let stdout = ok(
            &data,
            &["export", "--since-last", "--out", out(n).to_str().unwrap()],
        );
        assert!(
            stdout.contains(&format!("Batch {n} of this store's --since-last chain")),
            "{stdout}"
        );
    }
    let stdout = ok(
        &agg,
        &[
            "import",
            "--trust-new-site",
            out(1).to_str().unwrap(),
            out(3).to_str().unwrap(),
        ],
    );
    assert!(
        stdout.contains("Missing: North: batch 2 of 3 not received"),
        "{stdout}"
    );
    for format in ["text", "markdown", "csv", "json", "html"] {
        let (status, report, stderr) = code(&agg, &["report", "--format", format]);
        assert_eq!(status, Some(0), "{format}: {stderr}");
        let said = if format == "csv" {
            report.contains("site_batches,North,North,,,2 of 3,missing_batch,")
        } else {
            report.contains("batch 2 of 3 not received")
        };
        assert!(said, "{format}: {report}");
        assert!(stderr.contains("missing: North: batch 2 of 3"), "{stderr}");
    }
    let json = ok(&agg, &["report", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let north = &v["sites_and_batches"]["sites"][0];
    assert_eq!(north["site"], "North");
    assert_eq!(north["missing"][0]["batch"], 2);
    assert!(north["latest_period"].is_string());
    // It arrives: nothing is missing any more.
    let stdout = ok(&agg, &["import", out(2).to_str().unwrap()]);
    assert!(!stdout.contains("Missing:"), "{stdout}");
    let report = ok(&agg, &["report"]);
    assert!(!report.contains("not received"), "{report}");
}

#[test]
fn an_unreadable_site_is_named_and_the_others_are_read_with_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    let (agg, key) = aggregation(tmp.path(), true);
    let analyst = Analyst::new(tmp.path());
    imported(tmp.path(), &agg, "North", &[&key, &analyst.public], 12);
    plant_unreadable(tmp.path(), &agg, "West");
    for format in ["text", "json"] {
        let (status, report, stderr) = code(&agg, &["report", "--format", format, "--min-n", "5"]);
        assert_eq!(status, Some(3), "{stderr}");
        assert!(
            stderr.contains("could not read site \"West\"") && stderr.contains("icare export --to"),
            "{stderr}"
        );
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&report).unwrap();
            let place = &v["sites_and_batches"]["could_not_read"][0]["place"];
            assert_eq!(place, "site \"West\"", "{report}");
        } else {
            assert!(report.contains("Could not read site \"West\""), "{report}");
        }
    }
    let json = ok_or_3(&agg, &["report", "--format", "json", "--min-n", "5"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["responses"], 12, "North's responses are all read");
    let (status, stdout, _) = code(&agg, &["verify"]);
    assert_eq!(status, Some(3), "{stdout}");
    assert!(stdout.contains("Could not read site \"West\""), "{stdout}");
    let out = analyst
        .decrypt(&agg)
        .args(["--format", "csv", "--min-n", "5"])
        .output()
        .unwrap();
    let (csv, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("site \"West\""), "{stderr}");
    assert!(csv.lines().count() > 12, "North's rows are written");
    let help = texts(&icare(&agg).args(["report", "--help"]).output().unwrap()).0;
    assert!(
        help.contains("Exit status") && help.contains("3 when"),
        "{help}"
    );
}

fn ok_or_3(data: &Path, args: &[&str]) -> String {
    let (status, stdout, stderr) = code(data, args);
    assert!(matches!(status, Some(0 | 3)), "{stderr}");
    stdout
}

#[test]
fn in_a_practices_store_a_file_the_ledger_does_not_vouch_for_is_named_and_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, key) = aggregation(tmp.path(), true);
    let data = practice_for(tmp.path(), "North", &[&key], 30);
    let records: PathBuf = data.join("records");
    let file = std::fs::read_dir(&records)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "icr"))
        .unwrap();
    let copy = records.join("2020-W01.icr");
    std::fs::copy(&file, &copy).unwrap();
    let (status, _, stderr) = code(&data, &["report", "--min-n", "5"]);
    assert_eq!(status, Some(3), "{stderr}");
    assert!(
        stderr.contains("could not read") && stderr.contains("2020-W01.icr"),
        "{stderr}"
    );
}

/// `icare summary` on the same store: the screen says first what it leaves out, and the command
/// exits 3 when the manager quits.
#[test]
fn the_summary_screen_names_the_unreadable_site_and_exits_3() {
    let tmp = tempfile::tempdir().unwrap();
    let (agg, key) = aggregation(tmp.path(), true);
    imported(tmp.path(), &agg, "North", &[&key], 40);
    plant_unreadable(tmp.path(), &agg, "West");
    let mut pty = crate::pty::Pty::spawn(
        &agg,
        &["summary"],
        &[("ICARE_PASSPHRASE", "correct horse battery staple")],
        100,
        30,
    );
    let screen = pty.wait_for("Overall experience", std::time::Duration::from_secs(60));
    assert!(screen.contains("Could not read site \"West\""), "{screen}");
    pty.send(b"q");
    assert_eq!(pty.wait_exit(std::time::Duration::from_secs(60)), Some(3));
}
