//! Two kiosks in one practice, as `icare --help` tells a manager: each kiosk exports, the
//! practice's own aggregation store imports both (the second as another kiosk of the same site),
//! and the summary and reports show one site, suppressed as one site.

use crate::batches::{aggregation, practice_for, signing_key};
use crate::util::icare;
use crate::util::{fails, ok};

#[test]
fn two_kiosks_of_one_practice_read_as_one_site() {
    let tmp = tempfile::tempdir().unwrap();
    let help = String::from_utf8(icare(tmp.path()).arg("--help").output().unwrap().stdout).unwrap();
    assert!(
        help.contains("Two kiosks in one practice") && help.contains("--add-kiosk"),
        "{help}"
    );
    // The practice's own aggregation store, as the help says.
    let (practice, key) = aggregation(tmp.path(), true);
    let k1 = practice_for(&tmp.path().join("one"), "North Surgery", &[&key], 14);
    let k2 = practice_for(&tmp.path().join("two"), "North Surgery", &[&key], 9);
    let b1 = tmp.path().join("k1.icb");
    let b2 = tmp.path().join("k2.icb");
    ok(
        &k1,
        &["export", "--since-last", "--out", b1.to_str().unwrap()],
    );
    ok(
        &k2,
        &["export", "--since-last", "--out", b2.to_str().unwrap()],
    );
    ok(
        &practice,
        &["import", "--trust-new-site", b1.to_str().unwrap()],
    );
    // The second kiosk is another key for the same name: refused, with the command to run.
    let stderr = fails(
        &practice,
        &["import", "--trust-new-site", b2.to_str().unwrap()],
    );
    let k2_key = signing_key(&k2);
    let command = format!("icare trust {k2_key} --site \"North Surgery\" --add-kiosk");
    assert!(stderr.contains(&command), "{stderr}");
    ok(
        &practice,
        &["trust", &k2_key, "--site", "North Surgery", "--add-kiosk"],
    );
    let stdout = ok(&practice, &["import", b2.to_str().unwrap()]);
    assert!(stdout.contains("9 of 9 records added"), "{stdout}");
    assert!(
        stdout.contains("North Surgery: 2 kiosks, 2 batches"),
        "{stdout}"
    );
    // One summary: every response, one site; by site, one row (nothing to subtract).
    let json = ok(&practice, &["report", "--format", "json", "--by", "site"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["responses"], 23);
    assert_eq!(v["sites"], serde_json::json!(["North Surgery"]));
    let rows = v["by_site"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["site"], "North Surgery");
    assert_eq!(rows[0]["responses"], 23);
    assert_eq!(v["sites_and_batches"]["sites"][0]["kiosks"], 2);
    let text = ok(&practice, &["report"]);
    assert!(
        text.contains("North Surgery: 2 kiosks, 2 batches"),
        "{text}"
    );
    // Next week each kiosk sends what is new; nothing is counted twice.
    ok(&k2, &["simulate", "--count", "3", "--seed", "8"]);
    let b3 = tmp.path().join("k2-2.icb");
    ok(
        &k2,
        &["export", "--since-last", "--out", b3.to_str().unwrap()],
    );
    ok(&practice, &["import", b3.to_str().unwrap()]);
    let v: serde_json::Value =
        serde_json::from_str(&ok(&practice, &["report", "--format", "json"])).unwrap();
    assert_eq!(v["responses"], 26);
}
