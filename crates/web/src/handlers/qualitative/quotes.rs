//! The quote bank, a scheme's aims and the triangulation page per aim.
use crate::state::AppState;
use axum::Router;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
