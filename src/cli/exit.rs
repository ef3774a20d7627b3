//! What the binary prints when a command fails: the error and its causes, each said once; and
//! how it tells a closed standard output from a crash.

use std::any::Any;

/// Exit status of a reader (`report`, `summary`, `decrypt`, `verify`) that did its work but
/// could not read some of the data: each site or file left out is named on standard error.
pub const SOME_UNREADABLE: i32 = 3;

/// The exit statuses of the readers, for their `--help`.
pub const READER_EXIT_HELP: &str = "Exit status: 0 when everything was read; 3 when the command did its work but some data could not be read (each site or file left out is named on standard error: a site whose batches are not encrypted for this key, a damaged file, a file the ledger does not vouch for); 2 on an error (nothing was done).";

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
