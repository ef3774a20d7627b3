//! The parts of `verify` that look at what a folder holds rather than at records: the quarantine
//! files' framing, and anything that is not a regular file where the store keeps files.

use std::path::Path;

use super::VerifyReport;
use crate::fsio::{self, EntryKind, Fs};
use crate::store::format;
use crate::store::problem::Problem;
use crate::store::{QUARANTINE_DIR, RECORDS_DIR, StoreError};

/// The quarantine files' framing.
pub(super) fn check_quarantine(
    fs: &dyn Fs,
    data_dir: &Path,
    report: &mut VerifyReport,
) -> Result<(), StoreError> {
    let qdir = data_dir.join(QUARANTINE_DIR);
    if !fs.exists(&qdir) {
        return Ok(());
    }
    let names = fs.list(&qdir).map_err(|source| StoreError::Io {
        path: qdir.clone(),
        source,
    })?;
    for name in names.iter().filter(|n| n.ends_with(".torn")) {
        let path = qdir.join(name);
        report.quarantined += 1;
        let bytes = match fs.read(&path) {
            Ok(b) => b,
            Err(e) => {
                report
                    .problems
                    .push(Problem::new(&path, None, e.to_string()));
                continue;
            }
        };
        match format::QUARANTINE.scan(&bytes) {
            Ok(s) if s.damage.is_empty() && s.torn_at.is_none() && s.frames.len() == 1 => {}
            Ok(_) => {
                report
                    .problems
                    .push(Problem::new(&path, None, "damaged quarantine file".into()))
            }
            Err(e) => report
                .problems
                .push(Problem::new(&path, Some(0), e.to_string())),
        }
    }
    Ok(())
}

/// Anything that is not a regular file where the store keeps files (the data folder, `keys/`,
/// `quarantine/`, `surveys/`): reported, never opened.
pub(super) fn check_entries(fs: &dyn Fs, data_dir: &Path, report: &mut VerifyReport) {
    let folders = [RECORDS_DIR, QUARANTINE_DIR, "keys", "surveys"];
    for dir in
        std::iter::once(data_dir.to_owned()).chain(folders[1..].iter().map(|d| data_dir.join(d)))
    {
        let Ok(names) = fs.list(&dir) else {
            continue;
        };
        for name in names {
            let path = dir.join(&name);
            let is_folder = dir == data_dir && folders.contains(&name.as_str());
            match fs.kind(&path) {
                Ok(EntryKind::File) => {}
                Ok(EntryKind::Dir) if is_folder => {}
                Ok(kind) => report.problems.push(Problem::new(
                    &path,
                    None,
                    fsio::not_regular(kind).to_string(),
                )),
                Err(_) => {}
            }
        }
    }
}
