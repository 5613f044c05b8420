//! The codebook, two-coder agreement, excerpts by code, code frequencies and the exports.
use crate::state::AppState;
use axum::Router;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
