//! The qualitative side of the evaluation (issue 11, SPEC §3.7): reflective chats and their
//! coding, the codebook and two-coder agreement, the quote bank, aims and triangulation. Each
//! module owns its pages and their routes; `routes` merges them for the router.
use crate::state::AppState;
use axum::Router;

pub mod analysis;
pub mod chats;
pub mod quotes;

/// Every route of the qualitative pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(chats::routes())
        .merge(analysis::routes())
        .merge(quotes::routes())
}
