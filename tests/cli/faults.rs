//! Faults through the store's file layer, seen from outside the store: ENOSPC and EIO at every
//! file operation of a submission. An fsync error is final (the file is never appended to or
//! synced again, so a retried fsync can never report lost data as saved), and the kiosk shows
//! "Sorry, we could not save your answers", never "Thank you", for a response the store did not
//! acknowledge.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use icare::fsio::mem::{Fault, MemFs};
use icare::fsio::{EntryKind, Fs, FsFile, FsLock};
use icare::keys::lockout::Verdict;
use icare::kiosk::model::{Key, Screen};
use icare::kiosk::{Backend, BackendError, Config, Effect, Model, Msg, SetupInfo, update};
use icare::response::{PeriodKind, Response};
use icare::store::{QUARANTINE_DIR, RECORDS_DIR, Store, StoreMeta, read_responses_with};
use icare::survey::{self, Survey};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

const DIR: &str = "/data";

/// One file operation, as the store asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Read,
    List,
    CreateDir,
    Create,
    Append,
    SyncData,
    Truncate,
    Rename,
    Remove,
    SyncDir,
    SetTimes,
    Lock,
}

type Log = Arc<Mutex<Vec<(u64, Op, PathBuf)>>>;

/// [`MemFs`] with every operation logged under its number (the one `MemFs::fail_at` takes).
#[derive(Clone)]
struct Logged {
    mem: MemFs,
    log: Log,
}

impl Logged {
    fn note(&self, op: Op, path: &Path) {
        let n = self.mem.ops();
        self.log.lock().unwrap().push((n, op, path.to_owned()));
    }
    fn entries(&self) -> Vec<(u64, Op, PathBuf)> {
        self.log.lock().unwrap().clone()
    }
    fn logged(&self, path: &Path, inner: Box<dyn FsFile>) -> Box<dyn FsFile> {
        Box::new(LoggedFile {
            fs: self.clone(),
            path: path.to_owned(),
            inner,
        })
    }
}

struct LoggedFile {
    fs: Logged,
    path: PathBuf,
    inner: Box<dyn FsFile>,
}

impl FsFile for LoggedFile {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.fs.note(Op::Append, &self.path);
        self.inner.append(bytes)
    }
    fn sync_data(&mut self) -> io::Result<()> {
        self.fs.note(Op::SyncData, &self.path);
        self.inner.sync_data()
    }
}

impl Fs for Logged {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.note(Op::Read, path);
        self.mem.read(path)
    }
    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        self.note(Op::List, dir);
        self.mem.list(dir)
    }
    fn exists(&self, path: &Path) -> bool {
        self.mem.exists(path)
    }
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        self.note(Op::CreateDir, dir);
        self.mem.create_dir_all(dir)
    }
    fn create_new(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        self.note(Op::Create, path);
        let inner = self.mem.create_new(path)?;
        Ok(self.logged(path, inner))
    }
    fn create_output(&self, path: &Path, keep_mode: Option<u32>) -> io::Result<Box<dyn FsFile>> {
        self.note(Op::Create, path);
        let inner = self.mem.create_output(path, keep_mode)?;
        Ok(self.logged(path, inner))
    }
    fn truncate(&self, path: &Path, len: u64) -> io::Result<()> {
        self.note(Op::Truncate, path);
        self.mem.truncate(path, len)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.note(Op::Rename, from);
        self.mem.rename(from, to)
    }
    fn remove_file(&self, path: &Path) -> io::Result<()> {
        self.note(Op::Remove, path);
        self.mem.remove_file(path)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        self.note(Op::SyncDir, dir);
        self.mem.sync_dir(dir)
    }
    fn kind(&self, path: &Path) -> io::Result<EntryKind> {
        self.mem.kind(path)
    }
    fn set_times(&self, path: &Path, time: std::time::SystemTime) -> io::Result<()> {
        self.note(Op::SetTimes, path);
        self.mem.set_times(path, time)
    }
    fn mode(&self, path: &Path) -> io::Result<u32> {
        self.mem.mode(path)
    }
    fn try_lock(&self, path: &Path) -> io::Result<Option<Box<dyn FsLock>>> {
        self.note(Op::Lock, path);
        self.mem.try_lock(path)
    }
}

/// A store in memory (description written directly: no key-derivation cost) and its identity.
fn store_fs() -> (Logged, age::x25519::Identity) {
    let mem = MemFs::new();
    let id = age::x25519::Identity::generate();
    for d in [RECORDS_DIR, QUARANTINE_DIR] {
        mem.create_dir_all(&Path::new(DIR).join(d)).unwrap();
    }
    let meta = StoreMeta {
        store_id: rand::random(),
        site: "Test practice".into(),
        synthetic: true,
        period: PeriodKind::Week,
        recipients: vec![id.to_public()],
        signing_key: None,
    };
    mem.put(&StoreMeta::path(Path::new(DIR)), meta.to_bytes());
    let fs = Logged {
        mem,
        log: Arc::default(),
    };
    (fs, id)
}

fn open(fs: &Logged) -> Store {
    Store::open_with(Arc::new(fs.clone()), Path::new(DIR)).unwrap()
}

fn stored_comments(fs: &Logged, id: &age::x25519::Identity) -> Vec<String> {
    let mut out: Vec<String> = read_responses_with(Arc::new(fs.mem.clone()), Path::new(DIR), id)
        .unwrap()
        .map(|r| r.unwrap().comment.unwrap_or_default())
        .collect();
    out.sort();
    out
}

/// A one-language survey: one item, a headline and a comment.
const SURVEY: &str = r#"
[survey]
id = "tiny"
version = 1
title = { en = "Your care" }
introduction = { en = "A few questions." }
minutes = 1
languages = ["en"]

[scales.agree]
skip = true
points = [
  { value = 1, label = { en = "Disagree" } },
  { value = 2, label = { en = "Agree" }, positive = true },
]

[[themes]]
id = "t"
number = 1
name = "Theme"
title = "Theme"
description = "Theme"
importance = 1

[[items]]
id = "a"
theme = "t"
text = { en = "Staff treat me like a person." }
scale = "agree"

[headline]
id = "overall"
text = { en = "Overall, how was our service?" }
scale = "agree"

[comment]
prompt = { en = "Anything else?" }
privacy = { en = "Please don't write names." }
max_chars = 200
"#;

fn tiny() -> Survey {
    survey::from_str(SURVEY, "tiny.toml").unwrap()
}

fn response(s: &Survey, tag: &str) -> Response {
    Response {
        survey_id: s.id.clone(),
        survey_hash: s.hash,
        language: "en".into(),
        period: icare::response::Period::Week {
            year: 2026,
            week: 47,
        },
        answers: vec![icare::response::Answer::Value(2)],
        headline: icare::response::Answer::Value(1),
        comment: Some(format!("comment {tag}")),
    }
}

#[test]
fn an_fsync_error_is_final_and_the_response_is_never_acknowledged() {
    let s = tiny();
    // How many operations two submissions take (the first one starts an epoch).
    let (probe, _) = store_fs();
    let mut st = open(&probe);
    let start = probe.mem.ops();
    st.submit(&s, &response(&s, "x")).unwrap();
    st.submit(&s, &response(&s, "y")).unwrap();
    let ops = probe.mem.ops() - start;
    let mut syncs_failed = 0;
    for fault in [Fault::NoSpace, Fault::Io] {
        for n in 0..ops {
            let (fs, id) = store_fs();
            let mut store = open(&fs);
            let at = fs.mem.ops() + n;
            fs.mem.fail_at(at, fault);
            let mut results = Vec::new();
            for tag in ["first", "second", "third"] {
                let before = fs.mem.ops();
                let r = store.submit(&s, &response(&s, tag));
                results.push((tag, before..fs.mem.ops(), r.is_ok()));
            }
            // The submission that met the fault reports it, unless only a file's times failed to
            // be set (the response is saved; the next write sets them).
            let (tag, _, ok) = results
                .iter()
                .find(|(_, ops, _)| ops.contains(&at))
                .unwrap_or_else(|| panic!("{fault:?} at op {n}: no submission met it"));
            let log = fs.entries();
            let (_, op, path) = log.iter().find(|(i, ..)| *i == at).unwrap().clone();
            assert!(
                !ok || op == Op::SetTimes,
                "{fault:?} at op {n} ({op:?}): {tag} acknowledged"
            );
            if matches!(op, Op::SyncData | Op::Append) {
                // Never written or synced again: no retry can report lost data as saved.
                let again: Vec<_> = log
                    .iter()
                    .filter(|(i, o, p)| {
                        *i > at && *p == path && matches!(o, Op::Append | Op::SyncData)
                    })
                    .collect();
                assert!(
                    again.is_empty(),
                    "{fault:?} at op {n} ({op:?}): {path:?} used again: {again:?}"
                );
            }
            if op == Op::SyncData {
                syncs_failed += 1;
            }
            // Exactly the acknowledged responses are stored, before and after a power cut.
            let acked: Vec<String> = results
                .iter()
                .filter(|(.., ok)| *ok)
                .map(|(t, ..)| format!("comment {t}"))
                .collect();
            assert_eq!(stored_comments(&fs, &id), acked, "{fault:?} at op {n}");
            fs.mem.power_cut(usize::MAX);
            drop(store);
            let _ = open(&fs);
            assert_eq!(
                stored_comments(&fs, &id),
                acked,
                "{fault:?} at op {n}, power cut"
            );
        }
    }
    assert!(syncs_failed >= 4, "the record and header fsyncs were hit");
    eprintln!(
        "faults: {} injected ({ops} operations of two submissions x ENOSPC, EIO), {syncs_failed} of them fsyncs",
        2 * ops
    );
}

/// The kiosk's side of the real store, as the event loop will use it.
struct StoreBackend {
    store: Store,
    survey: Survey,
}

impl Backend for StoreBackend {
    fn submit(&mut self, response: &Response) -> Result<(), BackendError> {
        Ok(self.store.submit(&self.survey, response)?)
    }
    fn check_exit_pin(&mut self, _pin: &str) -> Result<Verdict, BackendError> {
        Ok(Verdict::Wrong { left: 4 })
    }
    fn pin_locked_for(&mut self) -> Option<std::time::Duration> {
        None
    }
    fn check_saving(&mut self) -> Result<(), BackendError> {
        Ok(())
    }
    fn needs_setup(&self) -> bool {
        false
    }
    fn setup(&mut self, _: &str, _: &str, _: &str) -> Result<SetupInfo, BackendError> {
        Err(BackendError::NotSetUp)
    }
}

/// Feed one message and carry out the effects as the event loop does.
fn step(m: &mut Model, backend: &mut StoreBackend, msg: Msg) {
    let mut queue = vec![msg];
    while let Some(msg) = queue.pop() {
        for effect in update(m, msg) {
            if let Effect::Submit(r) = effect {
                let result = backend.submit(&r).map_err(|e| icare::errors::message(&e));
                queue.push(Msg::Submitted(result, m.now()));
            }
        }
    }
}

fn screen_text(m: &Model) -> String {
    let area = Rect::new(0, 0, 80, 24);
    let mut buf = Buffer::empty(area);
    icare::kiosk::view::render(m, &icare::tui::Theme::COLOR, area, &mut buf);
    buf.content().iter().map(|c| c.symbol()).collect()
}

#[test]
fn the_kiosk_says_sorry_not_thank_you_when_the_store_fails_at_any_operation() {
    let s = tiny();
    let (probe, _) = store_fs();
    let mut st = open(&probe);
    let start = probe.mem.ops();
    st.submit(&s, &response(&s, "x")).unwrap();
    let ops = probe.mem.ops() - start;
    for fault in [Fault::NoSpace, Fault::Io] {
        for n in 0..ops {
            let (fs, id) = store_fs();
            let mut backend = StoreBackend {
                store: open(&fs),
                survey: s.clone(),
            };
            let t0 = Instant::now();
            let mut now = t0;
            let config = Config {
                idle_timeout: Duration::from_secs(60),
                needs_setup: false,
            };
            let mut m = Model::new(s.clone(), config, t0);
            update(
                &mut m,
                Msg::NewDay(chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()),
            );
            let mut key = |m: &mut Model, b: &mut StoreBackend, k: Key| {
                now += Duration::from_millis(100);
                step(m, b, Msg::Key(k, now));
            };
            // Welcome, the item, the headline, the comment, then Send.
            let mut guard = 0;
            while *m.screen() != Screen::Confirm {
                let k = match m.screen() {
                    Screen::Question(i) if m.answer(*i).is_none() => Key::Char('2'),
                    Screen::Question(_) => Key::Right,
                    _ => Key::Enter,
                };
                key(&mut m, &mut backend, k);
                guard += 1;
                assert!(guard < 50, "stuck on {:?}", m.screen());
            }
            let at = fs.mem.ops() + n;
            fs.mem.fail_at(at, fault);
            key(&mut m, &mut backend, Key::Enter);
            let shown = screen_text(&m);
            let times_only = fs
                .entries()
                .iter()
                .any(|(i, op, _)| *i == at && *op == Op::SetTimes);
            if times_only {
                // Saved; only a file time was not set (the next write sets it).
                assert!(shown.contains("Thank you"), "{fault:?} at op {n}");
                assert_eq!(stored_comments(&fs, &id).len(), 1);
                continue;
            }
            assert_eq!(m.screen(), &Screen::SaveFailed, "{fault:?} at op {n}");
            assert!(
                shown.contains("Sorry, we could not save your answers"),
                "{fault:?} at op {n}:\n{shown}"
            );
            assert!(!shown.contains("Thank you"), "{fault:?} at op {n}");
            assert!(stored_comments(&fs, &id).is_empty());
            // "Try again" (the fault was one operation) saves it once.
            key(&mut m, &mut backend, Key::Char('1'));
            assert!(
                matches!(m.screen(), Screen::Thanks { .. }),
                "{fault:?} at op {n}"
            );
            assert!(screen_text(&m).contains("Thank you"));
            assert_eq!(stored_comments(&fs, &id).len(), 1);
        }
    }
    eprintln!(
        "kiosk faults: {} injected ({ops} operations of a submission x ENOSPC, EIO)",
        2 * ops
    );
}

/// What `decrypt --out` writes with: a fault at any operation fails the write and never leaves
/// part of a file under the final name, before or after a power cut (a failed folder sync after
/// the rename leaves the whole file, whose durability is unknown, so the write is reported
/// failed); without a fault the whole file is there, even after a power cut.
#[test]
fn decrypt_output_with_a_fault_at_any_operation_never_leaves_part_of_a_file() {
    let out = Path::new("/out/responses.jsonl");
    let line = "{\"response\":\"r1\",\"answers\":[]}\n".repeat(4000);
    let write = |fs: &MemFs| {
        icare::fsio::write_atomic_with(fs, out, |w: &mut dyn io::Write| {
            for chunk in line.as_bytes().chunks(1000) {
                w.write_all(chunk)?;
            }
            Ok::<(), io::Error>(())
        })
    };
    let fresh = || {
        let fs = MemFs::new();
        fs.create_dir_all(Path::new("/out")).unwrap();
        fs
    };
    let probe = fresh();
    let start = probe.ops();
    write(&probe).unwrap();
    let ops = probe.ops() - start;
    assert!(
        ops >= 5,
        "several appends, a sync, a rename and a folder sync"
    );
    probe.power_cut(usize::MAX);
    assert_eq!(probe.read(out).unwrap(), line.as_bytes());
    for fault in [Fault::NoSpace, Fault::Io] {
        for n in 0..ops {
            let fs = fresh();
            fs.fail_at(fs.ops() + n, fault);
            assert!(write(&fs).is_err(), "{fault:?} at op {n} reported written");
            // Under the final name: nothing, or (when only the last folder sync failed, after
            // the rename) the whole file; never part of it, and no temporary file is left.
            let whole_or_none = |fs: &MemFs| match fs.read(out) {
                Ok(b) => b == line.as_bytes(),
                Err(_) => true,
            };
            assert!(whole_or_none(&fs), "{fault:?} at op {n}: part of a file");
            let names: Vec<_> = fs.snapshot().into_iter().map(|(p, _)| p).collect();
            assert!(
                names.iter().all(|p| p == out),
                "{fault:?} at op {n}: left {names:?}"
            );
            fs.power_cut(usize::MAX);
            assert!(
                whole_or_none(&fs),
                "{fault:?} at op {n}: part of a file after a power cut"
            );
        }
    }
    eprintln!(
        "decrypt output faults: {} injected ({ops} operations x ENOSPC, EIO)",
        2 * ops
    );
}

/// A full disk behind standard output (`/dev/full` answers every write with ENOSPC) is an
/// error, exit 2, not a silent success.
#[test]
fn decrypt_to_a_full_disk_on_standard_output_exits_2() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        eprintln!("skipped: no /dev/full here");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let pass = tmp.path().join("pass");
    std::fs::write(&pass, "correct horse battery staple\n").unwrap();
    std::fs::write(tmp.path().join("pin"), "246813\n").unwrap();
    let analyst = crate::util::Analyst::new(tmp.path());
    let ok = |out: std::process::Output| assert_eq!(out.status.code(), Some(0), "{out:?}");
    ok(crate::util::icare(&data)
        .args(["init", "--synthetic", "--kdf-work-factor", "8"])
        .args(["--recipient", &analyst.public])
        .arg("--passphrase-file")
        .arg(&pass)
        .arg("--exit-pin-file")
        .arg(tmp.path().join("pin"))
        .output()
        .unwrap());
    ok(crate::util::icare(&data)
        .args(["simulate", "--count", "200"])
        .output()
        .unwrap());
    let out = analyst
        .decrypt(&data)
        .args(["--format", "jsonl"])
        .stdout(std::fs::File::create(full).unwrap())
        .output()
        .unwrap();
    let (_, stderr) = crate::util::texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("standard output") && stderr.contains("No space left"),
        "{stderr}"
    );
}
