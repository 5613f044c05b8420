//! Keeping an accepted proposal's implementation status.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use flipside_core::sprint::{self, Implementation};
use serde::Deserialize;

use super::{again, back, decider, item_of};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, item_id)): Path<(i64, i64)>,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(decider(&state, &user, &sprint).await?)?;
    let key = format!("status-{item_id}");
    let mut errors = FormErrors::default();
    let status = Implementation::parse(&form.status);
    if let Err(m) = sprint::check_status(item.action_status.is_some()) {
        errors.add(&key, m);
    } else if status.is_none() {
        errors.add(&key, "Choose not started, in progress or done.");
    }
    let Some(status) = status.filter(|_| errors.is_empty()) else {
        return again(&state, ctx, &user, sprint, errors, FormErrors::default()).await;
    };
    operations::sprints::set_status(&state, Actor::of(&user, &address), &item, status).await?;
    Ok(back(
        id,
        &format!("item-{item_id}"),
        &format!("'{}' is now: {}.", item.title, status.label()),
    ))
}
