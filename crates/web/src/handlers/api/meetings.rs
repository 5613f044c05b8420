//! Meetings over the API: a pair's member proposes one, the partner confirms or declines it,
//! through the same checks, operations and policy as the pair's page.
use super::{ApiPath, JsonBody};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::handlers::mentoring::meetings::{calendar_for, held_for, propose_for, respond_for};
use crate::handlers::mentoring::pair_page::MeetingForm;
use crate::handlers::mentoring::pair_page::member_pair;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use flipside_core::policy::Action;
use flipside_store::Meeting;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// The operations this area adds beyond the router's own table: a pair's meetings, logging
/// one as held, and its calendar entry.
#[derive(OpenApi)]
#[openapi(paths(list, held, ics), components(schemas(MeetingList, HeldJson)))]
pub struct Doc;

/// This area's operations (see [`Doc`]), for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/pairs/{id}/meetings", get(list)),
        (Method::POST, "/meetings/{id}/held", post(held)),
        (Method::GET, "/meetings/{id}/ics", get(ics)),
    ]
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingList {
    pub items: Vec<MeetingJson>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeldJson {
    /// How long the meeting lasted, in minutes (1 to 480).
    #[schema(minimum = 1, maximum = 480)]
    pub held_minutes: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingJson {
    pub id: i64,
    pub pair_id: i64,
    /// The session of the plan, counted from 1.
    pub session: i64,
    /// The start, RFC 3339 in UTC.
    pub starts_at: String,
    pub duration_minutes: i64,
    /// proposed, confirmed, declined or held
    pub status: String,
    pub proposed_by: i64,
    pub held_minutes: Option<i64>,
}

impl From<Meeting> for MeetingJson {
    fn from(m: Meeting) -> MeetingJson {
        MeetingJson {
            status: m.status().as_str().to_string(),
            id: m.id,
            pair_id: m.pair_id,
            session: m.session_index + 1,
            starts_at: m.starts_at.to_rfc3339(),
            duration_minutes: m.duration_minutes,
            proposed_by: m.proposed_by,
            held_minutes: m.held_minutes,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeetingJson {
    /// The day, as YYYY-MM-DD, in the organisation's time zone.
    #[schema(format = Date)]
    pub date: String,
    /// The start time, as HH:MM on the organisation's wall clock: an hour the clocks skip is
    /// refused, an hour they repeat means its first occurrence.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub time: String,
    #[schema(minimum = 1)]
    pub minutes: i64,
    /// The session of the plan, counted from 1.
    #[schema(minimum = 1)]
    pub session: i64,
}

/// The partner's answer to a proposed meeting.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Confirm,
    Decline,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondJson {
    pub decision: Decision,
}

/// Proposes a meeting of the caller's pair; the partner is emailed to confirm it.
#[utoipa::path(post, operation_id = "proposeMeeting", path = "/api/v1/pairs/{id}/meetings", tag = "meetings", params(("id" = i64, Path, description = "Pair id")), request_body = NewMeetingJson,
    responses((status = 201, description = "The proposed meeting", body = MeetingJson), (status = 409, description = "The pair has ended, or its agreement is not accepted by both", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The proposal breaks a rule (each field in errors)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn propose(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(pair_id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewMeetingJson>,
) -> Result<(StatusCode, Json<MeetingJson>), ApiError> {
    let form = MeetingForm {
        date: body.date,
        time: body.time,
        minutes: body.minutes.to_string(),
        session: body.session.to_string(),
    };
    match propose_for(&state, &user, pair_id, &form).await? {
        Ok(id) => Ok((
            StatusCode::CREATED,
            Json(state.store.meeting(id).await?.into()),
        )),
        Err(list) => Err(AppError::InvalidFields(
            list.into_iter().map(|(f, m)| (f.to_string(), m)).collect(),
        )
        .into()),
    }
}

/// Confirms or declines a meeting the caller's partner proposed; a confirmation emails both
/// members the meeting as a calendar entry.
#[utoipa::path(post, operation_id = "respondToMeeting", path = "/api/v1/meetings/{id}/respond", tag = "meetings", params(("id" = i64, Path, description = "Meeting id")), request_body = RespondJson,
    responses((status = 200, description = "The meeting, confirmed or declined", body = MeetingJson), (status = 409, description = "The pair has ended, the meeting is answered, or the caller proposed it", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn respond(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(meeting_id): ApiPath<i64>,
    JsonBody(body): JsonBody<RespondJson>,
) -> Result<Json<MeetingJson>, ApiError> {
    let decision = match body.decision {
        Decision::Confirm => "confirm",
        Decision::Decline => "decline",
    };
    respond_for(&state, &user, meeting_id, decision).await?;
    Ok(Json(state.store.meeting(meeting_id).await?.into()))
}

/// The caller's pair's meetings, in time order.
#[utoipa::path(get, operation_id = "listMeetings", path = "/api/v1/pairs/{id}/meetings", tag = "meetings", params(("id" = i64, Path, description = "Pair id")),
    responses((status = 200, description = "The pair's meetings", body = MeetingList), (status = 403, description = "The caller is not a member of the pair", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(pair_id): ApiPath<i64>,
) -> Result<Json<MeetingList>, ApiError> {
    let (pair, _) = member_pair(&state, &user, pair_id, Action::View).await?;
    let meetings = state.store.meetings_of_pair(pair.id).await?;
    Ok(Json(MeetingList {
        items: meetings.into_iter().map(Into::into).collect(),
    }))
}

/// Logs a confirmed meeting of the caller's pair as held, once it has started.
#[utoipa::path(post, operation_id = "markMeetingHeld", path = "/api/v1/meetings/{id}/held", tag = "meetings", params(("id" = i64, Path, description = "Meeting id")), request_body = HeldJson,
    responses((status = 200, description = "The meeting, held", body = MeetingJson), (status = 403, description = "The caller is not a member of the meeting's pair", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The meeting is not confirmed", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The meeting has not started, or the minutes are out of range (held_minutes)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn held(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(meeting_id): ApiPath<i64>,
    JsonBody(body): JsonBody<HeldJson>,
) -> Result<Json<MeetingJson>, ApiError> {
    match held_for(&state, &user, meeting_id, &body.held_minutes.to_string()).await? {
        Ok(_) => Ok(Json(state.store.meeting(meeting_id).await?.into())),
        Err(message) => Err(AppError::Invalid {
            field: "held_minutes".into(),
            message,
        }
        .into()),
    }
}

/// A confirmed (or held) meeting of the caller's pair as an iCalendar (RFC 5545) entry.
#[utoipa::path(get, operation_id = "getMeetingCalendar", path = "/api/v1/meetings/{id}/ics", tag = "meetings", params(("id" = i64, Path, description = "Meeting id")),
    responses((status = 200, description = "The calendar entry", body = String, content_type = "text/calendar"), (status = 403, description = "The caller is not a member of the meeting's pair", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The meeting is not confirmed", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn ics(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(meeting_id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let body = calendar_for(&state, &user, meeting_id).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        body,
    )
        .into_response())
}
