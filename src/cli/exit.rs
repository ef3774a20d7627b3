//! What the binary prints when a command fails: the error and its causes, each said once; and
//! how it tells a closed standard output from a failure.

use std::io::Write;

/// Exit status of a reader (`report`, `summary`, `decrypt`, `verify`) that did its work but
/// could not read some of the data: each site or file left out is named on standard error.
pub const SOME_UNREADABLE: i32 = 3;

/// The exit statuses of the readers, for their `--help`.
pub const READER_EXIT_HELP: &str = "Exit status: 0 when everything was read; 3 when the command did its work but some data could not be read (each site or file left out is named on standard error: a site whose batches are not encrypted for this key, a damaged file, a file the ledger does not vouch for); 2 on an error (nothing was done).";

/// `err` and its chain of causes, each said once ([`crate::errors::message`]).
pub fn error_message(err: &anyhow::Error) -> String {
    crate::errors::message(err.as_ref())
}

/// Standard output could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write to standard output")]
pub struct StdoutError(#[source] pub std::io::Error);

/// One line of a command's output on standard output (what the commands' `println!` does).
pub fn print_line(args: std::fmt::Arguments<'_>) -> Result<(), StdoutError> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .map_err(StdoutError)
}

/// Whether `err` is standard output closed by its reader (`icare verify | head -1`): the
/// reader's choice, not a failure, so the binary exits 0 quietly, as ripgrep does.
pub fn is_closed_stdout(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<StdoutError>()
            .is_some_and(|e| e.0.kind() == std::io::ErrorKind::BrokenPipe)
    })
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
        let closed = || std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let err = anyhow::Error::new(StdoutError(closed())).context("verify");
        assert!(is_closed_stdout(&err));
        // A full disk behind standard output is a failure; so is a closed pipe to anything else.
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert!(!is_closed_stdout(&anyhow::Error::new(StdoutError(full))));
        assert!(!is_closed_stdout(&anyhow::Error::new(closed())));
    }

    #[test]
    fn causes_not_in_the_message_are_all_kept() {
        let err = anyhow::anyhow!("inner").context("middle").context("outer");
        assert_eq!(error_message(&err), "outer: middle: inner");
    }
}
