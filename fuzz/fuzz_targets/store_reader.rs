//! The store's readers on an arbitrary records file: reading with a key, `verify` and the
//! kiosk's recovery on open never panic.
#![no_main]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use icare::fsio::Fs;
use icare::fsio::mem::MemFs;
use icare::response::PeriodKind;
use icare::store::{QUARANTINE_DIR, RECORDS_DIR, Store, StoreMeta};
use libfuzzer_sys::fuzz_target;

fn identity() -> &'static age::x25519::Identity {
    static ID: OnceLock<age::x25519::Identity> = OnceLock::new();
    ID.get_or_init(age::x25519::Identity::generate)
}

fuzz_target!(|data: &[u8]| {
    let dir = Path::new("/data");
    let fs = MemFs::new();
    for d in [RECORDS_DIR, QUARANTINE_DIR] {
        fs.create_dir_all(&dir.join(d)).unwrap();
    }
    let meta = StoreMeta {
        store_id: [7; 16],
        site: "fuzz".into(),
        synthetic: true,
        period: PeriodKind::Week,
        recipients: vec![identity().to_public()],
    };
    fs.put(&StoreMeta::path(dir), meta.to_bytes());
    fs.put(
        &dir.join(RECORDS_DIR).join("2026-W47-00.icr"),
        data.to_vec(),
    );
    if let Ok(rs) = icare::store::read_responses_with(Arc::new(fs.clone()), dir, identity()) {
        for r in rs {
            let _ = r;
        }
    }
    let _ = icare::store::verify_with(Arc::new(fs.clone()), dir, Some(identity()));
    let _ = Store::open_with(Arc::new(fs), dir);
});
