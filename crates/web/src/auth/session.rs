//! Sessions and the extractors that say who is asking.
use crate::auth::csrf::request_cookie;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use flipside_core::api_scope::Scopes;
use flipside_core::policy::Actor;
use flipside_store::{GrantRow, StoreError, User};
use std::net::SocketAddr;

pub const COOKIE: &str = "flipside_session";

/// The `Set-Cookie` value that starts a session in the browser.
pub fn session_cookie(state: &AppState, token: &str) -> String {
    cookie::Cookie::build((COOKIE, token.to_string()))
        .path("/")
        .http_only(true)
        .secure(state.settings.secure_cookies())
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::hours(state.settings.session_hours))
        .build()
        .to_string()
}

/// The `Set-Cookie` value that ends it.
pub fn clear_session_cookie(state: &AppState) -> String {
    cookie::Cookie::build((COOKIE, ""))
        .path("/")
        .http_only(true)
        .secure(state.settings.secure_cookies())
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

/// A signed-in person and everything they may do, shared: the page context, the handler and
/// the request's extensions each hold it, and a copy of the person and their grants for each
/// showed under load (issue 15). Its fields are [`SignedIn`]'s.
#[derive(Debug, Clone)]
pub struct CurrentUser(std::sync::Arc<SignedIn>);

impl std::ops::Deref for CurrentUser {
    type Target = SignedIn;

    fn deref(&self) -> &SignedIn {
        &self.0
    }
}

/// Who a [`CurrentUser`] is.
#[derive(Debug)]
pub struct SignedIn {
    pub user: User,
    pub actor: Actor,
    /// The session cookie's token, when signed in through the browser (for sign-out).
    pub session_token: Option<String>,
    /// The scopes of the API token the request came with; `None` for a browser session,
    /// which scopes do not limit (`crate::handlers::api::scopes`).
    pub scopes: Option<Scopes>,
}

impl CurrentUser {
    pub fn id(&self) -> i64 {
        self.user.id
    }
}

fn bearer(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
}

fn current_user(
    user: User,
    grants: &[GrantRow],
    session_token: Option<String>,
    scopes: Option<Scopes>,
) -> CurrentUser {
    CurrentUser(std::sync::Arc::new(SignedIn {
        actor: Actor::new(user.id, grants.iter().filter_map(|g| g.grant()).collect()),
        user,
        session_token,
        scopes,
    }))
}

async fn resolve(parts: &Parts, state: &AppState) -> Result<Option<CurrentUser>, AppError> {
    if let Some(token) = bearer(parts) {
        let (user, scopes) = match state.store.api_token_bearer(&token).await {
            Ok(u) => u,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let grants = state.store.grants_of(user.id).await?;
        return Ok(Some(current_user(user, &grants, None, Some(scopes))));
    }
    let Some(token) = request_cookie(&parts.extensions, &parts.headers, COOKIE) else {
        return Ok(None);
    };
    let context = match state.store.session_context(&token).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    // Read with the person: what the page and its handler would otherwise ask again. Their
    // tutoring records only when none waits to be linked (then the operation links it).
    if let Some(zone) = context.zone {
        crate::request_memo::remember_zone(zone);
    }
    crate::request_memo::remember_organisation(context.organisation);
    if !context.unlinked_records {
        crate::request_memo::remember_tutoring_self(context.user.id, context.tutoring);
    }
    Ok(Some(current_user(
        context.user,
        &context.grants,
        Some(token),
        None,
    )))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(u) = parts.extensions.get::<CurrentUser>() {
            return Ok(u.clone());
        }
        let user = resolve(parts, state)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// The signed-in person, if any (pages that anyone may see).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(u) = parts.extensions.get::<CurrentUser>() {
            return Ok(MaybeUser(Some(u.clone())));
        }
        let user = resolve(parts, state).await?;
        if let Some(u) = &user {
            parts.extensions.insert(u.clone());
        }
        Ok(MaybeUser(user))
    }
}

/// [`CurrentUser`] for the JSON API: rejections answer JSON, not a redirect.
#[derive(Debug, Clone)]
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ApiUser(
            CurrentUser::from_request_parts(parts, state).await?,
        ))
    }
}

/// The client's network address: the peer, or the first `X-Forwarded-For` hop behind a
/// trusted proxy.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.settings.trust_proxy_headers
            && let Some(first) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
        {
            return Ok(ClientAddress(first.trim().to_string()));
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientAddress(peer))
    }
}
