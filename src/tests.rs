//! Tests that span modules, so belong to none of them: properties every reader of outside input
//! keeps, and the file formats as the modules that write them use them.

mod formats;
mod hostile;
