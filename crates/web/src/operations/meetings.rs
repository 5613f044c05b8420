//! What a pair does between them: answering a proposed meeting, raising a concern.
use crate::error::AppError;
use crate::mail::messages::{
    ConcernAnswered, ConcernRaised, Email, MeetingConfirmed, MeetingProposed, Recipient,
};
use crate::operations::cycles::Actor;
use crate::state::AppState;
use crate::webhooks::{self, Event};
use flipside_core::concerns::{Answer, ConcernStatus};
use flipside_core::meetings::Slot;
use flipside_store::{Concern, Cycle, NewAuditEntry, Pair, Scheme, User};

/// A member accepts the pair's expectations agreement: the acceptance and its audit entry, in
/// one transaction.
pub async fn accept_agreement(
    state: &AppState,
    actor: Actor<'_>,
    pair_id: i64,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.accept_agreement(pair_id, actor.id).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "agreement_accepted",
        subject_kind: "pair",
        subject_id: Some(pair_id),
        detail: "",
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a proposal says to the partner.
pub struct Proposal<'a> {
    pub session_index: i64,
    pub slot: Slot,
    pub topic: &'a str,
    pub when: &'a str,
    pub link: &'a str,
}

/// Proposes a meeting and queues the email asking the partner to answer it, in one
/// transaction. Returns the meeting's id.
pub async fn propose(
    state: &AppState,
    proposer: &User,
    pair_id: i64,
    partner: Option<&User>,
    p: Proposal<'_>,
) -> Result<i64, AppError> {
    let mut tx = state.store.begin().await?;
    let meeting_id = tx
        .propose_meeting(pair_id, p.session_index, p.slot, proposer.id)
        .await?;
    if let Some(partner) = partner {
        let email = MeetingProposed {
            meeting_id,
            proposed_by: &proposer.display_name,
            topic: p.topic,
            when: p.when,
            link: p.link,
        }
        .to(recipient(partner));
        tx.enqueue_email(&email.as_new()).await?;
    }
    tx.commit().await?;
    Ok(meeting_id)
}

/// A confirmed meeting's email to one member.
pub struct Confirmation<'a> {
    pub when: &'a str,
    pub link: &'a str,
    pub calendar: &'a str,
}

/// Confirms or declines a proposed meeting. Confirming queues the calendar email to both
/// members, and the webhook event, in the same transaction: a meeting is never confirmed without its emails.
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
        let pair_id = tx.meeting(meeting_id).await?.pair_id;
        webhooks::record(
            &mut tx,
            &state.settings,
            Event::MeetingConfirmed {
                meeting_id,
                pair_id,
            },
        )
        .await?;
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

/// A coordinator answers a concern: its new status and reply, the audit entry (without the
/// reply's words) and the email that tells the raiser, in one transaction.
pub async fn answer_concern(
    state: &AppState,
    actor: Actor<'_>,
    concern: &Concern,
    answer: &Answer,
    raiser: &User,
) -> Result<(), AppError> {
    let from = concern.status();
    let mut tx = state.store.begin().await?;
    let answers = tx
        .answer_concern(concern.id, from, answer.status, &answer.reply, actor.id)
        .await?;
    let action = match answer.status {
        s if s == from => "concern_replied",
        ConcernStatus::Resolved => "concern_resolved",
        _ => "concern_acknowledged",
    };
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action,
        subject_kind: "concern",
        subject_id: Some(concern.id),
        detail: &format!(
            "{} → {}{}",
            from.as_str(),
            answer.status.as_str(),
            if answer.reply.is_empty() {
                ""
            } else {
                ", with a reply"
            }
        ),
        address: actor.address,
    })
    .await?;
    let link = state
        .settings
        .link(&format!("pairs/{}#concern-{}", concern.pair_id, concern.id));
    let email = ConcernAnswered {
        concern_id: concern.id,
        answer: answers,
        status: answer.status.label(),
        reply: &answer.reply,
        link: &link,
    }
    .to(recipient(raiser));
    tx.enqueue_email(&email.as_new()).await?;
    tx.commit().await?;
    Ok(())
}

fn recipient(u: &User) -> Recipient<'_> {
    Recipient {
        name: &u.display_name,
        email: &u.email,
    }
}
