//! `icare export`, `import`, `trust`, `keys` and `init --aggregate`: moving encrypted batches
//! from practices to an aggregation store.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;

use super::secret::{self, IdentityArgs, Prompt};
use crate::batch::aggregate::{self, AggregateMeta, ImportOptions, Trust};
use crate::batch::export::{self, ExportOptions};
use crate::batch::intake;
use crate::batch::keylog::{self, KeyEvent, Keys};
use crate::batch::sign::{self, SiteKey};
use crate::fsio::RealFs;
use crate::keys;
use crate::store::StoreMeta;

/// The end of `icare --help`: the shortest path for a practice with two kiosks (docs/deploy.md),
/// and what the exit statuses mean.
pub const AFTER_HELP: &str = "\
Two kiosks in one practice: each kiosk keeps its own store; the practice reads them together
in an aggregation store of its own, as one site:
  icare --data practice init --aggregate --site \"North Surgery\"   (once: prints KEY)
  icare --data kiosk1 init --site \"North Surgery\" --recipient KEY  (each kiosk)
  icare --data kiosk1 export --since-last --out k1.icb            (each kiosk, every week)
  icare --data practice import --trust-new-site k1.icb            (the first kiosk's)
  icare --data practice trust K2 --site \"North Surgery\" --add-kiosk
                                  (once, K2 as `icare keys` on the second kiosk prints it)
  icare --data practice import k2.icb
  icare --data practice summary                                   (or report)
A kiosk made without --recipient KEY exports with --to KEY instead. See docs/deploy.md.

Exit status: 0 done; 1 `verify` found problems; 2 error, nothing done; 3 done, but some data
could not be read (each site or file named on standard error).";

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The batch file to write (refused if it exists).
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Only the records files changed since the previous `--since-last` export; the batch gets
    /// the next number of the store's chain, so a batch that never arrives is noticed.
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
    if let Some(c) = &m.chain {
        if c.since_last {
            println!("Batch {} of this store's --since-last chain", c.sequence);
        } else if c.sequence > 0 {
            println!(
                "A full export: every record of the store, including those of --since-last batches 1 to {}",
                c.sequence
            );
        }
    }
    println!("Signed by {}", m.signing_key);
    for r in &options.to {
        println!("Epoch keys also wrapped for {r}");
    }
    if done.chain_moved {
        println!(
            "The next --since-last export sends what changes after this ({}).",
            data.join(export::CHAIN_FILE).display()
        );
    }
    Ok(0)
}

#[derive(Debug, Args)]
#[command(
    after_help = "Before anything is added, every epoch key of each batch is opened with this store's key (its passphrase, or --identity: an analyst's own store checks with the analyst's key); a batch that does not open is refused, naming the practice and the `icare export --to` command it should run. Afterwards each site imported for is listed with its latest period, and every batch missing in the store (`--since-last` batches are numbered)."
)]
pub struct ImportArgs {
    /// Batch files written by `icare export`.
    #[arg(required = true, value_name = "BATCH")]
    pub batches: Vec<PathBuf>,
    /// Trust the signing key of a batch from a site not yet trusted, under the site name the
    /// batch gives (printed; refused if that name has a key already). Check the key with the
    /// practice afterwards.
    #[arg(long)]
    pub trust_new_site: bool,
    #[command(flatten)]
    pub identity: IdentityArgs,
}

pub fn import(data: &Path, args: ImportArgs) -> anyhow::Result<i32> {
    AggregateMeta::load(&RealFs, data)?;
    // A file that is not a batch at all is named before the passphrase is asked for.
    let mut failed = 0;
    let mut batches = Vec::new();
    for path in &args.batches {
        match crate::batch::file::check_header(&RealFs, path) {
            Ok(()) => batches.push(path),
            Err(e) => {
                failed += 1;
                eprintln!("icare: {e}");
            }
        }
    }
    let mut touched = BTreeSet::new();
    if !batches.is_empty() {
        // Every epoch key is opened (not the answers) before anything is added.
        let identity =
            secret::unlock(data, &args.identity, Prompt::Once)?.context("no passphrase given")?;
        let options = ImportOptions {
            trust_new_site: args.trust_new_site,
            identity: &identity,
        };
        for path in batches {
            match aggregate::import_with(&RealFs, data, path, &options) {
                Ok(r) => {
                    if let Some(t) = &r.trusted_now {
                        println!("Trusted new site {:?} with key {}", t.site, t.key);
                    }
                    let place = match &r.manifest.chain {
                        Some(c) if c.since_last => format!("; batch {} of its store", c.sequence),
                        Some(c) if c.sequence > 0 => {
                            format!("; a full export, after batch {}", c.sequence)
                        }
                        Some(_) => "; a full export".to_string(),
                        None => String::new(),
                    };
                    println!(
                        "{}: site {:?}: {} of {} records added ({} already here{place})",
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
                    touched.insert(r.site);
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("icare: {e}");
                }
            }
        }
    }
    let sites = intake::Log::load(&RealFs, data)?.sites();
    for s in sites.iter().filter(|s| touched.contains(&s.site)) {
        println!("{}: {}", s.site, s.received_sentence());
    }
    let missing: Vec<String> = sites.iter().flat_map(|s| s.missing_sentences()).collect();
    for line in &missing {
        println!("Missing: {line}");
    }
    if !missing.is_empty() {
        println!(
            "Ask each practice for the batches missing (or a full export: `icare export --out FILE`, without --since-last)."
        );
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
    /// KEY replaces the site's key with this fingerprint (as `icare keys` shows it): the old key
    /// is trusted no more, and KEY may bring the old key's store or a new one (a kiosk set up
    /// again).
    #[arg(long, value_name = "OLD_FINGERPRINT", conflicts_with = "add_kiosk")]
    pub replace: Option<String>,
    /// KEY is another kiosk (another store) of a site that has a key already: one site for
    /// reports and suppression.
    #[arg(long)]
    pub add_kiosk: bool,
}

pub fn trust(data: &Path, args: TrustArgs) -> anyhow::Result<i32> {
    let key = SiteKey::parse(&args.key)?;
    if args.site.trim().is_empty() {
        bail!("--site needs a name");
    }
    let how = match (&args.replace, args.add_kiosk) {
        (Some(old), _) => Trust::Replace(old),
        (None, true) => Trust::AddKiosk,
        (None, false) => Trust::New,
    };
    if aggregate::trust(&RealFs, data, &key, &args.site, how)? {
        match how {
            Trust::Replace(old) => println!(
                "Site {:?}: key {old} replaced by {key} (logged; `icare keys` shows the log)",
                args.site
            ),
            Trust::AddKiosk => println!(
                "Trusted another kiosk of site {:?} with key {key}",
                args.site
            ),
            Trust::New => println!("Trusted site {:?} with key {key}", args.site),
        }
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
        let keys = Keys::load(&RealFs, data)?;
        if keys.sites.is_empty() {
            println!("No trusted sites yet (`icare trust KEY --site NAME`).");
        }
        for t in &keys.sites {
            println!(
                "Trusted site: {:?} {} (fingerprint {})",
                t.site,
                t.key,
                keylog::fingerprint(&t.key)
            );
        }
        let events: Vec<_> = keys.events().collect();
        if !events.is_empty() {
            println!("Key log ({}):", data.join(keylog::KEYS_LOG).display());
        }
        for e in events {
            println!("  {}", describe(e));
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
        Some(key) => {
            println!("Signing key: {key}");
            println!(
                "Fingerprint: {} (what a commissioner's `icare keys` and `icare trust --replace` show)",
                key.fingerprint()
            );
        }
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

/// One line of the keys log, as `icare keys` prints it.
fn describe(e: &KeyEvent) -> String {
    let when = |at: &Option<String>| at.clone().unwrap_or_else(|| "before the log".into());
    let fp = |k: &str| keylog::fingerprint(k);
    match e {
        KeyEvent::Trusted { site, key, how, at } => {
            format!(
                "{}: trusted {} for site {site:?} ({how})",
                when(at),
                fp(key)
            )
        }
        KeyEvent::Replaced { site, old, key, at } => format!(
            "{}: site {site:?}: key {} replaced by {} (the old key is trusted no more)",
            when(at),
            fp(old),
            fp(key)
        ),
        KeyEvent::StoreBound {
            store_id,
            key,
            site,
            at,
        } => format!(
            "{}: store {store_id} (site {site:?}) bound to the key that first brought it, {}",
            when(at),
            fp(key)
        ),
    }
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
