//! Inviting staff leaders to a cycle by email.
use crate::error::AppError;
use crate::mail::messages::{InvitationLink, Recipient, SetPasswordReason};
use crate::operations::accounts::queue_set_password_link;
use crate::operations::cycles::Actor;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use flipside_core::invitation::Invitee;
use flipside_core::local_time::Zone;
use flipside_core::recruitment::ConsentKind;
use flipside_store::{Cycle, Invitation, NewAuditEntry, NewInvitation, Scheme, Tx};

/// Who sends an invitation, by name (the email says who invites).
#[derive(Debug, Clone, Copy)]
pub struct Inviter<'a> {
    pub name: &'a str,
}

/// Queues the email carrying an invitation's link (its `send`th), in the caller's transaction.
/// It reads nothing outside that transaction (the time zone comes from the caller, read before
/// the transaction began): on SQLite a transaction that waits for another connection while it
/// holds the write lock can starve every request of the pool.
async fn queue_link(
    state: &AppState,
    zone: Zone,
    tx: &mut Tx,
    inv: &Invitation,
    (scheme, cycle): (&Scheme, &Cycle),
    (token, send): (&str, i64),
    from: Inviter<'_>,
) -> Result<(), AppError> {
    let link = state.settings.link(&format!("invitations/{token}"));
    let email = InvitationLink {
        invitation_id: inv.id,
        send,
        from: from.name,
        scheme: &scheme.name,
        purpose: &scheme.purpose,
        year: &cycle.year().to_string(),
        until: &zone.long(inv.expires_at),
        link: &link,
    }
    .to(Recipient {
        name: &inv.name,
        email: &inv.email,
    });
    tx.enqueue_email(&email.as_new()).await?;
    Ok(())
}

/// Invites a staff leader: the invitation and the email with its link, in one transaction.
/// Inviting an address already invited to the cycle is a conflict and queues nothing.
pub async fn invite(
    state: &AppState,
    from: Inviter<'_>,
    cycle: &Cycle,
    scheme: &Scheme,
    new: NewInvitation<'_>,
) -> Result<Invitation, AppError> {
    let zone = state.zone().await?;
    let mut tx = state.store.begin().await?;
    let (id, token) = tx.create_invitation(new).await?;
    let inv = tx.invitation(id).await?;
    queue_link(
        state,
        zone,
        &mut tx,
        &inv,
        (scheme, cycle),
        (&token, 1),
        from,
    )
    .await?;
    tx.commit().await?;
    Ok(inv)
}

/// Invites every leader of a pasted list (already validated, [`Invitee`]): each invitation
/// and the email with its link, and one audit entry for the list, in one transaction, so
/// that either everyone on the list is invited and emailed or nobody is. The zone is read
/// before the transaction begins (see [`queue_link`]).
pub async fn invite_many(
    state: &AppState,
    from: Inviter<'_>,
    actor: Actor<'_>,
    (scheme, cycle): (&Scheme, &Cycle),
    invitees: &[Invitee],
    expires_at: DateTime<Utc>,
) -> Result<Vec<Invitation>, AppError> {
    let zone = state.zone().await?;
    let mut tx = state.store.begin().await?;
    let mut invited = Vec::with_capacity(invitees.len());
    for who in invitees {
        let (id, token) = tx
            .create_invitation(NewInvitation {
                cycle_id: cycle.id,
                email: &who.email,
                name: &who.name,
                school_id: None,
                invited_by: Some(actor.id),
                expires_at,
            })
            .await?;
        let inv = tx.invitation(id).await?;
        queue_link(
            state,
            zone,
            &mut tx,
            &inv,
            (scheme, cycle),
            (&token, 1),
            from,
        )
        .await?;
        invited.push(inv);
    }
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "invitations_sent_from_list",
        subject_kind: "cycle",
        subject_id: Some(cycle.id),
        detail: &format!(
            "{} staff leader(s) invited from a pasted list",
            invited.len()
        ),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(invited)
}

/// Cancels an invitation still waiting for its answer, with its audit entry: its link stops
/// working at once. Nobody is emailed.
pub async fn cancel(
    state: &AppState,
    actor: Actor<'_>,
    invitation_id: i64,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.cancel_invitation(invitation_id).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "invitation_cancelled",
        subject_kind: "invitation",
        subject_id: Some(invitation_id),
        detail: "an unanswered invitation cancelled; its link no longer works",
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sends an unanswered invitation again: the old link dies and the email with the new one is
/// queued in one transaction, so the invitee is never left with no working link.
pub async fn resend(
    state: &AppState,
    from: Inviter<'_>,
    cycle: &Cycle,
    scheme: &Scheme,
    invitation_id: i64,
    expires_at: DateTime<Utc>,
) -> Result<Invitation, AppError> {
    let zone = state.zone().await?;
    let mut tx = state.store.begin().await?;
    let (token, send) = tx.resend_invitation(invitation_id, expires_at).await?;
    let inv = tx.invitation(invitation_id).await?;
    queue_link(
        state,
        zone,
        &mut tx,
        &inv,
        (scheme, cycle),
        (&token, send),
        from,
    )
    .await?;
    tx.commit().await?;
    Ok(inv)
}

/// Accepts an invitation, with the consents ticked (research use, being quoted) and its audit
/// entry, and, when the person has no password and the organisation has no single sign-on,
/// queues a link to choose one, in the same transaction: without it an invited leader could
/// never sign in to see their pair.
pub async fn accept(
    state: &AppState,
    token: &str,
    interests: &str,
    availability: &str,
    research_consent: bool,
    quotes_consent: bool,
    address: &str,
) -> Result<i64, AppError> {
    let invitation = state.store.invitation_by_token(token).await?;
    let mut tx = state.store.begin().await?;
    let user_id = tx
        .accept_invitation(token, interests, availability, research_consent)
        .await?;
    if quotes_consent {
        tx.give_consent_on_accepting(invitation.id, ConsentKind::Quotes)
            .await?;
    }
    tx.audit(NewAuditEntry {
        actor_id: Some(user_id),
        action: "invitation_accepted",
        subject_kind: "invitation",
        subject_id: Some(invitation.id),
        detail: &format!(
            "research consent {}, quote consent {}",
            if research_consent {
                "given"
            } else {
                "not given"
            },
            if quotes_consent { "given" } else { "not given" }
        ),
        address,
    })
    .await?;
    let user = tx.user(user_id).await?;
    if user.password_hash.is_none() && state.oidc.is_none() && !user.disabled {
        queue_set_password_link(&mut tx, state, &user, SetPasswordReason::InvitationAccepted)
            .await?;
    }
    tx.commit().await?;
    Ok(user_id)
}
