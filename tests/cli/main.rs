//! Integration tests: the `icare` binary as a user runs it, in temporary folders.

mod pty;
mod util;

mod batches;
mod bulk;
mod kiosk;
mod questionnaires;
mod report;
mod store;
mod survey_check;
mod survey_show;
