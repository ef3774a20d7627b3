//! What the staff menu says, as the page the view draws: the saving check and a failed save,
//! never a count of responses.

use chrono::NaiveTime;

use super::page;
use crate::keys::lockout::Verdict;
use crate::kiosk::model::tests::Kiosk;
use crate::kiosk::model::tests::staff::{pin, to_staff_pin};
use crate::kiosk::model::{Effect, Key, Msg, Screen};

#[test]
fn the_staff_menu_checks_saving_and_shows_no_count_of_responses() {
    let mut k = Kiosk::tiny();
    for _ in 0..3 {
        k.answer_to_the_comment();
        k.key(Key::Enter).key(Key::Enter);
        let now = k.now;
        k.send(Msg::Submitted(Ok(()), now)).key(Key::Other);
    }
    to_staff_pin(&mut k);
    pin(&mut k, "123456", Verdict::Right);
    assert!(
        k.take().contains(&Effect::CheckSaving),
        "opening the menu checks saving"
    );
    let at = NaiveTime::from_hms_opt(14, 2, 0).unwrap();
    k.send(Msg::SavingChecked(Ok(()), at));
    let page = page(&k.m);
    let text = format!("{:?}", page.body);
    assert!(text.contains("Saving works (checked at 14:02)."), "{text}");
    assert!(!text.contains('3'), "a count of responses: {text}");
    assert!(k.logs().is_empty(), "a check that passes is not logged");
}

#[test]
fn a_failed_save_and_a_failed_check_show_in_the_menu_and_the_check_is_logged() {
    let mut k = Kiosk::tiny();
    k.answer_to_the_comment();
    k.key(Key::Enter).key(Key::Enter);
    let now = k.now;
    k.send(Msg::Submitted(Err("No space left on device".into()), now));
    k.keys("2");
    assert_eq!(k.m.screen(), &Screen::Welcome);
    to_staff_pin(&mut k);
    pin(&mut k, "123456", Verdict::Right);
    let at = NaiveTime::from_hms_opt(9, 30, 0).unwrap();
    k.send(Msg::SavingChecked(
        Err("No space left on device".into()),
        at,
    ));
    let text = format!("{:?}", page(&k.m).body);
    assert!(
        text.contains("Saving does not work: No space left on device (checked at 09:30)"),
        "{text}"
    );
    assert!(
        text.contains("A save failed since this menu was last opened: No space left on device."),
        "{text}"
    );
    assert!(
        k.logs()
            .contains(&"saving check failed: No space left on device".to_string())
    );
    // Seen once: back to the survey and in again, the failed save is no longer mentioned.
    k.keys("1");
    to_staff_pin(&mut k);
    pin(&mut k, "123456", Verdict::Right);
    let text = format!("{:?}", page(&k.m).body);
    assert!(!text.contains("A save failed"), "{text}");
}
