//! The kiosk on the real store when the store fails: ENOSPC and EIO at every file operation of a
//! submission, through the model, the effects as the event loop carries them out, and the screen.
//! The patient sees "Sorry, we could not save your answers", never "Thank you", for a response
//! the store did not acknowledge, and "Try again" saves it once.

use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::model::{Key, Screen};
use super::{Backend, BackendError, Config, Effect, Model, Msg, SetupInfo, update};
use crate::fsio::mem::Fault;
use crate::keys::lockout::Verdict;
use crate::response::Response;
use crate::store::Store;
use crate::store::testkit::{Op, comments, logged_store, open_logged as open, tagged, tiny, week};
use crate::survey::Survey;

/// The kiosk's side of the real store, as the event loop will use it.
struct StoreOnMemory {
    store: Store,
    survey: Survey,
}

impl Backend for StoreOnMemory {
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
fn step(m: &mut Model, backend: &mut StoreOnMemory, msg: Msg) {
    let mut queue = vec![msg];
    while let Some(msg) = queue.pop() {
        for effect in update(m, msg) {
            if let Effect::Submit(r) = effect {
                let result = backend.submit(&r).map_err(|e| crate::errors::message(&e));
                queue.push(Msg::Submitted(result, m.now()));
            }
        }
    }
}

fn screen_text(m: &Model) -> String {
    let area = Rect::new(0, 0, 80, 24);
    let mut buf = Buffer::empty(area);
    super::view::render(m, &crate::tui::Theme::COLOR, area, &mut buf);
    buf.content().iter().map(|c| c.symbol()).collect()
}

#[test]
fn the_kiosk_says_sorry_not_thank_you_when_the_store_fails_at_any_operation() {
    let s = tiny();
    let (probe, _) = logged_store();
    let mut st = open(&probe);
    let start = probe.mem.ops();
    st.submit(&s, &tagged(&s, week(47), "x")).unwrap();
    let ops = probe.mem.ops() - start;
    for fault in [Fault::NoSpace, Fault::Io] {
        for n in 0..ops {
            let (fs, id) = logged_store();
            let mut backend = StoreOnMemory {
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
            let mut key = |m: &mut Model, b: &mut StoreOnMemory, k: Key| {
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
                assert_eq!(comments(&fs.mem, &id).len(), 1);
                continue;
            }
            assert_eq!(m.screen(), &Screen::SaveFailed, "{fault:?} at op {n}");
            assert!(
                shown.contains("Sorry, we could not save your answers"),
                "{fault:?} at op {n}:\n{shown}"
            );
            assert!(!shown.contains("Thank you"), "{fault:?} at op {n}");
            assert!(comments(&fs.mem, &id).is_empty());
            // "Try again" (the fault was one operation) saves it once.
            key(&mut m, &mut backend, Key::Char('1'));
            assert!(
                matches!(m.screen(), Screen::Thanks { .. }),
                "{fault:?} at op {n}"
            );
            assert!(screen_text(&m).contains("Thank you"));
            assert_eq!(comments(&fs.mem, &id).len(), 1);
        }
    }
    eprintln!(
        "kiosk faults: {} injected ({ops} operations of a submission x ENOSPC, EIO)",
        2 * ops
    );
}
