//! The store's readers on an arbitrary records file: reading with a key, `verify` and the
//! kiosk's recovery on open never panic. The bytes go in twice: as a version-1 file of a store
//! with no ledger, and as a period's file that the store's signed ledger vouches for (so the
//! version-2 parser sees them).
#![no_main]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use icare::fsio::Fs;
use icare::fsio::mem::MemFs;
use icare::response::PeriodKind;
use icare::store::ledger::{self, Ledger};
use icare::store::{QUARANTINE_DIR, RECORDS_DIR, Store, StoreMeta};
use libfuzzer_sys::fuzz_target;

fn identity() -> &'static age::x25519::Identity {
    static ID: OnceLock<age::x25519::Identity> = OnceLock::new();
    ID.get_or_init(age::x25519::Identity::generate)
}

fn read_verify_open(fs: &MemFs, dir: &Path) {
    if let Ok(rs) = icare::store::read_responses_with(Arc::new(fs.clone()), dir, identity()) {
        for r in rs {
            let _ = r;
        }
    }
    let _ = icare::store::verify_with(Arc::new(fs.clone()), dir, Some(identity()));
    let _ = Store::open_with(Arc::new(fs.clone()), dir);
}

fuzz_target!(|data: &[u8]| {
    let dir = Path::new("/data");
    for signed in [false, true] {
        let fs = MemFs::new();
        for d in [RECORDS_DIR, QUARANTINE_DIR] {
            fs.create_dir_all(&dir.join(d)).unwrap();
        }
        let mut meta = StoreMeta {
            store_id: [7; 16],
            site: "fuzz".into(),
            synthetic: true,
            period: PeriodKind::Week,
            recipients: vec![identity().to_public()],
            signing_key: None,
        };
        if signed {
            let signer = icare::crypto::sign::create_signer(&fs, dir).unwrap();
            meta.signing_key = Some(signer.public());
            let meta_bytes = meta.to_bytes();
            let mut l = Ledger::new(&meta, &meta_bytes);
            l.set("2026-W47.icr", 1, data);
            fs.put(&ledger::path(dir), l.to_bytes(&signer));
            fs.put(&StoreMeta::path(dir), meta_bytes);
            fs.put(&dir.join(RECORDS_DIR).join("2026-W47.icr"), data.to_vec());
        } else {
            fs.put(&StoreMeta::path(dir), meta.to_bytes());
            fs.put(&dir.join(RECORDS_DIR).join("2026-W47-00.icr"), data.to_vec());
        }
        read_verify_open(&fs, dir);
    }
});
