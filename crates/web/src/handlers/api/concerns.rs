//! Concerns over the API: a pair's member raises one with the scheme's coordinators, through
//! the same check, operation and policy as the pair's page (stored, audited without its words,
//! emailed to each coordinator).
use super::{ApiPath, JsonBody};
use crate::auth::{ApiUser, ClientAddress};
use crate::error::{ApiError, AppError};
use crate::handlers::mentoring::pair_page::member_pair;
use crate::operations::{self, cycles::Actor};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use flipside_core::actions::{TEXT_MAX, text};
use flipside_core::policy::Action;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
