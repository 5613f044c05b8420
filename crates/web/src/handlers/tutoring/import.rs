//! Importing an institution for personal tutoring by uploading the student record system's CSV
//! exports (admins and organisation-wide coordinators). Nothing is written unless every file
//! is free of problems; problems are listed by file, line and column.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use flipside_core::import::{Files, ImportError, Source, read_institution};
use flipside_core::policy;
use flipside_store::{ImportSummary, SchoolTutoring, StoreError};

/// How many problems the page lists before only counting the rest.
const SHOWN_ERRORS: usize = 200;

#[derive(Template, WebTemplate)]
#[template(path = "admin/import.html")]
pub struct ImportPage {
    ctx: PageCtx,
    /// A problem with the request as a whole (no file chosen, a conflict with stored data).
    problem: Option<String>,
    /// Problems by file, in the order found.
    errors: Vec<(String, Vec<ImportError>)>,
    /// Problems found but not listed.
    more_errors: usize,
    summary: Option<ImportSummary>,
    schools: Vec<SchoolTutoring>,
}

impl ImportPage {
    fn error_count(&self) -> usize {
        self.errors.iter().map(|(_, e)| e.len()).sum::<usize>() + self.more_errors
    }
}

async fn page(state: &AppState, ctx: PageCtx) -> Result<ImportPage, AppError> {
    Ok(ImportPage {
        ctx,
        problem: None,
        errors: Vec::new(),
        more_errors: 0,
        summary: None,
        schools: state.store.tutoring_by_school().await?,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<ImportPage, AppError> {
    allow(policy::tutoring_import(&user.actor))?;
    page(&state, ctx).await
}

fn by_file(errors: Vec<ImportError>) -> (Vec<(String, Vec<ImportError>)>, usize) {
    let more = errors.len().saturating_sub(SHOWN_ERRORS);
    let mut grouped: Vec<(String, Vec<ImportError>)> = Vec::new();
    for e in errors.into_iter().take(SHOWN_ERRORS) {
        match grouped.last_mut() {
            Some((file, list)) if *file == e.file => list.push(e),
            _ => grouped.push((e.file.clone(), vec![e])),
        }
    }
    (grouped, more)
}

pub async fn upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    allow(policy::tutoring_import(&user.actor))?;
    let parts = crate::multipart::parts(&headers, &body)
        .ok_or_else(|| AppError::BadRequest("The upload could not be read.".into()))?;
    let mut files: Files<&[u8]> = Files {
        schools: None,
        tutors: None,
        students: None,
        assignments: None,
    };
    let mut dry_run = false;
    for part in parts {
        let name = part
            .filename
            .clone()
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| format!("{}.csv", part.name));
        let source = (!part.data.is_empty()).then(|| Source::new(name, part.data));
        match part.name.as_str() {
            "schools" => files.schools = source,
            "tutors" => files.tutors = source,
            "students" => files.students = source,
            "assignments" => files.assignments = source,
            "dry_run" => dry_run = true,
            _ => {}
        }
    }
    let mut shown = page(&state, ctx).await?;
    let nothing = files.schools.is_none()
        && files.tutors.is_none()
        && files.students.is_none()
        && files.assignments.is_none();
    if nothing {
        shown.problem = Some("Choose at least one file to import.".into());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response());
    }
    let known = state.store.tutoring_known().await?;
    let institution = match read_institution(files, &known) {
        Ok(i) => i,
        Err(errors) => {
            (shown.errors, shown.more_errors) = by_file(errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response());
        }
    };
    let summary = match crate::operations::tutoring::import_institution(
        &state.store,
        &institution,
        dry_run,
        Some(user.id()),
        &address,
        &|_| {},
    )
    .await
    {
        Ok(s) => s,
        Err(StoreError::Conflict(message)) => {
            shown.problem = Some(format!("Nothing was imported: {message}."));
            return Ok((StatusCode::CONFLICT, shown).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    if !dry_run {
        shown.schools = state.store.tutoring_by_school().await?;
    }
    shown.summary = Some(summary);
    Ok(shown.into_response())
}
