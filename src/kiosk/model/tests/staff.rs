//! Staff exit tests: F10, the PIN, the lockout, the menu and its daily count.

use chrono::NaiveDate;

use super::Kiosk;
use crate::kiosk::model::*;
use crate::response::Answer;

fn to_staff_pin(k: &mut Kiosk) {
    k.key(Key::Staff);
    assert!(matches!(k.m.overlay(), Some(Overlay::StaffPin { .. })));
}

fn pin(k: &mut Kiosk, pin: &str, right: bool) {
    k.keys(pin).key(Key::Enter);
    let fx = k.take();
    let typed = fx.iter().find_map(|e| match e {
        Effect::CheckPin(p) => Some(p.to_string()),
        _ => None,
    });
    assert_eq!(typed.as_deref(), Some(pin));
    let now = k.now;
    k.send(Msg::PinChecked(Ok(right), now));
}

#[test]
fn staff_key_and_the_right_pin_open_the_staff_menu_which_quits() {
    let mut k = Kiosk::tiny();
    k.key(Key::Enter).key(Key::Enter).answer('1');
    to_staff_pin(&mut k);
    pin(&mut k, "1234", true);
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
    pin(&mut k, "1234", true);
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
        pin(&mut k, "0000", false);
        match k.m.overlay() {
            Some(Overlay::StaffPin { note, .. }) => assert_eq!(*note, PinNote::Wrong { left }),
            o => panic!("{o:?}"),
        }
    }
    pin(&mut k, "0000", false);
    assert!(matches!(k.m.overlay(), Some(Overlay::StaffLocked { .. })));
    assert!(k.logs().iter().any(|l| l.contains("locked for 5 minutes")));
    k.key(Key::Other);
    assert_eq!(k.m.overlay(), None);
    // Still locked four minutes later: F10 only shows the notice.
    k.wait(240.0).key(Key::Staff);
    assert!(matches!(k.m.overlay(), Some(Overlay::StaffLocked { .. })));
    k.key(Key::Other).wait(61.0);
    to_staff_pin(&mut k);
    pin(&mut k, "1234", true);
    assert_eq!(k.m.overlay(), Some(&Overlay::StaffMenu));
}

#[test]
fn a_pin_that_cannot_be_checked_is_not_counted_as_wrong() {
    let mut k = Kiosk::tiny();
    to_staff_pin(&mut k);
    k.keys("1").key(Key::Enter);
    let now = k.now;
    k.send(Msg::PinChecked(Err("store unreadable".into()), now));
    assert_eq!(k.m.staff().wrong, 0);
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
    pin(&mut k, "1234", true);
    k.wait(61.0);
    assert_eq!(k.m.overlay(), None);
    assert_eq!(k.m.screen(), &Screen::Welcome);
    assert_eq!(k.m.answer(0), None);
}

#[test]
fn the_daily_count_resets_on_a_new_day() {
    let mut k = Kiosk::tiny();
    k.key(Key::Enter)
        .key(Key::Enter)
        .answer('1')
        .answer('1')
        .answer('1');
    k.key(Key::Enter).key(Key::Enter);
    let now = k.now;
    k.send(Msg::Submitted(Ok(()), now));
    assert_eq!(k.m.saved_today(), 1);
    k.send(Msg::NewDay(NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()));
    assert_eq!(k.m.saved_today(), 1);
    k.send(Msg::NewDay(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()));
    assert_eq!(k.m.saved_today(), 0);
}
