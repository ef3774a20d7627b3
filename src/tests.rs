//! Tests that span modules, so belong to none of them: every output compared with every other
//! (the differencing attack, and what the rules still leave a small practice), every parser of
//! outside input under hostile bytes, and the report's account of the batches an aggregation
//! store received.

mod differencing;
mod hostile;
mod intake;
mod useful;
