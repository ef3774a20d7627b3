//! Version-2 records files, one per period (`records/<period>.icr`): the file header, every group
//! header, then every record, each part in uniformly random order. Records name their group by
//! its random id. Byte by byte in `docs/format.md`.

use std::collections::HashMap;
use std::path::Path;

use rand::seq::SliceRandom;

use super::format::{
    self, EpochInfo, FILE_HEADER_LEN, FRAME_TRAILER_LEN, Frame, KIND_GROUP, KIND_GROUP_RECORD,
};
use super::{StoreError, StoreMeta};
use crate::crypto::{NONCE_LEN, SIZE_CLASSES, TAG_LEN};
use crate::response::Period;

/// Length of a group id (and of the prefix that names it in each record).
pub const GROUP_ID_LEN: usize = 16;

/// The file name of a period's records file: `2026-W47.icr`, `2026-11.icr`.
pub fn file_name(period: Period) -> String {
    format!("{period}.icr")
}

/// The period a version-2 file name stands for.
pub fn period_of_name(name: &str) -> Option<Period> {
    let stem = name.strip_suffix(".icr")?;
    let (year, rest) = stem.split_once('-')?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let two_digits = |s: &str| -> Option<u8> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    if let Some(w) = rest.strip_prefix('W') {
        let week = two_digits(w)?;
        return (1..=53)
            .contains(&week)
            .then_some(Period::Week { year, week });
    }
    let month = two_digits(rest)?;
    (1..=12)
        .contains(&month)
        .then_some(Period::Month { year, month })
}

/// A version-2 file's frames: each group header with its clear fields, then the records.
#[derive(Debug, Clone)]
pub struct PeriodFile {
    pub period: Period,
    /// Group headers in file order, with the offset of the age file inside each payload.
    pub groups: Vec<(EpochInfo, Frame, usize)>,
    /// Record frames in file order.
    pub records: Vec<Frame>,
}

/// The group id a record payload names, and its sealed part (`nonce || ciphertext || tag`).
pub fn split_record(payload: &[u8]) -> Option<([u8; GROUP_ID_LEN], &[u8])> {
    let (id, sealed) = payload.split_at_checked(GROUP_ID_LEN)?;
    Some((id.try_into().ok()?, sealed))
}

/// Whether a sealed record has a possible length.
pub fn sealed_len_ok(len: usize) -> bool {
    len.checked_sub(NONCE_LEN + TAG_LEN)
        .is_some_and(|b| SIZE_CLASSES.contains(&b))
}

impl PeriodFile {
    /// Check a scanned version-2 file completely (no damage, no torn tail, group headers before
    /// records, each header of this store and period, each record naming a header of this file
    /// and of a possible length) and list its frames.
    pub fn parse(
        path: &Path,
        bytes: &[u8],
        scan: &format::Scan,
        meta: &StoreMeta,
    ) -> Result<PeriodFile, StoreError> {
        let bad = |offset: usize, what: String| StoreError::Corrupt {
            path: path.to_owned(),
            offset: offset as u64,
            what,
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let period = period_of_name(&name).ok_or_else(|| {
            bad(
                0,
                "a version-2 records file must be named after its period (2026-W47.icr)".into(),
            )
        })?;
        // Version-2 files are written whole and renamed into place: a short one is damage.
        scan.check_whole(path)?;
        let mut out = PeriodFile {
            period,
            groups: Vec::new(),
            records: Vec::new(),
        };
        let mut ids: HashMap<[u8; GROUP_ID_LEN], usize> = HashMap::new();
        for f in &scan.frames {
            let payload = &bytes[f.start..f.end];
            match f.kind {
                KIND_GROUP if out.records.is_empty() => {
                    let (info, age_at) = EpochInfo::parse(payload)
                        .ok_or_else(|| bad(f.offset, "malformed group header".into()))?;
                    if info.store_id != meta.store_id {
                        return Err(bad(f.offset, "the group belongs to another store".into()));
                    }
                    if info.synthetic != meta.synthetic {
                        return Err(bad(
                            f.offset,
                            "synthetic flag differs from the store's".into(),
                        ));
                    }
                    if info.period != period {
                        return Err(bad(
                            f.offset,
                            format!("a group of period {} in the file of {period}", info.period),
                        ));
                    }
                    if ids.insert(info.epoch_id, out.groups.len()).is_some() {
                        return Err(bad(f.offset, "the group header appears twice".into()));
                    }
                    out.groups.push((info, *f, age_at));
                }
                KIND_GROUP => {
                    return Err(bad(f.offset, "a group header after the records".into()));
                }
                KIND_GROUP_RECORD => {
                    let id = split_record(payload)
                        .filter(|(_, s)| sealed_len_ok(s.len()))
                        .map(|(id, _)| id)
                        .ok_or_else(|| {
                            bad(
                                f.offset,
                                format!("impossible record length {}", payload.len()),
                            )
                        })?;
                    if !ids.contains_key(&id) {
                        return Err(bad(
                            f.offset,
                            "the record names a group that is not in this file".into(),
                        ));
                    }
                    out.records.push(*f);
                }
                k => return Err(bad(f.offset, format!("unexpected frame kind {k}"))),
            }
        }
        Ok(out)
    }
}

/// Where a whole frame stands in its file (header, payload, trailer).
pub fn whole(f: &Frame) -> std::ops::Range<usize> {
    f.offset..f.end + FRAME_TRAILER_LEN
}

/// A version-2 file from whole frames: group headers, then records, each part shuffled
/// uniformly at random (every order equally likely, whatever order they come in).
pub fn build(mut groups: Vec<&[u8]>, mut records: Vec<&[u8]>) -> Vec<u8> {
    let mut rng = rand::rngs::OsRng;
    groups.shuffle(&mut rng);
    records.shuffle(&mut rng);
    let len = FILE_HEADER_LEN
        + groups.iter().map(|g| g.len()).sum::<usize>()
        + records.iter().map(|r| r.len()).sum::<usize>();
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&format::RECORDS.header());
    for part in groups.into_iter().chain(records) {
        out.extend_from_slice(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_carry_the_period_only_and_read_back() {
        for p in [
            Period::Week {
                year: 2026,
                week: 7,
            },
            Period::Week {
                year: 2026,
                week: 53,
            },
            Period::Month {
                year: 2027,
                month: 1,
            },
        ] {
            assert_eq!(period_of_name(&file_name(p)), Some(p));
        }
        assert_eq!(
            file_name(Period::Week {
                year: 2026,
                week: 7
            }),
            "2026-W07.icr"
        );
        for bad in [
            "2026-W47-3f0c.icr",
            "2026-W54.icr",
            "2026-13.icr",
            "26-W47.icr",
            "2026-W47.icr.tmp",
            ".2026-W47.icr",
        ] {
            assert_eq!(period_of_name(bad), None, "{bad}");
        }
    }
}
