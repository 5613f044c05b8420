//! Follow-up actions over the API: a pair's actions, raising one (proposed to the pair's staff
//! mentee, who is emailed), its owner moving it on (the raiser is emailed) and attaching
//! evidence, through the same checks, state machine, policy and operations as the pair's page.
//! An anonymous action's raiser is named only to themselves.
use super::{ApiPath, JsonBody};
use crate::auth::{ApiUser, ClientAddress, CurrentUser};
use crate::error::{ApiError, AppError};
use crate::handlers::allow;
use crate::handlers::mentoring::pair_page::member_pair;
use crate::operations::{self, cycles::Actor};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, get, post};
use flipside_core::actions::{
    ActionStatus, TEXT_MAX, TITLE_MAX, TransitionError, evidence_link, text,
};
use flipside_core::policy::{self, Action};
use flipside_store::{Evidence, FollowUpAction, NewFollowUpAction};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(list, raise, change_status, add_evidence),
    components(schemas(
        ActionJson,
        ActionList,
        EvidenceJson,
        NewActionJson,
        StatusChangeJson,
        NewEvidenceJson,
        ActionState
    ))
)]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/pairs/{id}/actions", get(list)),
        (Method::POST, "/pairs/{id}/actions", post(raise)),
        (Method::POST, "/actions/{id}/status", post(change_status)),
        (Method::POST, "/actions/{id}/evidence", post(add_evidence)),
    ]
}

/// An action's state.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    Proposed,
    Agreed,
    InProgress,
    Done,
    Declined,
}

impl ActionState {
    fn get(self) -> ActionStatus {
        match self {
            ActionState::Proposed => ActionStatus::Proposed,
            ActionState::Agreed => ActionStatus::Agreed,
            ActionState::InProgress => ActionStatus::InProgress,
            ActionState::Done => ActionStatus::Done,
            ActionState::Declined => ActionStatus::Declined,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceJson {
    pub id: i64,
    pub added_by: i64,
    pub body: String,
    pub link: String,
    pub created_at: String,
}

impl From<Evidence> for EvidenceJson {
    fn from(e: Evidence) -> Self {
        EvidenceJson {
            id: e.id,
            added_by: e.added_by,
            body: e.body,
            link: e.link,
            created_at: e.created_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionJson {
    pub id: i64,
    pub pair_id: i64,
    pub cycle_id: i64,
    /// Who raised it; absent when it was raised anonymously and the caller is not the raiser.
    pub raised_by: Option<i64>,
    pub raiser_name: Option<String>,
    pub anonymous: bool,
    pub owner_id: i64,
    pub owner_name: String,
    pub title: String,
    pub description: String,
    /// proposed, agreed, in_progress, done or declined
    pub status: String,
    /// The states its owner may move it to next.
    pub next: Vec<String>,
    pub declined_reason: String,
    pub evidence: Vec<EvidenceJson>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionList {
    pub items: Vec<ActionJson>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActionJson {
    #[schema(min_length = 1)]
    pub title: String,
    #[schema(min_length = 1)]
    pub description: String,
    /// Anonymous to the organisation: only the raiser sees their own name on it.
    #[serde(default)]
    pub anonymous: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChangeJson {
    /// The state the caller last saw, so that a stale view cannot skip a step.
    pub from: ActionState,
    pub to: ActionState,
    /// Why, when declining (required then).
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvidenceJson {
    /// What changed (this, a link, or both).
    #[serde(default)]
    pub body: String,
    /// An http(s) link to the change.
    #[serde(default)]
    pub link: String,
}

async fn action_json(
    state: &AppState,
    user: &CurrentUser,
    a: FollowUpAction,
) -> Result<ActionJson, AppError> {
    let named = policy::action_raiser_name(&user.actor, a.raised_by, a.anonymous);
    let status = a.status();
    Ok(ActionJson {
        evidence: state
            .store
            .evidence_of(a.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
        raised_by: named.then_some(a.raised_by),
        raiser_name: named.then(|| a.raiser_name.clone()),
        status: status.as_str().to_string(),
        next: status
            .next_steps()
            .iter()
            .map(|s| s.as_str().to_string())
            .collect(),
        id: a.id,
        pair_id: a.pair_id,
        cycle_id: a.cycle_id,
        anonymous: a.anonymous,
        owner_id: a.owner_id,
        owner_name: a.owner_name,
        title: a.title,
        description: a.description,
        declined_reason: a.declined_reason,
        created_at: a.created_at.to_rfc3339(),
        updated_at: a.updated_at.to_rfc3339(),
    })
}

/// The actions raised in the caller's pair.
#[utoipa::path(get, operation_id = "listActions", path = "/api/v1/pairs/{id}/actions", tag = "actions", params(("id" = i64, Path, description = "Pair id")),
    responses((status = 200, description = "The pair's actions", body = ActionList), (status = 403, description = "The caller is not a member of the pair", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ActionList>, ApiError> {
    let (pair, _) = member_pair(&state, &user, id, Action::View).await?;
    let mut items = Vec::new();
    for a in state.store.actions_of_pair(pair.id).await? {
        items.push(action_json(&state, &user, a).await?);
    }
    Ok(Json(ActionList { items }))
}

/// Raises an action in the caller's pair; it is proposed to the pair's staff mentee, who is
/// emailed.
#[utoipa::path(post, operation_id = "raiseAction", path = "/api/v1/pairs/{id}/actions", tag = "actions", params(("id" = i64, Path, description = "Pair id")), request_body = NewActionJson,
    responses((status = 201, description = "The action, proposed", body = ActionJson), (status = 403, description = "The caller is not a member of the pair", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The title or description is empty or too long (each field in errors)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn raise(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewActionJson>,
) -> Result<(StatusCode, Json<ActionJson>), ApiError> {
    let (pair, cycle) = member_pair(&state, &user, id, Action::Create).await?;
    let mut errors = Vec::new();
    let title = text(&body.title, "a title for the action", true, TITLE_MAX)
        .map_err(|m| errors.push(("title".to_string(), m)))
        .ok();
    let description = text(&body.description, "a description", true, TEXT_MAX)
        .map_err(|m| errors.push(("description".to_string(), m)))
        .ok();
    let (Some(title), Some(description)) = (title, description) else {
        return Err(AppError::InvalidFields(errors).into());
    };
    let owner = state.store.user(pair.mentee_id).await?;
    let action_id = operations::actions::raise(
        &state,
        Actor {
            id: user.id(),
            address: &address,
        },
        &user.user.display_name,
        &NewFollowUpAction {
            pair_id: pair.id,
            cycle_id: cycle.id,
            raised_by: user.id(),
            anonymous: body.anonymous,
            owner_id: pair.mentee_id,
            title: &title,
            description: &description,
        },
        &owner,
    )
    .await?;
    let a = state.store.follow_up_action(action_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(action_json(&state, &user, a).await?),
    ))
}

/// The action's owner moves it on; the person who raised it is emailed.
#[utoipa::path(post, operation_id = "changeActionStatus", path = "/api/v1/actions/{id}/status", tag = "actions", params(("id" = i64, Path, description = "Action id")), request_body = StatusChangeJson,
    responses((status = 200, description = "The action in its new state", body = ActionJson), (status = 403, description = "The caller does not own the action", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The action has changed since the caller saw it, or the step is not allowed from its state", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "Declining needs a reason (reason)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn change_status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(action_id): ApiPath<i64>,
    JsonBody(body): JsonBody<StatusChangeJson>,
) -> Result<Json<ActionJson>, ApiError> {
    let action = state.store.follow_up_action(action_id).await?;
    member_pair(&state, &user, action.pair_id, Action::View).await?;
    allow(policy::action_owner(&user.actor, action.owner_id))?;
    let (from, to) = (body.from.get(), body.to.get());
    if from != action.status() {
        return Err(AppError::Conflict(format!(
            "The action is {} now, not {}: read it again and try again.",
            action.status().as_str(),
            from.as_str()
        ))
        .into());
    }
    match from.transition(to, &body.reason) {
        Ok(_) => {}
        Err(TransitionError::ReasonRequired) => {
            return Err(AppError::Invalid {
                field: "reason".into(),
                message: TransitionError::ReasonRequired.to_string(),
            }
            .into());
        }
        Err(e) => return Err(AppError::Conflict(e.to_string()).into()),
    }
    let raiser = state.store.user(action.raised_by).await?;
    operations::actions::move_on(
        &state,
        Actor {
            id: user.id(),
            address: &address,
        },
        &action,
        (from, to),
        &body.reason,
        &raiser,
    )
    .await?;
    let a = state.store.follow_up_action(action_id).await?;
    Ok(Json(action_json(&state, &user, a).await?))
}

/// The action's owner attaches evidence of change: words, a link, or both.
#[utoipa::path(post, operation_id = "addActionEvidence", path = "/api/v1/actions/{id}/evidence", tag = "actions", params(("id" = i64, Path, description = "Action id")), request_body = NewEvidenceJson,
    responses((status = 201, description = "The action with its evidence", body = ActionJson), (status = 403, description = "The caller does not own the action", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The words are too long, the link is not a web address, or neither is given (each field in errors)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn add_evidence(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(action_id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewEvidenceJson>,
) -> Result<(StatusCode, Json<ActionJson>), ApiError> {
    let action = state.store.follow_up_action(action_id).await?;
    member_pair(&state, &user, action.pair_id, Action::View).await?;
    allow(policy::action_owner(&user.actor, action.owner_id))?;
    let mut errors = Vec::new();
    let text_body = text(&body.body, "what changed", false, TEXT_MAX)
        .map_err(|m| errors.push(("body".to_string(), m)))
        .unwrap_or_default();
    let link = if body.link.trim().is_empty() {
        String::new()
    } else {
        evidence_link(&body.link)
            .map_err(|m| errors.push(("link".to_string(), m)))
            .unwrap_or_default()
    };
    if errors.is_empty() && text_body.is_empty() && link.is_empty() {
        errors.push((
            "body".to_string(),
            "Describe what changed, or give a link to it.".to_string(),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::InvalidFields(errors).into());
    }
    operations::actions::add_evidence(
        &state,
        Actor {
            id: user.id(),
            address: &address,
        },
        action_id,
        (&text_body, &link),
    )
    .await?;
    let a = state.store.follow_up_action(action_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(action_json(&state, &user, a).await?),
    ))
}
