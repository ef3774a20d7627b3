//! Plain-language checks: word counts, the Flesch–Kincaid grade of English text and Pisarek's
//! index of Polish text.
//!
//! Flesch–Kincaid grade level (Kincaid et al., 1975):
//! `0.39 × (words / sentences) + 11.8 × (syllables / words) − 15.59`.
//!
//! Syllables are estimated, not looked up, with this English heuristic (see [`syllables`]):
//! 1. lower-case the word and keep only the letters a–z (so `don't` is `dont`);
//! 2. a word of three letters or fewer has one syllable;
//! 3. otherwise count groups of consecutive vowels (`a e i o u y`; a leading `y` is a consonant);
//! 4. a vowel pair `ia`, `io` or `iu` counts as two (`period`, `area`), except `-tion`/`-sion`/`-cion`;
//! 5. a word ending in a vowel + `ing` gains one (`being`, `doing`);
//! 6. a final silent `e` loses one (`here`, `service`), but not a consonant + `le` (`people`);
//! 7. a final `-ed` loses one unless it follows `t` or `d` (`worked` 1, `wanted` 2);
//! 8. a final `-es` loses one unless it follows `s`, `x`, `z`, `ch`, `sh`, `c` or `g` (`makes` 1,
//!    `boxes` 2);
//! 9. every word has at least one syllable.
//!
//! The heuristic is right for the short everyday words a kiosk item should use and errs on long
//! Latinate words; the grade is advice (a warning), never a reason to refuse a survey.
//!
//! Pisarek's index (Pisarek W., 1969, the "new" non-linear formula; checked against the
//! comprehension of 1,309 readers by Charzyńska E. & Dębowski Ł., *Empirical verification of the
//! Polish formula of text difficulty*, Cognitive Studies 15, 2015, doi:10.11649/cs.2015.010; used
//! by the Jasnopis readability service, Broda et al., LREC 2014):
//! `√(ś² + tw²) / 2`, where `ś` is the mean sentence length in words and `tw` the percentage of
//! hard words, words of four or more syllables (tokens with a digit are never hard). Jasnopis
//! reads a value below 7.1 as "very easy" (*tekst bardzo łatwy*), 7.1–10 as "easy". Polish
//! syllables are counted by [`polish_syllables`].

/// Words in `text`: whitespace-separated pieces that contain at least one letter or digit.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
}

/// Number of words in `text` (see [`words`]).
pub fn word_count(text: &str) -> usize {
    words(text).count()
}

/// Sentences in `text`: runs of `.`, `!` or `?` that end a sentence, at least one.
pub fn sentence_count(text: &str) -> usize {
    let mut count = 0;
    let mut in_run = false;
    let mut seen_word = false;
    for c in text.chars() {
        if matches!(c, '.' | '!' | '?') {
            if !in_run && seen_word {
                count += 1;
            }
            in_run = true;
            seen_word = false;
        } else {
            in_run = false;
            seen_word |= c.is_alphanumeric();
        }
    }
    // Text that does not end with a full stop still holds a last sentence.
    (count + usize::from(seen_word)).max(1)
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Estimated syllables in one English word (the heuristic in the module documentation).
pub fn syllables(word: &str) -> usize {
    let w: Vec<u8> = word
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase() as u8)
        .collect();
    if w.len() <= 3 {
        return 1;
    }
    let mut count: isize = 0;
    let mut prev_vowel = false;
    for (i, &c) in w.iter().enumerate() {
        let vowel = is_vowel(c) && !(i == 0 && c == b'y');
        if vowel && !prev_vowel {
            count += 1;
        } else if vowel && prev_vowel && w[i - 1] == b'i' && matches!(c, b'a' | b'o' | b'u') {
            let rest = &w[i..];
            let suffix_tion = rest == b"on" && i >= 2 && matches!(w[i - 2], b't' | b's' | b'c');
            if !suffix_tion {
                count += 1;
            }
        }
        prev_vowel = vowel;
    }
    let n = w.len();
    if w.ends_with(b"ing") && n >= 4 && is_vowel(w[n - 4]) {
        count += 1;
    }
    let consonant_le = w.ends_with(b"le") && !is_vowel(w[n - 3]);
    if w[n - 1] == b'e' && !is_vowel(w[n - 2]) && !consonant_le {
        count -= 1;
    }
    if w.ends_with(b"ed") && !matches!(w[n - 3], b't' | b'd') && !is_vowel(w[n - 3]) {
        count -= 1;
    }
    if w.ends_with(b"es") && n >= 4 {
        let before = &w[..n - 2];
        let sibilant = before.ends_with(b"ch")
            || before.ends_with(b"sh")
            || matches!(before[before.len() - 1], b's' | b'x' | b'z' | b'c' | b'g');
        if !sibilant && !is_vowel(before[before.len() - 1]) {
            count -= 1;
        }
    }
    count.max(1) as usize
}

/// The Flesch–Kincaid grade of English `text`, or `None` when it has no words.
pub fn flesch_kincaid_grade(text: &str) -> Option<f64> {
    let (mut n_words, mut n_syllables) = (0usize, 0usize);
    for w in words(text) {
        n_words += 1;
        n_syllables += syllables(w);
    }
    if n_words == 0 {
        return None;
    }
    let (w, s, y) = (
        n_words as f64,
        sentence_count(text) as f64,
        n_syllables as f64,
    );
    Some(0.39 * (w / s) + 11.8 * (y / w) - 15.59)
}

/// Whether a language code is Polish (`pl`, `pl-PL`).
pub fn is_polish(code: &str) -> bool {
    code == "pl" || code.starts_with("pl-")
}

fn is_polish_vowel(c: char) -> bool {
    matches!(c, 'a' | 'ą' | 'e' | 'ę' | 'i' | 'o' | 'ó' | 'u' | 'y')
}

/// Syllables in one Polish word: every vowel letter (`a ą e ę i o ó u y`) is a syllable, except
/// an `i` before another vowel, which only softens the consonant before it (`się`, `nie`,
/// `pytanie` = py-ta-nie), and the `u` of `au` and `eu`, read as one syllable with the vowel before
/// it (`auto`, `terapeuta` = te-ra-peu-ta). At least one. Loan words such as `nauka` (na-u-ka)
/// come out one short; the index errs towards easy for them.
pub fn polish_syllables(word: &str) -> usize {
    let w: Vec<char> = word
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphabetic())
        .collect();
    let mut count = 0;
    for (i, &c) in w.iter().enumerate() {
        if !is_polish_vowel(c) {
            continue;
        }
        let next_is_vowel = w.get(i + 1).is_some_and(|&n| is_polish_vowel(n));
        let softening_i = c == 'i' && next_is_vowel;
        let diphthong_u = c == 'u' && i > 0 && matches!(w[i - 1], 'a' | 'e');
        if !softening_i && !diphthong_u {
            count += 1;
        }
    }
    count.max(1)
}

/// Word, sentence and hard-word counts of a Polish text, for Pisarek's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PisarekCounts {
    pub words: usize,
    pub sentences: usize,
    /// Words of four or more syllables (tokens with a digit are not counted as hard).
    pub hard: usize,
}

impl PisarekCounts {
    /// Count `text`.
    pub fn of(text: &str) -> PisarekCounts {
        let mut counts = PisarekCounts {
            sentences: sentence_count(text),
            ..PisarekCounts::default()
        };
        for w in words(text) {
            counts.words += 1;
            if !w.chars().any(|c| c.is_ascii_digit()) && polish_syllables(w) >= 4 {
                counts.hard += 1;
            }
        }
        counts
    }

    /// Pisarek's non-linear index `√(ś² + tw²) / 2`, or `None` for a text with no words.
    pub fn index(&self) -> Option<f64> {
        if self.words == 0 {
            return None;
        }
        let mean_sentence = self.words as f64 / self.sentences.max(1) as f64;
        let hard_percent = 100.0 * self.hard as f64 / self.words as f64;
        Some((mean_sentence.powi(2) + hard_percent.powi(2)).sqrt() / 2.0)
    }
}

/// Pisarek's index of a Polish `text` (see the module documentation), or `None` when it has no
/// words.
pub fn pisarek_index(text: &str) -> Option<f64> {
    PisarekCounts::of(text).index()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_of_everyday_words() {
        let cases = [
            ("I", 1),
            ("staff", 1),
            ("here", 1),
            ("treat", 1),
            ("treated", 2),
            ("worked", 1),
            ("wanted", 2),
            ("makes", 1),
            ("boxes", 2),
            ("people", 2),
            ("table", 2),
            ("service", 2),
            ("person", 2),
            ("being", 2),
            ("doing", 2),
            ("doctor", 2),
            ("nobody", 3),
            ("understand", 3),
            ("prescription", 3),
            ("period", 3),
            ("information", 4),
            ("don't", 1),
            ("yellow", 2),
            ("Overall,", 3),
        ];
        for (word, expected) in cases {
            assert_eq!(syllables(word), expected, "{word}");
        }
    }

    #[test]
    fn syllables_never_below_one() {
        for w in ["", "e", "'", "123", "ed", "zzzzes", "ée"] {
            assert!(syllables(w) >= 1, "{w}");
        }
    }

    #[test]
    fn words_and_sentences_are_counted_like_a_reader_would() {
        assert_eq!(word_count("Staff here treat me like a person."), 7);
        assert_eq!(word_count("  -  a  - b "), 2);
        assert_eq!(sentence_count("One. Two! Three?"), 3);
        assert_eq!(sentence_count("No stop at the end"), 1);
        assert_eq!(sentence_count("Wait... what?!"), 2);
        assert_eq!(sentence_count(""), 1);
    }

    #[test]
    fn grade_follows_the_formula() {
        // 7 words, 1 sentence, 8 syllables: 0.39*7 + 11.8*8/7 - 15.59.
        let g = flesch_kincaid_grade("Staff here treat me like a person.").unwrap();
        assert!(
            (g - (0.39 * 7.0 + 11.8 * 8.0 / 7.0 - 15.59)).abs() < 1e-9,
            "{g}"
        );
        assert!(g < 6.0);
        let hard = "Multidisciplinary communication facilitates individualised pharmacological optimisation.";
        assert!(flesch_kincaid_grade(hard).unwrap() > 12.0);
        assert_eq!(flesch_kincaid_grade(" ... "), None);
    }

    #[test]
    fn polish_syllables_of_everyday_words() {
        let cases = [
            ("się", 1),
            ("nie", 1),
            ("mnie", 1),
            ("tu", 1),
            ("w", 1),
            ("pytanie", 3),
            ("opieka", 3),
            ("człowieka", 3),
            ("personel", 3),
            ("potrzebuję", 4),
            ("terapeuta", 4),
            ("narkotykami", 5),
            ("Zdecydowanie", 5),
            ("auto", 2),
            ("Łatwo", 2),
        ];
        for (word, expected) in cases {
            assert_eq!(polish_syllables(word), expected, "{word}");
        }
    }

    #[test]
    fn pisarek_follows_the_formula() {
        // 10 words, 1 sentence, 1 hard word ("potrzebuję"): √(10² + 10²) / 2.
        let text = "Mogę tu dostać pomoc, kiedy jej potrzebuję, i to szybko.";
        let c = PisarekCounts::of(text);
        assert_eq!(
            c,
            PisarekCounts {
                words: 10,
                sentences: 1,
                hard: 1
            }
        );
        let expected = (100.0f64 + 100.0).sqrt() / 2.0;
        assert!((c.index().unwrap() - expected).abs() < 1e-9);
        assert_eq!(pisarek_index("Personel tu jest miły."), Some(2.0));
        assert_eq!(pisarek_index(" - "), None);
        // Digits are words, never hard ones.
        assert_eq!(PisarekCounts::of("Mam 1234567 lat.").hard, 0);
        let officialese = "Niniejszym informujemy, że przedmiotowa dokumentacja \
                           zostanie niezwłocznie zweryfikowana przez administratora.";
        assert!(pisarek_index(officialese).unwrap() > 16.0);
    }

    #[test]
    fn only_polish_codes_are_polish() {
        assert!(is_polish("pl") && is_polish("pl-PL"));
        assert!(!is_polish("plt") && !is_polish("en"));
    }
}
