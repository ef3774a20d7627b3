//! The command line: argument definitions and one module per subcommand.

pub mod kiosk;
pub mod survey;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// iCARE kiosk: anonymous, encrypted feedback from people in treatment for opioid dependence.
#[derive(Debug, Parser)]
#[command(name = "icare", version, about, long_about = None)]
pub struct Cli {
    /// Folder that holds the response store and its keys.
    #[arg(
        long,
        global = true,
        env = "ICARE_DATA",
        default_value = "./icare-data",
        value_name = "DIR"
    )]
    pub data: PathBuf,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check, show and inspect survey files.
    #[command(subcommand)]
    Survey(survey::SurveyCommand),
    /// Run the patient kiosk full screen (what `icare` runs with no subcommand).
    Kiosk(kiosk::KioskArgs),
}

/// Run the parsed command line; the returned code is the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Some(Command::Survey(cmd)) => survey::run(cmd),
        Some(Command::Kiosk(args)) => kiosk::run(args, &cli.data),
        None => kiosk::run(kiosk::KioskArgs::default(), &cli.data),
    }
}
