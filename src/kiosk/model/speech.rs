//! Speech and pasting in the model: when the screen is read aloud, "Hear it again", and pasted
//! text. What is said on each screen is in [`super::spoken`].

use super::spoken;
use super::{Effect, Model, Overlay, Screen};
use crate::kiosk::secret::Secret;
use crate::sanitize::is_unsafe;

/// What a screen is about, as far as speech goes: a new topic is read aloud, the same topic is
/// not read again (choosing an answer or typing changes nothing that is said).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// A screen that is not read aloud: set-up, sending, the staff screens.
    Silent,
    Welcome,
    Language,
    Question(usize),
    Comment,
    Confirm,
    Thanks,
    SaveFailed,
    StillThere,
}

impl Model {
    /// What the screen is about now, in which language.
    pub fn topic(&self) -> (Topic, usize) {
        let topic = match (&self.overlay, &self.screen) {
            (Some(Overlay::StillThere { .. }), _) => Topic::StillThere,
            (Some(_), _) => Topic::Silent,
            (None, Screen::Welcome) => Topic::Welcome,
            (None, Screen::Language) => Topic::Language,
            (None, Screen::Question(n)) => Topic::Question(*n),
            (None, Screen::Comment) => Topic::Comment,
            (None, Screen::Confirm) => Topic::Confirm,
            (None, Screen::Thanks { .. }) => Topic::Thanks,
            (None, Screen::SaveFailed) => Topic::SaveFailed,
            (None, Screen::Setup(_) | Screen::SetupDone(_) | Screen::Sending) => Topic::Silent,
        };
        (topic, self.lang)
    }

    /// After a message: say the new screen when its topic changed (hush for a silent one).
    pub(super) fn speech_after(&self, before: Option<(Topic, usize)>) -> Option<Effect> {
        if !self.speech || before == Some(self.topic()) {
            return None;
        }
        Some(match spoken::utterance(self) {
            Some(u) => Effect::Speak(u),
            None => Effect::Hush,
        })
    }

    /// "Hear it again": the whole screen once more, from the start.
    pub(super) fn hear_again(&self) -> Vec<Effect> {
        spoken::utterance(self)
            .map(Effect::Speak)
            .into_iter()
            .collect()
    }

    /// "Please choose an answer", said when it appears.
    pub(super) fn say_hint(&self, n: usize) -> Vec<Effect> {
        if !self.speech {
            return vec![];
        }
        vec![Effect::Speak(spoken::hint(self, n))]
    }

    /// Pasted text: into the comment (line breaks and tabs become spaces, control characters are
    /// dropped, nothing beyond the limit) or into the set-up field being typed (no line breaks);
    /// ignored everywhere else, so a pasted number or newline never answers or sends anything.
    /// The pasted text is zeroed when dropped.
    pub(super) fn paste(&mut self, text: Secret) -> Vec<Effect> {
        if self.overlay.is_some() {
            return vec![];
        }
        match &mut self.screen {
            Screen::Comment => {
                let max = self
                    .survey
                    .comment
                    .as_ref()
                    .map_or(0, |c| c.max_chars as usize);
                let mut count = self.comment.chars().count();
                for c in text.chars() {
                    if count >= max {
                        break;
                    }
                    let c = if matches!(c, '\n' | '\r' | '\t') {
                        ' '
                    } else {
                        c
                    };
                    // A line break after a space (or another break) adds nothing.
                    if is_unsafe(c) || (c == ' ' && self.comment.ends_with(' ')) {
                        continue;
                    }
                    self.comment.push(c);
                    count += 1;
                }
            }
            Screen::Setup(form) => form.paste(&text),
            _ => {}
        }
        vec![]
    }
}
