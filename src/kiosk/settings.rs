//! The kiosk's own settings, chosen at first-run set-up and kept beside the store in
//! `kiosk-settings.toml` (plain text: nothing in it is secret or about a patient).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fsio;

/// The settings file's name in the data folder.
pub const SETTINGS_FILE: &str = "kiosk-settings.toml";

/// What the kiosk remembers between starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Read every screen aloud through headphones (`icare kiosk --speech` turns it on for one
    /// run whatever this says).
    #[serde(default)]
    pub speech: bool,
}

/// Why the settings could not be read or kept.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file exists but cannot be read.
    #[error("{path}: cannot read the kiosk's settings: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid settings; the message says where and what.
    #[error(
        "{path}: the kiosk's settings are not valid ({message}); fix the file or delete it to \
         start with the defaults"
    )]
    Invalid { path: PathBuf, message: String },
    /// The file cannot be written.
    #[error("{path}: cannot save the kiosk's settings: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The settings in `path`, or the defaults when there is no such file.
pub fn load(path: &Path) -> Result<Settings, SettingsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
        Err(source) => {
            return Err(SettingsError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    toml::from_str(&text).map_err(|e| SettingsError::Invalid {
        path: path.to_owned(),
        message: crate::sanitize::terminal_safe(e.to_string().trim()).replace("  ", " "),
    })
}

/// Write `settings` to `path` atomically, with a comment saying what each one does.
pub fn save(path: &Path, settings: &Settings) -> Result<(), SettingsError> {
    let text = format!(
        "# Settings of the iCARE kiosk for this data folder, written at first-run set-up.\n\
         # speech: read every screen aloud through headphones (true or false); see docs/kiosk.md.\n\
         speech = {}\n",
        settings.speech
    );
    fsio::write_atomic(&fsio::RealFs, path, text.as_bytes()).map_err(|source| {
        SettingsError::Write {
            path: path.to_owned(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_settings_load_back_and_a_missing_file_is_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SETTINGS_FILE);
        assert_eq!(load(&path).unwrap(), Settings::default());
        save(&path, &Settings { speech: true }).unwrap();
        assert_eq!(load(&path).unwrap(), Settings { speech: true });
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# Settings of the iCARE kiosk"), "{text}");
    }

    #[test]
    fn a_broken_file_is_named_with_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SETTINGS_FILE);
        std::fs::write(&path, "speech = yes\n").unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert!(e.contains(SETTINGS_FILE) && e.contains("line 1"), "{e}");
        std::fs::write(&path, "speach = true\n").unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert!(e.contains("unknown field `speach`"), "{e}");
    }
}
