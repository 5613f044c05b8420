//! Applications over the API: a student applies to an open call, and a cycle's coordinators
//! list, read and decide applications, through the same validation, policy and operations as
//! the recruitment pages. Reading an applicant's identity labels is audited as on the review
//! page; the list never shows them.
use super::{ApiPath, ApiQuery, JsonBody, page, page_of};
use crate::auth::{ApiUser, ClientAddress};
use crate::error::{ApiError, AppError};
use crate::handlers::allow;
use crate::handlers::mentoring::recruitment::apply::{ApplicationForm, validate};
use crate::operations::{self, cycles::Actor};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, get, post};
use flipside_core::policy::{self, Action};
use flipside_core::recruitment::ApplicationStatus;
use flipside_store::{Application, NewApplication};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(submit, list, show, decide),
    components(schemas(
        ApplicationJson,
        ApplicationDetailJson,
        ApplicationPage,
        NewApplicationJson,
        DecisionJson,
        ApplicationDecision,
        ApplicationState
    ))
)]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::POST, "/cycles/{id}/applications", post(submit)),
        (Method::GET, "/cycles/{id}/applications", get(list)),
        (
            Method::GET,
            "/cycles/{id}/applications/{application}",
            get(show),
        ),
        (
            Method::POST,
            "/cycles/{id}/applications/{application}/decision",
            post(decide),
        ),
    ]
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationJson {
    pub id: i64,
    pub cycle_id: i64,
    pub user_id: i64,
    pub applicant_name: String,
    pub course: String,
    /// The level of study (ug1 … pgr, as on the application form).
    pub level: String,
    pub interests: String,
    /// Slots such as `mon-am` (weekday mon–fri, then am, pm or eve), separated by spaces.
    pub availability: String,
    pub hopes: String,
    /// The applicant's School (an id from the organisation's Schools), or none.
    pub school_id: Option<i64>,
    /// submitted, accepted, waitlisted, declined or withdrawn
    pub status: String,
    /// The coordinator's message with the decision.
    pub message: String,
    pub decided_at: Option<String>,
    pub submitted_at: String,
}

impl From<Application> for ApplicationJson {
    fn from(a: Application) -> Self {
        ApplicationJson {
            status: a.status().as_str().to_string(),
            id: a.id,
            cycle_id: a.cycle_id,
            user_id: a.user_id,
            applicant_name: a.applicant_name,
            course: a.course,
            level: a.level,
            interests: a.interests,
            availability: a.availability,
            hopes: a.hopes,
            school_id: a.school_id,
            message: a.message,
            decided_at: a.decided_at.map(|t| t.to_rfc3339()),
            submitted_at: a.submitted_at.to_rfc3339(),
        }
    }
}

/// One application as its review page shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationDetailJson {
    #[serde(flatten)]
    pub application: ApplicationJson,
    /// In the applicant's own words.
    pub own_words: String,
    /// The applicant's identity labels: present only when the policy lets the caller see
    /// them, and then the read is written to the audit log.
    pub labels: Option<Vec<String>>,
    /// The consents as they stand (take_part, research, quotes).
    pub consents: Vec<String>,
}

page_of!(ApplicationPage, ApplicationJson);

/// An application as the form takes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplicationJson {
    /// Ids of the organisation's active identity labels (optional, special-category data).
    #[serde(default)]
    pub labels: Vec<i64>,
    #[serde(default)]
    pub own_words: String,
    pub course: String,
    /// The level of study: ug1, ug2, ug3, ug4, pgt, pgr or other.
    pub level: String,
    #[serde(default)]
    pub interests: String,
    /// Slots such as `mon-am` (weekday mon–fri, then am, pm or eve).
    #[serde(default)]
    pub availability: Vec<String>,
    pub hopes: String,
    /// Consents given: take_part is required; research and quotes are optional.
    pub consents: Vec<String>,
    /// The applicant's School (an id from the organisation's Schools), or none: the matching
    /// keeps same-School pairs apart with it.
    #[serde(default)]
    pub school_id: Option<i64>,
}

/// The paging parameters and the decision to filter by.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ApplicationQuery {
    /// The `next_cursor` of the previous page; absent or empty for the first page.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// How many items, from 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Only applications in this state.
    pub decision: Option<ApplicationState>,
}

/// An application's state, as a filter.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    Submitted,
    Accepted,
    Waitlisted,
    Declined,
    Withdrawn,
}

impl ApplicationState {
    fn get(self) -> ApplicationStatus {
        match self {
            ApplicationState::Submitted => ApplicationStatus::Submitted,
            ApplicationState::Accepted => ApplicationStatus::Accepted,
            ApplicationState::Waitlisted => ApplicationStatus::Waitlisted,
            ApplicationState::Declined => ApplicationStatus::Declined,
            ApplicationState::Withdrawn => ApplicationStatus::Withdrawn,
        }
    }
}

/// A coordinator's decision.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationDecision {
    Accepted,
    Waitlisted,
    Declined,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionJson {
    pub decision: ApplicationDecision,
    /// The coordinator's message to the applicant, sent with the decision (at most 2000
    /// characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub message: String,
}

/// Applies (or updates the caller's application) to a cycle's open call.
#[utoipa::path(post, operation_id = "submitApplication", path = "/api/v1/cycles/{id}/applications", tag = "applications", params(("id" = i64, Path, description = "Cycle id")), request_body = NewApplicationJson,
    responses((status = 201, description = "The caller's application, as stored", body = ApplicationJson), (status = 409, description = "The cycle's call is not open", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A field breaks a rule (each field in errors)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn submit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewApplicationJson>,
) -> Result<(StatusCode, Json<ApplicationJson>), ApiError> {
    let cycle = state.store.cycle(id).await?;
    if !policy::apply(&user.actor, cycle.state()?) {
        return Err(AppError::Conflict(
            "This cycle's call for student mentors is not open.".into(),
        )
        .into());
    }
    let labels = state.store.identity_labels().await?;
    let form = ApplicationForm {
        labels: body.labels.iter().map(i64::to_string).collect(),
        own_words: body.own_words,
        course: body.course,
        level: body.level,
        interests: body.interests,
        availability: body.availability,
        hopes: body.hopes,
        consent: body.consents,
        school: body.school_id.map(|id| id.to_string()).unwrap_or_default(),
    };
    let schools = state.store.schools().await?;
    let valid = validate(&form, &labels, &schools).map_err(|errors| {
        AppError::InvalidFields(
            errors
                .0
                .into_iter()
                .map(|(f, m)| {
                    let f = if f == "consent_take_part" {
                        "consents".to_string()
                    } else if f == "school" {
                        "school_id".to_string()
                    } else {
                        f
                    };
                    (f, m)
                })
                .collect(),
        )
    })?;
    state
        .store
        .save_application(NewApplication {
            cycle_id: id,
            user_id: user.id(),
            label_ids: &valid.label_ids,
            own_words: &valid.own_words,
            course: &valid.course,
            level: &valid.level,
            interests: &valid.interests,
            availability: &valid.availability,
            hopes: &valid.hopes,
            consents: &valid.consents,
            school_id: valid.school_id,
        })
        .await?;
    let app = state
        .store
        .application_of(id, user.id())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(app.into())))
}

/// A cycle's applications, without identity labels (its scheme's coordinators).
#[utoipa::path(get, operation_id = "listApplications", path = "/api/v1/cycles/{id}/applications", tag = "applications", params(("id" = i64, Path, description = "Cycle id"), ApplicationQuery),
    responses((status = 200, description = "A page of the cycle's applications, by id", body = ApplicationPage), (status = 403, description = "The caller does not review this cycle's applications", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ApplicationQuery>,
) -> Result<Json<ApplicationPage>, ApiError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::review_applications(&user.actor, cycle.scheme_id))?;
    let mut apps = state.store.applications_of(id).await?;
    if let Some(d) = q.decision {
        apps.retain(|a| a.status() == d.get());
    }
    let params = super::PageParams {
        cursor: q.cursor,
        limit: q.limit,
    };
    let (apps, next_cursor) = page(apps, |a| a.id, &params)?;
    Ok(Json(ApplicationPage {
        items: apps.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// The application of a cycle, once the caller may review it.
async fn reviewed(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: i64,
    app_id: i64,
) -> Result<(Application, i64), AppError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::review_applications(&user.actor, cycle.scheme_id))?;
    let app = state.store.application(app_id).await?;
    if app.cycle_id != id {
        return Err(AppError::NotFound);
    }
    allow(policy::application(
        &user.actor,
        app.user_id,
        cycle.scheme_id,
        Action::View,
    ))?;
    Ok((app, cycle.scheme_id))
}

/// One application, with the applicant's identity labels where the policy allows (the read
/// is audited).
#[utoipa::path(get, operation_id = "getApplication", path = "/api/v1/cycles/{id}/applications/{application}", tag = "applications",
    params(("id" = i64, Path, description = "Cycle id"), ("application" = i64, Path, description = "Application id")),
    responses((status = 200, description = "The application", body = ApplicationDetailJson), (status = 403, description = "The caller does not review this cycle's applications", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, app_id)): ApiPath<(i64, i64)>,
) -> Result<Json<ApplicationDetailJson>, ApiError> {
    let (app, scheme_id) = reviewed(&state, &user, id, app_id).await?;
    let labels =
        operations::recruitment::read_identity_labels(&state, &user, &address, &app, scheme_id)
            .await?;
    let consents = flipside_store::current_consents(&state.store.consent_events(app.id).await?)
        .into_iter()
        .map(|k| k.as_str().to_string())
        .collect();
    Ok(Json(ApplicationDetailJson {
        own_words: app.own_words.clone(),
        application: app.into(),
        labels,
        consents,
    }))
}

/// Decides an application; the applicant is emailed the decision and the message.
#[utoipa::path(post, operation_id = "decideApplication", path = "/api/v1/cycles/{id}/applications/{application}/decision", tag = "applications",
    params(("id" = i64, Path, description = "Cycle id"), ("application" = i64, Path, description = "Application id")), request_body = DecisionJson,
    responses((status = 200, description = "The application with its decision; the email is queued", body = ApplicationJson), (status = 403, description = "The caller does not review this cycle's applications", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The applicant has withdrawn", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The message is too long", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, app_id)): ApiPath<(i64, i64)>,
    JsonBody(body): JsonBody<DecisionJson>,
) -> Result<Json<ApplicationJson>, ApiError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::review_applications(&user.actor, cycle.scheme_id))?;
    let app = state.store.application(app_id).await?;
    if app.cycle_id != id {
        return Err(AppError::NotFound.into());
    }
    let message = body.message.trim();
    if message.chars().count() > 2000 {
        return Err(AppError::Invalid {
            field: "message".into(),
            message: "The message is too long: at most 2000 characters.".into(),
        }
        .into());
    }
    let decision = match body.decision {
        ApplicationDecision::Accepted => ApplicationStatus::Accepted,
        ApplicationDecision::Waitlisted => ApplicationStatus::Waitlisted,
        ApplicationDecision::Declined => ApplicationStatus::Declined,
    };
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    operations::recruitment::decide_application(&state, actor, app_id, decision, message).await?;
    Ok(Json(state.store.application(app_id).await?.into()))
}
