//! The one reader of one-frame files (every one-frame format of `store::format::FORMATS`:
//! `store.meta`, `aggregate.meta`, `export.chain`, a quarantined tail, ...) on arbitrary bytes: it never panics, and what it
//! accepts is exactly a file its writer makes; `store.meta` from any bytes, read through the store
//! description's own reader (JSON, recipients, signing key), never panics either.
#![no_main]

use std::path::Path;

use icare::fsio::Fs;
use icare::fsio::mem::MemFs;
use icare::store::StoreMeta;
use icare::store::format::{FILE_HEADER_LEN, FORMATS, FileFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte chooses the format and how much of its good header goes first (0 to 12
    // bytes), so both the header checks and the frame behind a good header are reached.
    let Some((&choice, data)) = data.split_first() else {
        return;
    };
    let singles: Vec<&FileFormat> = FORMATS.iter().filter(|f| f.one_frame).collect();
    let f = singles[usize::from(choice) % singles.len()];
    let header = f.header();
    let keep = (usize::from(choice) / singles.len()) % (FILE_HEADER_LEN + 1);
    let mut bytes = header[..keep].to_vec();
    bytes.extend_from_slice(data);
    if let Ok(payload) = f.single_frame(Path::new("fuzz"), &bytes) {
        assert_eq!(
            f.single_frame_file(payload),
            bytes,
            "{}: accepted bytes its writer would not make",
            f.name
        );
    }
    let fs = MemFs::new();
    let dir = Path::new("/data");
    fs.create_dir_all(dir).unwrap();
    fs.put(&StoreMeta::path(dir), bytes);
    let _ = StoreMeta::load(&fs, dir);
});
