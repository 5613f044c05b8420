//! Concerns over the API: a pair's member raises one with the scheme's coordinators, through
//! the same check, operation and policy as the pair's page (stored, audited without its words,
//! emailed to each coordinator).
use super::{ApiPath, JsonBody};
use crate::auth::{ApiUser, ClientAddress};
use crate::error::{ApiError, AppError};
use crate::handlers::allow;
use crate::handlers::mentoring::pair_page::member_pair;
use crate::operations::{self, cycles::Actor};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, get, post};
use flipside_core::actions::{TEXT_MAX, text};
use flipside_core::concerns::{ConcernStatus, check_answer};
use flipside_core::policy;
use flipside_core::policy::Action;
use flipside_store::Concern;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// The operations this area adds beyond the router's own table: the coordinators' list of a
/// cycle's concerns, replying and resolving.
#[derive(OpenApi)]
#[openapi(
    paths(list, reply, resolve),
    components(schemas(ConcernJson, ConcernList, ReplyJson, ResolveJson))
)]
pub struct Doc;

/// This area's operations (see [`Doc`]), for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/cycles/{id}/concerns", get(list)),
        (Method::POST, "/concerns/{id}/reply", post(reply)),
        (Method::POST, "/concerns/{id}/resolve", post(resolve)),
    ]
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConcernJson {
    /// What the member would like the coordinators to know (not only white space).
    #[schema(min_length = 1)]
    pub concern: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RaisedConcernJson {
    pub id: i64,
    pub pair_id: i64,
}

/// Raises a concern about the caller's pair with the scheme's coordinators.
#[utoipa::path(post, operation_id = "raiseConcern", path = "/api/v1/pairs/{id}/concerns", tag = "concerns", params(("id" = i64, Path, description = "Pair id")), request_body = NewConcernJson,
    responses((status = 201, description = "The concern is stored and the coordinators are emailed", body = RaisedConcernJson), (status = 422, description = "The concern is empty or too long", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn raise(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewConcernJson>,
) -> Result<(StatusCode, Json<RaisedConcernJson>), ApiError> {
    let (pair, cycle) = member_pair(&state, &user, id, Action::Create).await?;
    let concern = text(
        &body.concern,
        "what you would like the coordinator to know",
        true,
        TEXT_MAX,
    )
    .map_err(|message| AppError::Invalid {
        field: "concern".into(),
        message,
    })?;
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let coordinators = state.store.coordinators_of(cycle.scheme_id).await?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    let concern_id = operations::meetings::raise_concern(
        &state,
        actor,
        &user.user.display_name,
        (&pair, &cycle, &scheme),
        &concern,
        &coordinators,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(RaisedConcernJson {
            id: concern_id,
            pair_id: pair.id,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernJson {
    pub id: i64,
    pub pair_id: i64,
    pub cycle_id: i64,
    pub raised_by: i64,
    pub raiser_name: String,
    /// What the member wrote.
    pub body: String,
    /// new, acknowledged or resolved
    pub status: String,
    /// The coordinators' reply, which the raiser sees (empty until written).
    pub reply: String,
    pub answered_at: Option<String>,
    pub created_at: String,
}

impl From<Concern> for ConcernJson {
    fn from(c: Concern) -> Self {
        ConcernJson {
            status: c.status().as_str().to_string(),
            id: c.id,
            pair_id: c.pair_id,
            cycle_id: c.cycle_id,
            raised_by: c.raised_by,
            raiser_name: c.raiser_name,
            body: c.body,
            reply: c.reply,
            answered_at: c.answered_at.map(|t| t.to_rfc3339()),
            created_at: c.created_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernList {
    pub items: Vec<ConcernJson>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyJson {
    /// The reply the raiser sees (at most 4000 characters).
    #[schema(min_length = 1, max_length = 4000)]
    pub reply: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveJson {
    /// A closing reply the raiser sees (optional, at most 4000 characters).
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub reply: String,
}

/// The concerns raised in a cycle (its scheme's coordinators, to whom they are addressed).
#[utoipa::path(get, operation_id = "listConcerns", path = "/api/v1/cycles/{id}/concerns", tag = "concerns", params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, description = "The cycle's concerns", body = ConcernList), (status = 403, description = "The caller does not coordinate the cycle's scheme", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ConcernList>, ApiError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::concerns(&user.actor, cycle.scheme_id))?;
    let items = state.store.concerns_of_cycle(id).await?;
    Ok(Json(ConcernList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Answers a concern as the concerns page does: the status, the reply, the audit entry and
/// the email to the raiser. The policy is asked first: someone who may not answer is refused
/// whatever they wrote.
async fn answer(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    address: &str,
    concern_id: i64,
    (to, reply): (ConcernStatus, &str),
) -> Result<Json<ConcernJson>, ApiError> {
    let concern = state.store.concern(concern_id).await?;
    let cycle = state.store.cycle(concern.cycle_id).await?;
    allow(policy::concerns(&user.actor, cycle.scheme_id))?;
    if to == ConcernStatus::Acknowledged && reply.trim().is_empty() {
        return Err(AppError::Invalid {
            field: "reply".into(),
            message: "Write a reply.".into(),
        }
        .into());
    }
    if concern.status() == ConcernStatus::Resolved {
        return Err(AppError::Conflict(
            "This concern is resolved: it takes no more answers.".into(),
        )
        .into());
    }
    let answer = check_answer(concern.status(), to.as_str(), reply).map_err(|list| {
        AppError::InvalidFields(list.into_iter().map(|(f, m)| (f.to_string(), m)).collect())
    })?;
    let raiser = state.store.user(concern.raised_by).await?;
    operations::meetings::answer_concern(
        state,
        Actor {
            id: user.id(),
            address,
        },
        &concern,
        &answer,
        &raiser,
    )
    .await?;
    Ok(Json(state.store.concern(concern_id).await?.into()))
}

/// Replies to a concern, acknowledging it; the raiser is emailed.
#[utoipa::path(post, operation_id = "replyToConcern", path = "/api/v1/concerns/{id}/reply", tag = "concerns", params(("id" = i64, Path, description = "Concern id")), request_body = ReplyJson,
    responses((status = 200, description = "The concern, acknowledged with the reply", body = ConcernJson), (status = 403, description = "The caller does not coordinate the scheme", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The concern is resolved", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The reply is empty or too long (reply)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn reply(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<ReplyJson>,
) -> Result<Json<ConcernJson>, ApiError> {
    answer(
        &state,
        &user,
        &address,
        id,
        (ConcernStatus::Acknowledged, &body.reply),
    )
    .await
}

/// Resolves a concern, with an optional closing reply; the raiser is emailed.
#[utoipa::path(post, operation_id = "resolveConcern", path = "/api/v1/concerns/{id}/resolve", tag = "concerns", params(("id" = i64, Path, description = "Concern id")), request_body = ResolveJson,
    responses((status = 200, description = "The concern, resolved", body = ConcernJson), (status = 403, description = "The caller does not coordinate the scheme", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The concern is already resolved", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The reply is too long (reply)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn resolve(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<ResolveJson>,
) -> Result<Json<ConcernJson>, ApiError> {
    answer(
        &state,
        &user,
        &address,
        id,
        (ConcernStatus::Resolved, &body.reply),
    )
    .await
}
