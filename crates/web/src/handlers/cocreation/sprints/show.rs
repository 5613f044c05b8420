//! A sprint's page.
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::{FormErrors, PageCtx};
use crate::state::AppState;
use axum::extract::{Path, State};
use flipside_core::policy;

use super::{ShowPage, show_page};

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<ShowPage, AppError> {
    let sprint = state.store.sprint(id).await?;
    allow(policy::sprint_contribute(&user.actor))?;
    show_page(
        &state,
        ctx,
        &user,
        sprint,
        FormErrors::default(),
        FormErrors::default(),
    )
    .await
}
