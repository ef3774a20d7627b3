//! The `icare` binary: parse the command line, dispatch, and turn errors into exit codes.
#![deny(unsafe_code)]

use clap::Parser;

#[cfg(not(icare_plain_alloc))]
mod zero_on_free;

/// Freed memory is wiped, so no copy of a patient's words outlives its buffer (see the module).
#[cfg(not(icare_plain_alloc))]
#[global_allocator]
static ALLOC: zero_on_free::ZeroOnFree = zero_on_free::ZeroOnFree;

fn main() {
    let cli = icare::cli::Cli::parse();
    let code = match icare::cli::run(cli) {
        Ok(code) => code,
        // A reader that closed standard output (`icare verify | head -1`) chose to stop reading.
        Err(err) if icare::cli::exit::is_closed_stdout(&err) => 0,
        Err(err) => {
            eprintln!("icare: {}", icare::cli::exit::error_message(&err));
            2
        }
    };
    std::process::exit(code);
}
