//! Schemes over the API.
use super::{ApiPath, ApiQuery, JsonBody, PageParams, page, page_of};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::handlers::mentoring::schemes::{SchemeForm, validate};
use crate::page::FormErrors;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use flipside_core::policy::{self, Action, SchemeRef};
use flipside_store::{NewScheme, Scheme};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct SchemeJson {
    pub id: i64,
    pub name: String,
    /// institutional, school, apt_co_design or external
    #[schema(pattern = "^(institutional|school|apt_co_design|external)$")]
    pub kind: String,
    pub purpose: String,
    pub school_id: Option<i64>,
    pub created_at: String,
}

impl From<Scheme> for SchemeJson {
    fn from(s: Scheme) -> SchemeJson {
        SchemeJson {
            id: s.id,
            name: s.name,
            kind: s.kind.as_str().to_string(),
            purpose: s.purpose,
            school_id: s.school_id,
            created_at: s.created_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSchemeJson {
    pub name: String,
    /// institutional, school, apt_co_design or external
    pub kind: String,
    pub purpose: String,
    /// Required for kind `school`.
    #[serde(default)]
    pub school_id: Option<i64>,
}

page_of!(SchemePage, SchemeJson);

/// Every scheme the caller may see, by id.
#[utoipa::path(get, operation_id = "listSchemes", path = "/api/v1/schemes", tag = "schemes", params(PageParams),
    responses((status = 200, description = "A page of the schemes the caller may see", body = SchemePage)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<SchemePage>, ApiError> {
    let schemes = state.store.schemes().await?;
    let visible: Vec<SchemeJson> = schemes
        .into_iter()
        .filter(|s| policy::scheme(&user.actor, Some(SchemeRef { id: s.id }), Action::View))
        .map(Into::into)
        .collect();
    let (items, next_cursor) = page(visible, |s| s.id, &params)?;
    Ok(Json(SchemePage { items, next_cursor }))
}

/// Creates a scheme (admins and organisation-wide coordinators).
#[utoipa::path(post, operation_id = "createScheme", path = "/api/v1/schemes", tag = "schemes", request_body = NewSchemeJson,
    responses((status = 201, description = "The new scheme", body = SchemeJson), (status = 409, description = "A scheme of that name exists", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A field breaks a rule (named in field)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    JsonBody(body): JsonBody<NewSchemeJson>,
) -> Result<(StatusCode, Json<SchemeJson>), ApiError> {
    if !policy::scheme(&user.actor, None, Action::Create) {
        return Err(AppError::Forbidden.into());
    }
    let schools = state.store.schools().await?;
    let form = SchemeForm {
        name: body.name,
        kind: body.kind,
        purpose: body.purpose,
        school_id: body.school_id.map(|i| i.to_string()).unwrap_or_default(),
    };
    let valid = validate(&form, &schools).map_err(FormErrors::into_invalid)?;
    let id = state
        .store
        .create_scheme(NewScheme {
            name: &valid.name,
            kind: valid.kind,
            purpose: &valid.purpose,
            school_id: valid.school_id,
            created_by: Some(user.id()),
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.scheme(id).await?.into()),
    ))
}

/// One scheme.
#[utoipa::path(get, operation_id = "getScheme", path = "/api/v1/schemes/{id}", tag = "schemes", params(("id" = i64, Path, description = "Scheme id")),
    responses((status = 200, description = "The scheme", body = SchemeJson), (status = 403, description = "The caller may not see this scheme", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SchemeJson>, ApiError> {
    let scheme = state.store.scheme(id).await?;
    if !policy::scheme(&user.actor, Some(SchemeRef { id }), Action::View) {
        return Err(AppError::Forbidden.into());
    }
    Ok(Json(scheme.into()))
}
