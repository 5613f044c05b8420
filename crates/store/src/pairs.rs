//! Reverse-mentoring pairs (SPEC §3.3): published by the coordinator, ended early with a
//! reason, completed at the end of the cycle.
use crate::decoded::Decoded;
use crate::error::{OrNotFound, StoreError};
use crate::pool::on_pool;
use crate::tx::on_tx;
use crate::{Result, Store, Tx, now};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Where a pair stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PairStatus {
    Active,
    Completed,
    EndedEarly,
}

impl PairStatus {
    pub const ALL: [PairStatus; 3] = [
        PairStatus::Active,
        PairStatus::Completed,
        PairStatus::EndedEarly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PairStatus::Active => "active",
            PairStatus::Completed => "completed",
            PairStatus::EndedEarly => "ended_early",
        }
    }

    pub fn parse(s: &str) -> Option<PairStatus> {
        PairStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            PairStatus::Active => "Active",
            PairStatus::Completed => "Completed",
            PairStatus::EndedEarly => "Ended early",
        }
    }
}

/// A student mentor and a staff mentee in one cycle.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Pair {
    pub id: i64,
    pub cycle_id: i64,
    pub mentor_id: i64,
    pub mentor_name: String,
    pub mentee_id: i64,
    pub mentee_name: String,
    pub status: Decoded<PairStatus>,
    pub reason: String,
    pub cost: i64,
    pub ended_reason: String,
    pub ended_at: Option<DateTime<Utc>>,
    pub published_at: DateTime<Utc>,
}

impl Pair {
    pub fn status(&self) -> PairStatus {
        self.status.get()
    }

    /// Takes part in this pair.
    pub fn has_member(&self, user_id: i64) -> bool {
        self.mentor_id == user_id || self.mentee_id == user_id
    }

    /// The other member, seen from `user_id`.
    pub fn partner_of(&self, user_id: i64) -> Option<(i64, &str)> {
        if user_id == self.mentor_id {
            Some((self.mentee_id, &self.mentee_name))
        } else if user_id == self.mentee_id {
            Some((self.mentor_id, &self.mentor_name))
        } else {
            None
        }
    }
}

/// A pair about to be published.
#[derive(Debug, Clone)]
pub struct NewPair {
    pub mentor_id: i64,
    pub mentee_id: i64,
    pub reason: String,
    pub cost: i64,
}

/// How many of a cycle's pairs stand in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PairCounts {
    /// Every pair ever published (matched).
    pub matched: i64,
    pub active: i64,
    pub completed: i64,
    pub ended_early: i64,
}

impl PairCounts {
    /// Each pair counted once, in words: "3 pairs: 2 completed, 1 ended early."
    pub fn in_words(&self) -> String {
        flipside_core::cycle::pairs_in_words(self.active, self.completed, self.ended_early)
    }
}

const PAIR_COLUMNS: &str = "p.id, p.cycle_id, p.mentor_id, mr.display_name AS mentor_name, p.mentee_id, me.display_name AS mentee_name, p.status, p.reason, p.cost, p.ended_reason, p.ended_at, p.published_at";
const PAIR_FROM: &str =
    "pairs p JOIN users mr ON mr.id = p.mentor_id JOIN users me ON me.id = p.mentee_id";

impl Store {
    pub async fn pair(&self, id: i64) -> Result<Pair> {
        let sql = format!("SELECT {PAIR_COLUMNS} FROM {PAIR_FROM} WHERE p.id = $1");
        on_pool!(self, pool => sqlx::query_as::<_, Pair>(&sql).bind(id).fetch_optional(pool).await)
            .or_not_found()
    }

    /// A cycle's pairs, in the order they were published.
    pub async fn pairs_of_cycle(&self, cycle_id: i64) -> Result<Vec<Pair>> {
        let sql =
            format!("SELECT {PAIR_COLUMNS} FROM {PAIR_FROM} WHERE p.cycle_id = $1 ORDER BY p.id");
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Pair>(&sql).bind(cycle_id).fetch_all(pool).await)?,
        )
    }

    /// Every pair a person is (or was) in, newest first.
    pub async fn pairs_of_user(&self, user_id: i64) -> Result<Vec<Pair>> {
        let sql = format!(
            "SELECT {PAIR_COLUMNS} FROM {PAIR_FROM} WHERE p.mentor_id = $1 OR p.mentee_id = $1 ORDER BY p.id DESC"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Pair>(&sql).bind(user_id).fetch_all(pool).await)?,
        )
    }

    /// Matched / active / completed / ended-early counts for a cycle.
    pub async fn pair_counts(&self, cycle_id: i64) -> Result<PairCounts> {
        let rows: Vec<(Decoded<PairStatus>, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT status, COUNT(*) FROM pairs WHERE cycle_id = $1 GROUP BY status"
        ).bind(cycle_id).fetch_all(pool).await)?;
        let mut counts = PairCounts::default();
        for (status, n) in rows {
            counts.matched += n;
            match status.get() {
                PairStatus::Active => counts.active += n,
                PairStatus::Completed => counts.completed += n,
                PairStatus::EndedEarly => counts.ended_early += n,
            }
        }
        Ok(counts)
    }

    /// Ends an active pair early on its own (set-up; the coordinator's page does it in one
    /// transaction with its audit entry and leavers, with [`Tx::end_pair_early`]).
    pub async fn end_pair_early(&self, pair_id: i64, reason: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.end_pair_early(pair_id, reason).await?;
        tx.commit().await
    }
}

impl Tx {
    /// A pair as this transaction sees it.
    pub async fn pair(&mut self, id: i64) -> Result<Pair> {
        let sql = format!("SELECT {PAIR_COLUMNS} FROM {PAIR_FROM} WHERE p.id = $1");
        on_tx!(self, c => sqlx::query_as::<_, Pair>(&sql).bind(id).fetch_optional(&mut *c).await)
            .or_not_found()
    }

    /// Ends an active pair early with the coordinator's reason. A pair no longer active is a
    /// conflict.
    pub async fn end_pair_early(&mut self, pair_id: i64, reason: &str) -> Result<()> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE pairs SET status = $1, ended_reason = $2, ended_at = $3 WHERE id = $4 AND status = $5"
        ).bind(PairStatus::EndedEarly.as_str()).bind(reason).bind(now()).bind(pair_id).bind(PairStatus::Active.as_str())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            self.pair(pair_id).await?;
            return Err(StoreError::Conflict(
                "only an active pair can end early".into(),
            ));
        }
        Ok(())
    }

    /// Publishes pairs in one transaction, all or none. A person already in a live pair of the
    /// cycle makes the whole publication fail with a conflict naming nobody's private data.
    pub async fn publish_pairs(
        &mut self,
        cycle_id: i64,
        pairs: &[NewPair],
        actor_id: Option<i64>,
    ) -> Result<Vec<i64>> {
        let at = now();
        let mut ids = Vec::with_capacity(pairs.len());
        for p in pairs {
            // Mapped at the statement: a `?` inside the block returns from the function.
            let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
                "INSERT INTO pairs (cycle_id, mentor_id, mentee_id, status, reason, cost, published_by, published_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
                .bind(cycle_id).bind(p.mentor_id).bind(p.mentee_id).bind(PairStatus::Active.as_str())
                .bind(&p.reason).bind(p.cost).bind(actor_id).bind(at)
                .fetch_one(&mut *c).await)
                .map_err(|e| StoreError::unique(e, "someone in these pairs is already in a live pair of this cycle"))?;
            ids.push(id);
        }
        Ok(ids)
    }

    /// A cycle's pairs as this transaction sees them, in the order they were published.
    pub async fn pairs_of_cycle(&mut self, cycle_id: i64) -> Result<Vec<Pair>> {
        let sql =
            format!("SELECT {PAIR_COLUMNS} FROM {PAIR_FROM} WHERE p.cycle_id = $1 ORDER BY p.id");
        Ok(
            on_tx!(self, c => sqlx::query_as::<_, Pair>(&sql).bind(cycle_id).fetch_all(&mut *c).await)?,
        )
    }

    /// Records how a closing cycle's active pairs ended: a pair that held at least one meeting
    /// is completed, one that never met ended early
    /// ([`flipside_core::cycle::PairRecord::may_complete`]). The coordinator's own choices of
    /// "ended early" are applied first, in the same transaction ([`Tx::end_pair_early`]).
    /// Returns (completed, ended early).
    pub async fn close_active_pairs(&mut self, cycle_id: i64) -> Result<(u64, u64)> {
        let at = now();
        let held = flipside_core::meetings::MeetingStatus::Held.as_str();
        let completed = on_tx!(self, c => sqlx::query(
            "UPDATE pairs SET status = $1, ended_at = $2 WHERE cycle_id = $3 AND status = $4
             AND EXISTS (SELECT 1 FROM meetings m WHERE m.pair_id = pairs.id AND m.status = $5)"
        ).bind(PairStatus::Completed.as_str()).bind(at).bind(cycle_id).bind(PairStatus::Active.as_str()).bind(held)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        let ended = on_tx!(self, c => sqlx::query(
            "UPDATE pairs SET status = $1, ended_reason = $2, ended_at = $3 WHERE cycle_id = $4 AND status = $5"
        ).bind(PairStatus::EndedEarly.as_str()).bind("The pair never met before the cycle closed.").bind(at)
            .bind(cycle_id).bind(PairStatus::Active.as_str())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok((completed, ended))
    }

    /// Marks every active pair of a cycle completed, met or not. Returns how many. Only
    /// seeding a past cycle's history uses it; closing a cycle uses
    /// [`Tx::close_active_pairs`].
    pub async fn complete_active_pairs(&mut self, cycle_id: i64) -> Result<u64> {
        Ok(on_tx!(self, c => sqlx::query(
            "UPDATE pairs SET status = $1, ended_at = $2 WHERE cycle_id = $3 AND status = $4"
        ).bind(PairStatus::Completed.as_str()).bind(now()).bind(cycle_id).bind(PairStatus::Active.as_str())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?)
    }
}
