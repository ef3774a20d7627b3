//! Files of one frame (`store.meta`, `aggregate.meta`, `export.chain`, a quarantined tail, and
//! the `trusted-sites` and `export.watermark` of earlier versions): the one writer of such a file
//! and the one reader, which checks the header, the framing, that there is exactly one frame and
//! its kind, before anything reads the payload.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::frame::{file_header, frame, scan};
use super::{FILE_HEADER_LEN, FRAME_HEADER_LEN, FileFormat};
use crate::store::StoreError;

/// Where the payload of a one-frame file starts: the offset named for a problem in its JSON.
pub const JSON_AT: usize = FILE_HEADER_LEN + FRAME_HEADER_LEN;

/// A file of one frame of `kind` holding `payload`, with the version-1 header of `magic`.
pub fn single_frame_file(magic: [u8; 8], kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = file_header(magic).to_vec();
    out.extend(frame(kind, payload));
    out
}

/// The payload of a file made by [`single_frame_file`]: the header must be `magic`'s (`what` names
/// the kind of file in the message when it is not), the file whole (no damaged frame, no torn
/// tail), with exactly one frame, of `kind`. Errors name `path` and the offset.
pub fn single_frame<'b>(
    path: &Path,
    bytes: &'b [u8],
    magic: [u8; 8],
    kind: u8,
    what: &'static str,
) -> Result<&'b [u8], StoreError> {
    let corrupt = |offset: usize, what: String| StoreError::Corrupt {
        path: path.to_owned(),
        offset: offset as u64,
        what,
    };
    let scan = scan(bytes, magic, what).map_err(|source| StoreError::Header {
        path: path.to_owned(),
        source,
    })?;
    scan.check_whole(path)?;
    let [f] = scan.frames[..] else {
        return Err(corrupt(
            FILE_HEADER_LEN,
            "expected exactly one frame".into(),
        ));
    };
    if f.kind != kind {
        return Err(corrupt(
            f.offset,
            format!("unexpected frame kind {}", f.kind),
        ));
    }
    Ok(&bytes[f.start..f.end])
}

/// A one-frame file holding `value` as JSON.
pub(crate) fn json_file(magic: [u8; 8], kind: u8, value: &impl Serialize) -> Vec<u8> {
    // Plain strings, numbers, booleans and maps always serialize.
    single_frame_file(
        magic,
        kind,
        &serde_json::to_vec_pretty(value).unwrap_or_default(),
    )
}

/// Read a file made by [`json_file`] through [`single_frame`]; a JSON problem is at the payload's
/// offset, [`JSON_AT`].
fn parse_json_file<T: for<'de> Deserialize<'de>>(
    path: &Path,
    bytes: &[u8],
    magic: [u8; 8],
    kind: u8,
    what: &'static str,
) -> Result<T, StoreError> {
    let payload = single_frame(path, bytes, magic, kind, what)?;
    serde_json::from_slice(payload).map_err(|e| StoreError::Corrupt {
        path: path.to_owned(),
        offset: JSON_AT as u64,
        what: e.to_string(),
    })
}

impl FileFormat {
    /// The only frame kind of a one-frame format.
    fn only_kind(&self) -> u8 {
        debug_assert!(self.one_frame, "{} is not a one-frame format", self.name);
        self.kinds[0]
    }

    /// A file of this one-frame format holding `payload` ([`single_frame_file`]).
    pub fn single_frame_file(&self, payload: &[u8]) -> Vec<u8> {
        single_frame_file(self.magic, self.only_kind(), payload)
    }

    /// The payload of a file of this one-frame format ([`single_frame`]).
    pub fn single_frame<'b>(&self, path: &Path, bytes: &'b [u8]) -> Result<&'b [u8], StoreError> {
        single_frame(path, bytes, self.magic, self.only_kind(), self.name)
    }

    /// A file of this one-frame format holding `value` as JSON ([`json_file`]).
    pub(crate) fn json_file(&self, value: &impl Serialize) -> Vec<u8> {
        json_file(self.magic, self.only_kind(), value)
    }

    /// The JSON of a file of this one-frame format ([`parse_json_file`]).
    pub(crate) fn parse_json<T: for<'de> Deserialize<'de>>(
        &self,
        path: &Path,
        bytes: &[u8],
    ) -> Result<T, StoreError> {
        parse_json_file(path, bytes, self.magic, self.only_kind(), self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::format::{KIND_META, KIND_QUARANTINE, MAGIC_META, MAGIC_QUARANTINE, META};

    fn read(bytes: &[u8]) -> Result<&[u8], String> {
        META.single_frame(Path::new("f"), bytes)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_one_frame_file_reads_back_its_payload_and_nothing_else() {
        let file = META.single_frame_file(b"{}");
        assert_eq!(file, single_frame_file(MAGIC_META, KIND_META, b"{}"));
        assert_eq!(read(&file), Ok(&b"{}"[..]));
        let mut two = file.clone();
        two.extend(frame(KIND_META, b"{}"));
        assert_eq!(
            read(&two),
            Err("f: damaged at offset 12: expected exactly one frame".into())
        );
        let other = single_frame_file(MAGIC_META, KIND_QUARANTINE, b"{}");
        assert_eq!(
            read(&other),
            Err("f: damaged at offset 12: unexpected frame kind 32".into())
        );
        let wrong = single_frame_file(MAGIC_QUARANTINE, KIND_META, b"{}");
        assert_eq!(
            read(&wrong),
            Err("f: not an iCARE store description file (wrong magic bytes at offset 0)".into())
        );
        for cut in FILE_HEADER_LEN..file.len() {
            assert!(read(&file[..cut]).is_err(), "cut at {cut}");
        }
        let mut flipped = file.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(
            read(&flipped),
            Err("f: damaged at offset 12: checksum mismatch".into())
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// What the fuzz target `single_frame` checks, in every test run.
        #[test]
        fn the_one_frame_reader_accepts_exactly_what_its_writer_makes(
            choice in 0usize..1000,
            payload in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            flip in proptest::option::of(0usize..200),
        ) {
            let singles: Vec<&FileFormat> =
                crate::store::format::FORMATS.iter().filter(|f| f.one_frame).collect();
            let f = singles[choice % singles.len()];
            let whole = f.single_frame_file(&payload);
            proptest::prop_assert_eq!(f.single_frame(Path::new("p"), &whole).unwrap(), &payload[..]);
            // Part of a good file, with arbitrary bytes or one flipped bit.
            let mut bytes = whole[..(choice / singles.len()) % (whole.len() + 1)].to_vec();
            bytes.extend_from_slice(&tail);
            if let Some(at) = flip.filter(|&at| at < bytes.len()) {
                bytes[at] ^= 1;
            }
            if let Ok(read) = f.single_frame(Path::new("p"), &bytes) {
                proptest::prop_assert_eq!(f.single_frame_file(read), bytes);
            }
        }
    }
}
