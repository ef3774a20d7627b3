//! The records-file scanner on arbitrary bytes: only whole frames that pass their checks.
#![no_main]

use icare::store::format::{self, FILE_HEADER_LEN, FRAME_TRAILER_LEN, MAGIC_RECORDS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte chooses how much of a valid file header goes first (0 to 12 bytes), so
    // both the header checks and the frames behind a good header are reached.
    let Some((choice, data)) = data.split_first() else {
        return;
    };
    let header = format::file_header(MAGIC_RECORDS);
    let mut bytes = header[..*choice as usize % (header.len() + 1)].to_vec();
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
