//! A cycle's meeting plan over the API: its sessions, the expectations both members agree to
//! and the hours target. Whoever may see the cycle reads it (its pairs follow it); its
//! coordinators replace it through the same checks and operation as the plan page (the change
//! and its audit entry in one transaction), guarded by `ETag` / `If-Match`.
use super::etag::{IfMatch, Tagged};
use super::{ApiPath, JsonBody};
use crate::auth::{ApiUser, ClientAddress, CurrentUser};
use crate::error::{ApiError, AppError};
use crate::handlers::mentoring::pair_page::framework_of;
use crate::operations::{self, cycles::Actor};
use crate::state::AppState;
use axum::extract::State;
use axum::http::Method;
use axum::routing::{MethodRouter, get, put};
use flipside_core::cycle::CycleState;
use flipside_core::framework::{PlannedSession, checked_framework};
use flipside_core::policy::{self, Action, CycleRef};
use flipside_store::Cycle;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(show, update),
    components(schemas(MeetingPlanJson, MeetingPlanSessionJson, MeetingPlanUpdateJson))
)]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/cycles/{id}/plan", get(show)),
        (Method::PUT, "/cycles/{id}/plan", put(update)),
    ]
}

/// One planned session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingPlanSessionJson {
    #[schema(min_length = 1, max_length = 500)]
    pub topic: String,
    /// At least one.
    pub prompts: Vec<String>,
    /// Something to read before the session, if any.
    #[serde(default)]
    pub pre_reading: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingPlanJson {
    pub cycle_id: i64,
    pub sessions: Vec<MeetingPlanSessionJson>,
    pub expectations: Vec<String>,
    pub hours_target: i64,
    /// A closed cycle keeps its plan as it ran: it can no longer be changed.
    pub editable: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingPlanUpdateJson {
    /// 1 to 20 sessions, in order; each value one line of at most 500 characters.
    pub sessions: Vec<MeetingPlanSessionJson>,
    /// At least one.
    pub expectations: Vec<String>,
    /// Whole hours, 1 to 200.
    #[schema(minimum = 1, maximum = 200)]
    pub hours_target: i64,
}

fn json(cycle: &Cycle) -> Result<MeetingPlanJson, AppError> {
    let framework = framework_of(cycle);
    Ok(MeetingPlanJson {
        cycle_id: cycle.id,
        sessions: framework
            .sessions
            .into_iter()
            .map(|s| MeetingPlanSessionJson {
                topic: s.topic,
                prompts: s.prompts,
                pre_reading: s.pre_reading,
            })
            .collect(),
        expectations: framework.expectations,
        hours_target: cycle.hours_target,
        editable: cycle.state()? != CycleState::Closed,
    })
}

async fn cycle_for(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    action: Action,
) -> Result<Cycle, AppError> {
    let cycle = state.store.cycle(id).await?;
    crate::handlers::allow(policy::cycle(
        &user.actor,
        CycleRef {
            id,
            scheme_id: cycle.scheme_id,
        },
        action,
    ))?;
    Ok(cycle)
}

/// The cycle's meeting plan, expectations and hours target.
#[utoipa::path(get, operation_id = "getMeetingPlan", path = "/api/v1/cycles/{id}/plan", tag = "cycles", params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, description = "The meeting plan", body = MeetingPlanJson), (status = 403, description = "The caller may not see the cycle", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Tagged<MeetingPlanJson>, ApiError> {
    let cycle = cycle_for(&state, &user, id, Action::View).await?;
    Ok(Tagged(json(&cycle)?))
}

/// Replaces the cycle's meeting plan, expectations and hours target (its coordinators); the
/// change is audited.
#[utoipa::path(put, operation_id = "updateMeetingPlan", path = "/api/v1/cycles/{id}/plan", tag = "cycles", params(("id" = i64, Path, description = "Cycle id"), IfMatch), request_body = MeetingPlanUpdateJson,
    responses((status = 200, description = "The meeting plan as saved", body = MeetingPlanJson), (status = 403, description = "The caller does not coordinate the cycle's scheme", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The cycle is closed: its plan is kept as it ran", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A session, prompt, expectation or the hours target breaks a rule (each field in errors, e.g. sessions[0].prompts[1])", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    if_match: IfMatch,
    JsonBody(body): JsonBody<MeetingPlanUpdateJson>,
) -> Result<Tagged<MeetingPlanJson>, ApiError> {
    let cycle = cycle_for(&state, &user, id, Action::Edit).await?;
    let sessions: Vec<PlannedSession> = body
        .sessions
        .into_iter()
        .map(|s| PlannedSession {
            topic: s.topic,
            prompts: s.prompts,
            pre_reading: s.pre_reading,
        })
        .collect();
    let checked = checked_framework(&sessions, &body.expectations);
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    if !(1..=200).contains(&body.hours_target) {
        errors.push((
            "hours_target".into(),
            "Enter the hours target as a whole number from 1 to 200.".into(),
        ));
    }
    let (Ok(framework), true) = (checked, errors.is_empty()) else {
        return Err(AppError::InvalidFields(errors).into());
    };
    // What is asked is checked before whether it was asked of the current plan: an invalid
    // plan is refused as invalid however fresh its tag.
    if_match.check(&json(&cycle)?)?;
    operations::cycles::update_plan(
        &state,
        Actor {
            id: user.id(),
            address: &address,
        },
        id,
        &framework,
        body.hours_target,
    )
    .await?;
    Ok(Tagged(json(&state.store.cycle(id).await?)?))
}
