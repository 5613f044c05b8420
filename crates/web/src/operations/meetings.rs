//! What a pair does between them: answering a proposed meeting, raising a concern.
use crate::error::AppError;
use crate::mail::messages::{ConcernRaised, Email, MeetingConfirmed, Recipient};
use crate::operations::cycles::Actor;
use crate::state::AppState;
use flipside_store::{Cycle, NewAuditEntry, Pair, Scheme, User};

/// A confirmed meeting's email to one member.
pub struct Confirmation<'a> {
    pub when: &'a str,
    pub link: &'a str,
    pub calendar: &'a str,
}

/// Confirms or declines a proposed meeting. Confirming queues the calendar email to both
/// members in the same transaction: a meeting is never confirmed without its emails.
pub async fn respond(
    state: &AppState,
    meeting_id: i64,
    members: [&User; 2],
    confirmed: Option<Confirmation<'_>>,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.respond_to_meeting(meeting_id, confirmed.is_some())
        .await?;
    if let Some(c) = confirmed {
        for person in members {
            let email = MeetingConfirmed {
                meeting_id,
                member_id: person.id,
                when: c.when,
                link: c.link,
                calendar: c.calendar,
            }
            .to(recipient(person));
            tx.enqueue_email(&email.as_new()).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Raises a concern with the scheme's coordinators, in one transaction: the concern, the
/// audit entry (without its words) and an email to each coordinator. Returns its id.
pub async fn raise_concern(
    state: &AppState,
    actor: Actor<'_>,
    raised_by: &str,
    (pair, cycle, scheme): (&Pair, &Cycle, &Scheme),
    body: &str,
    coordinators: &[User],
) -> Result<i64, AppError> {
    let link = state
        .settings
        .link(&format!("cycles/{}/concerns", cycle.id));
    let year = cycle.year().to_string();
    let mut tx = state.store.begin().await?;
    let concern_id = tx.raise_concern(pair.id, cycle.id, actor.id, body).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "concern_raised",
        subject_kind: "concern",
        subject_id: Some(concern_id),
        detail: &format!("pair {}", pair.id),
        address: actor.address,
    })
    .await?;
    for c in coordinators {
        let email: Email = ConcernRaised {
            concern_id,
            coordinator_id: c.id,
            raised_by,
            scheme: &scheme.name,
            year: &year,
            concern: body,
            link: &link,
        }
        .to(recipient(c));
        tx.enqueue_email(&email.as_new()).await?;
    }
    tx.commit().await?;
    Ok(concern_id)
}

fn recipient(u: &User) -> Recipient<'_> {
    Recipient {
        name: &u.display_name,
        email: &u.email,
    }
}
