//! Cycles: starting one (fresh or copying the previous framework), its page, moving it on.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::confirm::ConfirmPage;
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::cycle::{
    AcademicYear, CycleFacts, CycleState, PairOutcome, PairRecord, pairs_in_words,
};
use flipside_core::framework::Framework;
use flipside_core::invitation::InvitationStatus;
use flipside_core::local_time::Zone;
use flipside_core::policy::{self, Action, CycleRef, ReportSubject};
use flipside_core::progress::{self, Figures, StageReport, StaleWeeks};
use flipside_core::recruitment::ApplicationStatus;
use flipside_store::{Cycle, CycleEvent, PairCounts, Scheme, StoreError};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

#[derive(Template, WebTemplate)]
#[template(path = "cycles/new.html")]
pub struct NewPage {
    ctx: PageCtx,
    scheme: Scheme,
    form: CycleForm,
    errors: FormErrors,
    previous: Vec<Cycle>,
}

/// The cycle form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CycleForm {
    #[serde(default)]
    pub academic_year: String,
    #[serde(default)]
    pub hours_target: String,
    /// A previous cycle's id, or empty for the default framework.
    #[serde(default)]
    pub copy_from: String,
}

/// A validated cycle form.
pub struct ValidCycle {
    pub year: AcademicYear,
    pub hours_target: i64,
    pub copy_from: Option<i64>,
}

/// Checks a cycle form against the scheme's existing cycles.
pub fn validate(form: &CycleForm, existing: &[Cycle]) -> Result<ValidCycle, FormErrors> {
    let mut errors = FormErrors::default();
    let year = match AcademicYear::parse(&form.academic_year) {
        Ok(y) if existing.iter().any(|c| c.year() == y) => {
            errors.add(
                "academic_year",
                format!("This scheme already has a cycle for {y}."),
            );
            None
        }
        Ok(y) => Some(y),
        Err(e) => {
            errors.add("academic_year", format!("{e}."));
            None
        }
    };
    let hours_target = match form.hours_target.trim().parse::<i64>() {
        Ok(h) if (1..=200).contains(&h) => Some(h),
        _ => {
            errors.add(
                "hours_target",
                "Enter the hours target as a whole number from 1 to 200.",
            );
            None
        }
    };
    let copy_from = match form.copy_from.trim() {
        "" => None,
        s => match s
            .parse::<i64>()
            .ok()
            .filter(|id| existing.iter().any(|c| c.id == *id))
        {
            Some(id) => Some(id),
            None => {
                errors.add(
                    "copy_from",
                    "Choose one of this scheme's cycles, or the default framework.",
                );
                None
            }
        },
    };
    match (year, hours_target) {
        (Some(year), Some(hours_target)) if errors.is_empty() => Ok(ValidCycle {
            year,
            hours_target,
            copy_from,
        }),
        _ => Err(errors),
    }
}

/// An archived scheme starts no cycles: it is brought back into the lists first.
pub fn takes_new_cycles(scheme: &Scheme) -> Result<(), AppError> {
    match scheme.archived_at {
        Some(_) => Err(AppError::Conflict(
            "This scheme is archived: bring it back into the lists before starting a cycle.".into(),
        )),
        None => Ok(()),
    }
}

pub async fn new(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(scheme_id): Path<i64>,
) -> Result<NewPage, AppError> {
    let scheme = state.store.scheme(scheme_id).await?;
    allow(policy::cycle(
        &user.actor,
        CycleRef { id: 0, scheme_id },
        Action::Create,
    ))?;
    takes_new_cycles(&scheme)?;
    let previous = state.store.cycles_of(scheme_id).await?;
    let next_year = match previous.first() {
        Some(c) => c.year().next(),
        None => AcademicYear::containing(state.today().await?),
    };
    let hours = match state.organisation().await? {
        Some(o) => o.hours_target,
        None => 20,
    };
    Ok(NewPage {
        ctx,
        form: CycleForm {
            academic_year: next_year.to_string(),
            hours_target: hours.to_string(),
            copy_from: previous
                .first()
                .map(|c| c.id.to_string())
                .unwrap_or_default(),
        },
        scheme,
        errors: FormErrors::default(),
        previous,
    })
}

pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(scheme_id): Path<i64>,
    Form(form): Form<CycleForm>,
) -> Result<Response, AppError> {
    let scheme = state.store.scheme(scheme_id).await?;
    allow(policy::cycle(
        &user.actor,
        CycleRef { id: 0, scheme_id },
        Action::Create,
    ))?;
    takes_new_cycles(&scheme)?;
    let previous = state.store.cycles_of(scheme_id).await?;
    let valid = match validate(&form, &previous) {
        Ok(v) => v,
        Err(errors) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                NewPage {
                    ctx,
                    scheme,
                    form,
                    errors,
                    previous,
                },
            )
                .into_response());
        }
    };
    let framework =
        serde_json::to_string(&Framework::default_plan()).map_err(AppError::internal)?;
    match state
        .store
        .create_cycle(
            scheme_id,
            valid.year,
            valid.hours_target,
            &framework,
            valid.copy_from,
            Some(user.id()),
        )
        .await
    {
        Ok(id) => Ok(redirect_with_flash(
            &format!("/cycles/{id}"),
            &format!(
                "Cycle {} started as a draft: prepare its meeting plan, then open the call.",
                valid.year
            ),
        )),
        Err(StoreError::Conflict(m)) => {
            let mut errors = FormErrors::default();
            errors.add("academic_year", m);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                NewPage {
                    ctx,
                    scheme,
                    form,
                    errors,
                    previous,
                },
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "cycles/show.html")]
pub struct ShowPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    states: Vec<(&'static str, bool)>,
    next: Option<&'static str>,
    /// The next step's words ("Open the call"), on the button that asks to take it.
    next_step: &'static str,
    /// Its hours target, history and meeting plan, rendered once and kept ([`CycleRecord`]).
    record: Arc<CycleRecord>,
    can_edit: bool,
    can_see_results: bool,
    /// The quote bank and the triangulation pages (issue 11).
    can_see_quotes: bool,
    /// The cycle's annual report, and the organisation's report of its year.
    can_report: bool,
    can_report_year: bool,
    can_invite: bool,
    can_match: bool,
    /// The year's four stages (recruit, match, run, evaluate), each done, now or later.
    stages: Vec<StageView>,
    /// Whether the stages show the cycle's figures and what waits (those who may see
    /// aggregates of the cycle).
    figures_shown: bool,
    /// Pair counts, for those who may see aggregates of the cycle.
    counts: Option<PairCounts>,
    can_manage_surveys: bool,
    /// The cycle's survey statements (issue 11).
    can_see_instrument: bool,
    /// The scheme's research team sees the cycle's reflective chats (issue 11).
    can_see_chats: bool,
}

/// One stage of the cycle as its page shows it: what is done, and what waits, each waiting
/// item linked to the page where it is dealt with (when the viewer may open it).
pub struct StageView {
    reports: Arc<Vec<StageReport>>,
    at: usize,
    pub items: Vec<crate::handlers::home::Item>,
}

impl StageView {
    fn report(&self) -> &StageReport {
        &self.reports[self.at]
    }

    fn id(&self) -> &'static str {
        self.report().stage.id()
    }

    fn name(&self) -> &'static str {
        self.report().stage.name()
    }

    fn standing(&self) -> &'static str {
        self.report().standing.label()
    }
}

/// Each cycle's stage reports as last worked out, with what they were worked out from
/// ([`crate::state::Inner::stage_reports`]). The reports are a function of those alone
/// ([`progress::stages`]), so they are served again while those are equal: writing their
/// sentences out on every request was about 8 % of the cycle page's time (issue 15).
#[derive(Default)]
pub struct StageReports {
    by_cycle: std::sync::Mutex<HashMap<i64, WorkedOut>>,
}

/// The reports, and the state, figures and stale-pair setting they were worked out from.
struct WorkedOut {
    state: CycleState,
    figures: Figures,
    stale: StaleWeeks,
    reports: Arc<Vec<StageReport>>,
}

impl StageReports {
    /// [`progress::stages`] of cycle `cycle_id` from these inputs.
    pub(crate) fn of(
        &self,
        cycle_id: i64,
        state: CycleState,
        figures: &Figures,
        stale: StaleWeeks,
    ) -> Arc<Vec<StageReport>> {
        let same = |w: &&WorkedOut| w.state == state && w.stale == stale && w.figures == *figures;
        if let Some(w) = self.lock().get(&cycle_id).filter(same) {
            return w.reports.clone();
        }
        let reports = Arc::new(progress::stages(state, figures, stale));
        self.lock().insert(
            cycle_id,
            WorkedOut {
                state,
                figures: figures.clone(),
                stale,
                reports: reports.clone(),
            },
        );
        reports
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, WorkedOut>> {
        self.by_cycle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The cycle's stages; with its figures and what waits when `figures` (one query for the
/// counts, one for the open waves).
async fn stages(
    state: &AppState,
    ctx: &PageCtx,
    user: &CurrentUser,
    cycle: &Cycle,
    current: CycleState,
    figures: bool,
) -> Result<(Vec<StageView>, Figures), AppError> {
    let (figures, stale) = if figures {
        let stale = crate::handlers::home::stale_weeks(state.organisation().await?.as_ref());
        let today = state.clock.today_in(ctx.zone);
        let counts = state
            .store
            .cycle_progress(cycle.id, state.clock.now(), stale.cutoff(today, ctx.zone))
            .await?;
        let waves = state.store.open_waves_of(cycle.id, today).await?;
        (counts.figures(&waves), stale)
    } else {
        (Figures::default(), StaleWeeks::default())
    };
    let reports = state.stage_reports.of(cycle.id, current, &figures, stale);
    let stages = reports
        .iter()
        .enumerate()
        .map(|(at, report)| StageView {
            items: report
                .to_do
                .iter()
                .filter_map(|i| {
                    crate::handlers::home::Item::of(&user.actor, cycle.id, cycle.scheme_id, i)
                })
                .collect(),
            reports: reports.clone(),
            at,
        })
        .collect();
    Ok((stages, figures))
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<ShowPage, AppError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::cycle(
        &user.actor,
        CycleRef {
            id,
            scheme_id: cycle.scheme_id,
        },
        Action::View,
    ))?;
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let current = cycle.state()?;
    let record = record(&state, &cycle, ctx.zone).await?;
    let figures_shown = policy::aggregate_results(&user.actor, cycle.scheme_id);
    let (stages, figures) = stages(&state, &ctx, &user, &cycle, current, figures_shown).await?;
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let counts = figures_shown.then(|| PairCounts {
        matched: count(figures.pairs_matched),
        active: count(figures.pairs_active),
        completed: count(figures.pairs_completed),
        ended_early: count(figures.pairs_ended_early),
    });
    Ok(ShowPage {
        ctx,
        states: CycleState::ALL
            .iter()
            .map(|s| (s.as_str(), *s == current))
            .collect(),
        next: current.next().map(CycleState::as_str),
        next_step: current.next().map_or("", CycleState::step),
        record,
        can_edit: policy::cycle(
            &user.actor,
            CycleRef {
                id,
                scheme_id: cycle.scheme_id,
            },
            Action::Edit,
        ),
        can_see_results: policy::aggregate_results(&user.actor, cycle.scheme_id),
        can_see_quotes: policy::quotes(&user.actor, cycle.scheme_id, Action::View),
        can_report: policy::annual_report(
            &user.actor,
            ReportSubject::Cycle {
                scheme_id: cycle.scheme_id,
            },
        ),
        can_report_year: policy::annual_report(&user.actor, ReportSubject::Year),
        can_invite: policy::invite_staff(&user.actor, cycle.scheme_id),
        can_match: policy::match_pairs(&user.actor, cycle.scheme_id),
        stages,
        figures_shown,
        counts,
        can_manage_surveys: policy::manage_surveys(&user.actor, cycle.scheme_id),
        can_see_instrument: policy::cycle_instrument(&user.actor, cycle.scheme_id, Action::View),
        can_see_chats: policy::chat_list(&user.actor, cycle.scheme_id),
        scheme,
        cycle,
    })
}

/// The lower part of a cycle's page: its hours target, its history with who moved it on and
/// its meeting plan. The same for everyone who may see the cycle but for the link to edit the
/// plan, so rendered by the first request per cycle and time zone (with and without that link)
/// and kept while the cycles and people's names are unchanged
/// ([`flipside_store::Store::cycle_record_version`]): parsing the plan and writing out the
/// history on every request was a large part of the page's time (issue 15).
pub struct CycleRecord {
    cycle_id: i64,
    hours_target: i64,
    copied_from_year: Option<String>,
    events: Vec<CycleEvent>,
    framework: Option<Framework>,
    zone: Zone,
    /// Without and with the link to edit the plan.
    rendered: [OnceLock<String>; 2],
}

#[derive(Template)]
#[template(path = "cycles/show_record.html")]
struct RecordHtml<'a> {
    r: &'a CycleRecord,
    can_edit: bool,
}

impl RecordHtml<'_> {
    fn short(&self, at: impl crate::page::AsInstant) -> String {
        self.r.zone.short(at.instant())
    }
}

impl CycleRecord {
    /// The part as the viewer sees it (the template passes its fields by reference).
    pub fn html(&self, can_edit: &bool) -> Result<&str, askama::Error> {
        let can_edit = *can_edit;
        crate::page::rendered_once(&self.rendered[usize::from(can_edit)], || {
            RecordHtml { r: self, can_edit }.render()
        })
    }
}

/// Cycle `cycle`'s [`CycleRecord`] in `zone`, kept in [`crate::state::Inner::cycle_records`].
async fn record(state: &AppState, cycle: &Cycle, zone: Zone) -> Result<Arc<CycleRecord>, AppError> {
    // Read before the records, so that what is kept is at least as new as its version.
    let version = state.store.cycle_record_version().await?;
    Ok(state
        .cycle_records
        .get((cycle.id, zone.name()), version, || async {
            let copied_from_year = match cycle.copied_from {
                Some(c) => Some(state.store.cycle(c).await?.year().to_string()),
                None => None,
            };
            Ok(CycleRecord {
                cycle_id: cycle.id,
                hours_target: cycle.hours_target,
                copied_from_year,
                events: state.store.cycle_events(cycle.id).await?,
                framework: serde_json::from_str(&cycle.framework).ok(),
                zone,
                rendered: Default::default(),
            })
        })
        .await?)
}

/// The step a coordinator asks to take, from the cycle page's button.
#[derive(Debug, Deserialize)]
pub struct AdvanceQuery {
    #[serde(default)]
    to: String,
}

/// What the confirmation page of a step states: the plan, the applications, the unanswered
/// invitations and the active pairs.
async fn facts(state: &AppState, cycle: &Cycle) -> Result<CycleFacts, AppError> {
    let applications: Vec<_> = state
        .store
        .applications_of(cycle.id)
        .await?
        .into_iter()
        .filter(|a| a.status.get() != ApplicationStatus::Withdrawn)
        .collect();
    let unanswered = state
        .store
        .invitations_of(cycle.id)
        .await?
        .iter()
        .filter(|i| i.status() == InvitationStatus::Invited)
        .count();
    Ok(CycleFacts {
        sessions: serde_json::from_str::<Framework>(&cycle.framework)
            .map_or(0, |f| f.sessions.len()),
        hours_target: cycle.hours_target,
        undecided: applications
            .iter()
            .filter(|a| a.status.get() == ApplicationStatus::Submitted)
            .count(),
        applications: applications.len(),
        unanswered_invitations: unanswered,
        active_pairs: usize::try_from(state.store.pair_counts(cycle.id).await?.active).unwrap_or(0),
    })
}

/// Asks before a cycle moves on, saying what the step will do; the button posts it.
pub async fn advance_confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<AdvanceQuery>,
) -> Result<Response, AppError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::cycle(
        &user.actor,
        CycleRef {
            id,
            scheme_id: cycle.scheme_id,
        },
        Action::Edit,
    ))?;
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let from = cycle.state()?;
    let Some(to) = CycleState::parse(&query.to).filter(|to| from.next() == Some(*to)) else {
        return Ok(redirect_with_flash(
            &format!("/cycles/{id}"),
            &format!("The cycle is {from}: take the step its page offers now."),
        ));
    };
    if to.completes_active_pairs() {
        let effects = flipside_core::cycle::consequences(from, to, &facts(&state, &cycle).await?);
        return close_page(&state, ctx, (scheme, cycle), effects).await;
    }
    let refused = (to == CycleState::Recruiting && scheme.archived_at.is_some()).then(|| {
        "This scheme is archived: bring it back into the lists before opening a call.".to_string()
    });
    Ok(ConfirmPage {
        ctx,
        title: format!("{}: {} {}?", to.step(), scheme.name, cycle.year()),
        back_href: format!("/cycles/{id}"),
        back_label: format!("{}, {} cycle", scheme.name, cycle.year()),
        effects: flipside_core::cycle::consequences(from, to, &facts(&state, &cycle).await?),
        action: format!("/cycles/{id}/advance"),
        hidden: vec![
            ("from".into(), from.as_str().into()),
            ("to".into(), to.as_str().into()),
        ],
        button: to.step().into(),
        refused,
    }
    .into_response())
}

pub async fn advance(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    // The state the page showed (`from`, so that a stale page cannot skip a step), the state
    // to move to (`to`), and, when closing, each pair's outcome (`outcome-PAIR`).
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::cycle(
        &user.actor,
        CycleRef {
            id,
            scheme_id: cycle.scheme_id,
        },
        Action::Edit,
    ))?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let (Some(from), Some(to)) = (
        CycleState::parse(field("from")),
        CycleState::parse(field("to")),
    ) else {
        return Err(AppError::BadRequest("Unknown cycle state.".into()));
    };
    let mut ended_early = Vec::new();
    for (k, v) in &fields {
        let Some(pair) = k.strip_prefix("outcome-") else {
            continue;
        };
        let (Ok(pair), Some(outcome)) = (pair.parse::<i64>(), PairOutcome::parse(v)) else {
            return Err(AppError::BadRequest("Unknown pair outcome.".into()));
        };
        if outcome == PairOutcome::EndedEarly {
            ended_early.push(pair);
        }
    }
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    match operations::cycles::transition(&state, actor, id, (from, to), &ended_early).await {
        Ok(_) => {
            let note = if to.completes_active_pairs() {
                let n = state.store.pair_counts(id).await?;
                format!(" {}", pairs_in_words(n.active, n.completed, n.ended_early))
            } else {
                String::new()
            };
            Ok(redirect_with_flash(
                &format!("/cycles/{id}"),
                &format!("The cycle is now {to}.{note}"),
            ))
        }
        Err(AppError::Conflict(m)) => Ok(redirect_with_flash(&format!("/cycles/{id}"), &m)),
        Err(e) => Err(e),
    }
}

/// One active pair on the closing page: what it did against the plan, and the outcome
/// suggested for it.
pub struct ClosingPair {
    pub pair_id: i64,
    pub mentor_name: String,
    pub mentee_name: String,
    pub meetings_held: i64,
    /// Hours met, to one decimal place.
    pub hours: String,
    pub suggested_completed: bool,
    /// A pair that never met cannot be recorded as completed.
    pub may_complete: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "cycles/close.html")]
pub struct ClosePage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    sessions: usize,
    pairs: Vec<ClosingPair>,
    effects: Vec<String>,
}

/// The closing step's confirmation page: pair by pair, did it complete?
async fn close_page(
    state: &AppState,
    ctx: PageCtx,
    (scheme, cycle): (Scheme, Cycle),
    effects: Vec<String>,
) -> Result<Response, AppError> {
    let sessions =
        serde_json::from_str::<Framework>(&cycle.framework).map_or(0, |f| f.sessions.len());
    let pairs = state
        .store
        .hours_of_cycle(cycle.id)
        .await?
        .into_iter()
        .filter(|p| p.status.get() == flipside_store::PairStatus::Active)
        .map(|p| {
            let record = PairRecord {
                meetings_held: p.meetings_held,
                minutes_held: p.minutes_held,
            };
            ClosingPair {
                pair_id: p.pair_id,
                mentor_name: p.mentor_name,
                mentee_name: p.mentee_name,
                meetings_held: p.meetings_held,
                hours: flipside_core::meetings::hours(p.minutes_held),
                suggested_completed: record.suggested(sessions, cycle.hours_target)
                    == PairOutcome::Completed,
                may_complete: record.may_complete(),
            }
        })
        .collect();
    Ok(ClosePage {
        ctx,
        scheme,
        cycle,
        sessions,
        pairs,
        effects,
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_reports_are_served_again_only_while_what_they_came_from_is_equal() {
        let kept = StageReports::default();
        let stale = StaleWeeks::default();
        let mut figures = Figures {
            applications: 3,
            undecided: 2,
            ..Figures::default()
        };
        let first = kept.of(1, CycleState::Recruiting, &figures, stale);
        assert_eq!(
            *first,
            progress::stages(CycleState::Recruiting, &figures, stale)
        );
        let again = kept.of(1, CycleState::Recruiting, &figures, stale);
        assert!(Arc::ptr_eq(&first, &again), "the same inputs: kept");

        figures.undecided = 1;
        let changed = kept.of(1, CycleState::Recruiting, &figures, stale);
        assert_eq!(
            *changed,
            progress::stages(CycleState::Recruiting, &figures, stale),
            "a figure changed: worked out again"
        );
        assert_ne!(*changed, *first);
        let moved = kept.of(1, CycleState::Matching, &figures, stale);
        assert_eq!(
            *moved,
            progress::stages(CycleState::Matching, &figures, stale)
        );
        let other = kept.of(2, CycleState::Recruiting, &figures, stale);
        assert!(!Arc::ptr_eq(&other, &moved), "each cycle its own");
        assert_eq!(*other, *changed);
    }
}
