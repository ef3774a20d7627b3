//! Integration tests: the `icare` binary as a user runs it, in temporary folders.

mod pty;
mod util;
// The chi-square test of the store's own order test, run here end to end.
#[path = "../../src/store/tests/chi.rs"]
mod chi;
#[path = "../../src/store/tests/vector_files.rs"]
mod vector_files;

mod analyst;
mod batch_faults;
mod batches;
mod bulk;
mod commissioner;
mod crash;
mod errors;
mod faults;
mod hostile;
mod keycare;
mod keyless;
mod keylock;
mod kiosk;
mod kiosks;
mod memory;
mod order;
mod outputs;
mod powercut;
mod questionnaires;
mod report;
mod speech;
mod store;
mod summary;
mod survey_check;
mod survey_show;
mod terminal;
mod writer;
