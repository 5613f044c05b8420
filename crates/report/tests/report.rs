//! The report's outputs: the expected figures, no suppressed value, every printed number
//! checked against the publication rule, and user text escaped — in the HTML and in the text
//! `pdftotext` extracts from the PDF.

use std::collections::BTreeSet;

use flipside_report::{Quote, ReportData, html};

/// Numbers the report prints that are not figures about people: the scale's points, the
/// rule's thresholds, the hours target, dates, section and page numbers. Each is removed with
/// its context, so a bare "7" or "26" elsewhere still fails the walk.
const WORDS_WITH_NUMBERS: &[&str] = &[
    "1 = strongly disagree",
    "5 = strongly agree",
    "1 = Strongly disagree",
    "2 = Disagree",
    "3 = Neither agree nor disagree",
    "4 = Agree",
    "5 = Strongly agree",
    "scale of 1 (strongly disagree) to 5 (strongly agree)",
    "scale of 1 to 5",
    "Mean score (1–5)",
    "nearest 5",
    "0 to 2 shown as 0",
    "fewer than 22.5 people",
    "7 or fewer people",
    "fewer than 30 people",
    "above 0.05",
    "target 20",
    "20-hour",
    "2025/26",
    "14 July 2026",
];

/// Every number token in `text` (integers, decimals, percentages, with a minus or plus sign).
fn numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let digitish = c.is_ascii_digit()
            || (c == '.'
                && !current.is_empty()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        if digitish {
            current.push(c);
        } else if !current.is_empty() {
            if c == '%' {
                current.push('%');
            }
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The figures an HTML page marks up, by kind: (kind, printed text).
fn marked_figures(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find("<data class=\"fig fig-") {
        rest = &rest[start + "<data class=\"fig fig-".len()..];
        let kind = rest[..rest.find('"').unwrap()].to_owned();
        let open_end = rest.find('>').unwrap();
        let close = rest.find("</data>").unwrap();
        out.push((kind, rest[open_end + 1..close].to_owned()));
        rest = &rest[close..];
    }
    out
}

fn strip_between(text: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        match rest[start..].find(close) {
            Some(end) => rest = &rest[start + end + close.len()..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

fn without_words_with_numbers(text: &str) -> String {
    let mut text = text.replace('\u{a0}', " ");
    for words in WORDS_WITH_NUMBERS {
        text = text.replace(words, " ");
    }
    // Quotes' pseudonyms ("Mentor 3") are labels, not figures.
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("Mentor ") {
        out.push_str(&rest[..i]);
        rest = rest[i + "Mentor ".len()..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

/// Checks each token against the publication rule: a whole number is a count rounded to 5;
/// anything else must be a figure the page marks up as shown (a mean, statistic or
/// percentage made by the rule).
fn check_tokens(tokens: &[String], shown: &BTreeSet<String>, whence: &str) {
    for token in tokens {
        if let Ok(n) = token.parse::<u64>() {
            assert_eq!(
                n % 5,
                0,
                "{whence} prints the count {n}, not rounded to 5 ({tokens:?})"
            );
        } else {
            assert!(
                shown.contains(token.trim_start_matches(['−', '+', '-'])),
                "{whence} prints {token}, which is not a figure the rule shows"
            );
        }
    }
}

fn unsigned(text: &str) -> String {
    text.trim_start_matches(['−', '+', '-', '<', ' '])
        .to_owned()
}

#[test]
fn the_html_holds_the_expected_figures_and_no_hidden_one() {
    let page = html::render(&ReportData::example()).unwrap();
    // 26 pairs matched and 25 completed both round to 25; 96% completed.
    assert!(page.contains("<data class=\"fig fig-count\" value=\"25\">25</data>"));
    assert!(page.contains("<data class=\"fig fig-percent\" value=\"96\">96%</data>"));
    // Mentors' belonging 3.08 → 3.70 (n 25 and 20), shown.
    assert!(page.contains(">3.08</data>") && page.contains(">3.70</data>"));
    // Staff after the cycle were 7: their means (3.17, 4.17, 4.50) and their paired change
    // are hidden, and so are the moved up/same/down percentages of 19 or fewer people.
    for hidden in [
        "3.17", "4.17", "4.50", "+0.50", "+1.17", "+0.67", "58%", "42%",
    ] {
        assert!(
            !page.contains(hidden),
            "the page shows the hidden value {hidden}"
        );
    }
    assert!(page.contains("average based on 7 or fewer people"));
    assert!(
        page.contains("Counts rounded to the nearest 5 (publication rule, HESA rounding strategy)")
    );
}

#[test]
fn every_number_the_html_prints_follows_the_publication_rule() {
    let page = html::render(&ReportData::example()).unwrap();
    let figures = marked_figures(&page);
    assert!(figures.len() > 100, "only {} figures found", figures.len());
    let mut shown = BTreeSet::new();
    for (kind, text) in &figures {
        match kind.as_str() {
            "count" => {
                let n: u64 = text.parse().unwrap();
                assert_eq!(n % 5, 0, "count {n} is not rounded to 5");
            }
            "percent" | "mean" | "statistic" => {
                shown.insert(unsigned(text));
            }
            other => panic!("unknown figure kind {other}"),
        }
    }
    // Every other number on the page (outside the marked figures, the style sheet and the
    // charts' drawing, whose text alternative is checked like the rest) is a figure repeated
    // or words with a number in them.
    let body = &page[page.find("<body>").unwrap()..];
    let body = strip_between(body, "<data class=", "</data>");
    let body = strip_between(&body, "<svg", "</svg>");
    let text = strip_between(&body, "<", ">");
    let text = without_words_with_numbers(&decode_entities(&text));
    let text = strip_section_numbers(&text);
    if std::env::var("SHOW_TEXT").is_ok() {
        println!("{text}");
    }
    check_tokens(&numbers(&text), &shown, "the HTML");
}

/// Numeric character references (`&#39;`) are not numbers the reader sees.
fn decode_entities(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').map_or(rest.len(), |e| i + e + 1);
        out.push(' ');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Section numbers ("2.3.1 ", "A ") are not figures.
fn strip_section_numbers(text: &str) -> String {
    text.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            // Appendix sections: "A.1 Instruments", "A.4.2 …".
            let trimmed = trimmed.strip_prefix("A.").unwrap_or(trimmed);
            let number_end = trimmed
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(trimmed.len());
            let after = &trimmed[number_end..];
            if number_end > 0 && (after.starts_with(' ') || after.starts_with('\t')) {
                after.to_owned()
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const HOSTILE: &str = r"Fund #let x = 1 *now* $5 \ back] @ref <script>alert(1)</script>";

fn hostile_report() -> ReportData {
    let mut report = ReportData::example();
    report.recommendations = format!("{HOSTILE}\n\n- Keep it up");
    report.schemes[0].findings.as_mut().unwrap()[0]
        .quotes
        .push(Quote {
            pseudonym: "Mentor 9".into(),
            text: HOSTILE.into(),
        });
    report
}

#[test]
fn user_text_is_escaped_in_the_html() {
    let page = html::render(&hostile_report()).unwrap();
    assert!(!page.contains("<script>"));
    assert!(page.contains("&lt;script&gt;") || page.contains("&#60;script&#62;"));
    assert!(page.contains("#let x"));
}

#[test]
fn a_report_without_qualitative_evidence_says_so() {
    let mut report = ReportData::example();
    report.schemes[0].findings = None;
    let page = html::render(&report).unwrap();
    assert!(page.contains("no qualitative findings or quotes"));
    assert!(!page.contains("Mentor 3"));
}

#[cfg(feature = "pdf")]
mod pdf {
    use super::*;
    use flipside_report::pdf;
    use std::process::Command;

    fn pdf_text(report: &ReportData) -> String {
        let bytes = pdf::render(report).unwrap();
        let dir = std::env::temp_dir().join(format!("flipside-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // One file per call: tests run in parallel and often render the same report.
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!("{call}.pdf"));
        std::fs::write(&path, &bytes).unwrap();
        let out = Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (Debian poppler-utils) is installed");
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn the_pdf_holds_the_expected_figures_and_no_hidden_one() {
        let text = pdf_text(&ReportData::example());
        for expected in ["3.08", "3.70", "96%", "Contents", "Methods", "Page 2 of"] {
            assert!(text.contains(expected), "the PDF lacks {expected}");
        }
        for hidden in ["3.17", "4.17", "4.50", "+0.50", "+1.17", "58%", "42%"] {
            assert!(
                !text.contains(hidden),
                "the PDF shows the hidden value {hidden}"
            );
        }
    }

    #[test]
    fn every_number_the_pdf_prints_follows_the_publication_rule() {
        let report = ReportData::example();
        let page = html::render(&report).unwrap();
        let shown: BTreeSet<String> = marked_figures(&page)
            .into_iter()
            .filter(|(kind, _)| kind != "count")
            .map(|(_, text)| unsigned(&text))
            .collect();
        let text = pdf_text(&report);
        // Page footers and the contents' page numbers are not figures.
        let text: String = text
            .lines()
            .filter(|l| !l.contains("Page ") && !l.contains(" . . ") && !l.contains(". ."))
            .collect::<Vec<_>>()
            .join("\n");
        let text = strip_section_numbers(&strip_charts(&text));
        // pdftotext breaks lines inside phrases such as "the nearest 5": join them first.
        let text =
            without_words_with_numbers(&text.split_whitespace().collect::<Vec<_>>().join(" "));
        // "Figure 3:" and "Table 12:" number captions.
        let cleaned = strip_caption_numbers(&text);
        check_tokens(&numbers(&cleaned), &shown, "the PDF");
    }

    /// The charts' own text (the scale's ticks 1 to 5, the axis title, the legend and the
    /// waves), which runs from the top tick to the chart's caption: the charts are vectors, so
    /// their words are text in the PDF, but no figure is printed in them.
    fn strip_charts(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(axis) = rest.find("Mean score (1–5)") {
            let top_tick = rest[..axis].rfind("\n5\n").unwrap_or(axis);
            let caption = rest[axis..]
                .find("Figure ")
                .map_or(rest.len(), |i| axis + i);
            out.push_str(&rest[..top_tick]);
            out.push('\n');
            rest = &rest[caption..];
        }
        out.push_str(rest);
        out
    }

    fn strip_caption_numbers(text: &str) -> String {
        let mut out = text.to_owned();
        for word in ["Figure ", "Table "] {
            let mut result = String::new();
            let mut rest = out.as_str();
            while let Some(i) = rest.find(word) {
                result.push_str(&rest[..i]);
                rest = rest[i + word.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
            }
            result.push_str(rest);
            out = result;
        }
        out
    }

    #[test]
    fn user_text_is_escaped_in_the_pdf() {
        let text = pdf_text(&hostile_report());
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(r"Fund #let x = 1 *now* $5 \ back] @ref <script>alert(1)</script>"),
            "{flat}"
        );
    }

    #[test]
    fn the_pdf_without_qualitative_evidence_says_so() {
        let mut report = ReportData::example();
        report.schemes[0].findings = None;
        let text = pdf_text(&report);
        assert!(text.contains("no qualitative findings or quotes"));
    }
}
