//! Binary-level tests: the `icare` binary as a user runs it. Every test here starts the real
//! binary (`util::icare`, or `pty::Pty` for the kiosk in a pseudo-terminal) in a temporary folder;
//! some then read what it wrote back through the library (with the manager's identity) to check it.
//!
//! Library-level tests are the crate's own (`cargo test --lib`): beside the code they test, or in
//! `src/tests/` when they span modules (hostile input to every parser, outputs compared with each
//! other), with the store fixture `store::testkit` and the in-memory file system for faults and
//! power cuts. A test that calls the library without running the binary belongs there, not here.

mod pty;
mod util;
// The chi-square test of the store's own order test, run here end to end.
#[path = "../../src/store/tests/chi.rs"]
mod chi;

mod analyst;
mod batches;
mod bulk;
mod commissioner;
mod crash;
mod errors;
mod faults;
mod keycare;
mod keyless;
mod keylock;
mod kiosk;
mod kiosks;
mod memory;
mod order;
mod outputs;
mod pincare;
mod report;
mod speech;
mod store;
mod summary;
mod survey_check;
mod survey_show;
mod vectors;
mod writer;
