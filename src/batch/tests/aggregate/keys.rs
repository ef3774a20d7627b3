//! Each site is itself: a store is bound to the key that first brought it, a key speaks for one
//! store, a site name that has a key gets another only when the commissioner says so, and every
//! change is in the keys log. The first cases are the ones issue 13 found on the earlier version.

use super::*;
use crate::batch::file::Chain;
use crate::batch::keylog::{self, KeyEvent, Keys};
use crate::batch::sign;

/// A site store at `/<dir>` readable by the aggregation store, with `n` responses; its key.
fn site_with(fs: &MemFs, dir: &str, name: &str, agg: &age::x25519::Identity, n: usize) -> String {
    fixture::site(fs, dir, name, false, &[agg.to_public()]);
    fixture::submit(fs, dir, n, name);
    sign::public(fs, Path::new(dir))
        .unwrap()
        .unwrap()
        .to_string()
}

/// The records of `batch` signed again with the key of the store at `signer_dir`, claiming the
/// site name `site`: what a holder of that key can make from another site's batch.
fn resigned(fs: &MemFs, batch: &Path, signer_dir: &str, site: &str, name: &str) -> PathBuf {
    let b = file::check(batch, &fs.read(batch).unwrap()).unwrap();
    let signer = sign::load(fs, Path::new(signer_dir)).unwrap();
    let store_id: [u8; 16] = crate::store::format::unhex(&b.manifest.store_id)
        .unwrap()
        .try_into()
        .unwrap();
    let chain = Chain {
        sequence: 0,
        since_last: false,
        earlier: Vec::new(),
    };
    let bytes = file::build(site, store_id, false, &signer, chain, b.epochs);
    let out = Path::new(OUT).join(name);
    fs.put(&out, bytes);
    out
}

use std::path::PathBuf;

#[test]
fn a_new_key_claiming_a_trusted_site_name_is_refused_until_the_commissioner_replaces_it() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, false);
    let old = site_with(&fs, "/north", "North", &agg, 2);
    let first = fixture::export(&fs, "/north", "north.icb", false);
    import(&fs, &first, true, &agg).unwrap();
    // A new store whose batch also says "North": not added as a second key for North.
    let new = site_with(&fs, "/north2", "North", &agg, 3);
    let second = fixture::export(&fs, "/north2", "north2.icb", false);
    let before = files_under(&fs, AGG);
    let err = import(&fs, &second, true, &agg).unwrap_err();
    let text = err.to_string();
    let fp = keylog::fingerprint(&old);
    assert!(matches!(err, BatchError::SiteHasKey { .. }), "{text}");
    assert!(
        text.contains(&format!(
            "icare trust --replace {fp} {new} --site \"North\""
        )) && text.contains("--add-kiosk")
            && text.contains("nothing was imported"),
        "{text}"
    );
    assert_eq!(files_under(&fs, AGG), before, "nothing changed");
    // `icare trust` without --replace or --add-kiosk is refused the same way.
    let key = sign::SiteKey::parse(&new).unwrap();
    let err = trust(&fs, Path::new(AGG), &key, "North", Trust::New).unwrap_err();
    assert!(matches!(err, BatchError::SiteHasKey { .. }), "{err}");
    let err = trust(
        &fs,
        Path::new(AGG),
        &key,
        "North",
        Trust::Replace("0123456789abcdef"),
    )
    .unwrap_err();
    assert!(matches!(err, BatchError::NoSuchKey { .. }), "{err}");
    // The commissioner replaces the key: the new store's batch comes in, the old key's is refused.
    assert!(trust(&fs, Path::new(AGG), &key, "North", Trust::Replace(&fp)).unwrap());
    assert_eq!(import(&fs, &second, false, &agg).unwrap().added, 3);
    fixture::submit(&fs, "/north", 1, "late");
    let late = fixture::export(&fs, "/north", "late.icb", false);
    let err = import(&fs, &late, true, &agg).unwrap_err();
    assert!(matches!(err, BatchError::KeyReplaced { .. }), "{err}");
    assert!(err.to_string().contains("replaced by"), "{err}");
    // Every change is in the log, in order.
    let keys = Keys::load(&fs, Path::new(AGG)).unwrap();
    let kinds: Vec<&str> = keys
        .events()
        .map(|e| match e {
            KeyEvent::Trusted { .. } => "trusted",
            KeyEvent::Replaced { .. } => "replaced",
            KeyEvent::StoreBound { .. } => "bound",
        })
        .collect();
    assert_eq!(kinds, ["trusted", "bound", "replaced", "bound"]);
    assert_eq!(keys.keys_of("North"), [new.as_str()]);
}

#[test]
fn another_kiosk_of_a_site_is_added_only_explicitly_and_counts_as_the_same_site() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, false);
    site_with(&fs, "/k1", "North", &agg, 2);
    let k2 = site_with(&fs, "/k2", "North", &agg, 3);
    import(
        &fs,
        &fixture::export(&fs, "/k1", "k1.icb", false),
        true,
        &agg,
    )
    .unwrap();
    let b2 = fixture::export(&fs, "/k2", "k2.icb", false);
    assert!(import(&fs, &b2, true, &agg).is_err());
    let key = sign::SiteKey::parse(&k2).unwrap();
    assert!(trust(&fs, Path::new(AGG), &key, "North", Trust::AddKiosk).unwrap());
    assert_eq!(import(&fs, &b2, false, &agg).unwrap().added, 3);
    let got = read(&fs, AGG, &agg);
    assert_eq!(got.len(), 5);
    assert!(got.iter().all(|(site, _)| site == "North"), "{got:?}");
    assert_eq!(
        Keys::load(&fs, Path::new(AGG))
            .unwrap()
            .keys_of("North")
            .len(),
        2
    );
}

/// Issue 13: site C's records, re-signed with site A's key and imported first, were counted under
/// A, and C's own batch then added nothing. Now a key speaks for one store, and a store's records
/// come only under the key that first brought them.
#[test]
fn another_sites_records_re_signed_with_a_trusted_key_are_refused() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, false);
    site_with(&fs, "/a", "A", &agg, 2);
    site_with(&fs, "/c", "C", &agg, 2);
    let a = fixture::export(&fs, "/a", "a.icb", false);
    let c = fixture::export(&fs, "/c", "c.icb", false);
    let forged = resigned(&fs, &c, "/a", "A", "forged.icb");
    // A's own batch first: its key speaks for A's store, and the forgery is refused.
    import(&fs, &a, true, &agg).unwrap();
    let err = import(&fs, &forged, true, &agg).unwrap_err();
    assert!(matches!(err, BatchError::KeyOfAnotherStore { .. }), "{err}");
    assert_eq!(import(&fs, &c, true, &agg).unwrap().added, 2);
    let got = read(&fs, AGG, &agg);
    assert_eq!(got.iter().filter(|(s, _)| s == "C").count(), 2, "{got:?}");

    // The forgery first: it is taken as A's (nothing tells it apart yet), but C's own batch is
    // then refused, loudly, naming the key and site that brought its store first.
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, false);
    site_with(&fs, "/a", "A", &agg, 2);
    site_with(&fs, "/c", "C", &agg, 2);
    let c = fixture::export(&fs, "/c", "c.icb", false);
    let forged = resigned(&fs, &c, "/a", "A", "forged.icb");
    import(&fs, &forged, true, &agg).unwrap();
    let err = import(&fs, &c, true, &agg).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, BatchError::StoreOfAnotherKey(_)), "{text}");
    assert!(
        text.contains("came first signed by the key") && text.contains("(site \"A\")"),
        "{text}"
    );
    // And A's own store cannot come under that key either.
    let a = fixture::export(&fs, "/a", "a.icb", false);
    assert!(matches!(
        import(&fs, &a, false, &agg),
        Err(BatchError::KeyOfAnotherStore { .. })
    ));
}

/// Issue 13: a practice whose store was made for some other key exported a batch, and
/// `import --trust-new-site` added it; every reader of the aggregation store then failed. Now
/// nothing is added, and the message names the practice and the command it should run.
#[test]
fn a_batch_whose_keys_are_not_for_this_store_adds_nothing_and_says_what_to_run() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, false);
    let other = age::x25519::Identity::generate();
    fixture::site(&fs, "/west", "West", false, &[other.to_public()]);
    fixture::submit(&fs, "/west", 2, "w");
    let batch = fixture::export(&fs, "/west", "west.icb", false);
    let before = files_under(&fs, AGG);
    let err = import(&fs, &batch, true, &agg).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, BatchError::NotForUs { .. }), "{text}");
    let key = agg.to_public().to_string();
    assert!(
        text.contains("site \"West\"")
            && text.contains(&format!("icare export --to {key} --out FILE"))
            && text.contains("nothing was imported"),
        "{text}"
    );
    assert_eq!(
        files_under(&fs, AGG),
        before,
        "nothing added, trusted or logged"
    );
    assert!(trusted(&fs, Path::new(AGG)).unwrap().is_empty());
}

/// A store of an earlier version that holds an unreadable site's batch: readers name that site
/// and read every other one.
#[test]
fn readers_name_an_unreadable_site_and_read_the_others() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, false);
    site_with(&fs, "/north", "North", &agg, 3);
    import(
        &fs,
        &fixture::export(&fs, "/north", "n.icb", false),
        true,
        &agg,
    )
    .unwrap();
    let other = age::x25519::Identity::generate();
    fixture::site(&fs, "/west", "West", false, &[other.to_public()]);
    fixture::submit(&fs, "/west", 2, "w");
    fixture::import_unchecked(&fs, AGG, &fixture::export(&fs, "/west", "w.icb", false));
    let mut read_ok = 0;
    let mut errors = Vec::new();
    for r in crate::store::read_all_with(Arc::new(fs.clone()), Path::new(AGG), &agg).unwrap() {
        match r {
            Ok((site, _)) => {
                assert_eq!(site, "North");
                read_ok += 1;
            }
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(read_ok, 3);
    let lines = crate::store::summarize(&errors, &agg);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].place, "site \"West\"");
    assert!(
        lines[0].why.contains("icare export --to age1"),
        "{}",
        lines[0]
    );
    // `verify` with the key: no damage, the site named apart.
    let (report, unread) =
        crate::batch::verify::verify_with(Arc::new(fs.clone()), Path::new(AGG), Some(&agg))
            .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(unread, lines);
}

#[test]
fn a_store_of_an_earlier_version_keeps_its_trust_list_and_binds_its_stores() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, false);
    let key = site_with(&fs, "/north", "North", &agg, 2);
    fixture::import_unchecked(&fs, AGG, &fixture::export(&fs, "/north", "n.icb", false));
    let list = crate::store::format::TRUST
        .json_file(&serde_json::json!({"sites": [{"site": "North", "key": key}]}));
    fs.put(&Path::new(AGG).join(TRUST_FILE), list);
    let keys = Keys::load(&fs, Path::new(AGG)).unwrap();
    assert_eq!(keys.site_of(&key), Some("North"));
    assert!(
        keys.store_of_key(&key).is_some(),
        "bound from its imported file"
    );
    // The first change writes the log and retires the old list.
    fixture::submit(&fs, "/north", 1, "new");
    let r = import(
        &fs,
        &fixture::export(&fs, "/north", "n2.icb", false),
        false,
        &agg,
    )
    .unwrap();
    assert_eq!(r.added, 1);
    assert!(fs.exists(&Path::new(AGG).join(keylog::KEYS_LOG)));
    assert!(!fs.exists(&Path::new(AGG).join(TRUST_FILE)));
    assert_eq!(trusted(&fs, Path::new(AGG)).unwrap().len(), 1);
}
