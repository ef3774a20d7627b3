//! iCARE kiosk: anonymous, encrypted patient-experience surveys for opioid substitution treatment.
#![forbid(unsafe_code)]

pub mod cli;
pub mod disclosure;
pub mod priority;
pub mod response;
pub mod scoring;
pub mod stats;
pub mod survey;
pub mod synth;
