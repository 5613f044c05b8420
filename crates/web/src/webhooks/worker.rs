//! The background worker that delivers recorded events.
use super::sign::signature_header;
use super::target::{CheckedResolver, literal_refusal, refused_in, with_causes};
use crate::settings::WebhookSettings;
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

/// What deliveries are sent with: the HTTP client and where it may connect.
pub struct Client {
    http: reqwest::Client,
    targets: WebhookSettings,
}

/// The client deliveries are sent with: names resolved and checked once, by
/// [`CheckedResolver`], and connected to exactly as checked; no proxy (which would resolve
/// the name itself, past the check); no redirects followed (an endpoint answers itself, and a
/// redirect could lead anywhere); a time limit on each request.
pub fn client(targets: WebhookSettings) -> Client {
    let http = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(std::sync::Arc::new(CheckedResolver {
            allow_private_targets: targets.allow_private_targets,
        }))
        .user_agent(concat!("flipside-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the webhook HTTP client builds");
    Client { http, targets }
}

/// Why one attempt failed.
struct Failure {
    error: String,
    /// The endpoint's answer, if one came.
    status: Option<i64>,
    /// Not worth trying again: the target is refused.
    refused: bool,
}

impl Failure {
    fn refused(error: String) -> Failure {
        Failure {
            error,
            status: None,
            refused: true,
        }
    }
}

/// The outcome of one attempt: delivered with the status, or why not.
async fn send(client: &Client, d: &ClaimedDelivery, at: DateTime<Utc>) -> Result<i64, Failure> {
    let url = url::Url::parse(&d.url).map_err(|e| Failure {
        error: format!("the URL cannot be read: {e}"),
        status: None,
        refused: true,
    })?;
    if let Some(refused) = literal_refusal(&url, client.targets.allow_private_targets) {
        return Err(Failure::refused(refused.0));
    }
    let body = d.payload.clone().into_bytes();
    let signature = signature_header(&d.secret, at.timestamp(), &body);
    let answer = client
        .http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Flipside-Event", &d.event)
        .header("Flipside-Delivery", d.id.to_string())
        .header("Flipside-Signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| match refused_in(&e) {
            Some(refused) => Failure::refused(refused.0.clone()),
            None => Failure {
                error: format!("the request failed: {}", with_causes(&e)),
                status: None,
                refused: false,
            },
        })?;
    let status = i64::from(answer.status().as_u16());
    if answer.status().is_success() {
        return Ok(status);
    }
    let text = answer.text().await.unwrap_or_default();
    let text: String = text.chars().take(ERROR_CHARS).collect();
    Err(Failure {
        error: format!("HTTP {status}: {}", text.trim()),
        status: Some(status),
        refused: false,
    })
}

/// Delivers every delivery due at `at`, each claimed first.
pub async fn deliver_due(
    store: &Store,
    client: &Client,
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
                Err(Failure {
                    error,
                    status,
                    refused: false,
                }) if d.attempts < MAX_ATTEMPTS => {
                    let retry_at =
                        at + chrono::Duration::from_std(crate::mail::backoff(d.attempts))?;
                    tracing::warn!(delivery = d.id, attempts = d.attempts, %error, "webhook not delivered; will retry");
                    store
                        .mark_webhook_failed(d.id, &error, status, Some(retry_at))
                        .await?;
                    done.retrying += 1;
                }
                // A refused target is given up at once: trying again would be refused again,
                // and the administrators see why.
                Err(Failure { error, status, .. }) => {
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
    targets: WebhookSettings,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = client(targets);
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
