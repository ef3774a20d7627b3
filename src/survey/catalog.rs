//! The surveys a program knows, by content hash: which questionnaire a stored response answered.
//!
//! A response carries only its survey's id and hash. To name its items and score it, the reader
//! needs the survey itself: the built-in questionnaires, files given with `--survey FILE`, and the
//! copies the kiosk keeps under `<data>/surveys/` (named by hash).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::load::{self, EMBEDDED_ALL, LoadError};
use super::{Survey, SurveyHash};

/// Folder of survey copies, relative to the data folder.
pub const SURVEYS_DIR: &str = "surveys";

/// Surveys by content hash. Adding a survey whose hash is already known keeps the first copy (the
/// hash covers everything that matters, so the copies are the same survey).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    surveys: BTreeMap<SurveyHash, Survey>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Catalog {
        Catalog::default()
    }

    /// The questionnaires compiled into the binary.
    pub fn builtin() -> Result<Catalog, LoadError> {
        let mut c = Catalog::new();
        for (text, name) in EMBEDDED_ALL {
            c.add(load::from_str(text, name)?);
        }
        Ok(c)
    }

    /// What a command that reads a store knows: the built-in surveys, every `*.toml` under
    /// `<data_dir>/surveys/` (when that folder exists) and the `extra` files given by the user.
    pub fn for_store(data_dir: &Path, extra: &[PathBuf]) -> Result<Catalog, LoadError> {
        let mut c = Catalog::builtin()?;
        c.add_dir(&data_dir.join(SURVEYS_DIR))?;
        for path in extra {
            c.add_file(path)?;
        }
        Ok(c)
    }

    /// Add one survey.
    pub fn add(&mut self, survey: Survey) {
        self.surveys.entry(survey.hash).or_insert(survey);
    }

    /// Load and add one survey file.
    pub fn add_file(&mut self, path: &Path) -> Result<(), LoadError> {
        self.add(load::from_file(path)?);
        Ok(())
    }

    /// Add every `*.toml` file in `dir` (sorted by name); a missing folder adds nothing.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), LoadError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(source) => {
                return Err(LoadError::Read {
                    path: dir.to_owned(),
                    source,
                });
            }
        };
        let mut paths = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| LoadError::Read {
                path: dir.to_owned(),
                source,
            })?;
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".toml") && !name.starts_with('.') {
                paths.push(path);
            }
        }
        paths.sort();
        for path in paths {
            self.add_file(&path)?;
        }
        Ok(())
    }

    /// The survey with this hash.
    pub fn get(&self, hash: &SurveyHash) -> Option<&Survey> {
        self.surveys.get(hash)
    }

    /// Every known survey, by hash.
    pub fn iter(&self) -> impl Iterator<Item = &Survey> {
        self.surveys.values()
    }

    /// Number of known surveys.
    pub fn len(&self) -> usize {
        self.surveys.len()
    }

    /// Whether no survey is known.
    pub fn is_empty(&self) -> bool {
        self.surveys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_holds_every_embedded_questionnaire() {
        let c = Catalog::builtin().unwrap();
        assert_eq!(c.len(), EMBEDDED_ALL.len());
        let icare = load::embedded().unwrap();
        assert_eq!(c.get(&icare.hash).map(|s| s.id.as_str()), Some("icare"));
    }

    #[test]
    fn store_folder_copies_are_found_and_a_missing_folder_is_fine() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(
            Catalog::for_store(tmp.path(), &[]).unwrap().len(),
            EMBEDDED_ALL.len()
        );
        let dir = tmp.path().join(SURVEYS_DIR);
        std::fs::create_dir(&dir).unwrap();
        // Another version of the built-in survey: a changed weight changes the hash.
        let text = load::EMBEDDED_ICARE.replace("importance = 13", "importance = 14");
        std::fs::write(dir.join("copy.toml"), &text).unwrap();
        std::fs::write(dir.join("notes.txt"), "not a survey").unwrap();
        let c = Catalog::for_store(tmp.path(), &[]).unwrap();
        assert_eq!(c.len(), EMBEDDED_ALL.len() + 1);
    }

    #[test]
    fn a_broken_survey_copy_is_an_error_naming_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(SURVEYS_DIR);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("bad.toml"), "[survey]\nid = 3\n").unwrap();
        let err = Catalog::for_store(tmp.path(), &[]).unwrap_err().to_string();
        assert!(err.contains("bad.toml"), "{err}");
    }
}
