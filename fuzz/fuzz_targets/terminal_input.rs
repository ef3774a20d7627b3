//! The kiosk's terminal input decoder on arbitrary bytes, split at an arbitrary point: never a
//! panic, the same events whole or split, and nothing left held after the Esc timeout.
#![no_main]

use icare::kiosk::tty::decode::Decoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, bytes)) = data.split_first() else {
        return;
    };
    let cut = usize::from(cut).min(bytes.len());
    let mut whole = Vec::new();
    let mut d = Decoder::default();
    d.feed(bytes, &mut whole);
    d.timeout(&mut whole);
    let mut split = Vec::new();
    let mut d = Decoder::default();
    d.feed(&bytes[..cut], &mut split);
    d.feed(&bytes[cut..], &mut split);
    d.timeout(&mut split);
    assert_eq!(whole, split);
    assert!(!d.escape_pending());
});
