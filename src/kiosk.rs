//! The patient kiosk: an Elm-style state machine ([`model`]), pure rendering ([`view`]), input
//! mapping ([`input`]) and the terminal event loop ([`mod@run`]) that talks to a [`Backend`].
//!
//! Start it with [`run()`]: give it a survey, a [`Backend`] (the encrypted store, or
//! [`MemoryBackend`] in tests), the data folder for the staff log and the idle timeout.

pub mod backend;
pub mod input;
pub mod model;
pub mod page;
pub mod run;
pub mod secret;
pub mod strings;
pub mod theme;
pub mod view;

use chrono::{Datelike, NaiveDate};

pub use backend::{Backend, MemoryBackend, SetupInfo};
pub use model::{Config, Effect, Model, Msg, update};
pub use run::{RunOptions, run};

use crate::response::Period;

/// The period a response made on `day` is filed under: its ISO 8601 week.
///
/// The store decides the real granularity; this is the kiosk's own rule until it is wired to
/// the store's `Period::of_date`.
pub fn period_of(day: NaiveDate) -> Period {
    let week = day.iso_week();
    Period::Week {
        year: week.year(),
        week: u8::try_from(week.week()).unwrap_or(1),
    }
}

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
