//! The background worker that drains the outbox.
use super::message::build_message;
use super::transport::{Mailer, SendError};
use chrono::{DateTime, Utc};
use flipside_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Attempts before an email that keeps failing transiently is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// How long a claim on an email lasts. A claim older than this was made by a worker that
/// stopped before recording the outcome (killed mid-send), so the email is queued again. It is
/// far longer than any send can take (the SMTP transport gives up within a minute).
pub const CLAIM_LEASE: Duration = Duration::from_secs(10 * 60);

/// What one pass over the outbox did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// How long to wait after the `attempts`-th failed attempt: 30 s, doubling, at most 6 hours.
pub fn backoff(attempts: i64) -> Duration {
    let exponent = attempts.clamp(1, 20) as u32 - 1;
    let seconds = 30u64.saturating_mul(1u64 << exponent).min(6 * 3600);
    Duration::from_secs(seconds)
}

/// Sends every email due at `at`. Each is claimed first; one another worker claimed is skipped.
pub async fn deliver_due(
    store: &Store,
    mailer: &Mailer,
    at: DateTime<Utc>,
) -> anyhow::Result<Delivery> {
    let mut done = Delivery::default();
    let released = store
        .release_stale_claims(at - chrono::Duration::from_std(CLAIM_LEASE)?)
        .await?;
    if released > 0 {
        tracing::warn!(
            released,
            "emails whose sender stopped mid-send are queued again"
        );
    }
    for email in store.due_emails(at, 100).await? {
        if !store.claim_email(email.id, at).await? {
            continue;
        }
        let attempts = email.attempts + 1;
        let outcome = match build_message(&mailer.from, &email) {
            Ok(message) => mailer.send(email.id, message).await,
            Err(e) => Err(SendError::Permanent(e)),
        };
        match outcome {
            Ok(()) => {
                store.mark_email_sent(email.id).await?;
                done.sent += 1;
            }
            Err(SendError::Transient(e)) if attempts < MAX_ATTEMPTS => {
                let retry_at = at + chrono::Duration::from_std(backoff(attempts))?;
                tracing::warn!(email = email.id, attempts, error = %e, "email not sent; will retry");
                store
                    .mark_email_failed(email.id, &e, Some(retry_at))
                    .await?;
                done.retrying += 1;
            }
            Err(SendError::Transient(e) | SendError::Permanent(e)) => {
                tracing::error!(email = email.id, attempts, error = %e, "email given up");
                store.mark_email_failed(email.id, &e, None).await?;
                done.failed += 1;
            }
        }
    }
    Ok(done)
}

/// Applies retention once a day ([`crate::operations::retention::run_daily`]), queues due
/// reminders (meetings, and surveys on their waves' schedules) and runs [`deliver_due`] every `interval` until `stop` turns true.
pub fn spawn_worker(
    store: Store,
    mailer: Arc<Mailer>,
    public_url: url::Url,
    interval: Duration,
    retention: flipside_core::privacy::RetentionSettings,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // The last day this instance applied (or saw another instance claim) retention.
        let mut retention_day = None;
        loop {
            let now = flipside_store::now();
            if retention_day != Some(now.date_naive()) {
                match crate::operations::retention::run_daily(&store, &retention, now).await {
                    Ok(_) => retention_day = Some(now.date_naive()),
                    Err(e) => tracing::error!(error = %e, "the daily retention job failed"),
                }
            }
            if let Err(e) = super::queue_meeting_reminders(&store, &public_url, now).await {
                tracing::error!(error = %e, "the email worker could not queue meeting reminders");
            }
            if let Err(e) = crate::operations::survey_reminders::queue_scheduled_survey_reminders(
                &store,
                &public_url,
                now,
            )
            .await
            {
                tracing::error!(error = %e, "the email worker could not queue scheduled survey reminders");
            }
            if let Err(e) = deliver_due(&store, &mailer, flipside_store::now()).await {
                tracing::error!(error = %e, "the email worker could not read the outbox");
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = stop.changed() => break,
            }
            if *stop.borrow() {
                break;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(60));
        assert_eq!(backoff(4), Duration::from_secs(240));
        assert_eq!(backoff(15), Duration::from_secs(6 * 3600));
        assert_eq!(backoff(0), Duration::from_secs(30));
    }
}
