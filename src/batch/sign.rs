//! The site's Ed25519 signing key: made at `init`, kept in `keys/site-signing.key`, used to sign
//! every exported batch's manifest. Its public half travels as `icare-site-ed25519:<64 hex>`.
//!
//! The key is not secret from the kiosk (anyone holding the kiosk's disk can sign as the site),
//! but it never goes into a batch or any other export.

use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::BatchError;
use crate::fsio::{self, Fs};
use crate::store::format::{hex, unhex};

/// The signing key file, relative to the data folder.
pub const SIGNING_KEY_FILE: &str = "keys/site-signing.key";
/// Prefix of a site's public signing key in text form.
pub const SITE_KEY_PREFIX: &str = "icare-site-ed25519:";
/// What is signed: this context string, then the SHA-256 of the signed bytes.
pub const SIGNATURE_CONTEXT: &[u8] = b"iCARE batch v1 signature\n";

/// A site's public signing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteKey(pub VerifyingKey);

impl SiteKey {
    /// Parse `icare-site-ed25519:<64 hex>` (surrounding spaces ignored).
    pub fn parse(text: &str) -> Result<SiteKey, BatchError> {
        let bad = || BatchError::BadSiteKey(text.to_string());
        let digits = text.trim().strip_prefix(SITE_KEY_PREFIX).ok_or_else(bad)?;
        let bytes: [u8; 32] = unhex(digits)
            .and_then(|v| v.try_into().ok())
            .ok_or_else(bad)?;
        VerifyingKey::from_bytes(&bytes)
            .map(SiteKey)
            .map_err(|_| bad())
    }

    /// Check `signature` over `signed` (see [`message`]); strict: no malleable signatures.
    pub fn verify(&self, signed: &[u8], signature: &[u8; 64]) -> bool {
        let sig = Signature::from_bytes(signature);
        self.0.verify_strict(&message(signed), &sig).is_ok()
    }
}

impl std::fmt::Display for SiteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{SITE_KEY_PREFIX}{}", hex(self.0.as_bytes()))
    }
}

/// The message an Ed25519 signature covers: [`SIGNATURE_CONTEXT`] then SHA-256(`signed`).
pub fn message(signed: &[u8]) -> Vec<u8> {
    let mut m = SIGNATURE_CONTEXT.to_vec();
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

    /// Sign `signed` (see [`message`]).
    pub fn sign(&self, signed: &[u8]) -> [u8; 64] {
        self.0.sign(&message(signed)).to_bytes()
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

/// Make a new signing key and write it (atomically) into `data_dir`; refuses to replace one.
pub fn create(fs: &dyn Fs, data_dir: &Path) -> Result<SiteKey, BatchError> {
    let path = key_path(data_dir);
    if fs.exists(&path) {
        return Err(BatchError::SigningKeyExists(path));
    }
    let dir = fsio::parent(&path);
    fs.create_dir_all(dir).map_err(BatchError::io(dir))?;
    let signer = SiteSigner::generate();
    fsio::write_atomic(fs, &path, signer.file_text().as_bytes()).map_err(BatchError::io(&path))?;
    Ok(signer.public())
}

/// Load the signing key of the store in `data_dir`.
pub fn load(fs: &dyn Fs, data_dir: &Path) -> Result<SiteSigner, BatchError> {
    let path = key_path(data_dir);
    let bytes = Zeroizing::new(fs.read(&path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            BatchError::NoSigningKey(data_dir.to_owned())
        } else {
            BatchError::Io {
                path: path.clone(),
                source,
            }
        }
    })?);
    let bad = |reason: &str| BatchError::BadSigningKeyFile {
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
pub fn public(fs: &dyn Fs, data_dir: &Path) -> Result<Option<SiteKey>, BatchError> {
    match load(fs, data_dir) {
        Ok(s) => Ok(Some(s.public())),
        Err(BatchError::NoSigningKey(_)) => Ok(None),
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
            Err(BatchError::SigningKeyExists(_))
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
        assert!(matches!(load(&fs, dir), Err(BatchError::NoSigningKey(_))));
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
}
