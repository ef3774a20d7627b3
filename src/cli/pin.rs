//! `icare pin`: change the staff exit PIN, proven by the current PIN or by the manager
//! passphrase (for a forgotten PIN, or a damaged PIN file).

use std::path::{Path, PathBuf};

use age::secrecy::{ExposeSecret, SecretString};
use anyhow::{Context, anyhow, bail};
use clap::Args;

use super::secret::{self, EXIT_PIN_ENV, IdentityArgs, PASSPHRASE_ENV, Prompt};
use crate::fsio::{self, RealFs};
use crate::keys::lockout::{self, LOCKOUT, MAX_WRONG, Verdict};
use crate::keys::{self, KeysError};

#[derive(Debug, Args)]
pub struct PinArgs {
    /// Read the current exit PIN from the first line of FILE (else ICARE_EXIT_PIN; or prove it
    /// with the manager passphrase: --passphrase-file or ICARE_PASSPHRASE; else a prompt that
    /// takes either).
    #[arg(long, value_name = "FILE")]
    pub exit_pin_file: Option<PathBuf>,
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Read the new exit PIN from the first line of FILE (else a prompt, asked twice).
    #[arg(long, value_name = "FILE")]
    pub new_pin_file: Option<PathBuf>,
}

/// Which secret proves the right to change the PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proof {
    Pin,
    Passphrase,
    /// Typed at the prompt: the PIN or the passphrase, whichever it is.
    Either,
}

pub fn run(data: &Path, args: PinArgs) -> anyhow::Result<i32> {
    if crate::batch::aggregate::is_aggregate(&RealFs, data) {
        bail!(
            "{}: an aggregation store has no exit PIN (only a kiosk's store has one)",
            data.display()
        );
    }
    let store_keys = super::passwd::store_keys(data)?;
    let pin_path = data.join(keys::EXIT_PIN_FILE);
    let identity = secret::identity_path(data, &args.identity);
    // Files before variables, the PIN before the passphrase, as every command reads secrets;
    // but a PIN from the environment waits behind the passphrase when the PIN file is damaged.
    let set = |var: &str| std::env::var_os(var).is_some();
    let pin_sound = !super::verify_keys::pin_file(&pin_path).problem;
    let (file, proof) = if let Some(f) = &args.exit_pin_file {
        (Some(f.as_path()), Proof::Pin)
    } else if let Some(f) = &args.identity.passphrase_file {
        (Some(f.as_path()), Proof::Passphrase)
    } else if set(EXIT_PIN_ENV) && (pin_sound || !set(PASSPHRASE_ENV)) {
        (None, Proof::Pin)
    } else if set(PASSPHRASE_ENV) {
        (None, Proof::Passphrase)
    } else {
        (None, Proof::Either)
    };
    let (env, what) = match proof {
        Proof::Pin => (EXIT_PIN_ENV, "current exit PIN"),
        Proof::Passphrase => (PASSPHRASE_ENV, "manager passphrase"),
        Proof::Either => (EXIT_PIN_ENV, "current exit PIN (or the manager passphrase)"),
    };
    // The current PIN when that was the proof (to refuse the same PIN again without a hash).
    // Wrong PINs count toward the kiosk's lock-out, kept on disk, and a locked PIN is not even
    // checked; the passphrase still proves the change.
    let mut held = lockout::PinTries::default();
    let current = secret::read_checked(file, env, what, Prompt::Once, |typed| {
        let as_pin = proof != Proof::Passphrase && keys::check_pin(typed).is_ok();
        let as_passphrase = proof != Proof::Pin
            && typed.expose_secret().chars().count() >= keys::MIN_PASSPHRASE_CHARS;
        // What could be either (12 digits) is tried as the passphrase first, so a right
        // passphrase never counts as a wrong PIN.
        if as_passphrase {
            match keys::unlock_identity_file(&RealFs, &identity, Some(typed)) {
                Ok(id) if store_keys.contains(&id.to_public().to_string()) => return Ok(Ok(None)),
                Ok(_) => bail!(
                    "{}: this identity is not a key of the store in {}",
                    identity.display(),
                    data.display()
                ),
                Err(KeysError::WrongPassphrase(_)) if proof == Proof::Either => {}
                Err(e @ KeysError::WrongPassphrase(_)) => return Ok(Err(e.into())),
                // The identity moved off this machine, as the deploy guide advises: the PIN it is.
                Err(KeysError::MissingIdentity(_)) if proof == Proof::Either => {}
                Err(e) => return Err(e.into()),
            }
        }
        let mut verdict = None;
        if as_pin {
            match lockout::check_exit_pin(data, typed, lockout::unix_now(), &mut held) {
                Ok(Verdict::Right) => return Ok(Ok(Some(typed.clone()))),
                Ok(v) => verdict = Some(v),
                Err(e) if proof == Proof::Pin => {
                    return Err(anyhow::Error::new(e).context(
                        "the PIN cannot be checked: prove the change with the manager passphrase instead (--passphrase-file or ICARE_PASSPHRASE)",
                    ));
                }
                // A damaged PIN file: only the passphrase can prove the change.
                Err(_) => {}
            }
        }
        Ok(Err(anyhow!(wrong(proof, verdict))))
    })?
    .context("no exit PIN or passphrase given")?;

    let new = secret::read_new_secret(args.new_pin_file.as_deref(), "new staff exit PIN")?;
    super::store::named(keys::check_new_pin(&new), &args.new_pin_file)?;
    if current.is_some_and(|pin| pin.expose_secret() == new.expose_secret()) {
        bail!("the new exit PIN is the same as the current one; nothing was changed");
    }
    set_pin(data, &pin_path, &new)
        .with_context(|| format!("{}: the exit PIN was not changed", pin_path.display()))?;
    println!("Changed the staff exit PIN.");
    println!("The kiosk asks for the new PIN from its next exit; it needs no restart.");
    Ok(0)
}

/// Why the secret given did not prove the change: what it was not, and where the lock-out stands
/// when it was checked as a PIN.
fn wrong(proof: Proof, verdict: Option<Verdict>) -> String {
    let not = match proof {
        Proof::Pin => "wrong exit PIN",
        Proof::Passphrase => "wrong manager passphrase",
        Proof::Either => "that is neither the exit PIN nor the manager passphrase",
    };
    let passphrase = match proof {
        Proof::Either => "type the manager passphrase instead",
        _ => {
            "prove the change with the manager passphrase instead (--passphrase-file or ICARE_PASSPHRASE)"
        }
    };
    match verdict {
        None | Some(Verdict::Right) => not.to_string(),
        Some(Verdict::Wrong { left }) => format!(
            "{not} ({left} more wrong {} the exit PIN for {})",
            if left == 1 { "PIN locks" } else { "PINs lock" },
            minutes(LOCKOUT)
        ),
        Some(Verdict::LockedNow { left }) => format!(
            "{not}; that was {MAX_WRONG} wrong PINs in a row, so the exit PIN is locked for {} \
             (at the kiosk too): {passphrase}",
            minutes(left)
        ),
        Some(Verdict::StillLocked { left }) => format!(
            "the exit PIN is locked for {} more after {MAX_WRONG} wrong PINs in a row, so it was \
             not checked: {passphrase}",
            minutes(left)
        ),
    }
}

/// A lock-out's length in whole minutes, rounded up.
fn minutes(d: std::time::Duration) -> String {
    match d.as_secs().div_ceil(60) {
        1 => "1 minute".to_string(),
        n => format!("{n} minutes"),
    }
}

/// Replace the PIN hash atomically (a new file, readable by its owner only), then check the new
/// PIN against the file as the kiosk will; if that fails, the old file is put back. Temporary
/// files a change cut short left are removed first (each holds the hash of a PIN that was never
/// confirmed). All under the PIN files' lock, so a running kiosk's re-hash of the old PIN cannot
/// land over the new one.
fn set_pin(data: &Path, path: &Path, new: &SecretString) -> anyhow::Result<()> {
    let _lock = lockout::hold(data)?;
    fsio::remove_leftovers(&RealFs, path).with_context(|| path.display().to_string())?;
    let old = fsio::Fs::read(&RealFs, path).ok();
    let hash = keys::hash_exit_pin(new)?;
    fsio::write_atomic(&RealFs, path, format!("{hash}\n").as_bytes())?;
    if keys::verify_exit_pin(data, new)? {
        return Ok(());
    }
    if let Some(old) = old {
        fsio::write_atomic(&RealFs, path, &old)?;
    }
    bail!("the new PIN did not check against the file written; the old file is back")
}
