//! The daily retention job (issue 13): once a day the server applies the retention rules of
//! the settings file. The day is claimed in the database first, so with several server
//! instances exactly one applies the rules that day; the run is recorded in `retention_runs`.
use chrono::{DateTime, Utc};
use flipside_core::privacy::RetentionSettings;
use flipside_store::Store;
use flipside_store::privacy::RetentionReport;

/// Applies retention at `now` unless it was already applied on `now`'s day (by this instance
/// or another). `None` when the day was already claimed.
pub async fn run_daily(
    store: &Store,
    settings: &RetentionSettings,
    now: DateTime<Utc>,
) -> flipside_store::Result<Option<RetentionReport>> {
    if !store.claim_retention_day(now.date_naive(), now).await? {
        return Ok(None);
    }
    let report = store.apply_retention(settings, now).await?;
    tracing::info!(deleted = report.total(), "retention applied");
    Ok(Some(report))
}
