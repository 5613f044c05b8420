//! What tutoring students do for themselves over the API (SPEC §3.10), under the same policy
//! and operations as `handlers::tutoring::students`: keeping their own profile and choosing
//! which parts their tutor sees, reading a student's profile as the student shares it (their
//! tutor of record this year, audited; nobody else, administrators included), asking for a
//! change of tutor, and the School lead's queue of requests and decision (the student is
//! emailed in the same transaction).
use super::{ApiPath, ApiQuery, JsonBody, PageParams, page, page_of};
use crate::auth::{ApiUser, ClientAddress, CurrentUser};
use crate::error::{ApiError, AppError};
use crate::handlers::allow;
use crate::handlers::tutoring::students::{
    DecideForm, ProfileForm, check_decision, checked_profile, readable_profile,
};
use crate::operations::{self, cycles::Actor, tutoring::Decision};
use crate::page::FormErrors;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, get, post, put};
use flipside_core::cycle::AcademicYear;
use flipside_core::policy::{self, TutoringSelf};
use flipside_core::scheme::BoundedText;
use flipside_core::tutoring::ChangeRequestStatus;
use flipside_store::{ChangeRequest, TutorCapacity, TutoringPerson, TutoringProfile};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(
        my_profile,
        update_my_profile,
        student_profile,
        my_change_requests,
        request_change,
        pending_change_requests,
        decide_change_request
    ),
    components(schemas(
        TutoringProfileJson,
        TutoringProfileUpdateJson,
        TutorChangeRequestJson,
        TutorChangeRequestPage,
        TutorChangeCandidateJson,
        NewTutorChangeRequestJson,
        TutorChangeDecisionJson,
        TutorChangeOutcome
    ))
)]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/tutoring/me/profile", get(my_profile)),
        (Method::PUT, "/tutoring/me/profile", put(update_my_profile)),
        (
            Method::GET,
            "/tutoring/students/{id}/profile",
            get(student_profile),
        ),
        (
            Method::GET,
            "/tutoring/me/change-requests",
            get(my_change_requests),
        ),
        (
            Method::POST,
            "/tutoring/me/change-requests",
            post(request_change),
        ),
        (
            Method::GET,
            "/tutoring/change-requests",
            get(pending_change_requests),
        ),
        (
            Method::POST,
            "/tutoring/change-requests/{id}/decision",
            post(decide_change_request),
        ),
    ]
}

const REFUSED: &str = "The caller may not do this";

fn invalid(errors: FormErrors) -> ApiError {
    ApiError(AppError::InvalidFields(errors.0.into_iter().collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TutoringProfileJson {
    pub student_id: i64,
    pub student_name: String,
    /// Empty when not shared with a tutor who reads it.
    pub goals: String,
    pub goals_shared: bool,
    pub success: String,
    pub success_shared: bool,
    pub tutor_note: String,
    pub tutor_note_shared: bool,
}

fn profile_json(student: &TutoringPerson, p: TutoringProfile) -> TutoringProfileJson {
    TutoringProfileJson {
        student_id: student.id,
        student_name: student.name.clone(),
        goals: p.goals,
        goals_shared: p.goals_shared,
        success: p.success,
        success_shared: p.success_shared,
        tutor_note: p.tutor_note,
        tutor_note_shared: p.tutor_note_shared,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TutoringProfileUpdateJson {
    /// At most 2000 characters each.
    #[serde(default)]
    pub goals: String,
    /// Whether the tutor of record sees it.
    #[serde(default)]
    pub goals_shared: bool,
    #[serde(default)]
    pub success: String,
    #[serde(default)]
    pub success_shared: bool,
    #[serde(default)]
    pub tutor_note: String,
    #[serde(default)]
    pub tutor_note_shared: bool,
}

/// A tutor the request could move the student to, with their load that year.
#[derive(Debug, Serialize, ToSchema)]
pub struct TutorChangeCandidateJson {
    pub id: i64,
    pub name: String,
    pub capacity: i64,
    pub assigned: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TutorChangeRequestJson {
    pub id: i64,
    pub student_id: i64,
    pub student_name: String,
    pub school_id: i64,
    /// For example 2026/27.
    pub academic_year: String,
    pub from_tutor_id: i64,
    pub from_tutor_name: String,
    pub reason: String,
    /// pending, approved or declined
    pub status: String,
    pub to_tutor_id: Option<i64>,
    pub to_tutor_name: Option<String>,
    /// Why it was declined.
    pub decision_reason: String,
    pub created_at: String,
    /// In the lead's queue: the School's other tutors that year (absent in a student's own
    /// list).
    pub candidate_tutors: Option<Vec<TutorChangeCandidateJson>>,
}

page_of!(TutorChangeRequestPage, TutorChangeRequestJson);

fn request_json(r: ChangeRequest, tutors: Option<Vec<TutorCapacity>>) -> TutorChangeRequestJson {
    TutorChangeRequestJson {
        status: r.status.as_str().to_string(),
        academic_year: AcademicYear::from_start_year(r.academic_year as i32).to_string(),
        candidate_tutors: tutors.map(|ts| {
            ts.into_iter()
                .filter(|t| t.id != r.from_tutor_id)
                .map(|t| TutorChangeCandidateJson {
                    id: t.id,
                    name: t.name,
                    capacity: t.capacity,
                    assigned: t.assigned,
                })
                .collect()
        }),
        id: r.id,
        student_id: r.student_id,
        student_name: r.student_name,
        school_id: r.school_id,
        from_tutor_id: r.from_tutor_id,
        from_tutor_name: r.from_tutor_name,
        reason: r.reason,
        to_tutor_id: r.to_tutor_id,
        to_tutor_name: r.to_tutor_name,
        decision_reason: r.decision_reason,
        created_at: r.created_at.to_rfc3339(),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTutorChangeRequestJson {
    /// Why the student asks (1 to 2000 characters); the School lead reads it.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// A decision on a request for a change of tutor.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TutorChangeOutcome {
    Approve,
    Decline,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TutorChangeDecisionJson {
    pub outcome: TutorChangeOutcome,
    /// Approving: the new tutor, one of the request's candidate_tutors with room.
    #[serde(default)]
    pub tutor_id: Option<i64>,
    /// Declining: the reason the student is told (required then).
    #[serde(default)]
    pub reason: String,
}

/// The caller as a tutoring student: who they are, linking their records as a page does.
async fn me_as_student(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
) -> Result<(TutoringSelf, Option<TutoringPerson>), AppError> {
    let me = operations::tutoring::tutoring_self(state, user, address).await?;
    let student = match me.student_id {
        Some(id) => Some(state.store.tutoring_student(id).await?),
        None => None,
    };
    Ok((me, student))
}

/// The caller's own tutoring profile, every field (students only).
#[utoipa::path(get, operation_id = "getMyTutoringProfile", path = "/api/v1/tutoring/me/profile", tag = "tutoring",
    responses((status = 200, description = "The caller's profile", body = TutoringProfileJson), (status = 403, description = "The caller is not a tutoring student", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn my_profile(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
) -> Result<Json<TutoringProfileJson>, ApiError> {
    let (me, student) = me_as_student(&state, &user, &address).await?;
    allow(policy::own_tutoring_profile(me))?;
    let student = student.ok_or(AppError::Forbidden)?;
    let profile = state.store.tutoring_profile(student.id).await?;
    Ok(Json(profile_json(&student, profile)))
}

/// Replaces the caller's own profile and what of it their tutor sees (students only).
#[utoipa::path(put, operation_id = "updateMyTutoringProfile", path = "/api/v1/tutoring/me/profile", tag = "tutoring", request_body = TutoringProfileUpdateJson,
    responses((status = 200, description = "The profile as saved", body = TutoringProfileJson), (status = 403, description = "The caller is not a tutoring student", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A text is too long (each field in errors)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_my_profile(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    JsonBody(body): JsonBody<TutoringProfileUpdateJson>,
) -> Result<Json<TutoringProfileJson>, ApiError> {
    let (me, student) = me_as_student(&state, &user, &address).await?;
    allow(policy::own_tutoring_profile(me))?;
    let student = student.ok_or(AppError::Forbidden)?;
    let ticked = |b: bool| b.then(|| "on".to_string());
    let form = ProfileForm {
        goals: body.goals,
        goals_shared: ticked(body.goals_shared),
        success: body.success,
        success_shared: ticked(body.success_shared),
        tutor_note: body.tutor_note,
        tutor_note_shared: ticked(body.tutor_note_shared),
    };
    let profile = checked_profile(&form).map_err(|(_, e)| invalid(e))?;
    state
        .store
        .save_tutoring_profile(student.id, &profile)
        .await?;
    let profile = state.store.tutoring_profile(student.id).await?;
    Ok(Json(profile_json(&student, profile)))
}

/// A student's profile as the student shares it: their tutor of record this year reads the
/// shared fields only (the others are empty), and that read is audited; the student reads
/// it all. Nobody else, whatever their roles.
#[utoipa::path(get, operation_id = "getStudentProfile", path = "/api/v1/tutoring/students/{id}/profile", tag = "tutoring", params(("id" = i64, Path, description = "Tutoring student id")),
    responses((status = 200, description = "The profile as the caller may read it", body = TutoringProfileJson), (status = 403, description = "The caller is neither the student nor their tutor of record this year", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn student_profile(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TutoringProfileJson>, ApiError> {
    let me = operations::tutoring::tutoring_self(&state, &user, &address).await?;
    let student = state.store.tutoring_student(id).await?;
    let profile = readable_profile(&state, &user, me, &address, &student).await?;
    Ok(Json(profile_json(&student, profile)))
}

/// The caller's own requests for a change of tutor, oldest first (students only).
#[utoipa::path(get, operation_id = "listMyTutorChangeRequests", path = "/api/v1/tutoring/me/change-requests", tag = "tutoring", params(PageParams),
    responses((status = 200, description = "The caller's requests", body = TutorChangeRequestPage), (status = 403, description = "The caller is not a tutoring student", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn my_change_requests(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<TutorChangeRequestPage>, ApiError> {
    let (me, student) = me_as_student(&state, &user, &address).await?;
    let student = student.ok_or(AppError::Forbidden)?;
    allow(policy::request_tutor_change(me, student.id))?;
    let requests = state.store.change_requests_of(student.id).await?;
    let (items, next_cursor) = page(requests, |r| r.id, &params)?;
    Ok(Json(TutorChangeRequestPage {
        items: items.into_iter().map(|r| request_json(r, None)).collect(),
        next_cursor,
    }))
}

/// Asks for a change of tutor this academic year; the School's lead decides (students only).
#[utoipa::path(post, operation_id = "requestTutorChange", path = "/api/v1/tutoring/me/change-requests", tag = "tutoring", request_body = NewTutorChangeRequestJson,
    responses((status = 201, description = "The request, pending", body = TutorChangeRequestJson), (status = 403, description = "The caller is not a tutoring student", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The student has no tutor this year, or a request is already waiting for a decision", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The reason is empty or too long (reason)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn request_change(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    JsonBody(body): JsonBody<NewTutorChangeRequestJson>,
) -> Result<(StatusCode, Json<TutorChangeRequestJson>), ApiError> {
    let (me, student) = me_as_student(&state, &user, &address).await?;
    let student = student.ok_or(AppError::Forbidden)?;
    allow(policy::request_tutor_change(me, student.id))?;
    let reason = BoundedText::parse(&body.reason, 2000).map_err(|e| AppError::Invalid {
        field: "reason".into(),
        message: format!("The reason {e}."),
    })?;
    let year = AcademicYear::containing(state.today().await?);
    let key = i64::from(year.start_year());
    let tutor = state
        .store
        .tutor_of_record(student.id, key)
        .await?
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "You have no personal tutor for {year} yet, so there is no tutor to change."
            ))
        })?;
    let id = operations::tutoring::request_change(
        &state,
        Actor::of(&user, &address),
        student.id,
        year,
        tutor.id,
        reason.as_str(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(request_json(state.store.change_request(id).await?, None)),
    ))
}

/// The pending requests for a change of tutor of the Schools the caller leads, oldest first,
/// each with the tutors it could move to.
#[utoipa::path(get, operation_id = "listPendingTutorChangeRequests", path = "/api/v1/tutoring/change-requests", tag = "tutoring", params(PageParams),
    responses((status = 200, description = "The pending requests", body = TutorChangeRequestPage), (status = 403, description = "The caller leads no School", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn pending_change_requests(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<TutorChangeRequestPage>, ApiError> {
    allow(policy::tutor_change_queue(&user.actor))?;
    let requests: Vec<ChangeRequest> = state
        .store
        .pending_change_requests()
        .await?
        .into_iter()
        .filter(|r| policy::decide_tutor_change(&user.actor, r.school_id))
        .collect();
    let (requests, next_cursor) = page(requests, |r| r.id, &params)?;
    let mut items = Vec::new();
    for r in requests {
        let tutors = state
            .store
            .school_tutor_capacities(r.school_id, r.academic_year)
            .await?;
        items.push(request_json(r, Some(tutors)));
    }
    Ok(Json(TutorChangeRequestPage { items, next_cursor }))
}

/// Decides a pending request (the lead of the student's School): approved, the new tutor
/// becomes the tutor of record; declined, with a reason. The student is emailed.
#[utoipa::path(post, operation_id = "decideTutorChangeRequest", path = "/api/v1/tutoring/change-requests/{id}/decision", tag = "tutoring", params(("id" = i64, Path, description = "Request id")), request_body = TutorChangeDecisionJson,
    responses((status = 200, description = "The request, decided", body = TutorChangeRequestJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The request has already been decided", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "Approving needs a tutor of the School, other than the current one, with room; declining needs a reason (tutor_id or reason)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn decide_change_request(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<TutorChangeDecisionJson>,
) -> Result<Json<TutorChangeRequestJson>, ApiError> {
    let request = state.store.change_request(id).await?;
    allow(policy::decide_tutor_change(&user.actor, request.school_id))?;
    if request.status.get() != ChangeRequestStatus::Pending {
        return Err(AppError::Conflict("This request has already been decided.".into()).into());
    }
    let tutors = state
        .store
        .school_tutor_capacities(request.school_id, request.academic_year)
        .await?;
    let form = DecideForm {
        outcome: match body.outcome {
            TutorChangeOutcome::Approve => "approve",
            TutorChangeOutcome::Decline => "decline",
        }
        .to_string(),
        tutor_id: body.tutor_id.map(|t| t.to_string()).unwrap_or_default(),
        reason: body.reason,
    };
    let (approve, tutor_name, tutor_id) =
        check_decision(&form, &request, &tutors, str::to_string).map_err(invalid)?;
    let student = state.store.tutoring_student(request.student_id).await?;
    let decision = if approve {
        Decision::Approve {
            tutor_id,
            tutor_name: &tutor_name,
        }
    } else {
        Decision::Decline {
            reason: form.reason.trim(),
        }
    };
    operations::tutoring::decide_change_request(
        &state,
        Actor::of(&user, &address),
        &request,
        &student,
        decision,
    )
    .await?;
    Ok(Json(request_json(
        state.store.change_request(id).await?,
        None,
    )))
}
