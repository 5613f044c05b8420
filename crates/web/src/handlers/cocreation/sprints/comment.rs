//! Commenting on an item.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use flipside_core::policy;
use serde::Deserialize;

use super::{again, back, item_of, text};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    pub body: String,
}

pub async fn comment(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, item_id)): Path<(i64, i64)>,
    Form(form): Form<CommentForm>,
) -> Result<Response, AppError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(policy::sprint_contribute(&user.actor))?;
    let key = format!("comment-{item_id}");
    let mut errors = FormErrors::default();
    let body = text(&mut errors, &key, "Comment", &form.body, 1000);
    if !errors.is_empty() {
        let mut kept = FormErrors::default();
        kept.add(&key, form.body);
        return again(&state, ctx, &user, sprint, errors, kept).await;
    }
    operations::sprints::comment(&state, Actor::of(&user, &address), &item, &body).await?;
    Ok(back(
        id,
        &format!("item-{item_id}"),
        "Your comment was added.",
    ))
}
