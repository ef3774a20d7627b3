//! iCARE kiosk: anonymous, encrypted patient-experience surveys for opioid substitution treatment.
#![forbid(unsafe_code)]

pub mod batch;
pub mod cli;
pub mod crypto;
pub mod disclosure;
pub mod errors;
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
pub mod tui;

#[cfg(test)]
mod tests;
