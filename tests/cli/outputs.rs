//! `--out` as every command that has it (report, decrypt, export) treats what is there: a device
//! or FIFO is written into (never renamed over), a symbolic link is followed to its target, and
//! only a regular file or a new path gets a temporary file and a rename. The file written is the
//! user's own: a new one gets the user's umask, a replaced one keeps its permissions.

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::mpsc;
use std::time::Duration;

use crate::util::{
    Analyst, PASSPHRASE, chmod, file_names, icare, ok, texts, with_secrets, with_umask,
};

/// A synthetic store with 12 responses in `data`, readable by the analyst key in `analyst/`;
/// returns the key's path too.
fn store() -> (tempfile::TempDir, PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let keys = tmp.path().join("analyst");
    std::fs::create_dir(&keys).unwrap();
    let analyst = Analyst::new(&keys);
    for args in [
        &[
            "init",
            "--synthetic",
            "--kdf-work-factor",
            "8",
            "--recipient",
            &analyst.public,
        ][..],
        &["simulate", "--count", "12", "--seed", "4"],
    ] {
        ok(&data, args);
    }
    (tmp, data, analyst.key.to_str().unwrap().to_owned())
}

fn command(data: &Path, args: &[&str]) -> Output {
    with_secrets(data).args(args).output().unwrap()
}

/// The three commands with `--out`, each writing to `out`.
fn writers<'a>(out: &'a str, key: &'a str) -> [Vec<&'a str>; 3] {
    [
        vec!["report", "--format", "csv", "--out", out],
        vec![
            "decrypt",
            "--identity",
            key,
            "--format",
            "jsonl",
            "--out",
            out,
        ],
        vec!["export", "--out", out],
    ]
}

/// `args` from [`writers`] with `"OUT"` replaced by `path`.
fn at<'a>(args: &[&'a str], path: &'a Path) -> Vec<&'a str> {
    args.iter()
        .map(|a| {
            if *a == "OUT" {
                path.to_str().unwrap()
            } else {
                a
            }
        })
        .collect()
}

#[test]
fn every_out_writes_into_a_fifo_for_its_reader_and_leaves_the_fifo() {
    let (tmp, data, key) = store();
    let fifo = tmp.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success());
    for args in writers(fifo.to_str().unwrap(), &key) {
        let (send, got) = mpsc::channel();
        let reader = fifo.clone();
        std::thread::spawn(move || send.send(std::fs::read(reader).unwrap()));
        ok(&data, &args);
        // A timeout, not a hang, if the command never opened the FIFO.
        let bytes = got.recv_timeout(Duration::from_secs(30)).unwrap();
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "{args:?} replaced the FIFO: {kind:?}");
        let text = String::from_utf8_lossy(&bytes);
        let whole = match args[0] {
            "report" => text.contains(",theme,") && text.ends_with('\n'),
            "decrypt" => text.starts_with('{') && text.lines().count() == 12,
            _ => bytes.starts_with(b"iCAREbt"),
        };
        assert!(whole, "{args:?}: {:?}", &text[..text.len().min(80)]);
    }
    assert_eq!(file_names(tmp.path()), ["analyst", "data", "pipe"]);
}

/// Writing *into* /dev/null is what a user asking for `--out /dev/null` wants; before this, the
/// temporary file was renamed over it (as root, that replaced the system's /dev/null).
#[test]
fn every_out_writes_into_dev_null_and_it_stays_a_character_device() {
    let (_tmp, data, key) = store();
    let null = Path::new("/dev/null");
    let before = std::fs::symlink_metadata(null).unwrap();
    assert!(before.file_type().is_char_device());
    for args in writers("/dev/null", &key) {
        ok(&data, &args);
        let after = std::fs::symlink_metadata(null).unwrap();
        assert!(
            after.file_type().is_char_device(),
            "{args:?} replaced /dev/null"
        );
        assert_eq!(
            (after.ino(), after.rdev()),
            (before.ino(), before.rdev()),
            "{args:?}"
        );
    }
}

#[test]
fn a_symbolic_link_is_followed_and_its_target_replaced_in_the_target_folder() {
    let (tmp, data, key) = store();
    let (real, links) = (tmp.path().join("real"), tmp.path().join("links"));
    std::fs::create_dir(&real).unwrap();
    std::fs::create_dir(&links).unwrap();
    for (i, args) in writers("OUT", &key).into_iter().enumerate() {
        let target = real.join(format!("out-{i}"));
        let link = links.join(format!("out-{i}"));
        symlink(&target, &link).unwrap();
        let args = at(&args, &link);
        // A dangling link: its target is made (export refuses only an existing regular file).
        ok(&data, &args);
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let first = std::fs::metadata(&target).unwrap();
        assert!(first.is_file() && first.len() > 0, "{args:?}");
        if args[0] == "export" {
            let out = command(&data, &args);
            let (_, stderr) = texts(&out);
            assert_eq!(out.status.code(), Some(2), "{stderr}");
            assert!(stderr.contains("a file is already there"), "{stderr}");
        } else {
            // A link to a regular file: the file is replaced whole (a new inode), the link stays.
            ok(&data, &args);
            let second = std::fs::metadata(&target).unwrap();
            assert_ne!(second.ino(), first.ino(), "{args:?}");
            assert!(
                std::fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
        }
    }
    // No temporary file was left in either folder.
    assert_eq!(file_names(&links), ["out-0", "out-1", "out-2"]);
    assert_eq!(file_names(&real), ["out-0", "out-1", "out-2"]);
}

/// `--out` makes the user's own file, not one of the store's (which are 0600 whatever the umask):
/// a new file gets the permissions the user's umask gives, as a shell's `>` would; a file
/// replaced keeps its permissions, so a private one is never loosened, nor a shared one
/// tightened.
#[test]
fn every_out_gives_a_new_file_the_umask_and_a_replaced_file_keeps_its_mode() {
    let (tmp, data, key) = store();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let run_under = |mask: &str, args: &[&str]| {
        let mut cmd = icare(&data);
        cmd.env("ICARE_PASSPHRASE", PASSPHRASE).args(args);
        let out = with_umask(&cmd, mask).output().unwrap();
        let (stdout, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stdout}{stderr}");
    };
    for (mask, new_mode, kept) in [("022", 0o644, 0o600), ("077", 0o600, 0o644)] {
        for (i, args) in writers("OUT", &key).into_iter().enumerate() {
            let out = tmp.path().join(format!("out-{mask}-{i}"));
            let args = at(&args, &out);
            run_under(mask, &args);
            assert_eq!(mode(&out), new_mode, "umask {mask}: {args:?}");
            if args[0] == "export" {
                continue; // export refuses to replace a file
            }
            chmod(&out, kept);
            let before = std::fs::metadata(&out).unwrap().ino();
            run_under(mask, &args);
            assert_ne!(std::fs::metadata(&out).unwrap().ino(), before, "replaced");
            assert_eq!(mode(&out), kept, "umask {mask}, replaced: {args:?}");
        }
    }
}
