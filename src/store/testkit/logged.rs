//! An in-memory file system that logs every operation, for the fault tests that check what
//! happens at the one that fails and after it.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::fsio::mem::MemFs;
use crate::fsio::{EntryKind, Fs, FsFile, FsLock};

/// One file operation, as the store asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Read,
    List,
    CreateDir,
    Create,
    Append,
    SyncData,
    Truncate,
    Rename,
    Remove,
    SyncDir,
    SetTimes,
    Lock,
}

type Log = Arc<Mutex<Vec<(u64, Op, PathBuf)>>>;

/// [`MemFs`] with every operation logged under its number (the one `MemFs::fail_at` takes).
#[derive(Clone)]
pub struct Logged {
    /// The file system underneath, for its faults and power cuts.
    pub mem: MemFs,
    log: Log,
}

impl Logged {
    /// `mem`, with a log of every operation from now on.
    pub fn new(mem: MemFs) -> Logged {
        Logged {
            mem,
            log: Arc::default(),
        }
    }

    fn note(&self, op: Op, path: &Path) {
        let n = self.mem.ops();
        self.log.lock().unwrap().push((n, op, path.to_owned()));
    }
    /// Every operation so far: its number, what it was and the path it was on.
    pub fn entries(&self) -> Vec<(u64, Op, PathBuf)> {
        self.log.lock().unwrap().clone()
    }
    fn logged(&self, path: &Path, inner: Box<dyn FsFile>) -> Box<dyn FsFile> {
        Box::new(LoggedFile {
            fs: self.clone(),
            path: path.to_owned(),
            inner,
        })
    }
}

struct LoggedFile {
    fs: Logged,
    path: PathBuf,
    inner: Box<dyn FsFile>,
}

impl FsFile for LoggedFile {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.fs.note(Op::Append, &self.path);
        self.inner.append(bytes)
    }
    fn sync_data(&mut self) -> io::Result<()> {
        self.fs.note(Op::SyncData, &self.path);
        self.inner.sync_data()
    }
}

impl Fs for Logged {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.note(Op::Read, path);
        self.mem.read(path)
    }
    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        self.note(Op::List, dir);
        self.mem.list(dir)
    }
    fn exists(&self, path: &Path) -> bool {
        self.mem.exists(path)
    }
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        self.note(Op::CreateDir, dir);
        self.mem.create_dir_all(dir)
    }
    fn create_new(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        self.note(Op::Create, path);
        let inner = self.mem.create_new(path)?;
        Ok(self.logged(path, inner))
    }
    fn create_output(&self, path: &Path, keep_mode: Option<u32>) -> io::Result<Box<dyn FsFile>> {
        self.note(Op::Create, path);
        let inner = self.mem.create_output(path, keep_mode)?;
        Ok(self.logged(path, inner))
    }
    fn truncate(&self, path: &Path, len: u64) -> io::Result<()> {
        self.note(Op::Truncate, path);
        self.mem.truncate(path, len)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.note(Op::Rename, from);
        self.mem.rename(from, to)
    }
    fn remove_file(&self, path: &Path) -> io::Result<()> {
        self.note(Op::Remove, path);
        self.mem.remove_file(path)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        self.note(Op::SyncDir, dir);
        self.mem.sync_dir(dir)
    }
    fn kind(&self, path: &Path) -> io::Result<EntryKind> {
        self.mem.kind(path)
    }
    fn set_times(&self, path: &Path, time: std::time::SystemTime) -> io::Result<()> {
        self.note(Op::SetTimes, path);
        self.mem.set_times(path, time)
    }
    fn mode(&self, path: &Path) -> io::Result<u32> {
        self.mem.mode(path)
    }
    fn try_lock(&self, path: &Path) -> io::Result<Option<Box<dyn FsLock>>> {
        self.note(Op::Lock, path);
        self.mem.try_lock(path)
    }
}
