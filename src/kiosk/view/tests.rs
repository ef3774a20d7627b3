//! Screen tests: snapshots of every screen at 80×24 and 60×20, every screen at many sizes
//! without a panic, colours of the chosen answer, the monochrome theme, and taps.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

use super::render;
use crate::keys::lockout::Verdict;
use crate::kiosk::SetupInfo;
use crate::kiosk::model::tests::Kiosk;
use crate::kiosk::model::{Config, Key, LOCKOUT, Model, Msg};
use crate::tui::Theme;

pub(crate) fn icare() -> Kiosk {
    Kiosk::new(crate::survey::load::EMBEDDED_ICARE)
}

/// Every screen the kiosk can show, each in a typical state.
fn screens() -> Vec<(&'static str, Kiosk)> {
    let mut out = vec![];
    out.push(("welcome", icare()));
    out.push(("welcome_two_languages", Kiosk::tiny()));
    let mut k = Kiosk::tiny();
    k.key(Key::Enter);
    out.push(("language", k));
    let mut k = icare();
    k.key(Key::Enter)
        .key(Key::Enter)
        .answer('4')
        .answer('2')
        .keys("5")
        .key(Key::Down);
    out.push(("question_chosen", k));
    let mut k = Kiosk::tiny();
    k.key(Key::Enter).keys("2").answer('1').key(Key::Right);
    out.push(("question_hint_polish", k));
    let mut typed = icare_comment_screen();
    typed.keys("The nurse listened to me and did not rush.");
    out.push(("comment", typed));
    out.push(("confirm", confirm()));
    let mut k = confirm();
    k.key(Key::Enter);
    out.push(("sending", k));
    let mut k = confirm();
    let now = k.now;
    k.key(Key::Enter).send(Msg::Submitted(Ok(()), now));
    out.push(("thanks", k));
    let mut k = confirm();
    k.key(Key::Enter)
        .send(Msg::Submitted(Err("disk full".into()), now));
    out.push(("save_failed", k));
    let mut k = icare();
    k.key(Key::Enter)
        .key(Key::Enter)
        .answer('1')
        .wait(60.0)
        .wait(3.0);
    out.push(("still_there", k));
    let mut k = icare();
    k.key(Key::Staff).keys("99").key(Key::Enter);
    let now = k.now;
    k.send(Msg::PinChecked(Ok(Verdict::Wrong { left: 4 }), now))
        .keys("12");
    out.push(("staff_pin", k));
    let mut k = icare();
    k.key(Key::Staff);
    k.keys("0").key(Key::Enter);
    let now = k.now;
    k.send(Msg::PinChecked(
        Ok(Verdict::LockedNow { left: LOCKOUT }),
        now,
    ));
    out.push(("staff_locked", k));
    let mut k = icare();
    k.key(Key::Staff).keys("123456").key(Key::Enter);
    let now = k.now;
    k.send(Msg::PinChecked(Ok(Verdict::Right), now));
    let at = chrono::NaiveTime::from_hms_opt(14, 2, 0).unwrap();
    k.send(Msg::SavingChecked(Ok(()), at));
    out.push(("staff_menu", k));
    let mut k = confirm();
    let now = k.now;
    k.key(Key::Enter)
        .send(Msg::Submitted(Err("No space left on device".into()), now))
        .keys("2");
    k.key(Key::Staff).keys("123456").key(Key::Enter);
    let now = k.now;
    k.send(Msg::PinChecked(Ok(Verdict::Right), now));
    let at = chrono::NaiveTime::from_hms_opt(9, 30, 0).unwrap();
    k.send(Msg::SavingChecked(
        Err("No space left on device".into()),
        at,
    ));
    out.push(("staff_menu_saving_fails", k));
    let mut k = setup();
    k.keys("Riverside Practice")
        .key(Key::Enter)
        .keys("short")
        .key(Key::Enter);
    k.keys("correct horse");
    out.push(("setup_passphrase", k));
    let mut k = setup();
    let now = k.now;
    k.keys("Riverside").key(Key::Enter);
    k.keys("correct horse battery").key(Key::Enter);
    k.keys("correct horse battery").key(Key::Enter);
    k.keys("246813")
        .key(Key::Enter)
        .keys("246813")
        .key(Key::Enter);
    let info = SetupInfo {
        public_key: "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq".into(),
        identity_file: "/var/lib/icare/manager-identity.age".into(),
    };
    k.send(Msg::SetupDone(Ok(info), now));
    out.push(("setup_done", k));
    out
}

fn icare_comment_screen() -> Kiosk {
    let mut k = icare();
    k.key(Key::Enter).key(Key::Enter);
    let questions = k.m.survey().items.len() + 1;
    for _ in 0..questions {
        k.answer('1');
    }
    k
}

fn confirm() -> Kiosk {
    let mut k = icare_comment_screen();
    k.key(Key::Enter);
    k
}

fn setup() -> Kiosk {
    let mut k = icare();
    let config = Config {
        idle_timeout: Duration::from_secs(60),
        needs_setup: true,
    };
    k.m = Model::new(k.m.survey().clone(), config, k.t0);
    k
}

pub(crate) fn draw(m: &Model, theme: &Theme, w: u16, h: u16) -> Buffer {
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    render(m, theme, buf.area, &mut buf);
    buf
}

/// The buffer as text, one line per row, trailing spaces removed.
pub(crate) use crate::tui::layout::buffer_text as text;

#[test]
fn every_screen_at_80x24_and_60x20() {
    for (name, k) in screens() {
        for (w, h) in [(80, 24), (60, 20)] {
            let shown = text(&draw(&k.m, &Theme::COLOR, w, h));
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), shown);
        }
    }
}

#[test]
fn big_screens_use_big_letters_for_short_headings() {
    let mut k = confirm();
    let now = k.now;
    k.key(Key::Enter).send(Msg::Submitted(Ok(()), now));
    insta::assert_snapshot!("thanks_120x40", text(&draw(&k.m, &Theme::COLOR, 120, 40)));
    let k = icare();
    insta::assert_snapshot!("welcome_250x70", text(&draw(&k.m, &Theme::COLOR, 250, 70)));
}

#[test]
fn below_60x20_asks_for_a_larger_window() {
    let k = icare();
    let shown = text(&draw(&k.m, &Theme::COLOR, 59, 20));
    assert!(shown.contains("Please make this window larger"), "{shown}");
    let shown = text(&draw(&k.m, &Theme::COLOR, 60, 19));
    assert!(shown.contains("Please make this window"), "{shown}");
}

#[test]
fn every_screen_draws_at_every_size_up_to_120x40_without_panic() {
    let sizes = (0..=120u16)
        .step_by(7)
        .chain([1, 59, 60, 61, 120])
        .flat_map(|w| {
            (0..=40u16)
                .step_by(3)
                .chain([1, 19, 20, 21, 40])
                .map(move |h| (w, h))
        });
    let sizes: Vec<(u16, u16)> = sizes.collect();
    for (_, k) in screens() {
        for &(w, h) in &sizes {
            let buf = draw(&k.m, &Theme::COLOR, w, h);
            assert_eq!(buf.area, Rect::new(0, 0, w, h));
        }
    }
}

#[test]
fn the_question_and_answers_fit_on_every_supported_size() {
    let mut k = icare();
    k.key(Key::Enter).key(Key::Enter);
    for (w, h) in [(60, 20), (80, 24), (100, 30), (250, 70)] {
        let shown = text(&draw(&k.m, &Theme::COLOR, w, h));
        for words in [
            "Question 1 of 26",
            "1  Strongly disagree",
            "7  Skip this question",
            "Back",
            "Next",
        ] {
            assert!(
                shown.contains(words),
                "{words} missing at {w}x{h}:\n{shown}"
            );
        }
    }
}

/// The row of the buffer that contains `needle`.
pub(crate) fn row_of(buf: &Buffer, needle: &str) -> u16 {
    let shown = text(buf);
    shown
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not on screen:\n{shown}")) as u16
}

#[test]
fn the_chosen_answer_has_its_own_colour_and_a_tick_with_words() {
    let mut k = icare();
    k.key(Key::Enter).key(Key::Enter).keys("4");
    let buf = draw(&k.m, &Theme::COLOR, 80, 24);
    let chosen = row_of(&buf, "4  Agree");
    let other = row_of(&buf, "2  Disagree");
    let line: String = (0..80).map(|x| buf[(x, chosen)].symbol()).collect();
    assert!(line.contains("✓ your answer"), "{line}");
    let x = line.find('4').unwrap() as u16;
    assert_eq!(buf[(x, chosen)].bg, Theme::COLOR.chosen.bg.unwrap());
    assert_eq!(buf[(x, chosen)].fg, Theme::COLOR.chosen.fg.unwrap());
    assert_eq!(buf[(x, other)].bg, Theme::COLOR.button.bg.unwrap());
    assert_ne!(Theme::COLOR.chosen.bg, Theme::COLOR.button.bg);
}

#[test]
fn monochrome_uses_no_colour_and_marks_the_answer_by_reverse_and_tick() {
    let mut k = icare();
    k.key(Key::Enter).key(Key::Enter).keys("4").key(Key::Down);
    let buf = draw(&k.m, &Theme::MONO, 80, 24);
    for cell in buf.content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset));
    }
    let chosen = row_of(&buf, "4  Agree");
    let line: String = (0..80).map(|x| buf[(x, chosen)].symbol()).collect();
    let x = line.find('4').unwrap() as u16;
    assert!(buf[(x, chosen)].modifier.contains(Modifier::REVERSED));
    assert!(line.contains("✓ your answer"));
    // The focused button (moved down to 5) is marked with an arrow, not colour.
    let focused = row_of(&buf, "5  Strongly agree");
    let line: String = (0..80).map(|x| buf[(x, focused)].symbol()).collect();
    assert!(line.contains("▶ 5"), "{line}");
}

#[test]
fn resizing_keeps_the_answers() {
    let mut k = icare();
    k.key(Key::Enter).key(Key::Enter).answer('2').keys("3");
    draw(&k.m, &Theme::COLOR, 30, 10);
    k.send(Msg::Resize);
    let shown = text(&draw(&k.m, &Theme::COLOR, 100, 30));
    assert!(
        shown.contains("3  Not sure") && shown.contains("✓ your answer"),
        "{shown}"
    );
}

#[test]
fn survey_text_with_escape_sequences_is_drawn_harmlessly() {
    // The loader refuses control characters, so put them straight into the model: this is the
    // renderer's own defence, for text that reaches it by any other path.
    let mut survey = crate::survey::embedded().unwrap();
    survey.items[0].text.0.insert(
        "en".to_string(),
        "Staff\u{1b}[2J here\u{202e} treat\u{7} me".to_string(),
    );
    let mut k = Kiosk::with_survey(survey);
    k.key(Key::Enter).key(Key::Enter);
    let buf = draw(&k.m, &Theme::COLOR, 80, 24);
    let shown = text(&buf);
    assert!(shown.contains("Staff here treat me"), "{shown}");
    for cell in buf.content() {
        assert!(!cell.symbol().chars().any(crate::sanitize::is_unsafe));
    }
}
