//! The command line: argument definitions and one module per subcommand.

/// `println!` for the commands' output, in every module below: a failed write to standard output
/// is returned as an error (with `?`) where std's `println!` would panic, so that a reader closing
/// the pipe (`icare verify | head -1`) is told apart by its `io::ErrorKind::BrokenPipe`
/// ([`exit::is_closed_stdout`]), not by the text of a panic message.
macro_rules! println {
    () => {
        $crate::cli::exit::print_line(format_args!(""))?
    };
    ($($arg:tt)*) => {
        $crate::cli::exit::print_line(format_args!($($arg)*))?
    };
}

pub mod batches;
pub mod decrypt;
pub mod exit;
pub mod kiosk;
pub mod passwd;
pub mod pin;
pub mod report;
pub mod secret;
pub mod simulate;
pub mod store;
pub mod summary;
pub mod survey;
pub mod verify_keys;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// iCARE kiosk: anonymous, encrypted feedback from people in treatment for opioid dependence.
#[derive(Debug, Parser)]
#[command(name = "icare", version, about, long_about = None, after_help = batches::AFTER_HELP)]
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
    /// Create a response store, the manager identity and the staff exit PIN.
    Init(store::InitArgs),
    /// Check every file of the store; with a passphrase, open every record too.
    Verify(store::VerifyArgs),
    /// Write the de-identified responses for analysts (JSON lines or tidy CSV).
    Decrypt(decrypt::DecryptArgs),
    /// Add synthetic responses to a store made with `init --synthetic`.
    Simulate(simulate::SimulateArgs),
    /// Write the stored records (still encrypted) into one signed batch file.
    Export(batches::ExportArgs),
    /// Check batch files completely and add their new records to an aggregation store.
    Import(batches::ImportArgs),
    /// Trust a site's signing key in an aggregation store.
    Trust(batches::TrustArgs),
    /// Print the site's name, signing key and recipients (or an aggregation store's keys).
    Keys(batches::KeysArgs),
    /// The practice's summary as text, Markdown, CSV, JSON or HTML.
    Report(report::ReportArgs),
    /// Open the practice manager's screen: themes, trends, where to act first, comments.
    Summary(summary::SummaryArgs),
    /// Change the manager passphrase (the old identity file stays until the new one is proven).
    Passwd(passwd::PasswdArgs),
    /// Change the staff exit PIN (with the current PIN or the manager passphrase).
    Pin(pin::PinArgs),
}

/// Run the parsed command line; the returned code is the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Some(Command::Survey(cmd)) => survey::run(cmd),
        Some(Command::Kiosk(args)) => kiosk::run(args, &cli.data),
        Some(Command::Init(args)) => store::init(&cli.data, args),
        Some(Command::Verify(args)) => store::verify(&cli.data, args),
        Some(Command::Decrypt(args)) => decrypt::run(&cli.data, args),
        Some(Command::Simulate(args)) => simulate::run(&cli.data, args),
        Some(Command::Export(args)) => batches::export(&cli.data, args),
        Some(Command::Import(args)) => batches::import(&cli.data, args),
        Some(Command::Trust(args)) => batches::trust(&cli.data, args),
        Some(Command::Keys(args)) => batches::keys(&cli.data, args),
        Some(Command::Report(args)) => report::run(&cli.data, args),
        Some(Command::Summary(args)) => summary::run(&cli.data, args),
        Some(Command::Passwd(args)) => passwd::run(&cli.data, args),
        Some(Command::Pin(args)) => pin::run(&cli.data, args),
        None => kiosk::run(kiosk::KioskArgs::default(), &cli.data),
    }
}
