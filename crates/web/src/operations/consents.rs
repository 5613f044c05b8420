//! Withdrawing (and, for staff leaders, giving) consents: the change, everything it causes
//! (see `flipside_store::consents`) and its audit entry, in one transaction. The audit entry
//! names the consent and counts what changed; it carries no personal data.
use crate::operations::cycles::Actor;
use flipside_core::recruitment::ConsentKind;
use flipside_store::{NewAuditEntry, Store, StoreError, Withdrawal};

/// A student withdraws one consent on their application (the caller asked the policy).
pub async fn withdraw_application_consent(
    store: &Store,
    actor: Actor<'_>,
    application_id: i64,
    kind: ConsentKind,
) -> Result<Withdrawal, StoreError> {
    let mut tx = store.begin().await?;
    let done = tx
        .withdraw_application_consent(application_id, kind)
        .await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "consent_withdrawn",
        subject_kind: "application",
        subject_id: Some(application_id),
        detail: &format!("{}: {}", kind.as_str(), done.words()),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(done)
}

/// A staff leader gives or withdraws one consent on their accepted invitation (the caller
/// asked the policy).
pub async fn change_staff_consent(
    store: &Store,
    actor: Actor<'_>,
    invitation_id: i64,
    kind: ConsentKind,
    given: bool,
) -> Result<Withdrawal, StoreError> {
    let mut tx = store.begin().await?;
    let done = tx.change_staff_consent(invitation_id, kind, given).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: if given {
            "consent_given"
        } else {
            "consent_withdrawn"
        },
        subject_kind: "invitation",
        subject_id: Some(invitation_id),
        detail: &format!("{}: {}", kind.as_str(), done.words()),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(done)
}
