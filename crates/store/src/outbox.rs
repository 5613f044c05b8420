//! The email outbox (SPEC §3.4). Whatever wants an email sent queues it here; the background
//! worker (in the web crate) claims due rows, sends them and records the outcome.
//!
//! Emails are queued only inside the transaction of the operation that causes them
//! ([`crate::Tx::enqueue_email`]), so an email goes out exactly when its operation commits.
//!
//! Two guarantees:
//! - queueing is idempotent: the same `dedup_key` queues one email, however often it is asked;
//! - a row is claimed (pending → sending) by a conditional update before it is sent, so two
//!   workers never both send it, and a sent row is never sent again.
//!
//! A worker killed between claiming and recording the outcome leaves its row `sending`;
//! [`Store::release_stale_claims`] puts such a row back once its claim is older than the
//! lease, so delivery is at least once (the Message-ID is derived from the dedup key, so a
//! receiving server or person can recognise the rare repeat), never lost.
use crate::pool::on_pool;
use crate::{Result, Store, now};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// An email to queue.
#[derive(Debug, Clone)]
pub struct NewEmail<'a> {
    /// Names the event the email is about (e.g. `invitation:12`), so that queueing it again
    /// does nothing.
    pub dedup_key: &'a str,
    pub to_address: &'a str,
    pub to_name: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    /// An iCalendar (RFC 5545) attachment.
    pub calendar: Option<&'a str>,
}

/// A queued email and its delivery state.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OutboxEmail {
    pub id: i64,
    pub dedup_key: String,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub body_text: String,
    pub calendar: Option<String>,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

pub(crate) const INSERT_EMAIL: &str = "INSERT INTO outbox (dedup_key, to_address, to_name, subject, body_text, calendar, status, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) ON CONFLICT (dedup_key) DO NOTHING";

const EMAIL_COLUMNS: &str = "id, dedup_key, to_address, to_name, subject, body_text, calendar, status, attempts, next_attempt_at, last_error, created_at, sent_at";

impl Store {
    /// Pending emails whose next attempt is due, oldest first.
    pub async fn due_emails(&self, at: DateTime<Utc>, limit: i64) -> Result<Vec<OutboxEmail>> {
        let sql = format!(
            "SELECT {EMAIL_COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, OutboxEmail>(&sql).bind(at).bind(limit).fetch_all(pool).await)?,
        )
    }

    /// Claims a pending email for sending at `at`. Returns false if another worker claimed it
    /// first.
    pub async fn claim_email(&self, id: i64, at: DateTime<Utc>) -> Result<bool> {
        let n = on_pool!(self, pool => sqlx::query(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_at = $1 WHERE id = $2 AND status = 'pending'"
        ).bind(at).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Puts back to `pending` every email claimed before `claimed_before` whose outcome was
    /// never recorded (its worker died mid-send), and returns how many. Its attempt counts.
    pub async fn release_stale_claims(&self, claimed_before: DateTime<Utc>) -> Result<u64> {
        Ok(on_pool!(self, pool => sqlx::query(
            "UPDATE outbox SET status = 'pending', last_error = 'the worker sending it stopped; sent again' \
             WHERE status = 'sending' AND (claimed_at IS NULL OR claimed_at < $1)"
        ).bind(claimed_before).execute(pool).await.map(|r| r.rows_affected()))?)
    }

    /// Records a claimed email as sent.
    pub async fn mark_email_sent(&self, id: i64) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $1, last_error = '' WHERE id = $2 AND status = 'sending'"
        ).bind(now()).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records a failed attempt: the email goes back to pending until `retry_at`, or, with no
    /// `retry_at`, is given up as failed.
    pub async fn mark_email_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let (status, next) = match retry_at {
            Some(at) => ("pending", at),
            None => ("failed", now()),
        };
        on_pool!(self, pool => sqlx::query(
            "UPDATE outbox SET status = $1, next_attempt_at = $2, last_error = $3 WHERE id = $4 AND status = 'sending'"
        ).bind(status).bind(next).bind(error).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Every email queued for an address, oldest first (for tests and the operator's page).
    pub async fn emails_to(&self, to_address: &str) -> Result<Vec<OutboxEmail>> {
        let sql = format!(
            "SELECT {EMAIL_COLUMNS} FROM outbox WHERE lower(to_address) = lower($1) ORDER BY id"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, OutboxEmail>(&sql).bind(to_address).fetch_all(pool).await)?,
        )
    }

    /// A page of the outbox, newest first: emails older than `before` (an email id), only
    /// those in `status` where given.
    pub async fn emails_page(
        &self,
        status: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<OutboxEmail>> {
        let sql = format!(
            "SELECT {EMAIL_COLUMNS} FROM outbox WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, OutboxEmail>(&sql).bind(status).bind(before).bind(limit).fetch_all(pool).await)?,
        )
    }

    /// The most recent emails, newest first.
    pub async fn recent_emails(&self, limit: i64) -> Result<Vec<OutboxEmail>> {
        let sql = format!("SELECT {EMAIL_COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1");
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, OutboxEmail>(&sql).bind(limit).fetch_all(pool).await)?,
        )
    }
}
