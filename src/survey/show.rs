//! The questionnaire as plain text, for a patients' panel or an ethics committee to review.

use std::fmt::Write as _;

use super::direction::{Direction, direction, display_order};
use super::{Scale, Survey};

/// Width the text is wrapped to.
const WIDTH: usize = 78;

/// Append `text` to `out`, wrapped at [`WIDTH`], each line starting with `indent`.
fn wrap(out: &mut String, indent: &str, text: &str) {
    wrap_to(out, indent, text, WIDTH);
}

/// Append `text` to `out`, wrapped at `width` characters, each line starting with `indent`.
fn wrap_to(out: &mut String, indent: &str, text: &str, width: usize) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty()
            && indent.len() + line.chars().count() + 1 + word.chars().count() > width
        {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    let _ = writeln!(out, "{indent}{line}");
}

fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn scale_line(scale: &Scale) -> String {
    let mut notes = Vec::new();
    if scale.not_applicable {
        notes.push("offers \"Does not apply\"");
    }
    if scale.skip {
        notes.push("questions may be skipped");
    }
    match direction(scale) {
        Direction::GoodLow => notes.push("shown in reverse order"),
        Direction::Unclear => notes.push("no clear good end: shown as written"),
        Direction::GoodHigh => {}
    }
    if notes.is_empty() {
        format!("  Scale `{}`", scale.id)
    } else {
        format!("  Scale `{}` ({})", scale.id, notes.join("; "))
    }
}

/// The whole survey as numbered plain text in language `lang` (texts missing in `lang` fall back to
/// the first language they have). Numbers are the order in which the kiosk asks the items.
pub fn render(survey: &Survey, lang: &str) -> String {
    let mut out = String::new();
    let title = survey.title.get(lang);
    let _ = writeln!(out, "{title}");
    let _ = writeln!(out, "{}", "=".repeat(title.chars().count().clamp(1, WIDTH)));
    let _ = writeln!(
        out,
        "Survey `{}`, version {}, content hash {}",
        survey.id,
        survey.version,
        survey.hash.short()
    );
    let _ = writeln!(
        out,
        "Languages: {} (shown in `{lang}`)",
        survey.languages.join(", ")
    );
    let extra = match (&survey.headline, &survey.comment) {
        (Some(_), Some(_)) => "an overall question and an optional comment",
        (Some(_), None) => "an overall question",
        (None, Some(_)) => "an optional comment",
        (None, None) => "nothing else",
    };
    wrap(
        &mut out,
        "",
        &format!(
            "About {} minute{} to answer; {} questions plus {extra}.",
            survey.minutes,
            if survey.minutes == 1 { "" } else { "s" },
            survey.items.len(),
        ),
    );

    let _ = writeln!(out, "\nIntroduction (the welcome screen)");
    wrap(&mut out, "  ", survey.introduction.get(lang));

    let _ = writeln!(out, "\nAnswer scales");
    wrap(
        &mut out,
        "  ",
        "Answers are listed with the number key the kiosk gives them: the good end of every scale \
         is on the highest key. [value N] is what is stored. A \"positive\" answer counts in \
         favour; a \"not scored\" answer is counted but never scored.",
    );
    for scale in &survey.scales {
        let _ = writeln!(out, "{}", scale_line(scale));
        for (key, p) in display_order(scale).into_iter().enumerate() {
            let mark = match (p.positive, p.dont_know) {
                (_, true) => "  (not scored)",
                (true, false) => "  (positive)",
                (false, false) => "",
            };
            let _ = writeln!(
                out,
                "    {:>2}. {}  [value {}]{mark}",
                key + 1,
                p.label.get(lang),
                p.value
            );
        }
    }

    let _ = writeln!(
        out,
        "\nQuestions by theme (numbers give the order they are asked)"
    );
    wrap(
        &mut out,
        "  ",
        "Each theme has a short name, its title in the patients' own words, a description and an \
         importance weight (for iCARE, the theme's reference count in the study). A \
         (reverse-scored) question is negatively worded: agreeing with it counts against the theme.",
    );
    for theme in &survey.themes {
        out.push('\n');
        wrap(
            &mut out,
            "",
            &format!(
                "Theme {}. {}: \"{}\"",
                theme.number, theme.name, theme.title
            ),
        );
        wrap(&mut out, "   ", &theme.description);
        let _ = writeln!(out, "   Importance weight: {}", number(theme.importance));
        for (i, item) in survey.theme_items(&theme.id) {
            let reverse = if item.reverse {
                " (reverse-scored)"
            } else {
                ""
            };
            let head = format!("  {:>2}. ", i + 1);
            let mut body = String::new();
            wrap_to(
                &mut body,
                "",
                &format!("{}{reverse}", item.text.get(lang)),
                WIDTH - head.len(),
            );
            for (n, line) in body.lines().enumerate() {
                let lead = if n == 0 {
                    head.clone()
                } else {
                    " ".repeat(head.len())
                };
                let _ = writeln!(out, "{lead}{line}");
            }
            let pad = " ".repeat(head.len());
            let _ = writeln!(out, "{pad}Scale: {}", item.scale);
            if !item.source.is_empty() {
                wrap(
                    &mut out,
                    &pad,
                    &format!("From the study's subthemes: {}", item.source.join("; ")),
                );
            }
        }
    }

    if let Some(h) = &survey.headline {
        let _ = writeln!(
            out,
            "\nOverall question (reported on its own, not in a theme)"
        );
        wrap(&mut out, "  ", h.text.get(lang));
        let _ = writeln!(out, "  Scale: {}", h.scale);
    }
    if let Some(c) = &survey.comment {
        let _ = writeln!(out, "\nOptional comment (up to {} characters)", c.max_chars);
        wrap(&mut out, "  ", c.prompt.get(lang));
        let _ = writeln!(out, "  Privacy wording shown before typing:");
        wrap(&mut out, "    ", c.privacy.get(lang));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_long_text_at_the_width() {
        let mut out = String::new();
        wrap(&mut out, "  ", &"word ".repeat(40));
        assert!(out.lines().count() > 1);
        assert!(
            out.lines()
                .all(|l| l.chars().count() <= WIDTH && l.starts_with("  word"))
        );
    }

    #[test]
    fn whole_numbers_print_without_decimals() {
        assert_eq!(number(219.0), "219");
        assert_eq!(number(2.5), "2.5");
    }

    #[test]
    fn minimal_survey_renders_as_reviewed() {
        let text = include_str!("../../tests/testdata/surveys/valid-minimal.toml");
        let survey = crate::survey::from_str(text, "valid-minimal.toml").unwrap();
        insta::assert_snapshot!(render(&survey, "en"));
    }

    #[test]
    fn no_line_is_wider_than_the_width() {
        let survey = crate::survey::embedded().unwrap();
        let text = render(&survey, "en");
        for line in text.lines() {
            assert!(line.chars().count() <= WIDTH, "{line}");
        }
    }

    #[test]
    fn embedded_survey_shows_every_item_numbered() {
        let survey = crate::survey::embedded().unwrap();
        let text = render(&survey, "en");
        for (i, item) in survey.items.iter().enumerate() {
            let numbered = format!("{:>2}. {}", i + 1, item.text.get("en"));
            let first_words: String = numbered.chars().take(30).collect();
            assert!(text.contains(&first_words), "missing {numbered}");
        }
        assert!(text.contains(&survey.hash.short()));
    }
}
