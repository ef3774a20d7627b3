//! What `icare verify` says about keys: the identity it opens records with (or why it opens
//! none, whatever the environment holds), and the key files, checked without any secret.

use std::path::{Path, PathBuf};

use argon2::password_hash::PasswordHash;

use super::secret::{self, IdentityArgs, Prompt};
use crate::crypto::sign::{self, SignError};
use crate::fsio::{Fs, RealFs};
use crate::keys::{self, KeysError};

/// The identity to open every record with, or why records are not opened.
pub enum Opener {
    Identity(age::x25519::Identity),
    /// Why not, and what to do: said after "records not opened: ".
    None(String),
}

/// Unlock the identity for `verify`: never prompting, and never failing only because the
/// identity file is not here (a kiosk whose manager identity was moved off it, as
/// `docs/deploy.md` advises), even with a passphrase in a file or the environment. A wrong
/// passphrase, a damaged identity file, or an `--identity` that names no file are errors.
pub fn opener(data: &Path, args: &IdentityArgs) -> anyhow::Result<Opener> {
    let path = secret::identity_path(data, args);
    if args.identity.is_none() && std::fs::symlink_metadata(&path).is_err() {
        return Ok(Opener::None(format!(
            "no identity file at {} (kept off this machine?); give --identity FILE and its passphrase to open them",
            path.display()
        )));
    }
    if args.identity.is_some() && !path.exists() {
        return Err(KeysError::MissingIdentity(path).into());
    }
    Ok(match secret::unlock(data, args, Prompt::Never)? {
        Some(identity) => Opener::Identity(identity),
        None => Opener::None(format!(
            "no passphrase given; give --passphrase-file FILE or set {} to open them",
            secret::PASSPHRASE_ENV
        )),
    })
}

/// One key file, as checked without a secret.
pub struct KeyFile {
    pub path: PathBuf,
    /// What it is, or what is wrong with it.
    pub said: String,
    /// Whether this is a problem (`verify` exits 1).
    pub problem: bool,
}

/// Check the key files of the store in `data` without any secret: the manager identity (if here)
/// is a passphrase-protected age file, the exit PIN hash (a kiosk's store) is an Argon2id hash,
/// the site signing key (a kiosk's store) is whole and matches its public key line. Their
/// contents only: a key file others can read is among the store's problems
/// ([`crate::store::verify`]). Read as the store reads: never through a link, never a FIFO.
pub fn check(data: &Path, aggregate: bool) -> Vec<KeyFile> {
    let mut out = vec![identity_file(&data.join(keys::IDENTITY_FILE))];
    if !aggregate {
        out.push(pin_file(&data.join(keys::EXIT_PIN_FILE)));
        let path = sign::key_path(data);
        let (said, problem) = match sign::load_any_mode(&RealFs, data) {
            Ok(signer) => (format!("site signing key {}", signer.public()), false),
            Err(e @ SignError::NoSigningKey(_)) => (format!("not here: {e}"), false),
            Err(e) => (without_path(&e.to_string(), &path), true),
        };
        out.push(KeyFile {
            path,
            said,
            problem,
        });
    }
    out
}

fn identity_file(path: &Path) -> KeyFile {
    let (said, problem) = match RealFs.read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (
            "not here (kept off this machine, as docs/deploy.md advises)".to_string(),
            false,
        ),
        Err(e) => (format!("cannot be read: {e}"), true),
        Ok(bytes) if bytes.starts_with(b"age-encryption.org/") => {
            match age::Decryptor::new_buffered(&bytes[..]) {
                Ok(d) if d.is_scrypt() => ("an age file protected by a passphrase".into(), false),
                Ok(_) => ("an age file encrypted to a key, not to a passphrase".into(), true),
                Err(e) => (format!("damaged age header ({e})"), true),
            }
        }
        Ok(bytes) if String::from_utf8_lossy(&bytes).contains("AGE-SECRET-KEY-1") => (
            "holds a secret key protected by no passphrase: anyone who reads it can open every response; move it off this machine, or protect it (`age -p -o manager.age FILE` makes the file `icare` expects)"
                .into(),
            true,
        ),
        Ok(_) => ("not an age identity file".into(), true),
    };
    KeyFile {
        path: path.to_owned(),
        said,
        problem,
    }
}

/// The exit PIN hash file, checked without the PIN.
pub(super) fn pin_file(path: &Path) -> KeyFile {
    let fix =
        "staff cannot leave the kiosk; set a new PIN with `icare pin` and the manager passphrase";
    let (said, problem) = match RealFs.read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (format!("missing: {fix}"), true),
        Err(e) => (format!("cannot be read ({e}): {fix}"), true),
        Ok(bytes) => match PasswordHash::new(String::from_utf8_lossy(&bytes).trim()) {
            Ok(hash) if hash.algorithm.as_str() == "argon2id" => {
                ("an Argon2id hash of the exit PIN".into(), false)
            }
            Ok(hash) => (
                format!("a {} hash, not Argon2id: {fix}", hash.algorithm),
                true,
            ),
            Err(e) => (format!("damaged ({e}): {fix}"), true),
        },
    };
    KeyFile {
        path: path.to_owned(),
        said,
        problem,
    }
}

/// An error message without its leading `PATH: `, for a line that names the path already.
fn without_path(text: &str, path: &Path) -> String {
    let prefix = format!("{}: ", path.display());
    text.strip_prefix(&prefix).unwrap_or(text).to_string()
}
