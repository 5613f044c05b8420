//! Adding a problem, idea or proposal in the sprint's current stage.
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
use flipside_core::sprint::{Stage, check_add};
use serde::Deserialize;

use super::{again, back, text};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
}

pub async fn add_item(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<ItemForm>,
) -> Result<Response, AppError> {
    let sprint = state.store.sprint(id).await?;
    allow(policy::sprint_contribute(&user.actor))?;
    let mut errors = FormErrors::default();
    let current = sprint.stage.get();
    let sprint_state = sprint.state.get();
    match Stage::parse(&form.stage) {
        Some(wanted) => {
            if let Err(m) = check_add(sprint_state, current, wanted) {
                errors.add("title", m);
            }
        }
        None => errors.add("title", "Say which stage the item is for."),
    }
    let title = text(&mut errors, "title", "Title", &form.title, 120);
    let body = text(&mut errors, "body", "Description", &form.body, 2000);
    if !errors.is_empty() {
        let mut kept = FormErrors::default();
        kept.add("title", form.title);
        kept.add("body", form.body);
        return again(&state, ctx, &user, sprint, errors, kept).await;
    }
    let item = operations::sprints::add_item(
        &state,
        Actor::of(&user, &address),
        id,
        current,
        &title,
        &body,
    )
    .await?;
    Ok(back(
        id,
        &format!("item-{item}"),
        &format!("Your {} '{title}' was added.", current.singular()),
    ))
}
