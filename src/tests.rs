//! Tests that span modules, so belong to none of them: every output compared with every other
//! (the differencing attack, and what the rules still leave a small practice), and every parser of
//! outside input under hostile bytes.

mod differencing;
mod hostile;
mod useful;
