//! The practice manager's screen (`icare summary`): an Elm-style state machine ([`model`]), pure
//! rendering ([`view`]), key mapping ([`input`]) and the terminal event loop ([`mod@run`]).
//!
//! The screen only ever shows [`Data`]: figures that have passed disclosure control
//! ([`crate::disclosure`]). A change of filter asks the event loop, through [`Effect::Load`], to
//! build new `Data` with whatever loader it was given.

pub mod data;
pub mod input;
pub mod model;
pub mod run;
pub mod view;

pub use data::{Data, Filter};
pub use model::{Effect, Key, Model, Msg, Tab, update};
pub use run::run;
