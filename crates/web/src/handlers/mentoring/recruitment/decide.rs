//! A coordinator's decision on an application, with its audit entry.
use super::review::review_page;
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use flipside_core::policy::{self};
use flipside_core::recruitment::ApplicationStatus;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub(super) decision: String,
    #[serde(default)]
    pub(super) message: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, app_id)): Path<(i64, i64)>,
    axum::Form(form): axum::Form<DecisionForm>,
) -> Result<Response, AppError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::review_applications(&user.actor, cycle.scheme_id))?;
    let app = state.store.application(app_id).await?;
    if app.cycle_id != id {
        return Err(AppError::NotFound);
    }
    let mut errors = FormErrors::default();
    let decision = ApplicationStatus::parse(&form.decision)
        .filter(|d| ApplicationStatus::DECISIONS.contains(d));
    if decision.is_none() {
        errors.add(
            "decision",
            "Choose accept, put on the waiting list, or decline.",
        );
    }
    let message = form.message.trim();
    if message.chars().count() > 2000 {
        errors.add(
            "message",
            "The message is too long: at most 2000 characters.",
        );
    }
    let Some(decision) = decision.filter(|_| errors.is_empty()) else {
        let page = review_page(
            &state,
            ctx,
            &user,
            &address,
            (id, app_id),
            Some((errors, &form)),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let to = format!("/cycles/{id}/applications/{app_id}");
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    match operations::recruitment::decide_application(&state, actor, app_id, decision, message)
        .await
    {
        Ok(()) => Ok(redirect_with_flash(
            &to,
            &format!(
                "{}'s application: {}.",
                app.applicant_name,
                decision.label().to_lowercase()
            ),
        )),
        Err(AppError::Conflict(m)) => Ok(redirect_with_flash(&to, &m)),
        Err(e) => Err(e),
    }
}
