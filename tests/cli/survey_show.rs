//! `icare survey show` and `icare survey hash`: a survey presented for review, and its id,
//! version and hash.

use crate::survey_check::{fixture, run};
use crate::util::{icare, repo, texts};

/// The questionnaires shipped in `surveys/` (their shape is checked through the library, in
/// `src/survey/shipped_tests.rs`).
const SHIPPED: [&str; 3] = [
    "surveys/icare.toml",
    "surveys/icare-short.toml",
    "surveys/physical-health.toml",
];

#[test]
fn show_prints_every_theme_of_the_shipped_survey() {
    let dir = tempfile::tempdir().unwrap();
    let out = icare(dir.path())
        .args(["survey", "show"])
        .arg(repo("surveys/icare.toml"))
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for name in ["Humanised care", "Familiarity", "Flexibility"] {
        assert!(stdout.contains(name), "missing {name} in:\n{stdout}");
    }
}

#[test]
fn show_presents_the_survey_for_review() {
    let (out, stdout, stderr) = run(&["survey", "show", &fixture("valid-minimal.toml")]);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for expected in [
        "A small survey",
        "Survey `mini`, version 1, content hash 4e48f6169367",
        "Languages: en",
        "About 2 minutes to answer",
        "A few questions about your care.",
        "Scale `agree` (offers \"Does not apply\"; questions may be skipped)",
        "Scale `fft` (shown in reverse order)",
        "     1. Poor  [value 2]",
        "     3. Don't know  [value 3]  (not scored)",
        "Theme 1. Familiarity: \"Feels like family\"",
        "   Importance weight: 95",
        "   1. Staff here know who I am.",
        "      From the study's subthemes: Knowing who I am",
        "   4. I feel judged here. (reverse-scored)",
        "Overall question (reported on its own, not in a theme)",
        "Optional comment (up to 500 characters)",
        "Please don't write names.",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

#[test]
fn show_another_language_and_refuse_an_unknown_one() {
    let file = fixture("ok-two-languages.toml");
    let (out, stdout, _) = run(&["survey", "show", "--lang", "pl", &file]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout.contains("1. Personel tutaj wie, kim jestem."),
        "{stdout}"
    );
    assert!(
        stdout.contains("Languages: en, pl (shown in `pl`)"),
        "{stdout}"
    );

    let (out, _, stderr) = run(&["survey", "show", "--lang", "de", &file]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("has no language `de`; it has: en, pl"),
        "{stderr}"
    );
}

#[test]
fn show_refuses_an_invalid_file_with_every_error_located() {
    let file = fixture("err-several.toml");
    let (out, stdout, stderr) = run(&["survey", "show", &file]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("is not a valid survey (4 errors)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{file}:51:9: error: items[1].theme")),
        "{stderr}"
    );
}

#[test]
fn hash_prints_id_version_and_full_hash() {
    let a = fixture("valid-minimal.toml");
    let b = fixture("valid-minimal-reformatted.toml");
    let (out, stdout, _) = run(&["survey", "hash", &a, &b]);
    assert_eq!(out.status.code(), Some(0));
    let hash = "4e48f6169367f28a05723581d03e1a7cbefad5d730e23453a3499aaf297e768c";
    assert_eq!(
        stdout,
        format!("{a}: mini version 1 {hash}\n{b}: mini version 1 {hash}\n")
    );
}

#[test]
fn every_shipped_survey_shows_every_item() {
    let dir = tempfile::tempdir().unwrap();
    for path in SHIPPED {
        let out = icare(dir.path())
            .args(["survey", "show"])
            .arg(repo(path))
            .output()
            .unwrap();
        let (stdout, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(0), "{path}: {stderr}");
        let survey = icare::survey::from_file(&repo(path)).unwrap();
        for item in &survey.items {
            assert!(stdout.contains(item.text.get("en")), "{path}: {}", item.id);
        }
    }
}
