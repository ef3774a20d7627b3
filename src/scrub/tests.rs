//! Tests of the comment scrubber: hand-worked NHS numbers, phone and email layouts, and properties.

use proptest::prelude::*;

use super::{MARKER, nhs_number_is_valid, scrub_comment};

fn digits(s: &str) -> [u8; 10] {
    let v: Vec<u8> = s
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    v.try_into().expect("ten digits")
}

// Hand-worked modulus-11 checks (weights 10, 9, ..., 2 on the first nine digits):
//
// 943 476 5919: 9×10 + 4×9 + 3×8 + 4×7 + 7×6 + 6×5 + 5×4 + 9×3 + 1×2
//             = 90 + 36 + 24 + 28 + 42 + 30 + 20 + 27 + 2 = 299 = 27×11 + 2; 11 − 2 = 9 = tenth digit: valid.
// 401 023 2137: 4×10 + 0×9 + 1×8 + 0×7 + 2×6 + 3×5 + 2×4 + 1×3 + 3×2
//             = 40 + 0 + 8 + 0 + 12 + 15 + 8 + 3 + 6 = 92 = 8×11 + 4; 11 − 4 = 7 = tenth digit: valid.
// 100 000 0060: 1×10 + 6×2 = 22 = 2×11 + 0; 11 − 0 = 11, which counts as 0 = tenth digit: valid.
// 943 476 5918: sum 299 as above, check digit 9, tenth digit 8: invalid.
// 100 000 0010: 1×10 + 1×2 = 12 = 11 + 1; 11 − 1 = 10: no valid check digit, invalid whatever the tenth digit.
// 123 456 7890: 10 + 18 + 24 + 28 + 30 + 30 + 28 + 24 + 18 = 210 = 19×11 + 1; 11 − 1 = 10: invalid.

#[test]
fn hand_worked_nhs_numbers_pass_the_check() {
    assert!(nhs_number_is_valid(&digits("943 476 5919")));
    assert!(nhs_number_is_valid(&digits("401 023 2137")));
    assert!(nhs_number_is_valid(&digits("100 000 0060")));
}

#[test]
fn hand_worked_invalid_nhs_numbers_fail_the_check() {
    assert!(!nhs_number_is_valid(&digits("943 476 5918")));
    assert!(!nhs_number_is_valid(&digits("123 456 7890")));
    for last in 0..10 {
        let mut d = digits("100 000 0010");
        d[9] = last;
        assert!(
            !nhs_number_is_valid(&d),
            "check digit 10 is never valid ({last})"
        );
    }
}

#[test]
fn nhs_numbers_in_the_usual_layouts_are_removed() {
    for n in [
        "9434765919",
        "943 476 5919",
        "943-476-5919",
        "943 - 476 - 5919",
    ] {
        assert_eq!(
            scrub_comment(&format!("my NHS number is {n}, thanks")),
            "my NHS number is [removed], thanks",
            "{n}"
        );
    }
    assert_eq!(scrub_comment("NHS:4010232137."), "NHS:[removed].");
}

#[test]
fn the_check_digit_decides_for_unusual_layouts() {
    // Commas and underscores are not phone separators: only the modulus-11 rule can take these.
    assert_eq!(scrub_comment("no. 401,023,2137"), "no. [removed]");
    assert_eq!(scrub_comment("no. 943_476_5919 ok"), "no. [removed] ok");
    assert_eq!(scrub_comment("no. 401,023,2138"), "no. 401,023,2138");
    assert_eq!(scrub_comment("paid 1,234,567,890"), "paid 1,234,567,890");
}

#[test]
fn ten_digit_numbers_failing_the_check_are_still_removed_as_long_numbers() {
    assert_eq!(scrub_comment("ref 1234567890"), "ref [removed]");
    assert_eq!(scrub_comment("ref 943 476 5918"), "ref [removed]");
}

#[test]
fn uk_and_international_phone_numbers_are_removed() {
    for n in [
        "07700 900123",
        "07700900123",
        "07700 900 123",
        "+44 7700 900123",
        "+447700900123",
        "(020) 7946 0958",
        "020 7946 0958",
        "0161-496-0000",
        "0161 496 0000",
        "+44 (0)20 7946 0958",
        "0044 20 7946 0958",
        "+48 512 345 678",
        "+1 (555) 010-9999",
        "0117.496.0000",
    ] {
        assert_eq!(
            scrub_comment(&format!("ring me on {n} please")),
            "ring me on [removed] please",
            "{n}"
        );
    }
    assert_eq!(
        scrub_comment("call (07700 900123) today"),
        "call ([removed]) today"
    );
}

#[test]
fn email_addresses_are_removed() {
    for e in [
        "jo@example.org",
        "jo.smith+nhs@example.co.uk",
        "józef_k@poczta.pl",
        "a@b",
        "jo @ example.org",
        "jo@ example.org",
        "jo @example.org",
    ] {
        assert_eq!(
            scrub_comment(&format!("Email me at {e}, thanks.")),
            "Email me at [removed], thanks.",
            "{e}"
        );
    }
    assert_eq!(scrub_comment("<jo@example.org>"), "<[removed]>");
    assert_eq!(scrub_comment("x a@b@c y"), "x [removed] y");
}

#[test]
fn an_at_sign_that_is_not_an_address_stays() {
    for t in [
        "meet @ 3pm",
        "meet @ 3.30pm",
        "see you @ the cafe",
        "@ home",
        "5 @ £2 each",
    ] {
        assert_eq!(scrub_comment(t), t);
    }
}

#[test]
fn ordinary_text_and_short_numbers_stay() {
    for t in [
        "I have been on 60ml for 3 weeks.",
        "It cost £20 to get here.",
        "Since 2019 it has been better.",
        "My appointment on 21/11/2026 at 10.30 was fine.",
        "Call 999 or 111 if you need to.",
        "1 2 3 4 5 6 7 8 9",
        "123 456 789",
        "Dr Smith is kind. She listens!",
    ] {
        assert_eq!(scrub_comment(t), t);
    }
}

#[test]
fn control_characters_collapse_to_one_space_and_the_ends_are_trimmed() {
    assert_eq!(
        scrub_comment("  good\r\n\r\nstaff\there \u{1b}[31m "),
        "good staff here  [31m"
    );
    assert_eq!(scrub_comment("\n\t"), "");
    assert_eq!(scrub_comment(""), "");
}

#[test]
fn a_number_split_by_newlines_is_still_one_number() {
    assert_eq!(scrub_comment("ring\n07700\n900123\n"), "ring [removed]");
}

#[test]
fn the_marker_scrubs_to_itself() {
    assert_eq!(scrub_comment(MARKER), MARKER);
    let once = scrub_comment("a@b.com or 07700 900123 or 9434765919");
    assert_eq!(once, "[removed] or [removed] or [removed]");
    assert_eq!(scrub_comment(&once), once);
}

// ---- properties ----

/// An independent check-digit computation for generating valid NHS numbers.
fn with_check_digit(first: [u8; 9]) -> Option<[u8; 10]> {
    let mut sum = 0u32;
    for (i, &d) in first.iter().enumerate() {
        sum += u32::from(d) * (10 - i as u32);
    }
    let check = (11 - sum % 11) % 11;
    (check != 10).then(|| {
        let mut n = [0u8; 10];
        n[..9].copy_from_slice(&first);
        n[9] = check as u8;
        n
    })
}

fn valid_nhs_text() -> impl Strategy<Value = String> {
    (
        proptest::array::uniform9(0u8..10).prop_filter_map("check digit 10", with_check_digit),
        0..3usize,
    )
        .prop_map(|(n, layout)| {
            let s: String = n.iter().map(|d| char::from(b'0' + d)).collect();
            match layout {
                0 => s,
                1 => format!("{} {} {}", &s[..3], &s[3..6], &s[6..]),
                _ => format!("{}-{}-{}", &s[..3], &s[3..6], &s[6..]),
            }
        })
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z]{1,8}",
        Just(" ".to_string()),
        Just(", ".to_string()),
        Just(". ".to_string()),
        "[0-9]{1,14}",
        "[0-9 ()+./-]{1,16}",
        valid_nhs_text(),
        "[a-z.]{1,6}@[a-z]{1,6}\\.(com|org|co\\.uk)",
        Just("@".to_string()),
        Just(" @ ".to_string()),
        "[£$]?[0-9]{1,4}",
        "\\PC{1,4}",
        "[\\x00-\\x1f\\x7f\u{85}]",
    ]
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(fragment(), 0..24).prop_map(|v| v.concat())
}

/// Whether `s` holds ten digits, each pair separated by at most one space or dash, that pass the check.
fn holds_valid_nhs_number(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let mut group = Vec::new();
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_digit() {
            group.push(chars[j] as u8 - b'0');
            let sep = j + 1 < chars.len() && matches!(chars[j + 1], ' ' | '-');
            j += if sep && j + 2 < chars.len() && chars[j + 2].is_ascii_digit() {
                2
            } else {
                1
            };
        }
        for w in group.windows(10) {
            let first: [u8; 9] = w[..9].try_into().unwrap();
            if with_check_digit(first).is_some_and(|n| n[9] == w[9]) {
                return true;
            }
        }
        i = j.max(i + 1);
    }
    false
}

fn holds_email(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars
        .windows(3)
        .any(|w| w[1] == '@' && w[0].is_alphanumeric() && w[2].is_alphanumeric())
}

fn longest_digit_run(s: &str) -> usize {
    s.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// Each run of control characters as one space, then trimmed: what scrubbing does to text with nothing to remove.
fn collapsed_and_trimmed(s: &str) -> String {
    let mut out = String::new();
    let mut in_run = false;
    for c in s.chars() {
        if c.is_control() {
            if !in_run {
                out.push(' ');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out.trim().to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn output_never_holds_a_valid_nhs_number(s in text()) {
        let out = scrub_comment(&s);
        prop_assert!(!holds_valid_nhs_number(&out), "{s:?} -> {out:?}");
    }

    #[test]
    fn an_inserted_nhs_number_never_survives(a in text(), n in valid_nhs_text(), b in text()) {
        let out = scrub_comment(&format!("{a} {n} {b}"));
        prop_assert!(!out.contains(&n), "{n} survived in {out:?}");
        prop_assert!(!holds_valid_nhs_number(&out), "{out:?}");
    }

    #[test]
    fn output_never_holds_an_email_address(s in text()) {
        let out = scrub_comment(&s);
        prop_assert!(!holds_email(&out), "{s:?} -> {out:?}");
    }

    #[test]
    fn output_never_holds_ten_digits_in_a_row(s in text()) {
        let out = scrub_comment(&s);
        prop_assert!(longest_digit_run(&out) < 10, "{s:?} -> {out:?}");
    }

    #[test]
    fn scrubbing_is_idempotent(s in text()) {
        let once = scrub_comment(&s);
        prop_assert_eq!(scrub_comment(&once), once);
    }

    #[test]
    fn text_without_digits_or_at_signs_is_only_collapsed_and_trimmed(s in "[^0-9@]{0,80}") {
        prop_assert_eq!(scrub_comment(&s), collapsed_and_trimmed(&s));
    }

    #[test]
    fn short_numbers_between_words_stay(
        parts in proptest::collection::vec(("£?[a-zA-Z]{1,8}", 0u32..10_000), 0..12)
    ) {
        let s: String = parts.iter().map(|(w, n)| format!("{w} {n} ")).collect();
        prop_assert_eq!(scrub_comment(&s), s.trim());
    }
}

#[test]
fn long_pathological_inputs_are_scrubbed_completely() {
    // Chains of `@`, digits and separators that a careless matcher would walk again and again.
    for s in [
        "a@".repeat(20_000),
        "@ ".repeat(20_000),
        "1 ".repeat(20_000),
        "1,".repeat(20_000),
        format!("{}x", "9".repeat(40_000)),
    ] {
        let out = scrub_comment(&s);
        assert!(
            !holds_email(&out) && longest_digit_run(&out) < 10,
            "{}",
            &out[..40]
        );
        assert_eq!(scrub_comment(&out), out);
    }
}
