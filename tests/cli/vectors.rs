//! The checked-in test vectors (`tests/testdata/store-v1/`, `store-v2/`) through the binary: they
//! decrypt to their expected plaintext, verify, and their damage is reported naming the file.

use std::path::{Path, PathBuf};

use crate::store::code;
use crate::util::{icare, texts};

fn vector() -> (PathBuf, PathBuf, PathBuf) {
    let t = crate::util::repo("tests/testdata");
    (
        t.join("store-v1"),
        t.join("store-v1.passphrase"),
        t.join("store-v1.survey.toml"),
    )
}

/// Every response of the store in `data` as a vector's `.expected.jsonl` records it, in the order
/// the store holds them, read through the library with the manager's identity: `icare decrypt` is
/// for analysts and shuffles, so it cannot show the stored order.
fn stored_lines(data: &Path, pass: &Path, survey: &Path) -> Vec<serde_json::Value> {
    let pass = std::fs::read_to_string(pass).unwrap();
    let pass = age::secrecy::SecretString::from(pass.lines().next().unwrap().to_string());
    let id = icare::keys::unlock_identity(data, &pass).unwrap();
    let survey = icare::survey::from_file(survey).unwrap();
    icare::store::read_all(data, &id)
        .unwrap()
        .enumerate()
        .map(|(k, r)| expected_line(k, &r.unwrap().1, &survey))
        .collect()
}

/// One response as the vectors' `.expected.jsonl` record it (the JSON lines decrypt wrote before
/// it de-identified its output): what the store holds, in the order it holds it.
fn expected_line(
    k: usize,
    r: &icare::response::Response,
    survey: &icare::survey::Survey,
) -> serde_json::Value {
    use icare::response::Answer;
    let answer = |item: &str, theme: &str, a: Answer| {
        let (status, value) = match a {
            Answer::Value(v) => ("answered", Some(v)),
            Answer::NotApplicable => ("not_applicable", None),
            Answer::Skipped => ("skipped", None),
        };
        serde_json::json!({"item": item, "theme": theme, "status": status, "value": value})
    };
    serde_json::json!({
        "response": format!("synthetic-{}", k + 1),
        "synthetic": true,
        "period": r.period.to_string(),
        "survey": r.survey_id,
        "survey_hash": r.survey_hash.to_string(),
        "language": r.language,
        "answers": survey.items.iter().zip(&r.answers)
            .map(|(i, a)| answer(&i.id, &i.theme, *a)).collect::<Vec<_>>(),
        "headline": answer(&survey.headline.as_ref().unwrap().id, "", r.headline),
        "comment": r.comment,
    })
}

#[test]
fn test_vector_store_decrypts_to_its_expected_plaintext() {
    let (_, pass, survey) = vector();
    // A copy: the checked-out secret files are readable by all, which every command refuses.
    let (_tmp, data, _) = vector_copy();
    let got = stored_lines(&data, &pass, &survey);
    let expected: Vec<serde_json::Value> =
        std::fs::read_to_string(crate::util::repo("tests/testdata/store-v1.expected.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    assert_eq!(got, expected);
    let out = icare(&data).args(["verify"]).output().unwrap();
    let (stdout, _) = texts(&out);
    assert_eq!(code(&out), Some(0), "{stdout}");
    assert!(
        stdout.contains("total") && stdout.contains(" 5"),
        "{stdout}"
    );
}

/// A copy of the test vector store in a temporary folder.
fn vector_copy() -> (tempfile::TempDir, PathBuf, PathBuf) {
    vector_copy_of("store-v1")
}

/// A copy of the test vector `name` in a temporary folder, and its last records file.
fn vector_copy_of(name: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let data = crate::util::repo("tests/testdata").join(name);
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("data");
    for sub in ["keys", "records"] {
        std::fs::create_dir_all(copy.join(sub)).unwrap();
        for e in std::fs::read_dir(data.join(sub)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, copy.join(sub).join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::copy(data.join("store.meta"), copy.join("store.meta")).unwrap();
    // Git keeps no permissions: the checked-out secret files are readable by all, which every
    // command refuses.
    for secret in [
        "keys/manager.age",
        "keys/exit-pin.phc",
        "keys/site-signing.key",
    ] {
        if copy.join(secret).exists() {
            crate::util::chmod(&copy.join(secret), 0o600);
        }
    }
    let mut last: Vec<PathBuf> = std::fs::read_dir(copy.join("records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "icr"))
        .collect();
    last.sort();
    let last = last.pop().unwrap();
    (tmp, copy, last)
}

#[test]
fn test_vector_v2_decrypts_to_its_expected_plaintext_and_verifies() {
    let t = crate::util::repo("tests/testdata");
    let (pass, survey) = (
        t.join("store-v2.passphrase"),
        t.join("store-v2.survey.toml"),
    );
    let (_tmp, data, _) = vector_copy_of("store-v2");
    let got = stored_lines(&data, &pass, &survey);
    let expected: Vec<serde_json::Value> =
        std::fs::read_to_string(t.join("store-v2.expected.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    assert_eq!(got, expected);
    for with_key in [false, true] {
        let mut cmd = icare(&data);
        cmd.arg("verify");
        if with_key {
            cmd.arg("--passphrase-file").arg(&pass);
        }
        let out = cmd.output().unwrap();
        let (stdout, _) = texts(&out);
        assert_eq!(code(&out), Some(0), "{stdout}");
        assert!(
            stdout
                .lines()
                .any(|l| l.trim_start().starts_with("total") && l.trim_end().ends_with(" 40")),
            "{stdout}"
        );
        assert!(
            stdout.contains("ledger signed by icare-site-ed25519:"),
            "{stdout}"
        );
    }
}

/// Not a test: `scripts/make-store-v2-vector.sh` runs it to write a new vector's expected
/// plaintext to the file `ICARE_VECTOR_OUT` names.
#[test]
#[ignore = "run by scripts/make-store-v2-vector.sh"]
fn write_the_v2_vectors_expected_plaintext() {
    let out = std::env::var_os("ICARE_VECTOR_OUT").expect("ICARE_VECTOR_OUT: the file to write");
    let t = crate::util::repo("tests/testdata");
    let (_tmp, data, _) = vector_copy_of("store-v2");
    let lines = stored_lines(
        &data,
        &t.join("store-v2.passphrase"),
        &t.join("store-v2.survey.toml"),
    );
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(out, text).unwrap();
}

#[test]
fn test_vector_v2_damage_is_reported_naming_the_file() {
    let pass = crate::util::repo("tests/testdata/store-v2.passphrase");
    type Damage = fn(&Path, &mut Vec<u8>);
    let cases: [(&str, Damage, &str); 4] = [
        ("truncated", |_, b| b.truncate(b.len() - 7), "cut short"),
        (
            "bit flip",
            |_, b| {
                let n = b.len();
                b[n - 6] ^= 1
            },
            "checksum",
        ),
        (
            "last record removed",
            |_, b| {
                let scan = icare::store::format::scan(b, icare::store::format::MAGIC_RECORDS, "r")
                    .unwrap();
                b.truncate(scan.frames.last().unwrap().offset);
            },
            "records were removed",
        ),
        (
            "ledger removed",
            |p, _| std::fs::remove_file(p.with_file_name("ledger")).unwrap(),
            "not counted",
        ),
    ];
    for (what, damage, message) in cases {
        damage_is_reported("store-v2", &pass, what, damage, &[message]);
    }
}

/// Damage the last records file of a copy of the vector `name`; `verify` with the passphrase
/// exits 1 with a line naming the file and holding every one of `needles`.
fn damage_is_reported(
    name: &str,
    pass: &Path,
    what: &str,
    damage: impl Fn(&Path, &mut Vec<u8>),
    needles: &[&str],
) {
    let (_tmp, data, last) = vector_copy_of(name);
    let mut bytes = std::fs::read(&last).unwrap();
    damage(&last, &mut bytes);
    std::fs::write(&last, bytes).unwrap();
    let out = icare(&data)
        .args(["verify", "--passphrase-file"])
        .arg(pass)
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert_eq!(code(&out), Some(1), "{what}: {stdout}{stderr}");
    let file = last.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        stdout
            .lines()
            .any(|l| l.contains(&file) && needles.iter().all(|n| l.contains(n))),
        "{what}: {stdout}"
    );
}

#[test]
fn test_vector_damage_is_reported() {
    let (_, pass, _) = vector();
    type Damage = fn(&mut Vec<u8>);
    let cases: [(&str, Damage, &str); 3] = [
        ("truncated", |b| b.truncate(b.len() - 7), "torn tail"),
        (
            "bad tag",
            |b| {
                let n = b.len();
                b[n - 6] ^= 1
            },
            "checksum",
        ),
        (
            "trailing garbage",
            |b| b.extend_from_slice(b"garbage!garbage!"),
            "frame header",
        ),
    ];
    for (what, damage, message) in cases {
        let damage = |_: &Path, b: &mut Vec<u8>| damage(b);
        damage_is_reported("store-v1", &pass, what, damage, &["offset", message]);
    }
}

#[test]
fn a_torn_tail_is_reported_then_quarantined_on_the_next_start() {
    // Version-1 files were appended to, so a crash could tear one; version 2 never tears.
    let (_, pass, _) = vector();
    let (_tmp, data, last) = vector_copy();
    let mut bytes = std::fs::read(&last).unwrap();
    let whole = bytes.len();
    // Half of a copy of the last record frame: what a power cut mid-write leaves.
    let frame = bytes[whole - 309..whole - 150].to_vec();
    bytes.extend_from_slice(&frame);
    std::fs::write(&last, &bytes).unwrap();
    let run = |args: &[&str]| {
        let out = icare(&data)
            .args(args)
            .arg("--passphrase-file")
            .arg(&pass)
            .output()
            .unwrap();
        let (o, e) = texts(&out);
        (out, o, e)
    };
    let (out, stdout, _) = run(&["verify"]);
    assert_eq!(code(&out), Some(1), "{stdout}");
    assert!(
        stdout.contains("torn tail") && stdout.contains(&format!("offset {whole}")),
        "{stdout}"
    );
    let out = icare(&data)
        .args(["simulate", "--count", "1"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&out);
    assert_eq!(code(&out), Some(0), "{stderr}");
    assert!(
        stderr.contains("cut a torn tail") && stderr.contains("quarantine"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&last).unwrap().len(), whole);
    let (out, stdout, _) = run(&["verify"]);
    assert_eq!(code(&out), Some(0), "{stdout}");
    assert!(
        stdout.contains("1 torn tail(s) kept in quarantine"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.trim_start().starts_with("total") && l.trim_end().ends_with(" 6")),
        "{stdout}"
    );
}
