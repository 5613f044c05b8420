//! Security headers on every response, the stylesheet, and the fallback page.
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::future::Future;

/// flipside serves no third-party content and only its own scripts (progressive enhancement,
/// e.g. the chat coding page's), never inline ones, so the policy can be strict.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// How long browsers remember to reach flipside over HTTPS only (a year), once they have.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// The headers every response carries unless its handler set its own, built at compile time:
/// `HeaderValue::from_static` checks every byte of its value each time it runs, which for the
/// content security policy showed in every page's profile (issue 15).
const ON_EVERY_RESPONSE: [(HeaderName, HeaderValue); 6] = [
    (
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    ),
    (
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ),
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    (
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    ),
    (
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    ),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    ),
];

/// The step (`crate::each_request`) that adds the security headers to every response.
pub async fn headers<F: Future<Output = Response>>(
    state: &AppState,
    request: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    let mut response = next(request).await;
    let h = response.headers_mut();
    // Only when people reach flipside over HTTPS: sent over plain HTTP the header would be
    // ignored anyway, and a development instance on http://localhost must stay reachable.
    if state.settings.secure_cookies() {
        h.entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static(STRICT_TRANSPORT_SECURITY));
    }
    for (name, value) in ON_EVERY_RESPONSE {
        h.entry(name).or_insert(value);
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

const STYLESHEET: &str = include_str!("../static/app.css");

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

pub async fn not_found(request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        ApiError(AppError::NotFound).into_response()
    } else {
        AppError::NotFound.into_response()
    }
}
