//! Integration tests: the `icare` binary as a user runs it, in temporary folders.

mod util;

mod store;
mod survey_show;
