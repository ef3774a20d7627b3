//! `icare export`, `import`, `trust`, `keys` and `init --aggregate`: moving encrypted batches
//! from practices to an aggregation store.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;

use super::secret::{self, IdentityArgs, Prompt};
use crate::batch::aggregate::{self, AggregateMeta};
use crate::batch::export::{self, ExportOptions};
use crate::batch::sign::{self, SiteKey};
use crate::fsio::RealFs;
use crate::keys;
use crate::store::StoreMeta;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The batch file to write (refused if it exists).
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Only records not in an earlier `--since-last` export; moves the watermark.
    #[arg(long)]
    pub since_last: bool,
    /// Also wrap the epoch keys for this age public key (age1...), without touching the records.
    /// Needs the manager passphrase. Repeat for several.
    #[arg(long = "to", value_name = "AGE_PUBLIC_KEY")]
    pub to: Vec<String>,
    #[command(flatten)]
    pub identity: IdentityArgs,
}

pub fn export(data: &Path, args: ExportArgs) -> anyhow::Result<i32> {
    let to = args
        .to
        .iter()
        .map(|r| keys::parse_recipient(r))
        .collect::<Result<Vec<_>, _>>()?;
    let identity = if to.is_empty() {
        None
    } else {
        Some(
            secret::unlock(data, &args.identity, Prompt::Once)?
                .context("--to needs the manager passphrase")?,
        )
    };
    let options = ExportOptions {
        since_last: args.since_last,
        to,
        identity: identity.as_ref(),
    };
    let done = export::export_with(&RealFs, data, &args.out, &options)?;
    for p in &done.skipped {
        eprintln!("icare: warning: {p} (run `icare verify` for details)");
    }
    let m = &done.manifest;
    println!(
        "Wrote {}{} with {} records in {} epochs from site {:?}",
        done.out.display(),
        if m.synthetic { " (SYNTHETIC)" } else { "" },
        m.records,
        m.epochs,
        m.site
    );
    println!(
        "Periods: {}",
        m.periods.first().cloned().unwrap_or_default()
            + &m.periods
                .last()
                .filter(|_| m.periods.len() > 1)
                .map(|l| format!(" to {l}"))
                .unwrap_or_default()
    );
    println!("Signed by {}", m.signing_key);
    for r in &options.to {
        println!("Epoch keys also wrapped for {r}");
    }
    if done.watermark_moved {
        println!(
            "The next --since-last export starts after these records ({}).",
            data.join(export::WATERMARK_FILE).display()
        );
    }
    Ok(0)
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Batch files written by `icare export`.
    #[arg(required = true, value_name = "BATCH")]
    pub batches: Vec<PathBuf>,
    /// Trust the signing key of a batch from a site not yet trusted, under the site name the
    /// batch gives (printed). Check the key with the practice afterwards.
    #[arg(long)]
    pub trust_new_site: bool,
}

pub fn import(data: &Path, args: ImportArgs) -> anyhow::Result<i32> {
    AggregateMeta::load(&RealFs, data)?;
    let mut failed = 0;
    for path in &args.batches {
        match aggregate::import_with(&RealFs, data, path, args.trust_new_site) {
            Ok(r) => {
                if let Some(t) = &r.trusted_now {
                    println!("Trusted new site {:?} with key {}", t.site, t.key);
                }
                println!(
                    "{}: site {:?}: {} of {} records added ({} already here)",
                    path.display(),
                    r.site,
                    r.added,
                    r.records,
                    r.records - r.added
                );
                if r.carried > 0 {
                    println!(
                        "{}: {} records already here stored again under their new epoch keys (each counts once)",
                        path.display(),
                        r.carried
                    );
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("icare: {e}");
            }
        }
    }
    if failed == args.batches.len() {
        bail!("every batch was rejected; nothing was imported");
    }
    if failed > 0 {
        bail!(
            "{failed} of {} batches rejected; the others were imported",
            args.batches.len()
        );
    }
    Ok(0)
}

#[derive(Debug, Args)]
pub struct TrustArgs {
    /// The site's signing key, as its `icare keys` prints it (icare-site-ed25519:...).
    #[arg(value_name = "KEY")]
    pub key: String,
    /// The name the site's responses are reported under.
    #[arg(long, value_name = "NAME")]
    pub site: String,
}

pub fn trust(data: &Path, args: TrustArgs) -> anyhow::Result<i32> {
    let key = SiteKey::parse(&args.key)?;
    if args.site.trim().is_empty() {
        bail!("--site needs a name");
    }
    if aggregate::trust(&RealFs, data, &key, &args.site)? {
        println!("Trusted site {:?} with key {key}", args.site);
    } else {
        println!("Site {:?} was already trusted with key {key}", args.site);
    }
    Ok(0)
}

#[derive(Debug, Args)]
pub struct KeysArgs {
    /// Make a site signing key for a store created before batches existed.
    #[arg(long)]
    pub create_signing_key: bool,
}

pub fn keys(data: &Path, args: KeysArgs) -> anyhow::Result<i32> {
    if aggregate::is_aggregate(&RealFs, data) {
        if args.create_signing_key {
            bail!(
                "{}: an aggregation store signs nothing; it has no signing key",
                data.display()
            );
        }
        let meta = AggregateMeta::load(&RealFs, data)?;
        println!(
            "Aggregation store {:?}{}",
            meta.name,
            if meta.synthetic {
                " (SYNTHETIC batches only)"
            } else {
                ""
            }
        );
        for r in &meta.recipients {
            println!("Manager public key: {r}");
        }
        println!("Practices add it at `icare init --recipient KEY` (or export with `--to KEY`).");
        let sites = aggregate::trusted(&RealFs, data)?;
        if sites.is_empty() {
            println!("No trusted sites yet (`icare trust KEY --site NAME`).");
        }
        for t in sites {
            println!("Trusted site: {:?} {}", t.site, t.key);
        }
        return Ok(0);
    }
    let meta = StoreMeta::load(&RealFs, data)?;
    if args.create_signing_key {
        let key = sign::create(&RealFs, data)?;
        println!("Created a site signing key: {key}");
    }
    println!("Site: {:?}", meta.site);
    match sign::public(&RealFs, data)? {
        Some(key) => println!("Signing key: {key}"),
        None => println!(
            "Signing key: none (this store was made before batches existed; run `icare keys --create-signing-key` to make one)"
        ),
    }
    for (i, r) in meta.recipients.iter().enumerate() {
        let who = if i == 0 {
            "manager"
        } else {
            "also readable by"
        };
        println!("Recipient ({who}): {r}");
    }
    Ok(0)
}

/// `icare init --aggregate`: an aggregation store with its manager identity (no exit PIN: no
/// kiosk runs on it).
pub fn init_aggregate(
    data: &Path,
    name: &str,
    synthetic: bool,
    passphrase_file: Option<&Path>,
    work_factor: Option<u8>,
) -> anyhow::Result<i32> {
    for p in [
        data.join(aggregate::AGGREGATE_FILE),
        data.join(crate::store::META_FILE),
        data.join(keys::IDENTITY_FILE),
    ] {
        if p.exists() {
            return Err(crate::store::StoreError::Exists(p).into());
        }
    }
    let passphrase = secret::read_secret(
        passphrase_file,
        secret::PASSPHRASE_ENV,
        "new manager passphrase",
        Prompt::Twice,
    )?
    .context("no passphrase")?;
    let public = aggregate::init_with(&RealFs, data, name, synthetic, &passphrase, work_factor)?;
    println!(
        "Created {}aggregation store in {}",
        if synthetic {
            "a SYNTHETIC (demo batches only) "
        } else {
            "an "
        },
        data.display()
    );
    println!("Manager public key: {public}");
    println!(
        "Give this key to each practice: they add it with `icare init --recipient {public}` (or export with `--to {public}`)."
    );
    println!("Then trust each practice's signing key: `icare trust KEY --site NAME`.");
    Ok(0)
}
