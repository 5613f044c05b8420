//! Managing webhook subscriptions (administrators): each change with its audit entry, in one
//! transaction. The secret is made here, returned once and never shown again.
use crate::error::AppError;
use crate::operations::cycles::Actor;
use crate::state::AppState;
use flipside_core::webhook::{EventKind, address_kind, parse_endpoint, parse_events, refusal};
use flipside_store::NewAuditEntry;
use rand::Rng;

/// A subscription as asked for: its endpoint and event names, not yet checked.
pub struct NewSubscription<'a> {
    pub url: &'a str,
    pub events: Vec<&'a str>,
}

/// A subscription just made, with its secret (shown once).
pub struct Created {
    pub id: i64,
    pub secret: String,
}

/// Each problem with a form or body, as (field, message).
pub type FieldErrors = Vec<(String, String)>;

/// How long a subscription's name may take to resolve before it is accepted unresolved.
const RESOLVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// Checks a new subscription: the endpoint (`url`) and the events (`events`), every problem
/// named by its field.
pub async fn check(
    state: &AppState,
    new: &NewSubscription<'_>,
) -> Result<(url::Url, Vec<EventKind>), FieldErrors> {
    let allow_private = state.settings.webhooks.allow_private_targets;
    let url = match parse_endpoint(new.url, allow_private) {
        Ok(url) if !allow_private => resolves_publicly(url).await,
        checked => checked,
    };
    let events = parse_events(new.events.iter().copied());
    match (url, events) {
        (Ok(u), Ok(e)) => Ok((u, e)),
        (u, e) => {
            let mut errors = Vec::new();
            if let Err(m) = u {
                errors.push(("url".to_string(), m));
            }
            if let Err(m) = e {
                errors.push(("events".to_string(), m));
            }
            Err(errors)
        }
    }
}

/// A name is resolved now as well as at every delivery, so that one already leading to this
/// machine or a private network is refused with the form rather than at its first delivery.
/// A name that does not resolve (yet) is accepted: its receiver may not be up, and every
/// delivery checks again where the name then leads.
async fn resolves_publicly(url: url::Url) -> Result<url::Url, String> {
    let Some(url::Host::Domain(host)) = url.host() else {
        return Ok(url);
    };
    let host = host.to_string();
    let lookup =
        tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host.as_str(), 0))).await;
    if let Ok(Ok(addrs)) = lookup {
        for a in addrs {
            if !address_kind(a.ip()).is_public() {
                let why = refusal(&host, a.ip());
                return Err(format!(
                    "The URL is {}.",
                    why.trim_start_matches("refused: ")
                ));
            }
        }
    }
    Ok(url)
}

/// Adds a subscription after [`check`]ing it, with its audit entry.
pub async fn create(
    state: &AppState,
    actor: Actor<'_>,
    new: &NewSubscription<'_>,
) -> Result<Created, AppError> {
    let (url, events) = check(state, new).await.map_err(AppError::InvalidFields)?;
    let secret = format!("whsec_{}", hex::encode(rand::rng().random::<[u8; 24]>()));
    let mut tx = state.store.begin().await?;
    let id = tx
        .create_webhook_subscription(url.as_str(), &events, &secret, Some(actor.id))
        .await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "webhook_created",
        subject_kind: "webhook",
        subject_id: Some(id),
        detail: &format!(
            "{} ({})",
            url.as_str(),
            events
                .iter()
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(Created { id, secret })
}

/// Pauses or resumes a subscription, with its audit entry.
pub async fn set_active(
    state: &AppState,
    actor: Actor<'_>,
    id: i64,
    active: bool,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.set_webhook_active(id, active).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: if active {
            "webhook_resumed"
        } else {
            "webhook_paused"
        },
        subject_kind: "webhook",
        subject_id: Some(id),
        detail: "",
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a subscription and its deliveries, with its audit entry.
pub async fn delete(state: &AppState, actor: Actor<'_>, id: i64) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.delete_webhook_subscription(id).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "webhook_deleted",
        subject_kind: "webhook",
        subject_id: Some(id),
        detail: "",
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a given-up delivery again (see [`flipside_store::Tx::redeliver_webhook`]), with its
/// audit entry; the worker sends it on its next pass.
pub async fn redeliver(
    state: &AppState,
    actor: Actor<'_>,
    subscription_id: i64,
    delivery_id: i64,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.redeliver_webhook(subscription_id, delivery_id).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "webhook_redelivered",
        subject_kind: "webhook",
        subject_id: Some(subscription_id),
        detail: &format!("delivery {delivery_id}"),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
