//! The clear part of a group header (an epoch header in version 1): what records are bound to.

use crate::response::Period;
use crate::survey::SurveyHash;

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
