//! An in-memory file system for tests: it remembers what was synced, so a test can cut the power
//! (drop every un-synced write, tear the last one at any byte) and inject ENOSPC or EIO at any
//! operation.
//!
//! Simplifications, on purpose: a removed file is gone at once; a renamed file's new name, like a
//! created file's name, survives a power cut only after the folder is synced, and until then the
//! durable file it replaced (if any) is what a power cut leaves at that name, as rename(2)
//! promises; the old name of a renamed file is gone at once.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{Fs, FsFile, parent};

/// Which error an injected fault raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// "No space left on device".
    NoSpace,
    /// "Input/output error".
    Io,
}

impl Fault {
    fn error(self) -> io::Error {
        match self {
            Fault::NoSpace => io::Error::new(io::ErrorKind::StorageFull, "injected ENOSPC"),
            Fault::Io => io::Error::other("injected EIO"),
        }
    }
}

#[derive(Debug, Default, Clone)]
struct MemFile {
    data: Vec<u8>,
    /// Length of the prefix of `data` that an `fdatasync` made durable.
    synced: usize,
    /// Whether the folder entry survives a power cut.
    entry_durable: bool,
}

#[derive(Debug, Default)]
struct State {
    files: BTreeMap<PathBuf, MemFile>,
    dirs: Vec<PathBuf>,
    ops: u64,
    fault: Option<(u64, Fault)>,
    /// Every operation from this one on fails (a crashed process).
    fail_from: Option<(u64, Fault)>,
    last_written: Option<PathBuf>,
    /// Durable files replaced by a rename whose folder is not yet synced: a power cut puts them
    /// back.
    replaced: BTreeMap<PathBuf, MemFile>,
}

impl State {
    /// Count one operation and fail it when it is the one chosen for a fault.
    fn op(&mut self) -> io::Result<()> {
        let n = self.ops;
        self.ops += 1;
        match (self.fault, self.fail_from) {
            (Some((at, fault)), _) if at == n => Err(fault.error()),
            (_, Some((from, fault))) if n >= from => Err(fault.error()),
            _ => Ok(()),
        }
    }
}

/// An in-memory [`Fs`]; clones share the same files.
#[derive(Debug, Default, Clone)]
pub struct MemFs(Arc<Mutex<State>>);

impl MemFs {
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock can only come from a failing test; carry on with the data.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many operations have run so far (each one a candidate for [`MemFs::fail_at`]).
    pub fn ops(&self) -> u64 {
        self.state().ops
    }

    /// Make operation number `n` (counting from the start, see [`MemFs::ops`]) fail with `fault`.
    pub fn fail_at(&self, n: u64, fault: Fault) {
        self.state().fault = Some((n, fault));
    }

    /// Make operation `n` and every one after it fail with `fault`, as if the process had died
    /// there; [`MemFs::power_cut`] clears it.
    pub fn fail_from(&self, n: u64, fault: Fault) {
        self.state().fail_from = Some((n, fault));
    }

    /// Cut the power: files whose folder entry was never synced vanish, every file falls back to
    /// its synced contents, except that the last file written keeps `keep` bytes of its un-synced
    /// tail (a torn write).
    pub fn power_cut(&self, keep: usize) {
        let mut st = self.state();
        let last = st.last_written.take();
        st.files.retain(|_, f| f.entry_durable);
        for (path, old) in std::mem::take(&mut st.replaced) {
            st.files.entry(path).or_insert(old);
        }
        for (path, f) in st.files.iter_mut() {
            let extra = if Some(path) == last.as_ref() {
                keep.min(f.data.len() - f.synced)
            } else {
                0
            };
            f.data.truncate(f.synced + extra);
        }
        st.fault = None;
        st.fail_from = None;
    }

    /// Length of the un-synced tail of the file written last (the most a power cut can tear).
    pub fn unsynced_tail(&self) -> usize {
        let st = self.state();
        st.last_written
            .as_ref()
            .and_then(|p| st.files.get(p))
            .map(|f| f.data.len() - f.synced)
            .unwrap_or(0)
    }

    /// Every file and its current contents (for tests that search the bytes).
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let st = self.state();
        st.files
            .iter()
            .map(|(p, f)| (p.clone(), f.data.clone()))
            .collect()
    }

    /// Replace a file's contents (durably), for tests that damage a store.
    pub fn put(&self, path: &Path, data: Vec<u8>) {
        let mut st = self.state();
        let synced = data.len();
        st.files.insert(
            path.to_owned(),
            MemFile {
                data,
                synced,
                entry_durable: true,
            },
        );
    }
}

struct MemHandle {
    fs: MemFs,
    path: PathBuf,
}

impl FsFile for MemHandle {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut st = self.fs.state();
        st.op()?;
        let f = st
            .files
            .get_mut(&self.path)
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        f.data.extend_from_slice(bytes);
        st.last_written = Some(self.path.clone());
        Ok(())
    }

    fn sync_data(&mut self) -> io::Result<()> {
        let mut st = self.fs.state();
        st.op()?;
        let f = st
            .files
            .get_mut(&self.path)
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        f.synced = f.data.len();
        Ok(())
    }
}

fn not_found() -> io::Error {
    io::Error::from(io::ErrorKind::NotFound)
}

impl Fs for MemFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let mut st = self.state();
        st.op()?;
        st.files
            .get(path)
            .map(|f| f.data.clone())
            .ok_or_else(not_found)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let mut st = self.state();
        st.op()?;
        if !st.dirs.iter().any(|d| d == dir) {
            return Err(not_found());
        }
        let names = st
            .files
            .keys()
            .filter(|p| parent(p) == dir)
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        Ok(names)
    }

    fn exists(&self, path: &Path) -> bool {
        let st = self.state();
        st.files.contains_key(path) || st.dirs.iter().any(|d| d == path)
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        let mut st = self.state();
        st.op()?;
        for d in dir.ancestors() {
            if !d.as_os_str().is_empty() && !st.dirs.iter().any(|x| x == d) {
                st.dirs.push(d.to_owned());
            }
        }
        Ok(())
    }

    fn create_new(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        let mut st = self.state();
        st.op()?;
        if st.files.contains_key(path) {
            return Err(io::Error::from(io::ErrorKind::AlreadyExists));
        }
        if !st.dirs.iter().any(|d| d == parent(path)) {
            return Err(not_found());
        }
        st.files.insert(path.to_owned(), MemFile::default());
        drop(st);
        Ok(Box::new(MemHandle {
            fs: self.clone(),
            path: path.to_owned(),
        }))
    }

    fn truncate(&self, path: &Path, len: u64) -> io::Result<()> {
        let mut st = self.state();
        st.op()?;
        let f = st.files.get_mut(path).ok_or_else(not_found)?;
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        f.data.resize(len, 0);
        f.synced = len;
        Ok(())
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut st = self.state();
        st.op()?;
        let mut f = st.files.remove(from).ok_or_else(not_found)?;
        f.entry_durable = false;
        if let Some(old) = st.files.insert(to.to_owned(), f) {
            if old.entry_durable && !st.replaced.contains_key(to) {
                st.replaced.insert(to.to_owned(), old);
            }
        }
        if st.last_written.as_deref() == Some(from) {
            st.last_written = Some(to.to_owned());
        }
        Ok(())
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        let mut st = self.state();
        st.op()?;
        st.files.remove(path).map(|_| ()).ok_or_else(not_found)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        let mut st = self.state();
        st.op()?;
        for (p, f) in st.files.iter_mut() {
            if parent(p) == dir {
                f.entry_durable = true;
            }
        }
        st.replaced.retain(|p, _| parent(p) != dir);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsio::write_atomic;

    /// Replace `/d/f` ("old", durable) with "new", the power cut at every operation: the file
    /// holds the old or the new contents, never nothing and never a part.
    #[test]
    fn an_atomic_replace_cut_at_any_operation_leaves_old_or_new() {
        let setup = || {
            let fs = MemFs::new();
            fs.create_dir_all(Path::new("/d")).unwrap();
            write_atomic(&fs, Path::new("/d/f"), b"old").unwrap();
            fs
        };
        let fs = setup();
        let start = fs.ops();
        write_atomic(&fs, Path::new("/d/f"), b"new").unwrap();
        let total = fs.ops() - start;
        let mut seen = std::collections::BTreeSet::new();
        for n in 0..=total {
            let fs = setup();
            fs.fail_from(fs.ops() + n, Fault::Io);
            let _ = write_atomic(&fs, Path::new("/d/f"), b"new");
            fs.power_cut(usize::MAX);
            let got = fs.read(Path::new("/d/f")).unwrap();
            assert!(got == b"old" || got == b"new", "cut at {n}: {got:?}");
            seen.insert(got);
        }
        assert_eq!(seen.len(), 2, "both outcomes occur");
    }
}
