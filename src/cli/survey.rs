//! `icare survey ...`: check, show and hash survey files.

use std::fmt::Write as _;
use std::io::Write as _;
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
        SurveyCommand::Check { strict, files } => {
            let (report, code) = check(&files, strict);
            emit(&report)?;
            Ok(code)
        }
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
            emit(&survey::show::render(&survey, &lang))?;
            Ok(0)
        }
        SurveyCommand::Hash { files } => {
            let mut out = String::new();
            if files.is_empty() {
                out.push_str(&hash_line(&survey::embedded()?, load::EMBEDDED_NAME));
            }
            for path in &files {
                out.push_str(&hash_line(
                    &survey::from_file(path)?,
                    &path.display().to_string(),
                ));
            }
            emit(&out)?;
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

/// Write `text` to standard output; a closed pipe (`icare survey show | head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn hash_line(survey: &Survey, name: &str) -> String {
    format!(
        "{name}: {} version {} {}\n",
        survey.id, survey.version, survey.hash
    )
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Check each file: its problems and a summary line as text, and the exit code (2 when any fails).
/// With `strict`, warnings are printed and counted as errors.
fn check(files: &[PathBuf], strict: bool) -> (String, i32) {
    let mut out = String::new();
    let mut failed = 0;
    for path in files {
        let name = path.display().to_string();
        let text = match load::read(path) {
            Ok(text) => text,
            Err(load::LoadError::NotUtf8 { line, column, .. }) => {
                let _ = writeln!(
                    out,
                    "{name}:{line}:{column}: error: not UTF-8 text; save the file as UTF-8"
                );
                let _ = writeln!(out, "{name}: FAILED (1 error, 0 warnings)");
                failed += 1;
                continue;
            }
            Err(err) => {
                let why = match &err {
                    load::LoadError::Read { source, .. } => source.to_string(),
                    other => other.to_string(),
                };
                let _ = writeln!(out, "{name}: error: cannot read the file: {why}");
                let _ = writeln!(out, "{name}: FAILED (cannot read the file)");
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
            let _ = writeln!(
                out,
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
        match (&checked.survey, checked.passes(strict)) {
            (Some(s), true) => {
                let _ = writeln!(
                    out,
                    "{name}: ok: `{}` version {}, {} in {}, hash {} ({counts})",
                    s.id,
                    s.version,
                    plural(s.items.len(), "item"),
                    plural(s.themes.len(), "theme"),
                    s.hash.short()
                );
                let _ = writeln!(
                    out,
                    "{name}: reading: {}",
                    survey::advice::reading_summary(s)
                );
            }
            _ => {
                let why = if errors == 0 { " with --strict" } else { "" };
                let _ = writeln!(out, "{name}: FAILED{why} ({counts})");
                failed += 1;
            }
        }
    }
    (out, if failed > 0 { 2 } else { 0 })
}
