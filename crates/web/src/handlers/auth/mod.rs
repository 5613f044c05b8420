//! Signing in (local accounts and single sign-on) and the account page.
pub mod account;
pub mod consents;
pub mod data;
pub mod email_link;
pub mod password;
pub mod sign_in;
pub mod sso;

use crate::error::AppError;
use crate::state::AppState;
use axum::http::StatusCode;
use flipside_store::{LinkPurpose, StoreError};

/// The address an emailed link (set-password or sign-in) was sent to while it can still be
/// used, with the status its page answers: 200, or 404 with `None` for a link unknown, used or
/// expired. A database error is an error, never a dead link.
async fn link_email(
    state: &AppState,
    token: &str,
    purpose: LinkPurpose,
) -> Result<(StatusCode, Option<String>), AppError> {
    match state.store.account_link_user(token, purpose).await {
        Ok(u) => Ok((StatusCode::OK, Some(u.email))),
        Err(StoreError::NotFound) => Ok((StatusCode::NOT_FOUND, None)),
        Err(e) => Err(e.into()),
    }
}
