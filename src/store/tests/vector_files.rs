//! The files of a checked-in test vector (`tests/testdata/store-v1/`) as they stand in a data
//! folder, for tests that load it into the in-memory file system.

use std::path::{Path, PathBuf};

/// Every file of the vector at `src` (its top level, `keys/` and `records/`), renamed into the
/// data folder `into`, with its bytes, sorted by name.
pub fn vector_files(src: &Path, into: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for sub in ["", "keys", "records"] {
        for e in std::fs::read_dir(src.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                let to = into.join(sub).join(p.file_name().unwrap());
                files.push((to, std::fs::read(&p).unwrap()));
            }
        }
    }
    files.sort();
    files
}
