//! `icare kiosk` (also what plain `icare` runs): the patient questionnaire, full screen.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;

use crate::kiosk::{self, RunOptions, StoreBackend};
use crate::speech::Output;
use crate::survey;

#[derive(Debug, Clone, Args)]
pub struct KioskArgs {
    /// Survey TOML file; the built-in iCARE survey when omitted.
    #[arg(long, value_name = "FILE")]
    pub survey: Option<PathBuf>,

    /// Seconds without input before "Are you still there?" appears.
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(5..=3600))]
    pub idle_timeout: u64,

    /// Read every screen aloud through headphones (espeak-ng), whatever the kiosk's settings say.
    #[arg(long)]
    pub speech: bool,

    /// Read aloud into WAV files in DIR instead of playing them, to check a kiosk without sound
    /// (implies --speech; the files show which screens were shown and when: not for use with
    /// patients).
    #[arg(long, value_name = "DIR")]
    pub speech_out: Option<PathBuf>,
}

impl Default for KioskArgs {
    fn default() -> Self {
        KioskArgs {
            survey: None,
            idle_timeout: 60,
            speech: false,
            speech_out: None,
        }
    }
}

pub fn run(args: KioskArgs, data: &Path) -> anyhow::Result<i32> {
    let (survey, source) = match &args.survey {
        Some(path) => {
            let text = survey::load::read(path)?;
            (survey::from_str(&text, &path.display().to_string())?, text)
        }
        None => (
            survey::embedded()?,
            survey::load::EMBEDDED_ICARE.to_string(),
        ),
    };
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!("the kiosk needs a terminal: run `icare kiosk` in a terminal window or on a console");
    }
    let settings_file = data.join(kiosk::settings::SETTINGS_FILE);
    let settings = kiosk::settings::load(&settings_file)?;
    let speech_output = match &args.speech_out {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| {
                format!("{}: cannot make the folder for --speech-out", dir.display())
            })?;
            Output::Files(dir.clone())
        }
        None => Output::Play,
    };
    let options = RunOptions {
        idle_timeout: Duration::from_secs(args.idle_timeout),
        log_file: data.join("kiosk.log"),
        speech: args.speech || args.speech_out.is_some() || settings.speech,
        speech_output,
        settings_file,
    };
    if let Some(dir) = &args.speech_out {
        kiosk::run::log(
            &options.log_file,
            &format!(
                "speech: writing what is read aloud to WAV files in {} instead of playing it; the \
                 files show which screens were shown and when, so use this to check a kiosk, \
                 never with patients",
                dir.display()
            ),
        );
    }
    let mut backend = StoreBackend::open(data, survey.clone(), source)
        .with_context(|| format!("{}: cannot open the response store", data.display()))?;
    if let Some(store) = backend.store() {
        for q in &store.report().quarantined {
            kiosk::run::log(
                &options.log_file,
                &format!(
                    "recovered: {} bytes of an unfinished write cut from {} at offset {}, kept in {}",
                    q.len,
                    q.file.display(),
                    q.offset,
                    q.saved_as.display()
                ),
            );
        }
        // Neither names a time nor counts responses: safe for the staff log.
        for note in &store.report().notes {
            kiosk::run::log(&options.log_file, &format!("store: {note}"));
        }
        for p in &store.report().damaged {
            let line = p.to_string();
            let line = crate::sanitize::terminal_safe(&line);
            kiosk::run::log(&options.log_file, &format!("store damage: {line}"));
        }
    }
    kiosk::run(survey, &mut backend, options)?;
    Ok(0)
}
