//! How a response ends: saved ("thank you"), not saved ("sorry", with a try again), or left
//! behind (the idle countdown and the wipe); and that the staff log keeps nothing of the patient's
//! along the way.

use super::*;

#[test]
fn a_failed_save_says_sorry_keeps_the_reason_for_staff_unlogged_and_can_be_tried_again() {
    let mut k = Kiosk::tiny();
    k.answer_to_the_comment();
    k.keys("ok").key(Key::Enter).key(Key::Enter);
    let first = k.submitted();
    let now = k.now;
    k.send(Msg::Submitted(Err("No space left on device".into()), now));
    assert_eq!(k.m.screen(), &Screen::SaveFailed);
    // No dated line ties the failure to the moment someone answered; the staff menu says it.
    assert!(k.logs().is_empty(), "{:?}", k.logs());
    assert_eq!(k.m.save_failed(), Some("No space left on device"));
    assert_eq!(k.m.comment(), "ok", "answers kept for another try");
    k.take();
    k.keys("1");
    assert_eq!(k.submitted(), first);
    k.send(Msg::Submitted(Err("disk".into()), now));
    k.key(Key::Backspace).key(Key::Left).key(Key::Esc);
    assert_eq!(
        k.m.screen(),
        &Screen::SaveFailed,
        "no accidental wipe by a back key"
    );
    k.keys("2");
    assert_eq!(k.m.screen(), &Screen::Welcome);
    assert_eq!(k.m.comment(), "");
    assert_eq!(k.m.answer(0), None);
}

#[test]
fn the_log_never_holds_an_answer_or_the_comment() {
    // The comment, the chosen answers' labels and the backend's reasons are all different words,
    // so a line holding anything of the patient's cannot pass for the backend's reason.
    let comment = "Kestrel";
    let patients = [comment, "Disagree", "No", "Poor", "Value"];
    let mut k = Kiosk::tiny();
    k.answer_to_the_comment();
    k.keys(comment).key(Key::Enter).key(Key::Enter);
    let now = k.now;
    k.send(Msg::Submitted(Err("Input/output error".into()), now));
    // The answers and the comment are kept for "Try again" while saving is checked, and the
    // failed check is logged then.
    assert_eq!(k.m.comment(), comment);
    k.send(Msg::SavingChecked(
        Err("disk full".into()),
        chrono::NaiveTime::MIN,
    ));
    k.keys("1");
    k.send(Msg::Submitted(Ok(()), now));
    let logs = k.logs();
    for line in &logs {
        for word in patients {
            assert!(!line.contains(word), "the log holds {word:?}: {line:?}");
        }
    }
    // Neither the failed save nor the saved one is logged (no dated trace of a response); the
    // failed check is, with the backend's reason and nothing of the patient's.
    assert_eq!(logs, ["saving check failed: disk full"]);
}

#[test]
fn thank_you_returns_to_welcome_after_ten_seconds_or_at_once_on_a_key() {
    let mut k = Kiosk::tiny();
    k.answer_to_the_comment();
    k.key(Key::Enter).key(Key::Enter);
    let now = k.now;
    k.send(Msg::Submitted(Ok(()), now));
    k.wait(9.0);
    assert!(matches!(k.m.screen(), Screen::Thanks { .. }));
    k.wait(1.0);
    assert_eq!(k.m.screen(), &Screen::Welcome);
    assert!(k.take().contains(&Effect::ClearScreen));

    let mut k = Kiosk::tiny();
    k.answer_to_the_comment();
    k.key(Key::Enter).key(Key::Enter);
    let now = k.now;
    k.send(Msg::Submitted(Ok(()), now)).key(Key::Char('x'));
    assert_eq!(k.m.screen(), &Screen::Welcome);
}

#[test]
fn idle_asks_are_you_still_there_and_any_key_keeps_the_answers() {
    let mut k = Kiosk::tiny();
    k.key(Key::Enter).key(Key::Enter).answer('2');
    assert_eq!(
        k.m.next_deadline(),
        Some(k.now - Duration::from_secs(1) + IDLE)
    );
    k.wait(58.0);
    assert_eq!(k.m.overlay(), None);
    k.wait(1.0);
    assert!(matches!(k.m.overlay(), Some(Overlay::StillThere { .. })));
    k.wait(10.0);
    k.key(Key::Other);
    assert_eq!(k.m.overlay(), None);
    assert_eq!(k.m.screen(), &Screen::Question(1));
    assert_eq!(k.m.answer(0), Some(Answer::Value(2)));
}

#[test]
fn after_the_countdown_every_answer_is_wiped_and_the_screen_cleared() {
    let mut k = Kiosk::tiny();
    k.key(Key::Enter)
        .key(Key::Enter)
        .answer('2')
        .answer('1')
        .answer('1');
    k.keys("hello");
    k.wait(60.0);
    assert!(matches!(k.m.overlay(), Some(Overlay::StillThere { .. })));
    k.wait(14.0);
    assert!(k.m.overlay().is_some());
    k.take();
    k.wait(1.0);
    assert_eq!(k.m.overlay(), None);
    assert_eq!(k.m.screen(), &Screen::Welcome);
    assert_eq!(k.m.comment(), "");
    assert!((0..k.m.steps()).all(|i| k.m.answer(i).is_none()));
    assert_eq!(k.m.language(), "en");
    let fx = k.take();
    assert!(fx.contains(&Effect::ClearScreen));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Submit(_))),
        "nothing partial is stored"
    );
}

#[test]
fn going_back_to_the_welcome_screen_forgets_everything() {
    let mut k = Kiosk::tiny();
    k.key(Key::Enter).keys("2").answer('1');
    k.key(Key::Left).key(Key::Left);
    assert_eq!(k.m.screen(), &Screen::Language);
    assert_eq!(k.m.answer(0), Some(Answer::Value(1)));
    k.take();
    k.key(Key::Left);
    assert_eq!(k.m.screen(), &Screen::Welcome);
    assert_eq!(k.m.answer(0), None, "the next patient must not find it");
    assert_eq!(k.m.language(), "en");
    assert!(k.take().contains(&Effect::ClearScreen));
}

#[test]
fn the_welcome_screen_never_times_out() {
    let mut k = Kiosk::tiny();
    assert_eq!(k.m.next_deadline(), None);
    k.wait(3600.0);
    assert_eq!(k.m.overlay(), None);
    assert_eq!(k.m.screen(), &Screen::Welcome);
}
