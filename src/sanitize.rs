//! Making untrusted text safe to draw on a terminal: no control characters, escape sequences or
//! direction overrides survive.

use std::borrow::Cow;

/// `s` with every character that could move the cursor, change colours, reorder text or talk to
/// the terminal removed: C0 and C1 controls, DEL, whole ESC/CSI/OSC/DCS sequences, bidirectional
/// overrides and isolates, and the byte order mark. Tabs, newlines and U+2028/U+2029 become one
/// space each, so wrapped text keeps its word breaks.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 CSI: parameters up to a final byte.
            '\u{9b}' => skip_csi(&mut chars),
            // C1 OSC, DCS, SOS, PM, APC: a string up to a terminator.
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// True for characters [`terminal_safe`] never lets through.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}' | '\u{feff}'
        )
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After ESC: drop the rest of the sequence (ECMA-48 CSI, OSC/DCS strings, or a two-byte escape).
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // Intermediate bytes, then one final byte.
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while chars
                .next_if(|c| ('\u{20}'..='\u{2f}').contains(c))
                .is_some()
            {}
            chars.next_if(|c| ('\u{30}'..='\u{7e}').contains(c));
        }
        _ => {}
    }
}

/// CSI: parameter and intermediate bytes (0x20-0x3F), then a final byte (0x40-0x7E).
fn skip_csi(chars: &mut Chars<'_>) {
    while chars
        .next_if(|c| ('\u{20}'..='\u{3f}').contains(c))
        .is_some()
    {}
    chars.next_if(|c| ('\u{40}'..='\u{7e}').contains(c));
}

/// A control string ends with BEL, ST (U+009C) or ESC `\`.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{07}' | '\u{9c}' => return,
            '\u{1b}' => {
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let s = "Staff here treat me like a person. Zażółć gęślą jaźń ✓";
        assert!(matches!(terminal_safe(s), Cow::Borrowed(t) if t == s));
    }

    #[test]
    fn escape_sequences_are_removed_whole() {
        assert_eq!(terminal_safe("a\u{1b}[31;1mred\u{1b}[0m b"), "ared b");
        assert_eq!(terminal_safe("x\u{1b}]0;title\u{7}y"), "xy");
        assert_eq!(terminal_safe("x\u{1b}]8;;http://e\u{1b}\\link"), "xlink");
        assert_eq!(terminal_safe("x\u{9b}2Jy"), "xy");
        assert_eq!(terminal_safe("x\u{1b}(By"), "xy");
        assert_eq!(terminal_safe("x\u{1b}Pdata\u{9c}y"), "xy");
    }

    #[test]
    fn bidi_overrides_and_line_separators_are_removed() {
        assert_eq!(terminal_safe("a\u{202e}b\u{2066}c"), "abc");
        assert_eq!(terminal_safe("one\u{2028}two\nthree"), "one two three");
        assert_eq!(terminal_safe("bell\u{7}\u{8}\u{7f}\u{85}"), "bell");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn no_output_char_is_a_control_or_escape(s in "\\PC*|[\\x00-\\x{ff}\\u{2028}\\u{202e}\\u{2066}a\\[\\]]*") {
            let out = terminal_safe(&s);
            prop_assert!(!out.chars().any(is_unsafe), "{out:?}");
        }

        #[test]
        fn sanitizing_twice_changes_nothing(s in any::<String>()) {
            let once = terminal_safe(&s).into_owned();
            prop_assert_eq!(terminal_safe(&once), once.as_str());
        }
    }
}
