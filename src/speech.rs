//! Reading text aloud with an offline speech engine, for people who read with difficulty (audio
//! self-interviewing: each screen is read through headphones while the person answers alone).
//!
//! The engine is espeak-ng (<https://github.com/espeak-ng/espeak-ng>), run as a separate process:
//! [`Speaker::say`] returns at once and never waits for it, a new utterance or [`Speaker::hush`]
//! kills the one playing at once, a [`Silencer`] kills it from any thread for good (a program
//! stopping on a signal), and with [`Output::Files`] each utterance is written to a WAV file
//! instead of played. An utterance is sent as SSML so that each [`Part`] is spoken in its own
//! language's voice. This module knows nothing of surveys or screens; what is said is the
//! caller's business (the kiosk never passes a patient's answers or words).

mod silencer;
mod worker;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

pub use silencer::Silencer;
pub use worker::{Note, Speaker, written};

/// Text in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// A language code such as `en`, `pl` or `en-GB`.
    pub lang: String,
    pub text: String,
}

/// Something to say, in one go: parts spoken one after another, each in its own voice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Utterance {
    /// A short name for what is said (`question-04`), used in file names; letters, digits and
    /// `-` only are kept.
    pub name: String,
    pub parts: Vec<Part>,
}

impl Utterance {
    /// An utterance in one language.
    pub fn new(name: &str, lang: &str, text: String) -> Utterance {
        Utterance {
            name: name.to_string(),
            parts: vec![Part {
                lang: lang.to_string(),
                text,
            }],
        }
    }

    /// The language of the first part (`und` when there is none).
    pub fn lang(&self) -> &str {
        self.parts.first().map_or("und", |p| p.lang.as_str())
    }

    /// The name as it goes into a file name: `name-lang`, letters, digits and `-` only.
    pub fn file_stem(&self) -> String {
        let clean = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .take(40)
                .collect()
        };
        format!("{}-{}", clean(&self.name), clean(self.lang()))
    }
}

/// Where speech goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Played on the default sound device (headphones).
    Play,
    /// Each utterance written to `NNNN-name-lang.wav` in this folder instead of played.
    Files(PathBuf),
}

/// The speech engine and how fast it speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// The espeak-ng program (found on `PATH` when it is a bare name).
    pub program: PathBuf,
    /// Speed in words a minute. espeak-ng's own default is 175; a little slower is easier to
    /// follow for someone who listens because reading is hard.
    pub words_per_minute: u32,
}

/// Environment variable naming the espeak-ng program, for a kiosk where it is installed under
/// another name or path.
pub const ENGINE_ENV: &str = "ICARE_ESPEAK";

impl Default for Engine {
    fn default() -> Engine {
        Engine {
            program: PathBuf::from("espeak-ng"),
            words_per_minute: 150,
        }
    }
}

impl Engine {
    /// The default engine, with the program from [`ENGINE_ENV`] when it is set.
    pub fn from_env() -> Engine {
        let mut engine = Engine::default();
        if let Some(p) = std::env::var_os(ENGINE_ENV).filter(|p| !p.is_empty()) {
            engine.program = PathBuf::from(p);
        }
        engine
    }

    /// The command that speaks (or, with `wav`, writes) an utterance read from its standard input
    /// as SSML ([`ssml`]).
    pub fn command(&self, u: &Utterance, wav: Option<&std::path::Path>) -> Command {
        let mut c = Command::new(&self.program);
        c.args(["-m", "--stdin", "-v"])
            .arg(voice(u.lang()))
            .arg("-s")
            .arg(self.words_per_minute.to_string());
        if let Some(path) = wav {
            c.arg("-w").arg(path);
        }
        c.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        c
    }
}

/// The espeak-ng voice for a language code: British English for plain `en` (the kiosk is made
/// for UK practices), otherwise the code itself in lower case (`pl`, `en-us`, `ro`), which is
/// how espeak-ng names its voices.
pub fn voice(lang: &str) -> String {
    match lang.to_ascii_lowercase().as_str() {
        "en" => "en-gb".to_string(),
        other => other
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect(),
    }
}

/// `text` with the characters SSML gives a meaning to written as entities, and control
/// characters left out.
fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
}

/// The utterance as SSML: one `<voice xml:lang=...>` element per part.
pub fn ssml(u: &Utterance) -> String {
    let mut out = String::from("<speak>");
    for part in &u.parts {
        let _ = write!(out, "<voice xml:lang=\"{}\">", voice(&part.lang));
        escape(&part.text, &mut out);
        out.push_str("</voice> ");
    }
    out.push_str("</speak>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_gets_its_own_voice_and_markup_is_escaped() {
        let u = Utterance {
            name: "language".into(),
            parts: vec![
                Part {
                    lang: "en".into(),
                    text: "Choose <your> language & \"go\"".into(),
                },
                Part {
                    lang: "pl".into(),
                    text: "Wybierz język\u{1b}".into(),
                },
            ],
        };
        assert_eq!(
            ssml(&u),
            "<speak><voice xml:lang=\"en-gb\">Choose &lt;your&gt; language &amp; &quot;go&quot;\
             </voice> <voice xml:lang=\"pl\">Wybierz język </voice> </speak>"
        );
    }

    #[test]
    fn voices_follow_the_language_code() {
        assert_eq!(voice("en"), "en-gb");
        assert_eq!(voice("en-US"), "en-us");
        assert_eq!(voice("pl"), "pl");
        assert_eq!(voice("x\"; rm"), "xrm");
    }

    #[test]
    fn file_names_keep_only_safe_characters() {
        let u = Utterance::new("question-04", "pl", "Pytanie".into());
        assert_eq!(u.file_stem(), "question-04-pl");
        let odd = Utterance::new("../../etc/passwd", "en GB", String::new());
        assert_eq!(odd.file_stem(), "------etc-passwd-en-gb");
    }

    #[test]
    fn the_command_reads_ssml_from_standard_input() {
        let u = Utterance::new("welcome", "pl", "Dzień dobry".into());
        let c = Engine::default().command(&u, Some(std::path::Path::new("/tmp/x.wav")));
        let args: Vec<_> = c
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            ["-m", "--stdin", "-v", "pl", "-s", "150", "-w", "/tmp/x.wav"]
        );
    }
}
