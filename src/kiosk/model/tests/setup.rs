//! First-run setup tests.

use super::{IDLE, Kiosk};
use crate::kiosk::model::*;
use crate::kiosk::settings::Settings;

fn setup_kiosk() -> Kiosk {
    let mut k = Kiosk::tiny();
    let config = Config {
        idle_timeout: IDLE,
        needs_setup: true,
    };
    k.m = Model::new(k.m.survey().clone(), config, k.t0);
    k
}

fn setup_step(k: &Kiosk) -> SetupStep {
    match k.m.screen() {
        Screen::Setup(f) => f.step,
        s => panic!("{s:?}"),
    }
}

#[test]
fn first_run_setup_asks_twice_and_checks_each_field() {
    let mut k = setup_kiosk();
    k.key(Key::Enter);
    assert_eq!(setup_step(&k), SetupStep::Site, "a name is needed");
    k.keys("Riverside Practice").key(Key::Enter);
    assert_eq!(setup_step(&k), SetupStep::Passphrase);
    k.keys("short").key(Key::Enter);
    assert_eq!(setup_step(&k), SetupStep::Passphrase);
    k.keys("correct horse battery").key(Key::Enter);
    k.keys("correct horse batterx").key(Key::Enter);
    assert_eq!(setup_step(&k), SetupStep::Passphrase, "the two differed");
    k.keys("correct horse battery").key(Key::Enter);
    k.keys("correct horse battery").key(Key::Enter);
    assert_eq!(setup_step(&k), SetupStep::Pin);
    k.keys("12a4").key(Key::Enter);
    assert_eq!(setup_step(&k), SetupStep::Pin, "digits only");
    k.keys("246813")
        .key(Key::Enter)
        .keys("246813")
        .key(Key::Enter);
    assert_eq!(setup_step(&k), SetupStep::Speech);
    assert!(
        !k.take().iter().any(|e| matches!(e, Effect::Setup { .. })),
        "nothing is made before the last question"
    );
    k.key(Key::Enter);
    assert_eq!(setup_step(&k), SetupStep::Speech, "1 or 2, nothing else");
    k.keys("2");
    assert_eq!(setup_step(&k), SetupStep::Working);
    let fx = k.take();
    let setup = fx.iter().find_map(|e| match e {
        Effect::Setup {
            site,
            passphrase,
            pin,
        } => Some((site.clone(), passphrase.to_string(), pin.to_string())),
        _ => None,
    });
    assert_eq!(
        setup,
        Some((
            "Riverside Practice".into(),
            "correct horse battery".into(),
            "246813".into()
        ))
    );
    let info = SetupInfo {
        public_key: "age1xyz".into(),
        identity_file: "/data/manager.age".into(),
    };
    let now = k.now;
    k.send(Msg::SetupDone(Ok(info.clone()), now));
    assert_eq!(k.m.screen(), &Screen::SetupDone(info));
    assert!(
        k.take()
            .contains(&Effect::SaveSettings(Settings { speech: false }))
    );
    assert!(!k.m.speech());
    k.key(Key::Enter);
    assert_eq!(k.m.screen(), &Screen::Welcome);
}

#[test]
fn choosing_speech_at_setup_turns_it_on_and_keeps_it_once_the_store_is_made() {
    let mut k = setup_kiosk();
    k.keys("Site").key(Key::Enter);
    k.keys("a long passphrase").key(Key::Enter);
    k.keys("a long passphrase").key(Key::Enter);
    k.keys("246813")
        .key(Key::Enter)
        .keys("246813")
        .key(Key::Enter);
    k.key(Key::Esc);
    assert_eq!(setup_step(&k), SetupStep::Pin, "Esc goes back to the PIN");
    k.keys("246813")
        .key(Key::Enter)
        .keys("246813")
        .key(Key::Enter);
    k.keys("1");
    assert!(!k.m.speech(), "not before the store exists");
    let info = SetupInfo {
        public_key: "age1xyz".into(),
        identity_file: "/data/manager.age".into(),
    };
    let now = k.now;
    k.take();
    k.send(Msg::SetupDone(Ok(info), now));
    assert!(k.m.speech());
    assert!(
        k.take()
            .contains(&Effect::SaveSettings(Settings { speech: true }))
    );
    // The set-up screens are never read aloud; the welcome screen is, once it is shown.
    k.key(Key::Enter);
    assert!(
        matches!(k.take().last(), Some(Effect::Speak(u)) if u.name == "welcome"),
        "the welcome is said"
    );
}

#[test]
fn a_pasted_passphrase_goes_into_the_field_without_its_line_break() {
    let mut k = setup_kiosk();
    k.keys("Site").key(Key::Enter);
    let now = k.now;
    k.send(Msg::Paste("a long passphrase\r\n".into(), now));
    k.key(Key::Enter);
    k.send(Msg::Paste("a long passphrase".into(), now));
    k.key(Key::Enter);
    assert_eq!(setup_step(&k), SetupStep::Pin, "both pastes were the same");
}

#[test]
fn a_failed_setup_shows_the_reason_and_starts_the_form_again() {
    let mut k = setup_kiosk();
    k.keys("Site").key(Key::Enter);
    k.keys("a long passphrase").key(Key::Enter);
    k.keys("a long passphrase").key(Key::Enter);
    k.keys("246813")
        .key(Key::Enter)
        .keys("246813")
        .key(Key::Enter)
        .keys("2");
    let now = k.now;
    k.send(Msg::SetupDone(Err("permission denied".into()), now));
    match k.m.screen() {
        Screen::Setup(f) => {
            assert_eq!(f.step, SetupStep::Site);
            assert_eq!(
                f.problem,
                Some(SetupProblem::Failed("permission denied".into()))
            );
        }
        s => panic!("{s:?}"),
    }
    // The staff key does nothing during setup.
    k.key(Key::Staff);
    assert_eq!(k.m.overlay(), None);
}
