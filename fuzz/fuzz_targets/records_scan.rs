//! The records-file scanner on arbitrary bytes: only whole frames that pass their checks.
#![no_main]

use icare::store::format::{self, FILE_HEADER_LEN, FRAME_TRAILER_LEN, MAGIC_RECORDS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Half the inputs get a valid file header, so the frames behind it are reached.
    let mut bytes = Vec::new();
    if data.first().is_some_and(|b| b & 1 == 1) {
        bytes.extend_from_slice(&format::file_header(MAGIC_RECORDS));
    }
    bytes.extend_from_slice(data);
    let Ok(scan) = format::scan(&bytes, MAGIC_RECORDS, "records") else {
        return;
    };
    let mut last = FILE_HEADER_LEN;
    for f in &scan.frames {
        assert!(f.offset >= last && f.end + FRAME_TRAILER_LEN <= bytes.len());
        let crc = u32::from_le_bytes(bytes[f.end..f.end + 4].try_into().unwrap());
        assert_eq!(crc, format::crc32c(&bytes[f.start..f.end]));
        last = f.end + FRAME_TRAILER_LEN;
        let _ = format::EpochInfo::parse(&bytes[f.start..f.end]);
    }
});
