//! `icare decrypt`: the de-identified responses for an analyst, as tidy CSV or JSON lines, with
//! comments in a file of their own. Needs an analyst's identity: never the store manager's.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use rand::seq::SliceRandom;

use super::secret::{self, Prompt};
use crate::disclosure::{DEFAULT_MIN_N, Rule, analyst};
use crate::fsio::RealFs;
use crate::report::analyst::{self as rows, Rows};
use crate::response::Response;
use crate::store;
use crate::survey;

/// Environment variable holding the passphrase of an analyst's passphrase-protected identity file.
pub const ANALYST_PASSPHRASE_ENV: &str = "ICARE_ANALYST_PASSPHRASE";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per response.
    Jsonl,
    /// Tidy CSV: one row per response and item.
    Csv,
}

#[derive(Debug, Args)]
#[command(after_help = super::exit::READER_EXIT_HELP)]
pub struct DecryptArgs {
    /// The analyst's age identity file: a recipient added with `init --recipient` or
    /// `export --to` (from `age-keygen`; passphrase-protected with `age -p` if you like). The
    /// manager's identity is refused.
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// Read the identity file's passphrase from the first line of FILE (else
    /// ICARE_ANALYST_PASSPHRASE, else a prompt); only for a passphrase-protected identity file.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Output format: `csv` (tidy, one row per response and item) or `jsonl` (one response per
    /// line). See docs/analyst-data.md.
    #[arg(long, value_enum)]
    pub format: Format,
    /// Write the responses to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the comments, shuffled and apart from the answers, to FILE (same format). Without
    /// it no comment is written.
    #[arg(long, value_name = "FILE")]
    pub comments: Option<PathBuf>,
    /// Least number of responses behind any site, period or language label (never below 5).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_N)]
    pub min_n: u64,
    /// Survey files that name the items of older survey versions (the built-in surveys and those
    /// under `<data>/surveys/` are known).
    #[arg(long = "survey", value_name = "FILE")]
    pub surveys: Vec<PathBuf>,
}

/// How to give an analyst a key, for the refusal messages.
const HOW_TO_ADD: &str = "Row-level data is for an analyst, not for the practice: the analyst makes a key with `age-keygen -o analyst.key` and sends you its public key (age1...). Add it to a new store with `icare init --recipient age1...`, or give the analyst this store's responses with `icare export --to age1... --out batch.icb` (they import it into a store of their own); then the analyst runs `icare decrypt --identity analyst.key`. See docs/analyst-data.md.";

/// The public keys of the store's manager: a site store's first recipient, or an aggregation
/// store's own keys.
fn manager_keys(data: &Path) -> anyhow::Result<Vec<String>> {
    if crate::batch::aggregate::is_aggregate(&RealFs, data) {
        let meta = crate::batch::aggregate::AggregateMeta::load(&RealFs, data)?;
        return Ok(meta.recipients.iter().map(|r| r.to_string()).collect());
    }
    let meta = store::StoreMeta::load(&RealFs, data)?;
    Ok(meta
        .recipients
        .first()
        .map(|r| r.to_string())
        .into_iter()
        .collect())
}

/// The analyst's identity, or a refusal that says why and what to do.
fn analyst_identity(data: &Path, args: &DecryptArgs) -> anyhow::Result<age::x25519::Identity> {
    let Some(path) = &args.identity else {
        bail!("decrypt needs an analyst's identity (--identity FILE). {HOW_TO_ADD}");
    };
    // A file that cannot be read is named by the error of reading it, before any passphrase.
    let protected = match crate::fsio::Fs::read(&RealFs, path) {
        Ok(bytes) => bytes.starts_with(b"age-encryption.org/"),
        Err(_) => false,
    };
    let passphrase = if !protected {
        None
    } else {
        secret::read_secret(
            args.passphrase_file.as_deref(),
            ANALYST_PASSPHRASE_ENV,
            "analyst identity passphrase",
            Prompt::Once,
        )?
    };
    let identity = crate::keys::unlock_identity_file(&RealFs, path, passphrase.as_ref())?;
    let public = identity.to_public().to_string();
    if manager_keys(data)?.contains(&public) {
        bail!(
            "{}: this is the store manager's identity ({public}), and decrypt refuses it: the manager's key opens the summary and reports, whose rules stop anyone being singled out. {HOW_TO_ADD}",
            path.display()
        );
    }
    Ok(identity)
}

pub fn run(data: &Path, args: DecryptArgs) -> anyhow::Result<i32> {
    // Everything that can be checked without a key is checked first.
    let rule = Rule::new(args.min_n).context("--min-n")?;
    for path in [&args.out, &args.comments].into_iter().flatten() {
        if path.file_name().is_none() {
            bail!("{}: needs a file name", path.display());
        }
    }
    if let (Some(a), Some(b)) = (&args.out, &args.comments)
        && a == b
    {
        bail!("--out and --comments name the same file; comments go to a file of their own");
    }
    let catalog = survey::Catalog::for_store(data, &args.surveys)?;
    let identity = analyst_identity(data, &args)?;
    let responses = store::read_all(data, &identity)?;
    let synthetic = responses.synthetic();
    let source = crate::report::Source {
        name: responses.name().to_string(),
        synthetic,
    };
    if synthetic {
        eprintln!("icare: SYNTHETIC store: this output is demo data, not real answers");
    }
    let mut all: Vec<(String, Response)> = Vec::new();
    let mut errors = Vec::new();
    for r in responses {
        // What cannot be read is named at the end; the rest is written.
        let (site, r) = match r {
            Ok(x) => x,
            Err(e) if e.needs_update() => return Err(e.into()),
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let site = crate::report::site_of(&source, Some(site.as_str()).filter(|s| !s.is_empty()));
        all.push((site.to_string(), r));
    }
    let unreadable = store::summarize(&errors, &identity);
    if all.is_empty() && !unreadable.is_empty() {
        for u in &unreadable {
            eprintln!("icare: could not read {u}");
        }
        bail!("no response could be read; nothing written");
    }
    // Rows in random order, with ids that are only their place in it; comments apart, shuffled.
    let mut rng = rand::thread_rng();
    all.shuffle(&mut rng);
    let mut comments: Vec<String> = all
        .iter_mut()
        .filter_map(|(_, r)| r.comment.take())
        .filter(|c| !c.trim().is_empty())
        .collect();
    comments.shuffle(&mut rng);
    let refs: Vec<(String, &Response)> = all.iter().map(|(s, r)| (s.clone(), r)).collect();
    let labels = analyst::labels(&refs, rule.min_n());
    let mut rows = Rows::new(&catalog);
    let csv = args.format == Format::Csv;
    let body = |out: &mut dyn Write| -> anyhow::Result<()> {
        let responses = all.iter().map(|(_, r)| r).zip(&labels);
        Ok(rows::write_responses(
            out, csv, synthetic, responses, &mut rows,
        )?)
    };
    match &args.out {
        Some(path) => write_atomically(path, body)?,
        None => to_stdout(body)?,
    }
    match &args.comments {
        Some(path) => write_atomically(path, |out| {
            Ok(rows::write_comments(out, csv, synthetic, &comments)?)
        })?,
        None if !comments.is_empty() => eprintln!(
            "icare: note: comments are not written; give --comments FILE to write them to a file of their own"
        ),
        None => {}
    }
    for (hash, id) in &rows.unknown {
        eprintln!(
            "icare: note: survey {id} version {} is not known here: its items are numbered; pass --survey FILE to name them",
            hash.short()
        );
    }
    for u in &unreadable {
        eprintln!("icare: could not read {u}");
    }
    Ok(if unreadable.is_empty() {
        0
    } else {
        super::exit::SOME_UNREADABLE
    })
}

fn to_stdout(body: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = body(&mut out).and_then(|()| Ok(out.flush()?));
    // A closed pipe (`| head`) is the reader's choice, not a failure.
    if let Err(e) = written {
        let closed = e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        });
        if !closed {
            return Err(e.context("cannot write to standard output"));
        }
    }
    Ok(())
}

/// Write as [`crate::fsio::write_out`] does: a regular file through a temporary file beside it,
/// synced and renamed into place only when everything succeeded (on any error no file is left at
/// `path`); a device or FIFO written into.
fn write_atomically(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    path.file_name().context("--out needs a file name")?;
    crate::fsio::write_out(&crate::fsio::RealFs, path, body)
        .with_context(|| format!("{}: not written", path.display()))
}
