//! `icare pin`: change the staff exit PIN, proven by the current PIN or by the manager
//! passphrase (for a forgotten PIN, or a damaged PIN file).

use std::path::{Path, PathBuf};

use age::secrecy::{ExposeSecret, SecretString};
use anyhow::{Context, anyhow, bail};
use clap::Args;

use super::secret::{self, EXIT_PIN_ENV, IdentityArgs, PASSPHRASE_ENV, Prompt};
use crate::fsio::{self, RealFs};
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
    let current = secret::read_checked(file, env, what, Prompt::Once, |typed| {
        if proof != Proof::Passphrase && keys::check_pin(typed).is_ok() {
            match keys::verify_exit_pin(data, typed) {
                Ok(true) => return Ok(Ok(Some(typed.clone()))),
                Ok(false) => {}
                Err(e) if proof == Proof::Pin => {
                    return Err(anyhow::Error::new(e).context(
                        "the PIN cannot be checked: prove the change with the manager passphrase instead (--passphrase-file or ICARE_PASSPHRASE)",
                    ));
                }
                // A damaged PIN file: only the passphrase can prove the change.
                Err(_) => {}
            }
        }
        let could_be_passphrase =
            typed.expose_secret().chars().count() >= keys::MIN_PASSPHRASE_CHARS;
        if proof != Proof::Pin && could_be_passphrase {
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
        Ok(Err(anyhow!(match proof {
            Proof::Pin => "wrong exit PIN",
            Proof::Passphrase => "wrong manager passphrase",
            Proof::Either => "that is neither the exit PIN nor the manager passphrase",
        })))
    })?
    .context("no exit PIN or passphrase given")?;

    let new = secret::read_new_secret(args.new_pin_file.as_deref(), "new staff exit PIN")?;
    super::store::named(keys::check_pin(&new), &args.new_pin_file)?;
    if current.is_some_and(|pin| pin.expose_secret() == new.expose_secret()) {
        bail!("the new exit PIN is the same as the current one; nothing was changed");
    }
    set_pin(data, &pin_path, &new)
        .with_context(|| format!("{}: the exit PIN was not changed", pin_path.display()))?;
    println!("Changed the staff exit PIN.");
    println!("The kiosk asks for the new PIN from its next exit; it needs no restart.");
    Ok(0)
}

/// Replace the PIN hash atomically, then check the new PIN against the file as the kiosk will; if
/// that fails, the old file is put back. Temporary files a change cut short left are removed
/// first (each holds the hash of a PIN that was never confirmed).
fn set_pin(data: &Path, path: &Path, new: &SecretString) -> anyhow::Result<()> {
    fsio::remove_leftovers(&RealFs, path).with_context(|| path.display().to_string())?;
    let old = std::fs::read(path).ok();
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
