//! Actions raised from pairs' conversations and the evidence of what changed (SPEC §3.8).
//! The state machine is `flipside_core::actions`; an update applies only if the action is
//! still in the state the page showed, so two clicks at once cannot skip a step.
use crate::decoded::Decoded;
use crate::error::{OrNotFound, StoreError};
use crate::pool::on_pool;
use crate::tx::{Tx, on_tx};
use crate::{Result, Store, now};
use chrono::{DateTime, Utc};
use flipside_core::actions::ActionStatus;
use serde::Serialize;
use std::collections::HashMap;

/// An action raised in a pair.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FollowUpAction {
    pub id: i64,
    pub pair_id: i64,
    pub cycle_id: i64,
    pub raised_by: i64,
    /// The raiser's name: show it only where `policy::action_raiser_name` allows.
    pub raiser_name: String,
    pub anonymous: bool,
    pub owner_id: i64,
    pub owner_name: String,
    pub title: String,
    pub description: String,
    pub status: Decoded<ActionStatus>,
    pub declined_reason: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FollowUpAction {
    pub fn status(&self) -> ActionStatus {
        self.status.get()
    }
}

/// An action about to be raised.
#[derive(Debug, Clone)]
pub struct NewFollowUpAction<'a> {
    pub pair_id: i64,
    pub cycle_id: i64,
    pub raised_by: i64,
    pub anonymous: bool,
    pub owner_id: i64,
    pub title: &'a str,
    pub description: &'a str,
}

/// Evidence attached to an action.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Evidence {
    pub id: i64,
    pub action_id: i64,
    pub added_by: i64,
    pub body: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
}

const ACTION_COLUMNS: &str = "a.id, a.pair_id, a.cycle_id, a.raised_by, r.display_name AS raiser_name, a.anonymous, a.owner_id, o.display_name AS owner_name, a.title, a.description, a.status, a.declined_reason, a.created_at, a.updated_at";
const EVIDENCE_COLUMNS: &str = "e.id, e.action_id, e.added_by, e.body, e.link, e.created_at";
const ACTION_FROM: &str =
    "follow_up_actions a JOIN users r ON r.id = a.raised_by JOIN users o ON o.id = a.owner_id";

impl Store {
    /// [`Tx::raise_action`] in a transaction of its own (the demo; the page raises it with its
    /// audit entry and email).
    pub async fn raise_action(&self, new: &NewFollowUpAction<'_>) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = tx.raise_action(new).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn follow_up_action(&self, id: i64) -> Result<FollowUpAction> {
        let sql = format!("SELECT {ACTION_COLUMNS} FROM {ACTION_FROM} WHERE a.id = $1");
        on_pool!(self, pool => sqlx::query_as::<_, FollowUpAction>(&sql).bind(id).fetch_optional(pool).await)
            .or_not_found()
    }

    /// A pair's actions, oldest first.
    pub async fn actions_of_pair(&self, pair_id: i64) -> Result<Vec<FollowUpAction>> {
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM {ACTION_FROM} WHERE a.pair_id = $1 ORDER BY a.id"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, FollowUpAction>(&sql).bind(pair_id).fetch_all(pool).await)?,
        )
    }

    /// Every action raised in any cycle of a scheme, newest first.
    pub async fn actions_of_scheme(&self, scheme_id: i64) -> Result<Vec<FollowUpAction>> {
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM {ACTION_FROM} JOIN cycles c ON c.id = a.cycle_id WHERE c.scheme_id = $1 ORDER BY a.id DESC"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, FollowUpAction>(&sql).bind(scheme_id).fetch_all(pool).await)?,
        )
    }

    /// [`Tx::move_action`] in a transaction of its own (the demo).
    pub async fn move_action(
        &self,
        id: i64,
        from: ActionStatus,
        to: ActionStatus,
        reason: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.move_action(id, from, to, reason).await?;
        tx.commit().await
    }

    /// [`Tx::add_evidence`] in a transaction of its own (the demo).
    pub async fn add_evidence(
        &self,
        action_id: i64,
        added_by: i64,
        body: &str,
        link: &str,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = tx.add_evidence(action_id, added_by, body, link).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An action's evidence, oldest first.
    pub async fn evidence_of(&self, action_id: i64) -> Result<Vec<Evidence>> {
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS} FROM action_evidence e WHERE e.action_id = $1 ORDER BY e.id"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Evidence>(&sql).bind(action_id).fetch_all(pool).await)?,
        )
    }

    /// The evidence of every action raised in a pair, by action, oldest first.
    pub(crate) async fn evidence_of_pair(
        &self,
        pair_id: i64,
    ) -> Result<HashMap<i64, Vec<Evidence>>> {
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS} FROM action_evidence e JOIN follow_up_actions a ON a.id = e.action_id
             WHERE a.pair_id = $1 ORDER BY e.id"
        );
        let rows = on_pool!(self, pool => sqlx::query_as::<_, Evidence>(&sql).bind(pair_id).fetch_all(pool).await)?;
        let mut by_action: HashMap<i64, Vec<Evidence>> = HashMap::new();
        for e in rows {
            by_action.entry(e.action_id).or_default().push(e);
        }
        Ok(by_action)
    }
}

impl Tx {
    /// Attaches evidence to an action.
    pub async fn add_evidence(
        &mut self,
        action_id: i64,
        added_by: i64,
        body: &str,
        link: &str,
    ) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO action_evidence (action_id, added_by, body, link, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
        ).bind(action_id).bind(added_by).bind(body).bind(link).bind(now()).fetch_one(&mut *c).await)?;
        Ok(id)
    }

    /// Raises an action, proposed to its owner.
    pub async fn raise_action(&mut self, new: &NewFollowUpAction<'_>) -> Result<i64> {
        let at = now();
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO follow_up_actions (pair_id, cycle_id, raised_by, anonymous, owner_id, title, description, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id"
        ).bind(new.pair_id).bind(new.cycle_id).bind(new.raised_by).bind(new.anonymous).bind(new.owner_id)
            .bind(new.title).bind(new.description).bind(ActionStatus::Proposed.as_str()).bind(at)
            .fetch_one(&mut *c).await)?;
        Ok(id)
    }

    /// Moves an action from `from` to `to` (checked by the state machine); a declined action
    /// keeps its reason. An action no longer in `from` is a conflict.
    pub async fn move_action(
        &mut self,
        id: i64,
        from: ActionStatus,
        to: ActionStatus,
        reason: &str,
    ) -> Result<()> {
        from.transition(to, reason)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let reason = if to == ActionStatus::Declined {
            reason.trim()
        } else {
            ""
        };
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE follow_up_actions SET status = $1, declined_reason = $2, updated_at = $3 WHERE id = $4 AND status = $5"
        ).bind(to.as_str()).bind(reason).bind(now()).bind(id).bind(from.as_str())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            let (exists,): (i64,) = on_tx!(self, c => sqlx::query_as("SELECT COUNT(*) FROM follow_up_actions WHERE id = $1")
                .bind(id).fetch_one(&mut *c).await)?;
            if exists == 0 {
                return Err(StoreError::NotFound);
            }
            return Err(StoreError::Conflict(
                "The action has changed since the page was loaded; reload and try again.".into(),
            ));
        }
        Ok(())
    }
}
