//! `icare init` and `icare verify`: create a store with its keys, and check one.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::secret::{self, IdentityArgs, Prompt};
use crate::keys;
use crate::response::PeriodKind;
use crate::store::{self, InitOptions};

/// Period granularity as a command-line value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    /// ISO weeks (2026-W47).
    Week,
    /// Calendar months (2026-11).
    Month,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The practice's name, shown in reports.
    #[arg(long, value_name = "NAME", default_value = "")]
    pub site: String,
    /// Another age X25519 public key (age1...) that can decrypt every response on its own, such
    /// as a commissioner's or a research team's. Repeat for several.
    #[arg(long = "recipient", value_name = "AGE_PUBLIC_KEY")]
    pub recipients: Vec<String>,
    /// A store for demo data only (`icare simulate` writes only to such stores).
    #[arg(long)]
    pub synthetic: bool,
    /// An aggregation store for batches from many sites (`icare import`), not a kiosk's store.
    /// With --synthetic it takes synthetic batches only. --site names its owner.
    #[arg(long, conflicts_with_all = ["recipients", "exit_pin_file"])]
    pub aggregate: bool,
    /// How finely responses are dated.
    #[arg(long, value_enum, default_value = "week")]
    pub period: PeriodArg,
    #[arg(long, value_name = "FILE")]
    /// Read the new manager passphrase from the first line of FILE (else ICARE_PASSPHRASE, else
    /// a prompt, asked twice).
    pub passphrase_file: Option<PathBuf>,
    /// Read the staff exit PIN from the first line of FILE (else ICARE_EXIT_PIN, else a prompt).
    #[arg(long, value_name = "FILE")]
    pub exit_pin_file: Option<PathBuf>,
    /// scrypt work factor (log2 N) of the identity file; for tests only.
    #[arg(long, hide = true, value_name = "LOG_N")]
    pub kdf_work_factor: Option<u8>,
}

pub fn init(data: &Path, args: InitArgs) -> anyhow::Result<i32> {
    if args.aggregate {
        return super::batches::init_aggregate(
            data,
            &args.site,
            args.synthetic,
            args.passphrase_file.as_deref(),
            args.kdf_work_factor,
        );
    }
    // Refuse before asking for any secret.
    for p in [data.join(store::META_FILE), data.join(keys::IDENTITY_FILE)] {
        if p.exists() {
            return Err(store::StoreError::Exists(p).into());
        }
    }
    let recipients = args
        .recipients
        .iter()
        .map(|r| keys::parse_recipient(r))
        .collect::<Result<Vec<_>, _>>()?;
    let passphrase = secret::read_secret(
        args.passphrase_file.as_deref(),
        secret::PASSPHRASE_ENV,
        "new manager passphrase",
        Prompt::Twice,
    )?
    .context("no passphrase")?;
    named(keys::check_passphrase(&passphrase), &args.passphrase_file)?;
    let pin = secret::read_secret(
        args.exit_pin_file.as_deref(),
        secret::EXIT_PIN_ENV,
        "staff exit PIN",
        Prompt::Twice,
    )?
    .context("no exit PIN")?;
    named(keys::check_new_pin(&pin), &args.exit_pin_file)?;
    let options = InitOptions {
        site: args.site,
        recipients,
        synthetic: args.synthetic,
        period: match args.period {
            PeriodArg::Week => PeriodKind::Week,
            PeriodArg::Month => PeriodKind::Month,
        },
        passphrase_work_factor: args.kdf_work_factor,
    };
    let made = store::init(data, &options, &passphrase, &pin)?;
    println!(
        "Created {}store in {} (periods: {})",
        if options.synthetic {
            "a SYNTHETIC (demo data only) "
        } else {
            "a "
        },
        data.display(),
        options.period
    );
    println!("Manager public key: {}", made.public_key);
    if let Ok(Some(key)) = crate::crypto::sign::public(&crate::fsio::RealFs, data) {
        println!(
            "Site signing key:   {key} (the kiosk's own: signs the ledger of records and exported batches; note it down to check `icare verify` against)"
        );
    }
    println!(
        "Manager identity:   {} (opened with your passphrase; keep a copy off the kiosk)",
        made.identity_path.display()
    );
    for r in &options.recipients {
        println!("Also readable by:   {r}");
    }
    Ok(0)
}

/// A refused secret's error, naming the file it came from (if it came from one) so the message
/// says what to fix.
pub(super) fn named(
    checked: Result<(), keys::KeysError>,
    file: &Option<PathBuf>,
) -> anyhow::Result<()> {
    match (checked, file) {
        (Ok(()), _) => Ok(()),
        (Err(e), Some(f)) => {
            Err(anyhow::Error::new(e).context(format!("{}: first line", f.display())))
        }
        (Err(e), None) => Err(e.into()),
    }
}

#[derive(Debug, Args)]
#[command(after_help = VERIFY_EXIT_HELP)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub identity: IdentityArgs,
}

/// `icare verify`'s exit statuses.
const VERIFY_EXIT_HELP: &str = "Exit status: 0 when no problem was found; 1 when problems were found (listed); 3 when nothing is damaged but some sites' records could not be opened with the key given (named); 2 on an error.";

pub fn verify(data: &Path, args: VerifyArgs) -> anyhow::Result<i32> {
    // A passphrase only from a file or the environment, and no identity file is needed: without
    // them, framing is still checked and the output says why records were not opened.
    let (identity, not_opened) = match super::verify_keys::opener(data, &args.identity)? {
        super::verify_keys::Opener::Identity(id) => (Some(id), String::new()),
        super::verify_keys::Opener::None(why) => (None, why),
    };
    let aggregate = crate::batch::aggregate::is_aggregate(&crate::fsio::RealFs, data);
    let (report, unreadable) = if aggregate {
        let fs = std::sync::Arc::new(crate::fsio::RealFs);
        crate::batch::verify::verify_with(fs, data, identity.as_ref())?
    } else {
        (store::verify(data, identity.as_ref())?, Vec::new())
    };
    let label = if report.synthetic {
        " - SYNTHETIC demo data"
    } else {
        ""
    };
    println!("Store {} (site {:?}){label}", data.display(), report.site);
    println!(
        "{} records file(s): {}",
        report.files,
        if report.opened {
            "every record opened and checked".to_string()
        } else {
            format!("framing checked; records not opened: {not_opened}")
        }
    );
    if report.counts.is_empty() {
        println!("No responses.");
    } else {
        println!("Responses per period:");
        for (period, n) in &report.counts {
            println!("  {period:<9} {n:>8}");
        }
        println!(
            "  {:<9} {:>8}",
            "total",
            report.counts.values().sum::<u64>()
        );
    }
    if report.quarantined > 0 {
        println!(
            "{} torn tail(s) kept in quarantine from earlier crashes.",
            report.quarantined
        );
    }
    match &report.signing_key {
        Some(key) => println!(
            "Records counted only as the ledger signed by {key} vouches for them (the key `icare init` printed; if it is not, store.meta was replaced)"
        ),
        None if report.files > 0 => println!(
            "Note: no signed ledger yet (a store from an older version): its records are not authenticated; the kiosk adopts them when it next starts"
        ),
        None => {}
    }
    let key_files = super::verify_keys::check(data, aggregate);
    println!("Key files (checked without a secret):");
    for k in &key_files {
        println!("  {}: {}", k.path.display(), k.said);
    }
    let key_problems = key_files.iter().filter(|k| k.problem).count();
    for u in &unreadable {
        println!("Could not read {u}");
        eprintln!("icare: could not read {u}");
    }
    if report.problems.is_empty() && key_problems == 0 {
        if unreadable.is_empty() {
            println!("OK: no problems found.");
            Ok(0)
        } else {
            println!("No damage found; the sites above could not be read with this key.");
            Ok(super::exit::SOME_UNREADABLE)
        }
    } else {
        println!("{} problem(s):", report.problems.len() + key_problems);
        for p in &report.problems {
            println!("  {p}");
        }
        for k in key_files.iter().filter(|k| k.problem) {
            println!("  {}: {}", k.path.display(), k.said);
        }
        Ok(1)
    }
}
