//! One module per area; each handler extracts, asks the policy, calls the store, renders.
//! Templates sit next to the handlers that render them.
pub mod admin;
pub mod api;
pub mod auth;
pub mod cocreation;
pub mod confirm;
pub mod error_page;
pub mod evaluation;
pub mod figures;
pub mod home;
pub mod mentoring;
pub mod ops;
pub mod qualitative;
pub mod report;
pub mod tutoring;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use flipside_store::NewAuditEntry;

/// Loads a cycle and its scheme, refusing (403) unless `allowed` says the actor may act on
/// that cycle. The one loader behind every coordinator page of a cycle.
pub async fn cycle_if(
    state: &AppState,
    id: i64,
    allowed: impl FnOnce(&flipside_store::Cycle) -> bool,
) -> Result<(flipside_store::Cycle, flipside_store::Scheme), AppError> {
    let cycle = state.store.cycle(id).await?;
    allow(allowed(&cycle))?;
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    Ok((cycle, scheme))
}

/// Records a read of private or special-category data (SPEC §3.12): who, what kind of record,
/// which one, and a description that never carries the data itself. Written before the page
/// is sent, so a read that cannot be recorded is not shown.
pub async fn audit_read(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    action: &str,
    subject: (&str, i64),
    detail: &str,
) -> Result<(), AppError> {
    state
        .store
        .audit(NewAuditEntry {
            actor_id: Some(user.id()),
            action,
            subject_kind: subject.0,
            subject_id: Some(subject.1),
            detail,
            address,
        })
        .await?;
    Ok(())
}

/// Refuses with 403 unless the policy allowed it.
pub fn allow(allowed: bool) -> Result<(), AppError> {
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}
