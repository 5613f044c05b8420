//! The codebook, two-coder agreement, excerpts by code, code frequencies and the exports
//! (issue 11, SPEC §3.7).
//!
//! | page | module |
//! | --- | --- |
//! | `/schemes/{id}/codebook` (+ `/{code}`, `/import`, `/defaults`, `.qdc`) | [`codebook`] |
//! | `/cycles/{id}/agreement` | [`agreement`] |
//! | `/cycles/{id}/codes`, `/cycles/{id}/codes/{code}` | [`codes`] |
//! | `/cycles/{id}/export/chats.qdpx`, `codes.qdc`, `excerpts.csv` | [`exports`] |
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use flipside_store::{Cycle, Scheme};

pub mod agreement;
pub mod codebook;
pub mod codes;
pub mod exports;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/schemes/{id}/codebook",
            get(codebook::show).post(codebook::add),
        )
        .route("/schemes/{id}/codebook.qdc", get(codebook::download))
        .route("/schemes/{id}/codebook/defaults", post(codebook::defaults))
        .route("/schemes/{id}/codebook/import", post(codebook::import))
        .route(
            "/schemes/{id}/codebook/{code}",
            get(codebook::show_code).post(codebook::edit),
        )
        .route("/schemes/{id}/codebook/{code}/merge", post(codebook::merge))
        .route("/cycles/{id}/agreement", get(agreement::show))
        .route("/cycles/{id}/codes", get(codes::frequencies))
        .route("/cycles/{id}/codes/{code}", get(codes::excerpts))
        .route("/cycles/{id}/export/chats.qdpx", get(exports::project))
        .route("/cycles/{id}/export/codes.qdc", get(exports::codebook))
        .route("/cycles/{id}/export/excerpts.csv", get(exports::excerpts))
}

/// A cycle and its scheme, once `allowed` (a policy question about the scheme) says yes.
pub(crate) async fn cycle_for(
    state: &AppState,
    id: i64,
    allowed: impl FnOnce(i64) -> bool,
) -> Result<(Cycle, Scheme), AppError> {
    crate::handlers::cycle_if(state, id, |c| allowed(c.scheme_id)).await
}

/// A scheme, once the policy lets this person at its codebook.
pub(crate) async fn scheme_for(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Scheme, AppError> {
    let scheme = state.store.scheme(id).await?;
    allow(flipside_core::policy::codebook(
        &user.actor,
        id,
        flipside_core::policy::Action::View,
    ))?;
    Ok(scheme)
}

/// "Student mentors" / "Staff mentees": how the pages name a role.
pub fn role_title(role: &str) -> &'static str {
    match role {
        "mentor" => "Student mentors",
        "mentee" => "Staff mentees",
        _ => "Participants",
    }
}

/// A file to download.
fn file_download(content_type: &str, file_name: &str, body: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response()
}
