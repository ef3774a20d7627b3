//! The small file layer the store writes through, so tests can simulate power cuts and inject faults.
//!
//! Only the operations the store needs: whole-file and streamed reads (never of anything but a
//! regular file), exclusive creation, appends, `fdatasync`, truncation, renames, `fsync` of a
//! folder, setting a file's times, its permission bits, and an exclusive lock. [`RealFs`] is the
//! operating system; [`mem::MemFs`] keeps un-synced writes and renames apart so a test can drop
//! them or tear the last write at any byte.

pub mod mem;
mod out;
mod real;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub use out::{OutTarget, write_out};
pub use real::RealFs;

/// A file opened for appending.
pub trait FsFile: Send {
    /// Append all of `bytes` at the end of the file.
    fn append(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Make the file's contents durable (`fdatasync`).
    fn sync_data(&mut self) -> io::Result<()>;
}

/// What a folder entry is, as `lstat` sees it (a symbolic link is not followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    /// A FIFO, socket or device.
    Other(&'static str),
}

impl EntryKind {
    /// A few words for messages: "a symbolic link", "a FIFO".
    pub fn describe(self) -> &'static str {
        match self {
            EntryKind::File => "a regular file",
            EntryKind::Dir => "a folder",
            EntryKind::Symlink => "a symbolic link",
            EntryKind::Other(what) => what,
        }
    }
}

/// An exclusive lock on a file, released when dropped.
pub trait FsLock: Send {}

/// The file operations the store uses.
pub trait Fs: Send + Sync {
    /// The whole contents of a regular file. Anything else (a FIFO, a device, a folder, or a
    /// symbolic link, which is never followed) is refused without blocking, with an error of kind
    /// [`io::ErrorKind::InvalidInput`] saying what it is.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// A regular file opened for reading as a stream, refused as [`Fs::read`] refuses: for files
    /// too large to hold in memory whole (batches, imported files). The default reads the whole
    /// file, which suits a file layer in memory.
    fn open_read(&self, path: &Path) -> io::Result<Box<dyn io::Read + Send>> {
        Ok(Box::new(io::Cursor::new(self.read(path)?)))
    }
    /// Names of the entries of a folder, sorted; an error when the folder does not exist.
    fn list(&self, dir: &Path) -> io::Result<Vec<String>>;
    /// Whether a file or folder exists (a symbolic link counts, whatever it points to).
    fn exists(&self, path: &Path) -> bool;
    /// What the entry at `path` is, without following a symbolic link.
    fn kind(&self, path: &Path) -> io::Result<EntryKind>;
    /// Create a folder and its parents; new folders are private to their owner (0700).
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// Create a new, empty file for appending, private to its owner (0600); fails when it
    /// already exists.
    fn create_new(&self, path: &Path) -> io::Result<Box<dyn FsFile>>;
    /// Create a new, empty file for appending to hold a user's output (`--out`); fails when it
    /// already exists. With `Some(mode)` it gets exactly those permission bits (those of the file
    /// it is to replace); with `None`, 0666 less the process's umask, as a shell's `>` makes a new
    /// file.
    fn create_output(&self, path: &Path, keep_mode: Option<u32>) -> io::Result<Box<dyn FsFile>>;
    /// Cut a file to `len` bytes and make that durable.
    fn truncate(&self, path: &Path, len: u64) -> io::Result<()>;
    /// Rename a file, replacing `to`.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Remove a file.
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    /// Make a folder's entries durable (`fsync` of the folder).
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    /// Set a file's or folder's access and modification times (never following a symbolic link).
    fn set_times(&self, path: &Path, time: SystemTime) -> io::Result<()>;
    /// The permission bits of a file (`0o600`), without following a symbolic link.
    fn mode(&self, path: &Path) -> io::Result<u32>;
    /// Take an exclusive lock on `path` (created empty, 0600, if missing) without waiting.
    /// `Ok(None)` when another holder has it.
    fn try_lock(&self, path: &Path) -> io::Result<Option<Box<dyn FsLock>>>;
    /// What a user-named output path is once symbolic links are followed (see [`write_out`]).
    /// The default suits a file layer with neither links nor special files.
    fn out_target(&self, path: &Path) -> io::Result<OutTarget> {
        Ok(OutTarget::File(path.to_owned()))
    }
    /// Open an existing special file (a device, a FIFO) to write into it in place.
    fn open_special(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("{}: not a regular file", path.display()),
        ))
    }
}

/// Refuse a secret file that its group or others may read or write: the error names the file
/// and says how to fix it.
pub fn check_private(fs: &dyn Fs, path: &Path) -> io::Result<()> {
    let mode = fs.mode(path)?;
    if mode & 0o077 != 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "a secret file that others on this machine can open (mode {:03o}); run `chmod 600 {}` and try again",
                mode & 0o777,
                path.display()
            ),
        ));
    }
    Ok(())
}

/// Write `bytes` to `path` atomically: a temporary file beside it, `fdatasync`, rename, `fsync` of
/// the folder. Readers see the old file or the whole new one, never part of it.
pub fn write_atomic(fs: &dyn Fs, path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(fs, path, |out| out.write_all(bytes))
}

/// The temporary name [`write_atomic`] writes `path` under first: `.<name>.tmp-<16 hex>` beside
/// it. Readers skip names starting with `.`.
pub fn temp_name(path: &Path) -> PathBuf {
    parent(path).join(format!(
        "{}{:016x}",
        temporary_prefix(path),
        rand::random::<u64>()
    ))
}

/// The start of the names of the temporary files beside `path`: `.NAME.tmp-`.
fn temporary_prefix(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    format!(".{name}.tmp-")
}

/// Remove the temporary files that atomic writes of `path` cut short by a crash left beside it.
/// Nothing reads them, but a key file's leftover may hold a secret since replaced.
pub fn remove_leftovers(fs: &dyn Fs, path: &Path) -> io::Result<()> {
    let dir = parent(path);
    let prefix = temporary_prefix(path);
    for name in fs.list(dir)? {
        if name.starts_with(&prefix) {
            fs.remove_file(&dir.join(name))?;
        }
    }
    Ok(())
}

/// Write a file atomically from a stream: `body` writes through a buffer into a temporary file
/// beside `path`, which is then `fdatasync`ed, renamed into place and its folder `fsync`ed. On any
/// error (from `body` or from a file operation) nothing is left at `path` and the temporary file
/// is removed (best effort: the temporary name is never read).
pub fn write_atomic_with<E: From<io::Error>>(
    fs: &dyn Fs,
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    replace_atomic(fs, path, |tmp| fs.create_new(tmp), body)
}

/// [`write_atomic_with`] with the temporary file made by `create` (given its name).
fn replace_atomic<E: From<io::Error>>(
    fs: &dyn Fs,
    path: &Path,
    create: impl FnOnce(&Path) -> io::Result<Box<dyn FsFile>>,
    body: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    let tmp = temp_name(path);
    let result = (|| {
        fill_synced(create(&tmp)?, body)?;
        fs.rename(&tmp, path)?;
        fs.sync_dir(parent(path))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs.remove_file(&tmp);
    }
    result
}

/// Create `path` (which must not exist), write it through a buffer with `body` and `fdatasync`
/// it. The caller renames it into place and removes it on error.
pub fn write_synced<E: From<io::Error>>(
    fs: &dyn Fs,
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    fill_synced(fs.create_new(path)?, body)
}

/// Write `file` through a buffer with `body`, then `fdatasync` it.
fn fill_synced<E: From<io::Error>>(
    file: Box<dyn FsFile>,
    body: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    let mut out = io::BufWriter::with_capacity(64 * 1024, Appender(file));
    let written = body(&mut out).and_then(|()| Ok(out.flush()?));
    // Taken apart without a flush: after a failed write nothing is retried (a `BufWriter`
    // dropped with data in it would append it again).
    let (Appender(mut file), _) = out.into_parts();
    written?;
    file.sync_data()?;
    Ok(())
}

/// An [`FsFile`] as an [`io::Write`] (every write appended whole).
struct Appender(Box<dyn FsFile>);

impl Write for Appender {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.append(buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The folder holding `path` (`.` for a bare file name).
pub fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The error [`Fs::read`] gives for an entry that is not a regular file.
pub(crate) fn not_regular(kind: EntryKind) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} where a regular file belongs; not opened (remove it, or put the right file back)",
            kind.describe()
        ),
    )
}
