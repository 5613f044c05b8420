//! Matching a cycle (SPEC §3.3): the coordinator's weights and rules, the optimal proposal
//! with a reason per pair, hand edits priced against the optimum, and publishing.
//!
//! A draft travels in the page's form fields: the hand edits so far, as `edit` values that
//! the engine replays on the optimum. Publishing recomputes the same proposal and refuses if
//! it no longer matches what the coordinator saw.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::cycle_matching::{self, Candidate, Rules};
use flipside_core::matching::{
    MAX_WEIGHT, MatchWeights, MatchedPair, MatchingProblem, PairEdit, solve,
};
use flipside_core::policy;
use flipside_store::{Cycle, DoNotPair, MatchingSettings, Pair, PairStatus, Scheme};
use serde::Deserialize;
use std::collections::BTreeSet;

/// The engine's defaults, as stored settings.
fn default_settings() -> MatchingSettings {
    let w = MatchWeights::default();
    MatchingSettings {
        interests_weight: i64::from(w.interests),
        availability_weight: i64::from(w.availability),
        preferences_weight: i64::from(w.preferences),
        allow_same_school: false,
        require_common_availability: false,
    }
}

fn weight(v: i64) -> u32 {
    u32::try_from(v.clamp(0, i64::from(MAX_WEIGHT))).unwrap_or(0)
}

/// The coordinator's rules for the cycle, with the extra do-not-pair entries given.
pub async fn rules(
    state: &AppState,
    cycle_id: i64,
    extra_do_not_pair: &[(i64, i64)],
) -> Result<Rules, AppError> {
    let s = state
        .store
        .matching_settings(cycle_id)
        .await?
        .unwrap_or_else(default_settings);
    let mut do_not_pair: Vec<(i64, i64)> = state
        .store
        .do_not_pair_of(cycle_id)
        .await?
        .into_iter()
        .map(|d| (d.mentor_id, d.mentee_id))
        .collect();
    do_not_pair.extend_from_slice(extra_do_not_pair);
    Ok(Rules {
        weights: MatchWeights {
            interests: weight(s.interests_weight),
            availability: weight(s.availability_weight),
            preferences: weight(s.preferences_weight),
        },
        allow_same_school: s.allow_same_school,
        require_common_availability: s.require_common_availability,
        do_not_pair,
    })
}

/// Accepted mentors and mentees not in a live pair of the cycle and not gone from it.
async fn free_people(
    state: &AppState,
    cycle_id: i64,
    pairs: &[Pair],
) -> Result<(Vec<Candidate>, Vec<Candidate>), AppError> {
    let leavers = state.store.leavers_of(cycle_id).await?;
    let busy: BTreeSet<i64> = pairs
        .iter()
        .filter(|p| p.status() != PairStatus::EndedEarly)
        .flat_map(|p| [p.mentor_id, p.mentee_id])
        .chain(leavers)
        .collect();
    let mut mentors = state.store.accepted_mentors(cycle_id).await?;
    let mut mentees = state.store.accepted_mentees(cycle_id).await?;
    mentors.retain(|c| !busy.contains(&c.user_id));
    mentees.retain(|c| !busy.contains(&c.user_id));
    Ok((mentors, mentees))
}

/// A proposed pair as the page shows it.
pub struct Proposed {
    pub mentor_key: String,
    pub mentor: String,
    pub mentee_key: String,
    pub mentee: String,
    pub reason: String,
    pub cost: i64,
}

/// A person in a select list.
pub struct Person {
    pub key: String,
    pub name: String,
}

/// The proposal for the current free people, rules and hand edits.
pub struct Proposal {
    pub problem: MatchingProblem,
    pub nobody: Option<String>,
    pub infeasible: Option<String>,
    /// Why the last hand edit was refused (it was dropped).
    pub edit_error: Option<String>,
    pub edits: Vec<PairEdit>,
    pub pairs: Vec<MatchedPair>,
    pub total_cost: i64,
    pub optimal_cost: i64,
    pub left_over: Vec<String>,
    pub waitlisted: Vec<String>,
}

impl Proposal {
    fn label(&self, key: &str) -> String {
        self.problem
            .mentors
            .iter()
            .chain(&self.problem.mentees)
            .find(|p| p.id == key)
            .map(|p| p.label().to_string())
            .unwrap_or_default()
    }

    /// The pairs as `mentor:mentee` codes (what publishing checks against).
    pub fn codes(&self) -> Vec<String> {
        self.pairs
            .iter()
            .map(|p| format!("{}:{}", p.mentor, p.mentee))
            .collect()
    }
}

async fn proposal(
    state: &AppState,
    cycle_id: i64,
    mut edits: Vec<PairEdit>,
) -> Result<Proposal, AppError> {
    let pairs = state.store.pairs_of_cycle(cycle_id).await?;
    let (mentors, mentees) = free_people(state, cycle_id, &pairs).await?;
    let rules = rules(state, cycle_id, &[]).await?;
    let problem = cycle_matching::problem(&mentors, &mentees, &rules);
    let mut out = Proposal {
        nobody: cycle_matching::nobody_to_match(&problem),
        infeasible: None,
        edit_error: None,
        edits: Vec::new(),
        pairs: Vec::new(),
        total_cost: 0,
        optimal_cost: 0,
        left_over: Vec::new(),
        waitlisted: Vec::new(),
        problem,
    };
    if out.nobody.is_some() {
        return Ok(out);
    }
    let optimum = match solve(&out.problem) {
        Ok(m) => m,
        Err(e) => {
            out.infeasible = Some(format!(
                "No matching is possible under the current rules: {e}. Allow same-School pairs, remove a do-not-pair entry, stop requiring a common slot, or accept more people."
            ));
            return Ok(out);
        }
    };
    out.optimal_cost = optimum.total_cost;
    // Replay the hand edits; one the rules refuse is dropped, with its reason shown.
    let edited = loop {
        match optimum.edit(&out.problem, &edits) {
            Ok(m) => break Some(m),
            Err(e) => {
                out.edit_error.get_or_insert_with(|| {
                    let mut s = e.to_string();
                    if let Some(first) = s.get_mut(0..1) {
                        first.make_ascii_uppercase();
                    }
                    format!("That change was not made: {s}.")
                });
                if edits.pop().is_none() {
                    break None;
                }
            }
        }
    };
    let (pairs, total, waitlisted, unmatched) = match edited {
        Some(m) if !edits.is_empty() => (
            m.pairs,
            m.total_cost,
            m.waitlisted_mentors,
            m.unmatched_mentees,
        ),
        _ => (
            optimum.pairs,
            optimum.total_cost,
            optimum.waitlisted_mentors,
            optimum.unmatched_mentees,
        ),
    };
    out.left_over = cycle_matching::left_over(&out.problem, &waitlisted, &unmatched);
    out.edits = edits;
    out.pairs = pairs;
    out.total_cost = total;
    out.waitlisted = waitlisted;
    Ok(out)
}

#[derive(Template, WebTemplate)]
#[template(path = "matching/show.html")]
pub struct MatchingPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    settings: SettingsView,
    errors: FormErrors,
    do_not_pair: Vec<DoNotPair>,
    mentors: Vec<Person>,
    mentees: Vec<Person>,
    waitlisted: Vec<Person>,
    pairs: Vec<Proposed>,
    edit_codes: Vec<String>,
    pair_codes: Vec<String>,
    nobody: Option<String>,
    infeasible: Option<String>,
    edit_error: Option<String>,
    left_over: Vec<String>,
    total_cost: i64,
    optimal_cost: i64,
    change: i64,
    published: usize,
}

impl MatchingPage {
    /// The three weight fields: (name, label, value as shown).
    fn weight_fields(&self) -> Vec<(&'static str, &'static str, &str)> {
        vec![
            (
                "interests_weight",
                "Weight of shared interests",
                &self.settings.interests_weight,
            ),
            (
                "availability_weight",
                "Weight of shared availability",
                &self.settings.availability_weight,
            ),
            (
                "preferences_weight",
                "Weight of stated preferences",
                &self.settings.preferences_weight,
            ),
        ]
    }
}

async fn managed_cycle(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Cycle, Scheme), AppError> {
    crate::handlers::cycle_if(state, id, |c| policy::match_pairs(&user.actor, c.scheme_id)).await
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    cycle: Cycle,
    scheme: Scheme,
    edits: Vec<PairEdit>,
    settings: Option<SettingsView>,
    errors: FormErrors,
) -> Result<MatchingPage, AppError> {
    let p = proposal(state, cycle.id, edits).await?;
    let settings = match settings {
        Some(s) => s,
        None => state
            .store
            .matching_settings(cycle.id)
            .await?
            .unwrap_or_else(default_settings)
            .into(),
    };
    let people = |list: &[flipside_core::matching::Participant]| {
        list.iter()
            .map(|x| Person {
                key: x.id.clone(),
                name: x.label().to_string(),
            })
            .collect::<Vec<_>>()
    };
    Ok(MatchingPage {
        ctx,
        settings,
        errors,
        do_not_pair: state.store.do_not_pair_of(cycle.id).await?,
        mentors: people(&p.problem.mentors),
        mentees: people(&p.problem.mentees),
        waitlisted: p
            .waitlisted
            .iter()
            .map(|k| Person {
                key: k.clone(),
                name: p.label(k),
            })
            .collect(),
        pairs: p
            .pairs
            .iter()
            .map(|x| Proposed {
                mentor: p.label(&x.mentor),
                mentor_key: x.mentor.clone(),
                mentee: p.label(&x.mentee),
                mentee_key: x.mentee.clone(),
                reason: x.explanation.summary.clone(),
                cost: x.cost.total,
            })
            .collect(),
        edit_codes: p.edits.iter().map(cycle_matching::edit_code).collect(),
        pair_codes: p.codes(),
        change: p.total_cost - p.optimal_cost,
        published: state
            .store
            .pairs_of_cycle(cycle.id)
            .await?
            .iter()
            .filter(|x| x.status() == PairStatus::Active)
            .count(),
        nobody: p.nobody,
        infeasible: p.infeasible,
        edit_error: p.edit_error,
        left_over: p.left_over,
        total_cost: p.total_cost,
        optimal_cost: p.optimal_cost,
        scheme,
        cycle,
    })
}

/// The weights and rules as the form shows them (typed text after an error).
pub struct SettingsView {
    pub interests_weight: String,
    pub availability_weight: String,
    pub preferences_weight: String,
    pub allow_same_school: bool,
    pub require_common_availability: bool,
}

impl From<MatchingSettings> for SettingsView {
    fn from(s: MatchingSettings) -> Self {
        SettingsView {
            interests_weight: s.interests_weight.to_string(),
            availability_weight: s.availability_weight.to_string(),
            preferences_weight: s.preferences_weight.to_string(),
            allow_same_school: s.allow_same_school,
            require_common_availability: s.require_common_availability,
        }
    }
}

/// The draft in the query string: earlier edits, and at most one new swap or assignment.
#[derive(Debug, Default, Deserialize)]
struct DraftQuery {
    #[serde(default)]
    edit: Vec<String>,
    #[serde(default)]
    swap_from: String,
    #[serde(default)]
    swap_with: String,
    #[serde(default)]
    assign_mentor: String,
    #[serde(default)]
    assign_to: String,
}

fn parse_edits(codes: &[String]) -> Result<Vec<PairEdit>, AppError> {
    codes
        .iter()
        .map(|c| {
            cycle_matching::parse_edit(c)
                .ok_or_else(|| AppError::BadRequest("The draft could not be read.".into()))
        })
        .collect()
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<MatchingPage, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let q: DraftQuery = serde_html_form::from_str(query.as_deref().unwrap_or(""))
        .map_err(|_| AppError::BadRequest("The draft could not be read.".into()))?;
    let mut edits = parse_edits(&q.edit)?;
    if !q.swap_from.is_empty() && !q.swap_with.is_empty() {
        edits.push(PairEdit::SwapMentors {
            mentee_a: q.swap_from,
            mentee_b: q.swap_with,
        });
    }
    if !q.assign_mentor.is_empty() && !q.assign_to.is_empty() {
        edits.push(PairEdit::Assign {
            mentor: q.assign_mentor,
            mentee: q.assign_to,
        });
    }
    page(
        &state,
        ctx,
        cycle,
        scheme,
        edits,
        None,
        FormErrors::default(),
    )
    .await
}

/// The weights and rules form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    interests_weight: String,
    #[serde(default)]
    availability_weight: String,
    #[serde(default)]
    preferences_weight: String,
    #[serde(default)]
    allow_same_school: Option<String>,
    #[serde(default)]
    require_common_availability: Option<String>,
}

pub async fn save_settings(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let mut errors = FormErrors::default();
    let mut read = |field: &str, text: &str, what: &str| -> i64 {
        match text.trim().parse::<i64>() {
            Ok(v) if (0..=i64::from(MAX_WEIGHT)).contains(&v) => v,
            _ => {
                errors.add(
                    field,
                    format!("Enter the {what} weight as a whole number from 0 to {MAX_WEIGHT}."),
                );
                0
            }
        }
    };
    let settings = MatchingSettings {
        interests_weight: read("interests_weight", &form.interests_weight, "interests"),
        availability_weight: read(
            "availability_weight",
            &form.availability_weight,
            "availability",
        ),
        preferences_weight: read(
            "preferences_weight",
            &form.preferences_weight,
            "preferences",
        ),
        allow_same_school: form.allow_same_school.is_some(),
        require_common_availability: form.require_common_availability.is_some(),
    };
    if !errors.is_empty() {
        // Show what was typed, not what is stored.
        let shown = SettingsView {
            interests_weight: form.interests_weight,
            availability_weight: form.availability_weight,
            preferences_weight: form.preferences_weight,
            allow_same_school: settings.allow_same_school,
            require_common_availability: settings.require_common_availability,
        };
        let p = page(&state, ctx, cycle, scheme, Vec::new(), Some(shown), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    }
    state.store.save_matching_settings(id, &settings).await?;
    Ok(redirect_with_flash(
        &format!("/cycles/{id}/matching"),
        "The weights and rules are saved; the proposal below uses them.",
    ))
}

/// A do-not-pair entry as submitted: matcher ids of a mentor and a mentee.
#[derive(Debug, Default, Deserialize)]
pub struct DoNotPairForm {
    #[serde(default)]
    mentor: String,
    #[serde(default)]
    mentee: String,
}

pub async fn add_do_not_pair(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<DoNotPairForm>,
) -> Result<Response, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let mentors = state.store.accepted_mentors(id).await?;
    let mentees = state.store.accepted_mentees(id).await?;
    let mut errors = FormErrors::default();
    let mentor = cycle_matching::user_of(&form.mentor)
        .filter(|u| form.mentor.starts_with('m') && mentors.iter().any(|c| c.user_id == *u));
    let mentee = cycle_matching::user_of(&form.mentee)
        .filter(|u| form.mentee.starts_with('e') && mentees.iter().any(|c| c.user_id == *u));
    if mentor.is_none() {
        errors.add("dnp_mentor", "Choose a mentor from the list.");
    }
    if mentee.is_none() {
        errors.add("dnp_mentee", "Choose a staff mentee from the list.");
    }
    let (Some(mentor), Some(mentee)) = (mentor, mentee) else {
        let p = page(&state, ctx, cycle, scheme, Vec::new(), None, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    };
    state.store.add_do_not_pair(id, mentor, mentee).await?;
    Ok(redirect_with_flash(
        &format!("/cycles/{id}/matching"),
        "Those two will not be paired.",
    ))
}

/// Removing a do-not-pair entry: user ids.
#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    mentor_id: i64,
    mentee_id: i64,
}

pub async fn remove_do_not_pair(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RemoveForm>,
) -> Result<Response, AppError> {
    managed_cycle(&state, &user, id).await?;
    state
        .store
        .remove_do_not_pair(id, form.mentor_id, form.mentee_id)
        .await?;
    Ok(redirect_with_flash(
        &format!("/cycles/{id}/matching"),
        "The do-not-pair entry was removed.",
    ))
}

/// Publishing: the draft's edits, and the pairs the coordinator saw.
#[derive(Debug, Default, Deserialize)]
struct PublishForm {
    #[serde(default)]
    edit: Vec<String>,
    #[serde(default)]
    expect: Vec<String>,
}

pub async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let form: PublishForm = serde_html_form::from_bytes(&body)
        .map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
    let p = proposal(&state, id, parse_edits(&form.edit)?).await?;
    let back = format!("/cycles/{id}/matching");
    // The coordinator saw pairs that are no longer proposed (a second click publishing the
    // same proposal finds them published): say that nothing was published, before saying
    // there is nothing to publish.
    if p.pairs.is_empty() && form.expect.is_empty() {
        return Ok(redirect_with_flash(&back, "There are no pairs to publish."));
    }
    if p.pairs.is_empty() || p.edit_error.is_some() || p.codes() != form.expect {
        return Ok(redirect_with_flash(
            &back,
            "The proposal has changed since you saw it (someone was accepted, a rule changed, or a pair was published). Nothing was published: review the proposal below and publish again.",
        ));
    }
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    match operations::matching::publish(&state, actor, &cycle, &scheme, &p.pairs).await {
        Ok(n) => Ok(redirect_with_flash(
            &format!("/cycles/{id}/pairs"),
            &format!(
                "{n} pair{} published; both members of each pair have been emailed.",
                if n == 1 { "" } else { "s" }
            ),
        )),
        Err(AppError::Conflict(m)) => Ok(redirect_with_flash(
            &back,
            &format!("Nothing was published: {m}."),
        )),
        Err(e) => Err(e),
    }
}
