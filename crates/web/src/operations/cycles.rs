//! Operations on a scheme's cycles.
use crate::error::AppError;
use crate::state::AppState;
use flipside_core::cycle::CycleState;
use flipside_store::NewAuditEntry;

/// Who is acting, and from where (for the audit log).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub id: i64,
    pub address: &'a str,
}

/// Moves a cycle from `from` to `to`: the state change, its recorded event, the pairs it
/// completes (closing) and the audit entry, in one transaction. Returns how many pairs
/// completed.
pub async fn transition(
    state: &AppState,
    actor: Actor<'_>,
    id: i64,
    from: CycleState,
    to: CycleState,
) -> Result<u64, AppError> {
    let mut tx = state.store.begin().await?;
    let completed = tx.transition_cycle(id, from, to, Some(actor.id)).await?;
    let detail = if completed > 0 {
        format!("{from} → {to}; {completed} active pair(s) completed")
    } else {
        format!("{from} → {to}")
    };
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "cycle_state_changed",
        subject_kind: "cycle",
        subject_id: Some(id),
        detail: &detail,
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(completed)
}
