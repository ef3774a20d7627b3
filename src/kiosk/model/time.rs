//! Time in the kiosk: idle warnings, countdowns, the confirm tick and the deadlines the event
//! loop sleeps until.

use std::time::{Duration, Instant};

use super::{Effect, Model, Overlay, STILL_THERE_FOR, Screen, THANKS_FOR, is_patient_screen};

impl Model {
    /// When the loop must send the next [`Msg::Tick`](super::Msg::Tick) even without input.
    pub fn next_deadline(&self) -> Option<Instant> {
        let second = |since: Instant| {
            let passed = self.now.saturating_duration_since(since).as_secs() + 1;
            since + Duration::from_secs(passed)
        };
        match &self.overlay {
            Some(Overlay::StillThere { since }) => return Some(second(*since)),
            Some(Overlay::StaffLocked { until }) => {
                return Some((*until).min(self.last_input + self.idle_timeout));
            }
            Some(_) => return Some(self.last_input + self.idle_timeout),
            None => {}
        }
        match &self.screen {
            Screen::Thanks { since } => Some(*since + THANKS_FOR),
            Screen::Question(_) if self.advance_at.is_some() => self.advance_at,
            s if is_patient_screen(s) => Some(self.last_input + self.idle_timeout),
            _ => None,
        }
    }
}

impl Model {
    pub(super) fn tick(&mut self, now: Instant) -> Vec<Effect> {
        match &self.overlay {
            Some(Overlay::StillThere { since }) => {
                if now.saturating_duration_since(*since) >= STILL_THERE_FOR {
                    // Not logged, for the same reason a saved response is not: no dated trace of
                    // when someone was at the kiosk.
                    return self.wipe();
                }
                return vec![];
            }
            Some(Overlay::StaffLocked { until }) if now >= *until => {
                self.overlay = None;
                return vec![];
            }
            Some(_) => {
                if now.saturating_duration_since(self.last_input) >= self.idle_timeout {
                    return self.wipe();
                }
                return vec![];
            }
            None => {}
        }
        match self.screen {
            Screen::Thanks { since } if now.saturating_duration_since(since) >= THANKS_FOR => {
                self.wipe()
            }
            Screen::Question(n) if self.advance_at.is_some_and(|t| now >= t) => {
                self.advance_at = None;
                self.forward(n)
            }
            ref s
                if is_patient_screen(s)
                    && now.saturating_duration_since(self.last_input) >= self.idle_timeout =>
            {
                self.advance_at = None;
                self.overlay = Some(Overlay::StillThere { since: now });
                vec![]
            }
            _ => vec![],
        }
    }
}
