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

/// Set a file's permission bits.
pub fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
