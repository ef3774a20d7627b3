//! Passphrase and PIN input for every command that needs one: a file, an environment variable, or
//! a prompt on the terminal (asked twice when a new secret is set), as in restic and borg.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use anyhow::{Context, bail};
use clap::Args;
use zeroize::Zeroizing;

/// Environment variable holding the manager passphrase.
pub const PASSPHRASE_ENV: &str = "ICARE_PASSPHRASE";
/// Environment variable holding the staff exit PIN.
pub const EXIT_PIN_ENV: &str = "ICARE_EXIT_PIN";

/// How to find the manager's identity and its passphrase.
#[derive(Debug, Clone, Args)]
pub struct IdentityArgs {
    /// Read the passphrase from the first line of FILE (else ICARE_PASSPHRASE, else a prompt).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Identity file to decrypt with (default: keys/manager.age in the data folder). A plain age
    /// identity file (from age-keygen) needs no passphrase.
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
}

/// Whether and how to prompt when neither a file nor the environment gives the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// Never prompt: the secret is optional.
    Never,
    /// Ask once.
    Once,
    /// Ask twice and compare (a new secret).
    Twice,
}

/// Get a secret from `file`, else the environment variable `env`, else a prompt.
pub fn read_secret(
    file: Option<&Path>,
    env: &str,
    what: &str,
    prompt: Prompt,
) -> anyhow::Result<Option<SecretString>> {
    if let Some(path) = file {
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read the {what}", path.display()))?,
        );
        let line = text.lines().next().unwrap_or("");
        if line.is_empty() {
            bail!("{}: the {what} file is empty", path.display());
        }
        return Ok(Some(SecretString::from(line.to_string())));
    }
    if let Ok(value) = std::env::var(env) {
        if value.is_empty() {
            bail!("{env} is set but empty");
        }
        return Ok(Some(SecretString::from(value)));
    }
    if prompt == Prompt::Never {
        return Ok(None);
    }
    if !std::io::stdin().is_terminal() {
        bail!("no {what} given: use a file option or set {env} (there is no terminal to ask on)");
    }
    let first = Zeroizing::new(
        rpassword::prompt_password(format!("{what}: ")).context("cannot read from the terminal")?,
    );
    if prompt == Prompt::Twice {
        let again = Zeroizing::new(
            rpassword::prompt_password(format!("{what} again: "))
                .context("cannot read from the terminal")?,
        );
        if *first != *again {
            bail!("the two entries of the {what} differ; nothing was changed");
        }
    }
    Ok(Some(SecretString::from(first.to_string())))
}

/// Unlock the identity the arguments point to (the store's manager identity by default).
pub fn unlock(
    data: &Path,
    args: &IdentityArgs,
    prompt: Prompt,
) -> anyhow::Result<Option<age::x25519::Identity>> {
    let path = args
        .identity
        .clone()
        .unwrap_or_else(|| data.join(crate::keys::IDENTITY_FILE));
    // Through the store's file layer: never a FIFO or a symbolic link.
    let plain = crate::fsio::Fs::read(&crate::fsio::RealFs, &path)
        .map(|b| !b.starts_with(b"age-encryption.org/"))
        .unwrap_or(false);
    let passphrase = if plain {
        None
    } else {
        match read_secret(
            args.passphrase_file.as_deref(),
            PASSPHRASE_ENV,
            "manager passphrase",
            prompt,
        )? {
            Some(p) => Some(p),
            None => return Ok(None),
        }
    };
    let id = crate::keys::unlock_identity_file(&crate::fsio::RealFs, &path, passphrase.as_ref())?;
    Ok(Some(id))
}
