//! Scrubbing a patient's free-text comment of NHS numbers, phone numbers and email addresses before it is sealed.
//!
//! A comment is the one part of a response where a patient can type something that identifies them. The survey
//! asks people not to write names; this module removes the identifiers a machine can recognise with confidence,
//! replacing each with [`MARKER`]. It errs on the side of removing too much: a long number that is not a phone
//! number is removed as well, while short numbers ("3 weeks", "£20", "2019", "60ml") stay.
//!
//! [`scrub_comment`] collapses control characters, finds every span that rules 2–4 match in the result
//! (overlapping or touching spans become one), replaces each with the marker, trims, and repeats all of this
//! until the text no longer changes, so scrubbing is idempotent:
//!
//! 1. **Control characters** (Unicode category Cc: newlines, tabs, escape codes): each run becomes one space.
//! 2. **Email addresses**: an `@` with a letter or digit on each side, together with the address characters
//!    around it (letters, digits and ``._%+-'!#$&*=?^`{|}~@``, edge punctuation left out), as in
//!    `jo.smith+nhs@example.co.uk`. Written with spaces around the `@` (`jo @ example.org`) it is removed only
//!    when the right side looks like a domain (`name.tld` with an alphabetic top-level label), so that
//!    "meet @ 3.30pm" stays.
//! 3. **Phone numbers and other long numbers**: digits joined by separators — whitespace, `-`, `.`, `(`, `)`,
//!    `/`, Unicode dashes and zero-width spaces, at most three separators between two digits, a run of
//!    whitespace counting as one — form a group. A group of **10 or more digits** is removed, with a `+` just
//!    before it and a `(` just before it when the group holds a `)`. This covers UK numbers (`07700 900123`,
//!    `(020) 7946 0958`, `0161-496-0000`, `+44 (0)20 7946 0958`), international ones (`+48 512 345 678`),
//!    NHS numbers written as `943 476 5919` or `943-476-5919` whether or not they pass the check below, and
//!    any other run of ten or more digits. Local numbers written without an area code (7 or 8 digits) cannot be
//!    told from other numbers and are left.
//! 4. **NHS numbers in any other layout**: ten digits with at most three characters that are neither letters nor
//!    digits between each two (so `943,476,5919` or `943_476_5919` too) are removed when they pass the NHS
//!    modulus-11 check: multiply the first nine digits by the weights 10, 9, ..., 2 and add them up; the check
//!    digit is `11 − (sum mod 11)`, where 11 becomes 0 and 10 means the number is not a valid NHS number; the
//!    number is valid when the check digit equals the tenth digit. The check is what lets this rule accept
//!    layouts the phone rule does not, without removing ordinary lists of figures.
//! 5. **Trimming**: leading and trailing whitespace is removed.
//!
//! What it does not do: recognise names, street addresses, postcodes or identifiers spelt out in words
//! ("oh seven seven..."), or numbers in non-ASCII digits. Capping the length is the kiosk's job.

/// What every removed identifier is replaced with. It holds no digit and no `@`, so a scrubbed text scrubs to
/// itself.
pub const MARKER: &str = "[removed]";

/// Most separator units allowed between two digits of one number.
const MAX_GAP: usize = 3;

/// The comment with control characters collapsed, identifiers replaced by [`MARKER`] and the ends trimmed.
///
/// Never panics; runs in time linear in the length of the text per pass, and a pass after the first changes the
/// text only when it removes at least one digit or `@`, so the number of passes is bounded.
pub fn scrub_comment(text: &str) -> String {
    let mut current = pass(text);
    // Each further pass that changes the text removes at least one digit or `@` and adds none (the marker has
    // neither), so this many passes always reach the fixed point; the bound only guards against a future bug.
    let budget = current
        .chars()
        .filter(|&c| c.is_ascii_digit() || c == '@')
        .count()
        + 1;
    for _ in 0..budget {
        let next = pass(&current);
        if next == current {
            break;
        }
        current = next;
    }
    current
}

/// One application of every rule.
fn pass(text: &str) -> String {
    let chars = collapse_controls(text);
    let mut spans = email_spans(&chars);
    spans.extend(long_number_spans(&chars));
    spans.extend(nhs_number_spans(&chars));
    let replaced = replace_spans(&chars, spans);
    replaced.trim().to_string()
}

/// Each run of control characters becomes one space.
fn collapse_controls(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    let mut in_run = false;
    for c in text.chars() {
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
    out
}

/// Replace each of the (possibly overlapping) half-open spans of `chars` with one [`MARKER`].
fn replace_spans(chars: &[char], mut spans: Vec<(usize, usize)>) -> String {
    spans.sort_unstable();
    let mut out = String::with_capacity(chars.len());
    let mut pos = 0;
    let mut spans = spans.into_iter().peekable();
    while let Some((start, mut end)) = spans.next() {
        // Merge every span that overlaps or touches this one.
        while let Some(&(s, e)) = spans.peek() {
            if s > end {
                break;
            }
            end = end.max(e);
            spans.next();
        }
        let start = start.max(pos);
        out.extend(&chars[pos..start]);
        out.push_str(MARKER);
        pos = end.max(start);
    }
    out.extend(&chars[pos.min(chars.len())..]);
    out
}

fn is_email_char(c: char) -> bool {
    c.is_alphanumeric() || "._%+-'!#$&*=?^`{|}~@".contains(c)
}

/// Spans of email addresses (rule 2), found in time linear in the length of the text.
fn email_spans(chars: &[char]) -> Vec<(usize, usize)> {
    // Maximal runs of address characters; `run_of[i]` is the run that holds position `i`.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut run_of = vec![usize::MAX; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        if !is_email_char(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_email_char(chars[i]) {
            run_of[i] = runs.len();
            i += 1;
        }
        runs.push((start, i));
    }
    let mut spans = Vec::new();
    // Unspaced: a run whose letters-and-digits core holds an `@` has a letter or digit on each side of it.
    for &(start, end) in &runs {
        if let Some(core) = alnum_core(chars, start, end)
            && chars[core.0..core.1].contains(&'@')
        {
            spans.push(core);
        }
    }
    // Spaced: `name @ domain.tld`, `name@ domain.tld`, `name @domain.tld`. Only an `@` at the edge of its run
    // can have whitespace beside it, so each run is looked at a bounded number of times.
    for &(start, end) in &runs {
        for at in [start, end - 1] {
            if chars[at] != '@' {
                continue;
            }
            let (left, left_spaced) = side(chars, &runs, &run_of, at, Side::Left);
            let (right, right_spaced) = side(chars, &runs, &run_of, at, Side::Right);
            let (Some(left), Some(right)) = (left, right) else {
                continue;
            };
            if (left_spaced || right_spaced) && looks_like_domain(&chars[right.0..right.1]) {
                spans.push((left.0, right.1));
            }
        }
    }
    spans
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Left,
    Right,
}

/// The letters-and-digits core of the address text on one side of the `@` at `at`, and whether whitespace (at
/// most [`MAX_GAP`] characters) stands between them.
fn side(
    chars: &[char],
    runs: &[(usize, usize)],
    run_of: &[usize],
    at: usize,
    side: Side,
) -> (Option<(usize, usize)>, bool) {
    let (run_start, run_end) = runs[run_of[at]];
    let (inner_start, inner_end) = match side {
        Side::Left => (run_start, at),
        Side::Right => (at + 1, run_end),
    };
    if inner_start < inner_end {
        return (alnum_core(chars, inner_start, inner_end), false);
    }
    // Nothing on this side within the run: skip whitespace to the neighbouring run.
    let mut pos = at;
    for _ in 0..=MAX_GAP {
        let next = match side {
            Side::Left => pos.checked_sub(1),
            Side::Right => Some(pos + 1).filter(|&p| p < chars.len()),
        };
        let Some(next) = next else {
            return (None, false);
        };
        if chars[next].is_whitespace() {
            pos = next;
            continue;
        }
        if pos == at || run_of[next] == usize::MAX {
            return (None, false);
        }
        let (s, e) = runs[run_of[next]];
        return (alnum_core(chars, s, e), true);
    }
    (None, false)
}

/// The part of `chars[start..end]` from its first to its last letter or digit, if it has any.
fn alnum_core(chars: &[char], start: usize, end: usize) -> Option<(usize, usize)> {
    let slice = chars.get(start..end)?;
    let first = slice.iter().position(|c| c.is_alphanumeric())?;
    let last = slice.iter().rposition(|c| c.is_alphanumeric())?;
    Some((start + first, start + last + 1))
}

/// `label.label...tld` where the last label is at least two letters: `example.org`, not `3.30pm`.
fn looks_like_domain(chars: &[char]) -> bool {
    let Some(dot) = chars.iter().rposition(|&c| c == '.') else {
        return false;
    };
    let tld = &chars[dot + 1..];
    dot > 0
        && chars[dot - 1].is_alphanumeric()
        && tld.len() >= 2
        && tld.iter().all(|c| c.is_alphabetic())
}

fn is_phone_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '.' | '(' | ')' | '/' | '\u{2010}'..='\u{2015}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

fn is_loose_separator(c: char) -> bool {
    !c.is_alphanumeric()
}

/// A run of digits joined by separators: where its characters are and where each digit is.
struct DigitGroup {
    start: usize,
    end: usize,
    digits: Vec<usize>,
}

/// Maximal digit groups whose digits are joined by at most [`MAX_GAP`] separator units (a whitespace run is
/// one unit).
fn digit_groups(chars: &[char], is_sep: fn(char) -> bool) -> Vec<DigitGroup> {
    let mut groups = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let mut group = DigitGroup {
            start: i,
            end: i + 1,
            digits: vec![i],
        };
        let mut j = i + 1;
        loop {
            if j < chars.len() && chars[j].is_ascii_digit() {
                group.digits.push(j);
                group.end = j + 1;
                j += 1;
                continue;
            }
            let (mut k, mut units) = (j, 0);
            while k < chars.len() && units < MAX_GAP && is_sep(chars[k]) {
                if chars[k].is_whitespace() {
                    while k < chars.len() && chars[k].is_whitespace() {
                        k += 1;
                    }
                } else {
                    k += 1;
                }
                units += 1;
            }
            if units > 0 && k < chars.len() && chars[k].is_ascii_digit() {
                j = k;
            } else {
                break;
            }
        }
        i = group.end;
        groups.push(group);
    }
    groups
}

/// Spans of phone numbers and other numbers of ten or more digits (rule 3).
fn long_number_spans(chars: &[char]) -> Vec<(usize, usize)> {
    digit_groups(chars, is_phone_separator)
        .into_iter()
        .filter(|g| g.digits.len() >= 10)
        .map(|g| {
            let mut start = g.start;
            if start > 0 && chars[start - 1] == '+' {
                start -= 1;
            } else if start > 0 && chars[start - 1] == '(' && chars[g.start..g.end].contains(&')') {
                start -= 1;
                if start > 0 && chars[start - 1] == '+' {
                    start -= 1;
                }
            }
            (start, g.end)
        })
        .collect()
}

/// Spans of valid NHS numbers in any layout (rule 4): every window of ten digits of a loosely joined group that
/// passes the modulus-11 check.
fn nhs_number_spans(chars: &[char]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for group in digit_groups(chars, is_loose_separator) {
        for window in group.digits.windows(10) {
            let mut digits = [0u8; 10];
            for (d, &pos) in digits.iter_mut().zip(window) {
                *d = chars[pos] as u8 - b'0';
            }
            if nhs_number_is_valid(&digits) {
                spans.push((window[0], window[9] + 1));
            }
        }
    }
    spans
}

/// The NHS modulus-11 check on ten digits (each 0–9): weights 10 down to 2 on the first nine, check digit
/// `11 − (sum mod 11)`, 11 meaning 0 and 10 meaning invalid; valid when it equals the tenth digit.
pub fn nhs_number_is_valid(digits: &[u8; 10]) -> bool {
    let sum: u32 = digits[..9]
        .iter()
        .zip((2..=10u32).rev())
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    match 11 - sum % 11 {
        10 => false,
        11 => digits[9] == 0,
        check => u32::from(digits[9]) == check,
    }
}

#[cfg(test)]
mod tests;
