//! Ending a pair early.
use crate::error::AppError;
use crate::operations::cycles::Actor;
use crate::state::AppState;
use flipside_core::scheme::BoundedText;
use flipside_store::NewAuditEntry;

/// Ends a pair early, in one transaction: the pair's new state with the reason, the audit
/// entry, and the members who leave the scheme (so that re-matching leaves them out). If any
/// of it fails, the pair stays active and nothing is recorded.
pub async fn end_early(
    state: &AppState,
    actor: Actor<'_>,
    cycle_id: i64,
    pair_id: i64,
    reason: &BoundedText,
    leaving: &[i64],
    leaving_as_chosen: &str,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.end_pair_early(pair_id, reason.as_str()).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "pair_ended_early",
        subject_kind: "pair",
        subject_id: Some(pair_id),
        detail: &format!("leaving: {leaving_as_chosen}"),
        address: actor.address,
    })
    .await?;
    for user_id in leaving {
        tx.add_leaver(cycle_id, *user_id).await?;
    }
    tx.commit().await?;
    Ok(())
}
