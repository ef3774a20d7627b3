//! Aggregation stores: a commissioner's store of batches from many sites. `init --aggregate`
//! makes one (with its own manager identity); `trust` names the site keys it accepts
//! ([`super::keylog`]); `import` checks a batch completely and then adds its new records in one
//! atomic step ([`super::import`]).
//!
//! Layout: `aggregate.meta`, `keys/manager.age`, `keys.log` (trust and key changes),
//! `batches.log` (batches received), `imported/<random>.ici` (one file per imported batch,
//! holding only the records that were new). See `docs/batches.md`.

use std::path::Path;

use age::secrecy::SecretString;

use super::BatchError;
pub use super::import::{ImportOptions, ImportReport, import_with};
pub use super::keylog::{Trust, TrustedSite, trust, trusted};
use crate::crypto;
use crate::fsio::{self, Fs};
use crate::keys;
use crate::store::StoreError;
pub(crate) use crate::store::aggregate::imported_files;
pub use crate::store::aggregate::{
    AGGREGATE_FILE, AggregateMeta, IMPORTED_DIR, Origin, TRUST_FILE, is_aggregate,
};

/// Create an aggregation store in `dir` with a new manager identity protected by `passphrase`.
/// Returns the manager's `age1...` public key.
pub fn init_with(
    fs: &dyn Fs,
    dir: &Path,
    name: &str,
    synthetic: bool,
    passphrase: &SecretString,
    work_factor: Option<u8>,
) -> Result<String, BatchError> {
    let meta_path = dir.join(AGGREGATE_FILE);
    let identity_path = dir.join(keys::IDENTITY_FILE);
    for p in [
        &meta_path,
        &identity_path,
        &dir.join(crate::store::META_FILE),
    ] {
        if fs.exists(p) {
            return Err(StoreError::Exists(p.clone()).into());
        }
    }
    keys::check_passphrase(passphrase)?;
    for d in [IMPORTED_DIR, "keys"] {
        let d = dir.join(d);
        fs.create_dir_all(&d).map_err(BatchError::io(&d))?;
    }
    fs.sync_dir(dir).map_err(BatchError::io(dir))?;
    let identity = age::x25519::Identity::generate();
    keys::write_identity(fs, &identity_path, &identity, passphrase, work_factor)?;
    let mut store_id = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut store_id);
    let meta = AggregateMeta {
        store_id,
        name: name.to_string(),
        synthetic,
        recipients: vec![identity.to_public()],
    };
    // The description goes last: its presence is what makes the folder an aggregation store.
    fsio::write_atomic(fs, &meta_path, &meta.to_bytes()).map_err(BatchError::io(&meta_path))?;
    Ok(crypto::public_key(&identity))
}
