//! Allowing one named pair across the same-School rule, with a reason, and withdrawing that.
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
use flipside_core::cycle_matching;
use flipside_core::scheme::BoundedText;
use serde::Deserialize;

/// An exception as submitted: matcher ids of a mentor and a mentee, and why.
#[derive(Debug, Default, Deserialize)]
pub struct AllowForm {
    #[serde(default)]
    pub(super) mentor: String,
    #[serde(default)]
    pub(super) mentee: String,
    #[serde(default)]
    pub(super) reason: String,
}

pub async fn allow(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<AllowForm>,
) -> Result<Response, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let mentors = state.store.accepted_mentors(id).await?;
    let mentees = state.store.accepted_mentees(id).await?;
    let mut errors = FormErrors::default();
    let mentor = cycle_matching::user_of(&form.mentor)
        .filter(|_| form.mentor.starts_with('m'))
        .and_then(|u| mentors.iter().find(|c| c.user_id == u));
    let mentee = cycle_matching::user_of(&form.mentee)
        .filter(|_| form.mentee.starts_with('e'))
        .and_then(|u| mentees.iter().find(|c| c.user_id == u));
    if mentor.is_none() {
        errors.add("ss_mentor", "Choose a mentor from the list.");
    }
    if mentee.is_none() {
        errors.add("ss_mentee", "Choose a staff mentee from the list.");
    }
    if let (Some(m), Some(e)) = (mentor, mentee)
        && (m.school.is_none() || m.school != e.school)
    {
        errors.add(
            "ss_mentee",
            format!(
                "{} and {} are not known to be in the same School, so the rule does not keep them apart and no exception is needed.",
                m.name, e.name
            ),
        );
    }
    let reason = BoundedText::parse(&form.reason, 500)
        .map_err(|e| errors.add("ss_reason", format!("The reason {e}.")))
        .ok();
    let (Some(mentor), Some(mentee), Some(reason), true) =
        (mentor, mentee, reason, errors.is_empty())
    else {
        let mut p = page(&state, ctx, cycle, scheme, Vec::new(), None, errors).await?;
        p.exception_typed = form;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    };
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    operations::matching::allow_same_school_pair(
        &state,
        actor,
        &cycle,
        (mentor, mentee),
        reason.as_str(),
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/cycles/{id}/matching"),
        &format!(
            "{} and {} may now be paired although they share a School.",
            mentor.name, mentee.name
        ),
    ))
}

/// Withdrawing an exception: user ids.
#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    mentor_id: i64,
    mentee_id: i64,
}

pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<RemoveForm>,
) -> Result<Response, AppError> {
    let (cycle, _) = managed_cycle(&state, &user, id).await?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    operations::matching::remove_same_school_exception(
        &state,
        actor,
        &cycle,
        (form.mentor_id, form.mentee_id),
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/cycles/{id}/matching"),
        "The exception was withdrawn: the same-School rule applies to those two again.",
    ))
}
