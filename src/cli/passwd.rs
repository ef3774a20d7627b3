//! `icare passwd`: change the manager passphrase. The new identity file replaces the old one only
//! once it has been read back from the disk with the new passphrase and found to hold a key the
//! store is encrypted to; until that rename, the old file and passphrase work as before.

use std::path::{Path, PathBuf};

use age::secrecy::{ExposeSecret, SecretString};
use anyhow::{Context, bail};
use clap::Args;

use super::secret::{self, IdentityArgs, Prompt};
use crate::fsio::{self, Fs, RealFs};
use crate::keys::{self, KeyFileError, KeysError};

#[derive(Debug, Args)]
pub struct PasswdArgs {
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Read the new passphrase from the first line of FILE (else a prompt, asked twice).
    #[arg(long, value_name = "FILE")]
    pub new_passphrase_file: Option<PathBuf>,
    /// scrypt work factor (log2 N) of the new identity file; for tests only.
    #[arg(long, hide = true, value_name = "LOG_N")]
    pub kdf_work_factor: Option<u8>,
}

pub fn run(data: &Path, args: PasswdArgs) -> anyhow::Result<i32> {
    // Everything that needs no secret is checked before one is asked for.
    let keys = store_keys(data)?;
    let path = secret::identity_path(data, &args.identity);
    let bytes = RealFs.read(&path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => KeysError::MissingIdentity(path.clone()),
        _ => KeysError::Io {
            path: path.clone(),
            source,
        },
    })?;
    if !bytes.starts_with(b"age-encryption.org/") {
        bail!(
            "{}: a plain age identity file, protected by no passphrase; there is no passphrase to change",
            path.display()
        );
    }
    let (identity, old) = unlock_keeping_passphrase(data, &args.identity)?;
    if !keys.contains(&identity.to_public().to_string()) {
        bail!(
            "{}: this identity opens nothing in the store in {} (its key is not one the store is encrypted to); nothing was changed",
            path.display(),
            data.display()
        );
    }
    let new = secret::read_new_secret(
        args.new_passphrase_file.as_deref(),
        "new manager passphrase",
    )?;
    super::store::named(keys::check_passphrase(&new), &args.new_passphrase_file)?;
    if new.expose_secret() == old.expose_secret() {
        bail!("the new passphrase is the same as the current one; nothing was changed");
    }
    change_passphrase(&RealFs, &path, &identity, &new, args.kdf_work_factor)
        .with_context(|| format!("{}: the passphrase was not changed", path.display()))?;
    println!("Changed the passphrase of {}.", path.display());
    println!(
        "The old passphrase no longer opens this file. Copies of the old file (a backup kept off the kiosk) still open with the old passphrase: replace them with this file."
    );
    Ok(0)
}

/// Unlock the identity (three tries at a prompt) and keep the passphrase that opened it.
fn unlock_keeping_passphrase(
    data: &Path,
    args: &IdentityArgs,
) -> anyhow::Result<(age::x25519::Identity, SecretString)> {
    let path = secret::identity_path(data, args);
    secret::read_checked(
        args.passphrase_file.as_deref(),
        secret::PASSPHRASE_ENV,
        "current manager passphrase",
        Prompt::Once,
        |passphrase| match keys::unlock_identity_file(&RealFs, &path, Some(passphrase)) {
            Ok(id) => Ok(Ok((id, passphrase.clone()))),
            Err(e @ KeysError::WrongPassphrase(_)) => Ok(Err(e.into())),
            Err(e) => Err(e.into()),
        },
    )?
    .context("no passphrase given")
}

/// The public keys (`age1...`) the store in `data` encrypts to: a kiosk store's or an
/// aggregation store's.
pub(super) fn store_keys(data: &Path) -> anyhow::Result<Vec<String>> {
    let recipients = if crate::batch::aggregate::is_aggregate(&RealFs, data) {
        crate::batch::aggregate::AggregateMeta::load(&RealFs, data)?.recipients
    } else {
        crate::store::StoreMeta::load(&RealFs, data)?.recipients
    };
    Ok(recipients.iter().map(ToString::to_string).collect())
}

/// The staged new identity file beside `path`: `manager.age.new`.
fn staged(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".new");
    fsio::parent(path).join(name)
}

/// Re-encrypt `identity` to `new` at `path`, crash-safe:
///
/// 1. the new file is written beside the old one (`manager.age.new`, itself atomically and
///    durably: [`keys::write_identity`]);
/// 2. it is read back from the file layer and decrypted with `new`; it must give the same key;
/// 3. only then is it renamed over `path` and the folder synced.
///
/// A crash before step 3 leaves the old file, opened by the old passphrase (and perhaps a staged
/// file or its temporary file, which the next change removes); a crash after leaves the new one.
pub fn change_passphrase(
    fs: &dyn Fs,
    path: &Path,
    identity: &age::x25519::Identity,
    new: &SecretString,
    work_factor: Option<u8>,
) -> Result<(), KeysError> {
    let staged = staged(path);
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| KeysError::Io { path, source }
    };
    // Leftovers of a change cut short (the staged file, its own temporary files): never the file
    // in use, and each opens with a passphrase the manager may since have dropped, so they go.
    if fs.exists(&staged) {
        fs.remove_file(&staged).map_err(io(&staged))?;
    }
    fsio::remove_leftovers(fs, &staged).map_err(io(&staged))?;
    keys::write_identity(fs, &staged, identity, new, work_factor)?;
    let back = keys::unlock_identity_file(fs, &staged, Some(new));
    if back.as_ref().map(|b| b.to_public().to_string()).ok()
        != Some(identity.to_public().to_string())
    {
        let _ = fs.remove_file(&staged);
        return Err(KeysError::BadIdentity {
            path: staged,
            problem: match back {
                Err(e) => KeyFileError::ReadBack(Box::new(e)),
                Ok(_) => KeyFileError::Content("read back as another key"),
            },
        });
    }
    fs.rename(&staged, path).map_err(io(path))?;
    fs.sync_dir(fsio::parent(path)).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsio::mem::{Fault, MemFs};

    const PATH: &str = "/d/keys/manager.age";

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_string())
    }

    fn store(id: &age::x25519::Identity) -> MemFs {
        let fs = MemFs::new();
        fs.create_dir_all(Path::new("/d/keys")).unwrap();
        let old = secret("the old passphrase");
        keys::write_identity(&fs, Path::new(PATH), id, &old, Some(2)).unwrap();
        fs
    }

    /// Change the passphrase of the identity at [`PATH`] to `new`.
    fn change(fs: &MemFs, id: &age::x25519::Identity, new: &str) -> Result<(), KeysError> {
        change_passphrase(fs, Path::new(PATH), id, &secret(new), Some(2))
    }

    /// Which passphrase opens the identity file now (the new one tried first), checking it
    /// still holds `id`. Each try costs an scrypt calibration in age, so no more than needed.
    fn opens(fs: &MemFs, id: &age::x25519::Identity) -> Option<&'static str> {
        ["the new passphrase", "the old passphrase"]
            .into_iter()
            .find(|p| {
                keys::unlock_identity_file(fs, Path::new(PATH), Some(&secret(p)))
                    .is_ok_and(|back| back.to_public().to_string() == id.to_public().to_string())
            })
    }

    #[test]
    fn the_new_passphrase_opens_the_same_key_and_the_old_one_no_longer_does() {
        let id = age::x25519::Identity::generate();
        let fs = store(&id);
        change(&fs, &id, "the new passphrase").unwrap();
        assert_eq!(opens(&fs, &id), Some("the new passphrase"));
        let old =
            keys::unlock_identity_file(&fs, Path::new(PATH), Some(&secret("the old passphrase")));
        assert!(matches!(old, Err(KeysError::WrongPassphrase(_))));
        assert_eq!(fs.list(Path::new("/d/keys")).unwrap(), ["manager.age"]);
    }

    #[test]
    fn leftovers_of_a_change_cut_short_are_removed_and_nothing_else() {
        let id = age::x25519::Identity::generate();
        let fs = store(&id);
        for name in [
            "manager.age.new",
            ".manager.age.new.tmp-0123456789abcdef",
            "other",
        ] {
            fs.put(&Path::new("/d/keys").join(name), b"left over".to_vec());
        }
        change(&fs, &id, "the new passphrase").unwrap();
        assert_eq!(
            fs.list(Path::new("/d/keys")).unwrap(),
            ["manager.age", "other"]
        );
    }

    /// The process dies at every file operation in turn, then the power is cut (the last file
    /// written torn or kept whole, in turn): one of the two passphrases always opens the key (the
    /// old one until the rename), and where a staged file was left, a second change completes
    /// and removes it.
    #[test]
    fn a_change_killed_at_any_operation_leaves_a_working_identity() {
        let id = age::x25519::Identity::generate();
        let start = store(&id).snapshot();
        let original = start
            .iter()
            .find(|(p, _)| p == Path::new(PATH))
            .map(|(_, b)| b);
        let fresh = || {
            let fs = MemFs::new();
            fs.create_dir_all(Path::new("/d/keys")).unwrap();
            for (path, bytes) in &start {
                fs.put(path, bytes.clone());
            }
            fs
        };
        let fs = fresh();
        let before = fs.ops();
        change(&fs, &id, "the new passphrase").unwrap();
        let total = fs.ops() - before;
        let mut outcomes = std::collections::BTreeSet::new();
        for n in 0..=total {
            let fs = fresh();
            fs.fail_from(fs.ops() + n, Fault::Io);
            let done = change(&fs, &id, "the new passphrase").is_ok();
            fs.power_cut(if n % 2 == 0 { 0 } else { usize::MAX });
            // The original bytes open with the old passphrase (as `store` wrote them); anything
            // else must open with the new one. (Each decryption costs an scrypt calibration in
            // age, so the old file is recognised by its bytes.)
            let works = if fs.read(Path::new(PATH)).ok().as_ref() == original {
                "the old passphrase"
            } else {
                match opens(&fs, &id) {
                    Some(p) => p,
                    None => panic!("killed at operation {n}: neither passphrase opens the key"),
                }
            };
            if done {
                assert_eq!(works, "the new passphrase", "reported done at {n}");
            }
            outcomes.insert(works);
            if fs.list(Path::new("/d/keys")).unwrap() != ["manager.age"] {
                change(&fs, &id, "a third passphrase").unwrap();
                assert_eq!(fs.list(Path::new("/d/keys")).unwrap(), ["manager.age"]);
            }
        }
        assert_eq!(
            outcomes.len(),
            2,
            "both the old and the new passphrase occur"
        );
    }
}
