//! The one-line error message the binary prints: the error and its causes, each said once.

/// `err` and its chain of causes joined with `: `, leaving out a cause whose text the message
/// already ends with (error types that put their source in their own message, as
/// `"{path}: {source}"` does, would otherwise print it twice).
pub fn error_message(err: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if message.is_empty() {
            message = text;
        } else if !message.ends_with(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("store.meta: {source}")]
    struct Outer {
        source: std::io::Error,
    }

    #[test]
    fn a_cause_already_in_the_message_is_said_once() {
        let err = anyhow::Error::new(Outer {
            source: std::io::Error::other("disk on fire"),
        })
        .context("cannot open the store");
        assert_eq!(
            error_message(&err),
            "cannot open the store: store.meta: disk on fire"
        );
    }

    #[test]
    fn causes_not_in_the_message_are_all_kept() {
        let err = anyhow::anyhow!("inner").context("middle").context("outer");
        assert_eq!(error_message(&err), "outer: middle: inner");
    }
}
