//! Creating a sprint.
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::policy;
use flipside_store::NewSprint;

use super::{NewPage, SprintForm, date, text};

pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(form): Form<SprintForm>,
) -> Result<Response, AppError> {
    allow(policy::sprint_run(&user.actor))?;
    let faculties = state.store.faculties().await?;
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
    let (Some(faculty_id), Some(starts), Some(ends), true) =
        (faculty, starts, ends, errors.is_empty())
    else {
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
    };
    let id = state
        .store
        .create_sprint(NewSprint {
            faculty_id,
            title: &title,
            question: &question,
            starts_on: &starts.to_string(),
            ends_on: &ends.to_string(),
            created_by: Some(user.id()),
        })
        .await?;
    Ok(redirect_with_flash(
        &format!("/sprints/{id}"),
        &format!("Sprint '{title}' created. It is collecting problems."),
    ))
}
