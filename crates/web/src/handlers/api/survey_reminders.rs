//! A survey wave's reminder schedule over the API (SPEC §3.5), as the surveys page offers it:
//! reminders every so many days while the wave is open and on named dates, read with its ETag
//! and set with If-Match, through the same policy (`policy::manage_surveys`), checks
//! (`validate_schedule`) and audited operation (`operations::survey_reminders::set_schedule`)
//! as the page.
use super::etag::{IfMatch, Tagged};
use super::{ApiPath, JsonBody};
use crate::auth::{ApiUser, ClientAddress};
use crate::error::{ApiError, AppError};
use crate::handlers::evaluation::waves::managed;
use crate::operations::cycles::Actor;
use crate::operations::survey_reminders::{schedule_of, set_schedule};
use crate::state::AppState;
use axum::extract::State;
use axum::http::Method;
use axum::routing::{MethodRouter, get, put};
use flipside_core::evaluation::Wave;
use flipside_core::survey_reminders::{schedule_field, validate_schedule};
use flipside_store::SurveyWave;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(show, update),
    components(schemas(ReminderScheduleJson, NewReminderScheduleJson))
)]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (
            Method::GET,
            "/cycles/{id}/surveys/{wave}/reminders",
            get(show),
        ),
        (
            Method::PUT,
            "/cycles/{id}/surveys/{wave}/reminders",
            put(update),
        ),
    ]
}

/// When a wave's reminders go out on their own (to those who have not submitted, once each).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderScheduleJson {
    /// pre, post or followup
    pub wave: String,
    /// Whether the wave's dates are set (a schedule can be set only then).
    pub dates_set: bool,
    /// A reminder every this many days after the wave opens; absent for none.
    pub every_days: Option<u32>,
    /// Named days (YYYY-MM-DD), in order.
    pub dates: Vec<String>,
    /// The schedule in words.
    pub words: String,
    /// YYYY-MM-DD: the next scheduled reminder, if one is still to come.
    pub next_reminder: Option<String>,
}

/// A wave's schedule. Both may be left empty: reminders then go only when sent by hand.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReminderScheduleJson {
    /// A reminder every this many days after the wave opens, from 1 to 60; null or absent for
    /// none.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 60)]
    pub every_days: Option<i64>,
    /// Days (YYYY-MM-DD) while the wave is open, after its first day; at most 20.
    #[serde(default)]
    pub dates: Vec<String>,
}

/// The cycle (once the policy allows) and the wave named in the path, with its dates if set.
async fn wave_of(
    state: &AppState,
    user: &ApiUser,
    id: i64,
    wave: &str,
) -> Result<(Wave, Option<SurveyWave>), AppError> {
    managed(state, &user.0, id).await?;
    let wave = Wave::parse(wave).ok_or(AppError::NotFound)?;
    Ok((wave, state.store.survey_wave(id, wave).await?))
}

async fn schedule_json(
    state: &AppState,
    wave: Wave,
    stored: Option<&SurveyWave>,
) -> Result<ReminderScheduleJson, AppError> {
    let Some(w) = stored else {
        return Ok(ReminderScheduleJson {
            wave: wave.as_str().to_string(),
            dates_set: false,
            every_days: None,
            dates: Vec::new(),
            words: flipside_core::survey_reminders::ReminderSchedule::default().words(),
            next_reminder: None,
        });
    };
    let schedule = schedule_of(w)?;
    let today = state.today().await?;
    Ok(ReminderScheduleJson {
        wave: wave.as_str().to_string(),
        dates_set: true,
        every_days: schedule.every_days,
        dates: schedule.dates.iter().map(ToString::to_string).collect(),
        words: schedule.words(),
        next_reminder: schedule
            .next_after(&w.dates(), today)
            .map(|d| d.to_string()),
    })
}

/// A wave's reminder schedule, with its ETag (the cycle's coordinators).
#[utoipa::path(get, operation_id = "getSurveyReminderSchedule", path = "/api/v1/cycles/{id}/surveys/{wave}/reminders", tag = "surveys",
    params(("id" = i64, Path, description = "Cycle id"), ("wave" = String, Path, description = "pre, post or followup")),
    responses((status = 200, description = "The schedule", body = ReminderScheduleJson), (status = 403, description = "The caller does not manage this cycle's surveys", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((id, wave)): ApiPath<(i64, String)>,
) -> Result<Tagged<ReminderScheduleJson>, ApiError> {
    let (wave, stored) = wave_of(&state, &user, id, &wave).await?;
    Ok(Tagged(schedule_json(&state, wave, stored.as_ref()).await?))
}

/// Sets a wave's reminder schedule (audited, as on the surveys page). Send the ETag of the
/// schedule as read in If-Match, so that another coordinator's change is not overwritten.
#[utoipa::path(put, operation_id = "setSurveyReminderSchedule", path = "/api/v1/cycles/{id}/surveys/{wave}/reminders", tag = "surveys",
    params(("id" = i64, Path, description = "Cycle id"), ("wave" = String, Path, description = "pre, post or followup"), IfMatch), request_body = NewReminderScheduleJson,
    responses((status = 200, description = "The schedule as set", body = ReminderScheduleJson), (status = 403, description = "The caller does not manage this cycle's surveys", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The wave's dates are not set yet", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A field is out of range or a date is not while the wave is open (field every_days or dates)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    user: ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, wave)): ApiPath<(i64, String)>,
    if_match: IfMatch,
    JsonBody(body): JsonBody<NewReminderScheduleJson>,
) -> Result<Tagged<ReminderScheduleJson>, ApiError> {
    let (wave, stored) = wave_of(&state, &user, id, &wave).await?;
    let Some(w) = stored else {
        return Err(AppError::Conflict("Set the wave's dates before its reminders.".into()).into());
    };
    let every = body.every_days.map(|n| n.to_string()).unwrap_or_default();
    let schedule =
        validate_schedule(&w.dates(), &every, &body.dates.join(", ")).map_err(|errors| {
            let names = [
                (schedule_field(wave, "every"), "every_days"),
                (schedule_field(wave, "dates"), "dates"),
            ];
            AppError::InvalidFields(
                errors
                    .into_iter()
                    .map(|(f, m)| {
                        let name = names
                            .iter()
                            .find(|(form, _)| *form == f)
                            .map_or(f.clone(), |(_, api)| (*api).to_string());
                        (name, m)
                    })
                    .collect(),
            )
        })?;
    if_match.check(&schedule_json(&state, wave, Some(&w)).await?)?;
    let actor = Actor {
        id: user.0.id(),
        address: &address,
    };
    set_schedule(&state.store, actor, &w, &schedule).await?;
    let stored = state.store.survey_wave(id, wave).await?;
    Ok(Tagged(schedule_json(&state, wave, stored.as_ref()).await?))
}
