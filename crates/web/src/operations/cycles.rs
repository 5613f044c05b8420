//! Operations on a scheme's cycles.
use crate::error::AppError;
use crate::state::AppState;
use flipside_core::cycle::CycleState;
use flipside_store::{NewAuditEntry, PairStatus};

/// Who is acting, and from where (for the audit log).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub id: i64,
    pub address: &'a str,
}

impl<'a> Actor<'a> {
    /// The signed-in person acting from `address`.
    pub fn of(user: &crate::auth::CurrentUser, address: &'a str) -> Actor<'a> {
        Actor {
            id: user.id(),
            address,
        }
    }
}

/// Moves a cycle from `from` to `to`: the state change, its recorded event, the pairs it
/// closes (closing) and the audit entry, in one transaction. Closing records the pairs the
/// coordinator named in `ended_early` as ended early, then every other active pair as
/// completed if it ever met and as ended early if not. Returns how many pairs were completed
/// and how many ended early by this step.
pub async fn transition(
    state: &AppState,
    actor: Actor<'_>,
    id: i64,
    (from, to): (CycleState, CycleState),
    ended_early: &[i64],
) -> Result<(u64, u64), AppError> {
    let mut tx = state.store.begin().await?;
    let mut active = 0;
    if to.completes_active_pairs() {
        for pair in tx.pairs_of_cycle(id).await? {
            if pair.status() != PairStatus::Active {
                continue;
            }
            active += 1;
            if ended_early.contains(&pair.id) {
                tx.end_pair_early(pair.id, "Recorded as ended early when the cycle closed.")
                    .await?;
            }
        }
    }
    let completed = tx.transition_cycle(id, from, to, Some(actor.id)).await?;
    // Every pair active before closing is now completed or ended early.
    let ended = active - completed;
    let detail = if to.completes_active_pairs() {
        format!("{from} → {to}; {completed} pair(s) completed, {ended} ended early")
    } else {
        format!("{from} → {to}")
    };
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "cycle_state_changed",
        subject_kind: "cycle",
        subject_id: Some(id),
        detail: &detail,
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok((completed, ended))
}

/// Saves a cycle's meeting plan, expectations and hours target with its audit entry, in one
/// transaction (the plan page and the API). A closed cycle keeps its plan: a conflict.
pub async fn update_plan(
    state: &AppState,
    actor: Actor<'_>,
    id: i64,
    framework: &flipside_core::framework::Framework,
    hours_target: i64,
) -> Result<(), AppError> {
    let json = serde_json::to_string(framework).map_err(AppError::internal)?;
    let mut tx = state.store.begin().await?;
    tx.update_cycle_plan(id, &json, hours_target).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "meeting_plan_updated",
        subject_kind: "cycle",
        subject_id: Some(id),
        detail: &format!(
            "{} sessions, {} expectations, {hours_target} hours",
            framework.sessions.len(),
            framework.expectations.len()
        ),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
