//! Helpers for running the real `icare` binary in a clean environment.

use std::path::Path;
use std::process::{Command, Output};

/// An `icare` command with no inherited `ICARE_*` variables, pointed at `data`.
pub fn icare(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_icare"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("ICARE_") {
            cmd.env_remove(&key);
        }
    }
    cmd.env("NO_COLOR", "1").arg("--data").arg(data);
    cmd
}

/// The manager passphrase and the exit PIN of the tests' stores (the kiosk and order tests use
/// their own passphrase, so that a test reading one cannot pass by another's).
pub const PASSPHRASE: &str = "correct horse battery staple";
pub const PIN: &str = "246813";

/// [`icare`] with [`PASSPHRASE`] and [`PIN`] in the environment, as a service file might set them.
pub fn with_secrets(data: &Path) -> Command {
    let mut cmd = icare(data);
    cmd.env("ICARE_PASSPHRASE", PASSPHRASE)
        .env("ICARE_EXIT_PIN", PIN);
    cmd
}

/// Run `icare --data DATA ARGS` [`with_secrets`]: the output, its standard output and error.
pub fn run(data: &Path, args: &[&str]) -> (Output, String, String) {
    let out = with_secrets(data).args(args).output().unwrap();
    let (o, e) = texts(&out);
    (out, o, e)
}

/// [`run`], which must exit 0: its standard output.
pub fn ok(data: &Path, args: &[&str]) -> String {
    let (out, stdout, stderr) = run(data, args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {stdout}{stderr}");
    stdout
}

/// [`run`], which must exit 2: its standard error.
pub fn fails(data: &Path, args: &[&str]) -> String {
    let (out, stdout, stderr) = run(data, args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stdout}{stderr}");
    stderr
}

/// Standard output and error of a finished command, as text.
pub fn texts(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The repository's root, for files such as `surveys/icare.toml`.
pub fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The names of the entries of `dir`, sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A test analyst's key. `icare decrypt` refuses the store manager's key, so a test that reads a
/// store back makes it with `init --recipient` [`Analyst::public`] and decrypts with
/// [`Analyst::decrypt`].
pub struct Analyst {
    /// The plain age identity file (as `age-keygen` writes it).
    pub key: std::path::PathBuf,
    /// Its `age1...` public key.
    pub public: String,
}

impl Analyst {
    /// A new analyst key, written to `dir/analyst.key` (0600: a secret others can read is refused).
    pub fn new(dir: &Path) -> Analyst {
        use age::secrecy::ExposeSecret;
        let id = age::x25519::Identity::generate();
        let key = dir.join("analyst.key");
        std::fs::write(&key, format!("{}\n", id.to_string().expose_secret())).unwrap();
        chmod(&key, 0o600);
        Analyst {
            key,
            public: id.to_public().to_string(),
        }
    }

    /// `icare decrypt --identity KEY` on `data`; add the format and any other arguments.
    pub fn decrypt(&self, data: &Path) -> Command {
        let mut cmd = icare(data);
        cmd.arg("decrypt").arg("--identity").arg(&self.key);
        cmd
    }

    /// Every response of `data` as JSON lines, and the comments (from their own file); panics
    /// with the error when decrypt fails.
    pub fn read(&self, data: &Path) -> (Vec<serde_json::Value>, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let comments = dir.path().join("comments.jsonl");
        let out = self
            .decrypt(data)
            .args(["--format", "jsonl", "--comments"])
            .arg(&comments)
            .output()
            .unwrap();
        let (stdout, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let lines = |text: &str| -> Vec<serde_json::Value> {
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        let notes = std::fs::read_to_string(&comments).unwrap_or_default();
        let notes = lines(&notes)
            .into_iter()
            .map(|c| c["comment"].as_str().unwrap().to_string())
            .collect();
        (lines(&stdout), notes)
    }
}

/// Set a file's permission bits.
pub fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `cmd` run under the umask `mask` (octal, as the shell's `umask` takes it), through `sh`.
pub fn with_umask(cmd: &Command, mask: &str) -> Command {
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("umask {mask} && exec \"$0\" \"$@\""))
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => sh.env(key, value),
            None => sh.env_remove(key),
        };
    }
    sh
}
