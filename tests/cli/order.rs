//! No order, end to end: many kiosks (the real binary, each in a pseudo-terminal, each on its own
//! copy of one store) each take `N` responses to a one-question survey, the first one answered
//! "Disagree" and the rest "Not sure". Read back, the first-sent response stands at each of the
//! `N` places in its period's file equally often (the chi-square test the store's own test uses,
//! which fails for append order).

use std::path::{Path, PathBuf};
use std::time::Duration;

use icare::response::Answer;

use crate::chi::{looks_uniform, statistic};
use crate::pty::Pty;
use crate::util::{icare, texts};

/// Responses per kiosk and kiosks: 4 places, 10 expected at each.
const N: usize = 4;
const KIOSKS: usize = 40;
const WAIT: Duration = Duration::from_secs(60);
const RIGHT: &[u8] = b"\x1b[C";
const PASSPHRASE: &str = "order test passphrase";

/// Copy a folder and its files (permissions kept).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// Send `keys` to every kiosk, then wait until each shows `next`.
fn step(kiosks: &mut [Pty], keys: impl Fn(usize) -> Vec<u8>, next: &str) {
    for (i, k) in kiosks.iter_mut().enumerate() {
        k.send(&keys(i));
    }
    for k in kiosks.iter() {
        k.wait_for(next, WAIT);
    }
}

#[test]
fn through_the_real_kiosk_the_first_sent_response_stands_anywhere_in_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let survey = crate::util::repo("tests/testdata/one-question.toml");
    let first = tmp.path().join("first");
    let out = icare(&first)
        .args(["init", "--kdf-work-factor", "8"])
        .env("ICARE_PASSPHRASE", PASSPHRASE)
        .env("ICARE_EXIT_PIN", "246813")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", texts(&out).1);
    let stores: Vec<PathBuf> = (0..KIOSKS)
        .map(|i| {
            let d = tmp.path().join(format!("k{i}"));
            copy_dir(&first, &d);
            d
        })
        .collect();
    let args = ["kiosk", "--survey", survey.to_str().unwrap()];
    let mut kiosks: Vec<Pty> = stores
        .iter()
        .map(|d| Pty::spawn(d, &args, &[("NO_COLOR", "1")], 80, 24))
        .collect();
    for k in &kiosks {
        k.wait_for("Press any key or tap to start", WAIT);
    }
    for n in 0..N {
        step(&mut kiosks, |_| b"x".to_vec(), "Question 1 of 1");
        // The first response says 1 ("Disagree"), the others 2; the arrow goes on at once.
        let answer = if n == 0 { b'1' } else { b'2' };
        step(
            &mut kiosks,
            |_| [&[answer][..], RIGHT].concat(),
            "Ready to send?",
        );
        step(&mut kiosks, |_| b"\r".to_vec(), "Thank you");
        // Any key on the thank-you screen goes back to the welcome screen.
        step(
            &mut kiosks,
            |_| b"x".to_vec(),
            "Press any key or tap to start",
        );
    }
    drop(kiosks);
    let pass = age::secrecy::SecretString::from(PASSPHRASE.to_string());
    let identity = icare::keys::unlock_identity(&first, &pass).unwrap();
    let mut at = [0u64; N];
    for d in &stores {
        // Readers yield records in file order.
        let answers: Vec<Answer> = icare::store::read_responses(d, &identity)
            .unwrap()
            .map(|r| r.unwrap().answers[0])
            .collect();
        assert_eq!(answers.len(), N, "{}", d.display());
        let first_sent = answers.iter().position(|a| *a == Answer::Value(1)).unwrap();
        at[first_sent] += 1;
    }
    assert!(
        looks_uniform(&at),
        "first-sent places {at:?}: chi-square {:.1}",
        statistic(&at)
    );
    // Append order would put it first every time, which the same test refuses.
    let mut append = [0u64; N];
    append[0] = KIOSKS as u64;
    assert!(!looks_uniform(&append));
}
