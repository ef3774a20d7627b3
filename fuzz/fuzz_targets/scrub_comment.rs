//! The comment scrubber on arbitrary text: no control character, no ten digits in a row,
//! idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let once = icare::scrub::scrub_comment(&text);
    assert!(!once.chars().any(char::is_control));
    let mut run = 0;
    for c in once.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        assert!(run < 10);
    }
    assert_eq!(icare::scrub::scrub_comment(&once), once);
});
