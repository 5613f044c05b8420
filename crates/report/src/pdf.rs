//! The report as a PDF, typeset in-process by typst (through `typst-as-lib`) with the fonts
//! embedded in `typst-assets`: title page, contents, numbered sections, the same SVG charts
//! as vectors, tables whose header repeats and whose rows stay whole, page numbers, and a
//! tagged PDF (typst tags by default).
//!
//! The typst source is generated here: every piece of user text goes through
//! [`markdown::typst_text`] (or [`markdown::to_typst`] for the Markdown-like fields), so no
//! user text is ever read as typst markup or code.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::OnceLock;

use flipside_core::disclosure::Suppression;
use typst::text::Font;
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

use crate::chart::means_chart;
use crate::figures::{Figure, Printed};
use crate::markdown::{self, typst_string, typst_text as esc};
use crate::model::*;
use crate::outline::{caveats, rate_caveats};

/// Why a PDF could not be made (a bug in the generated source, not in the user's text).
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// Typst could not compile the generated source.
    #[error("typesetting the report failed: {0}")]
    Typeset(String),
    /// Typst could not write the PDF.
    #[error("writing the PDF failed: {0}")]
    Export(String),
}

/// The fonts, parsed once per process (parsing them is a large share of a render).
fn fonts() -> &'static [Font] {
    static FONTS: OnceLock<Vec<Font>> = OnceLock::new();
    FONTS.get_or_init(|| {
        typst_assets::fonts()
            .flat_map(|data| Font::iter(typst::foundations::Bytes::new(data)))
            .collect()
    })
}

/// The report as PDF bytes.
pub fn render(report: &ReportData) -> Result<Vec<u8>, PdfError> {
    let (source, charts) = source(report);
    let engine = TypstEngine::builder()
        .main_file(source)
        .fonts(fonts().iter().cloned())
        .with_static_file_resolver(
            charts
                .iter()
                .map(|(name, svg)| (name.as_str(), svg.as_slice())),
        )
        .build();
    let document: PagedDocument = engine
        .compile()
        .output
        .map_err(|e| PdfError::Typeset(format!("{e:?}")))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|e| PdfError::Export(format!("{e:?}")))
}

/// The generated typst source and the chart files it includes (for tests and debugging).
pub fn source(report: &ReportData) -> (String, Vec<(String, Vec<u8>)>) {
    let mut w = Writer {
        out: String::new(),
        report,
        charts: Vec::new(),
    };
    w.document();
    let charts = w.charts;
    (w.out, charts)
}

struct Writer<'a> {
    out: String,
    report: &'a ReportData,
    charts: Vec<(String, Vec<u8>)>,
}

/// A table's cells as typst, and the reasons for any hidden figure in it (for its note).
#[derive(Default)]
struct Cells {
    hidden: BTreeSet<Suppression>,
}

impl Cells {
    fn fig(&mut self, printed: Printed) -> String {
        match printed {
            Printed::Shown(text) => format!("[{}]", esc(&text)),
            Printed::Hidden(reason) => {
                self.hidden.insert(reason);
                "[–]".to_owned()
            }
        }
    }

    fn of(&mut self, f: &impl Figure) -> String {
        self.fig(f.printed())
    }

    fn text(&mut self, t: &str) -> String {
        format!("[{}]", esc(t))
    }
}

const PREAMBLE: &str = r##"
#let accent = rgb("#00567a")
#let muted = luma(90)
#set page(paper: "a4", margin: (x: 2.3cm, top: 2.5cm, bottom: 2.6cm))
#set text(font: "Libertinus Serif", size: 10.5pt, lang: "en", region: "gb")
#set par(justify: true, leading: 0.62em, spacing: 1.1em)
#show heading: set text(fill: accent, weight: "semibold", hyphenate: false)
#show heading.where(level: 1): it => { pagebreak(weak: true); v(0.6cm); text(size: 19pt, it); v(0.3cm) }
#show heading.where(level: 2): set text(size: 13.5pt)
#show heading.where(level: 3): set text(size: 11.5pt)
#show heading: set block(above: 1.5em, below: 0.9em)
#set table(
  stroke: (x, y) => if y == 0 { (bottom: 0.9pt + black) } else { (bottom: 0.4pt + luma(200)) },
  inset: (x: 5pt, y: 4pt),
)
#show table.cell.where(y: 0): set text(weight: "bold", size: 9pt)
#show table: set text(size: 9.5pt)
#show table: set par(justify: false)
#set table.cell(breakable: false)
#show figure.where(kind: table): set figure.caption(position: top)
#show figure.caption: set text(size: 9.5pt)
#show figure.caption: set align(left)
#show figure: set block(breakable: false)
#let note(body) = block(text(size: 8.5pt, fill: muted, body), above: 0.4em, below: 1.1em)
#let caveat(body) = block(fill: rgb("#fff6ea"), stroke: (left: 3pt + rgb("#b35c00")), inset: 8pt, width: 100%, text(size: 9.5pt, body))
#let quoted(body, who) = block(inset: (left: 12pt), stroke: (left: 2pt + accent), above: 0.8em, below: 0.8em)[#emph(body) \ #text(size: 9pt, fill: muted)[— #who]]
"##;

impl Writer<'_> {
    fn w(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn document(&mut self) {
        let r = self.report;
        let year = r.scope.academic_year();
        let _ = writeln!(
            self.out,
            "#set document(title: {}, author: {})",
            typst_string(&format!("{} {year}", r.title)),
            typst_string(&r.author)
        );
        self.w(PREAMBLE);
        // Title page.
        let _ = write!(
            self.out,
            r#"
#page(margin: (x: 2.5cm, top: 5cm, bottom: 3cm))[
  #set text(hyphenate: false)
  #set par(justify: false)
  #text(size: 11pt, tracking: 0.12em, fill: muted)[{org}]
  #v(1.2cm)
  #line(length: 30%, stroke: 2.5pt + accent)
  #v(0.6cm)
  #text(size: 28pt, weight: "bold", fill: accent)[{title}]
  #v(0.2cm)
  #text(size: 20pt)[{year}]
  #v(1cm)
  #text(size: 12pt)[{scope}]
  #v(1fr)
  #text(size: 10pt, fill: muted)[Prepared by {author}, {date}. \ Every figure follows {rule}.]
]
"#,
            org = esc(&r.organisation.to_uppercase()),
            title = esc(&r.title),
            year = esc(year),
            scope = esc(&r.scope.describe()),
            author = esc(&r.author),
            date = esc(&r.prepared_on.format("%-d %B %Y").to_string()),
            rule = esc(r.rule_title()),
        );
        // Contents, then the body with page numbers.
        let footer = format!(
            "#set page(numbering: \"1\", footer: context [#set text(size: 8.5pt, fill: muted); {} #h(1fr) Page #counter(page).display() of #counter(page).final().first()])\n",
            esc(&format!("{} {year}", r.title))
        );
        self.w(&footer);
        self.w("#counter(page).update(1)\n#outline(title: [Contents], depth: 2, indent: auto)\n");
        self.w("#set heading(numbering: \"1.1\")\n");
        self.w("\n= Introduction\n");
        self.w(&markdown::to_typst(&r.introduction));
        let _ = writeln!(
            self.out,
            "#caveat[*Disclosure rule.* This report follows {}. {} A dash (–) marks a hidden figure; each table's note says why.]",
            esc(r.rule_title()),
            esc(&r.disclosure.rule().description())
        );
        for s in &r.schemes {
            self.scheme(s);
        }
        self.w("\n= Recommendations\n");
        self.w(&markdown::to_typst(&r.recommendations));
        self.methods();
    }

    /// A table of figures: its first `text_columns` columns are words (left-aligned), the rest
    /// figures (right-aligned).
    fn table(
        &mut self,
        caption: &str,
        columns: &str,
        text_columns: usize,
        header: &[&str],
        rows: Vec<Vec<String>>,
        cells: Cells,
    ) {
        let head: Vec<String> = header.iter().map(|h| format!("[{}]", esc(h))).collect();
        let _ = write!(
            self.out,
            "#figure(kind: table, caption: [{}])[#table(columns: {columns}, align: (x, y) => if x < {text_columns} {{ left }} else {{ right }},\n  table.header({}),\n",
            esc(caption),
            head.join(", ")
        );
        for row in rows {
            let _ = writeln!(self.out, "  {},", row.join(", "));
        }
        self.w(")]\n");
        let rule = self.report.disclosure.rule();
        let mut note = format!("{}.", rule.name());
        for reason in &cells.hidden {
            note.push(' ');
            note.push_str(&rule.footnote(*reason));
            note.push('.');
        }
        let _ = writeln!(self.out, "#note[{}]", esc(&note));
    }

    fn scheme(&mut self, s: &SchemeReport) {
        let _ = writeln!(self.out, "\n= {}\n{}\n", esc(&s.scheme), esc(&s.purpose));
        // Participation.
        self.w("== Participation\n");
        let p = &s.participation;
        let mut c = Cells::default();
        let rows = vec![
            ("Students who applied".to_owned(), c.of(&p.applicants)),
            (
                "Applicants accepted as mentors".to_owned(),
                c.of(&p.accepted),
            ),
            (
                "Senior staff invited as mentees".to_owned(),
                c.of(&p.staff_invited),
            ),
            ("Pairs matched".to_owned(), c.of(&p.matched_pairs)),
            ("Pairs that completed".to_owned(), c.of(&p.completed_pairs)),
            ("Completion rate".to_owned(), c.of(&p.completion_rate)),
            (
                format!(
                    "Mean hours met per completed pair (target {})",
                    p.hours_target
                ),
                c.of(&p.mean_hours),
            ),
            (
                format!("Pairs that met the {}-hour target", p.hours_target),
                c.of(&p.pairs_meeting_target),
            ),
            ("Meetings held".to_owned(), c.of(&p.meetings_held)),
        ]
        .into_iter()
        .map(|(label, fig)| vec![format!("[{}]", esc(&label)), fig])
        .collect();
        self.table(
            "Participation from application to completion.",
            "(1fr, auto)",
            1,
            &["Measure", "Figure"],
            rows,
            c,
        );
        if !p.ended_early.is_empty() {
            let mut c = Cells::default();
            let rows = p
                .ended_early
                .iter()
                .map(|e| vec![c.text(&e.label), c.of(&e.count)])
                .collect();
            self.table(
                "Pairs that ended early, by category of reason.",
                "(1fr, auto)",
                1,
                &["Reason", "Pairs"],
                rows,
                c,
            );
        }
        // Response rates.
        self.w("== Who answered the surveys\n");
        let mut c = Cells::default();
        let rows = s
            .evaluation
            .response_rates
            .iter()
            .map(|r| {
                vec![
                    c.text(&r.role),
                    c.text(r.wave.label()),
                    c.of(&r.invited),
                    c.of(&r.responded),
                    c.of(&r.rate),
                ]
            })
            .collect();
        self.table(
            "Response rates per survey wave and role.",
            "(1fr, auto, auto, auto, auto)",
            2,
            &["Role", "Wave", "Invited", "Answered", "Response rate"],
            rows,
            c,
        );
        for cav in rate_caveats(&s.evaluation) {
            let _ = writeln!(self.out, "#caveat[{}]", esc(&cav));
        }
        // Results by aim.
        self.w("== Results by aim\n");
        for aim in &s.evaluation.aims {
            self.aim(aim);
        }
        // Findings.
        self.w("== What participants told us\n");
        match &s.findings {
            Some(findings) => {
                for f in findings {
                    let _ = writeln!(self.out, "=== {}\n{}\n", esc(&f.aim), esc(&f.summary));
                    for q in &f.quotes {
                        let _ = writeln!(self.out, "#quoted[{}][{}]", esc(&q.text), esc(&q.pseudonym));
                    }
                }
            }
            None => self.w(
                "No reflective chats were analysed for this cycle, so this report has no qualitative findings or quotes.\n",
            ),
        }
        // Actions.
        self.w("== Actions raised and taken\n");
        let mut c = Cells::default();
        let rows = s
            .actions
            .by_status
            .iter()
            .map(|a| vec![c.text(&a.label), c.of(&a.count)])
            .collect();
        self.table(
            "Actions raised from the conversations, by status.",
            "(1fr, auto)",
            1,
            &["Status", "Actions"],
            rows,
            c,
        );
        if !s.actions.you_said_we_did.is_empty() {
            self.w("#show figure: set block(breakable: true)\n");
            let _ = write!(
                self.out,
                "#figure(kind: table, caption: [You said, we did.])[#table(columns: (1fr, 1.3fr, 0.8fr, auto), align: left,\n  table.header([You said], [We did], [Owner], [Status]),\n"
            );
            for y in &s.actions.you_said_we_did {
                let _ = writeln!(
                    self.out,
                    "  [{}], [{}], [{}], [{}],",
                    esc(&y.you_said),
                    esc(&y.we_did),
                    esc(&y.owner),
                    esc(&y.status)
                );
            }
            self.w(")]\n#show figure: set block(breakable: false)\n");
        }
        // Proposals.
        self.w("== Design-sprint proposals accepted\n");
        if s.proposals.is_empty() {
            self.w("No design-sprint proposals were accepted this year.\n");
        }
        for p in &s.proposals {
            let _ = writeln!(
                self.out,
                "=== {}\n#text(size: 9pt, fill: muted)[{} · Owner: {} · Status: {}]\n\n{}\n",
                esc(&p.title),
                esc(&p.sprint),
                esc(&p.owner),
                esc(&p.status),
                esc(&p.summary)
            );
            if let Some(e) = &p.evidence {
                let _ = writeln!(self.out, "*Evidence of change:* {}\n", esc(e));
            }
        }
    }

    fn aim(&mut self, aim: &AimResult) {
        let _ = writeln!(self.out, "=== {} ({})", esc(&aim.aim), esc(&aim.role));
        let chart = means_chart(aim);
        let name = format!("chart-{}.svg", self.charts.len() + 1);
        let _ = writeln!(
            self.out,
            "#figure(image({}, width: 92%, alt: {}), caption: [{}])",
            typst_string(&name),
            typst_string(&chart.description),
            esc(&chart.title)
        );
        self.charts.push((name, chart.svg.into_bytes()));
        for st in &aim.statements {
            let mut c = Cells::default();
            let rows = st
                .waves
                .iter()
                .map(|w| {
                    vec![
                        c.text(w.wave.label()),
                        c.of(&w.n),
                        c.of(&w.mean),
                        c.of(&w.sd),
                    ]
                })
                .collect();
            self.table(
                &format!("“{}” (1 = strongly disagree, 5 = strongly agree).", st.text),
                "(1fr, auto, auto, auto)",
                1,
                &["Wave", "Answered", "Mean", "SD"],
                rows,
                c,
            );
            let mut c = Cells::default();
            let rows = std::iter::once(&st.paired)
                .chain(st.follow_up.as_ref())
                .map(|ch| {
                    let pair =
                        |c: &mut Cells, n: &dyn Fn() -> Printed, pct: &dyn Fn() -> Printed| {
                            let a = c.fig(n());
                            let b = c.fig(pct());
                            format!("{a} + [ (] + {b} + [)]")
                        };
                    vec![
                        c.text(&format!(
                            "{} to {}",
                            ch.from.label(),
                            ch.to.label().to_lowercase()
                        )),
                        c.of(&ch.n),
                        c.fig(ch.mean_change.printed_change()),
                        pair(&mut c, &|| ch.moved_up.printed(), &|| {
                            ch.moved_up_pct.printed()
                        }),
                        pair(&mut c, &|| ch.same.printed(), &|| ch.same_pct.printed()),
                        pair(&mut c, &|| ch.moved_down.printed(), &|| {
                            ch.moved_down_pct.printed()
                        }),
                        c.of(&ch.effect_size_r),
                        c.fig(ch.p_value.printed_p()),
                    ]
                })
                .collect();
            let tests: BTreeSet<&str> = std::iter::once(&st.paired)
                .chain(st.follow_up.as_ref())
                .map(|ch| ch.test.as_str())
                .collect();
            let tests: Vec<&str> = tests.into_iter().collect();
            self.table(
                &format!(
                    "Change among those who answered both waves. p from the {}.",
                    tests.join("; ")
                ),
                "(1fr, auto, auto, auto, auto, auto, auto, auto)",
                1,
                &[
                    "Comparison",
                    "Paired",
                    "Change",
                    "Up",
                    "Same",
                    "Down",
                    "r",
                    "p",
                ],
                rows,
                c,
            );
        }
        for cav in caveats(aim) {
            let _ = writeln!(self.out, "#caveat[{}]", esc(&cav));
        }
    }

    fn methods(&mut self) {
        let r = self.report;
        self.w("\n#counter(heading).update(0)\n#set heading(numbering: \"A.1\")\n= Methods\n== Instruments\n");
        for i in &r.methods.instruments {
            let scale: Vec<String> = i
                .scale
                .iter()
                .enumerate()
                .map(|(n, l)| format!("{} = {}", n + 1, l))
                .collect();
            let _ = writeln!(
                self.out,
                "=== {}\nScale: {}.\n",
                esc(&i.name),
                esc(&scale.join("; "))
            );
            for (aim, statements) in &i.aims {
                let _ = writeln!(self.out, "_{}_\n", esc(aim));
                for s in statements {
                    let _ = writeln!(self.out, "- {}", esc(s));
                }
                self.w("\n");
            }
        }
        let _ = writeln!(
            self.out,
            "== Disclosure rule\nThis report follows {}. {}\n\n== Statistical methods",
            esc(r.rule_title()),
            esc(&r.disclosure.rule().description())
        );
        for m in &r.methods.statistics {
            let _ = writeln!(self.out, "- {}", esc(m));
        }
        self.w("\n== Who was invited\n");
        let mut c = Cells::default();
        let rows = r
            .methods
            .invited
            .iter()
            .map(|i| vec![c.text(&i.label), c.of(&i.count)])
            .collect();
        self.table(
            "Invitations to take part and to answer.",
            "(1fr, auto)",
            1,
            &["Group", "People"],
            rows,
            c,
        );
    }
}
