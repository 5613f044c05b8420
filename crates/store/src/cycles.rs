//! Cycles and their recorded state changes.
use crate::decoded::Decoded;
use crate::error::StoreError;
use crate::pool::on_pool;
use crate::tx::on_tx;
use crate::versions::Versioned;
use crate::{Result, Store, Tx, now};
use chrono::{DateTime, Utc};
use flipside_core::cycle::{AcademicYear, CycleState};
use serde::Serialize;

/// One academic year of a scheme.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Cycle {
    pub id: i64,
    pub scheme_id: i64,
    /// The calendar year the academic year starts in.
    pub academic_year: i64,
    pub state: Decoded<CycleState>,
    pub hours_target: i64,
    /// The framework as JSON ([`flipside_core::framework::Framework`]).
    pub framework: String,
    pub copied_from: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl Cycle {
    pub fn year(&self) -> AcademicYear {
        AcademicYear::from_start_year(self.academic_year as i32)
    }

    /// The stored state. It was decoded when the row was fetched (a value no version of
    /// flipside writes fails the fetch), so this cannot fail any more; it keeps its `Result`
    /// so that its callers need not change.
    pub fn state(&self) -> Result<CycleState> {
        Ok(self.state.get())
    }
}

/// A recorded state change: who moved the cycle, from what, to what, when.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CycleEvent {
    pub id: i64,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub at: DateTime<Utc>,
}

const CYCLE_COLUMNS: &str =
    "id, scheme_id, academic_year, state, hours_target, framework, copied_from, created_at";

impl Store {
    /// Starts a cycle as a draft, with its own copy of the survey statements (see
    /// `Tx::create_cycle_instrument`): its coordinators prepare the plan, then open the call
    /// ([`Tx::transition_cycle`] to recruiting). With `copy_from`, the new cycle takes that
    /// cycle's framework, hours target and statements; otherwise the given framework.
    pub async fn create_cycle(
        &self,
        scheme_id: i64,
        year: AcademicYear,
        hours_target: i64,
        framework_json: &str,
        copy_from: Option<i64>,
        actor_id: Option<i64>,
    ) -> Result<i64> {
        let (framework, hours) = match copy_from {
            Some(source) => {
                let c = self.cycle(source).await?;
                if c.scheme_id != scheme_id {
                    return Err(StoreError::Conflict(
                        "a cycle can only copy a cycle of the same scheme".into(),
                    ));
                }
                (c.framework, c.hours_target)
            }
            None => (framework_json.to_string(), hours_target),
        };
        let at = now();
        let year_num = i64::from(year.start_year());
        let mut tx = self.begin().await?;
        let id = on_tx!(tx, c => {
            // The friendly conflict is mapped here, at the statement: a `?` inside this block
            // returns from the function, so a mapping after the block would never see it.
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO cycles (scheme_id, academic_year, state, hours_target, framework, copied_from, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
            ).bind(scheme_id).bind(year_num).bind(CycleState::Draft.as_str()).bind(hours).bind(&framework).bind(copy_from).bind(at)
                .fetch_one(&mut *c).await
                .map_err(|e| StoreError::unique(e, format!("this scheme already has a cycle for {year}")))?;
            sqlx::query("INSERT INTO cycle_events (cycle_id, from_state, to_state, actor_id, at) VALUES ($1, NULL, $2, $3, $4)")
                .bind(id).bind(CycleState::Draft.as_str()).bind(actor_id).bind(at).execute(&mut *c).await?;
            id
        });
        tx.create_cycle_instrument(id, scheme_id, year_num, copy_from)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn cycle(&self, id: i64) -> Result<Cycle> {
        self.all_cycles()
            .await?
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    /// A scheme's cycles, newest year first.
    pub async fn cycles_of(&self, scheme_id: i64) -> Result<Vec<Cycle>> {
        Ok(self
            .all_cycles()
            .await?
            .iter()
            .filter(|c| c.scheme_id == scheme_id)
            .cloned()
            .collect())
    }

    /// Every cycle, by scheme and newest year first: a few rows a year that nearly every
    /// mentoring page reads, kept in memory under the `evaluation` data version.
    async fn all_cycles(&self) -> Result<std::sync::Arc<Vec<Cycle>>> {
        let version = self.data_version(Versioned::Evaluation).await?;
        self.caches
            .cycles
            .get((), version, || async {
                let sql = format!(
                    "SELECT {CYCLE_COLUMNS} FROM cycles ORDER BY scheme_id, academic_year DESC"
                );
                Ok(on_pool!(self, pool => sqlx::query_as::<_, Cycle>(&sql).fetch_all(pool).await)?)
            })
            .await
    }

    /// A cycle's history, oldest first. Kept in memory per cycle under the `evaluation` and
    /// `people` versions (migration 0300).
    pub async fn cycle_events(&self, cycle_id: i64) -> Result<Vec<CycleEvent>> {
        let version = self.cycle_record_version().await?;
        let kept = self
            .caches
            .cycle_events
            .get(cycle_id, version, || async {
                Ok(on_pool!(self, pool => sqlx::query_as::<_, CycleEvent>(
                    "SELECT e.id, e.from_state, e.to_state, e.actor_id, u.display_name AS actor_name, e.at
                     FROM cycle_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.cycle_id = $1 ORDER BY e.id"
                ).bind(cycle_id).fetch_all(pool).await)?)
            })
            .await?;
        Ok(kept.as_ref().clone())
    }
}

impl Tx {
    /// A scheme's cycles as this transaction sees them, newest year first.
    pub async fn cycles_of(&mut self, scheme_id: i64) -> Result<Vec<Cycle>> {
        let sql = format!(
            "SELECT {CYCLE_COLUMNS} FROM cycles WHERE scheme_id = $1 ORDER BY academic_year DESC"
        );
        Ok(
            on_tx!(self, c => sqlx::query_as::<_, Cycle>(&sql).bind(scheme_id).fetch_all(&mut *c).await)?,
        )
    }

    /// Replaces a cycle's framework (JSON) and hours target. A closed cycle keeps what it ran
    /// with.
    pub async fn update_cycle_plan(
        &mut self,
        id: i64,
        framework_json: &str,
        hours_target: i64,
    ) -> Result<()> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE cycles SET framework = $1, hours_target = $2 WHERE id = $3 AND state <> $4"
        ).bind(framework_json).bind(hours_target).bind(id).bind(CycleState::Closed.as_str())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            let exists: Option<(i64,)> = on_tx!(self, c => sqlx::query_as("SELECT id FROM cycles WHERE id = $1")
                .bind(id).fetch_optional(&mut *c).await)?;
            if exists.is_none() {
                return Err(StoreError::NotFound);
            }
            return Err(StoreError::Conflict(
                "this cycle is closed: its meeting plan is kept as it ran".into(),
            ));
        }
        Ok(())
    }

    /// Moves a cycle to its next state and records who did it; entering a state that completes
    /// the active pairs ([`CycleState::completes_active_pairs`]) closes them in the same
    /// transaction ([`Tx::close_active_pairs`]: a pair that never met ended early). The update only applies if the cycle is still in `from`, so two
    /// coordinators clicking at once cannot skip a state. Returns how many pairs completed.
    pub async fn transition_cycle(
        &mut self,
        id: i64,
        from: CycleState,
        to: CycleState,
        actor_id: Option<i64>,
    ) -> Result<u64> {
        from.transition(to)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        if to == CycleState::Recruiting {
            // An archived scheme has left every list: a call opened in it would reach nobody.
            let archived: Option<(Option<DateTime<Utc>>,)> = on_tx!(self, c => sqlx::query_as(
                "SELECT s.archived_at FROM cycles c JOIN schemes s ON s.id = c.scheme_id WHERE c.id = $1"
            ).bind(id).fetch_optional(&mut *c).await)?;
            if let Some((Some(_),)) = archived {
                return Err(StoreError::Conflict(
                    "this scheme is archived: bring it back into the lists before opening a call"
                        .into(),
                ));
            }
        }
        let at = now();
        let moved = on_tx!(self, c => sqlx::query("UPDATE cycles SET state = $1 WHERE id = $2 AND state = $3")
            .bind(to.as_str()).bind(id).bind(from.as_str()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if moved == 0 {
            let exists: Option<(i64,)> = on_tx!(self, c => sqlx::query_as("SELECT id FROM cycles WHERE id = $1")
                .bind(id).fetch_optional(&mut *c).await)?;
            return Err(match exists {
                None => StoreError::NotFound,
                Some(_) => StoreError::Conflict(
                    "the cycle has changed state since the page was loaded; reload and try again"
                        .into(),
                ),
            });
        }
        on_tx!(self, c => sqlx::query("INSERT INTO cycle_events (cycle_id, from_state, to_state, actor_id, at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id).bind(from.as_str()).bind(to.as_str()).bind(actor_id).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if !to.completes_active_pairs() {
            return Ok(0);
        }
        Ok(self.close_active_pairs(id).await?.0)
    }
}
