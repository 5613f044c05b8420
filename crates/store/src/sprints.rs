//! Design sprints (SPEC §3.11): sprints per faculty, their items stage by stage, comments,
//! support, and the decision and action of each proposal.
//!
//! Every write is a [`Tx`] method, so that the page's operation commits it with its audit
//! entry; the [`Store`] method of the same name runs it in a transaction of its own, for the
//! demo and tests that set a sprint up.
use crate::decoded::Decoded;
use crate::error::{OrNotFound, StoreError};
use crate::pool::on_pool;
use crate::tx::{Tx, on_tx};
use crate::{Result, Store, now};
use chrono::{DateTime, Utc};
use flipside_core::sprint::{Decision, Implementation, SprintState, Stage};
use serde::Serialize;

/// A sprint with its faculty's name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Sprint {
    pub id: i64,
    pub faculty_id: i64,
    pub faculty_name: String,
    pub title: String,
    pub question: String,
    pub starts_on: String,
    pub ends_on: String,
    pub stage: Decoded<Stage>,
    pub state: Decoded<SprintState>,
    pub created_at: DateTime<Utc>,
}

/// A sprint about to be created (already validated).
#[derive(Debug, Clone)]
pub struct NewSprint<'a> {
    pub faculty_id: i64,
    pub title: &'a str,
    pub question: &'a str,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub created_by: Option<i64>,
}

/// One problem, idea or proposal, with its support count, what became of it, and (for an
/// accepted proposal) its action.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SprintItem {
    pub id: i64,
    pub sprint_id: i64,
    pub stage: Decoded<Stage>,
    pub title: String,
    pub body: String,
    pub author_id: i64,
    pub author_name: String,
    pub parent_id: Option<i64>,
    /// The item this one was promoted to, if any.
    pub promoted_to: Option<i64>,
    pub supporters: i64,
    pub decision: Option<Decoded<Decision>>,
    pub decision_reasons: String,
    pub decided_by_name: Option<String>,
    pub action_title: Option<String>,
    pub action_owner: Option<String>,
    pub action_status: Option<Decoded<Implementation>>,
    pub created_at: DateTime<Utc>,
}

/// A comment on an item.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SprintComment {
    pub id: i64,
    pub item_id: i64,
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

const SPRINT_SELECT: &str = "SELECT s.id, s.faculty_id, f.name AS faculty_name, s.title, s.question, s.starts_on, s.ends_on, s.stage, s.state, s.created_at FROM sprints s JOIN faculties f ON f.id = s.faculty_id";

const ITEM_SELECT: &str = "SELECT i.id, i.sprint_id, i.stage, i.title, i.body, i.author_id, u.display_name AS author_name, i.parent_id,
    (SELECT c.id FROM sprint_items c WHERE c.parent_id = i.id) AS promoted_to,
    (SELECT COUNT(*) FROM sprint_supports p WHERE p.item_id = i.id) AS supporters,
    i.decision, i.decision_reasons, d.display_name AS decided_by_name,
    a.title AS action_title, a.owner AS action_owner, a.status AS action_status, i.created_at
    FROM sprint_items i JOIN users u ON u.id = i.author_id
    LEFT JOIN users d ON d.id = i.decided_by
    LEFT JOIN sprint_actions a ON a.item_id = i.id";

impl Store {
    /// [`Tx::create_sprint`] in a transaction of its own (the demo and tests).
    pub async fn create_sprint(&self, new: NewSprint<'_>) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = tx.create_sprint(new).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every sprint, by faculty, newest first within each.
    pub async fn sprints(&self) -> Result<Vec<Sprint>> {
        let sql = format!("{SPRINT_SELECT} ORDER BY f.name, s.starts_on DESC, s.id DESC");
        Ok(on_pool!(self, pool => sqlx::query_as::<_, Sprint>(&sql).fetch_all(pool).await)?)
    }

    /// The sprint with this title in this faculty, if any (the demo reuses it).
    pub async fn sprint_titled(&self, faculty_id: i64, title: &str) -> Result<Option<Sprint>> {
        let sql = format!("{SPRINT_SELECT} WHERE s.faculty_id = $1 AND s.title = $2");
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Sprint>(&sql).bind(faculty_id).bind(title).fetch_optional(pool).await)?,
        )
    }

    pub async fn sprint(&self, id: i64) -> Result<Sprint> {
        let sql = format!("{SPRINT_SELECT} WHERE s.id = $1");
        on_pool!(self, pool => sqlx::query_as::<_, Sprint>(&sql).bind(id).fetch_optional(pool).await)
            .or_not_found()
    }

    /// [`Tx::set_sprint_stage`] in a transaction of its own (the demo).
    pub async fn set_sprint_stage(&self, id: i64, from: &str, to: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.set_sprint_stage(id, from, to).await?;
        tx.commit().await
    }

    pub async fn sprint_items(&self, sprint_id: i64) -> Result<Vec<SprintItem>> {
        let sql = format!("{ITEM_SELECT} WHERE i.sprint_id = $1 ORDER BY i.id");
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, SprintItem>(&sql).bind(sprint_id).fetch_all(pool).await)?,
        )
    }

    pub async fn sprint_item(&self, id: i64) -> Result<SprintItem> {
        let sql = format!("{ITEM_SELECT} WHERE i.id = $1");
        on_pool!(self, pool => sqlx::query_as::<_, SprintItem>(&sql).bind(id).fetch_optional(pool).await)
            .or_not_found()
    }

    /// [`Tx::add_sprint_item`] in a transaction of its own (the demo and tests).
    pub async fn add_sprint_item(
        &self,
        sprint_id: i64,
        stage: &str,
        title: &str,
        body: &str,
        author_id: i64,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = tx
            .add_sprint_item(sprint_id, stage, title, body, author_id)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// [`Tx::promote_sprint_item`] in a transaction of its own (the demo).
    pub async fn promote_sprint_item(&self, item_id: i64, to: &str) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = tx.promote_sprint_item(item_id, to).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn sprint_comments(&self, sprint_id: i64) -> Result<Vec<SprintComment>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, SprintComment>(
            "SELECT c.id, c.item_id, u.display_name AS author_name, c.body, c.created_at
             FROM sprint_comments c JOIN sprint_items i ON i.id = c.item_id JOIN users u ON u.id = c.author_id
             WHERE i.sprint_id = $1 ORDER BY c.id"
        ).bind(sprint_id).fetch_all(pool).await)?)
    }

    /// [`Tx::add_sprint_comment`] in a transaction of its own (the demo).
    pub async fn add_sprint_comment(
        &self,
        item_id: i64,
        author_id: i64,
        body: &str,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = tx.add_sprint_comment(item_id, author_id, body).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// [`Tx::support_sprint_item`] in a transaction of its own (the demo).
    pub async fn support_sprint_item(&self, item_id: i64, user_id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.support_sprint_item(item_id, user_id).await?;
        tx.commit().await
    }

    /// [`Tx::withdraw_sprint_support`] in a transaction of its own.
    pub async fn withdraw_sprint_support(&self, item_id: i64, user_id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.withdraw_sprint_support(item_id, user_id).await?;
        tx.commit().await
    }

    /// The items of a sprint this person supports.
    pub async fn sprint_supported_by(&self, sprint_id: i64, user_id: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT p.item_id FROM sprint_supports p JOIN sprint_items i ON i.id = p.item_id WHERE i.sprint_id = $1 AND p.user_id = $2"
        ).bind(sprint_id).bind(user_id).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// [`Tx::decide_proposal`] in a transaction of its own (the demo and tests).
    pub async fn decide_proposal(
        &self,
        item_id: i64,
        decision: &str,
        reasons: &str,
        decided_by: i64,
        action: Option<(&str, &str)>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.decide_proposal(item_id, decision, reasons, decided_by, action)
            .await?;
        tx.commit().await
    }

    /// [`Tx::set_sprint_action_status`] in a transaction of its own (the demo).
    pub async fn set_sprint_action_status(&self, item_id: i64, status: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.set_sprint_action_status(item_id, status).await?;
        tx.commit().await
    }
}

impl Tx {
    /// Creates a sprint, collecting problems.
    pub async fn create_sprint(&mut self, new: NewSprint<'_>) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO sprints (faculty_id, title, question, starts_on, ends_on, stage, state, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, 'problems', 'open', $6, $7) RETURNING id"
        ).bind(new.faculty_id).bind(new.title).bind(new.question).bind(new.starts_on).bind(new.ends_on)
            .bind(new.created_by).bind(now()).fetch_one(&mut *c).await)?;
        Ok(id)
    }

    /// Moves the sprint from stage `from` to `to`; a conflict when it is no longer in `from`.
    pub async fn set_sprint_stage(&mut self, id: i64, from: &str, to: &str) -> Result<()> {
        let n = on_tx!(self, c => sqlx::query("UPDATE sprints SET stage = $1 WHERE id = $2 AND stage = $3")
            .bind(to).bind(id).bind(from).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::Conflict(
                "The sprint has already moved on; reload the page.".into(),
            ));
        }
        Ok(())
    }

    /// Closes a sprint that is open at `stage`, as its closer read it; a conflict when it has
    /// been closed or moved on since (two closes at once close it once).
    pub async fn close_sprint(&mut self, id: i64, stage: &str) -> Result<()> {
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE sprints SET state = $1 WHERE id = $2 AND state = $3 AND stage = $4"
        ).bind(SprintState::Closed.as_str()).bind(id).bind(SprintState::Open.as_str()).bind(stage)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::Conflict(
                "The sprint has already been closed or moved on; reload the page.".into(),
            ));
        }
        Ok(())
    }

    pub async fn add_sprint_item(
        &mut self,
        sprint_id: i64,
        stage: &str,
        title: &str,
        body: &str,
        author_id: i64,
    ) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO sprint_items (sprint_id, stage, title, body, author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        ).bind(sprint_id).bind(stage).bind(title).bind(body).bind(author_id).bind(now()).fetch_one(&mut *c).await)?;
        Ok(id)
    }

    /// Copies an item into stage `to`, pointing back at it. An item is promoted once.
    pub async fn promote_sprint_item(&mut self, item_id: i64, to: &str) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO sprint_items (sprint_id, stage, title, body, author_id, parent_id, created_at)
             SELECT sprint_id, $1, title, body, author_id, id, $2 FROM sprint_items WHERE id = $3 RETURNING id"
        ).bind(to).bind(now()).bind(item_id).fetch_one(&mut *c).await)
            .map_err(|e| StoreError::unique(e, "This item has already been promoted."))?;
        Ok(id)
    }

    pub async fn add_sprint_comment(
        &mut self,
        item_id: i64,
        author_id: i64,
        body: &str,
    ) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO sprint_comments (item_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
        ).bind(item_id).bind(author_id).bind(body).bind(now()).fetch_one(&mut *c).await)?;
        Ok(id)
    }

    /// Records one person's support for an item; supporting twice changes nothing. Returns
    /// whether the support is new.
    pub async fn support_sprint_item(&mut self, item_id: i64, user_id: i64) -> Result<bool> {
        let n = on_tx!(self, c => sqlx::query(
            "INSERT INTO sprint_supports (item_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (item_id, user_id) DO NOTHING"
        ).bind(item_id).bind(user_id).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Withdraws one person's support for an item. Returns whether there was any to withdraw.
    pub async fn withdraw_sprint_support(&mut self, item_id: i64, user_id: i64) -> Result<bool> {
        let n = on_tx!(self, c => sqlx::query("DELETE FROM sprint_supports WHERE item_id = $1 AND user_id = $2")
            .bind(item_id).bind(user_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Decides a proposal once; an accepted one gets its action (title, owner) at
    /// `not_started`. A proposal already decided is a conflict and nothing changes.
    pub async fn decide_proposal(
        &mut self,
        item_id: i64,
        decision: &str,
        reasons: &str,
        decided_by: i64,
        action: Option<(&str, &str)>,
    ) -> Result<()> {
        let at = now();
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE sprint_items SET decision = $1, decision_reasons = $2, decided_by = $3, decided_at = $4
             WHERE id = $5 AND stage = 'proposals' AND decision IS NULL"
        ).bind(decision).bind(reasons).bind(decided_by).bind(at).bind(item_id)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::Conflict(
                "This proposal has already been decided.".into(),
            ));
        }
        if let Some((title, owner)) = action {
            on_tx!(self, c => sqlx::query("INSERT INTO sprint_actions (item_id, title, owner, status, updated_at) VALUES ($1, $2, $3, 'not_started', $4)")
                .bind(item_id).bind(title).bind(owner).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    /// Sets the implementation status of an accepted proposal's action.
    pub async fn set_sprint_action_status(&mut self, item_id: i64, status: &str) -> Result<()> {
        let n = on_tx!(self, c => sqlx::query("UPDATE sprint_actions SET status = $1, updated_at = $2 WHERE item_id = $3")
            .bind(status).bind(now()).bind(item_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
