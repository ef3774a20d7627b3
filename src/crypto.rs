//! Sealing records and wrapping group keys: XChaCha20-Poly1305 under a per-group data key, and age
//! X25519 recipients for the key itself; [`sign`] holds the site's Ed25519 signing key.
//!
//! A record is `nonce (24 bytes) || XChaCha20-Poly1305(key, nonce, ad, padded plaintext)`; the
//! padded plaintext is `u32 LE length || plaintext || zero bytes` up to the smallest of
//! [`SIZE_CLASSES`] that fits. See `docs/format.md`.

pub mod sign;

use std::io::{Read, Write};

use age::secrecy::ExposeSecret;
use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore;
use zeroize::{Zeroize, Zeroizing};

/// Length of an XChaCha20-Poly1305 nonce.
pub const NONCE_LEN: usize = 24;
/// Length of the Poly1305 tag.
pub const TAG_LEN: usize = 16;
/// Sizes a padded plaintext can have; the smallest that fits is used.
pub const SIZE_CLASSES: [usize; 4] = [256, 1024, 4096, 16384];

/// Why sealing or opening failed.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The plaintext does not fit the largest size class.
    #[error("a response of {0} bytes is larger than the largest record ({max} bytes)", max = SIZE_CLASSES[3] - 4)]
    TooLarge(usize),
    /// The record failed authentication: altered, truncated, moved from another store, epoch or
    /// survey, or sealed under another key. Deliberately vague.
    #[error("the record does not authenticate (altered, or moved from another store or survey)")]
    DecryptionFailed,
    /// The record's length is not a nonce plus a padded size class plus a tag.
    #[error("the record has an impossible length ({0} bytes)")]
    BadLength(usize),
    /// The authenticated padding is inconsistent (a bug in the writer, never an attacker).
    #[error("the record's padding is malformed")]
    BadPadding,
    /// Wrapping the key to the recipients failed.
    #[error("cannot wrap the group key to the recipients")]
    Wrap(#[source] Box<WrapError>),
    /// No identity given matches any recipient of the epoch header.
    #[error("no matching identity: this key is not one of the recipients of the store")]
    NoMatchingIdentity,
    /// The age-encrypted epoch header is malformed or altered.
    #[error("the epoch key header does not decrypt")]
    Unwrap(#[source] UnwrapError),
}

/// Why age could not encrypt a key to the recipients.
#[derive(Debug, thiserror::Error)]
pub enum WrapError {
    /// age refused the recipients.
    #[error(transparent)]
    Age(#[from] age::EncryptError),
    /// Writing the age file failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Why an age-encrypted key header does not open.
#[derive(Debug, thiserror::Error)]
pub enum UnwrapError {
    /// age could not decrypt it: malformed, altered, or a key it does not know.
    #[error(transparent)]
    Age(#[from] age::DecryptError),
    /// Reading the decrypted stream failed (its last chunk does not authenticate).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// It opened, but what it holds fails a check (named in words).
    #[error("{0}")]
    Check(&'static str),
}

impl From<&'static str> for UnwrapError {
    /// A check that failed on the opened header, in words.
    fn from(what: &'static str) -> UnwrapError {
        UnwrapError::Check(what)
    }
}

/// A 256-bit data key that lives only in memory and is wiped when dropped.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Self {
        let mut k = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(k.as_mut());
        DataKey(k)
    }

    /// A key from its bytes (from an unwrapped epoch header).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        DataKey(Zeroizing::new(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A cipher ready to seal or open many records.
    pub fn cipher(&self) -> Sealer {
        Sealer(XChaCha20Poly1305::new(Key::from_slice(self.0.as_ref())))
    }
}

/// XChaCha20-Poly1305 keyed with an epoch's data key.
pub struct Sealer(XChaCha20Poly1305);

/// The padded length for a plaintext of `len` bytes.
pub fn padded_len(len: usize) -> Result<usize, CryptoError> {
    SIZE_CLASSES
        .iter()
        .copied()
        .find(|&c| c >= len + 4)
        .ok_or(CryptoError::TooLarge(len))
}

impl Sealer {
    /// Seal `plaintext` with associated data `ad`: `nonce || ciphertext || tag` with a random nonce.
    pub fn seal(&self, ad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let padded = padded_len(plaintext.len())?;
        let mut out = Vec::with_capacity(NONCE_LEN + padded + TAG_LEN);
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        out.extend_from_slice(&nonce);
        // Length fits in u32: the largest class is 16 KiB.
        out.extend_from_slice(&(plaintext.len() as u32).to_le_bytes());
        out.extend_from_slice(plaintext);
        out.resize(NONCE_LEN + padded, 0);
        let (n, body) = out.split_at_mut(NONCE_LEN);
        let tag = self
            .0
            .encrypt_in_place_detached(XNonce::from_slice(n), ad, body)
            .map_err(|_| CryptoError::TooLarge(plaintext.len()))?;
        out.extend_from_slice(&tag);
        Ok(out)
    }

    /// Open a sealed record in place into `buf` (reused across calls); returns the plaintext slice.
    pub fn open<'b>(
        &self,
        ad: &[u8],
        record: &[u8],
        buf: &'b mut Vec<u8>,
    ) -> Result<&'b [u8], CryptoError> {
        let body_len = record
            .len()
            .checked_sub(NONCE_LEN + TAG_LEN)
            .filter(|l| SIZE_CLASSES.contains(l))
            .ok_or(CryptoError::BadLength(record.len()))?;
        let (nonce, rest) = record.split_at(NONCE_LEN);
        let (body, tag) = rest.split_at(body_len);
        buf.clear();
        buf.extend_from_slice(body);
        self.0
            .decrypt_in_place_detached(
                XNonce::from_slice(nonce),
                ad,
                buf,
                chacha20poly1305::Tag::from_slice(tag),
            )
            .map_err(|_| CryptoError::DecryptionFailed)?;
        let len = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
        if len > body_len - 4 || buf[4 + len..].iter().any(|&b| b != 0) {
            return Err(CryptoError::BadPadding);
        }
        Ok(&buf[4..4 + len])
    }
}

/// Encrypt `payload` to every recipient as a standard age file (binary, not armored).
pub fn wrap(recipients: &[age::x25519::Recipient], payload: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let enc = age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
        .map_err(|e| CryptoError::Wrap(Box::new(e.into())))?;
    let mut out = Vec::new();
    let mut w = enc
        .wrap_output(&mut out)
        .map_err(|e| CryptoError::Wrap(Box::new(e.into())))?;
    w.write_all(payload)
        .and_then(|_| w.finish().map(|_| ()))
        .map_err(|e| CryptoError::Wrap(Box::new(e.into())))?;
    Ok(out)
}

/// Decrypt an age file made by [`wrap`] with `identity`; the result is wiped when dropped.
pub fn unwrap(
    identity: &age::x25519::Identity,
    age_file: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let dec = age::Decryptor::new_buffered(age_file).map_err(|e| CryptoError::Unwrap(e.into()))?;
    let mut r = dec
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => CryptoError::NoMatchingIdentity,
            e => CryptoError::Unwrap(e.into()),
        })?;
    let mut out = Zeroizing::new(Vec::new());
    r.read_to_end(&mut out)
        .map_err(|e| CryptoError::Unwrap(e.into()))?;
    Ok(out)
}

/// Lower-case hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from lower- or upper-case hex.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The public key of an identity, in `age1...` form.
pub fn public_key(identity: &age::x25519::Identity) -> String {
    identity.to_public().to_string()
}

/// The `AGE-SECRET-KEY-1...` form of an identity, wiped when dropped.
pub fn secret_key_text(identity: &age::x25519::Identity) -> Zeroizing<String> {
    let mut s = identity.to_string().expose_secret().to_string();
    let out = Zeroizing::new(s.clone());
    s.zeroize();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn seal_then_open_round_trips(pt in proptest::collection::vec(any::<u8>(), 0..5000), ad in proptest::collection::vec(any::<u8>(), 0..80)) {
            let key = DataKey::generate();
            let s = key.cipher();
            let sealed = s.seal(&ad, &pt).unwrap();
            prop_assert!(SIZE_CLASSES.contains(&(sealed.len() - NONCE_LEN - TAG_LEN)));
            let mut buf = Vec::new();
            prop_assert_eq!(s.open(&ad, &sealed, &mut buf).unwrap(), &pt[..]);
            let mut other_ad = ad.clone();
            other_ad.push(1);
            prop_assert!(s.open(&other_ad, &sealed, &mut buf).is_err());
        }
    }

    #[test]
    fn lengths_only_reveal_the_size_class() {
        let s = DataKey::generate().cipher();
        let a = s.seal(b"", &[1; 10]).unwrap();
        let b = s.seal(b"", &[1; 200]).unwrap();
        assert_eq!(a.len(), b.len());
        assert!(matches!(
            s.seal(b"", &[0; 20000]),
            Err(CryptoError::TooLarge(_))
        ));
    }

    #[test]
    fn wrapped_key_opens_for_each_recipient_only() {
        let a = age::x25519::Identity::generate();
        let b = age::x25519::Identity::generate();
        let c = age::x25519::Identity::generate();
        let file = wrap(&[a.to_public(), b.to_public()], b"key material").unwrap();
        assert_eq!(&unwrap(&a, &file).unwrap()[..], b"key material");
        assert_eq!(&unwrap(&b, &file).unwrap()[..], b"key material");
        assert!(matches!(
            unwrap(&c, &file),
            Err(CryptoError::NoMatchingIdentity)
        ));
    }

    #[test]
    fn a_key_header_that_does_not_open_keeps_the_reason_as_its_source() {
        let id = age::x25519::Identity::generate();
        let mut file = wrap(&[id.to_public()], b"key material").unwrap();
        let last = file.len() - 1;
        file[last] ^= 1;
        let err = unwrap(&id, &file).unwrap_err();
        let source = std::error::Error::source(&err).expect("the reason is kept");
        assert!(matches!(&err, CryptoError::Unwrap(_)), "{err:?}");
        assert!(!source.to_string().is_empty());
        assert!(!err.to_string().contains(&source.to_string()), "said once");
        let garbage = unwrap(&id, b"not an age file").unwrap_err();
        assert!(
            matches!(&garbage, CryptoError::Unwrap(UnwrapError::Age(_))),
            "{garbage:?}"
        );
    }
}
