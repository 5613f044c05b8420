//! Cycles over the API.
use super::etag::{IfMatch, Tagged};
use super::{ApiPath, ApiQuery, JsonBody, PageParams, page, page_of};
use crate::auth::{ApiUser, ClientAddress};
use crate::error::{ApiError, AppError};
use crate::handlers::mentoring::cycles::{CycleForm, validate};
use crate::operations::{self, cycles::Actor};
use crate::page::FormErrors;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use flipside_core::cycle::CycleState;
use flipside_core::framework::Framework;
use flipside_core::policy::{self, Action, CycleRef};
use flipside_store::{Cycle, CycleEvent};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct EventJson {
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor_id: Option<i64>,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CycleJson {
    pub id: i64,
    pub scheme_id: i64,
    /// For example 2026/27.
    pub academic_year: String,
    /// draft (every new cycle), recruiting, matching, running, evaluating or closed
    pub state: String,
    pub hours_target: i64,
    pub copied_from: Option<i64>,
    pub history: Vec<EventJson>,
}

fn json(c: Cycle, events: Vec<CycleEvent>) -> CycleJson {
    CycleJson {
        academic_year: c.year().to_string(),
        id: c.id,
        scheme_id: c.scheme_id,
        state: c.state.to_string(),
        hours_target: c.hours_target,
        copied_from: c.copied_from,
        history: events
            .into_iter()
            .map(|e| EventJson {
                from_state: e.from_state,
                to_state: e.to_state,
                actor_id: e.actor_id,
                at: e.at.to_rfc3339(),
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCycleJson {
    /// For example 2026/27 (the second year follows the first).
    #[schema(pattern = "^[0-9]{4}/[0-9]{2}$")]
    pub academic_year: String,
    #[schema(minimum = 1, maximum = 200)]
    pub hours_target: Option<i64>,
    /// Copy this earlier cycle's framework and hours target.
    pub copy_from: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionJson {
    /// The state to move to: the one after the current state.
    #[schema(pattern = "^(recruiting|matching|running|evaluating|closed)$")]
    pub to: String,
}

page_of!(CyclePage, CycleJson);

/// A scheme's cycles that the caller may see, by id.
#[utoipa::path(get, operation_id = "listCycles", path = "/api/v1/schemes/{id}/cycles", tag = "cycles", params(("id" = i64, Path, description = "Scheme id"), PageParams),
    responses((status = 200, description = "A page of the scheme's cycles the caller may see", body = CyclePage)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(scheme_id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<CyclePage>, ApiError> {
    state.store.scheme(scheme_id).await?;
    let visible: Vec<Cycle> = state
        .store
        .cycles_of(scheme_id)
        .await?
        .into_iter()
        .filter(|c| {
            policy::cycle(
                &user.actor,
                CycleRef {
                    id: c.id,
                    scheme_id,
                },
                Action::View,
            )
        })
        .collect();
    let (cycles, next_cursor) = page(visible, |c| c.id, &params)?;
    let mut items = Vec::new();
    for c in cycles {
        let events = state.store.cycle_events(c.id).await?;
        items.push(json(c, events));
    }
    Ok(Json(CyclePage { items, next_cursor }))
}

/// Starts a cycle of a scheme as a draft (its coordinators); moving it to recruiting opens
/// the call.
#[utoipa::path(post, operation_id = "createCycle", path = "/api/v1/schemes/{id}/cycles", tag = "cycles", params(("id" = i64, Path, description = "Scheme id")), request_body = NewCycleJson,
    responses((status = 201, description = "The new cycle", body = CycleJson), (status = 409, description = "The scheme already has a cycle for that year", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A field breaks a rule (named in field)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(scheme_id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewCycleJson>,
) -> Result<(StatusCode, Json<CycleJson>), ApiError> {
    let scheme = state.store.scheme(scheme_id).await?;
    if !policy::cycle(&user.actor, CycleRef { id: 0, scheme_id }, Action::Create) {
        return Err(AppError::Forbidden.into());
    }
    crate::handlers::mentoring::cycles::takes_new_cycles(&scheme)?;
    let hours = match body.hours_target {
        Some(h) => h,
        None => state.organisation().await?.map_or(20, |o| o.hours_target),
    };
    let existing = state.store.cycles_of(scheme_id).await?;
    let form = CycleForm {
        academic_year: body.academic_year,
        hours_target: hours.to_string(),
        copy_from: body.copy_from.map(|c| c.to_string()).unwrap_or_default(),
    };
    let valid = validate(&form, &existing).map_err(FormErrors::into_invalid)?;
    let framework =
        serde_json::to_string(&Framework::default_plan()).map_err(AppError::internal)?;
    let id = state
        .store
        .create_cycle(
            scheme_id,
            valid.year,
            valid.hours_target,
            &framework,
            valid.copy_from,
            Some(user.id()),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json(
            state.store.cycle(id).await?,
            state.store.cycle_events(id).await?,
        )),
    ))
}

/// One cycle with its history.
#[utoipa::path(get, operation_id = "getCycle", path = "/api/v1/cycles/{id}", tag = "cycles", params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, description = "The cycle with its history (with its ETag)", body = CycleJson), (status = 403, description = "The caller may not see this cycle", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Tagged<CycleJson>, ApiError> {
    let c = state.store.cycle(id).await?;
    if !policy::cycle(
        &user.actor,
        CycleRef {
            id,
            scheme_id: c.scheme_id,
        },
        Action::View,
    ) {
        return Err(AppError::Forbidden.into());
    }
    let events = state.store.cycle_events(id).await?;
    Ok(Tagged(json(c, events)))
}

/// Moves a cycle to its next state (its coordinators).
#[utoipa::path(post, operation_id = "transitionCycle", path = "/api/v1/cycles/{id}/transition", tag = "cycles", params(("id" = i64, Path, description = "Cycle id"), IfMatch), request_body = TransitionJson,
    responses((status = 200, description = "The cycle in its new state", body = CycleJson), (status = 409, description = "The move is not the next step from the current state", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "to is not a cycle state", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn transition(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    if_match: IfMatch,
    JsonBody(body): JsonBody<TransitionJson>,
) -> Result<Tagged<CycleJson>, ApiError> {
    let c = state.store.cycle(id).await?;
    if !policy::cycle(
        &user.actor,
        CycleRef {
            id,
            scheme_id: c.scheme_id,
        },
        Action::Edit,
    ) {
        return Err(AppError::Forbidden.into());
    }
    // What is asked is checked before whether it was asked of the current state: a request
    // that names no state is invalid however fresh its tag.
    let to = CycleState::parse(&body.to).ok_or_else(|| AppError::Invalid {
        field: "to".into(),
        message: format!(
            "'{}' is not a cycle state (recruiting, matching, running, evaluating, closed)",
            body.to
        ),
    })?;
    if_match.check(&json(c.clone(), state.store.cycle_events(id).await?))?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    // Over the API every active pair closes by the rule alone: completed if it ever met.
    operations::cycles::transition(&state, actor, id, (c.state()?, to), &[]).await?;
    Ok(Tagged(json(
        state.store.cycle(id).await?,
        state.store.cycle_events(id).await?,
    )))
}
