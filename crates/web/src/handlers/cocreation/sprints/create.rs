//! Creating a sprint.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use flipside_core::policy;
use flipside_store::{Faculty, NewSprint};

use super::{NewPage, SprintForm, date, text};

pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Form(form): Form<SprintForm>,
) -> Result<Response, AppError> {
    allow(policy::sprint_run(&user.actor))?;
    let faculties = state.store.faculties().await?;
    let valid = match validate(&form, &faculties) {
        Ok(v) => v,
        Err(errors) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                NewPage {
                    ctx,
                    form,
                    errors,
                    faculties,
                },
            )
                .into_response());
        }
    };
    let id = create_sprint(&state, Actor::of(&user, &address), &valid).await?;
    let title = valid.title;
    Ok(redirect_with_flash(
        &format!("/sprints/{id}"),
        &format!("Sprint '{title}' created. It is collecting problems."),
    ))
}

/// A sprint as checked, ready to be created.
pub struct ValidSprint {
    pub faculty_id: i64,
    pub title: String,
    pub question: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Checks the sprint form (the page and the API): each field's error by its name.
pub fn validate(form: &SprintForm, faculties: &[Faculty]) -> Result<ValidSprint, FormErrors> {
    let mut errors = FormErrors::default();
    let title = text(&mut errors, "title", "Title", &form.title, 120);
    let faculty = form
        .faculty_id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| faculties.iter().any(|f| f.id == *id));
    if faculty.is_none() {
        errors.add("faculty_id", "Choose the faculty the sprint runs in.");
    }
    let question = text(
        &mut errors,
        "question",
        "The question",
        &form.question,
        1000,
    );
    let starts = date(&mut errors, "starts_on", "Start date", &form.starts_on);
    let ends = date(&mut errors, "ends_on", "End date", &form.ends_on);
    if let (Some(s), Some(e)) = (starts, ends)
        && e < s
    {
        errors.add("ends_on", "End date must be on or after the start date.");
    }
    match (faculty, starts, ends, errors.is_empty()) {
        (Some(faculty_id), Some(starts_on), Some(ends_on), true) => Ok(ValidSprint {
            faculty_id,
            title,
            question,
            starts_on,
            ends_on,
        }),
        _ => Err(errors),
    }
}

/// Creates the checked sprint, collecting problems, by this person (the page and the API).
pub async fn create_sprint(
    state: &AppState,
    actor: Actor<'_>,
    valid: &ValidSprint,
) -> Result<i64, AppError> {
    operations::sprints::create(
        state,
        actor,
        NewSprint {
            faculty_id: valid.faculty_id,
            title: &valid.title,
            question: &valid.question,
            starts_on: &valid.starts_on.to_string(),
            ends_on: &valid.ends_on.to_string(),
            created_by: Some(actor.id),
        },
    )
    .await
}
