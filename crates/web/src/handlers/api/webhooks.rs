//! Webhook subscriptions over the API (administrators; a token needs the `administration`
//! scope to change them). The secret is in the answer to `createWebhook` only.
use super::{ApiPath, ApiQuery, JsonBody, PageParams, page, page_of};
use crate::auth::{ApiUser, ClientAddress};
use crate::error::{ApiError, AppError, Problem};
use crate::operations::cycles::Actor;
use crate::operations::webhooks::{self, NewSubscription};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, delete, get, post};
use flipside_core::policy;
use flipside_store::{WebhookDelivery, WebhookSubscription};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(list, create, show, pause, resume, remove, deliveries, redeliver),
    components(schemas(WebhookJson, NewWebhookJson, CreatedWebhookJson, WebhookPage, DeliveryJson, DeliveryPage)),
    tags((name = "webhooks", description = "Subscriptions of HTTPS endpoints to events, signed with HMAC-SHA256 (see the README)."))
)]
pub struct Doc;

/// This module's operations, for `crate::router::api_operations`.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/webhooks", get(list)),
        (Method::POST, "/webhooks", post(create)),
        (Method::GET, "/webhooks/{id}", get(show)),
        (Method::DELETE, "/webhooks/{id}", delete(remove)),
        (Method::POST, "/webhooks/{id}/pause", post(pause)),
        (Method::POST, "/webhooks/{id}/resume", post(resume)),
        (Method::GET, "/webhooks/{id}/deliveries", get(deliveries)),
        (
            Method::POST,
            "/webhooks/{id}/deliveries/{delivery}/redeliver",
            post(redeliver),
        ),
    ]
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookJson {
    pub id: i64,
    /// The endpoint deliveries are POSTed to.
    pub url: String,
    /// The events subscribed to.
    pub events: Vec<String>,
    /// False while paused: no deliveries are made or queued.
    pub active: bool,
    pub created_at: String,
}

impl TryFrom<WebhookSubscription> for WebhookJson {
    type Error = AppError;
    fn try_from(s: WebhookSubscription) -> Result<WebhookJson, AppError> {
        let events = s
            .event_kinds()?
            .iter()
            .map(|e| e.as_str().to_string())
            .collect();
        Ok(WebhookJson {
            id: s.id,
            url: s.url,
            events,
            active: s.active,
            created_at: s.created_at.to_rfc3339(),
        })
    }
}

/// A new subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookJson {
    /// A public `https://` URL: not a private, loopback, link-local, unique-local, shared,
    /// multicast or reserved address (a deployment that allows private targets accepts them,
    /// and `http://` to them).
    #[schema(max_length = 500)]
    pub url: String,
    /// One or more of application.decided, pairs.published, meeting.confirmed,
    /// action.status_changed, survey_wave.opened, report.published.
    pub events: Vec<String>,
}

/// A subscription just made, with the secret that signs its deliveries: shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhookJson {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: String,
    /// The HMAC-SHA256 key of `Flipside-Signature`. Keep it: it is never shown again.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryJson {
    /// Sent as `Flipside-Delivery`; the same on every attempt.
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    /// pending, sending, delivered or failed (given up)
    #[schema(pattern = "^(pending|sending|delivered|failed)$")]
    pub status: String,
    pub attempts: i64,
    /// When it is next tried, while pending.
    pub next_attempt_at: Option<String>,
    pub last_error: String,
    /// The HTTP status of the endpoint's last answer, if one came.
    pub last_status: Option<i64>,
    pub delivered_at: Option<String>,
    pub created_at: String,
}

impl From<WebhookDelivery> for DeliveryJson {
    fn from(d: WebhookDelivery) -> DeliveryJson {
        DeliveryJson {
            next_attempt_at: (d.status == "pending").then(|| d.next_attempt_at.to_rfc3339()),
            id: d.id,
            webhook_id: d.subscription_id,
            event: d.event,
            status: d.status,
            attempts: d.attempts,
            last_error: d.last_error,
            last_status: d.last_status,
            delivered_at: d.delivered_at.map(|t| t.to_rfc3339()),
            created_at: d.created_at.to_rfc3339(),
        }
    }
}

page_of!(WebhookPage, WebhookJson);
page_of!(DeliveryPage, DeliveryJson);

/// The most recent deliveries a subscription's list holds.
const RECENT_DELIVERIES: i64 = 500;

fn allowed(user: &ApiUser) -> Result<(), ApiError> {
    if policy::webhooks(&user.0.actor) {
        Ok(())
    } else {
        Err(AppError::Forbidden.into())
    }
}

/// Every subscription, by id.
#[utoipa::path(get, operation_id = "listWebhooks", path = "/api/v1/webhooks", tag = "webhooks", params(PageParams),
    responses((status = 200, description = "A page of the subscriptions", body = WebhookPage), (status = 403, description = "Only administrators manage webhooks", body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<WebhookPage>, ApiError> {
    allowed(&user)?;
    let all = state
        .store
        .webhook_subscriptions()
        .await?
        .into_iter()
        .map(WebhookJson::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let (items, next_cursor) = page(all, |w| w.id, &params)?;
    Ok(Json(WebhookPage { items, next_cursor }))
}

/// Subscribes an endpoint to events. The answer holds the signing secret, shown once.
#[utoipa::path(post, operation_id = "createWebhook", path = "/api/v1/webhooks", tag = "webhooks", request_body = NewWebhookJson,
    responses((status = 201, description = "The subscription and its secret", body = CreatedWebhookJson), (status = 422, description = "The URL or the events break a rule (named in field): a URL that is not https://, or points at a private, loopback or other non-public address, is refused", body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    ClientAddress(address): ClientAddress,
    JsonBody(body): JsonBody<NewWebhookJson>,
) -> Result<(StatusCode, Json<CreatedWebhookJson>), ApiError> {
    allowed(&user)?;
    let new = NewSubscription {
        url: &body.url,
        events: body.events.iter().map(String::as_str).collect(),
    };
    let actor = Actor {
        id: user.0.id(),
        address: &address,
    };
    let created = webhooks::create(&state, actor, &new).await?;
    let w = WebhookJson::try_from(state.store.webhook_subscription(created.id).await?)?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedWebhookJson {
            id: w.id,
            url: w.url,
            events: w.events,
            active: w.active,
            created_at: w.created_at,
            secret: created.secret,
        }),
    ))
}

/// One subscription.
#[utoipa::path(get, operation_id = "getWebhook", path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path, description = "Subscription id")),
    responses((status = 200, description = "The subscription", body = WebhookJson), (status = 403, description = "Only administrators manage webhooks", body = Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<WebhookJson>, ApiError> {
    allowed(&user)?;
    Ok(Json(
        state.store.webhook_subscription(id).await?.try_into()?,
    ))
}

async fn set_active(
    state: &AppState,
    user: &ApiUser,
    address: &str,
    id: i64,
    active: bool,
) -> Result<Json<WebhookJson>, ApiError> {
    allowed(user)?;
    let actor = Actor {
        id: user.0.id(),
        address,
    };
    webhooks::set_active(state, actor, id, active).await?;
    Ok(Json(
        state.store.webhook_subscription(id).await?.try_into()?,
    ))
}

/// Pauses a subscription: nothing is delivered or queued for it until it resumes.
#[utoipa::path(post, operation_id = "pauseWebhook", path = "/api/v1/webhooks/{id}/pause", tag = "webhooks", params(("id" = i64, Path, description = "Subscription id")),
    responses((status = 200, description = "The subscription, paused", body = WebhookJson)))]
pub async fn pause(
    State(state): State<AppState>,
    user: ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<WebhookJson>, ApiError> {
    set_active(&state, &user, &address, id, false).await
}

/// Resumes a paused subscription; deliveries queued before the pause go out again.
#[utoipa::path(post, operation_id = "resumeWebhook", path = "/api/v1/webhooks/{id}/resume", tag = "webhooks", params(("id" = i64, Path, description = "Subscription id")),
    responses((status = 200, description = "The subscription, active", body = WebhookJson)))]
pub async fn resume(
    State(state): State<AppState>,
    user: ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<WebhookJson>, ApiError> {
    set_active(&state, &user, &address, id, true).await
}

/// Deletes a subscription and its deliveries.
#[utoipa::path(delete, operation_id = "deleteWebhook", path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path, description = "Subscription id")),
    responses((status = 204, description = "Deleted")))]
pub async fn remove(
    State(state): State<AppState>,
    user: ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    allowed(&user)?;
    let actor = Actor {
        id: user.0.id(),
        address: &address,
    };
    webhooks::delete(&state, actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A subscription's latest deliveries (up to 500), by id, with their status, attempts and
/// last error.
#[utoipa::path(get, operation_id = "listWebhookDeliveries", path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = i64, Path, description = "Subscription id"), PageParams),
    responses((status = 200, description = "A page of the deliveries", body = DeliveryPage), (status = 403, description = "Only administrators manage webhooks", body = Problem, content_type = "application/problem+json")))]
pub async fn deliveries(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<DeliveryPage>, ApiError> {
    allowed(&user)?;
    state.store.webhook_subscription(id).await?;
    let all: Vec<DeliveryJson> = state
        .store
        .webhook_deliveries(Some(id), RECENT_DELIVERIES)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let (items, next_cursor) = page(all, |d| d.id, &params)?;
    Ok(Json(DeliveryPage { items, next_cursor }))
}

/// Queues a delivery that was given up (status `failed`) again, due at once, with its attempts
/// counted afresh: after its receiver was down past the last retry, or its target was refused
/// before the deployment allowed private targets. It goes out under the same delivery id.
#[utoipa::path(post, operation_id = "redeliverWebhookDelivery", path = "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver", tag = "webhooks",
    params(("id" = i64, Path, description = "Subscription id"), ("delivery" = i64, Path, description = "Delivery id")),
    responses((status = 200, description = "The delivery, pending again", body = DeliveryJson), (status = 403, description = "Only administrators manage webhooks", body = Problem, content_type = "application/problem+json"), (status = 409, description = "The delivery is not failed (pending, being sent or delivered)", body = Problem, content_type = "application/problem+json")))]
pub async fn redeliver(
    State(state): State<AppState>,
    user: ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, delivery)): ApiPath<(i64, i64)>,
) -> Result<Json<DeliveryJson>, ApiError> {
    allowed(&user)?;
    let actor = Actor {
        id: user.0.id(),
        address: &address,
    };
    webhooks::redeliver(&state, actor, id, delivery).await?;
    let d = state.store.webhook_delivery(delivery).await?;
    Ok(Json(d.into()))
}
