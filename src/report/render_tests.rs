//! Renderers: escaping of survey and comment text, suppressed figures shown as suppressed, the
//! synthetic warning, and the formats agreeing on the same numbers.

use std::path::Path;

use super::tests::meta;
use super::*;
use crate::response::{Period, Response};
use crate::survey::Catalog;
use crate::synth::Synth;

const EVIL: &str = "<script>alert('x')</script> & \u{1b}[31mred\u{1b}[0m | *bold* =cmd";

fn responses(survey: &Survey, n: usize, comment: Option<&str>) -> Vec<Response> {
    let mut s = Synth::new(survey, 11);
    (0..n)
        .map(|i| {
            let mut r = s.next_response(Period::Week {
                year: 2026,
                week: 10 + (i % 4) as u8,
            });
            r.comment = comment.map(str::to_string);
            r
        })
        .collect()
}

/// A report over `n` responses to the iCARE survey whose first theme name, first item text and
/// every comment carry markup and escape sequences.
fn evil_report(n: usize, synthetic: bool) -> ReportData {
    let mut survey = crate::survey::embedded().unwrap();
    survey.themes[0].name = EVIL.to_string();
    survey.title.0.insert("en".into(), EVIL.to_string());
    let rs = responses(&survey, n, Some(EVIL));
    let mut catalog = Catalog::new();
    catalog.add(survey);
    let part: Vec<Result<Response, crate::store::StoreError>> = rs.into_iter().map(Ok).collect();
    build_from_responses(
        Path::new("d"),
        &meta(synthetic),
        vec![part.into_iter()],
        &catalog,
        &ReportOptions {
            granularity: crate::stats::Granularity::Week,
            ..ReportOptions::default()
        },
    )
    .unwrap()
}

#[test]
fn html_escapes_survey_and_comment_text() {
    let html = html::render(&evil_report(200, false));
    assert!(!html.contains("<script"), "raw script tag in the HTML");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(!html.contains('\u{1b}'));
    // Self-contained: nothing fetched, nothing run.
    for bad in ["src=", "href=", "@import", "url(http", "<link", "<img"] {
        assert!(!html.contains(bad), "{bad}");
    }
}

#[test]
fn text_and_markdown_strip_escape_sequences_and_markdown_escapes_markup() {
    let data = evil_report(200, false);
    let text = text::render(&data);
    assert!(!text.contains('\u{1b}'));
    assert!(
        text.contains("<script>alert('x')</script> & red |"),
        "{text}"
    );
    let md = markdown::render(&data);
    assert!(!md.contains('\u{1b}'));
    // Every `<` is escaped, so no HTML can start.
    let bytes = md.as_bytes();
    assert!((0..bytes.len()).all(|i| bytes[i] != b'<' || (i > 0 && bytes[i - 1] == b'\\')));
    assert!(md.contains(r"\<script\>"));
    assert!(md.contains(r"\| \*bold\* =cmd"));
    assert_eq!(markdown::escape("- a-b"), r"\- a-b");
}

#[test]
fn csv_quotes_fields_and_defuses_formulas() {
    assert_eq!(csv::field("a,b"), "\"a,b\"");
    assert_eq!(csv::field("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv::field("=SUM(A1)"), "'=SUM(A1)");
    assert_eq!(csv::field("-1"), "'-1");
    let data = evil_report(200, false);
    let out = csv::render(&data);
    for line in out.lines() {
        // Every row has the header's eleven fields (no field holds a comma unquoted).
        let mut fields = 0;
        let mut quoted = false;
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => fields += 1,
                _ => {}
            }
        }
        assert_eq!(fields, 10, "{line}");
    }
}

#[test]
fn too_few_responses_say_so_once_and_show_no_figure_in_any_format() {
    let data = evil_report(7, true);
    assert!(data.overall.themes.iter().all(|t| t.suppressed.is_some()));
    for (fmt, out) in [
        ("text", text::render(&data)),
        ("markdown", markdown::render(&data)),
        ("html", html::render(&data)),
    ] {
        assert_eq!(out.matches("Not enough responses yet").count(), 1, "{fmt}");
        assert!(out.contains("fewer than 10 people have answered"), "{fmt}");
        assert!(!out.contains("Flexibility"), "{fmt}: a theme listed");
        assert!(
            !out.contains("7 respondents") && !out.contains("7 people"),
            "{fmt}"
        );
    }
    let json = json::value(&data);
    for t in json["themes"].as_array().unwrap() {
        assert_eq!(t["suppressed"], true);
        assert!(t["mean"].is_null() && t["ci_low"].is_null() && t["pct_positive"].is_null());
        assert_eq!(t["reason"]["code"], "too_few_respondents");
    }
    let csv = csv::render(&data);
    for row in csv.lines().filter(|l| l.contains(",mean,")) {
        assert!(row.contains(",mean,,true,\"not shown: "), "{row}");
    }
    assert!(data.comments.is_err());
    assert_eq!(json["comments"]["shown"], false);
}

#[test]
fn a_suppressed_theme_is_rendered_as_suppressed_in_every_format() {
    // Fifteen responses under a minimum of 15: the whole shown, themes with fewer held back.
    let options = ReportOptions {
        rule: crate::disclosure::Rule::new(15).unwrap(),
        ..ReportOptions::default()
    };
    let data = crate::report::html_tests::report_of(15, &options);
    let hidden: Vec<&str> = data
        .overall
        .themes
        .iter()
        .filter(|t| t.suppressed.is_some())
        .map(|t| t.name.as_str())
        .collect();
    assert!(!hidden.is_empty() && hidden.len() < 10, "{hidden:?}");
    let text = text::render(&data);
    let md = markdown::render(&data);
    let html = html::render(&data);
    for name in &hidden {
        for (fmt, out) in [("text", &text), ("markdown", &md)] {
            let line = out
                .lines()
                .find(|l| l.contains(name))
                .unwrap_or_else(|| panic!("{fmt}: no {name}"));
            assert!(line.contains("not shown"), "{fmt}: {line}");
        }
    }
    assert!(html.contains("not shown: fewer than 15 people"));
    assert!(html.contains("not shown: fewer than 15 respondents, too few to protect anonymity"));
    let json = json::value(&data);
    for t in json["themes"].as_array().unwrap() {
        let shown = !hidden.contains(&t["name"].as_str().unwrap());
        assert_eq!(t["suppressed"], !shown);
        assert_eq!(t["mean"].is_null(), !shown);
    }
}

#[test]
fn a_synthetic_report_says_so_in_every_format_and_section() {
    let data = evil_report(200, true);
    let text = text::render(&data);
    assert!(text.starts_with("*** SYNTHETIC DATA"));
    let lines: Vec<&str> = text.lines().collect();
    let headings: Vec<&str> = lines
        .windows(2)
        .filter(|w| w[1].starts_with('─'))
        .map(|w| w[0])
        .collect();
    assert_eq!(headings.len(), 7, "{headings:?}");
    for heading in headings {
        assert!(heading.ends_with("[SYNTHETIC DATA]"), "{heading}");
    }
    let md = markdown::render(&data);
    assert!(md.starts_with("> **SYNTHETIC DATA"));
    assert!(
        md.lines()
            .filter(|l| l.starts_with("## "))
            .all(|l| l.ends_with("(synthetic data)"))
    );
    let csv = csv::render(&data);
    assert!(csv.lines().skip(1).all(|l| l.starts_with("true,")));
    assert_eq!(json::value(&data)["synthetic"], true);
    let html = html::render(&data);
    // In the table header, which a browser repeats on every printed page.
    let thead = html
        .split("<thead>")
        .nth(1)
        .unwrap()
        .split("</thead>")
        .next()
        .unwrap();
    assert!(thead.contains("SYNTHETIC DATA"));
    let real = evil_report(200, false);
    assert!(!text::render(&real).contains("SYNTHETIC"));
    assert!(!html::render(&real).contains("SYNTHETIC"));
}

#[test]
fn json_csv_and_text_give_the_same_theme_figures() {
    let data = evil_report(400, false);
    let json = json::value(&data);
    let csv = csv::render(&data);
    let text = text::render(&data);
    for t in json["themes"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap();
        // Overall rows: group_type, group, group_label (no comma in it), theme, item, point,
        // measure, value.
        let from_csv = |measure: &str| {
            csv.lines()
                .map(|l| l.split(',').collect::<Vec<_>>())
                .find(|f| f[1] == "overall" && f[4] == id && f[5].is_empty() && f[7] == measure)
                .map(|f| f[8].to_string())
                .unwrap_or_default()
        };
        for m in ["n", "mean", "ci_low", "ci_high", "pct_positive"] {
            assert_eq!(from_csv(m), t[m].to_string(), "{id} {m}");
        }
        let number = t["number"].as_u64().unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{number:>2} ")))
            .unwrap();
        let expect = format!("{} ({}–{})", t["mean"], t["ci_low"], t["ci_high"]);
        assert!(line.contains(&expect), "{line} vs {expect}");
        assert!(line.contains(&format!(" {} ", t["n"])), "{line}");
    }
}

#[test]
fn on_monday_30_november_no_report_names_december_and_november_says_so_far() {
    // 2026-W49 starts on Monday 30 November; its Thursday is 3 December. The week counts in
    // November, the month it starts in, which is still under way.
    let data = crate::report::html_tests::report_of(600, &ReportOptions::default());
    assert_eq!(
        data.trends.last().unwrap().span.to_string(),
        "2026-11",
        "{:?}",
        data.trends
            .iter()
            .map(|r| r.span.to_string())
            .collect::<Vec<_>>()
    );
    let outputs = [
        ("text", text::render(&data)),
        ("markdown", markdown::render(&data)),
        ("html", html::render(&data)),
        ("csv", csv::render(&data)),
        ("json", json::render(&data)),
    ];
    for (fmt, out) in &outputs {
        for future in ["2026-12", "December 2026", "Dec 2026", "2027"] {
            assert!(!out.contains(future), "{fmt} names {future}");
        }
    }
    for (fmt, out) in &outputs[..3] {
        assert!(out.contains("November 2026 (so far)"), "{fmt}");
        assert!(out.contains("made 30 Nov 2026"), "{fmt}");
        // Machine keys stay out of the human formats' headings and trends.
        assert!(
            !out.contains("2026-11") && !out.contains("2026-06"),
            "{fmt}"
        );
    }
    let json = json::value(&data);
    let trends = json["trends"].as_array().unwrap();
    let last = trends.last().unwrap();
    assert_eq!(last["period"], "2026-11");
    assert_eq!(last["label"], "November 2026 (so far)");
    assert_eq!(last["partial"], true);
    assert_eq!(trends[0]["period"], "2026-06");
    assert_eq!(trends[0]["label"], "June 2026");
    assert_eq!(trends[0]["partial"], false);
    assert_eq!(json["covers"]["label"], "June to November 2026 (so far)");
    assert_eq!(json["comments"]["period"], "2026-11");
    let csv = csv::render(&data);
    assert!(csv.contains("true,period,2026-06,June 2026,,"), "{csv}");
    assert!(csv.contains("true,period,2026-11,November 2026 (so far),,"));
}

#[test]
fn every_format_gives_each_question_its_answers_as_released() {
    let data = crate::report::html_tests::report_of(600, &ReportOptions::default());
    let text = text::render(&data);
    let md = markdown::render(&data);
    let html = html::render(&data);
    let json = json::value(&data);
    let csv = csv::render(&data);
    let mut checked = 0;
    for (t, theme) in data.overall.themes.iter().enumerate() {
        let jt = &json["themes"][t];
        for (k, item) in theme.items.iter().enumerate() {
            let number = format!("{}.{}", theme.number, k + 1);
            let question = common::item_text(&data, &item.id);
            let jitem = &jt["items"][k];
            assert_eq!(jitem["id"], item.id.as_str());
            for (fmt, out) in [("text", &text), ("markdown", &md)] {
                assert!(
                    out.contains(&format!("{number} {question}"))
                        || out.contains(&format!("| {number} | {question}")),
                    "{fmt}: {number} {question}"
                );
            }
            assert!(html.contains(&format!("<td>{number}</td><td>{}", html::escape(question))));
            let Some(d) = &item.distribution else {
                assert!(jitem["distribution"].is_null());
                continue;
            };
            checked += 1;
            let cells = items::item_answer_cells(&data, item).unwrap();
            // Text: the answers' line; Markdown and HTML: the row of cells.
            let line = items::item_answers(&data, item).unwrap();
            assert!(
                text.replace('\n', " ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .contains(&line),
                "text: {line}"
            );
            let md_row = md
                .lines()
                .find(|l| l.starts_with(&format!("| {number} | ")))
                .unwrap();
            let md_cells: Vec<String> = cells.iter().map(|c| markdown::escape(c)).collect();
            assert!(
                md_row.ends_with(&format!(" {} |", md_cells.join(" | "))),
                "markdown {number}: {md_row}"
            );
            let row: String = cells
                .iter()
                .map(|c| format!(r#"<td class="num">{}</td>"#, html::escape(c)))
                .collect();
            assert!(
                html.contains(&format!("<tr><td>{number}</td>{row}</tr>")),
                "html {number}"
            );
            // JSON and CSV carry the same released cells.
            for (p, c) in d.points.iter().enumerate() {
                assert_eq!(
                    jitem["distribution"][p]["count"],
                    serde_json::json!(c.shown())
                );
            }
            let in_csv = csv
                .lines()
                .filter(|l| {
                    l.contains(&format!(",{},{},", theme.id, item.id)) && l.contains(",count,")
                })
                .count();
            assert_eq!(in_csv, d.points.len() + 2, "csv {number}");
        }
    }
    assert!(checked >= 20, "{checked} questions with answers");
}
