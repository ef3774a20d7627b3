//! `icare init`, `verify`, `decrypt` and `simulate` as a user runs them, and each error's exit 2.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{Analyst, icare, texts};

const PASSPHRASE: &str = "correct horse battery staple";

struct Site {
    _tmp: tempfile::TempDir,
    data: PathBuf,
    pass: PathBuf,
    pin: PathBuf,
    /// An analyst's key, beside the data folder; `synthetic_site` adds it as a recipient.
    analyst: Analyst,
}

fn site() -> Site {
    let tmp = tempfile::tempdir().unwrap();
    let pass = tmp.path().join("pass");
    let pin = tmp.path().join("pin");
    std::fs::write(&pass, format!("{PASSPHRASE}\n")).unwrap();
    std::fs::write(&pin, "246813\n").unwrap();
    Site {
        data: tmp.path().join("data"),
        analyst: Analyst::new(tmp.path()),
        _tmp: tmp,
        pass,
        pin,
    }
}

impl Site {
    fn run(&self, args: &[&str]) -> (Output, String, String) {
        let out = icare(&self.data).args(args).output().unwrap();
        let (o, e) = texts(&out);
        (out, o, e)
    }

    fn init(&self, extra: &[&str]) -> (Output, String, String) {
        let mut args = vec!["init", "--kdf-work-factor", "8", "--site", "Test practice"];
        args.extend(["--passphrase-file", self.pass.to_str().unwrap()]);
        args.extend(["--exit-pin-file", self.pin.to_str().unwrap()]);
        args.extend(extra);
        self.run(&args)
    }

    fn with_pass(&self, args: &[&str]) -> (Output, String, String) {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--passphrase-file", self.pass.to_str().unwrap()]);
        self.run(&a)
    }

    /// `decrypt` with the analyst's identity and `args`.
    fn decrypt(&self, args: &[&str]) -> (Output, String, String) {
        let out = self
            .analyst
            .decrypt(&self.data)
            .args(args)
            .output()
            .unwrap();
        let (o, e) = texts(&out);
        (out, o, e)
    }

    /// The records files (the ledger beside them is not one).
    fn records(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.data.join("records"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "icr"))
            .collect();
        v.sort();
        v
    }
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

fn synthetic_site(n: &str) -> Site {
    let s = site();
    let analyst = s.analyst.public.clone();
    let (out, stdout, stderr) = s.init(&["--synthetic", "--recipient", &analyst]);
    assert_eq!(code(&out), Some(0), "{stderr}");
    assert!(stdout.contains("age1"), "{stdout}");
    let (out, _, stderr) = s.run(&["simulate", "--count", n, "--seed", "7"]);
    assert_eq!(code(&out), Some(0), "{stderr}");
    s
}

#[test]
fn init_prints_the_key_and_refuses_to_overwrite() {
    let s = site();
    let (out, stdout, stderr) = s.init(&[]);
    assert_eq!(code(&out), Some(0), "{stderr}");
    assert!(stdout.contains("Manager public key: age1"), "{stdout}");
    assert!(stdout.contains("keys/manager.age"), "{stdout}");
    assert!(s.data.join("keys/exit-pin.phc").exists());
    let (out, _, stderr) = s.init(&[]);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr.contains("store.meta") && stderr.contains("refusing to overwrite"),
        "{stderr}"
    );
}

#[test]
fn init_rejects_short_passphrases_bad_pins_and_bad_recipients() {
    let s = site();
    std::fs::write(&s.pass, "short\n").unwrap();
    let (out, _, stderr) = s.init(&[]);
    assert_eq!(code(&out), Some(2));
    assert!(stderr.contains("at least 12 characters"), "{stderr}");
    std::fs::write(&s.pass, PASSPHRASE).unwrap();
    for short in ["12", "2468"] {
        std::fs::write(&s.pin, short).unwrap();
        let (out, _, stderr) = s.init(&[]);
        assert_eq!(code(&out), Some(2));
        assert!(stderr.contains("6 to 12 digits"), "{stderr}");
    }
    std::fs::write(&s.pin, "246813").unwrap();
    let (out, _, stderr) = s.init(&["--recipient", "age1notakey"]);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr.contains("age1notakey") && stderr.contains("not an age X25519 public key"),
        "{stderr}"
    );
    assert!(!s.data.join("store.meta").exists());
}

#[test]
fn simulate_refuses_a_real_store() {
    let s = site();
    assert_eq!(code(&s.init(&[]).0), Some(0));
    let (out, _, stderr) = s.run(&["simulate", "--count", "3"]);
    assert_eq!(code(&out), Some(2));
    assert!(stderr.contains("not a synthetic store"), "{stderr}");
    assert!(s.records().is_empty());
}

#[test]
fn verify_counts_per_period_with_and_without_a_passphrase() {
    let s = synthetic_site("40");
    let (out, stdout, stderr) = s.run(&["verify"]);
    assert_eq!(code(&out), Some(0), "{stderr}");
    assert!(stdout.contains("SYNTHETIC"), "{stdout}");
    assert!(stdout.contains("framing checked"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.trim_start().starts_with("total") && l.trim_end().ends_with(" 40")),
        "{stdout}"
    );
    let (out, stdout, stderr) = s.with_pass(&["verify"]);
    assert_eq!(code(&out), Some(0), "{stderr}");
    assert!(stdout.contains("every record opened"), "{stdout}");
    assert!(stdout.contains("OK"), "{stdout}");
}

#[test]
fn verify_reports_damage_with_file_and_offset() {
    let s = synthetic_site("5");
    let file = s.records().remove(0);
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.len() - 3;
    bytes[at] ^= 0x10;
    std::fs::write(&file, bytes).unwrap();
    let (out, stdout, _) = s.run(&["verify"]);
    assert_eq!(code(&out), Some(1), "{stdout}");
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        stdout
            .lines()
            .any(|l| l.contains(&name) && l.contains("offset")),
        "{stdout}"
    );
    // Reading goes on past the damage and names it, exit 3 (done, but some data unreadable).
    let (out, _, stderr) = s.decrypt(&["--format", "csv"]);
    assert_eq!(code(&out), Some(3), "{stderr}");
    assert!(
        stderr.contains("could not read") && stderr.contains(&name) && stderr.contains("offset"),
        "{stderr}"
    );
}

#[test]
fn decrypt_writes_tidy_csv_and_labelled_jsonl() {
    let s = synthetic_site("6");
    let out_file = s.data.parent().unwrap().join("out.csv");
    let (out, _, stderr) = s.decrypt(&["--format", "csv", "--out", out_file.to_str().unwrap()]);
    assert_eq!(code(&out), Some(0), "{stderr}");
    assert!(stderr.contains("SYNTHETIC"), "{stderr}");
    let csv = std::fs::read_to_string(&out_file).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "synthetic,response,site,period,language,survey,item,theme,value,label,score,positive,reversed,dont_know,status"
        )
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // Every item and the headline, per response.
    let survey = icare::survey::embedded().unwrap();
    assert_eq!(rows.len(), 6 * (survey.items.len() + 1));
    assert!(
        rows.iter()
            .all(|r| r.len() == 15 && r[0] == "true" && r[1].starts_with("synthetic-"))
    );
    assert!(
        rows.iter()
            .all(|r| ["answered", "not_applicable", "skipped"].contains(&r[14]))
    );
    assert!(
        rows.iter().filter(|r| r[7].is_empty()).count() == 6,
        "one headline row each"
    );
    // Six responses are too few to name their site, week or language.
    assert!(rows.iter().all(|r| r[2] == "other" && r[4] == "other"));
    let (out, stdout, _) = s.decrypt(&["--format", "jsonl"]);
    assert_eq!(code(&out), Some(0));
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert!(lines.iter().all(|l| l["synthetic"] == true
        && l["answers"].as_array().unwrap().len() == survey.items.len()
        && l.get("comment").is_none()));
}

#[test]
fn wrong_passphrase_exits_2_and_creates_no_output() {
    let s = synthetic_site("2");
    std::fs::write(&s.pass, "not the passphrase at all").unwrap();
    let out_file = s.data.parent().unwrap().join("out.json");
    let (out, _, stderr) = s.with_pass(&[
        "report",
        "--format",
        "json",
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr.contains("wrong passphrase") && stderr.contains("manager.age"),
        "{stderr}"
    );
    assert!(!out_file.exists());
    let leftovers = std::fs::read_dir(s.data.parent().unwrap()).unwrap().count();
    assert_eq!(
        leftovers, 4,
        "data, pass, pin, analyst.key and nothing else"
    );
}

#[test]
fn missing_identity_file_exits_2_naming_it() {
    let s = synthetic_site("2");
    std::fs::remove_file(s.data.join("keys/manager.age")).unwrap();
    let (out, _, stderr) = s.with_pass(&["report", "--format", "csv"]);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr.contains("manager.age") && stderr.contains("no identity file"),
        "{stderr}"
    );
}

#[test]
fn a_newer_format_version_exits_2_naming_the_file() {
    let s = synthetic_site("2");
    let file = s.records().remove(0);
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[8] = 9;
    std::fs::write(&file, bytes).unwrap();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    for args in [
        &["verify", "--passphrase-file", s.pass.to_str().unwrap()][..],
        &[
            "decrypt",
            "--format",
            "csv",
            "--identity",
            s.analyst.key.to_str().unwrap(),
        ][..],
        &["simulate", "--count", "1"][..],
    ] {
        let (out, _, stderr) = s.run(args);
        assert_eq!(code(&out), Some(2), "{args:?}");
        assert!(
            stderr.contains(&name) && stderr.contains("version 9"),
            "{args:?}: {stderr}"
        );
    }
    let meta = s.data.join("store.meta");
    let mut bytes = std::fs::read(&meta).unwrap();
    bytes[8] = 9;
    std::fs::write(&meta, bytes).unwrap();
    let (out, _, stderr) = s.run(&["verify"]);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr.contains("store.meta") && stderr.contains("version 9"),
        "{stderr}"
    );
}

#[test]
fn another_recipient_decrypts_alone_and_a_stranger_cannot() {
    let s = site();
    let team = age::x25519::Identity::generate();
    let team_file = s.data.parent().unwrap().join("team.key");
    std::fs::write(
        &team_file,
        format!(
            "{}\n",
            age::secrecy::ExposeSecret::expose_secret(&team.to_string())
        ),
    )
    .unwrap();
    // A secret key file others can read is refused, naming the fix; private, it is used.
    crate::util::chmod(&team_file, 0o644);
    let (out, _, stderr) = s.init(&["--synthetic", "--recipient", &team.to_public().to_string()]);
    assert_eq!(code(&out), Some(0), "{stderr}");
    let (out, _, stderr) = s.run(&[
        "decrypt",
        "--format",
        "csv",
        "--identity",
        team_file.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr.contains(&format!("chmod 600 {}", team_file.display())),
        "{stderr}"
    );
    crate::util::chmod(&team_file, 0o600);
    assert_eq!(code(&s.run(&["simulate", "--count", "3"]).0), Some(0));
    let (out, stdout, stderr) = s.run(&[
        "decrypt",
        "--format",
        "jsonl",
        "--identity",
        team_file.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), Some(0), "{stderr}");
    assert_eq!(stdout.lines().count(), 3);
    // The identity of another store is not a recipient of this one.
    let other = synthetic_site("1");
    let other_id = other.data.join("keys/manager.age");
    let out = icare(&s.data)
        .args(["decrypt", "--format", "csv", "--identity"])
        .arg(&other_id)
        .env("ICARE_ANALYST_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    let (_, stderr) = texts(&out);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr.contains("no matching identity") && stderr.contains(".icr"),
        "{stderr}"
    );
    let (out, _, stderr) = s.with_pass(&["verify", "--identity", other_id.to_str().unwrap()]);
    assert_eq!(code(&out), Some(2));
    assert!(stderr.contains("no matching identity"), "{stderr}");
}

#[test]
fn no_store_exits_2_naming_the_folder() {
    let s = site();
    let (out, _, stderr) = s.run(&["verify"]);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr.contains(&*s.data.to_string_lossy()) && stderr.contains("icare init"),
        "{stderr}"
    );
}

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
