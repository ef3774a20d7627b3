//! Saying an error with its causes, each once: what the binary prints when a command fails and
//! what the kiosk writes in its staff log when the store fails.

use std::error::Error;

/// `err` and its chain of causes joined with `: `, leaving out a cause whose text the message
/// already ends with (error types that put their source in their own message, as
/// `"{path}: {source}"` does, would otherwise say it twice).
pub fn message(err: &(dyn Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !message.ends_with(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = c.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("store.meta: {source}")]
    struct Inner {
        source: std::io::Error,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("cannot open the store")]
    struct Outer {
        #[source]
        source: Inner,
    }

    #[test]
    fn a_cause_already_in_the_message_is_said_once_and_the_others_all_are() {
        let err = Outer {
            source: Inner {
                source: std::io::Error::other("disk on fire"),
            },
        };
        assert_eq!(
            message(&err),
            "cannot open the store: store.meta: disk on fire"
        );
    }
}
