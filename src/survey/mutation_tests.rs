//! Thousands of random mutations of the shipped survey: the loader must answer each with a survey or
//! with located errors, and never panic.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::validate::is_forbidden_char;
use super::{check_str, content_hash, show};

const SHIPPED: &str = include_str!("../../surveys/icare.toml");

/// Mutated inputs tried; a debug build checks them in a few seconds.
const CASES: usize = 3000;

/// Characters that tend to break TOML or hide in text.
const NASTY: &[&str] = &[
    "\"",
    "'",
    "\"\"\"",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    ",",
    ".",
    "#",
    "\\",
    "\\u",
    "\n",
    "\r",
    "\t",
    "\u{0}",
    "\u{1b}[2J",
    "\u{202e}",
    "\u{2028}",
    "\u{7f}",
    "ż",
    "🙂",
    "-1",
    "0",
    "99999999999",
    "1e999",
    "nan",
    "inf",
    "true",
    "items",
    "theme",
    "[[items]]",
    "[survey]",
    "[scales.x]",
    " ",
];

fn char_boundary(text: &str, rng: &mut StdRng) -> usize {
    let mut i = rng.gen_range(0..=text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(text: &str, rng: &mut StdRng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut out = text.to_string();
    for _ in 0..rng.gen_range(1..=3) {
        let n = lines.len().max(1);
        match rng.gen_range(0..8) {
            0 if !lines.is_empty() => {
                lines.remove(rng.gen_range(0..n));
            }
            1 if !lines.is_empty() => {
                let i = rng.gen_range(0..n);
                lines.insert(i, lines[i].clone());
            }
            2 if !lines.is_empty() => lines.swap(rng.gen_range(0..n), rng.gen_range(0..n)),
            3 => {
                let at = char_boundary(&out, rng);
                out.insert_str(at, NASTY[rng.gen_range(0..NASTY.len())]);
                continue;
            }
            4 => {
                let at = char_boundary(&out, rng);
                out.truncate(at);
                continue;
            }
            5 => {
                let a = char_boundary(&out, rng);
                let b = char_boundary(&out, rng);
                let (a, b) = (a.min(b), a.max(b).min(a.min(b) + 40));
                let mut b = b;
                while !out.is_char_boundary(b) {
                    b -= 1;
                }
                out.replace_range(a..b, "");
                continue;
            }
            6 => {
                // Flip one character to a random one.
                let at = char_boundary(&out, rng);
                if let Some(c) = out[at..].chars().next() {
                    let new = char::from_u32(rng.gen_range(0..0x3000)).unwrap_or('?');
                    out.replace_range(at..at + c.len_utf8(), &new.to_string());
                }
                continue;
            }
            _ => {}
        }
        out = lines.join("\n");
    }
    out
}

#[test]
fn random_mutations_of_the_shipped_survey_never_panic() {
    let mut rng = StdRng::seed_from_u64(0x1CA2E);
    let (mut ok, mut failed) = (0, 0);
    for case in 0..CASES {
        let text = mutate(SHIPPED, &mut rng);
        let checked = check_str(&text);
        let lines = text.lines().count() + 1;
        for d in &checked.diagnostics {
            assert!(
                d.line >= 1 && d.line <= lines && d.column >= 1,
                "case {case}: {d} outside the text:\n{text}"
            );
            assert!(
                !d.message
                    .chars()
                    .chain(d.key.chars())
                    .any(is_forbidden_char),
                "case {case}: unescaped control character in {d:?}"
            );
        }
        match &checked.survey {
            Some(survey) => {
                assert!(checked.errors().next().is_none(), "case {case}");
                assert_eq!(content_hash(survey), survey.hash);
                let _ = show::render(survey, survey.default_language());
                ok += 1;
            }
            None => {
                assert!(
                    checked.errors().next().is_some(),
                    "case {case}: no survey, no error"
                );
                failed += 1;
            }
        }
    }
    // Both outcomes must occur, or the mutations are not exercising the loader.
    assert!(ok > 50 && failed > 500, "{ok} loaded, {failed} rejected");
}
