//! The registry of file formats (`store::format`) and the modules that still declare their own
//! copies of a magic or a frame kind (the batch files and the aggregation store): the same
//! numbers, until those modules take them from the registry.

use crate::batch::{export, file};
use crate::store::{aggregate, format};

#[test]
fn the_batch_and_aggregation_files_use_the_registered_magics_and_kinds() {
    assert_eq!(file::MAGIC_BATCH, format::MAGIC_BATCH);
    assert_eq!(file::KIND_MANIFEST, format::KIND_MANIFEST);
    assert_eq!(file::KIND_SIGNATURE, format::KIND_SIGNATURE);
    assert_eq!(export::chain::MAGIC_WATERMARK, format::MAGIC_WATERMARK);
    assert_eq!(export::chain::KIND_WATERMARK, format::KIND_WATERMARK);
    assert_eq!(aggregate::MAGIC_AGGREGATE, format::MAGIC_AGGREGATE);
    assert_eq!(aggregate::MAGIC_TRUST, format::MAGIC_TRUST);
    assert_eq!(aggregate::MAGIC_IMPORTED, format::MAGIC_IMPORTED);
    assert_eq!(aggregate::KIND_AGGREGATE, format::KIND_AGGREGATE);
    assert_eq!(aggregate::KIND_TRUST, format::KIND_TRUST);
    assert_eq!(aggregate::KIND_ORIGIN, format::KIND_ORIGIN);
}
