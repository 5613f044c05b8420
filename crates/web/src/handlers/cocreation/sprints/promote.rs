//! Promoting an item to the next stage (a problem to an idea, an idea to a proposal).
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use flipside_core::policy;
use flipside_core::sprint::{self, check_promote};

use super::{again, back, item_of};

pub async fn promote(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, item_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(policy::sprint_run(&user.actor))?;
    let sprint_state = sprint.state.get();
    let stage = item.stage.get();
    let key = format!("promote-{item_id}");
    let to = match check_promote(sprint_state, stage) {
        Ok(to) => to,
        Err(m) => {
            let mut errors = FormErrors::default();
            errors.add(&key, m);
            return again(&state, ctx, &user, sprint, errors, FormErrors::default()).await;
        }
    };
    match operations::sprints::promote(&state, Actor::of(&user, &address), &item, to).await {
        Ok(new_id) => Ok(back(
            id,
            &format!("item-{new_id}"),
            &format!(
                "'{}' is now {} {}.",
                item.title,
                sprint::article(to),
                to.singular()
            ),
        )),
        Err(AppError::Conflict(m)) => {
            let mut errors = FormErrors::default();
            errors.add(&key, m);
            again(&state, ctx, &user, sprint, errors, FormErrors::default()).await
        }
        Err(e) => Err(e),
    }
}
