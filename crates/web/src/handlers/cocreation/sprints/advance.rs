//! Moving a sprint on to its next stage, or closing it after proposals.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::{self, cycles::Actor};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use flipside_core::policy;
use flipside_core::sprint::{self, Advance};
use serde::Deserialize;

use super::back;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StageForm {
    #[serde(default)]
    pub from: String,
}

/// Moves the sprint on to its next stage, or closes it after proposals.
pub async fn advance(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<StageForm>,
) -> Result<Response, AppError> {
    let sprint = state.store.sprint(id).await?;
    allow(policy::sprint_run(&user.actor))?;
    let sprint_state = sprint.state.get();
    let from = sprint.stage.get();
    let step = sprint::check_advance(sprint_state, from, &form.from).map_err(AppError::Conflict)?;
    operations::sprints::advance(&state, Actor::of(&user, &address), id, from, step).await?;
    Ok(match step {
        Advance::To(to) => back(
            id,
            "stages",
            &format!("The sprint is now collecting {}.", to.as_str()),
        ),
        Advance::Close => back(id, "stages", "The sprint is closed."),
    })
}
