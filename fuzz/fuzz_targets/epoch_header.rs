//! The epoch-header parser on arbitrary bytes: what it accepts is exactly its binding.
#![no_main]

use icare::store::format::EpochInfo;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((info, end)) = EpochInfo::parse(data) {
        assert!(end <= data.len());
        assert_eq!(info.binding(), data[..end]);
    }
});
