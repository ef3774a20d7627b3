//! iCARE kiosk: anonymous, encrypted patient-experience surveys for opioid substitution treatment.
#![forbid(unsafe_code)]
// `rust-version` 1.89 (for `File::try_lock`, the store's writer lock) turns on clippy's let-chain
// and `is_multiple_of` suggestions across code other branches are changing at the same time;
// apply them with `cargo clippy --fix` once those branches are merged, then drop this line.
#![allow(clippy::collapsible_if, clippy::manual_is_multiple_of)]

pub mod batch;
pub mod cli;
pub mod crypto;
pub mod disclosure;
pub mod fsio;
pub mod keys;
pub mod kiosk;
pub mod manager;
pub mod priority;
pub mod report;
pub mod response;
pub mod sanitize;
pub mod scoring;
pub mod scrub;
pub mod speech;
pub mod stats;
pub mod store;
pub mod survey;
pub mod synth;
