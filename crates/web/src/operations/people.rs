//! People and their roles: each change with its audit entry, in one transaction.
use crate::operations::cycles::Actor;
use crate::state::AppState;
use flipside_core::role::Grant;
use flipside_store::{NewAuditEntry, NewUser, StoreError};

/// Adds a person, audited. `Conflict` when someone already has the email (nothing written).
pub async fn create_person(
    state: &AppState,
    actor: Actor<'_>,
    new: NewUser<'_>,
) -> Result<i64, StoreError> {
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
