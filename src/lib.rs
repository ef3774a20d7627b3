//! iCARE kiosk: anonymous, encrypted patient-experience surveys for opioid substitution treatment.
#![forbid(unsafe_code)]

pub mod cli;
pub mod crypto;
pub mod fsio;
pub mod keys;
pub mod response;
pub mod scrub;
pub mod store;
pub mod survey;
