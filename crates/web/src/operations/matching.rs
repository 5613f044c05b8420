//! Matching a cycle: the coordinator's weights and rules (do-not-pair, same-School exceptions),
//! each change audited, and publishing the pairs.
use crate::error::AppError;
use crate::mail::messages::{PairPublished, Recipient};
use crate::operations::cycles::Actor;
use crate::state::AppState;
use crate::webhooks::{self, Event};
use flipside_core::cycle_matching::{self, Candidate};
use flipside_core::matching::MatchedPair;
use flipside_store::{Cycle, MatchingSettings, NewAuditEntry, NewPair, PairStatus, Scheme};

/// Publishes pairs, all or none, with everything publishing means, in one transaction: the
/// pairs, the mentor role in the cycle for each student, the audit entry, and an email to both
/// members of each pair, and the webhook event. A crash at any point leaves either all of it or none of it. The
/// follow-ups cover every active pair of the cycle and are idempotent (a grant already held is
/// kept, an email's key queues it once). Returns how many pairs were published.
pub async fn publish(
    state: &AppState,
    actor: Actor<'_>,
    cycle: &Cycle,
    scheme: &Scheme,
    pairs: &[MatchedPair],
) -> Result<usize, AppError> {
    let new: Vec<NewPair> = pairs
        .iter()
        .filter_map(|p| {
            Some(NewPair {
                mentor_id: cycle_matching::user_of(&p.mentor)?,
                mentee_id: cycle_matching::user_of(&p.mentee)?,
                reason: p.explanation.summary.clone(),
                cost: p.cost.total,
            })
        })
        .collect();
    let mut tx = state.store.begin().await?;
    let ids = tx.publish_pairs(cycle.id, &new, Some(actor.id)).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "pairs_published",
        subject_kind: "cycle",
        subject_id: Some(cycle.id),
        detail: &format!("{} pair(s): ids {ids:?}", ids.len()),
        address: actor.address,
    })
    .await?;
    if !ids.is_empty() {
        webhooks::record(
            &mut tx,
            &state.settings,
            Event::PairsPublished {
                cycle_id: cycle.id,
                pair_ids: &ids,
            },
        )
        .await?;
    }
    let year = cycle.year().to_string();
    for pair in tx.pairs_of_cycle(cycle.id).await? {
        if pair.status() != PairStatus::Active {
            continue;
        }
        tx.grant_mentor_in_cycle(pair.mentor_id, cycle.id, Some(actor.id))
            .await?;
        let link = state.settings.link(&format!("pairs/{}", pair.id));
        for (member, partner, role) in [
            (pair.mentor_id, &pair.mentee_name, "mentor"),
            (pair.mentee_id, &pair.mentor_name, "mentee"),
        ] {
            let person = tx.user(member).await?;
            let email = PairPublished {
                pair_id: pair.id,
                role,
                partner,
                scheme: &scheme.name,
                year: &year,
                reason: &pair.reason,
                link: &link,
            }
            .to(Recipient {
                name: &person.display_name,
                email: &person.email,
            });
            tx.enqueue_email(&email.as_new()).await?;
        }
    }
    tx.commit().await?;
    Ok(new.len())
}

/// Allows one named pair across the same-School rule, with the reason, and audits it, in one
/// transaction.
pub async fn allow_same_school_pair(
    state: &AppState,
    actor: Actor<'_>,
    cycle: &Cycle,
    (mentor, mentee): (&Candidate, &Candidate),
    reason: &str,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.allow_same_school_pair(cycle.id, (mentor.user_id, mentee.user_id), reason, actor.id)
        .await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "same_school_pair_allowed",
        subject_kind: "cycle",
        subject_id: Some(cycle.id),
        detail: &format!(
            "mentor {} ({}) and mentee {} ({}) in {}: {reason}",
            mentor.name,
            mentor.user_id,
            mentee.name,
            mentee.user_id,
            mentor.school.as_deref().unwrap_or("a School not known")
        ),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a same-School exception and audits it, in one transaction; returns whether there
/// was one.
pub async fn remove_same_school_exception(
    state: &AppState,
    actor: Actor<'_>,
    cycle: &Cycle,
    (mentor_id, mentee_id): (i64, i64),
) -> Result<bool, AppError> {
    let mut tx = state.store.begin().await?;
    let removed = tx
        .remove_same_school_exception(cycle.id, (mentor_id, mentee_id))
        .await?;
    if removed {
        tx.audit(NewAuditEntry {
            actor_id: Some(actor.id),
            action: "same_school_pair_disallowed",
            subject_kind: "cycle",
            subject_id: Some(cycle.id),
            detail: &format!("mentor {mentor_id} and mentee {mentee_id}"),
            address: actor.address,
        })
        .await?;
    }
    tx.commit().await?;
    Ok(removed)
}

/// Keeps the cycle's weights and rules, with an audit entry saying what they are now, in one
/// transaction.
pub async fn save_settings(
    state: &AppState,
    actor: Actor<'_>,
    cycle_id: i64,
    settings: &MatchingSettings,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.save_matching_settings(cycle_id, settings).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "matching_settings_saved",
        subject_kind: "cycle",
        subject_id: Some(cycle_id),
        detail: &format!(
            "interests {}, availability {}, preferences {}, same School allowed {}, common availability required {}",
            settings.interests_weight,
            settings.availability_weight,
            settings.preferences_weight,
            settings.allow_same_school,
            settings.require_common_availability
        ),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a do-not-pair rule and audits it, in one transaction; a rule that already stands
/// changes nothing and records nothing.
pub async fn add_do_not_pair(
    state: &AppState,
    actor: Actor<'_>,
    cycle_id: i64,
    (mentor_id, mentee_id): (i64, i64),
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    if tx.add_do_not_pair(cycle_id, mentor_id, mentee_id).await? {
        tx.audit(NewAuditEntry {
            actor_id: Some(actor.id),
            action: "do_not_pair_added",
            subject_kind: "cycle",
            subject_id: Some(cycle_id),
            detail: &format!("mentor {mentor_id} and mentee {mentee_id}"),
            address: actor.address,
        })
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Removes a do-not-pair rule and audits it, in one transaction; returns whether there was
/// one (none: nothing recorded).
pub async fn remove_do_not_pair(
    state: &AppState,
    actor: Actor<'_>,
    cycle_id: i64,
    (mentor_id, mentee_id): (i64, i64),
) -> Result<bool, AppError> {
    let mut tx = state.store.begin().await?;
    let removed = tx
        .remove_do_not_pair(cycle_id, mentor_id, mentee_id)
        .await?;
    if removed {
        tx.audit(NewAuditEntry {
            actor_id: Some(actor.id),
            action: "do_not_pair_removed",
            subject_kind: "cycle",
            subject_id: Some(cycle_id),
            detail: &format!("mentor {mentor_id} and mentee {mentee_id}"),
            address: actor.address,
        })
        .await?;
        tx.commit().await?;
    }
    Ok(removed)
}
