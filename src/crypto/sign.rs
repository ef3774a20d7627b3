//! The site's Ed25519 signing key, the one secret the kiosk holds: made at `init`, kept in
//! `keys/site-signing.key` (0600), it signs the store's ledger (so that only the kiosk can add a
//! record that readers accept, see `docs/format.md`) and every exported batch's manifest (see
//! `docs/batches.md`). Its public half travels as `icare-site-ed25519:<64 hex>` and is named in
//! `store.meta`. It never goes into a batch or any other export.

use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{hex, unhex};
use crate::fsio::{self, Fs};

/// The signing key file, relative to the data folder.
pub const SIGNING_KEY_FILE: &str = "keys/site-signing.key";
/// Prefix of a site's public signing key in text form.
pub const SITE_KEY_PREFIX: &str = "icare-site-ed25519:";
/// What a batch signature covers: this context string, then the SHA-256 of the signed bytes.
pub const SIGNATURE_CONTEXT: &[u8] = b"iCARE batch v1 signature\n";
/// What a ledger signature covers: this context string, then the SHA-256 of the signed bytes.
pub const LEDGER_CONTEXT: &[u8] = b"iCARE ledger v1 signature\n";

/// Why a signing key could not be made, read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The key file could not be read or written (or others may read it).
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The store was made before batches existed and has no signing key.
    #[error(
        "{0}: this store has no site signing key (no keys/site-signing.key: it was made before batches existed); create one with `icare keys --create-signing-key`, or start the kiosk once"
    )]
    NoSigningKey(PathBuf),
    /// The signing key file exists but cannot be used.
    #[error("{path}: not a usable site signing key ({reason})")]
    BadSigningKeyFile { path: PathBuf, reason: String },
    /// A signing key was to be created where one exists.
    #[error("{0}: a signing key already exists; refusing to replace it")]
    SigningKeyExists(PathBuf),
    /// A site key given on the command line is not in the `icare-site-ed25519:<64 hex>` form.
    #[error(
        "{0:?} is not a site signing key (expected icare-site-ed25519: and 64 hex digits, as `icare keys` prints)"
    )]
    BadSiteKey(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SignError + use<> {
    let path = path.to_owned();
    move |source| SignError::Io { path, source }
}

/// A site's public signing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteKey(pub VerifyingKey);

impl SiteKey {
    /// Parse `icare-site-ed25519:<64 hex>` (surrounding spaces ignored).
    pub fn parse(text: &str) -> Result<SiteKey, SignError> {
        let bad = || SignError::BadSiteKey(text.to_string());
        let digits = text.trim().strip_prefix(SITE_KEY_PREFIX).ok_or_else(bad)?;
        let bytes: [u8; 32] = unhex(digits)
            .and_then(|v| v.try_into().ok())
            .ok_or_else(bad)?;
        VerifyingKey::from_bytes(&bytes)
            .map(SiteKey)
            .map_err(|_| bad())
    }

    /// Check a batch `signature` over `signed` (see [`message`]); strict: no malleable signatures.
    pub fn verify(&self, signed: &[u8], signature: &[u8; 64]) -> bool {
        self.verify_in(SIGNATURE_CONTEXT, signed, signature)
    }

    /// Check `signature` over `signed` in `context` (see [`message_in`]); strict.
    pub fn verify_in(&self, context: &[u8], signed: &[u8], signature: &[u8; 64]) -> bool {
        self.verify_digest_in(context, &Sha256::digest(signed).into(), signature)
    }

    /// [`SiteKey::verify_in`] given the SHA-256 of the signed bytes, for files read as a stream.
    pub fn verify_digest_in(
        &self,
        context: &[u8],
        digest: &[u8; 32],
        signature: &[u8; 64],
    ) -> bool {
        let sig = Signature::from_bytes(signature);
        self.0
            .verify_strict(&[context, digest].concat(), &sig)
            .is_ok()
    }

    /// The key's short fingerprint: the first 16 of its 64 hex digits, enough to name it among a
    /// commissioner's trusted keys (`icare trust --replace`).
    pub fn fingerprint(&self) -> String {
        hex(&self.0.as_bytes()[..8])
    }
}

impl std::fmt::Display for SiteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{SITE_KEY_PREFIX}{}", hex(self.0.as_bytes()))
    }
}

/// The message a batch signature covers: [`SIGNATURE_CONTEXT`] then SHA-256(`signed`).
pub fn message(signed: &[u8]) -> Vec<u8> {
    message_in(SIGNATURE_CONTEXT, signed)
}

/// The message a signature in `context` covers: `context` then SHA-256(`signed`). Each kind of
/// signed file has its own context, so a signature never counts for another kind.
pub fn message_in(context: &[u8], signed: &[u8]) -> Vec<u8> {
    let mut m = context.to_vec();
    m.extend_from_slice(&Sha256::digest(signed));
    m
}

/// A site's signing key, wiped when dropped.
pub struct SiteSigner(SigningKey);

impl SiteSigner {
    /// A fresh key from the operating system's generator.
    pub fn generate() -> SiteSigner {
        SiteSigner(SigningKey::generate(&mut rand::rngs::OsRng))
    }

    /// The public half.
    pub fn public(&self) -> SiteKey {
        SiteKey(self.0.verifying_key())
    }

    /// Sign a batch: `signed` in [`SIGNATURE_CONTEXT`] (see [`message`]).
    pub fn sign(&self, signed: &[u8]) -> [u8; 64] {
        self.sign_in(SIGNATURE_CONTEXT, signed)
    }

    /// Sign `signed` in `context` (see [`message_in`]).
    pub fn sign_in(&self, context: &[u8], signed: &[u8]) -> [u8; 64] {
        self.sign_digest_in(context, &Sha256::digest(signed).into())
    }

    /// [`SiteSigner::sign_in`] given the SHA-256 of the signed bytes, for files written as a
    /// stream.
    pub fn sign_digest_in(&self, context: &[u8], digest: &[u8; 32]) -> [u8; 64] {
        self.0.sign(&[context, digest].concat()).to_bytes()
    }

    /// The key file's text: two comment lines, the public key, the 64-hex-digit secret seed.
    fn file_text(&self) -> Zeroizing<String> {
        let seed = Zeroizing::new(self.0.to_bytes());
        Zeroizing::new(format!(
            "# iCARE site signing key (Ed25519): signs the batches this store exports.\n\
             # Never copy this file into a batch, a backup that leaves the practice, or a message.\n\
             # public key: {}\n{}\n",
            self.public(),
            hex(seed.as_ref())
        ))
    }
}

/// Path of the signing key in `data_dir`.
pub fn key_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SIGNING_KEY_FILE)
}

/// Make a new signing key and write it (atomically, 0600) into `data_dir`; refuses to replace
/// one.
pub fn create(fs: &dyn Fs, data_dir: &Path) -> Result<SiteKey, SignError> {
    create_signer(fs, data_dir).map(|s| s.public())
}

/// [`create`], returning the key itself.
pub fn create_signer(fs: &dyn Fs, data_dir: &Path) -> Result<SiteSigner, SignError> {
    let path = key_path(data_dir);
    if fs.exists(&path) {
        return Err(SignError::SigningKeyExists(path));
    }
    let dir = fsio::parent(&path);
    fs.create_dir_all(dir).map_err(io(dir))?;
    let signer = SiteSigner::generate();
    fsio::write_atomic(fs, &path, signer.file_text().as_bytes()).map_err(io(&path))?;
    Ok(signer)
}

/// Load the signing key of the store in `data_dir`; refused if others may read the file.
pub fn load(fs: &dyn Fs, data_dir: &Path) -> Result<SiteSigner, SignError> {
    read_key(fs, data_dir, true)
}

/// [`load`] whoever may read the file: for `icare verify`, which checks the key file's contents
/// and reports a file others can read as a problem of its own.
pub fn load_any_mode(fs: &dyn Fs, data_dir: &Path) -> Result<SiteSigner, SignError> {
    read_key(fs, data_dir, false)
}

fn read_key(fs: &dyn Fs, data_dir: &Path, private: bool) -> Result<SiteSigner, SignError> {
    let path = key_path(data_dir);
    let bytes = Zeroizing::new(fs.read(&path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            SignError::NoSigningKey(data_dir.to_owned())
        } else {
            SignError::Io {
                path: path.clone(),
                source,
            }
        }
    })?);
    if private {
        fsio::check_private(fs, &path).map_err(io(&path))?;
    }
    let bad = |reason: &str| SignError::BadSigningKeyFile {
        path: path.clone(),
        reason: reason.to_string(),
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| bad("not text"))?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or_else(|| bad("no key line"))?;
    let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
        unhex(line)
            .and_then(|v| <[u8; 32]>::try_from(Zeroizing::new(v).as_slice()).ok())
            .ok_or_else(|| bad("the key line is not 64 hex digits"))?,
    );
    let signer = SiteSigner(SigningKey::from_bytes(&seed));
    // The comment's public key must be this key's: a mismatch means the file was edited.
    let expected = format!("# public key: {}", signer.public());
    if !text.lines().any(|l| l.trim() == expected) {
        return Err(bad("its public key line does not match the secret key"));
    }
    Ok(signer)
}

/// The public signing key of the store in `data_dir`, if it has one.
pub fn public(fs: &dyn Fs, data_dir: &Path) -> Result<Option<SiteKey>, SignError> {
    match load(fs, data_dir) {
        Ok(s) => Ok(Some(s.public())),
        Err(SignError::NoSigningKey(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsio::mem::MemFs;

    #[test]
    fn key_file_round_trips_and_signatures_verify_for_its_key_only() {
        let fs = MemFs::new();
        let dir = Path::new("/d");
        let public = create(&fs, dir).unwrap();
        assert!(matches!(
            create(&fs, dir),
            Err(SignError::SigningKeyExists(_))
        ));
        let signer = load(&fs, dir).unwrap();
        assert_eq!(signer.public(), public);
        let text = public.to_string();
        assert!(text.starts_with(SITE_KEY_PREFIX) && text.len() == SITE_KEY_PREFIX.len() + 64);
        assert_eq!(SiteKey::parse(&format!(" {text}\n")).unwrap(), public);
        let sig = signer.sign(b"manifest");
        assert!(public.verify(b"manifest", &sig));
        assert!(!public.verify(b"manifesT", &sig));
        assert!(!SiteSigner::generate().public().verify(b"manifest", &sig));
        for bad in [
            "",
            "icare-site-ed25519:",
            "age1abc",
            &text[..text.len() - 1],
        ] {
            assert!(SiteKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_missing_or_edited_key_file_is_reported() {
        let fs = MemFs::new();
        let dir = Path::new("/d");
        assert!(matches!(load(&fs, dir), Err(SignError::NoSigningKey(_))));
        create(&fs, dir).unwrap();
        let path = key_path(dir);
        let text = String::from_utf8(fs.read(&path).unwrap()).unwrap();
        let other = SiteSigner::generate().public().to_string();
        let edited = text
            .lines()
            .map(|l| {
                if l.starts_with("# public key: ") {
                    format!("# public key: {other}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        fs.put(&path, edited.into_bytes());
        let err = load(&fs, dir).err().unwrap();
        assert!(err.to_string().contains("does not match"), "{err}");
    }

    #[test]
    fn a_key_file_others_can_read_is_refused_with_the_fix() {
        let fs = MemFs::new();
        let dir = Path::new("/d");
        create(&fs, dir).unwrap();
        fs.set_mode(&key_path(dir), 0o644);
        let err = load(&fs, dir).err().unwrap().to_string();
        assert!(err.contains("chmod 600 /d/keys/site-signing.key"), "{err}");
        fs.set_mode(&key_path(dir), 0o600);
        assert!(load(&fs, dir).is_ok());
    }

    #[test]
    fn a_signature_counts_only_in_its_own_context() {
        let signer = SiteSigner::generate();
        let sig = signer.sign_in(LEDGER_CONTEXT, b"ledger");
        assert!(signer.public().verify_in(LEDGER_CONTEXT, b"ledger", &sig));
        assert!(
            !signer.public().verify(b"ledger", &sig),
            "a ledger signature is no batch signature"
        );
        assert!(!signer.public().verify_in(LEDGER_CONTEXT, b"ledgeR", &sig));
    }
}
