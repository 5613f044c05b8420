//! Webhook subscriptions (administrators): add one (its secret is shown once, on the page that
//! answers the form), pause, resume or delete it, and see the latest deliveries with their
//! status, attempts and last error. Payloads are not shown: they hold only ids and links, but
//! the page is about delivery.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::cycles::Actor;
use crate::operations::webhooks::{self, NewSubscription};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::policy;
use flipside_core::webhook::EventKind;
use flipside_store::{WebhookDelivery, WebhookSubscription};
use serde::Deserialize;

/// The latest deliveries the page lists.
const RECENT: i64 = 100;

#[derive(Template, WebTemplate)]
#[template(path = "admin/webhooks.html")]
pub struct WebhooksPage {
    ctx: PageCtx,
    subscriptions: Vec<SubscriptionView>,
    deliveries: Vec<WebhookDelivery>,
    /// Each event: its name, what it means, and whether the form has it checked.
    kinds: Vec<(&'static str, &'static str, bool)>,
    /// The subscription just made and its secret, shown this once.
    created: Option<(i64, String)>,
    /// The deployment lets endpoints be private addresses (and `http://` to them).
    allow_private: bool,
    form_url: String,
    errors: FormErrors,
}

pub struct SubscriptionView {
    pub id: i64,
    pub url: String,
    pub events: String,
    pub active: bool,
}

impl From<WebhookSubscription> for SubscriptionView {
    fn from(s: WebhookSubscription) -> SubscriptionView {
        SubscriptionView {
            id: s.id,
            events: s.events.split_whitespace().collect::<Vec<_>>().join(", "),
            url: s.url,
            active: s.active,
        }
    }
}

struct Form {
    url: String,
    events: Vec<String>,
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    created: Option<(i64, String)>,
    form: Form,
    errors: FormErrors,
) -> Result<WebhooksPage, AppError> {
    Ok(WebhooksPage {
        ctx,
        subscriptions: state
            .store
            .webhook_subscriptions()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
        deliveries: state.store.webhook_deliveries(None, RECENT).await?,
        kinds: EventKind::ALL
            .iter()
            .map(|k| {
                let checked = form.events.iter().any(|e| e == k.as_str());
                (k.as_str(), k.label(), checked)
            })
            .collect(),
        created,
        allow_private: state.settings.webhooks.allow_private_targets,
        form_url: form.url,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<WebhooksPage, AppError> {
    allow(policy::webhooks(&user.actor))?;
    let form = Form {
        url: String::new(),
        events: Vec::new(),
    };
    render(&state, ctx, None, form, FormErrors::default()).await
}

#[derive(Debug, Deserialize)]
struct NewForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    event: Vec<String>,
}

/// Adds a subscription; the answer is the page with its secret, shown once (never in a
/// redirect's cookie).
pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    body: Bytes,
) -> Result<Response, AppError> {
    allow(policy::webhooks(&user.actor))?;
    // Repeated `event` fields: `serde_html_form` keeps them all (axum's `Form` keeps one).
    let form: NewForm = serde_html_form::from_bytes(&body)
        .map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
    let new = NewSubscription {
        url: &form.url,
        events: form.event.iter().map(String::as_str).collect(),
    };
    if let Err(problems) = webhooks::check(&state, &new).await {
        let mut errors = FormErrors::default();
        for (field, message) in problems {
            errors.add(&field, message);
        }
        let form = Form {
            url: form.url.clone(),
            events: form.event.clone(),
        };
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&state, ctx, None, form, errors).await?,
        )
            .into_response());
    }
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    let created = webhooks::create(&state, actor, &new).await?;
    let form = Form {
        url: String::new(),
        events: Vec::new(),
    };
    Ok(render(
        &state,
        ctx,
        Some((created.id, created.secret)),
        form,
        FormErrors::default(),
    )
    .await?
    .into_response())
}

async fn change(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    id: i64,
    to: Change,
) -> Result<Response, AppError> {
    allow(policy::webhooks(&user.actor))?;
    let actor = Actor {
        id: user.id(),
        address,
    };
    let url = state.store.webhook_subscription(id).await?.url;
    let message = match to {
        Change::Pause => {
            webhooks::set_active(state, actor, id, false).await?;
            format!("Deliveries to {url} are paused.")
        }
        Change::Resume => {
            webhooks::set_active(state, actor, id, true).await?;
            format!("Deliveries to {url} are resumed.")
        }
        Change::Delete => {
            webhooks::delete(state, actor, id).await?;
            format!("The subscription of {url} is deleted.")
        }
    };
    Ok(redirect_with_flash("/admin/webhooks", &message))
}

enum Change {
    Pause,
    Resume,
    Delete,
}

pub async fn pause(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    change(&state, &user, &address, id, Change::Pause).await
}

pub async fn resume(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    change(&state, &user, &address, id, Change::Resume).await
}

pub async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    change(&state, &user, &address, id, Change::Delete).await
}

/// Queues a given-up delivery again ("Send again" beside it in the deliveries' list).
pub async fn redeliver(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, delivery)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    allow(policy::webhooks(&user.actor))?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    webhooks::redeliver(&state, actor, id, delivery).await?;
    Ok(redirect_with_flash(
        "/admin/webhooks",
        &format!("Delivery {delivery} is queued again: it goes out within a minute."),
    ))
}
