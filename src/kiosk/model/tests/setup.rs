//! First-run setup tests.

use super::{IDLE, Kiosk};
use crate::kiosk::model::*;

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
    k.key(Key::Enter);
    assert_eq!(k.m.screen(), &Screen::Welcome);
}

#[test]
fn a_failed_setup_shows_the_reason_and_starts_the_form_again() {
    let mut k = setup_kiosk();
    k.keys("Site").key(Key::Enter);
    k.keys("a long passphrase").key(Key::Enter);
    k.keys("a long passphrase").key(Key::Enter);
    k.keys("1234").key(Key::Enter).keys("1234").key(Key::Enter);
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
