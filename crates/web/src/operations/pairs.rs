//! Ending a pair early; nudging stuck pairs.
use crate::error::AppError;
use crate::operations::cycles::Actor;
use crate::state::AppState;
use flipside_core::scheme::BoundedText;
use flipside_store::{Cycle, NewAuditEntry, Pair, PairStatus, Scheme};

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

/// Who a nudge of the cycle's active pairs would email (see `flipside_core::nudge`).
pub async fn stuck_members(
    state: &AppState,
    pairs: &[Pair],
) -> Result<Vec<flipside_core::nudge::Nudge>, AppError> {
    use flipside_core::meetings::MeetingStatus;
    use flipside_core::nudge::{PairFacts, nudges};
    let mut facts = Vec::new();
    for p in pairs.iter().filter(|p| p.status() == PairStatus::Active) {
        let meetings = state.store.meetings_of_pair(p.id).await?;
        facts.push(PairFacts {
            pair_id: p.id,
            members: [p.mentor_id, p.mentee_id],
            accepted: state
                .store
                .agreements(p.id)
                .await?
                .iter()
                .map(|a| a.user_id)
                .collect(),
            met: meetings.iter().any(|m| m.status() == MeetingStatus::Held),
            arranged: meetings.iter().any(|m| {
                matches!(
                    m.status(),
                    MeetingStatus::Proposed | MeetingStatus::Confirmed
                )
            }),
        });
    }
    Ok(nudges(&facts))
}

/// A coordinator's nudge: one email to each member of a stuck active pair (at most one a day
/// for each reason) and the audit entry, in one transaction. Returns how many emails were
/// queued now.
pub async fn nudge(
    state: &AppState,
    actor: Actor<'_>,
    (cycle, scheme): (&Cycle, &Scheme),
    pairs: &[Pair],
) -> Result<usize, AppError> {
    use crate::mail::messages::{PairNudge, Recipient};
    let stuck = stuck_members(state, pairs).await?;
    let day = state.today().await?.to_string();
    let year = cycle.year().to_string();
    let mut emails = Vec::new();
    for n in &stuck {
        let Some(pair) = pairs.iter().find(|p| p.id == n.pair_id) else {
            continue;
        };
        let member = state.store.user(n.member).await?;
        let partner = pair
            .partner_of(n.member)
            .map(|(_, name)| name.to_string())
            .unwrap_or_default();
        let anchor = match n.kind {
            flipside_core::nudge::NudgeKind::Agreement => "agreement",
            flipside_core::nudge::NudgeKind::Meet => "meetings",
        };
        let link = state.settings.link(&format!("pairs/{}#{anchor}", pair.id));
        emails.push(
            PairNudge {
                pair_id: pair.id,
                member_id: n.member,
                kind: n.kind,
                day: &day,
                partner: &partner,
                scheme: &scheme.name,
                year: &year,
                link: &link,
            }
            .to(Recipient {
                name: &member.display_name,
                email: &member.email,
            }),
        );
    }
    let mut tx = state.store.begin().await?;
    let mut queued = 0;
    for e in &emails {
        if tx.enqueue_email(&e.as_new()).await? {
            queued += 1;
        }
    }
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "pairs_nudged",
        subject_kind: "cycle",
        subject_id: Some(cycle.id),
        detail: &format!(
            "{queued} emails queued, {} already sent today",
            emails.len() - queued
        ),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(queued)
}
