//! Supporting an item, or withdrawing one's support.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::{self, cycles::Actor};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use flipside_core::policy;
use serde::Deserialize;

use super::{back, item_of};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SupportForm {
    #[serde(default)]
    pub support: String,
}

pub async fn support(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, item_id)): Path<(i64, i64)>,
    Form(form): Form<SupportForm>,
) -> Result<Response, AppError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(policy::sprint_contribute(&user.actor))?;
    let (support, message) = match form.support.as_str() {
        "yes" => (true, format!("You support '{}'.", item.title)),
        "no" => (false, format!("You no longer support '{}'.", item.title)),
        _ => return Err(AppError::BadRequest("Support must be yes or no.".into())),
    };
    operations::sprints::support(&state, Actor::of(&user, &address), &item, support).await?;
    Ok(back(id, &format!("item-{item_id}"), &message))
}
