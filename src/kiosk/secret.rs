//! Typed text that must not leak: zeroed when dropped and never shown by `Debug`.

use std::fmt;
use std::ops::{Deref, DerefMut};

use zeroize::Zeroizing;

/// A comment, PIN or passphrase being typed or passed on.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// An empty secret with room for `bytes`, so typing into it does not reallocate (a
    /// reallocation would leave a copy behind in freed memory).
    pub fn with_capacity(bytes: usize) -> Secret {
        Secret(Zeroizing::new(String::with_capacity(bytes)))
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret(Zeroizing::new(s.to_string()))
    }
}

impl Deref for Secret {
    type Target = String;
    fn deref(&self) -> &String {
        &self.0
    }
}

impl DerefMut for Secret {
    fn deref_mut(&mut self) -> &mut String {
        &mut self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} chars)", self.0.chars().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_text() {
        let s = Secret::from("1234 my name");
        assert_eq!(format!("{s:?}"), "Secret(12 chars)");
    }
}
