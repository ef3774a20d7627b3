//! Import's second pass proves it read the bytes its first pass checked.

use std::path::Path;

use crate::batch::BatchError;
use crate::batch::file;
use crate::batch::import::*;
use crate::batch::tests::fixture;
use crate::fsio::Fs;
use crate::fsio::mem::MemFs;
use crate::store::aggregate::Origin;

/// The second pass proves it read the bytes the first pass checked: another batch (or the
/// same one changed) in its place between the two passes writes nothing.
#[test]
fn a_batch_that_changes_between_the_check_and_the_copy_adds_nothing() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, "/agg", false);
    fixture::site(&fs, "/north", "North", false, &[agg.to_public()]);
    fixture::submit(&fs, "/north", 3, "n");
    let first = fixture::export(&fs, "/north", "first.icb", false);
    let second = fixture::export(&fs, "/north", "second.icb", false);
    let bytes = fs.read(&first).unwrap();
    let checked = file::check_reader(&first, bytes.as_slice(), &mut ()).unwrap();
    let origin = Origin {
        site: "North".into(),
        signing_key: checked.manifest.signing_key.clone(),
        batch_id: checked.manifest.batch_id.clone(),
        store_id: checked.manifest.store_id.clone(),
    };
    let take = vec![true; checked.records.len()];
    let tmp = Path::new("/agg/imported/.x.ici.tmp-0");
    // The same bytes: copied.
    copy(&fs, tmp, &origin, &checked, &take, bytes.as_slice(), &first).unwrap();
    fs.remove_file(tmp).unwrap();
    // Other bytes (an export of the same records, shuffled anew): refused.
    let other = fs.read(&second).unwrap();
    let err = copy(&fs, tmp, &origin, &checked, &take, other.as_slice(), &first).unwrap_err();
    assert!(matches!(err, BatchError::Changed(_)), "{err}");
    let mut cut = bytes.clone();
    cut.truncate(bytes.len() - 10);
    let err = copy(
        &fs,
        Path::new("/agg/imported/.y.ici.tmp-0"),
        &origin,
        &checked,
        &take,
        cut.as_slice(),
        &first,
    )
    .unwrap_err();
    assert!(matches!(err, BatchError::Changed(_)), "{err}");
}
