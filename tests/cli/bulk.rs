//! `icare simulate --bulk`: the same store as the per-response path, refused on real stores.

use std::process::Output;

use crate::util::{icare, texts};

fn run(data: &std::path::Path, args: &[&str]) -> (Output, String, String) {
    let out = icare(data).args(args).output().unwrap();
    let (o, e) = texts(&out);
    (out, o, e)
}

/// A store made by `init` (cheap key derivation, an analyst as a recipient) in a temporary
/// folder; returns the folder, the data path and the passphrase file.
fn store(synthetic: bool) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    let pass = tmp.path().join("pass");
    let pin = tmp.path().join("pin");
    std::fs::write(&pass, "correct horse battery staple\n").unwrap();
    std::fs::write(&pin, "246813\n").unwrap();
    let data = tmp.path().join("data");
    let pass = pass.to_str().unwrap().to_string();
    let mut args = vec!["init", "--kdf-work-factor", "8", "--passphrase-file", &pass];
    let pin = pin.to_str().unwrap().to_string();
    args.extend(["--exit-pin-file", &pin]);
    let analyst = crate::util::Analyst::new(tmp.path());
    args.extend(["--recipient", &analyst.public]);
    if synthetic {
        args.push("--synthetic");
    }
    let (out, _, stderr) = run(&data, &args);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    (tmp, data, pass)
}

#[test]
fn a_bulk_simulated_store_verifies_and_decrypts_every_response() {
    let (_tmp, data, pass) = store(true);
    let (out, stdout, stderr) = run(
        &data,
        &["simulate", "--bulk", "--count", "40", "--seed", "3"],
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("Added 40 SYNTHETIC responses"), "{stdout}");
    let (out, _, stderr) = run(&data, &["verify", "--passphrase-file", &pass]);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let key = data.with_file_name("analyst.key");
    let (out, stdout, stderr) = run(
        &data,
        &[
            "decrypt",
            "--format",
            "jsonl",
            "--identity",
            key.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout.lines().count(), 40);
}

#[test]
fn bulk_simulate_refuses_a_real_store() {
    let (_tmp, data, _) = store(false);
    let (out, _, stderr) = run(&data, &["simulate", "--bulk", "--count", "3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("not a synthetic store"), "{stderr}");
    let records = std::fs::read_dir(data.join("records"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "icr")
        })
        .count();
    assert_eq!(records, 0);
}
