//! `icare decrypt`: write the de-identified responses for analysts, as JSON lines or tidy CSV.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::secret::{self, IdentityArgs, Prompt};
use crate::response::{Answer, Response};
use crate::store;
use crate::survey::{self, SurveyHash};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per response, with its comment.
    Jsonl,
    /// Tidy CSV: one row per response and item (comments left out).
    Csv,
}

#[derive(Debug, Args)]
pub struct DecryptArgs {
    /// Output format: `jsonl` (one response per line, with its comment) or `csv` (tidy, one row
    /// per response and item, no comments).
    #[arg(long, value_enum)]
    pub format: Format,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Survey files that name the items of older survey versions (the built-in surveys and those
    /// under `<data>/surveys/` are known).
    #[arg(long = "survey", value_name = "FILE")]
    pub surveys: Vec<PathBuf>,
    #[command(flatten)]
    pub identity: IdentityArgs,
}

pub fn run(data: &Path, args: DecryptArgs) -> anyhow::Result<i32> {
    let surveys = survey::Catalog::for_store(data, &args.surveys)?;
    let identity =
        secret::unlock(data, &args.identity, Prompt::Once)?.context("no passphrase given")?;
    let responses = store::read_all(data, &identity)?;
    let synthetic = responses.synthetic();
    if synthetic {
        eprintln!("icare: SYNTHETIC store: this output is demo data, not real answers");
    }
    // An aggregation store holds many sites: each response says which.
    let with_site = responses.kind() == store::StoreKind::Aggregate;
    let mut writer = Writer::new(args.format, synthetic, with_site, surveys);
    match &args.out {
        None => {
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            let written = writer
                .all(responses, &mut out)
                .and_then(|()| Ok(out.flush()?));
            // A closed pipe (`| head`) is the reader's choice, not a failure.
            if let Err(e) = written {
                let closed = e.chain().any(|c| {
                    c.downcast_ref::<std::io::Error>()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                });
                if !closed {
                    return Err(e.context("cannot write to standard output"));
                }
            }
        }
        Some(path) => write_atomically(path, |mut out| writer.all(responses, &mut out))?,
    }
    for (hash, id) in &writer.unknown {
        eprintln!(
            "icare: note: survey {id} version {} is not known here: its items are numbered; pass --survey FILE to name them",
            hash.short()
        );
    }
    Ok(0)
}

/// Write as [`crate::fsio::write_out`] does: a regular file through a temporary file beside it,
/// synced and renamed into place only when everything succeeded (on any error no file is left at
/// `path`); a device or FIFO written into.
fn write_atomically(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    path.file_name().context("--out needs a file name")?;
    crate::fsio::write_out(&crate::fsio::RealFs, path, body)
        .with_context(|| format!("{}: not written", path.display()))
}

struct Writer {
    format: Format,
    synthetic: bool,
    with_site: bool,
    surveys: survey::Catalog,
    unknown: BTreeMap<SurveyHash, String>,
    n: u64,
}

impl Writer {
    fn new(format: Format, synthetic: bool, with_site: bool, surveys: survey::Catalog) -> Self {
        Writer {
            format,
            synthetic,
            with_site,
            surveys,
            unknown: BTreeMap::new(),
            n: 0,
        }
    }

    fn all(
        &mut self,
        responses: store::SiteResponses<'_>,
        out: &mut impl Write,
    ) -> anyhow::Result<()> {
        if self.format == Format::Csv {
            let site = if self.with_site { "site," } else { "" };
            writeln!(out, "response,{site}period,survey,item,theme,value,status")?;
        }
        for r in responses {
            let (site, r) =
                r.context("cannot decrypt the store (run `icare verify` to see all damage)")?;
            self.one(&site, &r, out)?;
        }
        Ok(())
    }

    fn one(&mut self, site: &str, r: &Response, out: &mut impl Write) -> anyhow::Result<()> {
        self.n += 1;
        let key = if self.synthetic {
            format!("synthetic-{}", self.n)
        } else {
            format!("r{}", self.n)
        };
        let survey = self.surveys.get(&r.survey_hash);
        if survey.is_none() {
            self.unknown
                .entry(r.survey_hash)
                .or_insert_with(|| r.survey_id.clone());
        }
        let item = |i: usize| -> (String, String) {
            match survey.and_then(|s| s.items.get(i)) {
                Some(it) => (it.id.clone(), it.theme.clone()),
                None => (format!("item-{}", i + 1), String::new()),
            }
        };
        let headline_id = survey
            .and_then(|s| s.headline.as_ref())
            .map_or_else(|| "headline".to_string(), |h| h.id.clone());
        let survey_name = format!("{}@{}", r.survey_id, r.survey_hash.short());
        match self.format {
            Format::Csv => {
                let mut row = |item: &str, theme: &str, a: Answer| {
                    let (value, status) = parts(a);
                    let site = if self.with_site {
                        format!("{},", csv(site))
                    } else {
                        String::new()
                    };
                    writeln!(
                        out,
                        "{},{site}{},{},{},{},{},{}",
                        csv(&key),
                        r.period,
                        csv(&survey_name),
                        csv(item),
                        csv(theme),
                        value.map(|v| v.to_string()).unwrap_or_default(),
                        status
                    )
                };
                for (i, a) in r.answers.iter().enumerate() {
                    let (id, theme) = item(i);
                    row(&id, &theme, *a)?;
                }
                row(&headline_id, "", r.headline)?;
            }
            Format::Jsonl => {
                let answer = |item: String, theme: String, a: Answer| {
                    let (value, status) = parts(a);
                    JsonAnswer {
                        item,
                        theme,
                        status,
                        value,
                    }
                };
                let line = JsonResponse {
                    response: key,
                    site: self.with_site.then_some(site),
                    synthetic: self.synthetic,
                    period: r.period.to_string(),
                    survey: &r.survey_id,
                    survey_hash: r.survey_hash.to_string(),
                    language: &r.language,
                    answers: (0..r.answers.len())
                        .map(|i| {
                            let (id, theme) = item(i);
                            answer(id, theme, r.answers[i])
                        })
                        .collect(),
                    headline: answer(headline_id, String::new(), r.headline),
                    comment: r.comment.as_deref(),
                };
                let line = serde_json::to_string(&line)?;
                writeln!(out, "{line}")?;
            }
        }
        Ok(())
    }
}

/// One line of the JSON lines output, fields in this order.
#[derive(serde::Serialize)]
struct JsonResponse<'a> {
    response: String,
    /// Only for aggregation stores.
    #[serde(skip_serializing_if = "Option::is_none")]
    site: Option<&'a str>,
    synthetic: bool,
    period: String,
    survey: &'a str,
    survey_hash: String,
    language: &'a str,
    answers: Vec<JsonAnswer>,
    headline: JsonAnswer,
    comment: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct JsonAnswer {
    item: String,
    theme: String,
    status: &'static str,
    value: Option<i32>,
}

fn parts(a: Answer) -> (Option<i32>, &'static str) {
    match a {
        Answer::Value(v) => (Some(v), "answered"),
        Answer::NotApplicable => (None, "not_applicable"),
        Answer::Skipped => (None, "skipped"),
    }
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn csv(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}
