//! Deciding an application.
use crate::error::AppError;
use crate::operations::cycles::Actor;
use crate::state::AppState;
use flipside_core::recruitment::ApplicationStatus;
use flipside_store::NewAuditEntry;

/// Records a coordinator's decision and message with its audit entry, in one transaction: a
/// decision that cannot be audited is not taken. `Conflict` when the applicant has withdrawn.
pub async fn decide_application(
    state: &AppState,
    actor: Actor<'_>,
    application_id: i64,
    decision: ApplicationStatus,
    message: &str,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.decide_application(application_id, decision, message, Some(actor.id))
        .await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "application_decided",
        subject_kind: "application",
        subject_id: Some(application_id),
        detail: decision.as_str(),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
