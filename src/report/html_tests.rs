//! The HTML report stays tidy whether a store holds 2, 15 or 5,000 responses: well-formed markup,
//! no stray Markdown or code marks in the text, chart texts inside their charts, "not enough
//! responses yet" said once instead of empty charts, and (where Chromium is installed, as
//! `scripts/test` makes sure) no text running out of its box as a browser lays the page out.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;

use super::tests::meta;
use super::*;
use crate::response::Response;
use crate::survey::Catalog;
use crate::synth::{Synth, recent_weeks};

/// The day the reports are made: a Monday whose ISO week's Thursday is in the next month.
pub(crate) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

/// A report of `n` synthetic responses over the 26 weeks up to [`today`].
pub(crate) fn report_of(n: usize, options: &ReportOptions) -> ReportData {
    let survey = crate::survey::embedded().unwrap();
    let mut synth = Synth::new(&survey, 7);
    let weeks = recent_weeks(today(), 26);
    let rs: Vec<Response> = (0..n)
        .map(|_| {
            let p = synth.pick_period(&weeks).unwrap();
            synth.next_response(p)
        })
        .collect();
    let mut catalog = Catalog::new();
    catalog.add(survey);
    let part = rs.into_iter().map(Ok::<_, crate::store::StoreError>);
    let options = ReportOptions {
        today: today(),
        comment_seed: 1,
        ..options.clone()
    };
    build_from_responses(Path::new("d"), &meta(true), vec![part], &catalog, &options).unwrap()
}

/// The stores every test below renders: 2, 15 and 5,000 responses, and 15 under a minimum of 15,
/// where some themes are shown and others held back.
fn stores() -> Vec<(String, ReportData)> {
    let at = |min_n| ReportOptions {
        rule: crate::disclosure::Rule::new(min_n).unwrap(),
        ..ReportOptions::default()
    };
    let mut out: Vec<(String, ReportData)> = [2, 15, 5000]
        .into_iter()
        .map(|n| (format!("{n} responses"), report_of(n, &at(10))))
        .collect();
    out.push(("15 responses, --min-n 15".into(), report_of(15, &at(15))));
    out
}

/// Elements that have no closing tag.
const VOID: [&str; 4] = ["meta", "br", "col", "hr"];

/// What is wrong with the markup: tags that do not nest, and text (outside tags, the style sheet
/// and the title) holding marks that mean markup somewhere else.
fn markup_problems(html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        if !open.iter().any(|t| t == "style" || t == "title") {
            text.push_str(&rest[..lt]);
            text.push(' ');
        }
        let Some(gt) = rest[lt..].find('>') else {
            problems.push("a tag is not closed".into());
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if name.is_empty() {
            problems.push(format!("not a tag: <{tag}>"));
        } else if tag.starts_with('/') {
            match open.pop() {
                Some(o) if o == name => {}
                o => problems.push(format!("</{name}> closes <{}>", o.unwrap_or_default())),
            }
        } else if !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
            open.push(name);
        }
    }
    if !open.is_empty() {
        problems.push(format!("not closed: {open:?}"));
    }
    for twice in ["&amp;lt;", "&amp;gt;", "&amp;amp;", "&amp;quot;", "&amp;#"] {
        if html.contains(twice) {
            problems.push(format!("escaped twice: {twice}"));
        }
    }
    for mark in ["`", "**", "\\", "{", "}"] {
        if text.contains(mark) {
            let at = text.find(mark).unwrap_or(0);
            let from = text.floor_char_boundary(at.saturating_sub(40));
            problems.push(format!(
                "{mark:?} in the text: …{}",
                &text[from..].chars().take(80).collect::<String>()
            ));
        }
    }
    problems
}

/// An attribute's value in a tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[at..at + tag[at..].find('"')?])
}

/// Chart texts whose width, estimated generously from their length, would leave the chart's
/// picture, or leave a box (`class="box"`) they start in.
fn chart_problems(html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for svg in html.split("<svg").skip(1) {
        let svg = &svg[..svg.find("</svg>").unwrap_or(svg.len())];
        let view: Vec<f64> = attr(svg, "viewBox")
            .unwrap_or("0 0 0 0")
            .split(' ')
            .filter_map(|v| v.parse().ok())
            .collect();
        let width = view.get(2).copied().unwrap_or(0.0);
        let size: f64 = attr(svg, "font-size")
            .and_then(|v| v.parse().ok())
            .unwrap_or(12.0);
        let boxes: Vec<(f64, f64, f64, f64)> = svg
            .split("<rect")
            .skip(1)
            .filter(|r| r.starts_with(" class=\"box\""))
            .filter_map(|r| {
                let n = |a| attr(r, a).and_then(|v: &str| v.parse::<f64>().ok());
                Some((n("x")?, n("y")?, n("width")?, n("height")?))
            })
            .collect();
        for t in svg.split("<text").skip(1) {
            if attr(t, "transform").is_some() {
                continue;
            }
            let content = &t[t.find('>').unwrap_or(0) + 1..t.find("</text>").unwrap_or(0)];
            let chars = content.replace("&amp;", "&").chars().count() as f64;
            let size = attr(t, "font-size")
                .and_then(|v| v.parse().ok())
                .unwrap_or(size);
            let w = chars * size * 0.62;
            let Some(x) = attr(t, "x").and_then(|v| v.parse::<f64>().ok()) else {
                continue;
            };
            let y: f64 = attr(t, "y").and_then(|v| v.parse().ok()).unwrap_or(0.0);
            let (a, b) = match attr(t, "text-anchor") {
                Some("end") => (x - w, x),
                Some("middle") => (x - w / 2.0, x + w / 2.0),
                _ => (x, x + w),
            };
            if a < -0.5 || b > width + 0.5 {
                problems.push(format!("chart text leaves its chart: {content}"));
            }
            for (bx, by, bw, bh) in &boxes {
                let starts_in = x >= *bx && x <= bx + bw && y >= *by && y <= by + bh;
                if starts_in && b > bx + bw {
                    problems.push(format!("chart text leaves its box: {content}"));
                }
            }
        }
    }
    problems
}

#[test]
fn html_of_2_15_and_5000_responses_has_clean_markup_and_charts_that_hold_their_text() {
    for (name, data) in stores() {
        let html = html::render(&data);
        let mut problems = markup_problems(&html);
        problems.extend(chart_problems(&html));
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
}

#[test]
fn few_responses_say_not_enough_yet_once_instead_of_empty_charts() {
    let lower = |d: &ReportData| html::render(d).to_lowercase();
    // Two responses: no figure at all, said once; no chart.
    let two = lower(&report_of(2, &ReportOptions::default()));
    assert_eq!(two.matches("not enough responses yet").count(), 1, "{two}");
    assert!(!two.contains("<svg"));
    // Fifteen: every theme shown overall, but no month holds ten: one sentence, no trend chart.
    let d = report_of(15, &ReportOptions::default());
    assert_eq!(d.trends.len(), 1, "{:?}", d.trends);
    let fifteen = lower(&d);
    assert_eq!(fifteen.matches("not enough responses yet").count(), 1);
    assert_eq!(
        fifteen.matches("<svg").count(),
        2,
        "the overview and the quadrant only"
    );
    // Five thousand: ten trend charts, each a line through six months.
    let d = report_of(5000, &ReportOptions::default());
    let html = html::render(&d);
    assert!(!html.to_lowercase().contains("not enough responses yet"));
    assert_eq!(html.matches(r#"<div class="trend">"#).count(), 10);
    assert_eq!(html.matches("<polyline").count(), 10);
}

/// Chromium, when installed; `ICARE_REQUIRE_CHROMIUM=1` (set by `scripts/test`) makes its absence
/// a failure.
fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser"].into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("ICARE_REQUIRE_CHROMIUM").is_none(),
            "ICARE_REQUIRE_CHROMIUM is set but chromium is not installed"
        );
        eprintln!("chromium not installed: the browser layout check is skipped");
    }
    found
}

/// What the layout check finds in `html` as Chromium lays it out at A4 width.
fn laid_out_problems(browser: &str, html: &str, dir: &Path, name: &str) -> Vec<String> {
    let script = format!(
        "<script>{}</script></body>",
        include_str!("html/layout_check.js")
    );
    let page = dir.join(format!("{name}.html"));
    std::fs::write(&page, html.replace("</body>", &script)).unwrap();
    let profile = dir.join(format!("profile-{name}"));
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1240,1754",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom
        .rfind(r#"<pre id="layout-problems">"#)
        .unwrap_or_else(|| {
            panic!(
                "no layout result from chromium: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let json = &dom[start + 26..];
    let json = &json[..json.find("</pre>").unwrap()];
    serde_json::from_str(
        &json
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">"),
    )
    .unwrap()
}

#[test]
fn in_a_browser_no_text_leaves_its_box_for_2_15_or_5000_responses() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pages: Vec<(String, String)> = stores()
        .into_iter()
        .map(|(name, d)| (name, html::render(&d)))
        .collect();
    // One browser per page, all at once: each takes about a second to start.
    let all: Vec<String> = std::thread::scope(|s| {
        let runs: Vec<_> = pages
            .iter()
            .enumerate()
            .map(|(k, (name, html))| {
                let dir = dir.path();
                s.spawn(move || {
                    laid_out_problems(browser, html, dir, &format!("r{k}"))
                        .into_iter()
                        .map(|p| format!("{name}: {p}"))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        runs.into_iter().flat_map(|r| r.join().unwrap()).collect()
    });
    assert!(all.is_empty(), "{all:#?}");
}
