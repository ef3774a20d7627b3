//! A problem found in a store file, with the file and the offset: what `verify` reports and what
//! recovery on open found damaged.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem, with the file and the offset where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub offset: Option<u64>,
    pub what: String,
}

impl Problem {
    pub(crate) fn new(path: &Path, offset: Option<u64>, what: String) -> Self {
        Problem {
            path: path.to_owned(),
            offset,
            what,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(o) => write!(f, "{}: offset {o}: {}", self.path.display(), self.what),
            None => write!(f, "{}: {}", self.path.display(), self.what),
        }
    }
}
