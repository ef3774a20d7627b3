//! Faults the command line meets outside the store: a full disk behind standard output. (The
//! store's own faults, the kiosk's on a failing store and `--out`'s are library tests: see
//! `src/store/tests/faults.rs`, `src/kiosk/fault_tests.rs` and `src/fsio/out.rs`.)

use std::path::Path;

/// A full disk behind standard output (`/dev/full` answers every write with ENOSPC) is an
/// error, exit 2, not a silent success.
#[test]
fn decrypt_to_a_full_disk_on_standard_output_exits_2() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        eprintln!("skipped: no /dev/full here");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let pass = tmp.path().join("pass");
    std::fs::write(&pass, "correct horse battery staple\n").unwrap();
    std::fs::write(tmp.path().join("pin"), "246813\n").unwrap();
    let analyst = crate::util::Analyst::new(tmp.path());
    let ok = |out: std::process::Output| assert_eq!(out.status.code(), Some(0), "{out:?}");
    ok(crate::util::icare(&data)
        .args(["init", "--synthetic", "--kdf-work-factor", "8"])
        .args(["--recipient", &analyst.public])
        .arg("--passphrase-file")
        .arg(&pass)
        .arg("--exit-pin-file")
        .arg(tmp.path().join("pin"))
        .output()
        .unwrap());
    ok(crate::util::icare(&data)
        .args(["simulate", "--count", "200"])
        .output()
        .unwrap());
    let out = analyst
        .decrypt(&data)
        .args(["--format", "jsonl"])
        .stdout(std::fs::File::create(full).unwrap())
        .output()
        .unwrap();
    let (_, stderr) = crate::util::texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("standard output") && stderr.contains("No space left"),
        "{stderr}"
    );
}
