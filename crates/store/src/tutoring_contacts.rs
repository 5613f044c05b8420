//! Contacts between tutors and tutees, a tutor's list of tutees, and the consistency
//! dashboard's figures, computed by aggregate SQL (one row per School, or per School and value
//! for distributions) rather than by loading every student.
use crate::error::OrNotFound;
use crate::pool::{on_pool, on_pool_write};
use crate::versions::Versioned;
use crate::{Result, Store, now};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Arc;

/// Rows per multi-row INSERT.
const INSERT_CHUNK: usize = 400;

/// A contact to store (validated by `flipside_core::tutoring::validate_contact`).
#[derive(Debug, Clone)]
pub struct NewContact {
    pub student_id: i64,
    pub tutor_id: i64,
    pub academic_year: i32,
    /// YYYY-MM-DD.
    pub date: String,
    /// Days since the academic year started.
    pub year_day: i64,
    pub mode: String,
    pub duration_minutes: i64,
    pub initiated_by: String,
    /// `tutor` or `student`.
    pub logged_by: String,
    pub note: String,
}

/// A stored contact, note included: show it only where `policy::tutoring_contact` allows.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Contact {
    pub id: i64,
    pub student_id: i64,
    pub student_name: String,
    pub tutor_id: i64,
    pub tutor_name: String,
    pub academic_year: i64,
    pub contact_date: String,
    pub mode: String,
    pub duration_minutes: i64,
    pub initiated_by: String,
    pub logged_by: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// One of a tutor's tutees this year, with their contacts counted.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Tutee {
    pub student_id: i64,
    pub external_id: String,
    pub name: String,
    pub school_id: i64,
    pub programme: String,
    pub year_of_study: i64,
    pub contacts: i64,
    /// Day of the year of the first contact, if any.
    pub first_day: Option<i64>,
    pub last_date: Option<String>,
}

/// One School's dashboard counts for a year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SchoolCounts {
    pub school_id: i64,
    /// Students with a tutor this year.
    pub students: i64,
    /// Of them, with at least one contact.
    pub contacted: i64,
    /// Of them, had a tutor last year.
    pub had_last_year: i64,
    /// Of those, the same tutor as last year.
    pub kept: i64,
    /// Students whose first contact (if any) came after the School's no-contact-by date.
    pub no_contact_by_date: i64,
}

/// (School, value, how many): a distribution per School.
pub type SchoolHistogram = Vec<(i64, i64, u64)>;

/// The tutoring dashboard's figures of one academic year (see [`Store::dashboard_figures`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardFigures {
    /// Per School: students with a tutor this year, contacted, continuity, and those without a
    /// contact by the School's no-contact-by date.
    pub counts: Vec<SchoolCounts>,
    /// Per School: how many students had their first contact on each day of the year.
    pub first_contact_days: SchoolHistogram,
    /// Per School: how many tutors have each number of tutees this year (none included).
    pub loads: SchoolHistogram,
}

const CONTACT_COLUMNS: &str = "c.id, c.student_id, s.name AS student_name, c.tutor_id, t.name AS tutor_name, c.academic_year,
    c.contact_date, c.mode, c.duration_minutes, c.initiated_by, c.logged_by, c.note, c.created_at
    FROM tutoring_contacts c JOIN tutoring_students s ON s.id = c.student_id JOIN tutoring_tutors t ON t.id = c.tutor_id";

fn histogram(rows: Vec<(i64, i64, i64)>) -> SchoolHistogram {
    rows.into_iter()
        .map(|(s, v, c)| (s, v, u64::try_from(c).unwrap_or(0)))
        .collect()
}

impl Store {
    /// Stores one contact; returns its id.
    pub async fn add_contact(&self, c: &NewContact) -> Result<i64> {
        let (id,): (i64,) = on_pool_write!(self, pool => sqlx::query_as(
            "INSERT INTO tutoring_contacts (student_id, tutor_id, academic_year, contact_date, year_day, mode, duration_minutes, initiated_by, logged_by, note, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
        ).bind(c.student_id).bind(c.tutor_id).bind(i64::from(c.academic_year)).bind(&c.date).bind(c.year_day)
        .bind(&c.mode).bind(c.duration_minutes).bind(&c.initiated_by).bind(&c.logged_by).bind(&c.note).bind(now())
        .fetch_one(pool).await)?;
        Ok(id)
    }

    /// Stores many contacts at once (the demo's year of contacts), in one transaction.
    pub async fn add_contacts(&self, contacts: &[NewContact]) -> Result<()> {
        let created = now();
        on_pool_write!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in contacts.chunks(INSERT_CHUNK) {
                let mut insert = sqlx::QueryBuilder::new("INSERT INTO tutoring_contacts (student_id, tutor_id, academic_year, contact_date, year_day, mode, duration_minutes, initiated_by, logged_by, note, created_at) ");
                insert.push_values(chunk, |mut row, c| {
                    row.push_bind(c.student_id).push_bind(c.tutor_id).push_bind(i64::from(c.academic_year)).push_bind(&c.date)
                        .push_bind(c.year_day).push_bind(&c.mode).push_bind(c.duration_minutes).push_bind(&c.initiated_by)
                        .push_bind(&c.logged_by).push_bind(&c.note).push_bind(created);
                });
                insert.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(())
        })?;
        Ok(())
    }

    /// Every (student, tutor, School of the student) assignment of an academic year.
    pub async fn assignments_of_year(&self, academic_year: i32) -> Result<Vec<(i64, i64, i64)>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT a.student_id, a.tutor_id, s.school_id FROM tutoring_assignments a
             JOIN tutoring_students s ON s.id = a.student_id WHERE a.academic_year = $1 ORDER BY a.student_id"
        ).bind(i64::from(academic_year)).fetch_all(pool).await)?)
    }

    /// Contacts logged in an academic year (any year when `None`).
    pub async fn count_contacts(&self, academic_year: Option<i32>) -> Result<i64> {
        let (n,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM tutoring_contacts WHERE $1 IS NULL OR academic_year = $1"
        ).bind(academic_year.map(i64::from)).fetch_one(pool).await)?;
        Ok(n)
    }

    /// One contact.
    pub async fn contact(&self, id: i64) -> Result<Contact> {
        let sql = format!("SELECT {CONTACT_COLUMNS} WHERE c.id = $1");
        on_pool!(self, pool => sqlx::query_as::<_, Contact>(&sql).bind(id).fetch_optional(pool).await).or_not_found()
    }

    /// A student's contacts, latest first.
    pub async fn contacts_of_student(&self, student_id: i64) -> Result<Vec<Contact>> {
        let sql = format!(
            "SELECT {CONTACT_COLUMNS} WHERE c.student_id = $1 ORDER BY c.contact_date DESC, c.id DESC"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Contact>(&sql).bind(student_id).fetch_all(pool).await)?,
        )
    }

    /// A tutor's tutees in an academic year, with their contacts that year. Kept in memory per
    /// tutor and year until tutoring data changes (the tutor's home page and tutees page).
    pub async fn tutees(&self, tutor_id: i64, academic_year: i32) -> Result<Vec<Tutee>> {
        let version = self.data_version(Versioned::Tutoring).await?;
        let kept = self
            .caches
            .tutees
            .get((tutor_id, academic_year), version, || {
                self.read_tutees(tutor_id, academic_year)
            })
            .await?;
        Ok(kept.as_ref().clone())
    }

    async fn read_tutees(&self, tutor_id: i64, academic_year: i32) -> Result<Vec<Tutee>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, Tutee>(
            "SELECT s.id AS student_id, s.external_id, s.name, s.school_id, s.programme, s.year_of_study,
                COUNT(c.id) AS contacts, MIN(c.year_day) AS first_day, MAX(c.contact_date) AS last_date
             FROM tutoring_assignments a JOIN tutoring_students s ON s.id = a.student_id
             LEFT JOIN tutoring_contacts c ON c.student_id = s.id AND c.academic_year = a.academic_year
             WHERE a.tutor_id = $1 AND a.academic_year = $2
             GROUP BY s.id, s.external_id, s.name, s.school_id, s.programme, s.year_of_study
             ORDER BY s.name, s.external_id"
        ).bind(tutor_id).bind(i64::from(academic_year)).fetch_all(pool).await)?)
    }

    /// The tutoring dashboard's figures of a year: per School the counts, the first-contact
    /// days and the tutor loads. Kept in memory until tutoring data changes (see
    /// [`crate::versions`]); the version is read once for all three.
    pub async fn dashboard_figures(&self, academic_year: i32) -> Result<Arc<DashboardFigures>> {
        let version = self.data_version(Versioned::Tutoring).await?;
        self.caches
            .dashboard
            .get(academic_year, version, || async {
                Ok(DashboardFigures {
                    counts: self.compute_dashboard_counts(academic_year).await?,
                    first_contact_days: self.compute_first_contact_days(academic_year).await?,
                    loads: self.compute_tutor_load_histogram(academic_year).await?,
                })
            })
            .await
    }

    async fn compute_dashboard_counts(&self, academic_year: i32) -> Result<Vec<SchoolCounts>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, SchoolCounts>(
            "SELECT st.school_id, COUNT(*) AS students,
                CAST(COALESCE(SUM(CASE WHEN f.first_day IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS contacted,
                CAST(COALESCE(SUM(CASE WHEN p.tutor_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS had_last_year,
                CAST(COALESCE(SUM(CASE WHEN p.tutor_id = a.tutor_id THEN 1 ELSE 0 END), 0) AS BIGINT) AS kept,
                CAST(COALESCE(SUM(CASE WHEN f.first_day IS NULL OR f.first_day > COALESCE(r.no_contact_weeks, 10) * 7 THEN 1 ELSE 0 END), 0) AS BIGINT) AS no_contact_by_date
             FROM tutoring_assignments a
             JOIN tutoring_students st ON st.id = a.student_id
             LEFT JOIN tutoring_assignments p ON p.student_id = a.student_id AND p.academic_year = $2
             LEFT JOIN (SELECT student_id, MIN(year_day) AS first_day FROM tutoring_contacts WHERE academic_year = $1 GROUP BY student_id) f
                ON f.student_id = a.student_id
             LEFT JOIN tutoring_school_rules r ON r.school_id = st.school_id
             WHERE a.academic_year = $1
             GROUP BY st.school_id"
        ).bind(i64::from(academic_year)).bind(i64::from(academic_year) - 1).fetch_all(pool).await)?)
    }

    async fn compute_first_contact_days(&self, academic_year: i32) -> Result<SchoolHistogram> {
        let rows: Vec<(i64, i64, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT st.school_id, f.first_day, COUNT(*) FROM
                (SELECT student_id, MIN(year_day) AS first_day FROM tutoring_contacts WHERE academic_year = $1 GROUP BY student_id) f
             JOIN tutoring_students st ON st.id = f.student_id
             GROUP BY st.school_id, f.first_day"
        ).bind(i64::from(academic_year)).fetch_all(pool).await)?;
        Ok(histogram(rows))
    }

    async fn compute_tutor_load_histogram(&self, academic_year: i32) -> Result<SchoolHistogram> {
        let rows: Vec<(i64, i64, i64)> = on_pool!(self, pool => sqlx::query_as(
            // Count per tutor first, then join: joining tutors to assignments row by row let
            // SQLite pick the year index and scan the whole year once per tutor (13 s).
            "SELECT t.school_id, COALESCE(c.load, 0) AS load, COUNT(*) FROM tutoring_tutors t
             LEFT JOIN (SELECT tutor_id, COUNT(*) AS load FROM tutoring_assignments WHERE academic_year = $1 GROUP BY tutor_id) c
                ON c.tutor_id = t.id
             GROUP BY t.school_id, COALESCE(c.load, 0)"
        ).bind(i64::from(academic_year)).fetch_all(pool).await)?;
        Ok(histogram(rows))
    }
}
