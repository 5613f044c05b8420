//! Webhook subscriptions, the events operations record and their deliveries (issue 16).
//!
//! Like the email outbox: an operation records its event with [`Tx::record_event`], in its own
//! transaction, which also queues one delivery for each active subscription to that event; the
//! worker (in the web crate) claims due deliveries, POSTs them and records the outcome.
//!
//! Claiming moves a batch of due deliveries from `pending` to `sending` in one statement. On
//! PostgreSQL the batch is chosen `FOR UPDATE SKIP LOCKED`, so two instances polling at the same
//! moment take disjoint batches instead of waiting on each other; the `status = 'pending'`
//! condition of the update makes a claim exclusive on either backend (SQLite writes one
//! statement at a time). A worker killed mid-delivery leaves its rows `sending` until
//! [`Store::release_stale_webhook_claims`] puts them back: delivery is at least once, and the
//! delivery's id (sent as `Flipside-Delivery`) lets a receiver drop a repeat.
use crate::error::{OrNotFound, StoreError};
use crate::pool::{Backend, on_pool};
use crate::tx::on_tx;
use crate::{Result, Store, Tx, now};
use chrono::{DateTime, Utc};
use flipside_core::webhook::EventKind;

/// A subscription as administrators see it (never its secret).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookSubscription {
    pub id: i64,
    pub url: String,
    /// Event names separated by spaces.
    pub events: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl WebhookSubscription {
    /// The events subscribed to, in order; a name no version wrote is an error.
    pub fn event_kinds(&self) -> Result<Vec<EventKind>> {
        self.events
            .split_whitespace()
            .map(|e| {
                EventKind::parse(e).ok_or_else(|| {
                    StoreError::Corrupt(format!("webhook subscription {}: event {e}", self.id))
                })
            })
            .collect()
    }
}

/// One event's delivery to one subscription, as the administration page and API list it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookDelivery {
    pub id: i64,
    pub subscription_id: i64,
    pub event_id: i64,
    pub event: String,
    /// `pending`, `sending`, `delivered` or `failed` (given up).
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: String,
    pub last_status: Option<i64>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A delivery the worker has claimed: everything it needs to send it.
#[derive(Clone, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub event: String,
    pub payload: String,
    /// Counting this one.
    pub attempts: i64,
}

impl std::fmt::Debug for ClaimedDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClaimedDelivery({}, {}, <secret>)", self.id, self.event)
    }
}

const SUBSCRIPTION_COLUMNS: &str = "id, url, events, active, created_at";
const DELIVERY_COLUMNS: &str = "d.id, d.subscription_id, d.event_id, e.kind AS event, d.status, d.attempts, d.next_attempt_at, d.last_error, d.last_status, d.delivered_at, d.created_at";

impl Store {
    /// Every subscription, oldest first.
    pub async fn webhook_subscriptions(&self) -> Result<Vec<WebhookSubscription>> {
        let sql = format!("SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions ORDER BY id");
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, WebhookSubscription>(&sql).fetch_all(pool).await)?,
        )
    }

    pub async fn webhook_subscription(&self, id: i64) -> Result<WebhookSubscription> {
        let sql = format!("SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1");
        on_pool!(self, pool => sqlx::query_as::<_, WebhookSubscription>(&sql).bind(id).fetch_optional(pool).await)
            .or_not_found()
    }

    /// The latest deliveries, newest first: of one subscription, or of all.
    pub async fn webhook_deliveries(
        &self,
        subscription_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<WebhookDelivery>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
             WHERE ($1 IS NULL OR d.subscription_id = $1) ORDER BY d.id DESC LIMIT $2"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, WebhookDelivery>(&sql).bind(subscription_id).bind(limit).fetch_all(pool).await)?,
        )
    }

    pub async fn webhook_delivery(&self, id: i64) -> Result<WebhookDelivery> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.id = $1"
        );
        on_pool!(self, pool => sqlx::query_as::<_, WebhookDelivery>(&sql).bind(id).fetch_optional(pool).await)
            .or_not_found()
    }

    /// Claims up to `limit` deliveries due at `at` whose subscription is active (see the
    /// module's comment) and returns them; each claim counts as an attempt.
    pub async fn claim_webhook_deliveries(
        &self,
        at: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>> {
        let skip_locked = match self.backend() {
            Backend::Postgres => "FOR UPDATE OF d SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let claim = format!(
            "UPDATE webhook_deliveries SET status = 'sending', attempts = attempts + 1, claimed_at = $1
             WHERE status = 'pending' AND id IN (
                SELECT d.id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
                WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND s.active
                ORDER BY d.next_attempt_at, d.id LIMIT $2 {skip_locked})
             RETURNING id"
        );
        let ids: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(&claim).bind(at).bind(limit).fetch_all(pool).await)?;
        let mut claimed = Vec::with_capacity(ids.len());
        for (id,) in ids {
            let row = on_pool!(self, pool => sqlx::query_as::<_, ClaimedDelivery>(
                "SELECT d.id, s.url, s.secret, e.kind AS event, e.payload, d.attempts
                 FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
                 JOIN webhook_events e ON e.id = d.event_id WHERE d.id = $1"
            ).bind(id).fetch_optional(pool).await)?;
            // A subscription deleted since the claim took its deliveries with it.
            claimed.extend(row);
        }
        Ok(claimed)
    }

    /// Puts back every delivery claimed before `claimed_before` whose outcome was never
    /// recorded (its worker stopped mid-delivery); returns how many.
    pub async fn release_stale_webhook_claims(&self, claimed_before: DateTime<Utc>) -> Result<u64> {
        Ok(on_pool!(self, pool => sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', last_error = 'the worker delivering it stopped; sent again'
             WHERE status = 'sending' AND (claimed_at IS NULL OR claimed_at < $1)"
        ).bind(claimed_before).execute(pool).await.map(|r| r.rows_affected()))?)
    }

    /// Records a claimed delivery as delivered (the receiver answered 2xx with `status`).
    pub async fn mark_webhook_delivered(&self, id: i64, status: i64) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = $1, last_status = $2, last_error = '' WHERE id = $3 AND status = 'sending'"
        ).bind(now()).bind(status).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records a failed attempt: back to pending until `retry_at`, or, without, given up.
    pub async fn mark_webhook_failed(
        &self,
        id: i64,
        error: &str,
        status: Option<i64>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let (state, next) = match retry_at {
            Some(at) => ("pending", at),
            None => ("failed", now()),
        };
        on_pool!(self, pool => sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, last_error = $3, last_status = $4 WHERE id = $5 AND status = 'sending'"
        ).bind(state).bind(next).bind(error).bind(status).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

impl Tx {
    /// Adds a subscription, active; returns its id.
    pub async fn create_webhook_subscription(
        &mut self,
        url: &str,
        events: &[EventKind],
        secret: &str,
        created_by: Option<i64>,
    ) -> Result<i64> {
        let events = events
            .iter()
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO webhook_subscriptions (url, events, secret, active, created_by, created_at) VALUES ($1, $2, $3, TRUE, $4, $5) RETURNING id"
        ).bind(url).bind(&events).bind(secret).bind(created_by).bind(now()).fetch_one(&mut *c).await)?;
        Ok(id)
    }

    /// Pauses (`active` false) or resumes a subscription. A paused subscription is given no
    /// new deliveries, and its queued ones wait until it resumes.
    pub async fn set_webhook_active(&mut self, id: i64, active: bool) -> Result<()> {
        let n = on_tx!(self, c => sqlx::query("UPDATE webhook_subscriptions SET active = $1 WHERE id = $2")
            .bind(active).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Deletes a subscription and its deliveries.
    pub async fn delete_webhook_subscription(&mut self, id: i64) -> Result<()> {
        let n = on_tx!(self, c => {
            sqlx::query("DELETE FROM webhook_deliveries WHERE subscription_id = $1").bind(id).execute(&mut *c).await?;
            sqlx::query("DELETE FROM webhook_subscriptions WHERE id = $1").bind(id).execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Queues a given-up delivery of subscription `subscription_id` again, due now, with its
    /// attempts counted afresh: for a receiver that was down past the last retry, or a target
    /// refused before the deployment allowed private targets. The same event and payload go
    /// out under the same delivery id, so a receiver that did get it can drop the repeat. Only
    /// a `failed` delivery can be queued again ([`StoreError::Conflict`] otherwise); one of
    /// another subscription is [`StoreError::NotFound`].
    pub async fn redeliver_webhook(
        &mut self,
        subscription_id: i64,
        delivery_id: i64,
    ) -> Result<()> {
        let status: Option<(String,)> = on_tx!(self, c => sqlx::query_as(
            "SELECT status FROM webhook_deliveries WHERE id = $1 AND subscription_id = $2"
        ).bind(delivery_id).bind(subscription_id).fetch_optional(&mut *c).await)?;
        let (status,) = status.ok_or(StoreError::NotFound)?;
        if status != "failed" {
            return Err(StoreError::Conflict(format!(
                "Delivery {delivery_id} is {status}: only a delivery given up (failed) can be sent again."
            )));
        }
        // `status = 'failed'` again in the update: of two administrators pressing at once,
        // one queues it and the other is told it is no longer failed.
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1,
                last_error = 'queued again by an administrator; ' || last_error
             WHERE id = $2 AND status = 'failed'"
        ).bind(now()).bind(delivery_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::Conflict(format!(
                "Delivery {delivery_id} was queued again meanwhile."
            )));
        }
        Ok(())
    }

    /// Records an event in the operation's transaction and queues its delivery to every active
    /// subscription to `kind`. `dedup_key` names the occurrence: recording it again does
    /// nothing. `payload` is the JSON document sent. Returns how many deliveries were queued.
    pub async fn record_event(
        &mut self,
        dedup_key: &str,
        kind: EventKind,
        payload: &str,
    ) -> Result<usize> {
        let at = now();
        let event: Option<(i64,)> = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO webhook_events (dedup_key, kind, payload, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (dedup_key) DO NOTHING RETURNING id"
        ).bind(dedup_key).bind(kind.as_str()).bind(payload).bind(at).fetch_optional(&mut *c).await)?;
        let Some((event_id,)) = event else {
            return Ok(0);
        };
        let subscriptions: Vec<(i64, String)> = on_tx!(self, c => sqlx::query_as(
            "SELECT id, events FROM webhook_subscriptions WHERE active ORDER BY id"
        ).fetch_all(&mut *c).await)?;
        let mut queued = 0;
        for (subscription_id, events) in subscriptions {
            if !events.split_whitespace().any(|e| e == kind.as_str()) {
                continue;
            }
            on_tx!(self, c => sqlx::query(
                "INSERT INTO webhook_deliveries (event_id, subscription_id, status, next_attempt_at, created_at) VALUES ($1, $2, 'pending', $3, $3)"
            ).bind(event_id).bind(subscription_id).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
            queued += 1;
        }
        Ok(queued)
    }
}
