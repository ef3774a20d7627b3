//! An in-memory file system for tests: it remembers what was synced, so a test can cut the power
//! (drop every un-synced write, tear the last one at any byte, undo every folder change since the
//! folder was last synced) and inject ENOSPC or EIO at any operation.
//!
//! A folder's entries (created, renamed and removed names) survive a power cut only once that
//! folder is synced; until then a power cut puts back the names, and the files behind them, as
//! they were at its last sync. A file's contents survive up to its last `fdatasync`.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use super::{EntryKind, Fs, FsFile, FsLock, not_regular, parent};

/// The umask the in-memory file system applies to a user's new output file
/// ([`Fs::create_output`]), a common default.
const UMASK: u32 = 0o022;

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

#[derive(Debug, Clone)]
struct Inode {
    data: Vec<u8>,
    /// Length of the prefix of `data` that an `fdatasync` made durable.
    synced: usize,
    mode: u32,
    mtime: Option<SystemTime>,
    kind: EntryKind,
}

impl Inode {
    fn new(data: Vec<u8>, synced: usize) -> Inode {
        Inode {
            data,
            synced,
            mode: 0o600,
            mtime: None,
            kind: EntryKind::File,
        }
    }
}

#[derive(Debug, Default)]
struct State {
    inodes: BTreeMap<u64, Inode>,
    next_inode: u64,
    /// The names now.
    names: BTreeMap<PathBuf, u64>,
    /// The names a power cut goes back to (as of each folder's last sync).
    durable: BTreeMap<PathBuf, u64>,
    dirs: BTreeSet<PathBuf>,
    dir_times: BTreeMap<PathBuf, SystemTime>,
    /// Locks held, each with the token of its holder.
    locks: BTreeMap<PathBuf, u64>,
    next_token: u64,
    ops: u64,
    fault: Option<(u64, Fault)>,
    /// Every operation from this one on fails (a crashed process).
    fail_from: Option<(u64, Fault)>,
    last_written: Option<u64>,
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

    fn inode(&self, path: &Path) -> io::Result<&Inode> {
        self.names
            .get(path)
            .and_then(|i| self.inodes.get(i))
            .ok_or_else(not_found)
    }

    fn new_inode(&mut self, inode: Inode) -> u64 {
        let id = self.next_inode;
        self.next_inode += 1;
        self.inodes.insert(id, inode);
        id
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

    /// Cut the power: every folder goes back to its entries at its last sync, every file falls
    /// back to its synced contents, except that the last file written keeps `keep` bytes of its
    /// un-synced tail (a torn write). Locks held by the dead process are released.
    pub fn power_cut(&self, keep: usize) {
        let mut st = self.state();
        let last = st.last_written.take();
        st.names = st.durable.clone();
        let live: BTreeSet<u64> = st.names.values().copied().collect();
        st.inodes.retain(|id, _| live.contains(id));
        for (id, f) in st.inodes.iter_mut() {
            let extra = if Some(*id) == last {
                keep.min(f.data.len() - f.synced)
            } else {
                0
            };
            f.data.truncate(f.synced + extra);
        }
        st.fault = None;
        st.fail_from = None;
        st.locks.clear();
    }

    /// Length of the un-synced tail of the file written last (the most a power cut can tear).
    pub fn unsynced_tail(&self) -> usize {
        let st = self.state();
        st.last_written
            .and_then(|id| st.inodes.get(&id))
            .map(|f| f.data.len() - f.synced)
            .unwrap_or(0)
    }

    /// Every file and its current contents (for tests that search the bytes).
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let st = self.state();
        st.names
            .iter()
            .filter_map(|(p, id)| st.inodes.get(id).map(|f| (p.clone(), f.data.clone())))
            .collect()
    }

    /// Replace a file's contents (durably, with its folder entry), for tests that damage a store.
    pub fn put(&self, path: &Path, data: Vec<u8>) {
        let mut st = self.state();
        let synced = data.len();
        let id = st.new_inode(Inode::new(data, synced));
        st.names.insert(path.to_owned(), id);
        st.durable.insert(path.to_owned(), id);
    }

    /// Put something that is not a regular file at `path` (a FIFO, a symbolic link): reading it
    /// fails as on a real system.
    pub fn put_special(&self, path: &Path, kind: EntryKind) {
        self.put(path, Vec::new());
        self.edit(path, |f| f.kind = kind);
    }

    /// A new, empty file with permission bits `mode`, for appending.
    fn create(&self, path: &Path, mode: u32) -> io::Result<Box<dyn FsFile>> {
        let mut st = self.state();
        st.op()?;
        if st.names.contains_key(path) || st.dirs.contains(path) {
            return Err(io::Error::from(io::ErrorKind::AlreadyExists));
        }
        if !st.dirs.contains(parent(path)) {
            return Err(not_found());
        }
        let inode = st.new_inode(Inode {
            mode,
            ..Inode::new(Vec::new(), 0)
        });
        st.names.insert(path.to_owned(), inode);
        drop(st);
        Ok(Box::new(MemHandle {
            fs: self.clone(),
            inode,
        }))
    }

    /// Change a file's permission bits.
    pub fn set_mode(&self, path: &Path, mode: u32) {
        self.edit(path, |f| f.mode = mode);
    }

    fn edit(&self, path: &Path, change: impl FnOnce(&mut Inode)) {
        let mut st = self.state();
        let id = st.names.get(path).copied();
        if let Some(f) = id.and_then(|id| st.inodes.get_mut(&id)) {
            change(f);
        }
    }

    /// The modification time last set on a file or folder with [`Fs::set_times`], if any.
    pub fn mtime(&self, path: &Path) -> Option<SystemTime> {
        let st = self.state();
        if let Some(t) = st.dir_times.get(path) {
            return Some(*t);
        }
        st.inode(path).ok().and_then(|f| f.mtime)
    }
}

struct MemHandle {
    fs: MemFs,
    inode: u64,
}

impl FsFile for MemHandle {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut st = self.fs.state();
        st.op()?;
        let f = st.inodes.get_mut(&self.inode).ok_or_else(not_found)?;
        f.data.extend_from_slice(bytes);
        f.mtime = None;
        st.last_written = Some(self.inode);
        Ok(())
    }

    fn sync_data(&mut self) -> io::Result<()> {
        let mut st = self.fs.state();
        st.op()?;
        let f = st.inodes.get_mut(&self.inode).ok_or_else(not_found)?;
        f.synced = f.data.len();
        Ok(())
    }
}

struct MemLock {
    fs: MemFs,
    path: PathBuf,
    token: u64,
}

impl FsLock for MemLock {}

impl Drop for MemLock {
    fn drop(&mut self) {
        let mut st = self.fs.state();
        if st.locks.get(&self.path) == Some(&self.token) {
            st.locks.remove(&self.path);
        }
    }
}

fn not_found() -> io::Error {
    io::Error::from(io::ErrorKind::NotFound)
}

impl Fs for MemFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let mut st = self.state();
        st.op()?;
        if st.dirs.contains(path) {
            return Err(not_regular(EntryKind::Dir));
        }
        let f = st.inode(path)?;
        if f.kind != EntryKind::File {
            return Err(not_regular(f.kind));
        }
        Ok(f.data.clone())
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let mut st = self.state();
        st.op()?;
        if !st.dirs.contains(dir) {
            return Err(not_found());
        }
        let files = st.names.keys().filter(|p| parent(p) == dir);
        let dirs = st.dirs.iter().filter(|p| p.parent() == Some(dir));
        let mut names: Vec<String> = files
            .chain(dirs)
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        names.sort();
        Ok(names)
    }

    fn exists(&self, path: &Path) -> bool {
        let st = self.state();
        st.names.contains_key(path) || st.dirs.contains(path)
    }

    fn kind(&self, path: &Path) -> io::Result<EntryKind> {
        let st = self.state();
        if st.dirs.contains(path) {
            return Ok(EntryKind::Dir);
        }
        Ok(st.inode(path)?.kind)
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        let mut st = self.state();
        st.op()?;
        for d in dir.ancestors() {
            if !d.as_os_str().is_empty() {
                st.dirs.insert(d.to_owned());
            }
        }
        Ok(())
    }

    fn create_new(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        self.create(path, 0o600)
    }

    fn create_output(&self, path: &Path, keep_mode: Option<u32>) -> io::Result<Box<dyn FsFile>> {
        self.create(path, keep_mode.unwrap_or(0o666 & !UMASK))
    }

    fn truncate(&self, path: &Path, len: u64) -> io::Result<()> {
        let mut st = self.state();
        st.op()?;
        let id = *st.names.get(path).ok_or_else(not_found)?;
        let f = st.inodes.get_mut(&id).ok_or_else(not_found)?;
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        f.data.resize(len, 0);
        f.synced = len;
        Ok(())
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut st = self.state();
        st.op()?;
        let id = st.names.remove(from).ok_or_else(not_found)?;
        st.names.insert(to.to_owned(), id);
        Ok(())
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        let mut st = self.state();
        st.op()?;
        st.names.remove(path).map(|_| ()).ok_or_else(not_found)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        let mut st = self.state();
        st.op()?;
        st.durable.retain(|p, _| parent(p) != dir);
        let now: Vec<(PathBuf, u64)> = st
            .names
            .iter()
            .filter(|(p, _)| parent(p) == dir)
            .map(|(p, id)| (p.clone(), *id))
            .collect();
        st.durable.extend(now);
        Ok(())
    }

    fn set_times(&self, path: &Path, time: SystemTime) -> io::Result<()> {
        let mut st = self.state();
        st.op()?;
        if st.dirs.contains(path) {
            st.dir_times.insert(path.to_owned(), time);
            return Ok(());
        }
        let id = *st.names.get(path).ok_or_else(not_found)?;
        if let Some(f) = st.inodes.get_mut(&id) {
            f.mtime = Some(time);
        }
        Ok(())
    }

    fn mode(&self, path: &Path) -> io::Result<u32> {
        let st = self.state();
        if st.dirs.contains(path) {
            return Ok(0o700);
        }
        Ok(st.inode(path)?.mode)
    }

    fn try_lock(&self, path: &Path) -> io::Result<Option<Box<dyn FsLock>>> {
        let mut st = self.state();
        st.op()?;
        if st.locks.contains_key(path) {
            return Ok(None);
        }
        let token = st.next_token;
        st.next_token += 1;
        st.locks.insert(path.to_owned(), token);
        Ok(Some(Box::new(MemLock {
            fs: self.clone(),
            path: path.to_owned(),
            token,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsio::write_atomic;

    #[test]
    fn a_rename_not_yet_synced_is_undone_by_a_power_cut_and_the_old_file_comes_back() {
        let fs = MemFs::new();
        let dir = Path::new("/d");
        fs.create_dir_all(dir).unwrap();
        fs.put(&dir.join("f"), b"old".to_vec());
        let mut t = fs.create_new(&dir.join(".f.tmp")).unwrap();
        t.append(b"new").unwrap();
        t.sync_data().unwrap();
        fs.rename(&dir.join(".f.tmp"), &dir.join("f")).unwrap();
        assert_eq!(fs.read(&dir.join("f")).unwrap(), b"new");
        fs.power_cut(0);
        assert_eq!(fs.read(&dir.join("f")).unwrap(), b"old");
        assert!(
            !fs.exists(&dir.join(".f.tmp")),
            "the temporary name was never synced"
        );
        let mut t = fs.create_new(&dir.join(".f.tmp")).unwrap();
        t.append(b"new").unwrap();
        t.sync_data().unwrap();
        fs.rename(&dir.join(".f.tmp"), &dir.join("f")).unwrap();
        fs.sync_dir(dir).unwrap();
        fs.power_cut(0);
        assert_eq!(fs.read(&dir.join("f")).unwrap(), b"new");
    }

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

    #[test]
    fn locks_are_exclusive_until_dropped_or_the_power_goes() {
        let fs = MemFs::new();
        let p = Path::new("/lock");
        let a = fs.try_lock(p).unwrap();
        assert!(a.is_some());
        assert!(fs.try_lock(p).unwrap().is_none());
        drop(a);
        let b = fs.try_lock(p).unwrap();
        assert!(b.is_some());
        fs.power_cut(0);
        assert!(fs.try_lock(p).unwrap().is_some());
        drop(b);
    }
}
