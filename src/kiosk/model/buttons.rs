//! What a patient can press: keys (already stripped of what the kiosk ignores), the buttons on
//! screen, and the answer choices of a scale in the order their numbers go.

use crate::response::Answer;
use crate::survey::Scale;
use crate::survey::direction::display_order;

/// A key, already stripped of anything the kiosk ignores (Ctrl combinations, releases).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Left,
    Right,
    Up,
    Down,
    Tab,
    BackTab,
    Backspace,
    Esc,
    /// The staff key (F10).
    Staff,
    /// Any other key: counts as "any key", does nothing else.
    Other,
}

/// Something on screen that can be tapped or focused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Button {
    Start,
    Language(usize),
    /// The n-th answer choice of the current question.
    Choice(usize),
    Back,
    Next,
    Done,
    Send,
    GoBack,
    TryAgain,
    Finish,
    StillHere,
    StaffResume,
    StaffQuit,
    Continue,
    /// Read the screen aloud again (key 0); shown only when speech is on.
    HearAgain,
}

/// An answer choice on a question screen, numbered from 1 in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Value(i32),
    NotApplicable,
    Skip,
}

impl Choice {
    /// The answer this choice records.
    pub fn answer(self) -> Answer {
        match self {
            Choice::Value(v) => Answer::Value(v),
            Choice::NotApplicable => Answer::NotApplicable,
            Choice::Skip => Answer::Skipped,
        }
    }
}

/// The choices a scale offers, numbered from 1 in this order: its points with the good end on the
/// highest number (so a key means the same on every scale; see
/// [`display_order`]), then "Does not apply", then
/// "Skip this question".
pub fn choices(scale: &Scale) -> Vec<Choice> {
    let mut out: Vec<Choice> = display_order(scale)
        .into_iter()
        .map(|p| Choice::Value(p.value))
        .collect();
    if scale.not_applicable {
        out.push(Choice::NotApplicable);
    }
    if scale.skip {
        out.push(Choice::Skip);
    }
    out
}
