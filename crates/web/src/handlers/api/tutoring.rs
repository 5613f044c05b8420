//! Personal tutoring over the API (SPEC §3.10): importing the institution's CSV files, the
//! allocation of tutors (run, preview, move, publish), a tutor's tutees, contacts and the
//! consistency dashboard. The same policy functions and business operations as the pages in
//! `handlers::tutoring` and `handlers::admin::import`.
use super::{ApiPath, ApiQuery, JsonBody, PageParams, page, page_of};
use crate::auth::{ApiUser, ClientAddress, CurrentUser};
use crate::error::{ApiError, AppError};
use crate::handlers::tutoring::allocation::{SHOWN_UNPLACED, current_year};
use crate::handlers::tutoring::dashboard;
use crate::handlers::tutoring::records::{ContactForm, record_contact};
use crate::operations::{self, cycles::Actor, tutoring::MoveOutcome};
use crate::page::FormErrors;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::{MethodRouter, get, post};
use flipside_core::cycle::AcademicYear;
use flipside_core::disclosure::Cell;
use flipside_core::import::{Files, Source, read_institution};
use flipside_core::policy::{self, TutoringSelf};
use flipside_core::tutoring::{self, UnplacedReason};
use flipside_core::tutoring_dashboard::DashboardRow;
use flipside_store::{ImportCounts, ImportSummary, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(
        import_file,
        show_allocation,
        run_allocation,
        move_student,
        publish_allocation,
        list_tutees,
        list_contacts,
        record_contact_api,
        show_dashboard
    ),
    components(schemas(
        ImportSummaryJson,
        ImportCountsJson,
        AllocationJson,
        DraftCountsJson,
        UnplacedJson,
        LoadJson,
        YearJson,
        MoveJson,
        MovedJson,
        AllocationPublishedJson,
        TuteeJson,
        TuteePage,
        ContactJson,
        ContactPage,
        NewContactJson,
        DashboardJson,
        DashboardRowJson,
        CellJson
    ))
)]
pub struct Doc;

/// This area's operations, as (method, path under `/api/v1`, handler).
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::POST, "/tutoring/imports/{file}", post(import_file)),
        (Method::GET, "/tutoring/allocation", get(show_allocation)),
        (
            Method::POST,
            "/tutoring/allocation/run",
            post(run_allocation),
        ),
        (
            Method::POST,
            "/tutoring/allocation/moves",
            post(move_student),
        ),
        (
            Method::POST,
            "/tutoring/allocation/publish",
            post(publish_allocation),
        ),
        (Method::GET, "/tutoring/tutees", get(list_tutees)),
        (
            Method::GET,
            "/tutoring/students/{id}/contacts",
            get(list_contacts),
        ),
        (Method::POST, "/tutoring/contacts", post(record_contact_api)),
        (Method::GET, "/tutoring/dashboard", get(show_dashboard)),
    ]
}

const REFUSED: &str = "The caller may not do this";

fn invalid(errors: FormErrors) -> ApiError {
    ApiError(AppError::InvalidFields(errors.0.into_iter().collect()))
}

/// An academic year as typed (`2026/27`); absent: the current one.
async fn year_of(state: &AppState, text: Option<&str>) -> Result<AcademicYear, ApiError> {
    match text {
        None => Ok(current_year(state).await?),
        Some(t) => AcademicYear::parse(t).map_err(|e| {
            ApiError(AppError::Invalid {
                field: "year".into(),
                message: e.to_string(),
            })
        }),
    }
}

/// The year an allocation operation is about (as typed, or the current one), once the policy
/// lets the caller run allocations: refused before the year is read.
async fn allocation_year(
    state: &AppState,
    user: &CurrentUser,
    text: Option<&str>,
) -> Result<AcademicYear, ApiError> {
    if !policy::tutoring_allocation(&user.actor) {
        return Err(AppError::Forbidden.into());
    }
    year_of(state, text).await
}

/// Who the caller is in personal tutoring, linking the records that name their address as a
/// page view does (so a token works for a tutor who has not opened a page since the import).
async fn me(state: &AppState, user: &CurrentUser, address: &str) -> Result<TutoringSelf, ApiError> {
    Ok(operations::tutoring::tutoring_self(state, user, address).await?)
}

// ---------------------------------------------------------------------------------------
// Imports

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportCountsJson {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl From<ImportCounts> for ImportCountsJson {
    fn from(c: ImportCounts) -> Self {
        ImportCountsJson {
            added: c.added,
            updated: c.updated,
            unchanged: c.unchanged,
        }
    }
}

/// What an import changed, or in a dry run would change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportSummaryJson {
    pub dry_run: bool,
    pub faculties_added: u64,
    pub schools: ImportCountsJson,
    pub tutors: ImportCountsJson,
    pub students: ImportCountsJson,
    pub assignments: ImportCountsJson,
}

impl From<ImportSummary> for ImportSummaryJson {
    fn from(s: ImportSummary) -> Self {
        ImportSummaryJson {
            dry_run: s.dry_run,
            faculties_added: s.faculties_added,
            schools: s.schools.into(),
            tutors: s.tutors.into(),
            students: s.students.into(),
            assignments: s.assignments.into(),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// Check the file and say what it would change, writing nothing.
    pub dry_run: Option<bool>,
}

/// A file's bytes as sent, documented as binary so that client generators offer a file.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // only its schema is used: the handler reads the body as bytes
pub struct FileBytes(Vec<u8>);

/// Imports one of the student record system's CSV files (admins and organisation-wide
/// coordinators): `schools`, `tutors`, `students` or `assignments`, sent as the body
/// (`Content-Type: text/csv`). Import them in that order: a file may name what an earlier one
/// imported. Nothing is written unless the whole file is free of problems; each problem is
/// listed in `errors` with its field as `FILE:LINE:COLUMN` (the column's header name, empty
/// for the whole line). With `dry_run=true` nothing is written either way.
#[utoipa::path(post, operation_id = "importTutoringFile", path = "/api/v1/tutoring/imports/{file}", tag = "tutoring",
    params(("file" = String, Path, description = "Which file: schools, tutors, students or assignments", pattern = "^(schools|tutors|students|assignments)$"), ImportParams),
    request_body(description = "The CSV file, with its header line, as `text/csv` or as the file's bytes (`application/octet-stream`, what generated clients send for a file)", content((String = "text/csv"), (inline(FileBytes) = "application/octet-stream"))),
    responses((status = 200, description = "What was imported, or in a dry run would be", body = ImportSummaryJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The file conflicts with stored data; nothing was imported", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The file has problems, each listed in errors as FILE:LINE:COLUMN; nothing was imported", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn import_file(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(file): ApiPath<String>,
    ApiQuery(params): ApiQuery<ImportParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportSummaryJson>, ApiError> {
    if !policy::tutoring_import(&user.actor) {
        return Err(AppError::Forbidden.into());
    }
    let csv = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            let m = m.trim();
            m.eq_ignore_ascii_case("text/csv") || m.eq_ignore_ascii_case("application/octet-stream")
        });
    if !csv {
        return Err(AppError::UnsupportedMediaType(
            "Send the file as the body with 'Content-Type: text/csv' (or application/octet-stream)."
                .into(),
        )
        .into());
    }
    let name = format!("{file}.csv");
    let source = Some(Source::new(name, &body[..]));
    let mut files: Files<&[u8]> = Files {
        schools: None,
        tutors: None,
        students: None,
        assignments: None,
    };
    match file.as_str() {
        "schools" => files.schools = source,
        "tutors" => files.tutors = source,
        "students" => files.students = source,
        "assignments" => files.assignments = source,
        _ => return Err(AppError::NotFound.into()),
    }
    let known = state.store.tutoring_known().await?;
    let institution = read_institution(files, &known).map_err(|errors| {
        ApiError(AppError::InvalidFields(
            errors
                .into_iter()
                .map(|e| (format!("{}:{}:{}", e.file, e.line, e.column), e.message))
                .collect(),
        ))
    })?;
    let summary = operations::tutoring::import_institution(
        &state.store,
        &institution,
        params.dry_run.unwrap_or(false),
        Some(user.id()),
        &address,
        &|_| {},
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(m) => AppError::Conflict(format!("Nothing was imported: {m}.")),
        e => e.into(),
    })?;
    Ok(Json(summary.into()))
}

// ---------------------------------------------------------------------------------------
// Allocation

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct YearParams {
    /// The academic year, for example 2026/27; absent: the current one.
    #[param(pattern = "^[0-9]{4}/[0-9]{2}$")]
    pub year: Option<String>,
}

/// Which year a write is about.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct YearJson {
    /// The academic year, for example 2026/27; absent: the current one.
    #[schema(pattern = "^[0-9]{4}/[0-9]{2}$")]
    pub year: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DraftCountsJson {
    pub students: i64,
    /// Same tutor as last year.
    pub kept: i64,
    /// Had a tutor last year, a different one now.
    pub changed: i64,
    /// No tutor last year, one now.
    pub new: i64,
    pub unplaced: i64,
    pub moved_by_hand: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnplacedJson {
    pub student_id: i64,
    pub external_id: String,
    pub name: String,
    pub school: String,
    /// Why, in words.
    pub reason: String,
}

/// Tutors' load in the draft: how many tutors, and the least, median and most tutees.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoadJson {
    pub tutors: u64,
    pub min: i64,
    pub median: f64,
    pub max: i64,
}

/// A year's allocation: whether it was run and published, and the draft against last year.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationJson {
    /// For example 2026/27.
    pub year: String,
    /// When the draft was run; absent when it has not been.
    pub run_at: Option<String>,
    pub published_at: Option<String>,
    pub counts: DraftCountsJson,
    /// The first unplaced students (at most 200; counts.unplaced says how many in all).
    pub unplaced: Vec<UnplacedJson>,
    pub load: Option<LoadJson>,
    /// Tutors given more tutees than their capacity.
    pub over_capacity: i64,
}

async fn allocation(state: &AppState, year: AcademicYear) -> Result<AllocationJson, ApiError> {
    let y = year.start_year();
    let run = state.store.allocation_run(y).await?;
    let mut out = AllocationJson {
        year: year.to_string(),
        run_at: run.as_ref().map(|r| r.created_at.to_rfc3339()),
        published_at: run
            .as_ref()
            .and_then(|r| r.published_at.map(|t| t.to_rfc3339())),
        counts: DraftCountsJson {
            students: 0,
            kept: 0,
            changed: 0,
            new: 0,
            unplaced: 0,
            moved_by_hand: 0,
        },
        unplaced: Vec::new(),
        load: None,
        over_capacity: 0,
    };
    if run.is_some() {
        let preview = state.store.draft_preview(y, SHOWN_UNPLACED).await?;
        let c = preview.counts;
        out.counts = DraftCountsJson {
            students: c.students,
            kept: c.kept,
            changed: c.changed,
            new: c.new,
            unplaced: c.unplaced,
            moved_by_hand: c.moved_by_hand,
        };
        out.over_capacity = preview.over_capacity;
        out.load = tutoring::spread(&preview.loads).map(|s| LoadJson {
            tutors: s.n,
            min: s.min,
            median: s.median,
            max: s.max,
        });
        out.unplaced = preview
            .unplaced
            .iter()
            .cloned()
            .map(|u| UnplacedJson {
                reason: u
                    .reason
                    .as_deref()
                    .and_then(UnplacedReason::parse)
                    .unwrap_or(UnplacedReason::AllTutorsFull)
                    .words()
                    .to_string(),
                student_id: u.student_id,
                external_id: u.external_id,
                name: u.name,
                school: u.school,
            })
            .collect();
    }
    Ok(out)
}

/// A year's allocation: the draft previewed against last year (organisation-wide coordinators).
#[utoipa::path(get, operation_id = "getAllocation", path = "/api/v1/tutoring/allocation", tag = "tutoring", params(YearParams),
    responses((status = 200, description = "The year's allocation", body = AllocationJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "year is not an academic year", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show_allocation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(params): ApiQuery<YearParams>,
) -> Result<Json<AllocationJson>, ApiError> {
    let year = allocation_year(&state, &user, params.year.as_deref()).await?;
    Ok(Json(allocation(&state, year).await?))
}

/// Runs the allocation of a year from the stored institution and the Schools' rules and keeps
/// it as the year's draft, replacing any earlier draft; nothing is published.
#[utoipa::path(post, operation_id = "runAllocation", path = "/api/v1/tutoring/allocation/run", tag = "tutoring", request_body = YearJson,
    responses((status = 200, description = "The year's allocation with its new draft", body = AllocationJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "year is not an academic year", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn run_allocation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    JsonBody(body): JsonBody<YearJson>,
) -> Result<Json<AllocationJson>, ApiError> {
    let year = allocation_year(&state, &user, body.year.as_deref()).await?;
    operations::tutoring::run_allocation(&state, user.id(), year).await?;
    Ok(Json(allocation(&state, year).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveJson {
    /// The academic year, for example 2026/27; absent: the current one.
    #[schema(pattern = "^[0-9]{4}/[0-9]{2}$")]
    pub year: Option<String>,
    /// The student's ID in the record system.
    #[schema(min_length = 1, max_length = 200)]
    pub student: String,
    /// The tutor's ID in the record system.
    #[schema(min_length = 1, max_length = 200)]
    pub tutor: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MovedJson {
    /// What was done, in words.
    pub detail: String,
}

/// Moves one student of the draft to another tutor, if the School's rules and the tutor's
/// capacity allow it.
#[utoipa::path(post, operation_id = "moveAllocatedStudent", path = "/api/v1/tutoring/allocation/moves", tag = "tutoring", request_body = MoveJson,
    responses((status = 200, description = "The student is moved in the draft", body = MovedJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "No such student in the draft or tutor, or the rules refuse the move (named in errors)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn move_student(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    JsonBody(body): JsonBody<MoveJson>,
) -> Result<Json<MovedJson>, ApiError> {
    let year = allocation_year(&state, &user, body.year.as_deref()).await?;
    match operations::tutoring::move_student(&state, year, &body.student, &body.tutor).await? {
        MoveOutcome::Moved(detail) => Ok(Json(MovedJson { detail })),
        MoveOutcome::Refused(errors) => Err(invalid(errors)),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationPublishedJson {
    /// For example 2026/27.
    pub year: String,
    /// How many tutor assignments were written.
    pub assignments: u64,
}

/// Publishes a year's draft as the year's tutor assignments; audited.
#[utoipa::path(post, operation_id = "publishAllocation", path = "/api/v1/tutoring/allocation/publish", tag = "tutoring", request_body = YearJson,
    responses((status = 200, description = "The draft is published", body = AllocationPublishedJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "There is no draft to publish: run one first", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "year is not an academic year", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn publish_allocation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    JsonBody(body): JsonBody<YearJson>,
) -> Result<Json<AllocationPublishedJson>, ApiError> {
    let year = allocation_year(&state, &user, body.year.as_deref()).await?;
    let assignments = operations::tutoring::publish_allocation(
        &state,
        Actor {
            id: user.id(),
            address: &address,
        },
        year,
    )
    .await?;
    Ok(Json(AllocationPublishedJson {
        year: year.to_string(),
        assignments,
    }))
}

// ---------------------------------------------------------------------------------------
// Tutees and contacts

#[derive(Debug, Serialize, ToSchema)]
pub struct TuteeJson {
    pub student_id: i64,
    pub external_id: String,
    pub name: String,
    pub school_id: i64,
    pub programme: String,
    pub year_of_study: i64,
    /// Contacts logged this year.
    pub contacts: i64,
    pub last_contact: Option<String>,
    /// The School's date by which every tutee should have had a contact.
    pub no_contact_by: String,
    /// No contact by that date, and the date has passed.
    pub overdue: bool,
}

page_of!(TuteePage, TuteeJson);

/// The caller's tutees this year (tutors), by student id.
#[utoipa::path(get, operation_id = "listTutees", path = "/api/v1/tutoring/tutees", tag = "tutoring", params(PageParams),
    responses((status = 200, description = "A page of the caller's tutees", body = TuteePage), (status = 403, description = "The caller is not a tutor", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_tutees(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<TuteePage>, ApiError> {
    let me = me(&state, &user, &address).await?;
    if !policy::tutees(me) {
        return Err(AppError::Forbidden.into());
    }
    let tutor_id = me.tutor_id.ok_or(AppError::Forbidden)?;
    // The list the tutees page shows, kept under the tutoring data's version.
    let today = state.today().await?;
    let tutees = crate::handlers::tutoring::records::tutees_of(&state, tutor_id, today).await?;
    let items = tutees
        .rows()
        .iter()
        .map(|r| TuteeJson {
            no_contact_by: r.no_contact_by.to_string(),
            overdue: r.overdue,
            student_id: r.tutee.student_id,
            external_id: r.tutee.external_id.clone(),
            name: r.tutee.name.clone(),
            school_id: r.tutee.school_id,
            programme: r.tutee.programme.clone(),
            year_of_study: r.tutee.year_of_study,
            contacts: r.tutee.contacts,
            last_contact: r.tutee.last_date.clone(),
        })
        .collect();
    let (items, next_cursor) = page(items, |t: &TuteeJson| t.student_id, &params)?;
    Ok(Json(TuteePage { items, next_cursor }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactJson {
    pub id: i64,
    pub student_id: i64,
    pub tutor_id: i64,
    pub tutor_name: String,
    /// For example 2026 for 2026/27.
    pub academic_year: i64,
    pub date: String,
    /// in_person, online, phone or email
    pub mode: String,
    pub duration_minutes: i64,
    /// tutor or student
    pub initiated_by: String,
    /// tutor or student
    pub logged_by: String,
    /// Readable only by the student and their tutors; the read is audited.
    pub note: String,
}

page_of!(ContactPage, ContactJson);

/// A student's contacts that the caller may read (the student, and their tutors), by id, with
/// their notes; the read is audited.
#[utoipa::path(get, operation_id = "listContacts", path = "/api/v1/tutoring/students/{id}/contacts", tag = "tutoring", params(("id" = i64, Path, description = "Tutoring student id"), PageParams),
    responses((status = 200, description = "A page of the student's contacts the caller may read", body = ContactPage), (status = 403, description = "The caller may not see this student's record", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_contacts(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<ContactPage>, ApiError> {
    let me = me(&state, &user, &address).await?;
    let current = state
        .store
        .tutor_of(id, current_year(&state).await?.start_year())
        .await?;
    if !policy::tutoring_record(&user.actor, me, id, current) {
        return Err(AppError::Forbidden.into());
    }
    state.store.tutoring_student_record(id).await?;
    let readable: Vec<_> = state
        .store
        .contacts_of_student(id)
        .await?
        .into_iter()
        .filter(|c| policy::tutoring_contact(me, c.tutor_id, c.student_id))
        .collect();
    let (contacts, next_cursor) = page(readable, |c| c.id, &params)?;
    if !contacts.is_empty() {
        crate::handlers::audit_read(
            &state,
            &user,
            &address,
            "contact_notes_read",
            ("tutoring_student", id),
            &format!("{} contacts with their notes (API)", contacts.len()),
        )
        .await?;
    }
    let items = contacts
        .into_iter()
        .map(|c| ContactJson {
            id: c.id,
            student_id: c.student_id,
            tutor_id: c.tutor_id,
            tutor_name: c.tutor_name,
            academic_year: c.academic_year,
            date: c.contact_date,
            mode: c.mode,
            duration_minutes: c.duration_minutes,
            initiated_by: c.initiated_by,
            logged_by: c.logged_by,
            note: c.note,
        })
        .collect();
    Ok(Json(ContactPage { items, next_cursor }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContactJson {
    /// The student's ID in the record system (a student logging gives their own).
    #[schema(min_length = 1, max_length = 200)]
    pub student: String,
    /// The day of the contact, in the current academic year and not in the future.
    #[schema(format = Date)]
    pub date: String,
    #[schema(pattern = "^(in_person|online|phone|email)$")]
    pub mode: String,
    #[schema(minimum = 1, maximum = 600)]
    pub duration_minutes: i64,
    #[schema(pattern = "^(tutor|student)$")]
    pub initiated_by: String,
    /// A private note, readable only by the student and their tutors.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: String,
}

/// Logs a contact: a tutor's with a tutee of this year, or a student's with their tutor.
#[utoipa::path(post, operation_id = "recordContact", path = "/api/v1/tutoring/contacts", tag = "tutoring", request_body = NewContactJson,
    responses((status = 201, description = "The contact as logged", body = ContactJson), (status = 403, description = "The caller is neither a tutor nor a student", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A field breaks a rule, or the student is not the caller's (each named in errors)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn record_contact_api(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    JsonBody(body): JsonBody<NewContactJson>,
) -> Result<(StatusCode, Json<ContactJson>), ApiError> {
    let me = me(&state, &user, &address).await?;
    if !policy::log_contacts(me) {
        return Err(AppError::Forbidden.into());
    }
    let form = ContactForm {
        student: body.student,
        date: body.date,
        mode: body.mode,
        duration: body.duration_minutes.to_string(),
        initiated_by: body.initiated_by,
        note: body.note,
    };
    let (student_id, _) = record_contact(&state, &me, &form).await?.map_err(invalid)?;
    let c = state
        .store
        .contacts_of_student(student_id)
        .await?
        .into_iter()
        .max_by_key(|c| c.id)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a logged contact is not stored")))?;
    Ok((
        StatusCode::CREATED,
        Json(ContactJson {
            id: c.id,
            student_id: c.student_id,
            tutor_id: c.tutor_id,
            tutor_name: c.tutor_name,
            academic_year: c.academic_year,
            date: c.contact_date,
            mode: c.mode,
            duration_minutes: c.duration_minutes,
            initiated_by: c.initiated_by,
            logged_by: c.logged_by,
            note: c.note,
        }),
    ))
}

// ---------------------------------------------------------------------------------------
// Dashboard

/// One figure: its value, or none when it is suppressed under the disclosure rule (a small
/// cell) or does not apply yet.
#[derive(Debug, Serialize, ToSchema)]
pub struct CellJson {
    pub value: Option<f64>,
    /// Hidden under the disclosure rule.
    pub suppressed: bool,
}

fn cell<T: Copy + Into<f64>>(c: &Cell<T>) -> CellJson {
    CellJson {
        value: c.shown().map(Into::into),
        suppressed: c.is_suppressed(),
    }
}

fn count(c: &Cell<u64>) -> CellJson {
    CellJson {
        // Counts are far below 2^53.
        value: c.shown().map(|v| v as f64),
        suppressed: c.is_suppressed(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardRowJson {
    /// The School, or the institution.
    pub name: String,
    pub students: CellJson,
    pub contacted: CellJson,
    /// Percent of students with a contact.
    pub coverage: CellJson,
    /// Median days to the first contact.
    pub median_first_contact_days: CellJson,
    /// Tutors' load: least, median, most; absent when no tutor has tutees.
    pub load: Option<Vec<CellJson>>,
    /// Percent of students who kept last year's tutor.
    pub continuity: CellJson,
    /// Students without a contact by the School's date; absent while the date has not passed.
    pub no_contact: Option<CellJson>,
    /// The School's no-contact-by date; absent on the institution's row.
    pub no_contact_by: Option<String>,
}

fn row_json(r: &DashboardRow, by: Option<String>) -> DashboardRowJson {
    DashboardRowJson {
        name: r.name.clone(),
        students: count(&r.students),
        contacted: count(&r.contacted),
        coverage: cell(&r.coverage),
        median_first_contact_days: cell(&r.median_first),
        load: r
            .load
            .as_ref()
            .map(|(a, b, c)| vec![cell(a), cell(b), cell(c)]),
        continuity: cell(&r.continuity),
        no_contact: r.no_contact.as_ref().map(count),
        no_contact_by: by,
    }
}

/// The consistency dashboard of a year under the organisation's disclosure rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardJson {
    pub year: String,
    /// The disclosure rule the figures follow.
    pub rule: String,
    pub schools: Vec<DashboardRowJson>,
    /// The institution's row, for those who see every School.
    pub institution: Option<DashboardRowJson>,
}

/// The personal tutoring dashboard's figures (organisation-wide roles see every School and the
/// institution, School leads their own School), small cells suppressed as on the page.
#[utoipa::path(get, operation_id = "getTutoringDashboard", path = "/api/v1/tutoring/dashboard", tag = "tutoring", params(YearParams),
    responses((status = 200, description = "The dashboard's figures", body = DashboardJson), (status = 403, description = "The caller sees no School", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "year is not an academic year", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show_dashboard(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(params): ApiQuery<YearParams>,
) -> Result<Json<DashboardJson>, ApiError> {
    // The year is checked as the API checks it (422 naming the field), then read again by the
    // page's own function, which refuses first when the caller sees no School.
    if let Some(y) = params.year.as_deref()
        && y.trim().is_empty()
    {
        return Err(AppError::Invalid {
            field: "year".into(),
            message:
                "Enter an academic year such as 2026/27, or leave year out for the current one."
                    .into(),
        }
        .into());
    }
    let year = params.year.as_deref().unwrap_or("");
    let f = match dashboard::figures(&state, &user, year).await {
        Err(AppError::BadRequest(m)) => {
            return Err(AppError::Invalid {
                field: "year".into(),
                message: m,
            }
            .into());
        }
        other => other?,
    };
    Ok(Json(DashboardJson {
        year: f.year.to_string(),
        rule: f.rule.name(),
        schools: f
            .rows
            .iter()
            .map(|(r, by)| row_json(r, Some(by.clone())))
            .collect(),
        institution: f.total.as_ref().map(|r| row_json(r, None)),
    }))
}
