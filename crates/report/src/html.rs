//! The report as one accessible HTML page: semantic headings, tables with captions and
//! `scope`, charts inline as SVG with text alternatives, a print stylesheet, no JavaScript.
//!
//! Every figure is printed as `<data class="fig fig-KIND" value="…">`, so the tests (and
//! anyone checking) can find every number the report prints about people; a hidden figure is
//! a dash with its reason for screen readers.

use std::fmt;

use askama::Template;

use crate::chart::{Chart, means_chart};
use crate::figures::{Figure, Mean, Printed, Statistic};
use crate::markdown;
use crate::model::*;
use crate::outline::{Outline, caveats};

/// A figure ready for the page (its markup holds only numbers and the rule's own words).
pub struct Fig {
    kind: &'static str,
    printed: Printed,
    reason: String,
}

impl fmt::Display for Fig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.printed {
            Printed::Shown(text) => {
                let value: String = text
                    .chars()
                    .map(|c| if c == '−' { '-' } else { c })
                    .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
                    .collect();
                write!(
                    f,
                    "<data class=\"fig fig-{}\" value=\"{}\">{}</data>",
                    self.kind,
                    value,
                    escape(text)
                )
            }
            Printed::Hidden(_) => write!(
                f,
                "<span class=\"hidden-fig\" title=\"{0}\">–<span class=\"visually-hidden\"> (hidden: {0})</span></span>",
                escape(&self.reason)
            ),
        }
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Makes [`Fig`]s under the report's rule.
struct Figs<'a>(&'a ReportData);

impl Figs<'_> {
    fn of(&self, figure: &impl Figure) -> Fig {
        self.with(figure.kind().name(), figure.printed())
    }

    fn change(&self, m: &Mean) -> Fig {
        self.with("mean", m.printed_change())
    }

    fn p(&self, s: &Statistic) -> Fig {
        self.with("statistic", s.printed_p())
    }

    fn with(&self, kind: &'static str, printed: Printed) -> Fig {
        let reason = match &printed {
            Printed::Hidden(s) => self
                .0
                .disclosure
                .rule()
                .footnote(*s)
                .trim_start_matches("– ")
                .to_owned(),
            Printed::Shown(_) => String::new(),
        };
        Fig {
            kind,
            printed,
            reason,
        }
    }
}

struct ChartView {
    id: String,
    chart: Chart,
}

struct StatementView {
    text: String,
    waves: Vec<(String, Fig, Fig, Fig)>,
    changes: Vec<ChangeView>,
}

struct ChangeView {
    label: String,
    n: Fig,
    change: Fig,
    up: Fig,
    up_pct: Fig,
    same: Fig,
    same_pct: Fig,
    down: Fig,
    down_pct: Fig,
    r: Fig,
    p: Fig,
    test: String,
}

struct AimView {
    number: String,
    aim: String,
    role: String,
    chart: ChartView,
    statements: Vec<StatementView>,
    caveats: Vec<String>,
}

struct RateView {
    wave: String,
    role: String,
    invited: Fig,
    responded: Fig,
    rate: Fig,
}

struct SchemeView<'a> {
    number: String,
    scheme: &'a SchemeReport,
    participation: Vec<(String, Fig)>,
    ended_early: Vec<(String, Fig)>,
    rates: Vec<RateView>,
    rate_caveats: Vec<String>,
    aims: Vec<AimView>,
    actions: Vec<(String, Fig)>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    report: &'a ReportData,
    outline: Outline,
    rule_name: String,
    rule_description: String,
    introduction: String,
    recommendations: String,
    schemes: Vec<SchemeView<'a>>,
    invited: Vec<(String, Fig)>,
    css: &'static str,
}

/// The report as a complete HTML document.
pub fn render(report: &ReportData) -> Result<String, askama::Error> {
    let figs = Figs(report);
    let outline = Outline::of(report);
    let mut chart_no = 0;
    let schemes = report
        .schemes
        .iter()
        .zip(&outline.schemes)
        .map(|(s, number)| {
            let p = &s.participation;
            let participation = vec![
                ("Students who applied".to_owned(), figs.of(&p.applicants)),
                (
                    "Applicants accepted as mentors".to_owned(),
                    figs.of(&p.accepted),
                ),
                (
                    "Senior staff invited as mentees".to_owned(),
                    figs.of(&p.staff_invited),
                ),
                ("Pairs matched".to_owned(), figs.of(&p.matched_pairs)),
                (
                    "Pairs that completed".to_owned(),
                    figs.of(&p.completed_pairs),
                ),
                ("Completion rate".to_owned(), figs.of(&p.completion_rate)),
                (
                    format!(
                        "Mean hours met per completed pair (target {})",
                        p.hours_target
                    ),
                    figs.of(&p.mean_hours),
                ),
                (
                    format!("Pairs that met the {}-hour target", p.hours_target),
                    figs.of(&p.pairs_meeting_target),
                ),
                ("Meetings held".to_owned(), figs.of(&p.meetings_held)),
            ];
            let aims = s
                .evaluation
                .aims
                .iter()
                .enumerate()
                .map(|(i, aim)| {
                    chart_no += 1;
                    AimView {
                        number: format!("{number}.3.{}", i + 1),
                        aim: aim.aim.clone(),
                        role: aim.role.clone(),
                        chart: ChartView {
                            id: format!("chart-{chart_no}"),
                            chart: means_chart(aim),
                        },
                        statements: aim
                            .statements
                            .iter()
                            .map(|st| StatementView {
                                text: st.text.clone(),
                                waves: st
                                    .waves
                                    .iter()
                                    .map(|w| {
                                        (
                                            w.wave.label().to_owned(),
                                            figs.of(&w.n),
                                            figs.of(&w.mean),
                                            figs.of(&w.sd),
                                        )
                                    })
                                    .collect(),
                                changes: std::iter::once(&st.paired)
                                    .chain(st.follow_up.as_ref())
                                    .map(|c| ChangeView {
                                        label: format!(
                                            "{} to {}",
                                            c.from.label(),
                                            c.to.label().to_lowercase()
                                        ),
                                        n: figs.of(&c.n),
                                        change: figs.change(&c.mean_change),
                                        up: figs.of(&c.moved_up),
                                        up_pct: figs.of(&c.moved_up_pct),
                                        same: figs.of(&c.same),
                                        same_pct: figs.of(&c.same_pct),
                                        down: figs.of(&c.moved_down),
                                        down_pct: figs.of(&c.moved_down_pct),
                                        r: figs.of(&c.effect_size_r),
                                        p: figs.p(&c.p_value),
                                        test: c.test.clone(),
                                    })
                                    .collect(),
                            })
                            .collect(),
                        caveats: caveats(aim),
                    }
                })
                .collect();
            SchemeView {
                number: number.clone(),
                scheme: s,
                participation,
                ended_early: s
                    .participation
                    .ended_early
                    .iter()
                    .map(|c| (c.label.clone(), figs.of(&c.count)))
                    .collect(),
                rates: s
                    .evaluation
                    .response_rates
                    .iter()
                    .map(|r| RateView {
                        wave: r.wave.label().to_owned(),
                        role: r.role.clone(),
                        invited: figs.of(&r.invited),
                        responded: figs.of(&r.responded),
                        rate: figs.of(&r.rate),
                    })
                    .collect(),
                rate_caveats: crate::outline::rate_caveats(&s.evaluation),
                aims,
                actions: s
                    .actions
                    .by_status
                    .iter()
                    .map(|c| (c.label.clone(), figs.of(&c.count)))
                    .collect(),
            }
        })
        .collect();
    let page = ReportPage {
        report,
        outline,
        rule_name: report.rule_name(),
        rule_description: report.disclosure.rule().description(),
        introduction: markdown::to_html(&report.introduction),
        recommendations: markdown::to_html(&report.recommendations),
        schemes,
        invited: report
            .methods
            .invited
            .iter()
            .map(|c| (c.label.clone(), figs.of(&c.count)))
            .collect(),
        css: include_str!("../templates/report.css"),
    };
    page.render()
}
