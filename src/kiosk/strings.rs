//! The kiosk's own words (buttons, help, messages) in each language it knows; English otherwise.

/// Everything the kiosk itself says to a patient, in one language.
#[derive(Debug)]
pub struct Strings {
    pub anonymous: &'static str,
    /// "About {} minutes".
    pub about_minutes: &'static str,
    pub how_to_answer: &'static str,
    pub press_to_start: &'static str,
    pub choose_language: &'static str,
    /// "Question {} of {}".
    pub question_of: &'static str,
    pub does_not_apply: &'static str,
    pub skip: &'static str,
    pub chosen: &'static str,
    pub please_choose: &'static str,
    pub back: &'static str,
    pub next: &'static str,
    pub comment_heading: &'static str,
    /// "You can write {} more letters".
    pub letters_left: &'static str,
    pub done: &'static str,
    pub ready: &'static str,
    pub ready_body: &'static str,
    pub send: &'static str,
    pub go_back: &'static str,
    pub sending: &'static str,
    pub thanks: &'static str,
    pub thanks_body: &'static str,
    pub sorry: &'static str,
    pub sorry_body: &'static str,
    pub try_again: &'static str,
    pub finish: &'static str,
    pub still_there: &'static str,
    /// "Your answers will be cleared in {} seconds."
    pub clearing_in: &'static str,
    pub still_here: &'static str,
    pub too_small: &'static str,
    pub keys_question: &'static str,
    pub keys_comment: &'static str,
    pub keys_buttons: &'static str,
    /// Keys where there is no going back.
    pub keys_choose: &'static str,
    pub keys_any: &'static str,
    /// The button that reads the screen aloud again (key 0).
    pub hear_again: &'static str,
    /// Said after the welcome when speech is on.
    pub say_hear_again: &'static str,
    /// Said on the comment screen, after the survey's prompt and privacy words.
    pub say_comment: &'static str,
}

/// English, the fallback for any language without its own words.
pub const EN: Strings = Strings {
    anonymous: "It is anonymous: we never ask your name.",
    about_minutes: "It takes about {} minutes.",
    how_to_answer: "To answer, tap a button or press its number.",
    press_to_start: "Press any key or tap to start",
    choose_language: "Choose your language",
    question_of: "Question {} of {}",
    does_not_apply: "Does not apply",
    skip: "Skip this question",
    chosen: "your answer",
    please_choose: "Please choose an answer.",
    back: "Back",
    next: "Next",
    comment_heading: "Anything else?",
    letters_left: "You can write {} more letters.",
    done: "Done",
    ready: "Ready to send?",
    ready_body: "Your answers are sent without your name.",
    send: "Send",
    go_back: "Go back",
    sending: "Sending...",
    thanks: "Thank you",
    thanks_body: "Your answers help us make care here better.",
    sorry: "Sorry, we could not save your answers",
    sorry_body: "This is not your fault. Please try again, or tell a member of staff.",
    try_again: "Try again",
    finish: "Finish",
    still_there: "Are you still there?",
    clearing_in: "Your answers will be cleared in {} seconds.",
    still_here: "Yes, I am here",
    too_small: "Please make this window larger",
    keys_question: "Number: answer · Enter: next · Backspace: back · Up/Down: move",
    keys_comment: "Type your words · Enter: done · Left arrow: back",
    keys_buttons: "Number: choose · Enter: OK · Backspace: back · Up/Down: move",
    keys_choose: "Number: choose · Enter: OK · Up/Down: move",
    keys_any: "Press any key or tap",
    hear_again: "Hear it again",
    say_hear_again: "To hear a screen again, press 0.",
    say_comment: "Type your words, then press Enter. What you type is not read aloud.",
};

/// Polish.
pub const PL: Strings = Strings {
    anonymous: "To jest anonimowe: nigdy nie pytamy o imię i nazwisko.",
    about_minutes: "Zajmie to około {} minut.",
    how_to_answer: "Aby odpowiedzieć, dotknij przycisku lub naciśnij jego numer.",
    press_to_start: "Naciśnij dowolny klawisz lub dotknij, aby zacząć",
    choose_language: "Wybierz język",
    question_of: "Pytanie {} z {}",
    does_not_apply: "Nie dotyczy",
    skip: "Pomiń to pytanie",
    chosen: "twoja odpowiedź",
    please_choose: "Wybierz odpowiedź.",
    back: "Wstecz",
    next: "Dalej",
    comment_heading: "Coś jeszcze?",
    letters_left: "Pozostało znaków: {}.",
    done: "Gotowe",
    ready: "Gotowe do wysłania?",
    ready_body: "Twoje odpowiedzi są wysyłane bez imienia i nazwiska.",
    send: "Wyślij",
    go_back: "Wróć",
    sending: "Wysyłanie...",
    thanks: "Dziękujemy",
    thanks_body: "Twoje odpowiedzi pomagają nam poprawić opiekę.",
    sorry: "Przepraszamy, nie udało się zapisać odpowiedzi",
    sorry_body: "To nie twoja wina. Spróbuj ponownie lub powiedz pracownikowi.",
    try_again: "Spróbuj ponownie",
    finish: "Zakończ",
    still_there: "Czy nadal tu jesteś?",
    clearing_in: "Twoje odpowiedzi zostaną usunięte za {} s.",
    still_here: "Tak, jestem",
    too_small: "Powiększ to okno",
    keys_question: "Numer: odpowiedź · Enter: dalej · Backspace: wstecz · Góra/Dół: ruch",
    keys_comment: "Pisz · Enter: gotowe · Strzałka w lewo: wstecz",
    keys_buttons: "Numer: wybór · Enter: OK · Backspace: wstecz · Góra/Dół: ruch",
    keys_choose: "Numer: wybór · Enter: OK · Góra/Dół: ruch",
    keys_any: "Naciśnij dowolny klawisz lub dotknij",
    hear_again: "Posłuchaj znowu",
    say_hear_again: "Aby posłuchać jeszcze raz, naciśnij 0.",
    say_comment: "Wpisz swoje słowa i naciśnij Enter. To, co piszesz, nie jest czytane na głos.",
};

/// The kiosk's words for a language code.
pub fn for_language(code: &str) -> &'static Strings {
    match code {
        "pl" => &PL,
        _ => &EN,
    }
}

/// A language's own name, for the language choice screen.
pub fn language_name(code: &str) -> &str {
    match code {
        "en" => "English",
        "pl" => "Polski",
        "ro" => "Română",
        "lt" => "Lietuvių",
        "pt" => "Português",
        "es" => "Español",
        "ur" => "اردو",
        "pa" => "ਪੰਜਾਬੀ",
        "ar" => "العربية",
        "fr" => "Français",
        "de" => "Deutsch",
        _ => code,
    }
}

/// `template` with each `{}` replaced by the next argument.
pub fn fill(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::with_capacity(template.len() + 8);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        if let Some(a) = args.next() {
            out.push_str(&a.to_string());
        }
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::readability::word_count;
    use crate::survey::timing::{KIOSK_WORDS, KioskWords};

    /// The words the kiosk adds around a survey, as `survey check`'s reading-time estimate counts
    /// them, are the kiosk's own, in its wordiest language.
    #[test]
    fn the_reading_time_estimate_counts_the_kiosk_s_own_words() {
        let count = |s: &Strings| KioskWords {
            welcome: word_count(s.anonymous)
                + word_count(&fill(s.about_minutes, &[&9]))
                + word_count(s.how_to_answer)
                + word_count(s.press_to_start),
            language_choice: word_count(s.choose_language),
            not_applicable: word_count(s.does_not_apply),
            skip: word_count(s.skip),
            confirm: word_count(s.ready)
                + word_count(s.ready_body)
                + word_count(s.send)
                + word_count(s.go_back),
            thanks: word_count(s.thanks) + word_count(s.thanks_body),
        };
        let (en, pl) = (count(&EN), count(&PL));
        let max = KioskWords {
            welcome: en.welcome.max(pl.welcome),
            language_choice: en.language_choice.max(pl.language_choice),
            not_applicable: en.not_applicable.max(pl.not_applicable),
            skip: en.skip.max(pl.skip),
            confirm: en.confirm.max(pl.confirm),
            thanks: en.thanks.max(pl.thanks),
        };
        assert_eq!(max, KIOSK_WORDS);
    }
}
