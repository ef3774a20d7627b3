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
    // `println!` panics when the reader of standard output has gone; that is not a crash.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !icare::cli::exit::is_broken_pipe(info.payload()) {
            previous(info);
        }
    }));
    let code = match std::panic::catch_unwind(|| icare::cli::run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => {
            eprintln!("icare: {}", icare::cli::exit::error_message(&err));
            2
        }
        Err(panic) if icare::cli::exit::is_broken_pipe(panic.as_ref()) => 0,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    std::process::exit(code);
}
