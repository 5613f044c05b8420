//! The annual report (SPEC §3.9): the coordinator's text of the report being prepared, and the
//! published versions, each frozen as written (its figures, text and quotes as JSON).
use crate::error::{OrNotFound, StoreError};
use crate::pool::on_pool;
use crate::tx::on_tx;
use crate::{Result, Store, Tx, now};
use chrono::{DateTime, Utc};
use flipside_core::annual_report::{ReportScope, ReportText, next_version};

/// The coordinator's text of a report not yet published, as last saved.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportDraft {
    pub introduction: String,
    pub recommendations: String,
    pub updated_at: DateTime<Utc>,
}

/// One published version in the list of a report's versions (without its data).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportVersionSummary {
    pub number: i64,
    pub title: String,
    pub published_at: DateTime<Utc>,
    /// Who published it (none once their account is erased).
    pub published_by_name: Option<String>,
    /// The quote bank's ids of the quotes it prints, as JSON.
    pub quote_ids: String,
}

/// A published version with its frozen data.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportVersion {
    pub number: i64,
    pub title: String,
    pub published_at: DateTime<Utc>,
    /// The report as published (figures, text and quotes), as JSON.
    pub data: String,
}

/// A version about to be published.
#[derive(Debug, Clone, Copy)]
pub struct NewReportVersion<'a> {
    pub title: &'a str,
    /// The report's data as JSON.
    pub data: &'a str,
    /// The quote bank's ids of the quotes it prints, as a JSON array.
    pub quote_ids: &'a str,
    pub published_by: Option<i64>,
}

impl Store {
    /// The coordinator's saved text of a report, if any has been saved.
    pub async fn report_draft(&self, scope: ReportScope) -> Result<Option<ReportDraft>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, ReportDraft>(
            "SELECT introduction, recommendations, updated_at FROM report_drafts WHERE scope = $1 AND scope_id = $2"
        ).bind(scope.kind()).bind(scope.key()).fetch_optional(pool).await)?)
    }

    /// A report's published versions, newest first.
    pub async fn report_versions(&self, scope: ReportScope) -> Result<Vec<ReportVersionSummary>> {
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, ReportVersionSummary>(
            "SELECT v.number, v.title, v.published_at, u.display_name AS published_by_name, v.quote_ids
             FROM report_versions v LEFT JOIN users u ON u.id = v.published_by
             WHERE v.scope = $1 AND v.scope_id = $2 ORDER BY v.number DESC"
        ).bind(scope.kind()).bind(scope.key()).fetch_all(pool).await)?,
        )
    }

    /// One published version of a report, by its number.
    pub async fn report_version(&self, scope: ReportScope, number: i64) -> Result<ReportVersion> {
        on_pool!(self, pool => sqlx::query_as::<_, ReportVersion>(
            "SELECT number, title, published_at, data FROM report_versions WHERE scope = $1 AND scope_id = $2 AND number = $3"
        ).bind(scope.kind()).bind(scope.key()).bind(number).fetch_optional(pool).await.or_not_found())
    }
}

impl Tx {
    /// Saves the coordinator's text of a report (replacing what was saved before).
    pub async fn save_report_text(
        &mut self,
        scope: ReportScope,
        text: &ReportText,
        updated_by: Option<i64>,
    ) -> Result<()> {
        on_tx!(self, c => sqlx::query(
            "INSERT INTO report_drafts (scope, scope_id, introduction, recommendations, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (scope, scope_id) DO UPDATE SET introduction = excluded.introduction,
               recommendations = excluded.recommendations, updated_by = excluded.updated_by, updated_at = excluded.updated_at"
        ).bind(scope.kind()).bind(scope.key()).bind(&text.introduction).bind(&text.recommendations)
            .bind(updated_by).bind(now()).execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }

    /// Publishes a version of a report under the next number, and returns that number. Two
    /// coordinators publishing at once get consecutive numbers (the number is taken under the
    /// report's lock; SQLite's transactions already run one at a time).
    pub async fn publish_report(
        &mut self,
        scope: ReportScope,
        version: NewReportVersion<'_>,
    ) -> Result<i64> {
        self.lock(&format!("report:{}:{}", scope.kind(), scope.key()))
            .await?;
        let (latest,): (Option<i64>,) = on_tx!(self, c => sqlx::query_as(
            "SELECT MAX(number) FROM report_versions WHERE scope = $1 AND scope_id = $2"
        ).bind(scope.kind()).bind(scope.key()).fetch_one(&mut *c).await)?;
        let number = next_version(latest);
        on_tx!(self, c => sqlx::query(
            "INSERT INTO report_versions (scope, scope_id, number, title, data, quote_ids, published_by, published_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ).bind(scope.kind()).bind(scope.key()).bind(number).bind(version.title).bind(version.data)
            .bind(version.quote_ids).bind(version.published_by).bind(now())
            .execute(&mut *c).await.map(|_| ())
            .map_err(|e| StoreError::unique(e, "Another version was published at the same moment; try again.")))?;
        Ok(number)
    }
}
