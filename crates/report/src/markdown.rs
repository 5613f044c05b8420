//! The coordinator's Markdown-like text (introduction, recommendations) as HTML and as typst
//! markup, and the escaping of any user text into typst.
//!
//! Raw HTML in the text is shown as text, never passed through; link targets other than
//! `http`, `https` and `mailto` are dropped; images become their alternative text. So the
//! text can format, but cannot script, style or embed anything.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

fn parser(text: &str) -> Parser<'_> {
    Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH)
}

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Markdown-like text as sanitised HTML. Headings in the text are demoted below the report's
/// own (to `h4`), so the page's outline stays the report's.
pub fn to_html(text: &str) -> String {
    let mut in_unsafe_link = Vec::new();
    let events = parser(text).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Heading { .. }) => Event::Start(Tag::Heading {
            level: HeadingLevel::H4,
            id: None,
            classes: Vec::new(),
            attrs: Vec::new(),
        }),
        Event::End(TagEnd::Heading(_)) => Event::End(TagEnd::Heading(HeadingLevel::H4)),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let ok = safe_url(&dest_url);
            in_unsafe_link.push(!ok);
            if ok {
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            } else {
                Event::Text(CowStr::Borrowed(""))
            }
        }
        Event::End(TagEnd::Link) => {
            if in_unsafe_link.pop().unwrap_or(false) {
                Event::Text(CowStr::Borrowed(""))
            } else {
                Event::End(TagEnd::Link)
            }
        }
        // An image would load from anywhere: keep its words only.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {
            Event::Text(CowStr::Borrowed(""))
        }
        other => other,
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

/// Plain text as typst markup that prints exactly that text: every ASCII punctuation mark that
/// typst's markup gives a meaning (`#`, `*`, `_`, `$`, `@`, `\`, `[`, `]`, `<`, `=`, `-`, `/`, …)
/// is escaped with a backslash (in typst, `\` before any non-space character is that
/// character), and line breaks become spaces.
pub fn typst_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            // Quotes and apostrophes stay, so typst sets them as typographic quotes.
            '\'' | '"' | ',' | '.' | ';' | '!' | '?' | '%' | '&' | '|' | '^' => out.push(c),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text as a typst string literal (for function arguments such as link targets).
pub fn typst_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Markdown-like text as typst markup, built from the parsed events, every piece of text
/// escaped with [`typst_text`].
pub fn to_typst(text: &str) -> String {
    let mut out = String::new();
    let mut lists: Vec<bool> = Vec::new();
    for event in parser(text) {
        match event {
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&typst_text(&t)),
            Event::Code(t) => {
                out.push_str("#raw(");
                out.push_str(&typst_string(&t));
                out.push(')');
            }
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push_str(" \\\n"),
            Event::Rule => out.push_str("\n#line(length: 100%)\n"),
            Event::Start(tag) => match tag {
                Tag::Paragraph => {}
                Tag::Heading { .. } => out.push_str("#strong["),
                Tag::BlockQuote(_) => out.push_str("#quote(block: true)["),
                Tag::CodeBlock(_) => out.push_str("#block["),
                Tag::List(first) => {
                    lists.push(first.is_some());
                    out.push('\n');
                }
                Tag::Item => {
                    out.push_str(&"  ".repeat(lists.len().saturating_sub(1)));
                    out.push_str(if lists.last().copied().unwrap_or(false) {
                        "+ "
                    } else {
                        "- "
                    });
                }
                Tag::Emphasis => out.push_str("#emph["),
                Tag::Strong => out.push_str("#strong["),
                Tag::Strikethrough => out.push_str("#strike["),
                Tag::Link { dest_url, .. } if safe_url(&dest_url) => {
                    out.push_str("#link(");
                    out.push_str(&typst_string(&dest_url));
                    out.push_str(")[");
                }
                Tag::Link { .. } | Tag::Image { .. } => out.push_str("#box["),
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph => out.push_str("\n\n"),
                TagEnd::Heading(_) => out.push_str("]\n\n"),
                TagEnd::BlockQuote(_) | TagEnd::CodeBlock => out.push_str("]\n\n"),
                TagEnd::List(_) => {
                    lists.pop();
                    out.push('\n');
                }
                TagEnd::Item => out.push('\n'),
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image => out.push(']'),
                _ => {}
            },
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_in_the_coordinators_text_is_shown_as_text() {
        let html =
            to_html("Hello <script>alert(1)</script> and <b>bold</b>\n\n<img src=x onerror=y>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn only_web_and_mail_links_survive() {
        let html = to_html("[a](javascript:alert(1)) [b](https://example.org/x)");
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("href=\"https://example.org/x\""), "{html}");
    }

    #[test]
    fn markdown_formats_in_both_outputs() {
        let text = "1. **Run** it *again*\n2. Pilot";
        let html = to_html(text);
        assert!(
            html.contains("<ol>") && html.contains("<strong>Run</strong>"),
            "{html}"
        );
        let typst = to_typst(text);
        assert!(typst.contains("+ #strong[Run] it #emph[again]"), "{typst}");
    }

    #[test]
    fn typst_specials_are_escaped() {
        assert_eq!(
            typst_text(r"#let $x$ *a* _b_ @ref [c] \ = - /"),
            r"\#let \$x\$ \*a\* \_b\_ \@ref \[c\] \\ \= \- \/"
        );
        assert_eq!(typst_string("a\"b\\c"), r#""a\"b\\c""#);
    }
}
