//! iCARE kiosk: anonymous, encrypted patient-experience surveys for opioid substitution treatment.
#![forbid(unsafe_code)]

pub mod cli;
pub mod kiosk;
pub mod response;
pub mod sanitize;
pub mod scrub;
pub mod survey;
