use crate::util::{icare, repo, texts};

#[test]
fn show_prints_every_theme_of_the_shipped_survey() {
    let dir = tempfile::tempdir().unwrap();
    let out = icare(dir.path())
        .args(["survey", "show"])
        .arg(repo("surveys/icare.toml"))
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for name in ["Humanised care", "Familiarity", "Flexibility"] {
        assert!(stdout.contains(name), "missing {name} in:\n{stdout}");
    }
}
