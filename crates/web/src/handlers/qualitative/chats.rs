//! Recording, reading and coding reflective chats, and a participant's own view of theirs.
use crate::state::AppState;
use axum::Router;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
