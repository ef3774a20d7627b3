//! [`RealFs`]: the operating system's file system, opened so that nothing the store reads can
//! block it or lead it elsewhere (no symbolic link followed, no FIFO or device read), and so that
//! everything it creates is private to its owner.

use std::fs::{DirBuilder, File, FileTimes, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::time::SystemTime;

use super::{EntryKind, Fs, FsFile, FsLock, not_regular};

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

struct RealLock(#[allow(dead_code)] File);

impl FsLock for RealLock {}

fn kind_of(ft: std::fs::FileType) -> EntryKind {
    if ft.is_symlink() {
        EntryKind::Symlink
    } else if ft.is_file() {
        EntryKind::File
    } else if ft.is_dir() {
        EntryKind::Dir
    } else if ft.is_fifo() {
        EntryKind::Other("a FIFO (named pipe)")
    } else if ft.is_socket() {
        EntryKind::Other("a socket")
    } else if ft.is_block_device() || ft.is_char_device() {
        EntryKind::Other("a device")
    } else {
        EntryKind::Other("a special file")
    }
}

/// Open `path` for reading: never through a symbolic link (`O_NOFOLLOW`), never waiting on a FIFO
/// (`O_NONBLOCK`), and only if what was opened is a regular file.
fn open_regular(path: &Path) -> io::Result<File> {
    // Checked first for a clear message; the flags and the check after opening close the race.
    let kind = kind_of(std::fs::symlink_metadata(path)?.file_type());
    if kind != EntryKind::File {
        return Err(not_regular(kind));
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let kind = kind_of(file.metadata()?.file_type());
    if kind != EntryKind::File {
        return Err(not_regular(kind));
    }
    Ok(file)
}

impl RealFs {
    /// Wait for an exclusive lock on the folder `dir` (`flock` of the folder itself, so no file is
    /// made for it), released when dropped: for a short read-check-write of files in it that two
    /// processes may do at once.
    pub fn lock_dir(&self, dir: &Path) -> io::Result<Box<dyn FsLock>> {
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_DIRECTORY)
            .open(dir)?;
        file.lock()?;
        Ok(Box::new(RealLock(file)))
    }
}

impl Fs for RealFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let mut file = open_regular(path)?;
        let mut out = Vec::with_capacity(file.metadata().map_or(0, |m| m.len() as usize));
        file.read_to_end(&mut out)?;
        Ok(out)
    }
    fn open_read(&self, path: &Path) -> io::Result<Box<dyn io::Read + Send>> {
        Ok(Box::new(open_regular(path)?))
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
        std::fs::symlink_metadata(path).is_ok()
    }
    fn kind(&self, path: &Path) -> io::Result<EntryKind> {
        Ok(kind_of(std::fs::symlink_metadata(path)?.file_type()))
    }
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        DirBuilder::new().recursive(true).mode(0o700).create(dir)
    }
    fn create_new(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        Ok(Box::new(RealFile(file)))
    }
    fn truncate(&self, path: &Path, len: u64) -> io::Result<()> {
        let file = OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path)?;
        if !file.metadata()?.is_file() {
            return Err(not_regular(kind_of(file.metadata()?.file_type())));
        }
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
    fn set_times(&self, path: &Path, time: SystemTime) -> io::Result<()> {
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path)?;
        file.set_times(FileTimes::new().set_accessed(time).set_modified(time))
    }
    fn mode(&self, path: &Path) -> io::Result<u32> {
        Ok(std::fs::symlink_metadata(path)?.permissions().mode())
    }
    fn try_lock(&self, path: &Path) -> io::Result<Option<Box<dyn FsLock>>> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path)?;
        if !file.metadata()?.is_file() {
            return Err(not_regular(kind_of(file.metadata()?.file_type())));
        }
        match file.try_lock() {
            Ok(()) => Ok(Some(Box::new(RealLock(file)))),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }
    fn create_output(&self, path: &Path, keep_mode: Option<u32>) -> io::Result<Box<dyn FsFile>> {
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .mode(keep_mode.unwrap_or(0o666))
            .open(path)?;
        if let Some(mode) = keep_mode {
            // Exactly the replaced file's bits: the umask may have taken some away.
            file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        Ok(Box::new(RealFile(file)))
    }
    fn out_target(&self, path: &Path) -> io::Result<super::OutTarget> {
        super::out::resolve(path)
    }
    fn open_special(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        // No `O_TRUNC`, no `O_CREAT`: a device or FIFO is written into as it is. Opening a FIFO
        // waits for its reader, as `cat > fifo` does.
        let file = OpenOptions::new().write(true).open(path)?;
        Ok(Box::new(RealFile(file)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_and_a_symlink_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("/dev/urandom", &link).unwrap();
        let real = dir.path().join("real");
        std::fs::write(&real, b"bytes").unwrap();
        let to_real = dir.path().join("to-real");
        std::os::unix::fs::symlink(&real, &to_real).unwrap();
        for (path, what) in [
            (&fifo, "a FIFO"),
            (&link, "a symbolic link"),
            (&to_real, "a symbolic link"),
        ] {
            let err = RealFs.read(path).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
            assert!(err.to_string().contains(what), "{err}");
        }
        assert_eq!(
            RealFs.kind(&fifo).unwrap(),
            EntryKind::Other("a FIFO (named pipe)")
        );
        assert_eq!(RealFs.kind(&link).unwrap(), EntryKind::Symlink);
        assert!(RealFs.exists(&link));
        assert_eq!(RealFs.read(&real).unwrap(), b"bytes");
        assert!(RealFs.read(dir.path()).is_err());
    }

    #[test]
    fn new_files_and_folders_are_private_and_a_lock_is_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        RealFs.create_dir_all(&sub).unwrap();
        for d in [dir.path().join("a"), sub.clone()] {
            assert_eq!(RealFs.mode(&d).unwrap() & 0o777, 0o700);
        }
        let f = sub.join("f");
        RealFs.create_new(&f).unwrap().append(b"x").unwrap();
        assert_eq!(RealFs.mode(&f).unwrap() & 0o777, 0o600);
        super::super::check_private(&RealFs, &f).unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        let err = super::super::check_private(&RealFs, &f).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("chmod 600 {}", f.display()))
        );
        let lock = dir.path().join("lock");
        let held = RealFs.try_lock(&lock).unwrap();
        assert!(held.is_some());
        assert!(RealFs.try_lock(&lock).unwrap().is_none());
        drop(held);
        assert!(RealFs.try_lock(&lock).unwrap().is_some());
    }

    #[test]
    fn times_are_set_on_files_and_folders() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, b"x").unwrap();
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_790_000_000);
        for p in [&f, &dir.path().to_path_buf()] {
            RealFs.set_times(p, t).unwrap();
            let m = std::fs::metadata(p).unwrap();
            assert_eq!(m.modified().unwrap(), t);
            assert_eq!(m.accessed().unwrap(), t);
        }
    }
}
