//! `icare survey check` on the fixtures in tests/testdata/surveys (`show` and `hash` are in
//! `survey_show.rs`).

use std::process::Output;

use crate::util::{icare, repo, texts};

pub(crate) fn fixture(name: &str) -> String {
    repo(&format!("tests/testdata/surveys/{name}"))
        .display()
        .to_string()
}

pub(crate) fn run(args: &[&str]) -> (Output, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = icare(dir.path()).args(args).output().unwrap();
    let (stdout, stderr) = texts(&out);
    (out, stdout, stderr)
}

/// Each invalid fixture: the line of the problem, the key at fault and words of the message.
const ERRORS: &[(&str, usize, &str, &str)] = &[
    (
        "err-not-utf8.toml",
        5,
        "",
        "not UTF-8 text; save the file as UTF-8",
    ),
    ("err-syntax.toml", 7, "", "string values must be quoted"),
    (
        "err-type.toml",
        4,
        "survey.version",
        "invalid type: string \"one\"",
    ),
    (
        "err-unknown-key.toml",
        66,
        "items[3]",
        "unknown field `revers`",
    ),
    (
        "err-missing-key.toml",
        49,
        "items[1]",
        "missing field `scale`",
    ),
    ("err-duplicate-scale.toml", 26, "", "duplicate key `fft`"),
    (
        "err-duplicate-theme-id.toml",
        35,
        "themes[1].id",
        "duplicate theme id `bond`; first used on line 27",
    ),
    (
        "err-duplicate-theme-number.toml",
        36,
        "themes[1].number",
        "duplicate theme number 1",
    ),
    (
        "err-duplicate-item-id.toml",
        50,
        "items[1].id",
        "duplicate item id `know-me`; first used on line 43",
    ),
    (
        "err-item-id-is-headline.toml",
        62,
        "items[3].id",
        "`overall` is also the headline's id",
    ),
    (
        "err-unknown-theme.toml",
        51,
        "items[1].theme",
        "unknown theme `familarity`; did you mean `familiarity`?",
    ),
    (
        "err-unknown-scale.toml",
        46,
        "items[0].scale",
        "unknown scale `agre`; did you mean `agree`?",
    ),
    (
        "err-unknown-headline-scale.toml",
        71,
        "headline.scale",
        "unknown scale `friends-and-family`",
    ),
    (
        "err-missing-translation.toml",
        58,
        "items[2].text",
        "missing the `pl` translation",
    ),
    (
        "err-undeclared-language.toml",
        64,
        "items[3].text.pl",
        "`survey.languages` does not declare",
    ),
    ("err-empty-text.toml", 64, "items[3].text.en", "is empty"),
    (
        "err-control-character.toml",
        64,
        "items[3].text.en",
        "control character U+001B (escape)",
    ),
    (
        "err-bidi-override.toml",
        64,
        "items[3].text.en",
        "control character U+202E (bidirectional control)",
    ),
    (
        "err-scale-not-increasing.toml",
        16,
        "scales.agree.points[2].value",
        "must strictly increase",
    ),
    (
        "err-scale-one-point.toml",
        20,
        "scales.fft.points",
        "needs at least 2 points",
    ),
    (
        "err-invalid-id.toml",
        43,
        "items[0].id",
        "`Know Me` is not a valid id",
    ),
    ("err-version-zero.toml", 4, "survey.version", "is 0"),
    ("err-minutes-zero.toml", 7, "survey.minutes", "is 0"),
    ("err-no-items.toml", 2, "items", "the survey has no items"),
    (
        "err-headline-no-positive.toml",
        71,
        "headline.scale",
        "no `positive = true` point",
    ),
    (
        "err-language-code.toml",
        8,
        "survey.languages[0]",
        "`English` is not a language code",
    ),
    (
        "err-importance-negative.toml",
        40,
        "themes[1].importance",
        "-1 is not a weight",
    ),
    (
        "err-comment-max-chars-zero.toml",
        76,
        "comment.max_chars",
        "is 0",
    ),
    (
        "err-unknown-table.toml",
        68,
        "headlines",
        "unknown top-level key `headlines`; did you mean `headline`?",
    ),
    (
        "err-dont-know-twice.toml",
        20,
        "scales.fft.points",
        "has 2 `dont_know` points",
    ),
    (
        "err-theme-number-zero.toml",
        28,
        "themes[0].number",
        "is 0; theme numbers start at 1",
    ),
    (
        "err-language-repeated.toml",
        8,
        "survey.languages[1]",
        "`en` is listed twice",
    ),
    (
        "err-dont-know-positive.toml",
        23,
        "scales.fft.points[2]",
        "is both `dont_know` and `positive`",
    ),
    (
        "err-languages-empty.toml",
        8,
        "survey.languages",
        "is empty",
    ),
    (
        "err-importance-infinite.toml",
        32,
        "themes[0].importance",
        "inf is not a weight",
    ),
    (
        "err-unclosed-string.toml",
        5,
        "",
        "unclosed string: nothing closes the \" here before the end of its line",
    ),
    (
        "err-unclosed-multiline.toml",
        31,
        "",
        "unclosed string: nothing closes the \"\"\" here before the end of the file",
    ),
    (
        "err-misspelt-key.toml",
        15,
        "scales.agree.points",
        "unknown field `lable`, expected one of `value`, `label`, `positive`, `dont_know`; did you mean `label`?",
    ),
];

/// Each warning fixture: line, key and words of the warning.
const WARNINGS: &[(&str, usize, &str, &str)] = &[
    (
        "warn-single-item-theme.toml",
        34,
        "themes[1]",
        "theme `bond` has a single item",
    ),
    (
        "warn-long-item.toml",
        52,
        "items[1].text.en",
        "has 18 words",
    ),
    (
        "warn-hard-to-read.toml",
        52,
        "items[1].text.en",
        "Flesch–Kincaid grade",
    ),
    (
        "warn-unused-scale.toml",
        26,
        "scales.yes-no",
        "scale `yes-no` is not used",
    ),
    (
        "warn-theme-without-items.toml",
        42,
        "themes[2]",
        "theme `location` has no items",
    ),
    (
        "warn-minutes-too-low.toml",
        7,
        "survey.minutes",
        "says 1 minute but a person who reads slowly (100 words a minute) needs about 1.5 minutes",
    ),
    (
        "warn-scale-direction.toml",
        10,
        "scales.agree",
        "the kiosk cannot tell which end of this scale is the good one",
    ),
    (
        "warn-polish-hard-to-read.toml",
        8,
        "survey.languages[1]",
        "the items in `pl` read as one text have Pisarek's index 22.2",
    ),
];

/// The output has a line `FILE:LINE:COL: SEVERITY: KEY: ...WORDS...`.
fn assert_reported(stdout: &str, file: &str, line: usize, severity: &str, key: &str, words: &str) {
    let key = if key.is_empty() {
        String::new()
    } else {
        format!("{key}: ")
    };
    let found = stdout.lines().any(|l| {
        l.strip_prefix(&format!("{file}:{line}:"))
            .and_then(|rest| rest.split_once(": "))
            .is_some_and(|(col, rest)| {
                col.parse::<usize>().is_ok()
                    && rest.starts_with(&format!("{severity}: {key}"))
                    && rest.contains(words)
            })
    });
    assert!(
        found,
        "expected {file}:{line}:COL: {severity}: {key}...{words}...\nin:\n{stdout}"
    );
}

#[test]
fn every_invalid_fixture_is_reported_with_file_line_key_and_problem() {
    for &(name, line, key, words) in ERRORS {
        let file = fixture(name);
        let (out, stdout, stderr) = run(&["survey", "check", &file]);
        assert_eq!(out.status.code(), Some(2), "{name}: {stdout}{stderr}");
        assert_reported(&stdout, &file, line, "error", key, words);
        assert!(
            stdout
                .lines()
                .last()
                .unwrap()
                .starts_with(&format!("{file}: FAILED")),
            "{name}: no summary line in\n{stdout}"
        );
    }
}

/// An unclosed string is reported once, at the line and column of its opening quotes, with none
/// of the parser's confusion on the lines after it ("missing comma between key-value pairs").
#[test]
fn an_unclosed_string_is_reported_where_it_opens_and_nowhere_else() {
    for (name, at) in [
        ("err-unclosed-string.toml", "5:16"),
        ("err-unclosed-multiline.toml", "31:15"),
    ] {
        let file = fixture(name);
        let (_, stdout, _) = run(&["survey", "check", &file]);
        let errors: Vec<&str> = stdout.lines().filter(|l| l.contains(": error: ")).collect();
        assert_eq!(errors.len(), 1, "{name}: {stdout}");
        assert!(
            errors[0].starts_with(&format!("{file}:{at}: error: unclosed string")),
            "{name}: {stdout}"
        );
        assert!(!stdout.contains("missing comma"), "{stdout}");
    }
}

#[test]
fn warnings_pass_without_strict_and_fail_with_it() {
    for &(name, line, key, words) in WARNINGS {
        let file = fixture(name);
        let (out, stdout, _) = run(&["survey", "check", &file]);
        assert_eq!(out.status.code(), Some(0), "{name}: {stdout}");
        assert_reported(&stdout, &file, line, "warning", key, words);
        assert!(stdout.contains(&format!("{file}: ok:")), "{stdout}");

        let (out, stdout, _) = run(&["survey", "check", "--strict", &file]);
        assert_eq!(out.status.code(), Some(2), "{name} --strict: {stdout}");
        assert_reported(&stdout, &file, line, "error", key, words);
        assert!(
            stdout.contains(&format!("{file}: FAILED with --strict")),
            "{stdout}"
        );
    }
}

#[test]
fn every_problem_in_a_file_is_reported_not_just_the_first() {
    let file = fixture("err-several.toml");
    let (out, stdout, _) = run(&["survey", "check", &file]);
    assert_eq!(out.status.code(), Some(2));
    assert_reported(&stdout, &file, 4, "error", "survey.version", "is 0");
    assert_reported(
        &stdout,
        &file,
        51,
        "error",
        "items[1].theme",
        "did you mean `familiarity`?",
    );
    assert_reported(
        &stdout,
        &file,
        56,
        "error",
        "items[2].id",
        "duplicate item id",
    );
    assert_reported(&stdout, &file, 64, "error", "items[3].text.en", "is empty");
    assert!(stdout.contains("FAILED (4 errors, 1 warning)"), "{stdout}");

    let file = fixture("err-several-types.toml");
    let (_, stdout, _) = run(&["survey", "check", &file]);
    assert_reported(
        &stdout,
        &file,
        7,
        "error",
        "survey.minutes",
        "expected a whole number",
    );
    assert_reported(
        &stdout,
        &file,
        36,
        "error",
        "themes[1].number",
        "string \"two\"",
    );
    assert_reported(
        &stdout,
        &file,
        66,
        "error",
        "items[3].reverse",
        "expected `true` or `false`",
    );
}

#[test]
fn valid_surveys_pass_strict_including_a_one_item_per_theme_short_form() {
    for name in [
        "valid-minimal.toml",
        "valid-minimal-reformatted.toml",
        "ok-one-item-per-theme.toml",
        "ok-two-languages.toml",
    ] {
        let file = fixture(name);
        let (out, stdout, stderr) = run(&["survey", "check", "--strict", &file]);
        assert_eq!(out.status.code(), Some(0), "{name}: {stdout}{stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{stdout}");
        assert!(
            lines[0].starts_with(&format!("{file}: ok: `mini` version 1")),
            "{stdout}"
        );
        assert!(
            lines[1].starts_with(&format!("{file}: reading: items as one text: en")),
            "{stdout}"
        );
    }
}

#[test]
fn shipped_surveys_pass_strict_and_say_how_readable_they_are() {
    for name in ["icare", "icare-short", "physical-health"] {
        let file = repo(&format!("surveys/{name}.toml")).display().to_string();
        let (out, stdout, _) = run(&["survey", "check", "--strict", &file]);
        assert_eq!(out.status.code(), Some(0), "{stdout}");
        assert!(
            stdout.contains(&format!(
                "{file}: reading: items as one text: en Flesch–Kincaid grade"
            )) && stdout.contains(", pl Pisarek index "),
            "{stdout}"
        );
    }
}

#[test]
fn one_failing_file_among_several_fails_the_run_and_all_are_checked() {
    let good = fixture("valid-minimal.toml");
    let bad = fixture("err-version-zero.toml");
    let missing = fixture("no-such-file.toml");
    let (out, stdout, _) = run(&["survey", "check", &good, &bad, &missing]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout.contains(&format!("{good}: ok:")), "{stdout}");
    assert!(
        stdout.contains(&format!("{bad}: FAILED (1 error, 0 warnings)")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{missing}: error: cannot read the file:")),
        "{stdout}"
    );
}

#[test]
fn check_needs_at_least_one_file() {
    let (out, _, stderr) = run(&["survey", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("FILE"), "{stderr}");
}

#[test]
fn every_fixture_in_the_folder_is_covered_by_a_test() {
    let covered: Vec<&str> = ERRORS
        .iter()
        .chain(WARNINGS)
        .map(|f| f.0)
        .chain([
            "err-several.toml",
            "err-several-types.toml",
            "valid-minimal.toml",
            "valid-minimal-reformatted.toml",
            "ok-one-item-per-theme.toml",
            "ok-two-languages.toml",
        ])
        .collect();
    for entry in std::fs::read_dir(repo("tests/testdata/surveys")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(covered.contains(&name.as_str()), "{name} is not tested");
    }
}
