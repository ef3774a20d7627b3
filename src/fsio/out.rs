//! Writing to a path the user named (`--out`): a regular file is replaced atomically, anything
//! else that exists (a device such as `/dev/null`, a FIFO) is written into, and a symbolic link is
//! followed to what it points at.
//!
//! Renaming a temporary file over `/dev/null` would replace the device with a regular file (and,
//! run as root, break every program on the machine that uses it); renaming over a FIFO or a
//! symbolic link would replace them instead of writing through them.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{Appender, Fs, parent, replace_atomic};

/// Most symbolic links followed before giving up, as Linux does (`ELOOP` after 40).
const MAX_LINKS: usize = 40;

/// Where a user-named output goes, once symbolic links are followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutTarget {
    /// A regular file, or a path where nothing is yet: written to a temporary file in this path's
    /// folder, then renamed over it.
    File(PathBuf),
    /// Something else that exists (a character or block device, a FIFO): written into in place.
    Special(PathBuf),
}

/// Write a user-named output at `path` through `body`, respecting what is there:
///
/// - a regular file or a new path: as [`super::write_atomic_with`] (a temporary file beside it,
///   synced and renamed into place; on error nothing changes at `path`). The output is the user's
///   own file, not the store's: a new path gets the permissions the user's umask gives (as a
///   shell's `>` does), and a file replaced keeps its permission bits, so a private report stays
///   private;
/// - a symbolic link: the same rules applied to the file it points at (so a link to a regular
///   file gets its temporary file in the target's folder, and the link stays a link);
/// - a device or FIFO: opened for writing, without truncation, and written into; nothing is
///   renamed or removed. Such a target cannot be rolled back: on error, what was written stays.
///
/// A folder is refused. Every command's `--out` goes through this function.
pub fn write_out<E: From<io::Error>>(
    fs: &dyn Fs,
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    match fs.out_target(path)? {
        OutTarget::File(target) => {
            let keep_mode = match fs.mode(&target) {
                Ok(mode) => Some(mode & 0o777),
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => return Err(e.into()),
            };
            replace_atomic(fs, &target, |tmp| fs.create_output(tmp, keep_mode), body)
        }
        OutTarget::Special(target) => {
            let file = fs.open_special(&target)?;
            let mut out = io::BufWriter::with_capacity(64 * 1024, Appender(file));
            body(&mut out)?;
            // No `fdatasync`: devices and FIFOs do not support it (EINVAL), and there is no file
            // whose contents could be made durable.
            out.flush()?;
            Ok(())
        }
    }
}

/// [`OutTarget`] of `path` on the real file system: links followed one by one (a dangling link
/// leads to the new path it names), a folder refused.
pub(super) fn resolve(path: &Path) -> io::Result<OutTarget> {
    let mut at = path.to_owned();
    for _ in 0..=MAX_LINKS {
        let meta = match std::fs::symlink_metadata(&at) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(OutTarget::File(at)),
            Err(e) => return Err(e),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let to = std::fs::read_link(&at)?;
            at = if to.is_absolute() {
                to
            } else {
                parent(&at).join(to)
            };
        } else if kind.is_file() {
            return Ok(OutTarget::File(at));
        } else if kind.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                format!("{} is a folder; give a file name", at.display()),
            ));
        } else {
            return Ok(OutTarget::Special(at));
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links in a row (a loop?)"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsio::RealFs;
    use crate::fsio::mem::{Fault, MemFs};
    use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};

    fn write(path: &Path, text: &str) -> io::Result<()> {
        write_out(&RealFs, path, |w: &mut dyn Write| {
            w.write_all(text.as_bytes())
        })
    }

    fn names(dir: &Path) -> Vec<String> {
        RealFs.list(dir).unwrap()
    }

    #[test]
    fn a_new_path_and_a_regular_file_are_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.txt");
        write(&path, "first").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
        let before = std::fs::metadata(&path).unwrap();
        write(&path, "second").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        // A new file took the name (rename), not the old one rewritten in place.
        use std::os::unix::fs::MetadataExt;
        assert_ne!(std::fs::metadata(&path).unwrap().ino(), before.ino());
        assert_eq!(names(dir.path()), ["report.txt"]);
    }

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    /// The process's umask, read without changing it (`umask(2)` sets it for every thread).
    fn umask() -> u32 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let field = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .unwrap();
        u32::from_str_radix(field.trim(), 8).unwrap()
    }

    #[test]
    fn a_new_output_gets_the_umask_and_a_replaced_one_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.txt");
        write(&path, "first").unwrap();
        assert_eq!(mode(&path), 0o666 & !umask());
        // Neither loosened (0600 stays private whatever the umask) nor tightened.
        for kept in [0o600, 0o640, 0o644] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(kept)).unwrap();
            write(&path, "again").unwrap();
            assert_eq!(mode(&path), kept, "{kept:o}");
        }
        assert_eq!(names(dir.path()), ["report.txt"]);
    }

    #[test]
    fn a_failed_body_leaves_a_regular_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.txt");
        std::fs::write(&path, "old").unwrap();
        let err = write_out(&RealFs, &path, |w: &mut dyn Write| {
            w.write_all(b"half")?;
            Err(io::Error::other("stopped"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "stopped");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(names(dir.path()), ["report.txt"]);
    }

    #[test]
    fn a_link_to_a_regular_file_is_written_through_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        std::fs::create_dir(dir.path().join("links")).unwrap();
        let target = dir.path().join("real/report.txt");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("links/report.txt");
        symlink("../real/report.txt", &link).unwrap();
        write(&link, "new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        // The temporary file was made (and renamed) in the target's folder, not the link's.
        assert_eq!(names(&dir.path().join("links")), ["report.txt"]);
        assert_eq!(names(&dir.path().join("real")), ["report.txt"]);
    }

    #[test]
    fn a_dangling_link_creates_its_target_and_a_chain_of_links_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("made.txt");
        let one = dir.path().join("one");
        let two = dir.path().join("two");
        symlink(&target, &one).unwrap();
        symlink("one", &two).unwrap();
        write(&two, "through two links").unwrap();
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            "through two links"
        );
        assert!(
            std::fs::symlink_metadata(&two)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn a_loop_of_links_and_a_folder_are_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        symlink("b", &a).unwrap();
        symlink("a", &b).unwrap();
        let err = write(&a, "x").unwrap_err();
        assert!(err.to_string().contains("symbolic links"), "{err}");
        let err = write(dir.path(), "x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::IsADirectory, "{err}");
        assert_eq!(names(dir.path()), ["a", "b"]);
    }

    #[test]
    fn a_fifo_is_written_into_for_its_reader() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let (send, read) = std::sync::mpsc::channel();
        {
            let fifo = fifo.clone();
            std::thread::spawn(move || send.send(std::fs::read_to_string(fifo).unwrap()));
        }
        write(&fifo, "through the pipe").unwrap();
        // A timeout, not a hang, if the writer never opened the FIFO.
        let got = read
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap();
        assert_eq!(got, "through the pipe");
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "{kind:?}");
        assert_eq!(names(dir.path()), ["pipe"]);
    }

    #[test]
    fn dev_null_is_written_into_and_stays_a_device() {
        let null = Path::new("/dev/null");
        assert_eq!(
            RealFs.out_target(null).unwrap(),
            OutTarget::Special(null.to_owned())
        );
        write(null, "into the void").unwrap();
        let kind = std::fs::symlink_metadata(null).unwrap().file_type();
        assert!(kind.is_char_device(), "{kind:?}");
    }

    #[test]
    fn a_link_to_dev_null_is_followed_to_the_device() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("out");
        symlink("/dev/null", &link).unwrap();
        assert_eq!(
            RealFs.out_target(&link).unwrap(),
            OutTarget::Special(PathBuf::from("/dev/null"))
        );
        write(&link, "x").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }

    #[test]
    fn a_file_layer_without_special_files_writes_atomically() {
        let fs = MemFs::new();
        fs.create_dir_all(Path::new("/d")).unwrap();
        let path = Path::new("/d/out");
        write_out(&fs, path, |w: &mut dyn Write| w.write_all(b"bytes")).unwrap();
        assert_eq!(fs.read(path).unwrap(), b"bytes");
        assert_eq!(fs.list(Path::new("/d")).unwrap(), ["out"]);
        assert_eq!(fs.mode(path).unwrap(), 0o644, "0666 less MemFs's umask");
        fs.set_mode(path, 0o600);
        write_out(&fs, path, |w: &mut dyn Write| w.write_all(b"again")).unwrap();
        assert_eq!(
            fs.mode(path).unwrap(),
            0o600,
            "a private output stays private"
        );
    }

    /// What `decrypt --out` writes with: a fault at any operation fails the write and never leaves
    /// part of a file under the final name, before or after a power cut (a failed folder sync after
    /// the rename leaves the whole file, whose durability is unknown, so the write is reported
    /// failed); without a fault the whole file is there, even after a power cut.
    #[test]
    fn decrypt_output_with_a_fault_at_any_operation_never_leaves_part_of_a_file() {
        let out = Path::new("/out/responses.jsonl");
        let line = "{\"response\":\"r1\",\"answers\":[]}\n".repeat(4000);
        let write = |fs: &MemFs| {
            crate::fsio::write_atomic_with(fs, out, |w: &mut dyn io::Write| {
                for chunk in line.as_bytes().chunks(1000) {
                    w.write_all(chunk)?;
                }
                Ok::<(), io::Error>(())
            })
        };
        let fresh = || {
            let fs = MemFs::new();
            fs.create_dir_all(Path::new("/out")).unwrap();
            fs
        };
        let probe = fresh();
        let start = probe.ops();
        write(&probe).unwrap();
        let ops = probe.ops() - start;
        assert!(
            ops >= 5,
            "several appends, a sync, a rename and a folder sync"
        );
        probe.power_cut(usize::MAX);
        assert_eq!(probe.read(out).unwrap(), line.as_bytes());
        for fault in [Fault::NoSpace, Fault::Io] {
            for n in 0..ops {
                let fs = fresh();
                fs.fail_at(fs.ops() + n, fault);
                assert!(write(&fs).is_err(), "{fault:?} at op {n} reported written");
                // Under the final name: nothing, or (when only the last folder sync failed, after
                // the rename) the whole file; never part of it, and no temporary file is left.
                let whole_or_none = |fs: &MemFs| match fs.read(out) {
                    Ok(b) => b == line.as_bytes(),
                    Err(_) => true,
                };
                assert!(whole_or_none(&fs), "{fault:?} at op {n}: part of a file");
                let names: Vec<_> = fs.snapshot().into_iter().map(|(p, _)| p).collect();
                assert!(
                    names.iter().all(|p| p == out),
                    "{fault:?} at op {n}: left {names:?}"
                );
                fs.power_cut(usize::MAX);
                assert!(
                    whole_or_none(&fs),
                    "{fault:?} at op {n}: part of a file after a power cut"
                );
            }
        }
        eprintln!(
            "decrypt output faults: {} injected ({ops} operations x ENOSPC, EIO)",
            2 * ops
        );
    }
}
