//! Keys: the manager's age identity in a passphrase-protected file, recipients, and the staff exit
//! PIN stored as an Argon2id hash.
//!
//! The identity file is a standard age file encrypted to a passphrase (scrypt), holding a standard
//! age identity file, so `age -d keys/manager.age` opens it too.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::{ExposeSecret, SecretString};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use zeroize::Zeroizing;

use crate::fsio::{self, Fs, RealFs};

pub mod lockout;

/// The manager identity file, relative to the data folder.
pub const IDENTITY_FILE: &str = "keys/manager.age";
/// The exit PIN hash, relative to the data folder.
pub const EXIT_PIN_FILE: &str = "keys/exit-pin.phc";
/// The shortest passphrase accepted, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
/// Digits in a new exit PIN. Stores made when 4 were enough keep their PIN; see
/// docs/security.md for what each length costs an attacker who has the hash.
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 6..=12;

/// Why a key operation failed.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    /// The identity file does not exist.
    #[error("{0}: no identity file here; give the right data folder (--data) or identity file")]
    MissingIdentity(PathBuf),
    /// The passphrase does not open the identity file.
    #[error("{0}: wrong passphrase for this identity file")]
    WrongPassphrase(PathBuf),
    /// The identity file is not an age file or not an age identity.
    #[error("{path}: not a usable identity file: {problem}")]
    BadIdentity {
        path: PathBuf,
        #[source]
        problem: KeyFileError,
    },
    /// A recipient is not an `age1...` X25519 public key.
    #[error("{0:?} is not an age X25519 public key (it should start with \"age1\")")]
    BadRecipient(String),
    /// The passphrase is too short.
    #[error("the passphrase must be at least {MIN_PASSPHRASE_CHARS} characters long")]
    ShortPassphrase,
    /// The exit PIN is not 4 to 12 digits.
    #[error("the exit PIN must be 4 to 12 digits")]
    BadPin,
    /// A new exit PIN is not [`PIN_DIGITS`] ASCII digits.
    #[error("the exit PIN must be 6 to 12 digits")]
    NewPinLength,
    /// The exit PIN file does not exist or is not an Argon2id hash.
    #[error(
        "{path}: the exit PIN hash is missing or damaged (set a new PIN with `icare pin` and the manager passphrase): {problem}"
    )]
    BadPinFile {
        path: PathBuf,
        #[source]
        problem: KeyFileError,
    },
    /// Reading or writing a key file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What is wrong with what a key file holds.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// It could not be read.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// age could not open it (other than a wrong passphrase).
    #[error(transparent)]
    Age(#[from] age::DecryptError),
    /// The exit PIN's hash is not a PHC string.
    #[error(transparent)]
    Hash(#[from] argon2::password_hash::Error),
    /// The exit PIN's hash is made with another algorithm.
    #[error("{0} is not argon2id")]
    NotArgon2id(String),
    /// It is not what it should be, in words.
    #[error("{0}")]
    Content(&'static str),
    /// A new identity file did not read back as the identity written to it.
    #[error("did not read back")]
    ReadBack(#[source] Box<KeysError>),
}

/// Parse an `age1...` recipient.
pub fn parse_recipient(text: &str) -> Result<age::x25519::Recipient, KeysError> {
    text.trim()
        .parse()
        .map_err(|_| KeysError::BadRecipient(text.to_string()))
}

/// Check a new passphrase against the minimum length.
pub fn check_passphrase(passphrase: &SecretString) -> Result<(), KeysError> {
    if passphrase.expose_secret().chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(KeysError::ShortPassphrase);
    }
    Ok(())
}

/// Check a new exit PIN as staff choose it (`icare init`, the kiosk's set-up): [`PIN_DIGITS`]
/// ASCII digits.
pub fn check_new_pin(pin: &SecretString) -> Result<(), KeysError> {
    let p = pin.expose_secret();
    if !PIN_DIGITS.contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(KeysError::NewPinLength);
    }
    Ok(())
}

/// Check an exit PIN against the least any store accepts: 4 to 12 ASCII digits, as before new
/// PINs needed [`PIN_DIGITS`] ([`check_new_pin`]).
pub fn check_pin(pin: &SecretString) -> Result<(), KeysError> {
    let p = pin.expose_secret();
    if !(4..=12).contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(KeysError::BadPin);
    }
    Ok(())
}

/// Write a new identity, encrypted to `passphrase`, at `path` (atomically). `work_factor` is the
/// scrypt log2(N); `None` lets age pick about one second of work on this machine.
pub fn write_identity(
    fs: &dyn Fs,
    path: &Path,
    identity: &age::x25519::Identity,
    passphrase: &SecretString,
    work_factor: Option<u8>,
) -> Result<(), KeysError> {
    let io = |source| KeysError::Io {
        path: path.to_owned(),
        source,
    };
    let text = Zeroizing::new(format!(
        "# iCARE manager identity (age X25519). Keep this file and its passphrase safe.\n\
         # public key: {}\n{}\n",
        crate::crypto::public_key(identity),
        crate::crypto::secret_key_text(identity).as_str()
    ));
    let mut recipient = age::scrypt::Recipient::new(passphrase.clone());
    if let Some(n) = work_factor {
        recipient.set_work_factor(n);
    }
    let enc = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
        .map_err(|e| io(std::io::Error::other(e)))?;
    let mut out = Vec::new();
    let mut w = enc.wrap_output(&mut out).map_err(io)?;
    w.write_all(text.as_bytes()).map_err(io)?;
    w.finish().map_err(io)?;
    fsio::write_atomic(fs, path, &out).map_err(io)
}

/// Unlock the manager identity of the store in `data_dir`.
pub fn unlock_identity(
    data_dir: &Path,
    passphrase: &SecretString,
) -> Result<age::x25519::Identity, KeysError> {
    unlock_identity_file(&RealFs, &data_dir.join(IDENTITY_FILE), Some(passphrase))
}

/// Read an identity file: a passphrase-encrypted age file (as `init` writes), or a plain age
/// identity file (`AGE-SECRET-KEY-1...`, as `age-keygen` writes) when it is not encrypted.
pub fn unlock_identity_file(
    fs: &dyn Fs,
    path: &Path,
    passphrase: Option<&SecretString>,
) -> Result<age::x25519::Identity, KeysError> {
    let bytes = fs.read(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            KeysError::MissingIdentity(path.to_owned())
        } else {
            KeysError::Io {
                path: path.to_owned(),
                source,
            }
        }
    })?;
    // A secret: refused if others on this machine may read it.
    fsio::check_private(fs, path).map_err(|source| KeysError::Io {
        path: path.to_owned(),
        source,
    })?;
    let bad = |problem: KeyFileError| KeysError::BadIdentity {
        path: path.to_owned(),
        problem,
    };
    let not = |what| bad(KeyFileError::Content(what));
    let text = if bytes.starts_with(b"age-encryption.org/") {
        let dec = age::Decryptor::new_buffered(&bytes[..]).map_err(|e| bad(e.into()))?;
        if !dec.is_scrypt() {
            return Err(not("encrypted to a key, not to a passphrase"));
        }
        let Some(pass) = passphrase else {
            return Err(KeysError::WrongPassphrase(path.to_owned()));
        };
        let id = age::scrypt::Identity::new(pass.clone());
        let mut r = dec
            .decrypt(std::iter::once(&id as &dyn age::Identity))
            .map_err(|e| match e {
                age::DecryptError::DecryptionFailed
                | age::DecryptError::NoMatchingKeys
                | age::DecryptError::KeyDecryptionFailed => {
                    KeysError::WrongPassphrase(path.to_owned())
                }
                e => bad(e.into()),
            })?;
        let mut out = Zeroizing::new(Vec::new());
        r.read_to_end(&mut out).map_err(|e| bad(e.into()))?;
        Zeroizing::new(String::from_utf8(out.to_vec()).map_err(|_| not("not text"))?)
    } else {
        Zeroizing::new(String::from_utf8(bytes).map_err(|_| not("not an age file"))?)
    };
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .ok_or_else(|| not("no AGE-SECRET-KEY-1 line"))?;
    line.parse::<age::x25519::Identity>().map_err(not)
}

/// Memory (KiB), passes and lanes of the exit PIN's Argon2id: RFC 9106's second recommended
/// setting (64 MiB, 3 passes), on one lane because the kiosk computes lanes one after another.
/// What a guess then costs, measured, is in docs/security.md (`cargo bench --bench pin`).
pub const EXIT_PIN_COST: (u32, u32, u32) = (64 * 1024, 3, 1);

/// The Argon2id parameters new exit PIN hashes are made with ([`EXIT_PIN_COST`]).
pub fn exit_pin_params() -> argon2::Params {
    let (m, t, p) = EXIT_PIN_COST;
    argon2::Params::new(m, t, p, None).unwrap_or_default()
}

fn exit_pin_kdf() -> argon2::Argon2<'static> {
    argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        exit_pin_params(),
    )
}

/// The Argon2id PHC string of an exit PIN: a random salt of its own, and [`EXIT_PIN_COST`].
pub fn hash_exit_pin(pin: &SecretString) -> Result<String, KeysError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    exit_pin_kdf()
        .hash_password(pin.expose_secret().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| KeysError::BadPin)
}

/// Whether `pin` is the store's exit PIN. The hash names its own cost, so hashes made at an
/// earlier [`EXIT_PIN_COST`] still verify.
pub fn verify_exit_pin(data_dir: &Path, pin: &SecretString) -> Result<bool, KeysError> {
    let path = data_dir.join(EXIT_PIN_FILE);
    let bad = |problem: KeyFileError| KeysError::BadPinFile {
        path: path.clone(),
        problem,
    };
    let bytes = RealFs.read(&path).map_err(|e| bad(e.into()))?;
    let text = String::from_utf8_lossy(&bytes);
    let hash = PasswordHash::new(text.trim()).map_err(|e| bad(e.into()))?;
    if hash.algorithm.as_str() != "argon2id" {
        return Err(bad(KeyFileError::NotArgon2id(hash.algorithm.to_string())));
    }
    Ok(argon2::Argon2::default()
        .verify_password(pin.expose_secret().as_bytes(), &hash)
        .is_ok())
}

/// Hash the exit PIN again at [`EXIT_PIN_COST`] when the stored hash was made at a lower cost
/// (a store from before): called with the PIN just verified as right. True when it re-hashed.
pub fn upgrade_exit_pin(data_dir: &Path, pin: &SecretString) -> Result<bool, KeysError> {
    let path = data_dir.join(EXIT_PIN_FILE);
    let io = |source| KeysError::Io {
        path: path.clone(),
        source,
    };
    let text = RealFs.read(&path).map_err(io)?;
    let cheaper = PasswordHash::new(String::from_utf8_lossy(&text).trim())
        .ok()
        .and_then(|h| argon2::Params::try_from(&h).ok())
        .is_some_and(|p| {
            let (m, t, _) = EXIT_PIN_COST;
            p.m_cost() < m || p.t_cost() < t
        });
    if !cheaper {
        return Ok(false);
    }
    let hash = hash_exit_pin(pin)?;
    fsio::write_atomic(&RealFs, &path, hash.as_bytes()).map_err(io)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsio::mem::MemFs;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_string())
    }

    #[test]
    fn identity_file_opens_with_its_passphrase_only() {
        let fs = MemFs::new();
        fs.create_dir_all(Path::new("/d")).unwrap();
        let id = age::x25519::Identity::generate();
        let path = Path::new("/d/manager.age");
        write_identity(&fs, path, &id, &secret("correct horse battery"), Some(4)).unwrap();
        let back = unlock_identity_file(&fs, path, Some(&secret("correct horse battery"))).unwrap();
        assert_eq!(back.to_public().to_string(), id.to_public().to_string());
        let err = unlock_identity_file(&fs, path, Some(&secret("wrong horse battery")))
            .err()
            .unwrap();
        assert!(matches!(err, KeysError::WrongPassphrase(_)), "{err}");
        let err = unlock_identity_file(&fs, Path::new("/d/none.age"), None)
            .err()
            .unwrap();
        assert!(matches!(err, KeysError::MissingIdentity(_)), "{err}");
    }

    #[test]
    fn pin_rules_and_hash() {
        assert!(check_pin(&secret("123")).is_err());
        assert!(check_pin(&secret("2468")).is_ok());
        assert!(matches!(
            check_new_pin(&secret("12345")),
            Err(KeysError::NewPinLength)
        ));
        assert!(check_new_pin(&secret("12a456")).is_err());
        assert!(check_new_pin(&secret("1234567890123")).is_err());
        assert!(check_new_pin(&secret("246813")).is_ok());
        let h = hash_exit_pin(&secret("246813")).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"), "{h}");
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("keys")).unwrap();
        std::fs::write(dir.path().join(EXIT_PIN_FILE), &h).unwrap();
        assert!(verify_exit_pin(dir.path(), &secret("246813")).unwrap());
        assert!(!verify_exit_pin(dir.path(), &secret("246814")).unwrap());
        assert!(!upgrade_exit_pin(dir.path(), &secret("246813")).unwrap());
        // A damaged hash says how to set a new PIN without the old one.
        std::fs::write(dir.path().join(EXIT_PIN_FILE), "damaged\n").unwrap();
        let err = verify_exit_pin(dir.path(), &secret("246813")).unwrap_err();
        assert!(
            matches!(err, KeysError::BadPinFile { .. })
                && err
                    .to_string()
                    .contains("set a new PIN with `icare pin` and the manager passphrase"),
            "{err}"
        );
    }

    #[test]
    fn a_four_digit_pin_from_an_older_store_still_works_and_is_rehashed_at_the_new_cost() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("keys")).unwrap();
        // As stores made before wrote it: the argon2 crate's default cost (19 MiB, 2 passes).
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let old = argon2::Argon2::default()
            .hash_password(b"2468", &salt)
            .unwrap()
            .to_string();
        assert!(old.contains("m=19456,t=2"), "{old}");
        let path = dir.path().join(EXIT_PIN_FILE);
        std::fs::write(&path, &old).unwrap();
        assert!(verify_exit_pin(dir.path(), &secret("2468")).unwrap());
        assert!(upgrade_exit_pin(dir.path(), &secret("2468")).unwrap());
        let new = std::fs::read_to_string(&path).unwrap();
        assert!(new.contains("m=65536,t=3,p=1"), "{new}");
        assert!(verify_exit_pin(dir.path(), &secret("2468")).unwrap());
        assert!(!verify_exit_pin(dir.path(), &secret("2469")).unwrap());
    }
}
