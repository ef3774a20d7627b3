//! Staff exit tests: F10, the PIN, the lockout as the backend reports it, and the menu, which
//! says whether saving works and never how many responses were saved.

use std::time::Duration;

use super::Kiosk;
use crate::keys::lockout::Verdict;
use crate::kiosk::model::*;
use crate::response::Answer;

pub(crate) fn to_staff_pin(k: &mut Kiosk) {
    k.key(Key::Staff);
    assert!(matches!(k.m.overlay(), Some(Overlay::StaffPin { .. })));
}

pub(crate) fn pin(k: &mut Kiosk, pin: &str, verdict: Verdict) {
    k.keys(pin).key(Key::Enter);
    let fx = k.take();
    let typed = fx.iter().find_map(|e| match e {
        Effect::CheckPin(p) => Some(p.to_string()),
        _ => None,
    });
    assert_eq!(typed.as_deref(), Some(pin));
    let now = k.now;
    k.send(Msg::PinChecked(Ok(verdict), now));
}

#[test]
fn staff_key_and_the_right_pin_open_the_staff_menu_which_quits() {
    let mut k = Kiosk::tiny();
    k.key(Key::Enter).key(Key::Enter).answer('1');
    to_staff_pin(&mut k);
    pin(&mut k, "123456", Verdict::Right);
    assert_eq!(k.m.overlay(), Some(&Overlay::StaffMenu));
    k.keys("1");
    assert_eq!(k.m.overlay(), None);
    assert_eq!(
        k.m.screen(),
        &Screen::Question(1),
        "back to the survey where it was"
    );
    assert_eq!(k.m.answer(0), Some(Answer::Value(1)));
    to_staff_pin(&mut k);
    pin(&mut k, "123456", Verdict::Right);
    k.keys("2");
    assert!(k.m.should_quit());
    assert!(k.take().contains(&Effect::Quit));
}

#[test]
fn the_pin_entry_can_be_left_with_esc() {
    let mut k = Kiosk::tiny();
    to_staff_pin(&mut k);
    k.keys("12").key(Key::Esc);
    assert_eq!(k.m.overlay(), None);
    assert_eq!(k.m.screen(), &Screen::Welcome);
}

#[test]
fn five_wrong_pins_lock_the_staff_menu_for_five_minutes() {
    let mut k = Kiosk::tiny();
    to_staff_pin(&mut k);
    for left in (1..5).rev() {
        pin(&mut k, "000000", Verdict::Wrong { left });
        match k.m.overlay() {
            Some(Overlay::StaffPin { note, .. }) => assert_eq!(*note, PinNote::Wrong { left }),
            o => panic!("{o:?}"),
        }
    }
    assert!(k.logs().iter().any(|l| l == "wrong exit PIN (4 of 5)"));
    pin(&mut k, "000000", Verdict::LockedNow { left: LOCKOUT });
    assert!(matches!(k.m.overlay(), Some(Overlay::StaffLocked { .. })));
    assert!(k.logs().iter().any(|l| l.contains("locked for 5 minutes")));
    k.key(Key::Other);
    assert_eq!(k.m.overlay(), None);
    // Still locked four minutes later: F10 only shows the notice.
    k.wait(240.0).key(Key::Staff);
    assert!(matches!(k.m.overlay(), Some(Overlay::StaffLocked { .. })));
    k.key(Key::Other).wait(61.0);
    to_staff_pin(&mut k);
    pin(&mut k, "123456", Verdict::Right);
    assert_eq!(k.m.overlay(), Some(&Overlay::StaffMenu));
}

#[test]
fn a_lock_the_backend_reports_at_start_holds_f10_until_it_ends() {
    let mut k = Kiosk::tiny();
    let now = k.now;
    k.send(Msg::PinLocked(Duration::from_secs(90), now));
    k.key(Key::Staff);
    assert!(matches!(k.m.overlay(), Some(Overlay::StaffLocked { .. })));
    k.key(Key::Other).wait(91.0);
    to_staff_pin(&mut k);
    // A lock that began in another kiosk process: the PIN is refused without a new log line.
    pin(
        &mut k,
        "123456",
        Verdict::StillLocked {
            left: Duration::from_secs(30),
        },
    );
    assert!(matches!(k.m.overlay(), Some(Overlay::StaffLocked { .. })));
    assert!(k.logs().is_empty(), "{:?}", k.logs());
}

#[test]
fn a_pin_that_cannot_be_checked_is_not_counted_as_wrong() {
    let mut k = Kiosk::tiny();
    to_staff_pin(&mut k);
    k.keys("1").key(Key::Enter);
    let now = k.now;
    k.send(Msg::PinChecked(Err("store unreadable".into()), now));
    match k.m.overlay() {
        Some(Overlay::StaffPin { note, .. }) => assert_eq!(*note, PinNote::CheckFailed),
        o => panic!("{o:?}"),
    }
    assert!(
        k.logs()
            .iter()
            .any(|l| l == "exit PIN check failed: store unreadable")
    );
}

#[test]
fn a_forgotten_staff_menu_closes_and_wipes_after_the_idle_timeout() {
    let mut k = Kiosk::tiny();
    k.key(Key::Enter).key(Key::Enter).answer('1');
    to_staff_pin(&mut k);
    pin(&mut k, "123456", Verdict::Right);
    k.wait(61.0);
    assert_eq!(k.m.overlay(), None);
    assert_eq!(k.m.screen(), &Screen::Welcome);
    assert_eq!(k.m.answer(0), None);
}
