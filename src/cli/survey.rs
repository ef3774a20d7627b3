//! `icare survey ...`: check, show and hash survey files.

use std::path::PathBuf;

use anyhow::bail;
use clap::Subcommand;

use crate::survey::{self, Severity, Survey, load};

#[derive(Debug, Subcommand)]
pub enum SurveyCommand {
    /// Check survey files: print every error and warning as FILE:LINE:COL, exit 2 if any file fails.
    Check {
        /// Treat warnings (long or hard-to-read items, single-item themes, unused scales) as errors.
        #[arg(long)]
        strict: bool,
        /// Survey TOML files to check.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print a survey as numbered plain text, grouped by theme, for review (default: the built-in iCARE survey).
    Show {
        /// Language to show, one of the survey's `languages` (default: its first language).
        #[arg(long, value_name = "CODE")]
        lang: Option<String>,
        /// Survey TOML file; the built-in iCARE survey when omitted.
        file: Option<PathBuf>,
    },
    /// Print a survey's id, version and full content hash (default: the built-in iCARE survey).
    Hash {
        /// Survey TOML files; the built-in iCARE survey when none is given.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

pub fn run(cmd: SurveyCommand) -> anyhow::Result<i32> {
    match cmd {
        SurveyCommand::Check { strict, files } => Ok(check(&files, strict)),
        SurveyCommand::Show { lang, file } => {
            let survey = load_or_embedded(file.as_ref())?;
            let lang = match lang {
                None => survey.default_language().to_string(),
                Some(code) if survey.languages.contains(&code) => code,
                Some(code) => bail!(
                    "survey `{}` has no language `{}`; it has: {}",
                    survey.id,
                    survey::diagnostic::printable(&code),
                    survey.languages.join(", ")
                ),
            };
            print!("{}", survey::show::render(&survey, &lang));
            Ok(0)
        }
        SurveyCommand::Hash { files } => {
            if files.is_empty() {
                print_hash(&survey::embedded()?, load::EMBEDDED_NAME);
            }
            for path in &files {
                print_hash(&survey::from_file(path)?, &path.display().to_string());
            }
            Ok(0)
        }
    }
}

fn load_or_embedded(file: Option<&PathBuf>) -> anyhow::Result<Survey> {
    Ok(match file {
        Some(path) => survey::from_file(path)?,
        None => survey::embedded()?,
    })
}

fn print_hash(survey: &Survey, name: &str) {
    println!(
        "{name}: {} version {} {}",
        survey.id, survey.version, survey.hash
    );
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Check each file, print its problems and a summary line; the exit code is 2 when any fails.
fn check(files: &[PathBuf], strict: bool) -> i32 {
    let mut failed = 0;
    for path in files {
        let name = path.display().to_string();
        let text = match load::read(path) {
            Ok(text) => text,
            Err(err) => {
                println!("{name}:1:1: error: {err}");
                println!("{name}: FAILED (cannot read)");
                failed += 1;
                continue;
            }
        };
        let checked = survey::check_str(&text);
        for d in &checked.diagnostics {
            let severity = if strict { Severity::Error } else { d.severity };
            let key = if d.key.is_empty() {
                String::new()
            } else {
                format!("{}: ", d.key)
            };
            println!(
                "{name}:{}:{}: {severity}: {key}{}",
                d.line, d.column, d.message
            );
        }
        let (errors, warnings) = (checked.errors().count(), checked.warnings().count());
        let counts = format!(
            "{}, {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        );
        if checked.passes(strict) {
            match &checked.survey {
                Some(s) => println!(
                    "{name}: ok: `{}` version {}, {} in {}, hash {} ({counts})",
                    s.id,
                    s.version,
                    plural(s.items.len(), "item"),
                    plural(s.themes.len(), "theme"),
                    s.hash.short()
                ),
                None => println!("{name}: ok ({counts})"),
            }
        } else {
            let why = if errors == 0 { " with --strict" } else { "" };
            println!("{name}: FAILED{why} ({counts})");
            failed += 1;
        }
    }
    if failed > 0 { 2 } else { 0 }
}
