//! Triangulation per aim (issue 11): `/cycles/{id}/aims` lists a cycle's aims with what each
//! has; `/cycles/{id}/aims/{aim}` sets side by side the survey change of each statement of the
//! aim (under the organisation's disclosure rule), the frequencies of the codes tied to the
//! aim, and the quotes chosen for it, with the coordinator's finding, which the annual report
//! prints.
use super::{Evidence, statement_aims};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::evaluation::results;
use crate::handlers::{audit_read, cycle_if};
use crate::operations::cycles::Actor;
use crate::operations::qualitative::set_finding;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::evaluation::ComparedStatement;
use flipside_core::policy::{self, Action};
use flipside_core::qualitative::aims::Aim;
use flipside_core::qualitative::excerpt::Excerpt;
use flipside_core::qualitative::triangulation::{
    Attributed, Audience, CodeFrequency, code_frequencies,
};
use flipside_store::{Cycle, Scheme};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// Longest finding, in characters.
pub const MAX_FINDING_CHARS: usize = 5000;

/// One aim in the index.
pub struct AimRow {
    pub aim: Aim,
    pub statements: usize,
    pub quotes: usize,
    pub finding: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/quotes/aims_index.html")]
pub struct IndexPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    rows: Vec<AimRow>,
    can_edit_aims: bool,
}

/// `GET /cycles/{id}/aims`.
pub async fn index(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<IndexPage, AppError> {
    let (cycle, scheme) = cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::View)
    })
    .await?;
    let evidence = Evidence::load(&state, &cycle).await?;
    let statements = statement_aims(&state, cycle.id).await?;
    let findings = state.store.findings_of_cycle(id).await?;
    let rows = evidence
        .aims
        .iter()
        .map(|aim| AimRow {
            statements: statements.values().filter(|a| **a == aim.key).count(),
            quotes: evidence.quotes_of_aim(&aim.key).len(),
            finding: findings
                .iter()
                .any(|f| f.aim == aim.key && !f.finding.trim().is_empty()),
            aim: aim.clone(),
        })
        .collect();
    Ok(IndexPage {
        ctx,
        can_edit_aims: policy::aims(&user.actor, scheme.id, Action::Edit),
        scheme,
        cycle,
        rows,
    })
}

/// One comparison of two waves, narrowed to the aim's statements.
pub struct AimComparison {
    pub heading: String,
    pub rows: Vec<ComparedStatement>,
}

/// A quote as the aim's page shows it.
pub struct AimQuote {
    pub pseudonym: String,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/quotes/aim.html")]
pub struct AimPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    aim: Aim,
    rule_name: String,
    comparisons: Vec<AimComparison>,
    frequencies: Vec<CodeFrequency>,
    quotes: Vec<AimQuote>,
    finding: String,
    can_edit: bool,
    errors: FormErrors,
}

/// Excerpts counted once per passage: two coders who coded the same span of a chat give one
/// passage with the union of their codes, so that double coding does not double the counts.
fn passages(excerpts: &[Excerpt]) -> Vec<Excerpt> {
    let mut by_span: BTreeMap<(i64, usize, usize), Excerpt> = BTreeMap::new();
    for e in excerpts {
        let entry = by_span
            .entry((e.chat, e.span.start, e.span.end))
            .or_insert_with(|| Excerpt {
                codes: Vec::new(),
                ..e.clone()
            });
        for c in &e.codes {
            if !entry.codes.contains(c) {
                entry.codes.push(*c);
            }
        }
    }
    by_span.into_values().collect()
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    (cycle, scheme): (Cycle, Scheme),
    aim_key: &str,
    typed: Option<(String, FormErrors)>,
) -> Result<AimPage, AppError> {
    let evidence = Evidence::load(state, &cycle).await?;
    let aim = evidence
        .aims
        .iter()
        .find(|a| a.key == aim_key)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let org = state.organisation().await?.ok_or(AppError::NotFound)?;
    let rule = results::rule_of(&org)?;
    // The survey change: the results page's own figures, narrowed to this aim's statements.
    let statements = statement_aims(state, cycle.id).await?;
    let counts = state.store.survey_participant_counts(cycle.id).await?;
    let answers = state.store.survey_answers(cycle.id).await?;
    let mut comparisons: Vec<AimComparison> = Vec::new();
    for role in results::build(&counts, &answers, &rule, &BTreeMap::new()) {
        for c in role.comparisons {
            let rows: Vec<ComparedStatement> = c
                .rows
                .into_iter()
                .filter(|s| statements.get(&s.code).map(String::as_str) == Some(aim_key))
                .collect();
            if rows.is_empty() {
                continue;
            }
            match comparisons.iter_mut().find(|x| x.heading == c.heading) {
                Some(x) => x.rows.extend(rows),
                None => comparisons.push(AimComparison {
                    heading: c.heading,
                    rows,
                }),
            }
        }
    }
    // The codes: passages of participants whose research consent stands.
    let counted: Vec<Excerpt> = passages(&evidence.excerpts)
        .into_iter()
        .filter(|e| {
            evidence.chats.get(&e.chat).is_some_and(|p| {
                evidence
                    .research_consenting
                    .contains(&p.participant_user_id)
            })
        })
        .collect();
    let attributed: Vec<Attributed> = counted
        .iter()
        .filter_map(|e| {
            let p = evidence.chats.get(&e.chat)?;
            Some(Attributed {
                excerpt: e,
                participant: p.participant_user_id,
                role: &p.participant_role,
            })
        })
        .collect();
    let frequencies = code_frequencies(
        &evidence.codebook,
        Some(aim_key),
        &attributed,
        Audience::ResearchTeam,
        &rule,
    );
    // The same words twice under one aim add nothing (as in the annual report).
    let mut seen = BTreeSet::new();
    let quotes = evidence
        .quotes_of_aim(aim_key)
        .into_iter()
        .filter(|q| seen.insert(q.edited.trim().to_owned()))
        .map(|q| AimQuote {
            pseudonym: evidence.pseudonym(q.participant_user_id),
            text: q.edited.clone(),
        })
        .collect();
    let (finding, errors) = match typed {
        Some((text, errors)) => (text, errors),
        None => (
            state
                .store
                .findings_of_cycle(cycle.id)
                .await?
                .into_iter()
                .find(|f| f.aim == aim_key)
                .map(|f| f.finding)
                .unwrap_or_default(),
            FormErrors::default(),
        ),
    };
    Ok(AimPage {
        ctx,
        can_edit: policy::quotes(&user.actor, scheme.id, Action::Edit),
        rule_name: rule.name(),
        scheme,
        cycle,
        aim,
        comparisons,
        frequencies,
        quotes,
        finding,
        errors,
    })
}

/// `GET /cycles/{id}/aims/{aim}` (audited: it shows words from the chats).
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, aim)): Path<(i64, String)>,
) -> Result<AimPage, AppError> {
    let loaded = cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::View)
    })
    .await?;
    let page = render(&state, ctx, &user, loaded, &aim, None).await?;
    audit_read(
        &state,
        &user,
        &address,
        "triangulation_read",
        ("cycle", id),
        &format!("aim {aim}"),
    )
    .await?;
    Ok(page)
}

#[derive(Debug, Deserialize)]
pub struct FindingForm {
    #[serde(default)]
    pub finding: String,
}

/// `POST /cycles/{id}/aims/{aim}/finding`: saves the coordinator's finding for the aim.
pub async fn save_finding(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, aim)): Path<(i64, String)>,
    Form(form): Form<FindingForm>,
) -> Result<Response, AppError> {
    let loaded = cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::Edit)
    })
    .await?;
    if !state
        .store
        .aims_of_scheme(loaded.0.scheme_id)
        .await?
        .iter()
        .any(|a| a.key == aim)
    {
        return Err(AppError::NotFound);
    }
    if form.finding.trim().chars().count() > MAX_FINDING_CHARS {
        let mut errors = FormErrors::default();
        errors.add(
            "finding",
            format!("A finding is at most {MAX_FINDING_CHARS} characters: shorten it."),
        );
        let page = render(
            &state,
            ctx,
            &user,
            loaded,
            &aim,
            Some((form.finding, errors)),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    set_finding(&state.store, actor, id, &aim, &form.finding).await?;
    Ok(redirect_with_flash(
        &format!("/cycles/{id}/aims/{aim}"),
        if form.finding.trim().is_empty() {
            "The finding is cleared."
        } else {
            "The finding is saved; the annual report prints it."
        },
    ))
}

/// One side's figures per aim, before → after, for the results page.
pub struct AimTable {
    pub role: String,
    pub rows: Vec<ComparedStatement>,
    /// Whether the rule shows any aim's change; when not, the page says so once instead of
    /// printing a table of hidden cells.
    pub any_shown: bool,
}

/// The results page's figures per aim: for each side and each of its aims with answered
/// statements, every consenting respondent's mean over the aim's statements, compared before
/// and after as a statement is (paired change, moved, effect size, under `rule`).
pub fn aim_figures(
    answers: &[flipside_store::AnswerRow],
    statement_aims: &BTreeMap<String, String>,
    aims: &[Aim],
    rule: &flipside_core::disclosure::DisclosureRule,
) -> Vec<AimTable> {
    use flipside_core::evaluation::{Wave, compare};
    use flipside_core::qualitative::triangulation::aim_scores;
    let mut out = Vec::new();
    for role in ["mentor", "mentee"] {
        let mine: Vec<&flipside_store::AnswerRow> =
            answers.iter().filter(|a| a.role == role).collect();
        let analysed = results::Analysed::of(&mine);
        let mut rows = Vec::new();
        for aim in aims {
            let codes: Vec<&str> = analysed
                .statements
                .iter()
                .map(|(_, code, _, _)| *code)
                .filter(|code| statement_aims.get(*code) == Some(&aim.key))
                .collect();
            if codes.is_empty() {
                continue;
            }
            let wave = |w: Wave| {
                aim_scores(
                    &codes
                        .iter()
                        .map(|c| analysed.scores(c, w))
                        .collect::<Vec<_>>(),
                )
            };
            let what = match codes.len() {
                1 => "Each respondent's answer to its one statement".to_string(),
                n => format!("Each respondent's mean over its {n} statements"),
            };
            rows.push(compare(
                (aim.key.as_str(), aim.label.as_str(), what.as_str()),
                &wave(Wave::Pre),
                &wave(Wave::Post),
                rule,
            ));
        }
        if !rows.is_empty() {
            out.push(AimTable {
                role: role.to_string(),
                any_shown: rows.iter().any(|r| !r.mean_change.is_suppressed()),
                rows,
            });
        }
    }
    out
}
