//! Idempotency keys of the JSON API (issue 16). A client that sends `Idempotency-Key` with a
//! POST may send it again after a lost answer: the operation is carried out once, and the
//! repeat gets the first answer back.
//!
//! The key is claimed before the operation runs (an insert that a second request with the
//! same key cannot repeat), so two requests racing with one key never both run; the answer is
//! recorded after a success, and a failure gives the key back so that the client may retry.
//! A key whose request never finished (the server stopped mid-way) stays claimed until it
//! expires: whether its operation committed cannot be known, so running it again is refused.
use crate::pool::on_pool;
use crate::{Result, Store};
use chrono::{DateTime, Duration, Utc};

/// How long a key is remembered.
pub const KEY_LIFETIME: Duration = Duration::hours(24);

/// What a request with an idempotency key should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyClaim {
    /// The key is new and now this request's: run the operation, then record or release it.
    Run,
    /// The same request was answered before: send its answer again.
    Replay {
        status: u16,
        content_type: String,
        body: String,
    },
    /// The key was used with a different request.
    Mismatch,
    /// A request with the key is still running (or never finished).
    InProgress,
}

impl Store {
    /// Claims `key` for `user`'s request with `fingerprint` (a hash of its method, path and
    /// body), forgetting keys older than [`KEY_LIFETIME`] first.
    pub async fn claim_idempotency_key(
        &self,
        user: i64,
        key: &str,
        fingerprint: &str,
        at: DateTime<Utc>,
    ) -> Result<KeyClaim> {
        on_pool!(self, pool => sqlx::query("DELETE FROM api_idempotency WHERE created_at < $1")
            .bind(at - KEY_LIFETIME).execute(pool).await.map(|r| r.rows_affected()))?;
        let inserted = on_pool!(self, pool => sqlx::query(
            "INSERT INTO api_idempotency (user_id, idem_key, fingerprint, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, idem_key) DO NOTHING"
        ).bind(user).bind(key).bind(fingerprint).bind(at).execute(pool).await.map(|r| r.rows_affected()))?;
        if inserted == 1 {
            return Ok(KeyClaim::Run);
        }
        let row: Option<(String, Option<i32>, String, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT fingerprint, status, content_type, body FROM api_idempotency WHERE user_id = $1 AND idem_key = $2"
        ).bind(user).bind(key).fetch_optional(pool).await)?;
        Ok(match row {
            // Expired and deleted between the two statements: the caller may try again.
            None => KeyClaim::InProgress,
            Some((stored, _, _, _)) if stored != fingerprint => KeyClaim::Mismatch,
            Some((_, None, _, _)) => KeyClaim::InProgress,
            Some((_, Some(status), content_type, body)) => KeyClaim::Replay {
                status: u16::try_from(status).unwrap_or(500),
                content_type,
                body,
            },
        })
    }

    /// Records the answer of a request that ran under `key`.
    pub async fn record_idempotent_answer(
        &self,
        user: i64,
        key: &str,
        status: u16,
        content_type: &str,
        body: &str,
    ) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE api_idempotency SET status = $1, content_type = $2, body = $3 WHERE user_id = $4 AND idem_key = $5"
        ).bind(i32::from(status)).bind(content_type).bind(body).bind(user).bind(key).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Gives `key` back after its request failed, so that the client may send it again.
    pub async fn release_idempotency_key(&self, user: i64, key: &str) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "DELETE FROM api_idempotency WHERE user_id = $1 AND idem_key = $2 AND status IS NULL"
        ).bind(user).bind(key).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
