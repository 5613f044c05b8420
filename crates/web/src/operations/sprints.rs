//! Co-creation sprints (SPEC §3.11): creating one and moving it on, and each change to its
//! items (adding, commenting, supporting, promoting, deciding a proposal and keeping its
//! implementation status). Each is one transaction with its audit entry; none sends email.
//! The pages and the API check the form and ask the policy first; these only write.
//!
//! An entry's detail names ids, stages and outcomes, never the words people typed: a
//! decision's reasons or a comment are read on the sprint's page, not in the log.
use crate::error::AppError;
use crate::operations::cycles::Actor;
use crate::state::AppState;
use flipside_core::sprint::{Advance, Decision, Implementation, Stage};
use flipside_store::{NewAuditEntry, NewSprint, SprintItem, Tx};

/// What an audit entry of this area says: `action` on the sprint or item `subject_id`.
async fn audit(
    tx: &mut Tx,
    actor: Actor<'_>,
    action: &str,
    (subject_kind, subject_id): (&str, i64),
    detail: &str,
) -> Result<(), AppError> {
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action,
        subject_kind,
        subject_id: Some(subject_id),
        detail,
        address: actor.address,
    })
    .await?;
    Ok(())
}

/// Creates a checked sprint, collecting problems, by `actor`. Returns its id.
pub async fn create(
    state: &AppState,
    actor: Actor<'_>,
    new: NewSprint<'_>,
) -> Result<i64, AppError> {
    let faculty = new.faculty_id;
    let mut tx = state.store.begin().await?;
    let id = tx.create_sprint(new).await?;
    audit(
        &mut tx,
        actor,
        "sprint_created",
        ("sprint", id),
        &format!("faculty {faculty}"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Takes the step [`flipside_core::sprint::check_advance`] allowed from stage `from`: on to
/// the next stage, or closed (a conflict if another step overtook this one, or another close).
pub async fn advance(
    state: &AppState,
    actor: Actor<'_>,
    sprint_id: i64,
    from: Stage,
    step: Advance,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    match step {
        Advance::To(to) => {
            tx.set_sprint_stage(sprint_id, from.as_str(), to.as_str())
                .await?;
            audit(
                &mut tx,
                actor,
                "sprint_advanced",
                ("sprint", sprint_id),
                &format!("{} → {}", from.as_str(), to.as_str()),
            )
            .await?;
        }
        Advance::Close => {
            tx.close_sprint(sprint_id, from.as_str()).await?;
            audit(
                &mut tx,
                actor,
                "sprint_closed",
                ("sprint", sprint_id),
                &format!("after {}", from.as_str()),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Adds an item by `actor` in `stage` (the one the sprint is collecting, checked by the
/// caller). Returns its id.
pub async fn add_item(
    state: &AppState,
    actor: Actor<'_>,
    sprint_id: i64,
    stage: Stage,
    title: &str,
    body: &str,
) -> Result<i64, AppError> {
    let mut tx = state.store.begin().await?;
    let id = tx
        .add_sprint_item(sprint_id, stage.as_str(), title, body, actor.id)
        .await?;
    audit(
        &mut tx,
        actor,
        "sprint_item_added",
        ("sprint_item", id),
        &format!("sprint {sprint_id}, {}", stage.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds `actor`'s comment to an item. Returns the comment's id.
pub async fn comment(
    state: &AppState,
    actor: Actor<'_>,
    item: &SprintItem,
    body: &str,
) -> Result<i64, AppError> {
    let mut tx = state.store.begin().await?;
    let id = tx.add_sprint_comment(item.id, actor.id, body).await?;
    audit(
        &mut tx,
        actor,
        "sprint_item_commented",
        ("sprint_item", item.id),
        &format!("sprint {}, comment {id}", item.sprint_id),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Records `actor`'s support for an item (`true`) or withdraws it (`false`). Supporting twice,
/// or withdrawing support never given, changes nothing and so records nothing.
pub async fn support(
    state: &AppState,
    actor: Actor<'_>,
    item: &SprintItem,
    support: bool,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    let (changed, action) = if support {
        (
            tx.support_sprint_item(item.id, actor.id).await?,
            "sprint_item_supported",
        )
    } else {
        (
            tx.withdraw_sprint_support(item.id, actor.id).await?,
            "sprint_item_support_withdrawn",
        )
    };
    if changed {
        audit(
            &mut tx,
            actor,
            action,
            ("sprint_item", item.id),
            &format!("sprint {}", item.sprint_id),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Promotes an item to stage `to` (checked by the caller); an item promoted already is a
/// conflict. Returns the new item's id.
pub async fn promote(
    state: &AppState,
    actor: Actor<'_>,
    item: &SprintItem,
    to: Stage,
) -> Result<i64, AppError> {
    let mut tx = state.store.begin().await?;
    let id = tx.promote_sprint_item(item.id, to.as_str()).await?;
    audit(
        &mut tx,
        actor,
        "sprint_item_promoted",
        ("sprint_item", item.id),
        &format!("sprint {}, to {} as item {id}", item.sprint_id, to.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Decides a proposal (checked by the caller), an accepted one with its action and owner; a
/// proposal decided already is a conflict.
pub async fn decide(
    state: &AppState,
    actor: Actor<'_>,
    item: &SprintItem,
    decision: Decision,
    reasons: &str,
    action: Option<(&str, &str)>,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.decide_proposal(item.id, decision.as_str(), reasons, actor.id, action)
        .await?;
    audit(
        &mut tx,
        actor,
        "sprint_proposal_decided",
        ("sprint_item", item.id),
        &format!(
            "sprint {}, {}{}",
            item.sprint_id,
            decision.as_str(),
            if action.is_some() {
                ", with an action"
            } else {
                ""
            }
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Keeps an accepted proposal's implementation status.
pub async fn set_status(
    state: &AppState,
    actor: Actor<'_>,
    item: &SprintItem,
    status: Implementation,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.set_sprint_action_status(item.id, status.as_str())
        .await?;
    let before = item.action_status.as_ref().map_or("none", |s| s.as_str());
    audit(
        &mut tx,
        actor,
        "sprint_action_status_set",
        ("sprint_item", item.id),
        &format!("sprint {}, {before} → {}", item.sprint_id, status.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
