//! Recruitment: applications to a cycle, the identity labels chosen on them, and the consents
//! given and withdrawn (SPEC §3.2, §3.12).
use crate::decoded::Decoded;
use crate::error::{OrNotFound, StoreError};
use crate::pool::{on_pool, on_pool_write};
use crate::tx::on_tx;
use crate::{Result, Store, Tx, now};
use chrono::{DateTime, Utc};
use flipside_core::recruitment::{ApplicationStatus, ConsentKind};
use serde::Serialize;

/// One person's application to one cycle.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Application {
    pub id: i64,
    pub cycle_id: i64,
    pub user_id: i64,
    pub applicant_name: String,
    pub own_words: String,
    pub course: String,
    pub level: String,
    pub interests: String,
    pub availability: String,
    pub hopes: String,
    /// The School the student named on the application (the same-School matching rule uses
    /// it), if they named one.
    pub school_id: Option<i64>,
    pub status: Decoded<ApplicationStatus>,
    /// The coordinator's message to the applicant with the decision.
    pub message: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Application {
    pub fn status(&self) -> ApplicationStatus {
        self.status.get()
    }
}

/// A consent given or withdrawn.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ConsentEvent {
    pub kind: String,
    pub given: bool,
    pub at: DateTime<Utc>,
}

/// An open call: a recruiting cycle and its scheme.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OpenCall {
    pub cycle_id: i64,
    pub academic_year: i64,
    pub scheme_name: String,
}

/// One of a person's own applications, as their home page lists it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MyApplication {
    pub cycle_id: i64,
    pub academic_year: i64,
    pub scheme_name: String,
    pub status: Decoded<ApplicationStatus>,
}

/// What applying (or applying again) writes; already validated by the caller.
#[derive(Debug, Clone)]
pub struct NewApplication<'a> {
    pub cycle_id: i64,
    pub user_id: i64,
    pub label_ids: &'a [i64],
    pub own_words: &'a str,
    pub course: &'a str,
    pub level: &'a str,
    pub interests: &'a str,
    pub availability: &'a str,
    pub hopes: &'a str,
    /// The student's School (for the same-School matching rule), if they named one.
    pub school_id: Option<i64>,
    /// The consents ticked; taking part must be among them.
    pub consents: &'a [ConsentKind],
}

const APPLICATION_COLUMNS: &str = "a.id, a.cycle_id, a.user_id, u.display_name AS applicant_name, a.own_words, a.course, a.level, a.interests, a.availability, a.hopes, a.school_id, a.status, a.message, a.decided_at, a.submitted_at, a.updated_at";

/// The consents as they stand, from their history (oldest first).
pub fn current_consents(events: &[ConsentEvent]) -> Vec<ConsentKind> {
    ConsentKind::ALL
        .into_iter()
        .filter(|k| {
            events
                .iter()
                .rev()
                .find(|e| e.kind == k.as_str())
                .is_some_and(|e| e.given)
        })
        .collect()
}

impl Store {
    /// Saves a person's application to a cycle: creates it, or, applying again, replaces what
    /// they gave. Only the consents that change are recorded, each with the time.
    pub async fn save_application(&self, new: NewApplication<'_>) -> Result<i64> {
        if !new.consents.contains(&ConsentKind::TakePart) {
            return Err(StoreError::Conflict(
                "an application needs consent to take part".into(),
            ));
        }
        let at = now();
        let id = on_pool_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let existing: Option<(i64,)> = sqlx::query_as("SELECT id FROM applications WHERE cycle_id = $1 AND user_id = $2")
                .bind(new.cycle_id).bind(new.user_id).fetch_optional(&mut *tx).await?;
            let id = match existing {
                Some((id,)) => {
                    // A withdrawn application comes back to be decided afresh.
                    sqlx::query("UPDATE applications SET own_words = $1, course = $2, level = $3, interests = $4, availability = $5, hopes = $6, updated_at = $7,
                                 status = CASE WHEN status = $8 THEN $9 ELSE status END, school_id = $11 WHERE id = $10")
                        .bind(new.own_words).bind(new.course).bind(new.level).bind(new.interests).bind(new.availability).bind(new.hopes).bind(at)
                        .bind(ApplicationStatus::Withdrawn.as_str()).bind(ApplicationStatus::Submitted.as_str()).bind(id).bind(new.school_id)
                        .execute(&mut *tx).await?;
                    sqlx::query("DELETE FROM application_labels WHERE application_id = $1").bind(id).execute(&mut *tx).await?;
                    id
                }
                None => {
                    let (id,): (i64,) = sqlx::query_as("INSERT INTO applications (cycle_id, user_id, own_words, course, level, interests, availability, hopes, status, submitted_at, updated_at, school_id)
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) RETURNING id")
                        .bind(new.cycle_id).bind(new.user_id).bind(new.own_words).bind(new.course).bind(new.level).bind(new.interests).bind(new.availability).bind(new.hopes)
                        .bind(ApplicationStatus::Submitted.as_str()).bind(at).bind(new.school_id)
                        .fetch_one(&mut *tx).await?;
                    id
                }
            };
            for label in new.label_ids {
                sqlx::query("INSERT INTO application_labels (application_id, label_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(id).bind(label).execute(&mut *tx).await?;
            }
            let history: Vec<ConsentEvent> = sqlx::query_as("SELECT kind, given, at FROM application_consents WHERE application_id = $1 ORDER BY id")
                .bind(id).fetch_all(&mut *tx).await?;
            let before = current_consents(&history);
            for kind in ConsentKind::ALL {
                let wanted = new.consents.contains(&kind);
                if wanted != before.contains(&kind) {
                    sqlx::query("INSERT INTO application_consents (application_id, kind, given, at) VALUES ($1, $2, $3, $4)")
                        .bind(id).bind(kind.as_str()).bind(wanted).bind(at).execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            Ok::<i64, sqlx::Error>(id)
        })?;
        Ok(id)
    }

    pub async fn application(&self, id: i64) -> Result<Application> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications a JOIN users u ON u.id = a.user_id WHERE a.id = $1"
        );
        on_pool!(self, pool => sqlx::query_as::<_, Application>(&sql).bind(id).fetch_optional(pool).await)
            .or_not_found()
    }

    /// A person's application to a cycle, if they made one.
    pub async fn application_of(&self, cycle_id: i64, user_id: i64) -> Result<Option<Application>> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications a JOIN users u ON u.id = a.user_id WHERE a.cycle_id = $1 AND a.user_id = $2"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Application>(&sql).bind(cycle_id).bind(user_id).fetch_optional(pool).await)?,
        )
    }

    /// A cycle's applications, oldest first.
    pub async fn applications_of(&self, cycle_id: i64) -> Result<Vec<Application>> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications a JOIN users u ON u.id = a.user_id WHERE a.cycle_id = $1 ORDER BY a.submitted_at, a.id"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Application>(&sql).bind(cycle_id).fetch_all(pool).await)?,
        )
    }

    /// The identity labels chosen on an application, as (id, name), in the organisation's order.
    /// Special-category data: callers other than the applicant must audit the read.
    pub async fn application_labels(&self, application_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, (i64, String)>(
            "SELECT l.id, l.name FROM application_labels al JOIN identity_labels l ON l.id = al.label_id WHERE al.application_id = $1 ORDER BY l.position, l.id"
        ).bind(application_id).fetch_all(pool).await)?)
    }

    /// For the pool's composition: (application id, label name) for every label chosen on a
    /// cycle's applications that are not withdrawn, and every such application's id.
    pub async fn cycle_label_choices(
        &self,
        cycle_id: i64,
    ) -> Result<(Vec<i64>, Vec<(i64, String)>)> {
        let withdrawn = ApplicationStatus::Withdrawn.as_str();
        let ids: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id FROM applications WHERE cycle_id = $1 AND status <> $2 ORDER BY id"
        ).bind(cycle_id).bind(withdrawn).fetch_all(pool).await)?;
        let labels = on_pool!(self, pool => sqlx::query_as::<_, (i64, String)>(
            "SELECT a.id, l.name FROM applications a JOIN application_labels al ON al.application_id = a.id
             JOIN identity_labels l ON l.id = al.label_id WHERE a.cycle_id = $1 AND a.status <> $2 ORDER BY a.id, l.position"
        ).bind(cycle_id).bind(withdrawn).fetch_all(pool).await)?;
        Ok((ids.into_iter().map(|(i,)| i).collect(), labels))
    }

    /// Every consent given or withdrawn on an application, oldest first.
    pub async fn consent_events(&self, application_id: i64) -> Result<Vec<ConsentEvent>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, ConsentEvent>(
            "SELECT kind, given, at FROM application_consents WHERE application_id = $1 ORDER BY id"
        ).bind(application_id).fetch_all(pool).await)?)
    }

    /// A coordinator's decision and message in a transaction of its own (the demo and tests;
    /// the pages decide through [`Tx::decide_application`], with the audit entry).
    pub async fn decide_application(
        &self,
        application_id: i64,
        decision: ApplicationStatus,
        message: &str,
        actor_id: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.decide_application(application_id, decision, message, actor_id)
            .await?;
        tx.commit().await
    }

    /// Every cycle that is recruiting, with its scheme's name.
    pub async fn open_calls(&self) -> Result<Vec<OpenCall>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, OpenCall>(
            "SELECT c.id AS cycle_id, c.academic_year, s.name AS scheme_name FROM cycles c JOIN schemes s ON s.id = c.scheme_id
             WHERE c.state = 'recruiting' AND s.archived_at IS NULL ORDER BY s.name, c.academic_year"
        ).fetch_all(pool).await)?)
    }
}

impl Tx {
    /// A coordinator's decision and message. A withdrawn application cannot be decided.
    pub async fn decide_application(
        &mut self,
        application_id: i64,
        decision: ApplicationStatus,
        message: &str,
        actor_id: Option<i64>,
    ) -> Result<()> {
        if !ApplicationStatus::DECISIONS.contains(&decision) {
            return Err(StoreError::Conflict(
                "choose accept, waitlist or decline".into(),
            ));
        }
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE applications SET status = $1, message = $2, decided_by = $3, decided_at = $4 WHERE id = $5 AND status <> $6"
        ).bind(decision.as_str()).bind(message).bind(actor_id).bind(now()).bind(application_id).bind(ApplicationStatus::Withdrawn.as_str())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::Conflict(
                "the applicant has withdrawn this application".into(),
            ));
        }
        Ok(())
    }
}
