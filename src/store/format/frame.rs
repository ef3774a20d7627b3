//! The framing every file shares: a 12-byte file header (magic, version, reserved), then frames
//! of `u32 length || u8 kind || CRC-32C of those five bytes || payload || CRC-32C of the payload`,
//! and the scan that frames a file with no key, telling a torn tail from damage.

use std::path::Path;

use super::crc::crc32c;
use super::{
    FILE_HEADER_LEN, FRAME_HEADER_LEN, FRAME_TRAILER_LEN, MAX_PAYLOAD, VERSION, max_version,
};
use crate::store::StoreError;

/// The 12-byte header that starts a file, version 1 (every file but the records files).
pub fn file_header(magic: [u8; 8]) -> [u8; FILE_HEADER_LEN] {
    file_header_v(magic, VERSION)
}

/// The 12-byte header that starts a file of format `version`.
pub fn file_header_v(magic: [u8; 8], version: u16) -> [u8; FILE_HEADER_LEN] {
    let mut h = [0u8; FILE_HEADER_LEN];
    h[..8].copy_from_slice(&magic);
    h[8..10].copy_from_slice(&version.to_le_bytes());
    h
}

/// One frame: header, payload, CRC-32C of the payload.
pub fn frame(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(FRAME_HEADER_LEN + payload.len() + FRAME_TRAILER_LEN);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.push(kind);
    let hcrc = crc32c(&out[..5]);
    out.extend_from_slice(&hcrc.to_le_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&crc32c(payload).to_le_bytes());
    out
}

/// A file that is not what its place in the store says it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// The file does not start with the expected magic bytes.
    #[error("not an iCARE {expected} file (wrong magic bytes at offset 0)")]
    WrongMagic { expected: &'static str },
    /// A newer program wrote the file.
    #[error("written in format version {0}, newer than this program reads; update icare")]
    NewerVersion(u16),
    /// Version 0 or reserved bits set: damaged.
    #[error("damaged file header at offset 8")]
    Damaged,
}

/// A frame found by [`scan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Offset of the frame header in the file.
    pub offset: usize,
    pub kind: u8,
    /// Offset of the payload.
    pub start: usize,
    /// Offset just after the payload.
    pub end: usize,
}

/// A problem found by [`scan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// A frame header fails its check: the rest of the file cannot be framed.
    BadFrameHeader { offset: usize },
    /// A frame's payload fails its check; the frames after it are still read.
    BadPayload { offset: usize },
}

/// What a file holds, as far as framing tells without a key.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    /// The format version in the file header (0 when the header itself is torn).
    pub version: u16,
    /// Frames whose checks pass, in file order.
    pub frames: Vec<Frame>,
    /// Damaged frames.
    pub damage: Vec<Damage>,
    /// An incomplete last frame (a torn write): its offset; it runs to the end of the file.
    pub torn_at: Option<usize>,
}

impl Scan {
    /// For a file written whole and renamed into place: any damaged frame, and a tail cut short,
    /// is an error naming `path` and the offset.
    pub(crate) fn check_whole(&self, path: &Path) -> Result<(), StoreError> {
        let corrupt = |offset: usize, what: &str| StoreError::Corrupt {
            path: path.to_owned(),
            offset: offset as u64,
            what: what.to_string(),
        };
        if let Some(d) = self.damage.first() {
            let (Damage::BadFrameHeader { offset } | Damage::BadPayload { offset }) = d;
            return Err(corrupt(*offset, "checksum mismatch"));
        }
        match self.torn_at {
            Some(at) => Err(corrupt(at, "the file is cut short")),
            None => Ok(()),
        }
    }
}

/// Check the file header and frame the rest of `bytes`.
///
/// A tail shorter than a frame header, a frame running past the end of the file, or a run of
/// zero bytes to the end is a torn tail; anything else that fails a check is damage.
pub fn scan(bytes: &[u8], magic: [u8; 8], expected: &'static str) -> Result<Scan, HeaderError> {
    let mut scan = Scan::default();
    let max = max_version(magic);
    if bytes.len() < FILE_HEADER_LEN
        && (1..=max).any(|v| file_header_v(magic, v).starts_with(bytes))
    {
        scan.torn_at = Some(0);
        return Ok(scan);
    }
    if bytes.len() < 8 || bytes[..8] != magic {
        return Err(HeaderError::WrongMagic { expected });
    }
    // Shorter than a header and not a prefix of a good one (found by fuzzing: this indexed past
    // the end).
    if bytes.len() < FILE_HEADER_LEN {
        return Err(HeaderError::Damaged);
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if version > max {
        return Err(HeaderError::NewerVersion(version));
    }
    if version == 0 || bytes[10..12] != [0, 0] {
        return Err(HeaderError::Damaged);
    }
    scan.version = version;
    let mut off = FILE_HEADER_LEN;
    while off < bytes.len() {
        let rest = &bytes[off..];
        if rest.len() < FRAME_HEADER_LEN {
            scan.torn_at = Some(off);
            break;
        }
        let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
        let hcrc = u32::from_le_bytes([rest[5], rest[6], rest[7], rest[8]]);
        if crc32c(&rest[..5]) != hcrc || len > MAX_PAYLOAD {
            if rest.iter().all(|&b| b == 0) {
                scan.torn_at = Some(off);
            } else {
                scan.damage.push(Damage::BadFrameHeader { offset: off });
            }
            break;
        }
        let total = FRAME_HEADER_LEN + len as usize + FRAME_TRAILER_LEN;
        if rest.len() < total {
            scan.torn_at = Some(off);
            break;
        }
        let start = off + FRAME_HEADER_LEN;
        let end = start + len as usize;
        let pcrc = u32::from_le_bytes([bytes[end], bytes[end + 1], bytes[end + 2], bytes[end + 3]]);
        if crc32c(&bytes[start..end]) == pcrc {
            scan.frames.push(Frame {
                offset: off,
                kind: rest[4],
                start,
                end,
            });
        } else {
            scan.damage.push(Damage::BadPayload { offset: off });
        }
        off += total;
    }
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::format::{KIND_RECORD, MAGIC_META, MAGIC_RECORDS};

    #[test]
    fn a_short_header_that_is_not_a_prefix_of_a_good_one_is_damage() {
        // The fuzzer's find: magic, version 1, then one wrong reserved byte, and nothing more.
        let found = b"iCAREre\x01\x01\x00\x01";
        assert_eq!(
            scan(found, MAGIC_RECORDS, "records"),
            Err(HeaderError::Damaged)
        );
        for len in 8..FILE_HEADER_LEN {
            let mut bytes = file_header(MAGIC_RECORDS)[..len].to_vec();
            *bytes.last_mut().unwrap() ^= 0xff;
            let s = scan(&bytes, MAGIC_RECORDS, "records");
            assert!(s.is_err(), "{len}: {s:?}");
        }
    }

    #[test]
    fn torn_and_damaged_frames_are_told_apart() {
        let mut file = file_header(MAGIC_RECORDS).to_vec();
        file.extend(frame(KIND_RECORD, b"one"));
        let one_end = file.len();
        file.extend(frame(KIND_RECORD, b"two"));
        let full = scan(&file, MAGIC_RECORDS, "records").unwrap();
        assert_eq!(full.frames.len(), 2);
        assert_eq!(full.torn_at, None);
        for cut in one_end..file.len() {
            let s = scan(&file[..cut], MAGIC_RECORDS, "records").unwrap();
            assert_eq!(s.frames.len(), 1);
            assert_eq!(s.torn_at, if cut == one_end { None } else { Some(one_end) });
        }
        let mut bad = file.clone();
        bad[FILE_HEADER_LEN + FRAME_HEADER_LEN] ^= 1;
        let s = scan(&bad, MAGIC_RECORDS, "records").unwrap();
        assert_eq!(
            s.damage,
            vec![Damage::BadPayload {
                offset: FILE_HEADER_LEN
            }]
        );
        assert_eq!(s.frames.len(), 1);
        let mut newer = file.clone();
        newer[8] = 3;
        assert_eq!(
            scan(&newer, MAGIC_RECORDS, "records"),
            Err(HeaderError::NewerVersion(3))
        );
        newer[8] = 2;
        assert_eq!(scan(&newer, MAGIC_RECORDS, "records").unwrap().version, 2);
        newer = file_header(MAGIC_META).to_vec();
        newer[8] = 2;
        assert_eq!(
            scan(&newer, MAGIC_META, "store description"),
            Err(HeaderError::NewerVersion(2))
        );
    }
}
