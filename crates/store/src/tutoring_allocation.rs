//! Personal tutoring allocation: Schools' rules, the allocation draft of an academic year (its
//! preview, hand-made moves, publishing it as assignments), each student's tutor history, and
//! who a signed-in person is in tutoring (matched by email).
use crate::error::{OrNotFound, StoreError};
use crate::pool::{on_pool, on_pool_write};
use crate::tx::{Tx, on_tx};
use crate::versions::Versioned;
use crate::{Result, Store, now};
use chrono::{DateTime, Utc};
use flipside_core::policy::TutoringSelf;
use flipside_core::tutoring::{AllocStudent, AllocTutor, Proposal, SchoolRules};
use serde::Serialize;

/// Rows per multi-row INSERT (well under either backend's limit on bound parameters).
const INSERT_CHUNK: usize = 500;

/// Every School with its tutoring rules (defaults where none were set).
const SCHOOL_RULES: &str = "SELECT s.id AS school_id, s.code, s.name,
        COALESCE(r.continuity_required, FALSE) AS continuity_required,
        COALESCE(r.load_slack, 2) AS load_slack,
        COALESCE(r.no_contact_weeks, 10) AS no_contact_weeks
     FROM schools s LEFT JOIN tutoring_school_rules r ON r.school_id = s.id ORDER BY s.name";

/// A student of the draft ($1 the year, $2 the year before, $3 their record-system id).
const DRAFT_STUDENT: &str = "SELECT s.id AS student_id, s.name, s.school_id, p.tutor_id AS last_tutor, d.tutor_id AS draft_tutor
     FROM tutoring_allocation_drafts d JOIN tutoring_students s ON s.id = d.student_id
     LEFT JOIN tutoring_assignments p ON p.student_id = s.id AND p.academic_year = $2
     WHERE d.academic_year = $1 AND s.external_id = $3";

const TUTOR_BY_EXTERNAL_ID: &str =
    "SELECT id, external_id, name, school_id, capacity FROM tutoring_tutors WHERE external_id = $1";

const DRAFT_TUTOR_LOAD: &str =
    "SELECT COUNT(*) FROM tutoring_allocation_drafts WHERE academic_year = $1 AND tutor_id = $2";

/// One School with its tutoring rules (defaults where none were set).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SchoolRulesRow {
    pub school_id: i64,
    pub code: String,
    pub name: String,
    pub continuity_required: bool,
    pub load_slack: i64,
    pub no_contact_weeks: i64,
}

impl SchoolRulesRow {
    pub fn rules(&self) -> SchoolRules {
        SchoolRules {
            continuity_required: self.continuity_required,
            load_slack: u32::try_from(self.load_slack).unwrap_or(0),
            no_contact_weeks: u32::try_from(self.no_contact_weeks).unwrap_or(0),
        }
    }
}

/// The latest allocation run of an academic year.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AllocationRun {
    pub academic_year: i64,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// The draft compared with last year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, sqlx::FromRow)]
pub struct DraftCounts {
    pub students: i64,
    /// Same tutor as last year.
    pub kept: i64,
    /// Had a tutor last year, a different one now.
    pub changed: i64,
    /// No tutor last year, one now.
    pub new: i64,
    pub unplaced: i64,
    pub moved_by_hand: i64,
}

/// An unplaced student in the draft.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct UnplacedStudent {
    pub student_id: i64,
    pub external_id: String,
    pub name: String,
    pub school: String,
    pub reason: Option<String>,
}

/// What the allocation page and the API show of a year's draft: its counts against last year,
/// the first unplaced students, how many tutors have each load, and how many are over capacity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DraftPreview {
    pub counts: DraftCounts,
    pub unplaced: Vec<UnplacedStudent>,
    /// Tutors by number of students (tutors with none included).
    pub loads: Vec<(i64, u64)>,
    pub over_capacity: i64,
}

/// A student in the draft, as a move needs them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DraftStudent {
    pub student_id: i64,
    pub name: String,
    pub school_id: i64,
    pub last_tutor: Option<i64>,
    pub draft_tutor: Option<i64>,
}

/// A tutor, as a move needs them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TutorRow {
    pub id: i64,
    pub external_id: String,
    pub name: String,
    pub school_id: i64,
    pub capacity: i64,
}

/// A student's record for the tutoring pages.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StudentRecord {
    pub id: i64,
    pub external_id: String,
    pub name: String,
    pub school_id: i64,
    pub school: String,
    pub programme: String,
    pub year_of_study: i64,
}

/// One year of a student's tutor history.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TutorHistoryRow {
    pub academic_year: i64,
    pub tutor_id: i64,
    pub tutor_external_id: String,
    pub tutor_name: String,
    pub source: String,
}

impl Store {
    /// The tutor and student records linked to this account (see [`Store::tutoring_records_of`]
    /// for how a record becomes linked).
    pub async fn tutoring_self(&self, user_id: i64) -> Result<TutoringSelf> {
        let (tutor, student) = on_pool!(self, pool => {
            let tutor: Option<(i64,)> = sqlx::query_as("SELECT id FROM tutoring_tutors WHERE user_id = $1 ORDER BY id LIMIT 1")
                .bind(user_id).fetch_optional(pool).await?;
            let student: Option<(i64,)> = sqlx::query_as("SELECT id FROM tutoring_students WHERE user_id = $1 ORDER BY id LIMIT 1")
                .bind(user_id).fetch_optional(pool).await?;
            Ok::<_, sqlx::Error>((tutor, student))
        })?;
        Ok(TutoringSelf {
            tutor_id: tutor.map(|r| r.0),
            student_id: student.map(|r| r.0),
        })
    }

    /// Every School with its tutoring rules, kept in memory while the `schools` data version
    /// is unchanged (`crate::versions`).
    pub async fn tutoring_school_rules(&self) -> Result<Vec<SchoolRulesRow>> {
        let version = self.data_version(Versioned::Schools).await?;
        let rules = self
            .caches
            .school_rules
            .get((), version, || async {
                Ok(on_pool!(self, pool => sqlx::query_as::<_, SchoolRulesRow>(SCHOOL_RULES).fetch_all(pool).await)?)
            })
            .await?;
        Ok(rules.as_ref().clone())
    }

    /// Sets a School's tutoring rules.
    pub async fn set_tutoring_school_rules(
        &self,
        school_id: i64,
        rules: SchoolRules,
    ) -> Result<()> {
        on_pool_write!(self, pool => sqlx::query(
            "INSERT INTO tutoring_school_rules (school_id, continuity_required, load_slack, no_contact_weeks) VALUES ($1, $2, $3, $4)
             ON CONFLICT (school_id) DO UPDATE SET continuity_required = excluded.continuity_required,
                load_slack = excluded.load_slack, no_contact_weeks = excluded.no_contact_weeks"
        ).bind(school_id).bind(rules.continuity_required).bind(i64::from(rules.load_slack)).bind(i64::from(rules.no_contact_weeks))
        .execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Every student with last year's tutor, and every tutor: what an allocation of
    /// `academic_year` starts from.
    pub async fn allocation_input(
        &self,
        academic_year: i32,
    ) -> Result<(Vec<AllocStudent>, Vec<AllocTutor>)> {
        let (students, tutors) = on_pool!(self, pool => {
            let students: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
                "SELECT s.id, s.school_id, a.tutor_id FROM tutoring_students s
                 LEFT JOIN tutoring_assignments a ON a.student_id = s.id AND a.academic_year = $1 ORDER BY s.id"
            ).bind(i64::from(academic_year) - 1).fetch_all(pool).await?;
            let tutors: Vec<(i64, i64, i64)> = sqlx::query_as("SELECT id, school_id, capacity FROM tutoring_tutors ORDER BY id")
                .fetch_all(pool).await?;
            Ok::<_, sqlx::Error>((students, tutors))
        })?;
        Ok((
            students
                .into_iter()
                .map(|(id, school_id, last_tutor)| AllocStudent {
                    id,
                    school_id,
                    last_tutor,
                })
                .collect(),
            tutors
                .into_iter()
                .map(|(id, school_id, capacity)| AllocTutor {
                    id,
                    school_id,
                    capacity: u32::try_from(capacity).unwrap_or(0),
                })
                .collect(),
        ))
    }

    /// Replaces the draft of `academic_year` with these proposals, in one transaction.
    pub async fn save_allocation_draft(
        &self,
        academic_year: i32,
        proposals: &[(i64, Proposal)],
        created_by: Option<i64>,
    ) -> Result<()> {
        let year = i64::from(academic_year);
        on_pool_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM tutoring_allocation_drafts WHERE academic_year = $1").bind(year).execute(&mut *tx).await?;
            for chunk in proposals.chunks(INSERT_CHUNK) {
                let mut insert = sqlx::QueryBuilder::new("INSERT INTO tutoring_allocation_drafts (academic_year, student_id, tutor_id, unplaced_reason) ");
                insert.push_values(chunk, |mut row, (student, proposal)| {
                    let (tutor, reason) = match proposal {
                        Proposal::Tutor(t) => (Some(*t), None),
                        Proposal::Unplaced(r) => (None, Some(r.as_str())),
                    };
                    row.push_bind(year).push_bind(*student).push_bind(tutor).push_bind(reason);
                });
                insert.build().execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO tutoring_allocation_runs (academic_year, created_at, created_by, published_at) VALUES ($1, $2, $3, NULL)
                 ON CONFLICT (academic_year) DO UPDATE SET created_at = excluded.created_at, created_by = excluded.created_by, published_at = NULL"
            ).bind(year).bind(now()).bind(created_by).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(())
        })?;
        Ok(())
    }

    /// The latest run of `academic_year`, if any, kept in memory with the preview under the
    /// allocation version (migration 0310).
    pub async fn allocation_run(&self, academic_year: i32) -> Result<Option<AllocationRun>> {
        let version = self.data_version(Versioned::Allocation).await?;
        let run = self
            .caches
            .allocation_runs
            .get(academic_year, version, || async {
                Ok(on_pool!(self, pool => sqlx::query_as::<_, AllocationRun>(
                    "SELECT academic_year, created_at, published_at FROM tutoring_allocation_runs WHERE academic_year = $1"
                ).bind(i64::from(academic_year)).fetch_optional(pool).await)?)
            })
            .await?;
        Ok(run.as_ref().clone())
    }

    /// The draft's preview with at most `shown` unplaced students. A draft of a whole
    /// institution takes tens of milliseconds to count, so the preview is kept in memory until
    /// a write to the tables behind it raises the allocation version (see [`crate::versions`]):
    /// every process sharing the database still answers what a fresh count would.
    pub async fn draft_preview(
        &self,
        academic_year: i32,
        shown: i64,
    ) -> Result<std::sync::Arc<DraftPreview>> {
        let version = self.data_version(Versioned::Allocation).await?;
        self.caches
            .draft_previews
            .get((academic_year, shown), version, || async {
                let (loads, over_capacity) = self.draft_loads(academic_year).await?;
                Ok(DraftPreview {
                    counts: self.draft_counts(academic_year).await?,
                    unplaced: self.draft_unplaced(academic_year, shown).await?,
                    loads,
                    over_capacity,
                })
            })
            .await
    }

    /// The draft compared with last year's assignments.
    pub async fn draft_counts(&self, academic_year: i32) -> Result<DraftCounts> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, DraftCounts>(
            "SELECT COUNT(*) AS students,
                CAST(COALESCE(SUM(CASE WHEN d.tutor_id IS NOT NULL AND d.tutor_id = p.tutor_id THEN 1 ELSE 0 END), 0) AS BIGINT) AS kept,
                CAST(COALESCE(SUM(CASE WHEN d.tutor_id IS NOT NULL AND p.tutor_id IS NOT NULL AND d.tutor_id <> p.tutor_id THEN 1 ELSE 0 END), 0) AS BIGINT) AS changed,
                CAST(COALESCE(SUM(CASE WHEN d.tutor_id IS NOT NULL AND p.tutor_id IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS new,
                CAST(COALESCE(SUM(CASE WHEN d.tutor_id IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS unplaced,
                CAST(COALESCE(SUM(CASE WHEN d.moved_by_hand THEN 1 ELSE 0 END), 0) AS BIGINT) AS moved_by_hand
             FROM tutoring_allocation_drafts d
             LEFT JOIN tutoring_assignments p ON p.student_id = d.student_id AND p.academic_year = $2
             WHERE d.academic_year = $1"
        ).bind(i64::from(academic_year)).bind(i64::from(academic_year) - 1).fetch_one(pool).await)?)
    }

    /// Unplaced students of the draft (at most `limit`), by School and name.
    pub async fn draft_unplaced(
        &self,
        academic_year: i32,
        limit: i64,
    ) -> Result<Vec<UnplacedStudent>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, UnplacedStudent>(
            "SELECT s.id AS student_id, s.external_id, s.name, sc.name AS school, d.unplaced_reason AS reason
             FROM tutoring_allocation_drafts d JOIN tutoring_students s ON s.id = d.student_id JOIN schools sc ON sc.id = s.school_id
             WHERE d.academic_year = $1 AND d.tutor_id IS NULL ORDER BY sc.name, s.name, s.external_id LIMIT $2"
        ).bind(i64::from(academic_year)).bind(limit).fetch_all(pool).await)?)
    }

    /// How many tutors have each number of students in the draft (tutors with none included),
    /// and how many tutors are over their own capacity.
    pub async fn draft_loads(&self, academic_year: i32) -> Result<(Vec<(i64, u64)>, i64)> {
        let (histogram, over) = on_pool!(self, pool => {
            let histogram: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT x.load, COUNT(*) FROM (
                    SELECT t.id, COUNT(d.student_id) AS load FROM tutoring_tutors t
                    LEFT JOIN tutoring_allocation_drafts d ON d.tutor_id = t.id AND d.academic_year = $1
                    GROUP BY t.id) x GROUP BY x.load ORDER BY x.load"
            ).bind(i64::from(academic_year)).fetch_all(pool).await?;
            let (over,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM (
                    SELECT t.id FROM tutoring_tutors t JOIN tutoring_allocation_drafts d ON d.tutor_id = t.id AND d.academic_year = $1
                    GROUP BY t.id, t.capacity HAVING COUNT(*) > t.capacity) x"
            ).bind(i64::from(academic_year)).fetch_one(pool).await?;
            Ok::<_, sqlx::Error>((histogram, over))
        })?;
        Ok((
            histogram
                .into_iter()
                .map(|(l, c)| (l, u64::try_from(c).unwrap_or(0)))
                .collect(),
            over,
        ))
    }

    /// A student of the draft by their record-system id.
    pub async fn draft_student(
        &self,
        academic_year: i32,
        external_id: &str,
    ) -> Result<DraftStudent> {
        on_pool!(self, pool => sqlx::query_as::<_, DraftStudent>(DRAFT_STUDENT)
            .bind(i64::from(academic_year)).bind(i64::from(academic_year) - 1).bind(external_id.trim())
            .fetch_optional(pool).await).or_not_found()
    }

    /// A tutor by their record-system id.
    pub async fn tutor_by_external_id(&self, external_id: &str) -> Result<TutorRow> {
        on_pool!(self, pool => sqlx::query_as::<_, TutorRow>(TUTOR_BY_EXTERNAL_ID)
            .bind(external_id.trim()).fetch_optional(pool).await)
        .or_not_found()
    }

    /// Students a tutor has in the draft.
    pub async fn draft_tutor_load(&self, academic_year: i32, tutor_id: i64) -> Result<i64> {
        let (n,): (i64,) = on_pool!(self, pool => sqlx::query_as(DRAFT_TUTOR_LOAD)
            .bind(i64::from(academic_year)).bind(tutor_id).fetch_one(pool).await)?;
        Ok(n)
    }

    pub async fn tutoring_student_record(&self, id: i64) -> Result<StudentRecord> {
        on_pool!(self, pool => sqlx::query_as::<_, StudentRecord>(
            "SELECT s.id, s.external_id, s.name, s.school_id, sc.name AS school, s.programme, s.year_of_study
             FROM tutoring_students s JOIN schools sc ON sc.id = s.school_id WHERE s.id = $1"
        ).bind(id).fetch_optional(pool).await).or_not_found()
    }

    /// A student's record by their record-system id.
    pub async fn tutoring_student_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<StudentRecord> {
        on_pool!(self, pool => sqlx::query_as::<_, StudentRecord>(
            "SELECT s.id, s.external_id, s.name, s.school_id, sc.name AS school, s.programme, s.year_of_study
             FROM tutoring_students s JOIN schools sc ON sc.id = s.school_id WHERE s.external_id = $1"
        ).bind(external_id.trim()).fetch_optional(pool).await).or_not_found()
    }

    /// A student's tutor in every year, latest first.
    pub async fn tutor_history(&self, student_id: i64) -> Result<Vec<TutorHistoryRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, TutorHistoryRow>(
            "SELECT a.academic_year, t.id AS tutor_id, t.external_id AS tutor_external_id, t.name AS tutor_name, a.source
             FROM tutoring_assignments a JOIN tutoring_tutors t ON t.id = a.tutor_id
             WHERE a.student_id = $1 ORDER BY a.academic_year DESC"
        ).bind(student_id).fetch_all(pool).await)?)
    }

    /// A student's tutor in an academic year.
    pub async fn tutor_of(&self, student_id: i64, academic_year: i32) -> Result<Option<i64>> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT tutor_id FROM tutoring_assignments WHERE student_id = $1 AND academic_year = $2"
        ).bind(student_id).bind(i64::from(academic_year)).fetch_optional(pool).await)?;
        Ok(row.map(|r| r.0))
    }
}

impl Tx {
    /// Every School with its tutoring rules, read in the operation's transaction.
    pub async fn tutoring_school_rules(&mut self) -> Result<Vec<SchoolRulesRow>> {
        Ok(
            on_tx!(self, c => sqlx::query_as::<_, SchoolRulesRow>(SCHOOL_RULES).fetch_all(&mut *c).await)?,
        )
    }

    /// A student of the draft by their record-system id.
    pub async fn draft_student(
        &mut self,
        academic_year: i32,
        external_id: &str,
    ) -> Result<DraftStudent> {
        on_tx!(self, c => sqlx::query_as::<_, DraftStudent>(DRAFT_STUDENT)
            .bind(i64::from(academic_year)).bind(i64::from(academic_year) - 1).bind(external_id.trim())
            .fetch_optional(&mut *c).await).or_not_found()
    }

    /// A tutor by their record-system id.
    pub async fn tutor_by_external_id(&mut self, external_id: &str) -> Result<TutorRow> {
        on_tx!(self, c => sqlx::query_as::<_, TutorRow>(TUTOR_BY_EXTERNAL_ID)
            .bind(external_id.trim()).fetch_optional(&mut *c).await)
        .or_not_found()
    }

    /// Students a tutor has in the draft. Take [`Tx::lock`] on the tutor first when a move
    /// depends on the answer.
    pub async fn draft_tutor_load(&mut self, academic_year: i32, tutor_id: i64) -> Result<i64> {
        let (n,): (i64,) = on_tx!(self, c => sqlx::query_as(DRAFT_TUTOR_LOAD)
            .bind(i64::from(academic_year)).bind(tutor_id).fetch_one(&mut *c).await)?;
        Ok(n)
    }

    /// Gives a student another tutor in the draft (the caller checked the rules, in this
    /// transaction, under the tutor's lock).
    pub async fn move_in_draft(
        &mut self,
        academic_year: i32,
        student_id: i64,
        tutor_id: i64,
    ) -> Result<()> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE tutoring_allocation_drafts SET tutor_id = $1, unplaced_reason = NULL, moved_by_hand = TRUE
             WHERE academic_year = $2 AND student_id = $3"
        ).bind(tutor_id).bind(i64::from(academic_year)).bind(student_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Writes the draft's placements as the year's assignments (`source = 'allocation'`) and
    /// marks the run published. Returns how many assignments were written; `NotFound` when
    /// the year has no run.
    pub async fn publish_allocation(&mut self, academic_year: i32) -> Result<u64> {
        let year = i64::from(academic_year);
        let run: Option<(i64,)> = on_tx!(self, c => sqlx::query_as("SELECT academic_year FROM tutoring_allocation_runs WHERE academic_year = $1")
            .bind(year).fetch_optional(&mut *c).await)?;
        if run.is_none() {
            return Err(StoreError::NotFound);
        }
        let written = on_tx!(self, c => sqlx::query(
            "INSERT INTO tutoring_assignments (student_id, tutor_id, academic_year, source)
             SELECT student_id, tutor_id, academic_year, 'allocation' FROM tutoring_allocation_drafts
             WHERE academic_year = $1 AND tutor_id IS NOT NULL
             ON CONFLICT (student_id, academic_year) DO UPDATE SET tutor_id = excluded.tutor_id, source = excluded.source"
        ).bind(year).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        on_tx!(self, c => sqlx::query("UPDATE tutoring_allocation_runs SET published_at = $1 WHERE academic_year = $2")
            .bind(now()).bind(year).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(written)
    }
}
