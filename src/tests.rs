//! Tests that span modules, so belong to none of them: every output compared with every other
//! (the differencing attack, and what the rules still leave a small practice), every parser of
//! outside input under hostile bytes, and the file formats as the modules that write them use
//! them.

mod differencing;
mod formats;
mod hostile;
mod useful;
