//! Managing webhook subscriptions (administrators): each change with its audit entry, in one
//! transaction. The secret is made here, returned once and never shown again.
use crate::error::AppError;
use crate::operations::cycles::Actor;
use crate::state::AppState;
use flipside_core::webhook::{EventKind, parse_endpoint, parse_events};
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

/// Checks a new subscription: the endpoint (`url`) and the events (`events`), every problem
/// named by its field.
pub fn check(
    state: &AppState,
    new: &NewSubscription<'_>,
) -> Result<(url::Url, Vec<EventKind>), FieldErrors> {
    let url = parse_endpoint(new.url, state.settings.webhooks.allow_private_targets);
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

/// Adds a subscription after [`check`]ing it, with its audit entry.
pub async fn create(
    state: &AppState,
    actor: Actor<'_>,
    new: &NewSubscription<'_>,
) -> Result<Created, AppError> {
    let (url, events) = check(state, new).map_err(AppError::InvalidFields)?;
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
