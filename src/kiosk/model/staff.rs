//! The staff exit: F10, the exit PIN (five wrong tries lock it for five minutes: the backend
//! counts, so that a restart does not reset the count), the staff menu, and the "Are you still
//! there?" overlay's buttons.

use std::time::Instant;

use super::{Button, Effect, Key, LOCKOUT, MAX_WRONG_PINS, Model, Overlay};
use crate::keys::lockout::Verdict;
use crate::kiosk::secret::Secret;
use crate::sanitize::{is_unsafe, terminal_safe};

/// Longest PIN that can be typed.
pub const MAX_PIN_CHARS: usize = 32;

/// The lock the backend reported last, so that F10 can show it without asking again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StaffGuard {
    /// The staff menu stays shut until then.
    pub locked_until: Option<Instant>,
}

/// What the PIN screen says under the entry field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PinNote {
    #[default]
    None,
    /// The last PIN was wrong; this many tries are left.
    Wrong { left: u32 },
    /// The PIN could not be checked (the reason went to the staff log).
    CheckFailed,
}

impl Model {
    /// F10: the PIN entry, or the lock notice.
    pub(super) fn open_staff(&mut self, now: Instant) -> Vec<Effect> {
        self.advance_at = None;
        self.focus = None;
        match self.staff.locked_until {
            Some(until) if now < until => {
                self.overlay = Some(Overlay::StaffLocked { until });
                vec![]
            }
            _ => {
                self.staff.locked_until = None;
                self.overlay = Some(Overlay::StaffPin {
                    entry: Secret::with_capacity(MAX_PIN_CHARS * 4),
                    note: PinNote::None,
                });
                vec![]
            }
        }
    }

    pub(super) fn pin_key(&mut self, key: Key) -> Vec<Effect> {
        let Some(Overlay::StaffPin { entry, note }) = &mut self.overlay else {
            return vec![];
        };
        match key {
            Key::Char(c) if !is_unsafe(c) => {
                if entry.chars().count() < MAX_PIN_CHARS {
                    entry.push(c);
                }
                vec![]
            }
            Key::Backspace => {
                entry.pop();
                vec![]
            }
            Key::Enter if !entry.is_empty() => {
                let pin = std::mem::replace(entry, Secret::with_capacity(MAX_PIN_CHARS * 4));
                *note = PinNote::None;
                vec![Effect::CheckPin(pin)]
            }
            Key::Esc | Key::Staff | Key::Left => {
                self.overlay = None;
                vec![]
            }
            _ => vec![],
        }
    }

    /// The backend's verdict on a PIN.
    pub(super) fn pin_checked(
        &mut self,
        result: Result<Verdict, String>,
        now: Instant,
    ) -> Vec<Effect> {
        let Some(Overlay::StaffPin { note, .. }) = &mut self.overlay else {
            return vec![];
        };
        match result {
            Ok(Verdict::Right) => {
                self.staff = StaffGuard::default();
                self.overlay = Some(Overlay::StaffMenu);
                self.focus = None;
                vec![
                    Effect::Log("staff menu opened".to_string()),
                    Effect::CheckSaving,
                ]
            }
            Ok(Verdict::Wrong { left }) => {
                *note = PinNote::Wrong { left };
                let wrong = MAX_WRONG_PINS.saturating_sub(left);
                vec![Effect::Log(format!(
                    "wrong exit PIN ({wrong} of {MAX_WRONG_PINS})"
                ))]
            }
            Ok(Verdict::LockedNow { left } | Verdict::StillLocked { left }) => {
                let until = now + left;
                self.staff.locked_until = Some(until);
                self.overlay = Some(Overlay::StaffLocked { until });
                match result {
                    Ok(Verdict::LockedNow { .. }) => vec![Effect::Log(format!(
                        "wrong exit PIN {MAX_WRONG_PINS} times: staff menu locked for {} minutes",
                        LOCKOUT.as_secs() / 60
                    ))],
                    _ => vec![],
                }
            }
            Err(reason) => {
                *note = PinNote::CheckFailed;
                vec![Effect::Log(format!(
                    "exit PIN check failed: {}",
                    terminal_safe(&reason)
                ))]
            }
        }
    }

    /// A button on an overlay.
    pub(super) fn overlay_press(&mut self, button: Button, _now: Instant) -> Vec<Effect> {
        match (&self.overlay, button) {
            (Some(Overlay::StillThere { .. }), _) => {
                self.overlay = None;
                vec![]
            }
            (Some(Overlay::StaffMenu), Button::StaffQuit) => {
                self.quit = true;
                vec![
                    Effect::Log("kiosk stopped by staff".to_string()),
                    Effect::Quit,
                ]
            }
            (Some(overlay), Button::StaffResume) => {
                // Staff have seen the menu's note of a failed save: it is not shown twice.
                if *overlay == Overlay::StaffMenu {
                    self.save_failed = None;
                }
                self.overlay = None;
                self.focus = None;
                vec![]
            }
            _ => vec![],
        }
    }
}
