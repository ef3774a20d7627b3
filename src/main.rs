//! The `icare` binary: parse the command line, dispatch, and turn errors into exit codes.

use clap::Parser;

fn main() {
    let cli = icare::cli::Cli::parse();
    let code = match icare::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("icare: {}", icare::cli::report::error_message(&err));
            2
        }
    };
    std::process::exit(code);
}
