//! The small file layer the store writes through, so tests can simulate power cuts and inject faults.
//!
//! Only the operations the store needs: whole-file reads, exclusive creation, appends, `fdatasync`,
//! truncation, renames and `fsync` of a folder. [`RealFs`] is the operating system; [`mem::MemFs`]
//! keeps un-synced writes apart so a test can drop them or tear the last one at any byte.

pub mod mem;
mod out;

pub use out::{OutTarget, write_out};

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file opened for appending.
pub trait FsFile: Send {
    /// Append all of `bytes` at the end of the file.
    fn append(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Make the file's contents durable (`fdatasync`).
    fn sync_data(&mut self) -> io::Result<()>;
}

/// The file operations the store uses.
pub trait Fs: Send + Sync {
    /// The whole contents of a file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// Names of the entries of a folder, sorted; an error when the folder does not exist.
    fn list(&self, dir: &Path) -> io::Result<Vec<String>>;
    /// Whether a file or folder exists.
    fn exists(&self, path: &Path) -> bool;
    /// Create a folder and its parents.
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// Create a new, empty file for appending; fails when it already exists.
    fn create_new(&self, path: &Path) -> io::Result<Box<dyn FsFile>>;
    /// Cut a file to `len` bytes and make that durable.
    fn truncate(&self, path: &Path, len: u64) -> io::Result<()>;
    /// Rename a file, replacing `to`.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Remove a file.
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    /// Make a folder's entries durable (`fsync` of the folder).
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
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

/// Write `bytes` to `path` atomically: a temporary file beside it, `fdatasync`, rename, `fsync` of
/// the folder. Readers see the old file or the whole new one, never part of it.
pub fn write_atomic(fs: &dyn Fs, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent(path);
    let tmp = temporary(path);
    let result = (|| {
        let mut file = fs.create_new(&tmp)?;
        file.append(bytes)?;
        file.sync_data()?;
        drop(file);
        fs.rename(&tmp, path)?;
        fs.sync_dir(dir)
    })();
    if result.is_err() {
        // Best effort: the temporary name is never read, so a leftover is harmless.
        let _ = fs.remove_file(&tmp);
    }
    result
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
    let dir = parent(path);
    let tmp = temporary(path);
    let result = (|| {
        let file = fs.create_new(&tmp)?;
        let mut out = io::BufWriter::with_capacity(64 * 1024, Appender(file));
        body(&mut out)?;
        let Appender(mut file) = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_data()?;
        drop(file);
        fs.rename(&tmp, path)?;
        fs.sync_dir(dir)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs.remove_file(&tmp);
    }
    result
}

/// The start of the names of the temporary files beside `path`: `.NAME.tmp-`.
fn temporary_prefix(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    format!(".{name}.tmp-")
}

/// A new temporary file name beside `path`: `.NAME.tmp-` and 16 random hex digits.
fn temporary(path: &Path) -> PathBuf {
    parent(path).join(format!(
        "{}{:016x}",
        temporary_prefix(path),
        rand::random::<u64>()
    ))
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

/// The operating system's file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

struct RealFile(File);

impl FsFile for RealFile {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes)
    }
    fn sync_data(&mut self) -> io::Result<()> {
        self.0.sync_data()
    }
}

impl Fs for RealFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }
    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            names.push(entry?.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }
    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)
    }
    fn create_new(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(path)?;
        Ok(Box::new(RealFile(file)))
    }
    fn truncate(&self, path: &Path, len: u64) -> io::Result<()> {
        let file = OpenOptions::new().write(true).open(path)?;
        file.set_len(len)?;
        file.sync_data()
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }
    fn remove_file(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }
    fn out_target(&self, path: &Path) -> io::Result<OutTarget> {
        out::resolve(path)
    }
    fn open_special(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        // No `O_TRUNC`, no `O_CREAT`: a device or FIFO is written into as it is. Opening a FIFO
        // waits for its reader, as `cat > fifo` does.
        let file = OpenOptions::new().write(true).open(path)?;
        Ok(Box::new(RealFile(file)))
    }
}
