//! The survey loader on arbitrary bytes: located errors or a survey whose references resolve.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let checked = icare::survey::check_str(&text);
    if let Ok(s) = icare::survey::from_str(&text, "fuzz.toml") {
        assert!(checked.passes(false));
        for item in &s.items {
            assert!(s.item_scale(item).is_some());
        }
    }
});
