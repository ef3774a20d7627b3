//! What is read aloud on each screen, and that nothing a patient chose or typed ever is.

use crate::kiosk::model::tests::Kiosk;
use crate::kiosk::model::{Button, Effect, Key, Msg, STILL_THERE_FOR, Screen};
use crate::speech::{Part, Utterance};

/// The tiny two-language survey with speech on.
fn speaking() -> Kiosk {
    let mut k = Kiosk::tiny();
    let m = k.m;
    k.m = m.with_speech(true);
    k
}

/// Every utterance said since the last call, in order (`None` for a hush).
fn said(k: &mut Kiosk) -> Vec<Option<Utterance>> {
    k.take()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Speak(u) => Some(Some(u)),
            Effect::Hush => Some(None),
            _ => None,
        })
        .collect()
}

/// The one utterance said since the last call.
fn one(k: &mut Kiosk) -> Utterance {
    let mut all = said(k);
    assert_eq!(all.len(), 1, "{all:?}");
    all.pop().flatten().expect("spoken, not hushed")
}

fn pl(text: &str) -> Part {
    Part {
        lang: "pl".into(),
        text: text.into(),
    }
}

fn en(text: &str) -> Part {
    Part {
        lang: "en".into(),
        text: text.into(),
    }
}

#[test]
fn every_screen_is_said_in_the_chosen_language_with_every_numbered_answer() {
    let mut k = speaking();
    let welcome = super::utterance(&k.m).unwrap();
    assert_eq!(welcome.name, "welcome");
    assert_eq!(
        welcome.parts,
        [
            en(
                "Your care. A few questions. It is anonymous: we never ask your name. It takes \
                about 2 minutes. To answer, tap a button or press its number. To hear a screen \
                again, press 0. Press any key or tap to start."
            ),
            pl("Naciśnij dowolny klawisz lub dotknij, aby zacząć."),
        ]
    );
    k.key(Key::Enter);
    assert_eq!(
        one(&mut k).parts,
        [
            en("Choose your language."),
            pl("Wybierz język."),
            en("1: English."),
            pl("2: Polski."),
        ]
    );
    k.keys("2");
    let q1 = one(&mut k);
    assert_eq!(q1.name, "question-01");
    assert_eq!(
        q1.parts,
        [pl(
            "Pytanie 1 z 3. Personel traktuje mnie jak człowieka. 1: Nie zgadzam się. 2: Nie \
             wiem. 3: Zgadzam się. 4: Nie dotyczy. 5: Pomiń to pytanie."
        )]
    );
    k.answer('3');
    assert_eq!(one(&mut k).name, "question-02");
    k.answer('2');
    // The headline's answers in key order: its good end ("Dobrze", stored as 1) on the last key.
    assert_eq!(
        one(&mut k).parts,
        [pl(
            "Pytanie 3 z 3. Jak ogólnie oceniasz naszą opiekę? 1: Źle. 2: Dobrze. 3: Pomiń to \
             pytanie."
        )]
    );
    k.answer('2');
    assert_eq!(
        one(&mut k).parts,
        [pl(
            "Coś jeszcze? Nie podawaj nazwisk. Wpisz swoje słowa i naciśnij Enter. To, co \
             piszesz, nie jest czytane na głos."
        )]
    );
    k.key(Key::Enter);
    assert_eq!(
        one(&mut k).parts,
        [pl(
            "Gotowe do wysłania? Twoje odpowiedzi są wysyłane bez imienia i nazwiska. 1: \
             Wyślij. 2: Wróć."
        )]
    );
    k.key(Key::Enter);
    assert_eq!(said(&mut k), [None], "sending is not read aloud: hush");
    let now = k.now;
    k.send(Msg::Submitted(Err("disk full".into()), now));
    assert_eq!(
        one(&mut k).parts,
        [pl(
            "Przepraszamy, nie udało się zapisać odpowiedzi. To nie twoja wina. Spróbuj \
             ponownie lub powiedz pracownikowi. 1: Spróbuj ponownie. 2: Zakończ."
        )]
    );
    k.keys("1");
    said(&mut k);
    k.send(Msg::Submitted(Ok(()), now));
    assert_eq!(
        one(&mut k).parts,
        [pl(
            "Dziękujemy. Twoje odpowiedzi pomagają nam poprawić opiekę."
        )]
    );
}

#[test]
fn nothing_chosen_or_typed_is_ever_said_and_choosing_says_nothing() {
    let mut k = speaking();
    k.key(Key::Enter);
    said(&mut k);
    k.key(Key::Enter);
    let question = one(&mut k);
    // Choosing marks the answer on screen; nothing is said until the next question appears.
    for key in ['1', '2', '3', '4', '5'] {
        k.keys(&key.to_string());
        assert_eq!(said(&mut k), [], "key {key}");
        assert_eq!(super::utterance(&k.m).as_ref(), Some(&question));
    }
    k.wait(1.0).answer('2').answer('1');
    assert_eq!(k.m.screen(), &Screen::Comment);
    said(&mut k);
    // The tiny survey's comment holds 10 characters.
    k.keys("Zyx");
    let now = k.now;
    k.send(Msg::Paste("\r\nQvw\n9 and more".into(), now));
    assert_eq!(k.m.comment(), "Zyx Qvw 9 ");
    assert_eq!(said(&mut k), [], "typing and pasting say nothing");
    k.press(Button::HearAgain);
    k.key(Key::Enter).key(Key::Enter);
    let now = k.now;
    k.send(Msg::Submitted(Ok(()), now));
    let all = said(&mut k);
    assert!(all.len() >= 3, "{all:?}");
    for u in all.iter().flatten() {
        for part in &u.parts {
            assert!(
                !part.text.contains("Zyx") && !part.text.contains("Qvw"),
                "{part:?}"
            );
        }
    }
}

#[test]
fn moving_on_says_the_next_screen_and_staff_screens_hush() {
    let mut k = speaking();
    k.key(Key::Enter);
    said(&mut k);
    k.key(Key::Enter);
    assert_eq!(one(&mut k).name, "question-01");
    k.key(Key::Right);
    assert_eq!(one(&mut k).name, "question-02");
    k.key(Key::Staff);
    assert_eq!(said(&mut k), [None], "the staff PIN screen is silent");
    k.key(Key::Esc);
    assert_eq!(one(&mut k).name, "question-02", "back to the question");
    k.wait(60.0);
    let still = one(&mut k);
    assert_eq!(still.name, "still-there");
    assert!(
        still.parts[0]
            .text
            .contains(&STILL_THERE_FOR.as_secs().to_string()),
        "{still:?}"
    );
    k.wait(1.0).wait(1.0);
    assert_eq!(said(&mut k), [], "the countdown is said once");
    k.key(Key::Other);
    assert_eq!(one(&mut k).name, "question-02");
}

#[test]
fn hear_it_again_repeats_the_screen_by_key_0_or_tap_but_0_is_typed_in_a_comment() {
    let mut k = speaking();
    k.key(Key::Enter);
    let language = one(&mut k);
    k.keys("0");
    assert_eq!(one(&mut k), language);
    assert_eq!(k.m.screen(), &Screen::Language, "0 did not choose anything");
    k.keys("1");
    let question = one(&mut k);
    k.press(Button::HearAgain);
    assert_eq!(one(&mut k), question);
    k.keys("0");
    assert_eq!(one(&mut k), question);
    assert_eq!(k.m.answer(0), None);
    k.answer('1').answer('1').answer('1');
    said(&mut k);
    k.keys("0");
    assert_eq!(k.m.comment(), "0");
    assert_eq!(said(&mut k), []);
    k.press(Button::HearAgain);
    assert_eq!(one(&mut k).name, "comment");
    // Tab reaches the button too, and Enter presses it.
    k.key(Key::Tab).key(Key::Tab).key(Key::Enter);
    assert_eq!(k.m.screen(), &Screen::Comment);
    assert_eq!(one(&mut k).name, "comment");
}

#[test]
fn the_reminder_to_choose_is_said_when_it_appears() {
    let mut k = speaking();
    k.key(Key::Enter).key(Key::Enter).answer('1');
    said(&mut k);
    k.key(Key::Right);
    assert!(k.m.hint());
    let hint = one(&mut k);
    assert_eq!(hint.name, "hint-02");
    assert_eq!(hint.parts, [en("Please choose an answer.")]);
    // Hearing it again now says the reminder before the question.
    let again = super::utterance(&k.m).unwrap();
    assert!(
        again.parts[0]
            .text
            .starts_with("Please choose an answer. Question 2 of 3."),
        "{again:?}"
    );
}

#[test]
fn without_speech_nothing_is_said_and_there_is_no_hear_again_button() {
    let mut k = Kiosk::tiny();
    assert!(!k.m.buttons().contains(&Button::HearAgain));
    k.key(Key::Enter).key(Key::Enter).keys("0");
    assert!(!k.m.buttons().contains(&Button::HearAgain));
    k.answer('1').answer('1').answer('1');
    k.keys("x").key(Key::Enter).key(Key::Enter);
    assert_eq!(said(&mut k), []);
}
