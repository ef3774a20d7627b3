//! The shipped questionnaires (`surveys/*.toml`) keep the shape docs/questionnaire.md promises:
//! items per theme, short items, the short form copying the main survey, Polish for every text.
//! Read through the loader; that every one shows through `icare survey show` is
//! `tests/cli/questionnaires.rs`.

use std::path::Path;

use super::{Survey, embedded, from_file};

const SHIPPED: [&str; 3] = [
    "surveys/icare.toml",
    "surveys/icare-short.toml",
    "surveys/physical-health.toml",
];

const PRIVACY: &str = "Please don't write names. This survey is anonymous, so we cannot reply. If you need help today, please speak to reception.";

fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn load(path: &str) -> Survey {
    from_file(&repo(path)).unwrap_or_else(|e| panic!("{e}"))
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

#[test]
fn main_survey_asks_two_or_three_short_items_per_theme_with_some_reversed() {
    let s = load("surveys/icare.toml");
    assert_eq!(s.themes.len(), 10);
    assert!(
        (20..=26).contains(&s.items.len()),
        "{} items",
        s.items.len()
    );
    for theme in &s.themes {
        let n = s.theme_items(&theme.id).count();
        assert!((2..=3).contains(&n), "{}: {n} items", theme.id);
    }
    assert!(s.items.iter().filter(|i| i.reverse).count() >= 4);
    for item in &s.items {
        assert!(word_count(item.text.get("en")) <= 15, "{}", item.id);
        assert!(!item.source.is_empty(), "{}", item.id);
    }
    assert_eq!(
        s.comment.as_ref().map(|c| c.privacy.get("en")),
        Some(PRIVACY)
    );
    let embedded = embedded().unwrap();
    assert_eq!(
        embedded.hash, s.hash,
        "the binary embeds surveys/icare.toml"
    );
}

#[test]
fn short_form_copies_one_main_item_per_theme() {
    let main = load("surveys/icare.toml");
    let short = load("surveys/icare-short.toml");
    assert_ne!(main.id, short.id);
    assert_eq!(main.themes, short.themes);
    for theme in &short.themes {
        assert_eq!(short.theme_items(&theme.id).count(), 1, "{}", theme.id);
    }
    for item in &short.items {
        let original = main.items.iter().find(|i| i.id == item.id).unwrap();
        assert_eq!(original.text.get("en"), item.text.get("en"), "{}", item.id);
        assert_eq!(
            (&original.theme, &original.source, original.reverse),
            (&item.theme, &item.source, item.reverse),
            "{}",
            item.id
        );
    }
    assert_eq!(
        short.headline.as_ref().map(|h| &h.text.0["en"]),
        main.headline.as_ref().map(|h| &h.text.0["en"])
    );
    assert_eq!(
        short.comment.as_ref().map(|c| c.privacy.get("en")),
        Some(PRIVACY)
    );
}

#[test]
fn every_shipped_survey_has_polish_for_every_patient_facing_text() {
    for path in SHIPPED {
        let s = load(path);
        assert_eq!(s.languages, ["en", "pl"], "{path}");
        let mut texts = vec![&s.title, &s.introduction];
        texts.extend(
            s.scales
                .iter()
                .flat_map(|sc| sc.points.iter().map(|p| &p.label)),
        );
        texts.extend(s.items.iter().map(|i| &i.text));
        texts.extend(s.headline.iter().map(|h| &h.text));
        texts.extend(s.comment.iter().flat_map(|c| [&c.prompt, &c.privacy]));
        for text in texts {
            let langs: Vec<&str> = text.0.keys().map(String::as_str).collect();
            assert_eq!(langs, ["en", "pl"], "{path}: {text:?}");
            assert!(text.0.values().all(|v| !v.trim().is_empty()), "{text:?}");
        }
        for item in &s.items {
            assert!(word_count(item.text.get("pl")) <= 15, "{path}: {}", item.id);
        }
        let file = std::fs::read_to_string(repo(path)).unwrap();
        assert!(
            file.contains("AWAITING REVIEW BY A NATIVE SPEAKER"),
            "{path}"
        );
    }
}

#[test]
fn the_short_form_asks_its_items_in_the_same_polish_as_the_main_survey() {
    let main = load("surveys/icare.toml");
    let short = load("surveys/icare-short.toml");
    for item in &short.items {
        let original = main.items.iter().find(|i| i.id == item.id).unwrap();
        assert_eq!(original.text.get("pl"), item.text.get("pl"), "{}", item.id);
    }
    assert_eq!(main.scales, short.scales);
    assert_eq!(main.headline, short.headline);
    assert_eq!(main.comment, short.comment);
    assert_eq!(main.introduction, short.introduction);
}

#[test]
fn physical_health_module_is_short_and_has_no_comment_box() {
    let s = load("surveys/physical-health.toml");
    assert!((5..=8).contains(&s.items.len()), "{} items", s.items.len());
    assert!(s.comment.is_none(), "a comment could carry a diagnosis");
    for theme in &s.themes {
        assert!(s.theme_items(&theme.id).count() >= 2, "{}", theme.id);
    }
    for item in &s.items {
        assert!(word_count(item.text.get("en")) <= 15, "{}", item.id);
    }
}
