//! The form for a new sprint.
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::{FormErrors, PageCtx};
use crate::state::AppState;
use axum::extract::State;
use flipside_core::policy;

use super::{NewPage, SprintForm};

pub async fn new(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<NewPage, AppError> {
    allow(policy::sprint_run(&user.actor))?;
    Ok(NewPage {
        ctx,
        form: SprintForm::default(),
        errors: FormErrors::default(),
        faculties: state.store.faculties().await?,
    })
}
