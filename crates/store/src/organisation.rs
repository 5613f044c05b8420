//! The organisation: its settings, faculties, Schools and self-identification labels.
use crate::error::{OrNotFound, StoreError};
use crate::pool::{on_pool, on_pool_write};
use crate::tx::{Tx, on_tx};
use crate::{Result, Store, now};

const SET_POPULATION_TOTAL: &str =
    "UPDATE organisation SET population_total = $1, population_source = $2 WHERE id = 1";
const SET_LABEL_POPULATION: &str = "UPDATE identity_labels SET population = $1 WHERE id = $2";
use chrono::{DateTime, Utc};
use flipside_core::local_time::Zone;
use flipside_core::progress::StaleWeeks;
use serde::Serialize;

/// The one organisation a flipside instance serves.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Organisation {
    pub name: String,
    pub short_name: String,
    /// Counts below this are suppressed under the internal disclosure rule.
    pub min_cell: i64,
    /// `internal` or `publication` (SPEC §3.6).
    pub disclosure_preset: String,
    /// Default hours a pair aims to meet across a cycle.
    pub hours_target: i64,
    pub created_at: DateTime<Utc>,
    /// How many people the population holds, where known (SPEC §3.2).
    pub population_total: Option<i64>,
    /// Where the population figures come from.
    pub population_source: String,
    /// The IANA time zone times are typed and shown in (read it decoded: [`Store::zone`]).
    pub time_zone: String,
    /// Weeks without a held meeting after which an active pair is listed as not meeting
    /// (decode it with `flipside_core::progress::StaleWeeks::from_stored`).
    pub stale_pair_weeks: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Faculty {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct School {
    pub id: i64,
    pub faculty_id: i64,
    pub name: String,
    pub code: String,
}

/// A self-identification label a student may choose (special-category data when held against
/// a person; the labels themselves are configuration).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct IdentityLabel {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub position: i64,
    /// The "in my own words" entry, which comes with free text.
    pub own_words: bool,
    pub active: bool,
    /// How many of the population hold the label, where known.
    pub population: Option<i64>,
}

/// The labels every new organisation starts with (SPEC §1).
pub const DEFAULT_LABELS: [(&str, &str); 5] = [
    (
        "UK ethnically minoritised",
        "UK-domiciled students from Black, Asian, mixed or other minoritised ethnic backgrounds",
    ),
    (
        "Mature (21+) entry",
        "Started their first degree aged 21 or over",
    ),
    ("International", "Came to study from outside the UK"),
    (
        "Widening participation background",
        "For example first in family to attend university, care experienced, or from an area with low participation in higher education",
    ),
    ("In my own words", "Describe yourself as you choose"),
];

/// The zone a stored `organisation.time_zone` names (`None`: no organisation yet, the default).
pub(crate) fn zone_named(name: Option<String>) -> Result<Zone> {
    match name {
        None => Ok(Zone::default()),
        Some(name) => {
            Zone::parse(&name).map_err(|_| StoreError::Corrupt(format!("time zone '{name}'")))
        }
    }
}

impl Store {
    /// The organisation, if one has been set up.
    pub async fn organisation(&self) -> Result<Option<Organisation>> {
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Organisation>(ORGANISATION)
            .fetch_optional(pool).await)?,
        )
    }

    /// The organisation's time zone; the default zone before an organisation is set up. A name
    /// that is not a zone is a corrupt value (the settings page only stores zones).
    pub async fn zone(&self) -> Result<Zone> {
        let name: Option<(String,)> = on_pool!(self, pool => sqlx::query_as("SELECT time_zone FROM organisation WHERE id = 1").fetch_optional(pool).await)?;
        zone_named(name.map(|(n,)| n))
    }

    /// [`Tx::set_time_zone`] on its own (test set-up).
    pub async fn set_time_zone(&self, zone: Zone) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.set_time_zone(zone).await?;
        tx.commit().await
    }

    /// Sets up the organisation with the default identity labels, unless it already exists.
    /// Returns whether it was created now.
    pub async fn ensure_organisation(&self, name: &str, short_name: &str) -> Result<bool> {
        if self.organisation().await?.is_some() {
            return Ok(false);
        }
        let at = now();
        // An async block, so that a failed statement ends the block, not the function.
        let created: std::result::Result<(), sqlx::Error> = on_pool_write!(self, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO organisation (id, name, short_name, created_at) VALUES (1, $1, $2, $3)")
                .bind(name).bind(short_name).bind(at).execute(&mut *tx).await?;
            for (i, (label, description)) in DEFAULT_LABELS.iter().enumerate() {
                sqlx::query("INSERT INTO identity_labels (name, description, position, own_words) VALUES ($1, $2, $3, $4)")
                    .bind(label).bind(description).bind(i as i64).bind(i == DEFAULT_LABELS.len() - 1)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await
        }.await);
        match created {
            Ok(()) => Ok(true),
            // Two instances starting at once on one database both saw no organisation; the
            // one that lost the race finds the winner's.
            Err(_) if self.organisation().await?.is_some() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// [`Tx::update_organisation`] on its own (test set-up; the settings page audits it in
    /// the same transaction).
    pub async fn update_organisation(
        &self,
        name: &str,
        min_cell: i64,
        disclosure_preset: &str,
        hours_target: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.update_organisation(name, min_cell, disclosure_preset, hours_target)
            .await?;
        tx.commit().await
    }

    /// Adds a faculty in a transaction of its own (set-up, the demo and tests; the page adds it
    /// with its audit entry through [`Tx::create_faculty`]).
    pub async fn create_faculty(&self, name: &str) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = tx.create_faculty(name).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a School in a transaction of its own; see [`Store::create_faculty`].
    pub async fn create_school(&self, faculty_id: i64, name: &str, code: &str) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = tx.create_school(faculty_id, name, code).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn faculties(&self) -> Result<Vec<Faculty>> {
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Faculty>("SELECT id, name FROM faculties ORDER BY name").fetch_all(pool).await)?,
        )
    }

    pub async fn schools(&self) -> Result<Vec<School>> {
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, School>("SELECT id, faculty_id, name, code FROM schools ORDER BY name").fetch_all(pool).await)?,
        )
    }

    pub async fn school(&self, id: i64) -> Result<School> {
        on_pool!(self, pool => sqlx::query_as::<_, School>("SELECT id, faculty_id, name, code FROM schools WHERE id = $1")
            .bind(id).fetch_optional(pool).await).or_not_found()
    }

    /// Replaces the population figures: the total, their source, and each label's count
    /// (`None`: not known), in one transaction.
    pub async fn set_population(
        &self,
        total: Option<i64>,
        source: &str,
        by_label: &[(i64, Option<i64>)],
    ) -> Result<()> {
        on_pool_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(SET_POPULATION_TOTAL)
                .bind(total).bind(source).execute(&mut *tx).await?;
            for (label, n) in by_label {
                sqlx::query(SET_LABEL_POPULATION)
                    .bind(*n).bind(*label).execute(&mut *tx).await?;
            }
            tx.commit().await
        })?;
        Ok(())
    }

    pub async fn identity_labels(&self) -> Result<Vec<IdentityLabel>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, IdentityLabel>(
            "SELECT id, name, description, position, own_words, active, population FROM identity_labels ORDER BY position, id"
        ).fetch_all(pool).await)?)
    }

    /// The per-instance secret used to sign CSRF tokens, created on first use.
    pub async fn instance_secret(&self) -> Result<String> {
        use rand::Rng;
        let fresh: [u8; 32] = rand::rng().random();
        on_pool_write!(self, pool => sqlx::query("INSERT INTO instance_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING")
            .bind(hex::encode(fresh)).execute(pool).await.map(|r| r.rows_affected()))?;
        let (secret,): (String,) = on_pool!(self, pool => sqlx::query_as("SELECT secret FROM instance_secret WHERE id = 1").fetch_one(pool).await)?;
        Ok(secret)
    }
}

const ORGANISATION: &str = "SELECT name, short_name, min_cell, disclosure_preset, hours_target, created_at, population_total, population_source, time_zone, stale_pair_weeks FROM organisation WHERE id = 1";

impl Tx {
    /// The organisation, read inside an operation that writes (its name in an email).
    pub async fn organisation(&mut self) -> Result<Option<Organisation>> {
        Ok(
            on_tx!(self, c => sqlx::query_as::<_, Organisation>(ORGANISATION)
            .fetch_optional(&mut *c).await)?,
        )
    }

    /// Changes the organisation's time zone.
    pub async fn set_time_zone(&mut self, zone: Zone) -> Result<()> {
        on_tx!(self, c => sqlx::query("UPDATE organisation SET time_zone = $1 WHERE id = 1")
            .bind(zone.name()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Sets after how many weeks without a held meeting a pair is listed as not meeting.
    pub async fn set_stale_pair_weeks(&mut self, weeks: StaleWeeks) -> Result<()> {
        on_tx!(self, c => sqlx::query("UPDATE organisation SET stale_pair_weeks = $1 WHERE id = 1")
            .bind(i64::from(weeks.get())).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Changes the organisation's settings.
    pub async fn update_organisation(
        &mut self,
        name: &str,
        min_cell: i64,
        disclosure_preset: &str,
        hours_target: i64,
    ) -> Result<()> {
        on_tx!(self, c => sqlx::query(
            "UPDATE organisation SET name = $1, min_cell = $2, disclosure_preset = $3, hours_target = $4 WHERE id = 1"
        ).bind(name).bind(min_cell).bind(disclosure_preset).bind(hours_target).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn create_faculty(&mut self, name: &str) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as("INSERT INTO faculties (name) VALUES ($1) RETURNING id")
            .bind(name).fetch_one(&mut *c).await)
            .map_err(|e| StoreError::unique(e, format!("a faculty called '{name}' already exists")))?;
        Ok(id)
    }

    pub async fn create_school(&mut self, faculty_id: i64, name: &str, code: &str) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as("INSERT INTO schools (faculty_id, name, code) VALUES ($1, $2, $3) RETURNING id")
            .bind(faculty_id).bind(name).bind(code).fetch_one(&mut *c).await)
            .map_err(|e| StoreError::unique(e, format!("a School called '{name}' or with code '{code}' already exists")))?;
        Ok(id)
    }

    /// Adds a label at the end of the list (before "in my own words" stays the organisation's
    /// choice: positions can be edited).
    pub async fn add_identity_label(&mut self, name: &str, description: &str) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO identity_labels (name, description, position) VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM identity_labels)) RETURNING id"
        ).bind(name).bind(description).fetch_one(&mut *c).await)
            .map_err(|e| StoreError::unique(e, format!("a label called '{name}' already exists")))?;
        Ok(id)
    }

    /// Shows or hides a label on forms (a label in use is never deleted).
    pub async fn set_identity_label_active(&mut self, id: i64, active: bool) -> Result<()> {
        let done = on_tx!(self, c => sqlx::query("UPDATE identity_labels SET active = $1 WHERE id = $2")
            .bind(active).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Sets the population the applicant pool is compared with: the total, its source, and
    /// each label's figure (`None` clears it).
    pub async fn set_population(
        &mut self,
        total: Option<i64>,
        source: &str,
        by_label: &[(i64, Option<i64>)],
    ) -> Result<()> {
        on_tx!(self, c => sqlx::query(SET_POPULATION_TOTAL)
            .bind(total).bind(source).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        for (label, n) in by_label {
            on_tx!(self, c => sqlx::query(SET_LABEL_POPULATION)
                .bind(*n).bind(*label).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }
}
