//! What the kiosk and the practice manager's screen share, and only that: the colours and styles
//! ([`theme`]), text measured and wrapped in terminal cells and the smallest screen both are drawn
//! for ([`layout`], with the screen shown below it), and the guard that sets a terminal up and
//! always puts it back ([`terminal`]). Each screen's own model, pages and input stay in
//! [`crate::kiosk`] and [`crate::manager`].

pub mod layout;
pub mod terminal;
pub mod theme;

pub use theme::Theme;
