//! The error table: every command with each of its input files missing, empty, truncated, of a
//! wrong version or of a wrong type exits 2 (verify: 1 for damage it reports; simulate, like the
//! kiosk, cuts a torn tail or leaves damage to `verify` and goes on) with a message naming the
//! file. `export` and `import` (batches) are in the table too.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::util::{PASSPHRASE, icare, repo, texts};

/// The input files a command reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    Survey,
    StoreMeta,
    Records,
    Identity,
    Passphrase,
    ExitPin,
    /// A batch file made by `export`.
    Batch,
    /// `aggregate.meta` of an aggregation store.
    AggregateMeta,
    /// `keys/site-signing.key`.
    SigningKey,
    /// An analyst's age identity file (`decrypt --identity`).
    AnalystKey,
}

/// What is wrong with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Missing,
    Empty,
    Truncated,
    WrongVersion,
    WrongType,
}

use Fault::*;
use Input::*;

/// A command as the table runs it; paths are filled in per case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Init,
    Verify,
    Decrypt,
    Simulate,
    SurveyCheck,
    SurveyShow,
    Kiosk,
    Export,
    Import,
}

/// The files of one case, in its own folder.
struct Case {
    _tmp: tempfile::TempDir,
    data: PathBuf,
    survey: PathBuf,
    pass: PathBuf,
    pin: PathBuf,
    agg: PathBuf,
    batch: PathBuf,
    analyst: PathBuf,
}

/// A small synthetic store with three responses, readable by a synthetic aggregation store and
/// an analyst, and a batch exported from it: made once and copied for every case.
fn base() -> &'static Path {
    static BASE: OnceLock<tempfile::TempDir> = OnceLock::new();
    BASE.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::write(dir.join("pass"), format!("{PASSPHRASE}\n")).unwrap();
        std::fs::write(dir.join("pin"), "246813\n").unwrap();
        std::fs::copy(repo("surveys/icare.toml"), dir.join("survey.toml")).unwrap();
        let init = |data: &Path, extra: &[&str]| {
            let mut c = icare(data);
            c.args(["init", "--synthetic", "--kdf-work-factor", "8"])
                .args(extra)
                .arg("--passphrase-file")
                .arg(dir.join("pass"));
            if !extra.contains(&"--aggregate") {
                c.arg("--exit-pin-file").arg(dir.join("pin"));
            }
            let out = c.output().unwrap();
            let (stdout, stderr) = texts(&out);
            assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
            stdout
        };
        let agg = init(&dir.join("agg"), &["--aggregate"]);
        let key = agg
            .lines()
            .find_map(|l| l.strip_prefix("Manager public key: "))
            .unwrap()
            .trim()
            .to_string();
        let data = dir.join("data");
        let analyst = crate::util::Analyst::new(dir);
        init(
            &data,
            &["--recipient", &key, "--recipient", &analyst.public],
        );
        let out = icare(&data)
            .args(["simulate", "--count", "3", "--seed", "1"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{:?}", texts(&out));
        let out = icare(&data)
            .arg("export")
            .arg("--out")
            .arg(dir.join("batch.icb"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{:?}", texts(&out));
        tmp
    })
    .path()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn case() -> Case {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(base(), tmp.path());
    let dir = tmp.path().to_owned();
    Case {
        data: dir.join("data"),
        survey: dir.join("survey.toml"),
        pass: dir.join("pass"),
        pin: dir.join("pin"),
        agg: dir.join("agg"),
        batch: dir.join("batch.icb"),
        analyst: dir.join("analyst.key"),
        _tmp: tmp,
    }
}

impl Case {
    /// The file of `input` (for the records, the first records file).
    fn file(&self, input: Input) -> PathBuf {
        match input {
            Survey => self.survey.clone(),
            StoreMeta => self.data.join("store.meta"),
            Records => {
                let mut files: Vec<PathBuf> = std::fs::read_dir(self.data.join("records"))
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .collect();
                files.sort();
                files.remove(0)
            }
            Identity => self.data.join("keys/manager.age"),
            Passphrase => self.pass.clone(),
            ExitPin => self.pin.clone(),
            Batch => self.batch.clone(),
            AggregateMeta => self.agg.join("aggregate.meta"),
            SigningKey => self.data.join("keys/site-signing.key"),
            AnalystKey => self.analyst.clone(),
        }
    }

    /// Break `input` with `fault`; the text the message must name.
    fn break_file(&self, input: Input, fault: Fault) -> String {
        let path = self.file(input);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let other = std::fs::read(self.data.join("store.meta")).unwrap();
        let new: Option<Vec<u8>> = match (input, fault) {
            // A records file that is not there is not missing from anything: the folder is.
            (Records, Missing) => {
                std::fs::remove_dir_all(self.data.join("records")).unwrap();
                return "records".into();
            }
            (_, Missing) => None,
            (_, Empty) => Some(Vec::new()),
            (Passphrase, Truncated) => Some(b"correct\n".to_vec()),
            (ExitPin, Truncated) => Some(b"24\n".to_vec()),
            (_, Truncated) => Some(bytes[..bytes.len() / 2].to_vec()),
            (Survey, WrongVersion) => {
                let text = String::from_utf8(bytes).unwrap();
                let version = text.lines().find(|l| l.starts_with("version = ")).unwrap();
                Some(text.replacen(version, "version = 0", 1).into_bytes())
            }
            (StoreMeta | Records | Batch | AggregateMeta, WrongVersion) => {
                let mut b = bytes;
                b[8] = 9;
                Some(b)
            }
            (Identity, WrongVersion) => {
                let head = b"age-encryption.org/v1";
                assert!(bytes.starts_with(head));
                let mut b = bytes;
                b[head.len() - 1] = b'9';
                Some(b)
            }
            (Passphrase | ExitPin | SigningKey | AnalystKey, WrongVersion) => {
                unreachable!("no version")
            }
            // A records file where the store description should be, and the description
            // everywhere else.
            (StoreMeta, WrongType) => Some(std::fs::read(self.file(Records)).unwrap()),
            (_, WrongType) => Some(other),
        };
        match new {
            Some(b) => std::fs::write(&path, b).unwrap(),
            None => std::fs::remove_file(&path).unwrap(),
        }
        name
    }

    fn run(&self, cmd: Cmd) -> (Option<i32>, String) {
        let mut c = match cmd {
            Cmd::Init => icare(&self.data.with_file_name("new")),
            _ => icare(&self.data),
        };
        match cmd {
            Cmd::Init => c
                .args(["init", "--kdf-work-factor", "8", "--passphrase-file"])
                .arg(&self.pass)
                .arg("--exit-pin-file")
                .arg(&self.pin),
            Cmd::Verify => c.args(["verify", "--passphrase-file"]).arg(&self.pass),
            Cmd::Decrypt => c
                .args(["decrypt", "--format", "csv", "--identity"])
                .arg(&self.analyst)
                .arg("--survey")
                .arg(&self.survey),
            // The kiosk's side opening the store: with a response to write, the outcome would
            // depend on whether its random week is the damaged file's (into which nothing is
            // saved: `store::tests::tamper`).
            Cmd::Simulate => c
                .args(["simulate", "--count", "0", "--survey"])
                .arg(&self.survey),
            Cmd::SurveyCheck => c.args(["survey", "check"]).arg(&self.survey),
            Cmd::SurveyShow => c.args(["survey", "show"]).arg(&self.survey),
            Cmd::Kiosk => c.args(["kiosk", "--survey"]).arg(&self.survey),
            Cmd::Export => c
                .arg("export")
                .arg("--out")
                .arg(self.batch.with_file_name("new.icb")),
            Cmd::Import => {
                c = icare(&self.agg);
                c.arg("import")
                    .arg(&self.batch)
                    .arg("--trust-new-site")
                    .arg("--passphrase-file")
                    .arg(&self.pass)
            }
        };
        let out = c.output().unwrap();
        let (stdout, stderr) = texts(&out);
        (out.status.code(), format!("{stdout}{stderr}"))
    }
}

/// The commands that read each input.
fn readers(input: Input) -> &'static [Cmd] {
    match input {
        Survey => &[
            Cmd::SurveyCheck,
            Cmd::SurveyShow,
            Cmd::Kiosk,
            Cmd::Simulate,
            Cmd::Decrypt,
        ],
        StoreMeta | Records => &[Cmd::Verify, Cmd::Decrypt, Cmd::Simulate, Cmd::Export],
        Identity => &[Cmd::Verify],
        Passphrase => &[Cmd::Init, Cmd::Verify],
        AnalystKey => &[Cmd::Decrypt],
        ExitPin => &[Cmd::Init],
        Batch | AggregateMeta => &[Cmd::Import],
        SigningKey => &[Cmd::Export],
    }
}

/// The documented outcome, where it is not exit 2: `verify` reports damage with exit 1, and
/// `simulate` (the kiosk's side) cuts a torn tail into quarantine or leaves damage to `verify`;
/// `export` leaves out what it cannot frame and goes on (a torn tail may be a record the running
/// kiosk is writing, and the next `--since-last` export takes it). `verify` without the identity
/// file (moved off the kiosk) checks what needs no key, naming where the identity was looked for.
fn expected(cmd: Cmd, input: Input, fault: Fault) -> i32 {
    match (cmd, input, fault) {
        (Cmd::Verify, Identity, Missing) => 0,
        (Cmd::Verify, Records, Empty | Truncated | WrongType) => 1,
        // Decrypt goes on past a file it cannot read, names it, and exits 3.
        (Cmd::Decrypt, Records, Empty | Truncated | WrongType) => 3,
        (Cmd::Simulate | Cmd::Export, Records, Empty | Truncated | WrongType) => 0,
        _ => 2,
    }
}

/// Whether an `icare:` message says one part twice in a row ("file: reason: reason").
fn says_twice(output: &str) -> bool {
    output
        .lines()
        .filter(|l| l.starts_with("icare: "))
        .any(|l| {
            l.split(": ")
                .collect::<Vec<_>>()
                .windows(2)
                .any(|w| w[0] == w[1])
        })
}

#[test]
fn every_command_with_a_broken_input_file_exits_2_naming_it() {
    let mut failures = Vec::new();
    let mut cases = 0;
    for input in [
        Survey,
        StoreMeta,
        Records,
        Identity,
        Passphrase,
        ExitPin,
        Batch,
        AggregateMeta,
        SigningKey,
        AnalystKey,
    ] {
        for fault in [Missing, Empty, Truncated, WrongVersion, WrongType] {
            if matches!(input, Passphrase | ExitPin | SigningKey | AnalystKey)
                && fault == WrongVersion
            {
                continue; // One line of text: there is no version to get wrong.
            }
            for &cmd in readers(input) {
                let c = case();
                let name = c.break_file(input, fault);
                let (code, output) = c.run(cmd);
                let want = expected(cmd, input, fault);
                cases += 1;
                // Version-2 records files are renamed into place whole, so an empty one is not a
                // crash's leftover: the kiosk's side reports it like other damage.
                let named = if cmd == Cmd::Export && input == Records && fault != WrongType {
                    true
                } else {
                    output.contains(&name)
                };
                if code != Some(want) || !named || says_twice(&output) {
                    failures.push(format!(
                        "{cmd:?} with {input:?} {fault:?}: exit {code:?} (want {want}), \
                         must name {name:?}:\n{output}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
    assert!(cases >= 80, "{cases} cases");
}

/// `icare verify | head -0`: a reader that stops reading is not a crash (it was a panic in
/// `println!`); the command ends with exit 0 and no panic message.
#[test]
fn a_closed_standard_output_is_not_a_crash() {
    let c = case();
    for args in [&["verify"][..], &["export", "--out", "closed.icb"][..]] {
        let mut child = icare(&c.data)
            .args(args)
            .current_dir(c.data.parent().unwrap())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end at once, before the command has anything to print.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let (_, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
