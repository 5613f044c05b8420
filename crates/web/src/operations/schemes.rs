//! Operations on a scheme itself: editing its name and purpose, archiving it and bringing it
//! back. Each is one transaction with its audit entry.
use crate::error::AppError;
use crate::operations::cycles::Actor;
use crate::state::AppState;
use flipside_core::scheme::may_archive;
use flipside_store::NewAuditEntry;

/// Renames a scheme and rewrites its purpose (both already validated); the audit entry says
/// what changed. A name another scheme has is a conflict.
pub async fn update(
    state: &AppState,
    actor: Actor<'_>,
    id: i64,
    name: &str,
    purpose: &str,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    let before = tx.scheme(id).await?;
    tx.update_scheme(id, name, purpose).await?;
    let mut changed = Vec::new();
    if before.name != name {
        changed.push(format!("name '{}' → '{name}'", before.name));
    }
    if before.purpose != purpose {
        changed.push("purpose rewritten".to_string());
    }
    if changed.is_empty() {
        changed.push("saved unchanged".to_string());
    }
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "scheme_edited",
        subject_kind: "scheme",
        subject_id: Some(id),
        detail: &changed.join("; "),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Archives a scheme once none of its cycles is under way ([`may_archive`], checked on what
/// this transaction reads), with its audit entry.
pub async fn archive(state: &AppState, actor: Actor<'_>, id: i64) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    let cycles = tx.cycles_of(id).await?;
    may_archive(cycles.iter().map(|c| (c.year(), c.state.get())))
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    tx.set_scheme_archived(id, true).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "scheme_archived",
        subject_kind: "scheme",
        subject_id: Some(id),
        detail: &format!("{} cycle(s) kept, readable", cycles.len()),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Brings an archived scheme back into the lists, with its audit entry.
pub async fn restore(state: &AppState, actor: Actor<'_>, id: i64) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.set_scheme_archived(id, false).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "scheme_restored",
        subject_kind: "scheme",
        subject_id: Some(id),
        detail: "back in the lists",
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
