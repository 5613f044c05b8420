//! Actions raised from a pair's conversations (SPEC §3.8): raising one tells its owner, and
//! each step its owner takes tells the person who raised it. The change, its audit entry and
//! the email commit together.
use crate::error::AppError;
use crate::mail::messages::{ActionMoved, ActionRaised, Recipient};
use crate::operations::cycles::Actor;
use crate::state::AppState;
use crate::webhooks::{self, Event};
use flipside_core::actions::ActionStatus;
use flipside_store::{FollowUpAction, NewAuditEntry, NewFollowUpAction, User};

/// The action on its pair's page.
fn action_link(state: &AppState, pair_id: i64, action_id: i64) -> String {
    state
        .settings
        .link(&format!("pairs/{pair_id}#action-{action_id}"))
}

fn recipient(u: &User) -> Recipient<'_> {
    Recipient {
        name: &u.display_name,
        email: &u.email,
    }
}

/// Raises an action for `owner`, audits it and emails the owner, in one transaction. An
/// anonymous action's email does not name who raised it. Returns the action's id.
pub async fn raise(
    state: &AppState,
    actor: Actor<'_>,
    raiser_name: &str,
    new: &NewFollowUpAction<'_>,
    owner: &User,
) -> Result<i64, AppError> {
    let mut tx = state.store.begin().await?;
    let id = tx.raise_action(new).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "action_raised",
        subject_kind: "action",
        subject_id: Some(id),
        detail: &format!(
            "pair {}{}",
            new.pair_id,
            if new.anonymous { ", anonymous" } else { "" }
        ),
        address: actor.address,
    })
    .await?;
    if owner.id != new.raised_by {
        let link = action_link(state, new.pair_id, id);
        let email = ActionRaised {
            action_id: id,
            title: new.title,
            raised_by: (!new.anonymous).then_some(raiser_name),
            link: &link,
        }
        .to(recipient(owner));
        tx.enqueue_email(&email.as_new()).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The owner moves an action from `from` to `to`: the step, its audit entry, the email to
/// whoever raised it and the webhook event, in one transaction.
pub async fn move_on(
    state: &AppState,
    actor: Actor<'_>,
    action: &FollowUpAction,
    (from, to): (ActionStatus, ActionStatus),
    reason: &str,
    raiser: &User,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.move_action(action.id, from, to, reason).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "action_moved",
        subject_kind: "action",
        subject_id: Some(action.id),
        detail: &format!("{} → {}", from.as_str(), to.as_str()),
        address: actor.address,
    })
    .await?;
    webhooks::record(
        &mut tx,
        &state.settings,
        Event::ActionStatusChanged {
            action_id: action.id,
            pair_id: action.pair_id,
            from: from.as_str(),
            to: to.as_str(),
        },
    )
    .await?;
    if raiser.id != actor.id {
        let link = action_link(state, action.pair_id, action.id);
        let email = ActionMoved {
            action_id: action.id,
            title: &action.title,
            status_key: to.as_str(),
            status: to.label(),
            owner: &action.owner_name,
            reason: if to == ActionStatus::Declined {
                reason.trim()
            } else {
                ""
            },
            link: &link,
        }
        .to(recipient(raiser));
        tx.enqueue_email(&email.as_new()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The owner attaches evidence of change to an action, with its audit entry (which names the
/// evidence, not its words), in one transaction. Returns the evidence's id.
pub async fn add_evidence(
    state: &AppState,
    actor: Actor<'_>,
    action_id: i64,
    (body, link): (&str, &str),
) -> Result<i64, AppError> {
    let mut tx = state.store.begin().await?;
    let id = tx.add_evidence(action_id, actor.id, body, link).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "action_evidence_added",
        subject_kind: "action",
        subject_id: Some(action_id),
        detail: &format!("evidence {id}"),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}
