//! The patient kiosk: an Elm-style state machine ([`model`]), pure rendering ([`view`]), input
//! mapping ([`input`]) and the terminal event loop ([`mod@run`]) that talks to a [`Backend`].
//!
//! Start it with [`run()`]: give it a survey, a [`Backend`] (the encrypted store,
//! [`StoreBackend`]), the data folder for the staff log and the idle timeout. With
//! speech on, [`model::spoken`] says what each screen reads aloud and [`crate::speech`] reads it.

pub mod backend;
pub mod harden;
pub mod input;
pub mod model;
pub mod page;
pub mod run;
pub mod secret;
pub mod settings;
pub mod store_backend;
pub mod strings;
pub mod tty;
pub mod view;

use chrono::NaiveDate;

pub use backend::{Backend, BackendError, SetupInfo};
pub use model::{Config, Effect, Model, Msg, update};
pub use run::{RunOptions, run};
pub use store_backend::StoreBackend;

use crate::response::{Period, PeriodKind};

/// The period a response made on `day` is filed under in the model: its ISO 8601 week. The store
/// backend files it under the store's own granularity (week or month) when it saves it.
pub fn period_of(day: NaiveDate) -> Period {
    Period::of_date(PeriodKind::Week, day)
}

#[cfg(test)]
mod fault_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_is_the_iso_week_even_across_new_year() {
        let d = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(
            period_of(d),
            Period::Week {
                year: 2026,
                week: 53
            }
        );
        let d = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(
            period_of(d),
            Period::Week {
                year: 2026,
                week: 47
            }
        );
    }
}
