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

/// How many times a secret typed at the terminal may be wrong before the command gives up.
pub const TRIES: usize = 3;

/// Get a secret from `file`, else the environment variable `env`, else a prompt.
pub fn read_secret(
    file: Option<&Path>,
    env: &str,
    what: &str,
    prompt: Prompt,
) -> anyhow::Result<Option<SecretString>> {
    if let Some(secret) = given(file, Some(env), what)? {
        return Ok(Some(secret));
    }
    if prompt == Prompt::Never {
        return Ok(None);
    }
    ask(what, prompt, Some(env)).map(Some)
}

/// Get a new secret from `file`, else a prompt asked twice. No environment variable: the
/// variables hold the current secrets, which a change of secret needs too.
pub fn read_new_secret(file: Option<&Path>, what: &str) -> anyhow::Result<SecretString> {
    match given(file, None, what)? {
        Some(secret) => Ok(secret),
        None => ask(what, Prompt::Twice, None),
    }
}

/// Get a secret and check it with `check`, which returns `Ok(Err(why))` for a wrong secret and
/// `Err` for anything else. A secret typed at the terminal may be wrong [`TRIES`] times, each
/// wrong one said on standard error; one from `file` or `env` gets a single chance (a script
/// must not loop). `Ok(None)`: no secret given and `prompt` is [`Prompt::Never`].
pub fn read_checked<T>(
    file: Option<&Path>,
    env: &str,
    what: &str,
    prompt: Prompt,
    check: impl FnMut(&SecretString) -> anyhow::Result<Result<T, anyhow::Error>>,
) -> anyhow::Result<Option<T>> {
    let given = given(file, Some(env), what)?;
    checked(given, prompt, || ask(what, Prompt::Once, Some(env)), check)
}

/// [`read_checked`] with the prompt as a function, so the tries can be tested without a terminal.
fn checked<T>(
    given: Option<SecretString>,
    prompt: Prompt,
    mut ask: impl FnMut() -> anyhow::Result<SecretString>,
    mut check: impl FnMut(&SecretString) -> anyhow::Result<Result<T, anyhow::Error>>,
) -> anyhow::Result<Option<T>> {
    if let Some(secret) = given {
        return check(&secret)?.map(Some);
    }
    if prompt == Prompt::Never {
        return Ok(None);
    }
    let mut left = TRIES;
    loop {
        left -= 1;
        match check(&ask()?)? {
            Ok(value) => return Ok(Some(value)),
            Err(wrong) if left == 0 => {
                return Err(wrong.context(format!("{TRIES} wrong tries; nothing was done")));
            }
            Err(wrong) => eprintln!(
                "icare: {wrong:#}; try again ({left} {} left)",
                if left == 1 { "try" } else { "tries" }
            ),
        }
    }
}

/// The secret in `file`'s first line, else in the environment variable `env`, if either is given.
fn given(
    file: Option<&Path>,
    env: Option<&str>,
    what: &str,
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
    let Some(env) = env else {
        return Ok(None);
    };
    match std::env::var(env) {
        Ok(value) if value.is_empty() => bail!("{env} is set but empty"),
        Ok(value) => Ok(Some(SecretString::from(value))),
        Err(_) => Ok(None),
    }
}

/// Ask on the terminal, once or twice (compared); `env` is named in the message when there is no
/// terminal to ask on.
fn ask(what: &str, prompt: Prompt, env: Option<&str>) -> anyhow::Result<SecretString> {
    if !std::io::stdin().is_terminal() {
        match env {
            Some(env) => bail!(
                "no {what} given: use a file option or set {env} (there is no terminal to ask on)"
            ),
            None => bail!("no {what} given: use a file option (there is no terminal to ask on)"),
        }
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
    Ok(SecretString::from(first.to_string()))
}

/// The identity file the arguments name (the store's manager identity by default).
pub fn identity_path(data: &Path, args: &IdentityArgs) -> PathBuf {
    args.identity
        .clone()
        .unwrap_or_else(|| data.join(crate::keys::IDENTITY_FILE))
}

/// Unlock the identity the arguments point to (the store's manager identity by default). A
/// passphrase typed at the terminal gets [`TRIES`] tries; one from a file or the environment one.
pub fn unlock(
    data: &Path,
    args: &IdentityArgs,
    prompt: Prompt,
) -> anyhow::Result<Option<age::x25519::Identity>> {
    let path = identity_path(data, args);
    let fs = crate::fsio::RealFs;
    // Through the store's file layer: never a FIFO or a symbolic link.
    let bytes = match crate::fsio::Fs::read(&fs, &path) {
        Ok(bytes) => Some(bytes),
        // Said before a passphrase is asked for that could open nothing.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && prompt != Prompt::Never => {
            return Err(crate::keys::KeysError::MissingIdentity(path).into());
        }
        Err(_) => None,
    };
    if bytes.is_some_and(|b| !b.starts_with(b"age-encryption.org/")) {
        return Ok(Some(crate::keys::unlock_identity_file(&fs, &path, None)?));
    }
    read_checked(
        args.passphrase_file.as_deref(),
        PASSPHRASE_ENV,
        "manager passphrase",
        prompt,
        |passphrase| match crate::keys::unlock_identity_file(&fs, &path, Some(passphrase)) {
            Ok(id) => Ok(Ok(id)),
            Err(e @ crate::keys::KeysError::WrongPassphrase(_)) => Ok(Err(e.into())),
            Err(e) => Err(e.into()),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::ExposeSecret;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_string())
    }

    /// `checked` with typed entries `typed` against the right secret "right": what it returns
    /// and how many entries it asked for.
    fn typed(given: Option<&str>, typed: &[&str]) -> (anyhow::Result<Option<String>>, usize) {
        let mut asked = 0;
        let result = checked(
            given.map(secret),
            Prompt::Once,
            || {
                asked += 1;
                Ok(secret(typed[asked - 1]))
            },
            |s| {
                Ok(match s.expose_secret() {
                    "right" => Ok(s.expose_secret().to_string()),
                    "broken" => return Err(anyhow::anyhow!("cannot read the key file")),
                    _ => Err(anyhow::anyhow!("wrong passphrase")),
                })
            },
        );
        (result, asked)
    }

    #[test]
    fn a_typed_secret_gets_three_tries() {
        let (got, asked) = typed(None, &["wrong", "also wrong", "right"]);
        assert_eq!(got.unwrap().as_deref(), Some("right"));
        assert_eq!(asked, 3);
        let (got, asked) = typed(None, &["right"]);
        assert_eq!(got.unwrap().as_deref(), Some("right"));
        assert_eq!(asked, 1);
        let (got, asked) = typed(None, &["a", "b", "c", "right"]);
        let err = format!("{:#}", got.unwrap_err());
        assert_eq!(asked, 3, "no fourth try");
        assert_eq!(err, "3 wrong tries; nothing was done: wrong passphrase");
    }

    #[test]
    fn a_given_secret_gets_one_chance_and_other_errors_stop_at_once() {
        let (got, asked) = typed(Some("wrong"), &["right"]);
        assert_eq!(format!("{:#}", got.unwrap_err()), "wrong passphrase");
        assert_eq!(
            asked, 0,
            "a secret from a file or variable is never followed by a prompt"
        );
        let (got, _) = typed(Some("right"), &[]);
        assert_eq!(got.unwrap().as_deref(), Some("right"));
        let (got, asked) = typed(None, &["broken", "right"]);
        assert!(format!("{:#}", got.unwrap_err()).contains("cannot read"));
        assert_eq!(asked, 1);
    }

    #[test]
    fn no_secret_and_no_prompt_is_none() {
        let got = checked(None, Prompt::Never, || unreachable!(), |_| Ok(Ok(())));
        assert!(got.unwrap().is_none());
    }
}
