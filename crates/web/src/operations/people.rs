//! People and their roles: each change with its audit entry, in one transaction.
use crate::error::AppError;
use crate::mail::messages::SetPasswordReason;
use crate::operations::accounts::queue_set_password_link;
use crate::operations::cycles::Actor;
use crate::state::AppState;
use flipside_core::role::Grant;
use flipside_store::{NewAuditEntry, NewUser, StoreError};

/// Adds a person, audited, and, when they have no password (an administrator never sets
/// one), queues the link to choose their own, all in one transaction. `Conflict` when someone
/// already has the email (nothing written).
pub async fn create_person(
    state: &AppState,
    actor: Actor<'_>,
    new: NewUser<'_>,
) -> Result<i64, AppError> {
    let mut tx = state.store.begin().await?;
    let id = tx.create_user(new).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "user_created",
        subject_kind: "user",
        subject_id: Some(id),
        detail: "",
        address: actor.address,
    })
    .await?;
    let user = tx.user(id).await?;
    if user.password_hash.is_none() {
        queue_set_password_link(&mut tx, state, &user, SetPasswordReason::NewAccount).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Gives a person a role, audited with the scope's words. `Conflict` when they hold it already.
pub async fn grant_role(
    state: &AppState,
    actor: Actor<'_>,
    person: i64,
    grant: Grant,
    scope_words: &str,
) -> Result<(), StoreError> {
    let mut tx = state.store.begin().await?;
    tx.grant_role(person, grant, Some(actor.id)).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "role_granted",
        subject_kind: "user",
        subject_id: Some(person),
        detail: &format!("{} ({scope_words})", grant.role),
        address: actor.address,
    })
    .await?;
    tx.commit().await
}

/// Removes one of a person's grants, audited (the caller asked `policy::revoke_grant`).
pub async fn revoke_role(
    state: &AppState,
    actor: Actor<'_>,
    person: i64,
    grant_id: i64,
    grant: Grant,
    scope_words: &str,
) -> Result<(), StoreError> {
    let mut tx = state.store.begin().await?;
    tx.revoke_grant(grant_id).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "role_revoked",
        subject_kind: "user",
        subject_id: Some(person),
        detail: &format!("{} ({scope_words})", grant.role),
        address: actor.address,
    })
    .await?;
    tx.commit().await
}
