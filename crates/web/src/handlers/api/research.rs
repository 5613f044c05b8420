//! A cycle's research export over the API, as the evaluation pages offer it (SPEC §2, §3.12):
//! the pseudonymised answers of consenting participants as a tidy CSV, and the codebook that
//! describes its columns and statements as Markdown. The same policy
//! (`policy::research_export`: researchers of the scheme and its coordinators, not admins),
//! the same files and the same audit entry (written before anything is sent) as the pages.
use super::ApiPath;
use crate::auth::{ApiUser, ClientAddress};
use crate::error::ApiError;
use crate::handlers::evaluation::waves::{answers_download, codebook_download};
use crate::state::AppState;
use axum::extract::State;
use axum::http::Method;
use axum::response::Response;
use axum::routing::{MethodRouter, get};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths(answers, codebook))]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/cycles/{id}/research-export", get(answers)),
        (Method::GET, "/cycles/{id}/codebook", get(codebook)),
    ]
}

/// The cycle's research export: one CSV row per consenting participant × wave × statement,
/// with pseudonymous codes only (no names, no emails). The download is audited.
#[utoipa::path(get, operation_id = "getResearchExport", path = "/api/v1/cycles/{id}/research-export", tag = "evaluation", params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, description = "The answers as CSV (participant, role, wave, statement, aim, score)", body = String, content_type = "text/csv"), (status = 403, description = "The caller is neither a researcher of the scheme nor its coordinator", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn answers(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    Ok(answers_download(&state, &user, &address, id).await?)
}

/// The codebook of the cycle's research export: every column, and each statement the cycle
/// asked with its scale. The download is audited.
#[utoipa::path(get, operation_id = "getResearchCodebook", path = "/api/v1/cycles/{id}/codebook", tag = "evaluation", params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, description = "The codebook as Markdown", body = String, content_type = "text/markdown"), (status = 403, description = "The caller is neither a researcher of the scheme nor its coordinator", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn codebook(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    Ok(codebook_download(&state, &user, &address, id).await?)
}
