//! Adding and removing do-not-pair entries.
use super::{managed_cycle, page};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use flipside_core::cycle_matching::{self};
use serde::Deserialize;

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
    ClientAddress(address): ClientAddress,
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
    operations::matching::add_do_not_pair(&state, Actor::of(&user, &address), id, (mentor, mentee))
        .await?;
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
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<RemoveForm>,
) -> Result<Response, AppError> {
    managed_cycle(&state, &user, id).await?;
    operations::matching::remove_do_not_pair(
        &state,
        Actor::of(&user, &address),
        id,
        (form.mentor_id, form.mentee_id),
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/cycles/{id}/matching"),
        "The do-not-pair entry was removed.",
    ))
}
