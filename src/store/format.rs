//! The byte format of every store file: a 12-byte file header, then length-prefixed frames with
//! CRC-32C checks, so a torn tail is found without any key. Byte by byte in `docs/format.md`.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::StoreError;
use crate::response::Period;
use crate::survey::SurveyHash;

/// Format version of every file but the records files (store description, quarantine, ledger,
/// batches, aggregation store files).
pub const VERSION: u16 = 1;
/// Format version of the records files this build writes: one file per period, group headers
/// then records, both in random order. It still reads version 1 (one file per epoch).
pub const RECORDS_VERSION: u16 = 2;
/// Length of the file header: magic (8), version (2), reserved (2).
pub const FILE_HEADER_LEN: usize = 12;
/// Length of a frame's header: payload length (4), kind (1), CRC-32C of those five bytes (4).
pub const FRAME_HEADER_LEN: usize = 9;
/// Length of the CRC-32C that follows each payload.
pub const FRAME_TRAILER_LEN: usize = 4;
/// The largest payload a frame may declare.
pub const MAX_PAYLOAD: u32 = 1 << 20;

/// Magic of a records file (version 1: one epoch; version 2: one period).
pub const MAGIC_RECORDS: [u8; 8] = *b"iCAREre\x01";
/// Magic of the signed ledger `records/ledger`.
pub const MAGIC_LEDGER: [u8; 8] = *b"iCARElg\x01";
/// Magic of the store description file.
pub const MAGIC_META: [u8; 8] = *b"iCAREmt\x01";
/// Magic of a quarantined torn tail.
pub const MAGIC_QUARANTINE: [u8; 8] = *b"iCAREqt\x01";

/// Frame kinds.
pub const KIND_EPOCH: u8 = 1;
pub const KIND_RECORD: u8 = 2;
/// A version-2 group header: the same payload as a version-1 epoch header.
pub const KIND_GROUP: u8 = 3;
/// A version-2 record: its group's id, then the sealed record.
pub const KIND_GROUP_RECORD: u8 = 4;
pub const KIND_META: u8 = 16;
pub const KIND_QUARANTINE: u8 = 32;
pub const KIND_LEDGER: u8 = 64;
pub const KIND_LEDGER_SIGNATURE: u8 = 65;

/// The newest version this build reads for files with `magic`.
pub fn max_version(magic: [u8; 8]) -> u16 {
    if magic == MAGIC_RECORDS {
        RECORDS_VERSION
    } else {
        VERSION
    }
}

/// The identifier of a sealed record (`nonce || ciphertext || tag`): its SHA-256. Every record
/// has a fresh random nonce, so equal ids mean the same record; the hash of ciphertext reveals
/// nothing. Batches deduplicate by it, so a record's sealed bytes never change once written.
pub fn record_id(sealed: &[u8]) -> [u8; 32] {
    Sha256::digest(sealed).into()
}

/// Lookup tables for CRC-32C, slicing by 8: `TABLES[0]` is the classic byte table and
/// `TABLES[k][i]` advances `TABLES[k-1][i]` by one more zero byte.
const TABLES: [[u32; 256]; 8] = {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0x82F6_3B78
            } else {
                c >> 1
            };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    t
};

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as in iSCSI and ext4; eight bytes per
/// step (slicing by 8), since every stored byte passes through it when a store is read.
pub fn crc32c(bytes: &[u8]) -> u32 {
    let t = &TABLES;
    let mut c = !0u32;
    let mut chunks = bytes.chunks_exact(8);
    for b in &mut chunks {
        let lo = c ^ u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let hi = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
        c = t[7][(lo & 0xff) as usize]
            ^ t[6][((lo >> 8) & 0xff) as usize]
            ^ t[5][((lo >> 16) & 0xff) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][(hi & 0xff) as usize]
            ^ t[2][((hi >> 8) & 0xff) as usize]
            ^ t[1][((hi >> 16) & 0xff) as usize]
            ^ t[0][(hi >> 24) as usize];
    }
    for &b in chunks.remainder() {
        c = t[0][((c ^ b as u32) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// The 12-byte header that starts a file, version 1.
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

/// A file of the common structure holding one JSON frame.
pub(crate) fn json_file(magic: [u8; 8], kind: u8, value: &impl Serialize) -> Vec<u8> {
    let mut out = file_header(magic).to_vec();
    // Plain strings, numbers, booleans and maps always serialize.
    out.extend(frame(
        kind,
        &serde_json::to_vec_pretty(value).unwrap_or_default(),
    ));
    out
}

/// Read a file made by [`json_file`], checking header, framing and kind. Errors name `path`;
/// a JSON problem is at the payload's offset, [`JSON_AT`].
pub(crate) fn parse_json_file<T: for<'de> Deserialize<'de>>(
    path: &Path,
    bytes: &[u8],
    magic: [u8; 8],
    kind: u8,
    what: &'static str,
) -> Result<T, StoreError> {
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
    serde_json::from_slice(&bytes[f.start..f.end]).map_err(|e| corrupt(f.start, e.to_string()))
}

/// Where the payload of a file's first frame starts: the offset named for a problem in the JSON
/// of a one-frame file (`store.meta`, `aggregate.meta`).
pub const JSON_AT: usize = FILE_HEADER_LEN + FRAME_HEADER_LEN;

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

/// The clear part of a version-1 epoch header or a version-2 group header (the same bytes),
/// which records bind to as associated data. `epoch_id` is the group id in version 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochInfo {
    pub store_id: [u8; 16],
    pub epoch_id: [u8; 16],
    pub synthetic: bool,
    pub period: Period,
    pub survey_id: String,
    pub survey_hash: SurveyHash,
}

/// Length of the fixed part of an epoch header before the survey id.
const EPOCH_FIXED: usize = 16 + 16 + 1 + 6 + 32 + 1;

impl EpochInfo {
    /// The clear bytes: store id, epoch id, flags, period, survey hash, survey id.
    pub fn binding(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(EPOCH_FIXED + self.survey_id.len());
        b.extend_from_slice(&self.store_id);
        b.extend_from_slice(&self.epoch_id);
        b.push(u8::from(self.synthetic));
        let (kind, year, n) = match self.period {
            Period::Week { year, week } => (1u8, year, week),
            Period::Month { year, month } => (2u8, year, month),
        };
        b.push(kind);
        b.extend_from_slice(&year.to_le_bytes());
        b.push(n);
        b.extend_from_slice(&self.survey_hash.0);
        // Survey ids are checked by the writer to be at most 255 bytes.
        b.push(self.survey_id.len() as u8);
        b.extend_from_slice(self.survey_id.as_bytes());
        b
    }

    /// Split an epoch frame's payload into its clear part and the age file that follows it.
    pub fn parse(payload: &[u8]) -> Option<(EpochInfo, usize)> {
        if payload.len() < EPOCH_FIXED {
            return None;
        }
        let id_len = payload[EPOCH_FIXED - 1] as usize;
        let end = EPOCH_FIXED + id_len;
        let survey_id = std::str::from_utf8(payload.get(EPOCH_FIXED..end)?).ok()?;
        let flags = payload[32];
        if flags > 1 {
            return None;
        }
        let year = i32::from_le_bytes([payload[34], payload[35], payload[36], payload[37]]);
        let n = payload[38];
        let period = match payload[33] {
            1 if (1..=53).contains(&n) => Period::Week { year, week: n },
            2 if (1..=12).contains(&n) => Period::Month { year, month: n },
            _ => return None,
        };
        let mut store_id = [0u8; 16];
        store_id.copy_from_slice(&payload[..16]);
        let mut epoch_id = [0u8; 16];
        epoch_id.copy_from_slice(&payload[16..32]);
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&payload[39..71]);
        Some((
            EpochInfo {
                store_id,
                epoch_id,
                synthetic: flags == 1,
                period,
                survey_id: survey_id.to_string(),
                survey_hash: SurveyHash(hash),
            },
            end,
        ))
    }
}

pub use crate::crypto::{hex, unhex};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_matches_the_standard_check_value() {
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        // RFC 3720 B.4: 32 bytes of zeros, of 0xff, and ascending.
        assert_eq!(crc32c(&[0u8; 32]), 0x8A91_36AA);
        assert_eq!(crc32c(&[0xffu8; 32]), 0x62A8_AB43);
        let ascending: Vec<u8> = (0..32).collect();
        assert_eq!(crc32c(&ascending), 0x46DD_794E);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn sliced_crc_equals_the_bytewise_definition(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100)) {
            let mut c = !0u32;
            for &b in &data {
                c ^= b as u32;
                for _ in 0..8 {
                    c = if c & 1 != 0 { (c >> 1) ^ 0x82F6_3B78 } else { c >> 1 };
                }
            }
            proptest::prop_assert_eq!(crc32c(&data), !c);
        }
    }

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
