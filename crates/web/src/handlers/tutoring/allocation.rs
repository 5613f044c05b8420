//! Allocating personal tutors in the app (SPEC §3.10), for organisation-wide coordinators:
//! run the exact allocation for an academic year from the stored institution and the Schools'
//! rules, preview the draft against last year, move students by hand, publish; and set each
//! School's rules.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::{self, cycles::Actor, tutoring::MoveOutcome};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::cycle::AcademicYear;
use flipside_core::policy;
use flipside_core::tutoring::{self, SchoolRules, Spread, UnplacedReason};
use flipside_store::{AllocationRun, DraftCounts, SchoolRulesRow, UnplacedStudent};
use serde::Deserialize;

/// How many unplaced students the preview lists by name.
pub const SHOWN_UNPLACED: i64 = 200;

/// The academic year a page is about: `?year=2026/27`, or the current one.
#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    #[serde(default)]
    pub year: String,
}

/// The current academic year, by the organisation's date.
pub async fn current_year(state: &AppState) -> Result<AcademicYear, AppError> {
    Ok(AcademicYear::containing(state.today().await?))
}

/// Parses a year field; empty means the current year.
pub async fn year_of(state: &AppState, text: &str) -> Result<AcademicYear, AppError> {
    if text.trim().is_empty() {
        return current_year(state).await;
    }
    AcademicYear::parse(text).map_err(|e| AppError::BadRequest(e.to_string()))
}

#[derive(Template, WebTemplate)]
#[template(path = "tutoring/allocation.html")]
pub struct AllocationPage {
    ctx: PageCtx,
    year: AcademicYear,
    run: Option<AllocationRun>,
    counts: DraftCounts,
    unplaced: Vec<UnplacedStudent>,
    load: Option<Spread>,
    over_capacity: i64,
    schools: Vec<SchoolRulesRow>,
    errors: FormErrors,
    student: String,
    tutor: String,
}

impl AllocationPage {
    fn reason(&self, code: &Option<String>) -> &'static str {
        code.as_deref()
            .and_then(UnplacedReason::parse)
            .unwrap_or(UnplacedReason::AllTutorsFull)
            .words()
    }

    fn more_unplaced(&self) -> i64 {
        self.counts.unplaced - self.unplaced.len() as i64
    }
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    year: AcademicYear,
) -> Result<AllocationPage, AppError> {
    let y = year.start_year();
    let run = state.store.allocation_run(y).await?;
    let (counts, unplaced, load, over_capacity) = if run.is_some() {
        let preview = state.store.draft_preview(y, SHOWN_UNPLACED).await?;
        (
            preview.counts,
            preview.unplaced.clone(),
            tutoring::spread(&preview.loads),
            preview.over_capacity,
        )
    } else {
        (DraftCounts::default(), Vec::new(), None, 0)
    };
    Ok(AllocationPage {
        ctx,
        year,
        run,
        counts,
        unplaced,
        load,
        over_capacity,
        schools: state.store.tutoring_school_rules().await?,
        errors: FormErrors::default(),
        student: String::new(),
        tutor: String::new(),
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<AllocationPage, AppError> {
    allow(policy::tutoring_allocation(&user.actor))?;
    page(&state, ctx, year_of(&state, &q.year).await?).await
}

fn back(year: AcademicYear) -> String {
    format!("/tutoring/allocation?year={year}")
}

/// Runs the allocation and keeps it as the year's draft.
pub async fn run(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<YearQuery>,
) -> Result<Response, AppError> {
    allow(policy::tutoring_allocation(&user.actor))?;
    let year = year_of(&state, &f.year).await?;
    let students = operations::tutoring::run_allocation(&state, user.id(), year).await?;
    Ok(redirect_with_flash(
        &back(year),
        &format!(
            "Allocation for {year} run: a draft of {students} students. Nothing is published yet."
        ),
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub student: String,
    #[serde(default)]
    pub tutor: String,
}

/// Moves one student of the draft to another tutor, if the rules allow it.
pub async fn move_student(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(f): Form<MoveForm>,
) -> Result<Response, AppError> {
    allow(policy::tutoring_allocation(&user.actor))?;
    let year = year_of(&state, &f.year).await?;
    let errors =
        match operations::tutoring::move_student(&state, year, &f.student, &f.tutor).await? {
            MoveOutcome::Moved(done) => return Ok(redirect_with_flash(&back(year), &done)),
            MoveOutcome::Refused(errors) => errors,
        };
    let mut shown = page(&state, ctx, year).await?;
    shown.errors = errors;
    shown.student = f.student;
    shown.tutor = f.tutor;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response())
}

/// Publishes the draft as the year's assignments.
pub async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Form(f): Form<YearQuery>,
) -> Result<Response, AppError> {
    allow(policy::tutoring_allocation(&user.actor))?;
    let year = year_of(&state, &f.year).await?;
    let written = operations::tutoring::publish_allocation(
        &state,
        Actor {
            id: user.id(),
            address: &address,
        },
        year,
    )
    .await?;
    Ok(redirect_with_flash(
        &back(year),
        &format!("Published: {written} tutor assignments for {year}."),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "tutoring/school_rules.html")]
pub struct RulesPage {
    ctx: PageCtx,
    school: SchoolRulesRow,
    errors: FormErrors,
    continuity: bool,
    load_slack: String,
    no_contact_weeks: String,
}

async fn school(state: &AppState, id: i64) -> Result<SchoolRulesRow, AppError> {
    state
        .store
        .tutoring_school_rules()
        .await?
        .into_iter()
        .find(|r| r.school_id == id)
        .ok_or(AppError::NotFound)
}

pub async fn show_rules(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<RulesPage, AppError> {
    allow(policy::tutoring_allocation(&user.actor))?;
    let school = school(&state, id).await?;
    Ok(RulesPage {
        ctx,
        continuity: school.continuity_required,
        load_slack: school.load_slack.to_string(),
        no_contact_weeks: school.no_contact_weeks.to_string(),
        school,
        errors: FormErrors::default(),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct RulesForm {
    #[serde(default)]
    pub continuity: Option<String>,
    #[serde(default)]
    pub load_slack: String,
    #[serde(default)]
    pub no_contact_weeks: String,
}

pub async fn save_rules(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<RulesForm>,
) -> Result<Response, AppError> {
    allow(policy::tutoring_allocation(&user.actor))?;
    let school = school(&state, id).await?;
    let mut errors = FormErrors::default();
    let slack = f.load_slack.trim().parse::<u32>().ok().filter(|s| *s <= 50);
    if slack.is_none() {
        errors.add("load_slack", "Enter a whole number of places from 0 to 50.");
    }
    let weeks = f
        .no_contact_weeks
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|w| (1..=52).contains(w));
    if weeks.is_none() {
        errors.add(
            "no_contact_weeks",
            "Enter a whole number of weeks from 1 to 52.",
        );
    }
    match (slack, weeks) {
        (Some(load_slack), Some(no_contact_weeks)) => {
            state
                .store
                .set_tutoring_school_rules(
                    id,
                    SchoolRules {
                        continuity_required: f.continuity.is_some(),
                        load_slack,
                        no_contact_weeks,
                    },
                )
                .await?;
            Ok(redirect_with_flash(
                "/tutoring/allocation",
                &format!("Tutoring rules of {} saved.", school.name),
            ))
        }
        _ => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            RulesPage {
                ctx,
                school,
                errors,
                continuity: f.continuity.is_some(),
                load_slack: f.load_slack,
                no_contact_weeks: f.no_contact_weeks,
            },
        )
            .into_response()),
    }
}
