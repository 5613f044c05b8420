//! Tutoring students and tutors as signed-in people (SPEC §3.10): who a signed-in person is in
//! the imported records, a student's own profile, and their requests for a change of tutor.
//!
//! A record is linked to an account (`user_id`) only when the person confirms it: signed in
//! with an address they have proved (an identity provider's verified email, or a link sent to
//! that address), they are offered the unlinked records that name it. An import's email alone
//! links nothing, and an import that changes a linked record's email unlinks it.
use crate::decoded::Decoded;
use crate::error::{OrNotFound, StoreError};
use crate::pool::{on_pool, on_pool_write};
use crate::tx::{Tx, on_tx};
use crate::{Result, Store, now};
use chrono::{DateTime, Utc};
use flipside_core::tutoring::ChangeRequestStatus;
use serde::Serialize;

/// A tutoring student or tutor from the imported records.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TutoringPerson {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub school_id: i64,
}

/// What a student keeps about themselves, and which parts their tutor sees.
#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow)]
pub struct TutoringProfile {
    pub goals: String,
    pub goals_shared: bool,
    pub success: String,
    pub success_shared: bool,
    pub tutor_note: String,
    pub tutor_note_shared: bool,
}

/// A request for a change of tutor, with the names the pages show.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ChangeRequest {
    pub id: i64,
    pub student_id: i64,
    pub student_name: String,
    pub student_email: String,
    pub school_id: i64,
    pub academic_year: i64,
    pub from_tutor_id: i64,
    pub from_tutor_name: String,
    pub reason: String,
    pub status: Decoded<ChangeRequestStatus>,
    pub to_tutor_id: Option<i64>,
    pub to_tutor_name: Option<String>,
    pub decision_reason: String,
    pub created_at: DateTime<Utc>,
}

/// A tutor of a School with their capacity and load in one academic year.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TutorCapacity {
    pub id: i64,
    pub name: String,
    pub capacity: i64,
    pub assigned: i64,
}

impl TutorCapacity {
    pub fn has_room(&self) -> bool {
        self.assigned < self.capacity
    }
}

const REQUEST_SELECT: &str = "SELECT r.id, r.student_id, s.name AS student_name, s.email AS student_email, s.school_id,
    r.academic_year, r.from_tutor_id, ft.name AS from_tutor_name, r.reason, r.status, r.to_tutor_id,
    tt.name AS to_tutor_name, r.decision_reason, r.created_at
    FROM tutoring_change_requests r JOIN tutoring_students s ON s.id = r.student_id
    JOIN tutoring_tutors ft ON ft.id = r.from_tutor_id LEFT JOIN tutoring_tutors tt ON tt.id = r.to_tutor_id";

/// Which kind of tutoring record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Tutor,
    Student,
}

impl RecordKind {
    /// The audit log's name for the record (its `subject_kind`).
    pub fn subject_kind(self) -> &'static str {
        match self {
            RecordKind::Tutor => "tutoring_tutor",
            RecordKind::Student => "tutoring_student",
        }
    }

    fn table(self) -> &'static str {
        match self {
            RecordKind::Tutor => "tutoring_tutors",
            RecordKind::Student => "tutoring_students",
        }
    }
}

/// A linked record whose email an import changed: the link was undone, and the person it was
/// linked to is told at the address of their account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnlinkedRecord {
    pub kind: RecordKind,
    pub record_id: i64,
    pub user_id: i64,
    pub user_email: String,
    pub user_name: String,
}

impl Store {
    /// The records that name this email (ignoring case) and no account holds yet: what the
    /// person signed in with that address may confirm as theirs.
    pub async fn unlinked_records_naming(&self, email: &str) -> Result<Vec<(RecordKind, i64)>> {
        let rows: Vec<(bool, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT TRUE, id FROM tutoring_tutors WHERE user_id IS NULL AND lower(email) = lower($1)
             UNION ALL SELECT FALSE, id FROM tutoring_students WHERE user_id IS NULL AND lower(email) = lower($1)"
        ).bind(email).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(tutor, id)| {
                let kind = if tutor {
                    RecordKind::Tutor
                } else {
                    RecordKind::Student
                };
                (kind, id)
            })
            .collect())
    }

    /// The tutoring student record linked to this account.
    pub async fn tutoring_student_of(&self, user_id: i64) -> Result<Option<TutoringPerson>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, TutoringPerson>(
            "SELECT id, name, email, school_id FROM tutoring_students WHERE user_id = $1 ORDER BY id LIMIT 1"
        ).bind(user_id).fetch_optional(pool).await)?)
    }

    /// The tutoring student whose email is this person's, ignoring case.
    pub async fn tutoring_student_by_email(&self, email: &str) -> Result<Option<TutoringPerson>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, TutoringPerson>(
            "SELECT id, name, email, school_id FROM tutoring_students WHERE LOWER(email) = LOWER($1) ORDER BY id LIMIT 1"
        ).bind(email).fetch_optional(pool).await)?)
    }

    /// The tutor whose email is this person's, ignoring case.
    pub async fn tutoring_tutor_by_email(&self, email: &str) -> Result<Option<TutoringPerson>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, TutoringPerson>(
            "SELECT id, name, email, school_id FROM tutoring_tutors WHERE LOWER(email) = LOWER($1) ORDER BY id LIMIT 1"
        ).bind(email).fetch_optional(pool).await)?)
    }

    pub async fn tutoring_student(&self, id: i64) -> Result<TutoringPerson> {
        on_pool!(self, pool => sqlx::query_as::<_, TutoringPerson>(
            "SELECT id, name, email, school_id FROM tutoring_students WHERE id = $1"
        ).bind(id).fetch_optional(pool).await)
        .or_not_found()
    }

    /// The student's tutor of record in an academic year (by its start year).
    pub async fn tutor_of_record(
        &self,
        student_id: i64,
        year: i64,
    ) -> Result<Option<TutoringPerson>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, TutoringPerson>(
            "SELECT t.id, t.name, t.email, t.school_id FROM tutoring_assignments a JOIN tutoring_tutors t ON t.id = a.tutor_id
             WHERE a.student_id = $1 AND a.academic_year = $2"
        ).bind(student_id).bind(year).fetch_optional(pool).await)?)
    }

    /// The student's profile; empty and unshared when they have not written one.
    pub async fn tutoring_profile(&self, student_id: i64) -> Result<TutoringProfile> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, TutoringProfile>(
            "SELECT goals, goals_shared, success, success_shared, tutor_note, tutor_note_shared FROM tutoring_profiles WHERE student_id = $1"
        ).bind(student_id).fetch_optional(pool).await)?.unwrap_or_default())
    }

    pub async fn save_tutoring_profile(&self, student_id: i64, p: &TutoringProfile) -> Result<()> {
        on_pool_write!(self, pool => sqlx::query(
            "INSERT INTO tutoring_profiles (student_id, goals, goals_shared, success, success_shared, tutor_note, tutor_note_shared, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (student_id) DO UPDATE SET goals = excluded.goals, goals_shared = excluded.goals_shared,
               success = excluded.success, success_shared = excluded.success_shared,
               tutor_note = excluded.tutor_note, tutor_note_shared = excluded.tutor_note_shared, updated_at = excluded.updated_at"
        ).bind(student_id).bind(&p.goals).bind(p.goals_shared).bind(&p.success).bind(p.success_shared)
            .bind(&p.tutor_note).bind(p.tutor_note_shared).bind(now()).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// [`Tx::request_tutor_change`] in a transaction of its own (the demo and tests).
    pub async fn request_tutor_change(
        &self,
        student_id: i64,
        year: i64,
        from_tutor_id: i64,
        reason: &str,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = tx
            .request_tutor_change(student_id, year, from_tutor_id, reason)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn change_request(&self, id: i64) -> Result<ChangeRequest> {
        let sql = format!("{REQUEST_SELECT} WHERE r.id = $1");
        on_pool!(self, pool => sqlx::query_as::<_, ChangeRequest>(&sql).bind(id).fetch_optional(pool).await)
            .or_not_found()
    }

    /// A student's requests, newest first.
    pub async fn change_requests_of(&self, student_id: i64) -> Result<Vec<ChangeRequest>> {
        let sql = format!("{REQUEST_SELECT} WHERE r.student_id = $1 ORDER BY r.id DESC");
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, ChangeRequest>(&sql).bind(student_id).fetch_all(pool).await)?,
        )
    }

    /// Every pending request, oldest first.
    pub async fn pending_change_requests(&self) -> Result<Vec<ChangeRequest>> {
        let sql = format!("{REQUEST_SELECT} WHERE r.status = 'pending' ORDER BY r.id");
        Ok(on_pool!(self, pool => sqlx::query_as::<_, ChangeRequest>(&sql).fetch_all(pool).await)?)
    }

    /// A School's tutors with their load in an academic year.
    pub async fn school_tutor_capacities(
        &self,
        school_id: i64,
        year: i64,
    ) -> Result<Vec<TutorCapacity>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, TutorCapacity>(
            "SELECT t.id, t.name, t.capacity,
                (SELECT COUNT(*) FROM tutoring_assignments a WHERE a.tutor_id = t.id AND a.academic_year = $2) AS assigned
             FROM tutoring_tutors t WHERE t.school_id = $1 ORDER BY t.name"
        ).bind(school_id).bind(year).fetch_all(pool).await)?)
    }

    /// Adds one tutor outside an import (tests and the demo); imports match it by `external_id`.
    pub async fn add_tutoring_tutor(
        &self,
        external_id: &str,
        name: &str,
        email: &str,
        school_id: i64,
        capacity: i64,
    ) -> Result<i64> {
        let (id,): (i64,) = on_pool_write!(self, pool => sqlx::query_as(
            "INSERT INTO tutoring_tutors (external_id, name, email, school_id, capacity) VALUES ($1, $2, $3, $4, $5) RETURNING id"
        ).bind(external_id).bind(name).bind(email).bind(school_id).bind(capacity).fetch_one(pool).await)
            .map_err(|e| StoreError::unique(e, format!("a tutor with id '{external_id}' already exists")))?;
        Ok(id)
    }

    /// Adds one student outside an import (tests and the demo).
    pub async fn add_tutoring_student(
        &self,
        external_id: &str,
        name: &str,
        email: &str,
        school_id: i64,
    ) -> Result<i64> {
        let (id,): (i64,) = on_pool_write!(self, pool => sqlx::query_as(
            "INSERT INTO tutoring_students (external_id, name, email, school_id, programme, year_of_study) VALUES ($1, $2, $3, $4, '', 1) RETURNING id"
        ).bind(external_id).bind(name).bind(email).bind(school_id).fetch_one(pool).await)
            .map_err(|e| StoreError::unique(e, format!("a student with id '{external_id}' already exists")))?;
        Ok(id)
    }

    /// Makes `tutor_id` the student's tutor of record in a year (replacing any), with its source.
    pub async fn assign_tutor(
        &self,
        student_id: i64,
        tutor_id: i64,
        year: i64,
        source: &str,
    ) -> Result<()> {
        on_pool_write!(self, pool => sqlx::query(
            "INSERT INTO tutoring_assignments (student_id, tutor_id, academic_year, source) VALUES ($1, $2, $3, $4)
             ON CONFLICT (student_id, academic_year) DO UPDATE SET tutor_id = excluded.tutor_id, source = excluded.source"
        ).bind(student_id).bind(tutor_id).bind(year).bind(source).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The source of a student's assignment in a year (`import`, `allocation`, `change_request`).
    pub async fn assignment_source(&self, student_id: i64, year: i64) -> Result<Option<String>> {
        let row: Option<(String,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT source FROM tutoring_assignments WHERE student_id = $1 AND academic_year = $2"
        ).bind(student_id).bind(year).fetch_optional(pool).await)?;
        Ok(row.map(|r| r.0))
    }

    /// A School's students, by name (the demo links its student account to one of them).
    pub async fn tutoring_students_of_school(&self, school_id: i64) -> Result<Vec<TutoringPerson>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, TutoringPerson>(
            "SELECT id, name, email, school_id FROM tutoring_students WHERE school_id = $1 ORDER BY external_id"
        ).bind(school_id).fetch_all(pool).await)?)
    }

    /// Gives an imported student (or, with `student` false, a tutor) a person's name, email
    /// and account, so that the person's account is that record (the demo's accounts).
    pub async fn give_tutoring_record(
        &self,
        student: bool,
        id: i64,
        name: &str,
        email: &str,
        user_id: i64,
    ) -> Result<()> {
        let sql = if student {
            "UPDATE tutoring_students SET name = $1, email = $2, user_id = $3 WHERE id = $4"
        } else {
            "UPDATE tutoring_tutors SET name = $1, email = $2, user_id = $3 WHERE id = $4"
        };
        on_pool_write!(self, pool => sqlx::query(sql).bind(name).bind(email).bind(user_id).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

impl Tx {
    /// Records a request for a change of tutor. A second pending request is a conflict.
    pub async fn request_tutor_change(
        &mut self,
        student_id: i64,
        year: i64,
        from_tutor_id: i64,
        reason: &str,
    ) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO tutoring_change_requests (student_id, academic_year, from_tutor_id, reason, status, created_at)
             VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING id"
        ).bind(student_id).bind(year).bind(from_tutor_id).bind(reason).bind(now()).fetch_one(&mut *c).await)
            .map_err(|e| StoreError::unique(e, "You already have a request for a change of tutor waiting for a decision."))?;
        Ok(id)
    }

    /// Links a record to the account of the person who confirmed it, if it still names their
    /// email and nobody holds it (checked in the statement, so two confirmations cannot both
    /// succeed). Returns whether it was linked.
    pub async fn link_tutoring_record(
        &mut self,
        kind: RecordKind,
        id: i64,
        user_id: i64,
        email: &str,
    ) -> Result<bool> {
        let sql = format!(
            "UPDATE {} SET user_id = $1 WHERE id = $2 AND user_id IS NULL AND lower(email) = lower($3)",
            kind.table()
        );
        let n = on_tx!(self, c => sqlx::query(&sql).bind(user_id).bind(id).bind(email).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Approves a pending request for a change of tutor and makes `to_tutor_id` the student's
    /// tutor of record for the request's year. `Conflict` when it was already decided or the
    /// tutor has no room left, checked under a lock on the tutor's load (on SQLite the
    /// transaction itself is the lock).
    pub async fn approve_change_request(
        &mut self,
        id: i64,
        to_tutor_id: i64,
        decided_by: i64,
    ) -> Result<()> {
        let (year,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "SELECT academic_year FROM tutoring_change_requests WHERE id = $1"
        ).bind(id).fetch_optional(&mut *c).await)
        .or_not_found()?;
        // Before reading the load the check depends on: two approvals into a tutor's last
        // place cannot both pass it.
        self.lock(&format!("tutoring-assignments:{year}:tutor:{to_tutor_id}"))
            .await?;
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE tutoring_change_requests SET status = 'approved', to_tutor_id = $1, decided_by = $2, decided_at = $3
             WHERE id = $4 AND status = 'pending'"
        ).bind(to_tutor_id).bind(decided_by).bind(now()).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::Conflict(
                "This request has already been decided.".into(),
            ));
        }
        let to: TutorCapacity = on_tx!(self, c => sqlx::query_as(
            "SELECT t.id, t.name, t.capacity,
                (SELECT COUNT(*) FROM tutoring_assignments a WHERE a.tutor_id = t.id AND a.academic_year = $2) AS assigned
             FROM tutoring_tutors t WHERE t.id = $1"
        ).bind(to_tutor_id).bind(year).fetch_optional(&mut *c).await).or_not_found()?;
        if !to.has_room() {
            return Err(StoreError::Conflict(format!(
                "{} has no room: {} of {} places are taken. Nothing was changed; choose another tutor.",
                to.name, to.assigned, to.capacity
            )));
        }
        on_tx!(self, c => sqlx::query(
            "UPDATE tutoring_assignments SET tutor_id = $1, source = 'change_request'
             WHERE (student_id, academic_year) IN (SELECT student_id, academic_year FROM tutoring_change_requests WHERE id = $2)"
        ).bind(to_tutor_id).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Declines a pending request for a change of tutor, with the reason the student is given.
    /// `Conflict` when it was already decided.
    pub async fn decline_change_request(
        &mut self,
        id: i64,
        reason: &str,
        decided_by: i64,
    ) -> Result<()> {
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE tutoring_change_requests SET status = 'declined', decision_reason = $1, decided_by = $2, decided_at = $3
             WHERE id = $4 AND status = 'pending'"
        ).bind(reason).bind(decided_by).bind(now()).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::Conflict(
                "This request has already been decided.".into(),
            ));
        }
        Ok(())
    }
}
