//! `icare init`, `verify`, `decrypt` and `simulate` as a user runs them, and each error's exit 2.

use std::path::PathBuf;
use std::process::Output;

use crate::util::{Analyst, PASSPHRASE, icare, texts};

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

pub(crate) fn code(out: &Output) -> Option<i32> {
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
