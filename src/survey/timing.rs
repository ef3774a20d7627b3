//! How long a person who reads slowly takes to go through a survey on the kiosk: the check behind
//! "It takes about N minutes" on the welcome screen.
//!
//! The model, deliberately simple and on the slow side:
//! - every word the patient must read is read once, on every screen: the welcome screen (title,
//!   introduction and the kiosk's own lines), the language choice when there is one, each
//!   question with **all** its answer labels (a slow reader reads the choices again on each
//!   screen), the comment prompt and privacy words, "Ready to send?" and the thank-you;
//! - at [`SLOW_READER_WORDS_PER_MINUTE`] = 100 words a minute: the median oral reading rate at the
//!   end of the second school year (Hasbrouck J. & Tindal G., *An update to compiled ORF norms*,
//!   Technical Report 1702, University of Oregon, 2017: grade 2, spring, 50th percentile, 100
//!   words correct per minute), that is an adult who reads like a seven- or eight-year-old. The
//!   adult average is 238 words a minute read silently and 183 aloud (Brysbaert M., *How many
//!   words do we read per minute?*, Journal of Memory and Language 109, 2019);
//! - time to think and to press is not added: reading every label again on every screen is the
//!   margin for it. A pilot with a stopwatch is still the real test.
//!
//! Reading time per message is about the same across languages (Brysbaert 2019: languages that
//! need more words read more words a minute), so each language is counted at the same rate and
//! the slowest language is the estimate.

use super::Survey;
use super::readability::word_count;

/// The reading speed assumed for a slow reader (see the module documentation for the source).
pub const SLOW_READER_WORDS_PER_MINUTE: f64 = 100.0;

/// Words the kiosk itself shows around a survey's own texts. Each figure is the largest over the
/// kiosk's languages; a test in `kiosk::strings` keeps them in step with its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KioskWords {
    /// The welcome screen's own lines: anonymous, how long, how to answer, how to start.
    pub welcome: usize,
    /// The heading of the language choice (each language's name adds one word).
    pub language_choice: usize,
    /// "Does not apply", on each question whose scale offers it.
    pub not_applicable: usize,
    /// "Skip this question", on each question whose scale allows it.
    pub skip: usize,
    /// "Ready to send?": heading, line and both buttons.
    pub confirm: usize,
    /// The thank-you screen.
    pub thanks: usize,
}

/// The kiosk's own words.
pub const KIOSK_WORDS: KioskWords = KioskWords {
    welcome: 30,
    language_choice: 3,
    not_applicable: 3,
    skip: 3,
    confirm: 13,
    thanks: 10,
};

/// How long a slow reader takes in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub language: String,
    /// Words read from the welcome screen to the thank-you.
    pub words: usize,
    /// `words` at [`SLOW_READER_WORDS_PER_MINUTE`].
    pub minutes: f64,
}

/// Words a patient reads in `lang`, from the welcome screen to the thank-you (see the module
/// documentation for what counts).
pub fn words_to_read(survey: &Survey, lang: &str, kiosk: &KioskWords) -> usize {
    let mut words = word_count(survey.title.get(lang))
        + word_count(survey.introduction.get(lang))
        + kiosk.welcome
        + kiosk.confirm
        + kiosk.thanks;
    if survey.languages.len() > 1 {
        words += kiosk.language_choice + survey.languages.len();
    }
    let questions = survey
        .items
        .iter()
        .map(|i| (&i.text, &i.scale))
        .chain(survey.headline.iter().map(|h| (&h.text, &h.scale)));
    for (text, scale) in questions {
        words += word_count(text.get(lang));
        if let Some(scale) = survey.scale(scale) {
            words += scale
                .points
                .iter()
                .map(|p| word_count(p.label.get(lang)))
                .sum::<usize>();
            words += usize::from(scale.not_applicable) * kiosk.not_applicable;
            words += usize::from(scale.skip) * kiosk.skip;
        }
    }
    if let Some(c) = &survey.comment {
        words += word_count(c.prompt.get(lang)) + word_count(c.privacy.get(lang));
    }
    words
}

/// The estimate in the survey's slowest language.
pub fn estimate(survey: &Survey) -> Estimate {
    let mut langs = survey.languages.iter();
    let first = langs.next().map_or_else(|| "en".to_string(), String::clone);
    let one = |lang: &str| {
        let words = words_to_read(survey, lang, &KIOSK_WORDS);
        Estimate {
            language: lang.to_string(),
            words,
            minutes: words as f64 / SLOW_READER_WORDS_PER_MINUTE,
        }
    };
    langs.fold(one(&first), |slowest, lang| {
        let e = one(lang);
        if e.words > slowest.words { e } else { slowest }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_screen_s_words_are_counted_once() {
        let text = include_str!("../../tests/testdata/surveys/valid-minimal.toml");
        let s = crate::survey::from_str(text, "valid-minimal.toml").unwrap();
        let none = KioskWords {
            welcome: 0,
            language_choice: 0,
            not_applicable: 0,
            skip: 0,
            confirm: 0,
            thanks: 0,
        };
        let lang = s.default_language().to_string();
        let own = words_to_read(&s, &lang, &none);
        let mut expected = word_count(s.title.get(&lang)) + word_count(s.introduction.get(&lang));
        for item in &s.items {
            expected += word_count(item.text.get(&lang));
            let scale = s.item_scale(item).unwrap();
            expected += scale
                .points
                .iter()
                .map(|p| word_count(p.label.get(&lang)))
                .sum::<usize>();
        }
        if let Some(h) = &s.headline {
            expected += word_count(h.text.get(&lang));
            let scale = s.scale(&h.scale).unwrap();
            expected += scale
                .points
                .iter()
                .map(|p| word_count(p.label.get(&lang)))
                .sum::<usize>();
        }
        if let Some(c) = &s.comment {
            expected += word_count(c.prompt.get(&lang)) + word_count(c.privacy.get(&lang));
        }
        assert_eq!(own, expected);
        let with_kiosk = words_to_read(&s, &lang, &KIOSK_WORDS);
        assert!(with_kiosk > own + KIOSK_WORDS.welcome);
    }

    #[test]
    fn the_estimate_is_the_slowest_language_at_100_words_a_minute() {
        let s = crate::survey::embedded().unwrap();
        let e = estimate(&s);
        assert!((e.minutes - e.words as f64 / 100.0).abs() < 1e-9);
        for lang in &s.languages {
            assert!(words_to_read(&s, lang, &KIOSK_WORDS) <= e.words, "{lang}");
        }
        assert!(
            f64::from(s.minutes) >= e.minutes,
            "the built-in survey promises {} minutes, a slow reader needs {:.1}",
            s.minutes,
            e.minutes
        );
    }
}
