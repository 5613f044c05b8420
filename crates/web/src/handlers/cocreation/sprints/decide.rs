//! Deciding a proposal: accepted (with an action and its owner) or not taken forward.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use flipside_core::sprint::{self, Decision};
use serde::Deserialize;

use super::{again, back, decider, item_of, text};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub reasons: String,
    #[serde(default)]
    pub action_title: String,
    #[serde(default)]
    pub action_owner: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, item_id)): Path<(i64, i64)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(decider(&state, &user, &sprint).await?)?;
    let mut errors = FormErrors::default();
    let decision_key = format!("decision-{item_id}");
    // An unreadable stage is not a proposal: refused like any other.
    let stage = item.stage.get();
    if let Err(m) = sprint::check_decide(stage) {
        errors.add(&decision_key, m);
    }
    let decision = Decision::parse(&form.decision);
    if decision.is_none() {
        errors.add(
            &decision_key,
            "Choose whether the proposal is accepted or not taken forward.",
        );
    }
    let reasons = text(
        &mut errors,
        &format!("reasons-{item_id}"),
        "Reasons",
        &form.reasons,
        2000,
    );
    let action = if decision == Some(Decision::Accepted) {
        let t = text(
            &mut errors,
            &format!("action_title-{item_id}"),
            "The action",
            &form.action_title,
            200,
        );
        let o = text(
            &mut errors,
            &format!("action_owner-{item_id}"),
            "The action's owner",
            &form.action_owner,
            120,
        );
        Some((t, o))
    } else {
        None
    };
    let result = match decision {
        Some(d) if errors.is_empty() => operations::sprints::decide(
            &state,
            Actor::of(&user, &address),
            &item,
            d,
            &reasons,
            action.as_ref().map(|(t, o)| (t.as_str(), o.as_str())),
        )
        .await
        .map(|()| d),
        // Refused by the checks above: shown with their errors, nothing written.
        _ => Err(AppError::Conflict(String::new())),
    };
    match result {
        Ok(d) => Ok(back(
            id,
            &format!("item-{item_id}"),
            &format!("'{}': {}.", item.title, d.label()),
        )),
        Err(AppError::Conflict(m)) => {
            if !m.is_empty() {
                errors.add(&decision_key, m);
            }
            let mut kept = FormErrors::default();
            kept.add(&format!("reasons-{item_id}"), form.reasons);
            kept.add(&format!("action_title-{item_id}"), form.action_title);
            kept.add(&format!("action_owner-{item_id}"), form.action_owner);
            again(&state, ctx, &user, sprint, errors, kept).await
        }
        Err(e) => Err(e),
    }
}
