//! `icare verify` without the manager identity (moved off the kiosk, as docs/deploy.md advises):
//! everything that needs no key is checked, whatever the environment holds, and the output says
//! what was not opened and why. The key files are checked without any secret.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{PASSPHRASE, icare, texts, with_secrets};

/// A synthetic store with 6 responses; the folder that holds it.
fn store(aggregate: bool) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let run = |args: &[&str]| {
        let out = with_secrets(&data).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {:?}", texts(&out));
    };
    if aggregate {
        run(&["init", "--aggregate", "--kdf-work-factor", "8"]);
    } else {
        run(&["init", "--synthetic", "--kdf-work-factor", "8"]);
        run(&["simulate", "--count", "6", "--seed", "2"]);
    }
    (tmp, data)
}

fn verify(data: &Path, args: &[&str]) -> (Output, String, String) {
    let out = with_secrets(data)
        .arg("verify")
        .args(args)
        .output()
        .unwrap();
    let (o, e) = texts(&out);
    (out, o, e)
}

/// Move the manager identity off the store; its new path.
fn move_identity(tmp: &Path, data: &Path) -> PathBuf {
    let away = tmp.join("usb-manager.age");
    std::fs::rename(data.join("keys/manager.age"), &away).unwrap();
    away
}

#[test]
fn without_the_identity_verify_checks_framing_and_keys_and_says_why_records_stay_closed() {
    let (tmp, data) = store(false);
    let away = move_identity(tmp.path(), &data);
    // ICARE_PASSPHRASE is set (and a passphrase file given too): neither makes it fail.
    let pass = tmp.path().join("pass");
    std::fs::write(&pass, format!("{PASSPHRASE}\n")).unwrap();
    for args in [&[][..], &["--passphrase-file", pass.to_str().unwrap()][..]] {
        let (out, stdout, stderr) = verify(&data, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stdout}{stderr}");
        assert!(
            stdout.contains("framing checked; records not opened: no identity file at"),
            "{stdout}"
        );
        assert!(stdout.contains("give --identity FILE"), "{stdout}");
        assert!(
            stdout
                .lines()
                .any(|l| l.trim_start().starts_with("total") && l.trim_end().ends_with(" 6")),
            "{stdout}"
        );
        assert!(
            stdout.contains("manager.age: not here (kept off this machine"),
            "{stdout}"
        );
        assert!(
            stdout.contains("exit-pin.phc: an Argon2id hash"),
            "{stdout}"
        );
        assert!(
            stdout.contains("site-signing.key: site signing key icare-site-ed25519:"),
            "{stdout}"
        );
        assert!(stdout.contains("OK: no problems found."), "{stdout}");
    }
    // Given where the identity went, every record opens.
    let (out, stdout, stderr) = verify(&data, &["--identity", away.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("every record opened and checked"),
        "{stdout}"
    );
    // An --identity that names nothing is a mistake, said as one.
    let none = tmp.path().join("nothing.age");
    let (out, _, stderr) = verify(&data, &["--identity", none.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("nothing.age: no identity file here"),
        "{stderr}"
    );
}

#[test]
fn an_aggregation_store_without_its_identity_verifies_too() {
    let (tmp, data) = store(true);
    move_identity(tmp.path(), &data);
    let (out, stdout, stderr) = verify(&data, &[]);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("records not opened: no identity file"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("exit-pin"),
        "an aggregation store has no PIN: {stdout}"
    );
}

#[test]
fn with_the_identity_but_no_passphrase_verify_says_so_and_a_wrong_one_exits_2() {
    let (_tmp, data) = store(false);
    let out = icare(&data).arg("verify").output().unwrap();
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("records not opened: no passphrase given"),
        "{stdout}"
    );
    assert!(
        stdout.contains("manager.age: an age file protected by a passphrase"),
        "{stdout}"
    );
    let out = icare(&data)
        .env("ICARE_PASSPHRASE", "correct horse battery stable")
        .arg("verify")
        .output()
        .unwrap();
    let (_, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("wrong passphrase"), "{stderr}");
}

#[test]
fn damaged_or_unprotected_key_files_are_problems_named_with_what_to_do() {
    let (tmp, data) = store(false);
    let away = move_identity(tmp.path(), &data);
    let pin = data.join("keys/exit-pin.phc");
    std::fs::write(&pin, "1234\n").unwrap();
    let (out, stdout, _) = verify(&data, &[]);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("1 problem(s):"), "{stdout}");
    assert!(
        stdout.contains("exit-pin.phc: damaged")
            && stdout.contains("`icare pin` and the manager passphrase"),
        "{stdout}"
    );
    std::fs::remove_file(&pin).unwrap();
    // A cut identity file, and an unprotected secret key where the identity belongs.
    let bytes = std::fs::read(&away).unwrap();
    std::fs::write(data.join("keys/manager.age"), &bytes[..40]).unwrap();
    // Private, as the file it stands for: a file others can read is a problem of its own.
    crate::util::chmod(&data.join("keys/manager.age"), 0o600);
    let (out, stdout, _) = verify(&data, &["--identity", away.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("every record opened"), "{stdout}");
    assert!(stdout.contains("2 problem(s):"), "{stdout}");
    assert!(
        stdout.contains("manager.age: damaged age header"),
        "{stdout}"
    );
    assert!(
        stdout.contains("exit-pin.phc: missing: staff cannot leave the kiosk"),
        "{stdout}"
    );
    let key = age::x25519::Identity::generate();
    use age::secrecy::ExposeSecret;
    std::fs::write(
        data.join("keys/manager.age"),
        key.to_string().expose_secret(),
    )
    .unwrap();
    let (_, stdout, _) = verify(&data, &["--identity", away.to_str().unwrap()]);
    assert!(
        stdout.contains("manager.age: holds a secret key protected by no passphrase"),
        "{stdout}"
    );
}
