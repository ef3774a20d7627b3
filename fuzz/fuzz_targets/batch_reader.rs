//! The batch reader on arbitrary bytes: refused with a named check, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = icare::batch::file::check(Path::new("fuzz.icb"), data);
});
