//! Matching a cycle (SPEC §3.3): the coordinator's weights and rules, the optimal proposal
//! with a reason per pair, hand edits priced against the optimum, and publishing.
//!
//! A draft travels in the page's form fields: the hand edits so far, as `edit` values that
//! the engine replays on the optimum. Publishing recomputes the same proposal and refuses if
//! it no longer matches what the coordinator saw.
pub mod do_not_pair;
pub mod publish;
pub mod same_school;
pub mod settings;
pub mod show;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::page::{FormErrors, PageCtx};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use flipside_core::cycle_matching::{self, Candidate, Rules};
use flipside_core::matching::{
    MatchWeights, MatchedPair, MatchingProblem, PairEdit, WeightLevel, cost_in_words, solve,
};
use flipside_core::policy;
use flipside_store::{
    Cycle, DoNotPair, MatchingSettings, Pair, PairStatus, SameSchoolException, Scheme,
};
use std::collections::BTreeSet;

/// The engine's defaults, as stored settings. The preferences weight is always 0: nothing
/// in a cycle collects School preferences (see the README's matching section).
pub(crate) fn default_settings() -> MatchingSettings {
    let w = MatchWeights::default();
    MatchingSettings {
        interests_weight: i64::from(w.interests),
        availability_weight: i64::from(w.availability),
        preferences_weight: 0,
        allow_same_school: false,
        require_common_availability: false,
    }
}

/// The level a stored weight stands for. Every weight written is a level (and migration 0190
/// moved older numbers to the nearest one), so any other number is corrupt: an error, never a
/// silent default.
pub(super) fn level(which: &str, v: i64) -> Result<WeightLevel, AppError> {
    WeightLevel::from_weight(v).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "the stored {which} weight {v} is not one of the named levels"
        ))
    })
}

/// The stored weights as the engine's.
pub(super) fn weights(s: &MatchingSettings) -> Result<MatchWeights, AppError> {
    Ok(MatchWeights {
        interests: level("interests", s.interests_weight)?.weight(),
        availability: level("availability", s.availability_weight)?.weight(),
        preferences: 0,
    })
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
    let same_school_allowed = state
        .store
        .same_school_exceptions_of(cycle_id)
        .await?
        .into_iter()
        .map(|x| (x.mentor_id, x.mentee_id))
        .collect();
    Ok(Rules {
        weights: weights(&s)?,
        allow_same_school: s.allow_same_school,
        require_common_availability: s.require_common_availability,
        do_not_pair,
        same_school_allowed,
    })
}

/// Accepted mentors and mentees not in a live pair of the cycle and not gone from it.
pub(super) async fn free_people(
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
    /// The cost's parts in words, e.g. "interests 150 + availability 0".
    pub cost_parts: String,
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
    pub fn label(&self, key: &str) -> String {
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

pub(crate) async fn proposal(
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
    exceptions: Vec<SameSchoolException>,
    /// How a pair's cost is made under the weights in force, in sentences.
    cost_words: Vec<String>,
    levels: [WeightLevel; 4],
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
    /// What was typed into the same-School exception form, shown again with its errors.
    pub(super) exception_typed: same_school::AllowForm,
}

impl MatchingPage {
    /// The weight fields: (name, legend, chosen level's code).
    fn weight_fields(&self) -> Vec<(&'static str, &'static str, &str)> {
        vec![
            (
                "interests_weight",
                "How much shared interests count",
                &self.settings.interests_weight,
            ),
            (
                "availability_weight",
                "How much shared weekly slots count",
                &self.settings.availability_weight,
            ),
        ]
    }
}

pub(crate) async fn managed_cycle(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Cycle, Scheme), AppError> {
    crate::handlers::cycle_if(state, id, |c| policy::match_pairs(&user.actor, c.scheme_id)).await
}

pub(super) async fn page(
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
        None => SettingsView::of(
            &state
                .store
                .matching_settings(cycle.id)
                .await?
                .unwrap_or_else(default_settings),
        )?,
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
        exceptions: state.store.same_school_exceptions_of(cycle.id).await?,
        cost_words: cost_in_words(p.problem.weights),
        levels: WeightLevel::ALL,
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
                cost_parts: format!(
                    "interests {} + availability {}",
                    x.cost.interests, x.cost.availability
                ),
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
        exception_typed: same_school::AllowForm::default(),
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

/// The weights and rules as the form shows them: each weight as a level's code (what was
/// chosen, after an error).
pub struct SettingsView {
    pub interests_weight: String,
    pub availability_weight: String,
    pub allow_same_school: bool,
    pub require_common_availability: bool,
}

impl SettingsView {
    fn of(s: &MatchingSettings) -> Result<Self, AppError> {
        Ok(SettingsView {
            interests_weight: level("interests", s.interests_weight)?.code().to_owned(),
            availability_weight: level("availability", s.availability_weight)?
                .code()
                .to_owned(),
            allow_same_school: s.allow_same_school,
            require_common_availability: s.require_common_availability,
        })
    }
}

pub(super) fn parse_edits(codes: &[String]) -> Result<Vec<PairEdit>, AppError> {
    codes
        .iter()
        .map(|c| {
            cycle_matching::parse_edit(c)
                .ok_or_else(|| AppError::BadRequest("The draft could not be read.".into()))
        })
        .collect()
}
