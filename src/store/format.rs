//! The registry of every file format iCARE writes (store, batches, aggregation stores): each
//! file's magic bytes, the version this build writes and reads, and its frame kinds, in one table
//! ([`FORMATS`]); then the framing every file shares ([`mod@frame`]: a 12-byte header, frames with
//! CRC-32C checks, so a torn tail is found without any key), the one reader of one-frame files
//! ([`single`]) and the clear part of a group header ([`epoch`]). Byte by byte in
//! `docs/format.md` and `docs/batches.md`.
//!
//! A new file format gets its magic and kinds here, a [`FileFormat`] in [`FORMATS`] and a section
//! in the docs; the tests below keep magics and kinds distinct and the docs naming each magic.
//! Code reads and writes a format through its `FileFormat` ([`FileFormat::scan`],
//! [`FileFormat::header`], [`FileFormat::single_frame`], `store::stream::FrameReader::of`), so
//! the numbers are written here only.

pub mod crc;
pub mod epoch;
pub mod frame;
pub mod single;

use sha2::{Digest, Sha256};

pub use crate::crypto::{hex, unhex};
pub use crc::crc32c;
pub use epoch::EpochInfo;
pub use frame::{Damage, Frame, HeaderError, Scan, file_header, file_header_v, frame, scan};
pub(crate) use single::json_file;
pub use single::{JSON_AT, single_frame, single_frame_file};

/// Format version of every file but the records files (store description, quarantine, ledger,
/// batches, aggregation store files, watermark).
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
/// Magic of a batch file (`icare export`).
pub const MAGIC_BATCH: [u8; 8] = *b"iCAREbt\x01";
/// Magic of a store's `export.chain` (`icare export --since-last`).
pub const MAGIC_CHAIN: [u8; 8] = *b"iCAREec\x01";
/// Magic of the `export.watermark` of earlier versions (read once, replaced by the chain).
pub const MAGIC_WATERMARK: [u8; 8] = *b"iCAREwm\x01";
/// Magic of an aggregation store's `aggregate.meta`.
pub const MAGIC_AGGREGATE: [u8; 8] = *b"iCAREag\x01";
/// Magic of the `trusted-sites` of earlier versions (read once, replaced by the keys log).
pub const MAGIC_TRUST: [u8; 8] = *b"iCAREts\x01";
/// Magic of a batch imported into an aggregation store (`imported/<random>.ici`).
pub const MAGIC_IMPORTED: [u8; 8] = *b"iCAREim\x01";
/// Magic of an aggregation store's `keys.log`.
pub const MAGIC_KEYS_LOG: [u8; 8] = *b"iCAREkl\x01";
/// Magic of an aggregation store's `batches.log`.
pub const MAGIC_RECEIVED: [u8; 8] = *b"iCAREbl\x01";

/// The batch format this build writes (file header and manifest `format`); it reads 1 and 2:
/// version 1 has no export chain in its manifest.
pub const BATCH_VERSION: u16 = 2;

/// Frame kinds. Each number means one thing in every file it may appear in.
/// A version-1 epoch header (also in batches and imported files).
pub const KIND_EPOCH: u8 = 1;
/// A version-1 sealed record (also in batches and imported files).
pub const KIND_RECORD: u8 = 2;
/// A version-2 group header: the same payload as a version-1 epoch header.
pub const KIND_GROUP: u8 = 3;
/// A version-2 record: its group's id, then the sealed record.
pub const KIND_GROUP_RECORD: u8 = 4;
/// The JSON of `store.meta`.
pub const KIND_META: u8 = 16;
/// The JSON of `aggregate.meta`.
pub const KIND_AGGREGATE: u8 = 17;
/// The JSON of `trusted-sites`.
pub const KIND_TRUST: u8 = 18;
/// Where an imported batch came from, first in its file.
pub const KIND_ORIGIN: u8 = 19;
/// One entry of `keys.log`.
pub const KIND_KEY_EVENT: u8 = 20;
/// One entry of `batches.log`.
pub const KIND_RECEIVED: u8 = 21;
/// A quarantined torn tail.
pub const KIND_QUARANTINE: u8 = 32;
/// A batch's manifest.
pub const KIND_MANIFEST: u8 = 48;
/// A batch's signature, last in its file.
pub const KIND_SIGNATURE: u8 = 49;
/// The JSON of `export.watermark`.
pub const KIND_WATERMARK: u8 = 50;
/// The JSON of `export.chain`.
pub const KIND_CHAIN: u8 = 51;
/// The JSON of the ledger.
pub const KIND_LEDGER: u8 = 64;
/// The ledger's signature, last in its file.
pub const KIND_LEDGER_SIGNATURE: u8 = 65;

/// One kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileFormat {
    /// What the file is called in messages ("not an iCARE records file").
    pub name: &'static str,
    /// Where it is found.
    pub path: &'static str,
    pub magic: [u8; 8],
    /// The newest version this build reads, and the one it writes.
    pub version: u16,
    /// The frame kinds the file holds.
    pub kinds: &'static [u8],
    /// Whether the file is exactly one frame (read with [`single_frame`]).
    pub one_frame: bool,
}

impl FileFormat {
    /// Check the file header and frame the rest of `bytes` ([`scan`]).
    pub fn scan(&self, bytes: &[u8]) -> Result<Scan, HeaderError> {
        scan(bytes, self.magic, self.name)
    }

    /// The 12-byte header a file of this format starts with, at the version this build writes.
    pub fn header(&self) -> [u8; FILE_HEADER_LEN] {
        file_header_v(self.magic, self.version)
    }
}

/// Records files (`icare` writes version 2, one file per period; it reads version 1 too).
pub const RECORDS: FileFormat = FileFormat {
    name: "records",
    path: "records/<period>.icr",
    magic: MAGIC_RECORDS,
    version: RECORDS_VERSION,
    kinds: &[KIND_EPOCH, KIND_RECORD, KIND_GROUP, KIND_GROUP_RECORD],
    one_frame: false,
};
/// The signed ledger.
pub const LEDGER: FileFormat = FileFormat {
    name: "ledger",
    path: "records/ledger",
    magic: MAGIC_LEDGER,
    version: VERSION,
    kinds: &[KIND_LEDGER, KIND_LEDGER_SIGNATURE],
    one_frame: false,
};
/// `store.meta`.
pub const META: FileFormat = FileFormat {
    name: "store description",
    path: "store.meta",
    magic: MAGIC_META,
    version: VERSION,
    kinds: &[KIND_META],
    one_frame: true,
};
/// A quarantined torn tail.
pub const QUARANTINE: FileFormat = FileFormat {
    name: "quarantine",
    path: "quarantine/<file>.at-<offset>.torn",
    magic: MAGIC_QUARANTINE,
    version: VERSION,
    kinds: &[KIND_QUARANTINE],
    one_frame: true,
};
/// A store's export chain.
pub const CHAIN: FileFormat = FileFormat {
    name: "export chain",
    path: "export.chain",
    magic: MAGIC_CHAIN,
    version: VERSION,
    kinds: &[KIND_CHAIN],
    one_frame: true,
};
/// The export watermark of earlier versions (read, never written).
pub const WATERMARK: FileFormat = FileFormat {
    name: "export watermark",
    path: "export.watermark",
    magic: MAGIC_WATERMARK,
    version: VERSION,
    kinds: &[KIND_WATERMARK],
    one_frame: true,
};
/// A batch file.
pub const BATCH: FileFormat = FileFormat {
    name: "batch",
    path: "<name>.icb (icare export --out)",
    magic: MAGIC_BATCH,
    version: BATCH_VERSION,
    kinds: &[KIND_MANIFEST, KIND_EPOCH, KIND_RECORD, KIND_SIGNATURE],
    one_frame: false,
};
/// An aggregation store's description.
pub const AGGREGATE: FileFormat = FileFormat {
    name: "aggregation store",
    path: "aggregate.meta",
    magic: MAGIC_AGGREGATE,
    version: VERSION,
    kinds: &[KIND_AGGREGATE],
    one_frame: true,
};
/// The trust list of earlier versions (read once, into the keys log; never written).
pub const TRUST: FileFormat = FileFormat {
    name: "trusted sites",
    path: "trusted-sites",
    magic: MAGIC_TRUST,
    version: VERSION,
    kinds: &[KIND_TRUST],
    one_frame: true,
};
/// A batch imported into an aggregation store: where it came from, then its new records.
pub const IMPORTED: FileFormat = FileFormat {
    name: "imported batch",
    path: "imported/<random>.ici",
    magic: MAGIC_IMPORTED,
    version: VERSION,
    kinds: &[KIND_ORIGIN, KIND_EPOCH, KIND_RECORD],
    one_frame: false,
};
/// An aggregation store's keys log (append-only).
pub const KEYS_LOG: FileFormat = FileFormat {
    name: "keys log",
    path: "keys.log",
    magic: MAGIC_KEYS_LOG,
    version: VERSION,
    kinds: &[KIND_KEY_EVENT],
    one_frame: false,
};
/// An aggregation store's log of batches received (append-only).
pub const RECEIVED_LOG: FileFormat = FileFormat {
    name: "log of batches received",
    path: "batches.log",
    magic: MAGIC_RECEIVED,
    version: VERSION,
    kinds: &[KIND_RECEIVED],
    one_frame: false,
};

/// Every file format, store files first.
pub const FORMATS: [FileFormat; 12] = [
    RECORDS,
    LEDGER,
    META,
    QUARANTINE,
    CHAIN,
    WATERMARK,
    BATCH,
    AGGREGATE,
    TRUST,
    IMPORTED,
    KEYS_LOG,
    RECEIVED_LOG,
];

/// The registered format whose magic is `magic`.
pub fn format_of(magic: [u8; 8]) -> Option<&'static FileFormat> {
    FORMATS.iter().find(|f| f.magic == magic)
}

/// The newest version this build reads for files with `magic` (version 1 for a magic not
/// registered, which no reader accepts anyway).
pub fn max_version(magic: [u8; 8]) -> u16 {
    format_of(magic).map_or(VERSION, |f| f.version)
}

/// The identifier of a sealed record (`nonce || ciphertext || tag`): its SHA-256. Every record
/// has a fresh random nonce, so equal ids mean the same record; the hash of ciphertext reveals
/// nothing. Batches deduplicate by it, so a record's sealed bytes never change once written.
pub fn record_id(sealed: &[u8]) -> [u8; 32] {
    Sha256::digest(sealed).into()
}

/// The first 16 bytes of a record's id ([`record_id`]): what importing and reading keep in
/// memory to tell records apart. Two different records share one with a chance of about 2^-128
/// per pair.
pub fn short_id(sealed: &[u8]) -> [u8; 16] {
    let full = record_id(sealed);
    let mut id = [0u8; 16];
    id.copy_from_slice(&full[..16]);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_magic_and_every_frame_kind_means_one_thing() {
        let mut magics: Vec<[u8; 8]> = FORMATS.iter().map(|f| f.magic).collect();
        magics.sort();
        magics.dedup();
        assert_eq!(magics.len(), FORMATS.len(), "a magic used twice");
        for f in FORMATS {
            assert!(f.magic.starts_with(b"iCARE") && f.magic[7] == 1, "{f:?}");
            assert!(!f.kinds.is_empty() && (!f.one_frame || f.kinds.len() == 1));
            assert_eq!(max_version(f.magic), f.version);
            assert_eq!(format_of(f.magic), Some(&f));
        }
    }

    #[test]
    fn the_format_docs_name_every_magic_and_kind() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let docs: String = ["docs/format.md", "docs/batches.md"]
            .iter()
            .map(|d| std::fs::read_to_string(root.join(d)).unwrap())
            .collect();
        for f in FORMATS {
            let text = format!("{}\\x01", std::str::from_utf8(&f.magic[..7]).unwrap());
            assert!(
                docs.contains(&text),
                "the docs do not name {text} ({})",
                f.name
            );
            for k in f.kinds {
                let named = [format!("`{k}`"), format!("kind {k}")];
                assert!(
                    named.iter().any(|n| docs.contains(n)),
                    "the docs do not name kind {k}"
                );
            }
        }
    }
}
