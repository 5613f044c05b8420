//! Pairs the coordinator allows across the same-School rule, one by one, each with a reason
//! (SPEC §3.3: "unless the coordinator allows"). Adding and removing one are audited by the
//! operation that calls these, in the same transaction.
use crate::pool::on_pool;
use crate::tx::on_tx;
use crate::{Result, Store, Tx, now};
use serde::Serialize;

/// A pair allowed across the same-School rule.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SameSchoolException {
    pub mentor_id: i64,
    pub mentor_name: String,
    pub mentee_id: i64,
    pub mentee_name: String,
    /// Why the coordinator allowed it.
    pub reason: String,
}

impl Store {
    /// The cycle's same-School exceptions, by mentor then mentee name.
    pub async fn same_school_exceptions_of(
        &self,
        cycle_id: i64,
    ) -> Result<Vec<SameSchoolException>> {
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, SameSchoolException>(
            "SELECT x.mentor_id, mr.display_name AS mentor_name, x.mentee_id, me.display_name AS mentee_name, x.reason
             FROM same_school_exceptions x JOIN users mr ON mr.id = x.mentor_id JOIN users me ON me.id = x.mentee_id
             WHERE x.cycle_id = $1 ORDER BY mr.display_name, me.display_name"
        ).bind(cycle_id).fetch_all(pool).await)?,
        )
    }
}

impl Tx {
    /// Allows the pair across the same-School rule with this reason (allowing it again
    /// replaces the reason).
    pub async fn allow_same_school_pair(
        &mut self,
        cycle_id: i64,
        (mentor_id, mentee_id): (i64, i64),
        reason: &str,
        allowed_by: i64,
    ) -> Result<()> {
        on_tx!(self, c => sqlx::query(
            "INSERT INTO same_school_exceptions (cycle_id, mentor_id, mentee_id, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (cycle_id, mentor_id, mentee_id) DO UPDATE SET reason = excluded.reason, created_by = excluded.created_by, created_at = excluded.created_at"
        ).bind(cycle_id).bind(mentor_id).bind(mentee_id).bind(reason).bind(allowed_by).bind(now())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Removes the exception; returns whether there was one.
    pub async fn remove_same_school_exception(
        &mut self,
        cycle_id: i64,
        (mentor_id, mentee_id): (i64, i64),
    ) -> Result<bool> {
        let n = on_tx!(self, c => sqlx::query(
            "DELETE FROM same_school_exceptions WHERE cycle_id = $1 AND mentor_id = $2 AND mentee_id = $3"
        ).bind(cycle_id).bind(mentor_id).bind(mentee_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
