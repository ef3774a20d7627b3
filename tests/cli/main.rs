//! Integration tests: the `icare` binary as a user runs it, in temporary folders.

mod pty;
mod util;
// The chi-square test of the store's own order test, run here end to end.
#[path = "../../src/store/tests/chi.rs"]
mod chi;

mod analyst;
mod batch_faults;
mod batches;
mod bulk;
mod crash;
mod errors;
mod faults;
mod keycare;
mod keyless;
mod keylock;
mod kiosk;
mod memory;
mod order;
mod outputs;
mod pincare;
mod questionnaires;
mod report;
mod speech;
mod store;
mod summary;
mod survey_check;
mod survey_show;
mod vectors;
mod writer;
