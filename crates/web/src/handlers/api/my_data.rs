//! `GET /api/v1/me/data`: everything flipside holds on the caller (issue 13), the same export
//! as the account's data page offers as JSON (`/account/data.json`), under the same policy
//! (`policy::own_personal_data`) and audited the same way.
use crate::auth::{ApiUser, ClientAddress};
use crate::error::ApiError;
use crate::handlers::auth::data::own_export;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use axum::routing::{MethodRouter, get};
use flipside_store::privacy::PersonExport;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths(show))]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![(Method::GET, "/me/data", get(show))]
}

/// Everything held on the caller, by kind of data: each kind with what the privacy notice
/// says of it (purpose, legal basis, who sees it, how long it is kept) and its rows. The
/// export is audited.
#[utoipa::path(get, operation_id = "getMyData", path = "/api/v1/me/data", tag = "people",
    responses((status = 200, description = "The caller's data: format, generated_at, person (user_id, email, display_name) and kinds (each with its name, purpose, basis and rows)", body = Object)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
) -> Result<Json<PersonExport>, ApiError> {
    Ok(Json(own_export(&state, &user, &address, "api").await?))
}
