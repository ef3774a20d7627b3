//! What the binary prints when a command fails: the error and its causes, each said once; and
//! how it tells a closed standard output from a crash.

use std::any::Any;

/// `err` and its chain of causes, each said once ([`crate::errors::message`]).
pub fn error_message(err: &anyhow::Error) -> String {
    crate::errors::message(err.as_ref())
}

/// Whether a panic is `println!` finding standard output closed (`icare verify | head -1`):
/// the reader's choice, not a failure, so the binary exits 0 quietly, as ripgrep does.
pub fn is_broken_pipe(payload: &(dyn Any + Send)) -> bool {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    text.starts_with("failed printing to stdout") && text.contains("Broken pipe")
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
    fn only_a_closed_standard_output_counts_as_a_broken_pipe() {
        let closed: String = "failed printing to stdout: Broken pipe (os error 32)".to_string();
        assert!(is_broken_pipe(&closed));
        assert!(!is_broken_pipe(&"index out of bounds"));
        assert!(!is_broken_pipe(&42u8));
    }

    #[test]
    fn causes_not_in_the_message_are_all_kept() {
        let err = anyhow::anyhow!("inner").context("middle").context("outer");
        assert_eq!(error_message(&err), "outer: middle: inner");
    }
}
