//! The background worker that delivers recorded events.
use super::sign::signature_header;
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use flipside_store::{ClaimedDelivery, Store};
use std::time::Duration;
use tokio::sync::watch;

/// Attempts before a delivery that keeps failing is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// How long a claim on a delivery lasts: far longer than a request may take
/// ([`REQUEST_TIMEOUT`]), so an older claim was made by a worker that stopped.
pub const CLAIM_LEASE: Duration = Duration::from_secs(10 * 60);

/// How long an endpoint has to answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Deliveries claimed per pass.
const BATCH: i64 = 50;

/// The most of an endpoint's answer kept as the error shown to administrators.
const ERROR_CHARS: usize = 300;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Whether endpoints may be `http://` to this machine: only on an instance whose own address
/// is on this machine (development, the demo and the tests); a real deployment, reached at
/// another host, accepts `https://` endpoints only.
pub fn loopback_endpoints_allowed(settings: &Settings) -> bool {
    match settings.public_url.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The HTTP client deliveries are sent with: no redirects followed (an endpoint answers
/// itself), a time limit on each request.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("flipside-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the webhook HTTP client builds")
}

/// The outcome of one attempt: delivered with the status, or failed with the error and the
/// status if an answer came.
async fn send(
    client: &reqwest::Client,
    d: &ClaimedDelivery,
    at: DateTime<Utc>,
) -> Result<i64, (String, Option<i64>)> {
    let body = d.payload.clone().into_bytes();
    let signature = signature_header(&d.secret, at.timestamp(), &body);
    let answer = client
        .post(&d.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Flipside-Event", &d.event)
        .header("Flipside-Delivery", d.id.to_string())
        .header("Flipside-Signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| (format!("the request failed: {e}"), None))?;
    let status = i64::from(answer.status().as_u16());
    if answer.status().is_success() {
        return Ok(status);
    }
    let text = answer.text().await.unwrap_or_default();
    let text: String = text.chars().take(ERROR_CHARS).collect();
    Err((format!("HTTP {status}: {}", text.trim()), Some(status)))
}

/// Delivers every delivery due at `at`, each claimed first.
pub async fn deliver_due(
    store: &Store,
    client: &reqwest::Client,
    at: DateTime<Utc>,
) -> anyhow::Result<Delivery> {
    let mut done = Delivery::default();
    let released = store
        .release_stale_webhook_claims(at - chrono::Duration::from_std(CLAIM_LEASE)?)
        .await?;
    if released > 0 {
        tracing::warn!(
            released,
            "webhook deliveries whose worker stopped are queued again"
        );
    }
    loop {
        let claimed = store.claim_webhook_deliveries(at, BATCH).await?;
        if claimed.is_empty() {
            break;
        }
        for d in &claimed {
            match send(client, d, at).await {
                Ok(status) => {
                    store.mark_webhook_delivered(d.id, status).await?;
                    done.delivered += 1;
                }
                Err((error, status)) if d.attempts < MAX_ATTEMPTS => {
                    let retry_at =
                        at + chrono::Duration::from_std(crate::mail::backoff(d.attempts))?;
                    tracing::warn!(delivery = d.id, attempts = d.attempts, %error, "webhook not delivered; will retry");
                    store
                        .mark_webhook_failed(d.id, &error, status, Some(retry_at))
                        .await?;
                    done.retrying += 1;
                }
                Err((error, status)) => {
                    tracing::error!(delivery = d.id, attempts = d.attempts, %error, "webhook given up");
                    store
                        .mark_webhook_failed(d.id, &error, status, None)
                        .await?;
                    done.failed += 1;
                }
            }
        }
        if (claimed.len() as i64) < BATCH {
            break;
        }
    }
    Ok(done)
}

/// Runs [`deliver_due`] every `interval` until `stop` turns true.
pub fn spawn_worker(
    store: Store,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = client();
        loop {
            if let Err(e) = deliver_due(&store, &client, flipside_store::now()).await {
                tracing::error!(error = %e, "the webhook worker could not read its deliveries");
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
