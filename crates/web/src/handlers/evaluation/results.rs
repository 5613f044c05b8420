//! A cycle's evaluation results (coordinators, researchers, admins): response rates per wave and
//! role, and each statement compared before and after, under the organisation's disclosure rule.
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::evaluation::chart::{Chart, chart};
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use flipside_core::disclosure::{Cell, DisclosureRule, LabelTable, Suppression};
use flipside_core::evaluation::{self, ComparedStatement, ResponseRate, Wave};
use flipside_core::policy;
use flipside_core::results_words::{MovedCounts, RoleSummary, StatementMovement, summarise};
use flipside_store::{AnswerRow, Cycle, Organisation, Scheme};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

/// One comparison of two waves: its statements and, for before → after, a chart.
pub struct Comparison {
    pub heading: String,
    pub rows: Vec<ComparedStatement>,
    pub chart: Option<Chart>,
    /// Whether the rule shows the change of any statement; when not, the page says so once
    /// instead of printing a table of hidden cells.
    pub any_shown: bool,
}

/// Respondents of one wave by identity label and by combination of labels.
pub struct Breakdown {
    pub wave: Wave,
    pub table: LabelTable,
}

/// One role's results.
pub struct RoleResults {
    pub role: String,
    pub title: &'static str,
    pub rates: Vec<ResponseRate>,
    pub comparisons: Vec<Comparison>,
    /// The before → after comparison in plain sentences, said first.
    pub summary: RoleSummary,
    pub consenting: usize,
    /// Only where some respondent applied with identity labels (students, via recruitment).
    pub breakdowns: Vec<Breakdown>,
}

/// A cycle's results under one disclosure rule: the same for everyone who may see them, so
/// kept per cycle while nothing behind them changes ([`crate::state::Inner::results`]).
pub struct ResultsFigures {
    pub roles: Vec<RoleResults>,
    /// Figures per aim, before → after (issue 11).
    pub by_aim: Vec<crate::handlers::qualitative::quotes::triangulation::AimTable>,
    /// The figures as the page shows them, rendered by the first request that asks (without
    /// and with links to the aims' pages) and kept with them: drawing the charts and tables
    /// again on every request was most of the page's time (issue 15).
    rendered: [OnceLock<String>; 2],
    /// The disclosure rule they were computed under, in words (the rule is part of the key
    /// they are kept under).
    pub rule_description: String,
}

/// The part of the results page drawn from a cycle's figures alone.
#[derive(Template)]
#[template(path = "cycles/results_figures.html")]
struct FiguresHtml<'a> {
    figures: &'a ResultsFigures,
    cycle_id: i64,
    can_see_aims: bool,
    methods_note: String,
}

impl ResultsFigures {
    /// The figures' part of cycle `cycle_id`'s results page, rendered once and then kept.
    /// (The template passes its fields by reference.)
    pub fn html(&self, cycle_id: &i64, can_see_aims: &bool) -> Result<&str, askama::Error> {
        let (cycle_id, can_see_aims) = (*cycle_id, *can_see_aims);
        crate::page::rendered_once(&self.rendered[usize::from(can_see_aims)], || {
            FiguresHtml {
                figures: self,
                cycle_id,
                can_see_aims,
                methods_note: flipside_core::results_words::methods_note(),
            }
            .render()
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "cycles/results.html")]
pub struct ResultsPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    /// Which rule it is ([`flipside_core::disclosure::DisclosureRule::kind`]).
    rule_kind: &'static str,
    figures: Arc<ResultsFigures>,
    can_export: bool,
    /// Whether to link the aims' triangulation pages.
    can_see_aims: bool,
}

/// The organisation's disclosure rule. A stored preset no version of flipside writes is an
/// error (a 500, logged), never quietly the internal rule: pages must not publish figures
/// under a laxer rule than the one chosen.
pub fn rule_of(org: &Organisation) -> Result<DisclosureRule, AppError> {
    match org.disclosure_preset.as_str() {
        "publication" => Ok(DisclosureRule::publication()),
        // A value stored below the floor (before there was one) is raised to it.
        "internal" => Ok(DisclosureRule::internal_with_min(
            (org.min_cell.max(0) as u64).max(flipside_core::disclosure::INTERNAL_MIN_COUNT_FLOOR),
        )),
        other => Err(AppError::Internal(anyhow::anyhow!(
            "the organisation's disclosure preset '{other}' is not internal or publication"
        ))),
    }
}

/// The role's people as the sentences name them.
fn people_noun(role: &str) -> &'static str {
    match role {
        "mentor" => "student mentors",
        "mentee" => "staff mentees",
        _ => "participants",
    }
}

/// Whether the rule shows a statement's change: a comparison none of whose changes can be
/// shown is said in one sentence instead of a table of dashes.
fn change_shown(s: &ComparedStatement) -> bool {
    !s.mean_change.is_suppressed()
}

fn title(role: &str) -> &'static str {
    match role {
        "mentor" => "Student mentors",
        "mentee" => "Staff mentees",
        _ => "Participants",
    }
}

/// The first wave's mean of a statement is one figure in both comparisons: hidden in one so
/// that it cannot be worked out (complementary), it is hidden in the other too, where it would
/// otherwise be shown beside the same figures.
pub fn hide_the_first_wave_everywhere(comparisons: &mut [Vec<ComparedStatement>]) {
    let hidden: Vec<bool> = (0..comparisons.first().map_or(0, Vec::len))
        .map(|i| {
            comparisons.iter().any(|rows| {
                rows.get(i).and_then(|r| r.mean_from.suppression())
                    == Some(Suppression::Complementary)
            })
        })
        .collect();
    for rows in comparisons.iter_mut() {
        for (row, hide) in rows.iter_mut().zip(&hidden) {
            if *hide && !row.mean_from.is_suppressed() {
                row.mean_from = Cell::Suppressed(Suppression::Complementary);
                row.sd_from = Cell::Suppressed(Suppression::Complementary);
                row.mann_whitney = None;
            }
        }
    }
}

/// The distinct small-n caveats of a table, each said once under it.
pub fn caveats(rows: &[ComparedStatement]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in rows.iter().filter_map(|r| r.caveat.clone()) {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// One role's answers as the analysis uses them: only those given with research consent, the
/// statements they answer in the instrument's order, and each statement's scores per wave by
/// participant code. The results page and the annual report analyse exactly these.
pub struct Analysed<'a> {
    pub consenting: Vec<&'a AnswerRow>,
    /// (position, statement code, aim, text), in order.
    pub statements: Vec<(i64, &'a str, &'a str, &'a str)>,
}

impl<'a> Analysed<'a> {
    pub fn of(answers: &[&'a AnswerRow]) -> Analysed<'a> {
        let consenting: Vec<&AnswerRow> = answers
            .iter()
            .copied()
            .filter(|a| a.research_consent)
            .collect();
        let mut statements: Vec<(i64, &str, &str, &str)> = consenting
            .iter()
            .map(|a| {
                (
                    a.position,
                    a.statement_code.as_str(),
                    a.aim.as_str(),
                    a.text.as_str(),
                )
            })
            .collect();
        statements.sort();
        statements.dedup();
        Analysed {
            consenting,
            statements,
        }
    }

    /// A statement's scores in one wave, by participant code.
    pub fn scores(&self, code: &str, wave: Wave) -> BTreeMap<String, f64> {
        self.consenting
            .iter()
            .filter(|a| a.statement_code == code && a.wave == wave.as_str())
            .map(|a| (a.code.clone(), a.score as f64))
            .collect()
    }
}

/// Builds each role's rates and comparisons from the stored answers. Response rates count
/// everyone who answered; the analysis uses only those who consented to research use.
///
/// `labels` holds the identity labels of consenting respondents who applied to the cycle (by
/// participant code); respondents of each wave are broken down by them under the rule.
pub fn build(
    counts: &[(String, i64)],
    answers: &[AnswerRow],
    rule: &DisclosureRule,
    labels: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<RoleResults> {
    let mut out = Vec::new();
    // Students (mentors) first: the scheme is theirs.
    let mut counts: Vec<&(String, i64)> = counts.iter().collect();
    counts.sort_by_key(|(role, _)| (role != "mentor", role.clone()));
    for (role, invited) in counts {
        let mine: Vec<&AnswerRow> = answers.iter().filter(|a| &a.role == role).collect();
        let rates = Wave::ALL
            .iter()
            .map(|w| {
                let responded: BTreeSet<&str> = mine
                    .iter()
                    .filter(|a| a.wave == w.as_str())
                    .map(|a| a.code.as_str())
                    .collect();
                ResponseRate {
                    role: role.clone(),
                    wave: *w,
                    responded: responded.len() as u64,
                    invited: *invited as u64,
                }
            })
            .collect();
        let analysed = Analysed::of(&mine);
        let (consenting, statements) = (&analysed.consenting, &analysed.statements);
        let scores = |code: &str, wave: Wave| analysed.scores(code, wave);
        let mut compared: Vec<Vec<ComparedStatement>> =
            [(Wave::Pre, Wave::Post), (Wave::Pre, Wave::Followup)]
                .iter()
                .map(|(from, to)| {
                    statements
                        .iter()
                        .map(|(_, code, aim, text)| {
                            evaluation::compare(
                                (code, aim, text),
                                &scores(code, *from),
                                &scores(code, *to),
                                rule,
                            )
                        })
                        .collect()
                })
                .collect();
        hide_the_first_wave_everywhere(&mut compared);
        let comparisons = [(Wave::Pre, Wave::Post), (Wave::Pre, Wave::Followup)]
            .iter()
            .zip(compared)
            .map(|((from, to), rows)| {
                let heading = format!("{} → {}", from.label(), to.label());
                let any_shown = rows.iter().any(change_shown);
                let chart = (*to == Wave::Post && any_shown).then(|| {
                    chart(
                        format!("chart-{role}"),
                        format!("{}: mean answer {heading}", title(role)),
                        (from.label(), to.label()),
                        &rows,
                    )
                });
                Comparison {
                    heading,
                    rows,
                    chart,
                    any_shown,
                }
            })
            .collect();
        let answered = |wave: Wave| -> BTreeSet<&str> {
            consenting
                .iter()
                .filter(|a| a.wave == wave.as_str())
                .map(|a| a.code.as_str())
                .collect()
        };
        let answered_both = answered(Wave::Pre)
            .intersection(&answered(Wave::Post))
            .count() as u64;
        let movements: Vec<StatementMovement> = statements
            .iter()
            .map(|(_, code, aim, text)| {
                let (from, to) = (scores(code, Wave::Pre), scores(code, Wave::Post));
                let d: Vec<f64> = from
                    .iter()
                    .filter_map(|(c, x)| to.get(c).map(|y| y - x))
                    .collect();
                StatementMovement {
                    aim,
                    text,
                    movement: MovedCounts::of(&d),
                }
            })
            .collect();
        let summary = summarise(
            people_noun(role),
            *invited as u64,
            answered_both,
            &movements,
            rule,
        );
        let people: BTreeSet<&str> = consenting.iter().map(|a| a.code.as_str()).collect();
        let breakdowns = if people.iter().any(|c| labels.contains_key(*c)) {
            [Wave::Pre, Wave::Post]
                .into_iter()
                .map(|wave| {
                    let respondents: BTreeSet<&str> = consenting
                        .iter()
                        .filter(|a| a.wave == wave.as_str())
                        .map(|a| a.code.as_str())
                        .collect();
                    let sets: Vec<BTreeSet<String>> = respondents
                        .iter()
                        .map(|c| labels.get(*c).cloned().unwrap_or_default())
                        .collect();
                    Breakdown {
                        wave,
                        table: rule.labels(&sets),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        out.push(RoleResults {
            role: role.clone(),
            title: title(role),
            rates,
            comparisons,
            summary,
            consenting: people.len(),
            breakdowns,
        });
    }
    out
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<ResultsPage, AppError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::aggregate_results(&user.actor, cycle.scheme_id))?;
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let (figures, rule) = cached(&state, &cycle).await?;
    Ok(ResultsPage {
        ctx,
        can_see_aims: policy::quotes(&user.actor, cycle.scheme_id, policy::Action::View),
        rule_kind: rule.kind(),
        can_export: policy::research_export(&user.actor, cycle.scheme_id),
        scheme,
        cycle,
        figures,
    })
}

/// A cycle's results under the organisation's disclosure rule, and the rule (the page's and
/// `getCycleResults`'): computed once and kept while nothing behind them changes. The caller
/// has already asked whether the person may see them.
pub async fn cached(
    state: &AppState,
    cycle: &Cycle,
) -> Result<(Arc<ResultsFigures>, DisclosureRule), AppError> {
    let org = state.organisation().await?.ok_or(AppError::NotFound)?;
    let rule = rule_of(&org)?;
    let version = state.store.evaluation_version().await?;
    let figures = state
        .results
        .get(
            (cycle.id, org.disclosure_preset.clone(), org.min_cell),
            version,
            || figures(state, cycle, &rule),
        )
        .await?;
    Ok((figures, rule))
}

/// A cycle's results under `rule`, computed from what the store holds now.
async fn figures(
    state: &AppState,
    cycle: &Cycle,
    rule: &DisclosureRule,
) -> flipside_store::Result<ResultsFigures> {
    let id = cycle.id;
    let counts = state.store.survey_participant_counts(id).await?;
    let answers = state.store.survey_answers(id).await?;
    let mut labels: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (code, label) in state.store.respondent_labels(id).await? {
        labels.entry(code).or_default().insert(label);
    }
    let statement_aims = state.store.cycle_instrument(id).await?.aims_by_statement();
    let by_aim = crate::handlers::qualitative::quotes::triangulation::aim_figures(
        &answers,
        &statement_aims,
        &state.store.aims_of_scheme(cycle.scheme_id).await?,
        rule,
    );
    Ok(ResultsFigures {
        roles: build(&counts, &answers, rule, &labels),
        by_aim,
        rendered: Default::default(),
        rule_description: rule.description(),
    })
}
