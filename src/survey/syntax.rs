//! What ids, language codes and texts in a survey may contain.

/// Characters never allowed in a text or id: every `char::is_control` character (which includes
/// ESC, tab and newline) plus the Unicode line and paragraph separators and the bidirectional
/// controls, which can make a kiosk screen or a terminal show something other than what was written.
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Ids are lower-case ASCII letters, digits and `-`, starting with a letter or digit.
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Language codes as in BCP 47, simplified: two or three lower-case letters, then optional
/// `-` subtags of letters and digits (`en`, `pl`, `en-GB`).
pub fn is_valid_language(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Whether a language code is English, the only language the reading-grade check applies to.
pub fn is_english(code: &str) -> bool {
    code == "en" || code.starts_with("en-")
}

pub fn describe_char(c: char) -> String {
    let name = match c {
        '\u{1b}' => " (escape)",
        '\t' => " (tab)",
        '\n' => " (line feed)",
        '\r' => " (carriage return)",
        '\0' => " (null)",
        '\u{2028}' => " (line separator)",
        '\u{2029}' => " (paragraph separator)",
        '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{061C}'
        | '\u{200E}'
        | '\u{200F}' => " (bidirectional control)",
        _ => "",
    };
    format!("U+{:04X}{name}", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lower_case_ascii_with_dashes() {
        for ok in ["agree", "fft", "humanised-care", "q1", "1-a", "a-"] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", "-a", "Agree", "a b", "a_b", "ż", "a.b", "a\u{1b}"] {
            assert!(!is_valid_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn language_codes_follow_simplified_bcp47() {
        for ok in ["en", "pl", "fil", "en-GB", "zh-Hant-TW"] {
            assert!(is_valid_language(ok), "{ok}");
        }
        for bad in ["", "e", "EN", "English", "en_GB", "en-", "abcd"] {
            assert!(!is_valid_language(bad), "{bad:?}");
        }
        assert!(is_english("en") && is_english("en-GB") && !is_english("pl") && !is_english("eng"));
    }

    #[test]
    fn forbidden_characters_include_escape_separators_and_bidi_controls() {
        for c in [
            '\u{1b}', '\0', '\t', '\n', '\r', '\u{7f}', '\u{85}', '\u{2028}', '\u{2029}',
        ] {
            assert!(is_forbidden_char(c), "{c:?}");
        }
        for c in ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}') {
            assert!(is_forbidden_char(c), "{c:?}");
        }
        for c in ['a', ' ', 'ż', '\u{2019}', '–', '🙂'] {
            assert!(!is_forbidden_char(c), "{c:?}");
        }
        assert_eq!(describe_char('\u{1b}'), "U+001B (escape)");
        assert_eq!(describe_char('\u{202E}'), "U+202E (bidirectional control)");
    }
}
