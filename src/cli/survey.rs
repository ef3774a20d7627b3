//! `icare survey ...`: check and show survey files.

use std::path::PathBuf;

use clap::Subcommand;

use crate::survey::{self, Survey};

#[derive(Debug, Subcommand)]
pub enum SurveyCommand {
    /// Print a survey as numbered plain text, grouped by theme (default: the built-in iCARE survey).
    Show {
        /// Survey TOML file; the built-in iCARE survey when omitted.
        file: Option<PathBuf>,
    },
}

pub fn run(cmd: SurveyCommand) -> anyhow::Result<i32> {
    match cmd {
        SurveyCommand::Show { file } => {
            let survey = match file {
                Some(path) => survey::from_file(&path)?,
                None => survey::embedded()?,
            };
            print!("{}", show(&survey));
            Ok(0)
        }
    }
}

fn show(survey: &Survey) -> String {
    let lang = survey.default_language();
    let mut out = format!(
        "{} (id {}, version {})\n",
        survey.title.get(lang),
        survey.id,
        survey.version
    );
    let mut n = 0;
    for theme in &survey.themes {
        out.push_str(&format!("\n{}. {}\n", theme.number, theme.name));
        for (_, item) in survey.theme_items(&theme.id) {
            n += 1;
            out.push_str(&format!("  {n:>2}. {}\n", item.text.get(lang)));
        }
    }
    out
}
