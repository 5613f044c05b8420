//! Single sign-on through OpenID Connect: start and callback (see [`crate::oidc`]).
//!
//! The `state` is bound to the browser that started the sign-in with a short-lived HttpOnly
//! cookie: without it, someone could start a sign-in as themselves and send the callback
//! link to a victim, who would then work in the sender's account (login CSRF). The flow
//! stored under the state is single use, so a replayed callback is refused even with the
//! cookie.
use crate::auth::ClientAddress;
use crate::auth::csrf::cookie_value;
use crate::error::AppError;
use crate::handlers::auth::sign_in::{complete_sign_in, safe_next};
use crate::oidc::{self, OidcProvider, SsoError};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use flipside_store::{NewAuditEntry, StoreError, User};
use serde::Deserialize;

/// Holds the `state` of the sign-in this browser started.
const STATE_COOKIE: &str = "flipside_sso_state";
/// Only the SSO routes need the cookie.
const STATE_COOKIE_PATH: &str = "/sign-in/sso";

#[derive(Debug, Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

/// Sends the browser to the provider.
pub async fn start(
    State(state): State<AppState>,
    Query(q): Query<StartQuery>,
) -> Result<Response, AppError> {
    let oidc = state.oidc.as_ref().ok_or(AppError::NotFound)?;
    let next = safe_next(q.next.as_deref());
    let auth = oidc.authorise(oidc::new_state(&next));
    state
        .store
        .save_oidc_flow(&auth.state, &auth.pkce_verifier, &auth.nonce)
        .await?;
    let mut response = Redirect::to(auth.url.as_str()).into_response();
    let cookie = state_cookie(&state, &auth.state, cookie::time::Duration::minutes(15));
    response.headers_mut().append(header::SET_COOKIE, cookie?);
    Ok(response)
}

/// What the provider sends back: a code and the state, or an error and the state.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// A refused sign-in: what the person is told, what the audit log records, and whose account
/// it concerned when that is known.
struct Refusal {
    message: String,
    detail: String,
    user: Option<i64>,
}

impl Refusal {
    fn new(message: impl Into<String>, detail: impl Into<String>) -> Refusal {
        Refusal {
            message: message.into(),
            detail: detail.into(),
            user: None,
        }
    }
}

/// Completes the sign-in the provider sends the browser back from.
pub async fn callback(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, AppError> {
    let oidc = state.oidc.as_ref().ok_or(AppError::NotFound)?;
    let clear = state_cookie(&state, "", cookie::time::Duration::ZERO)?;
    let browser_state = cookie_value(&headers, STATE_COOKIE);
    let mut response = match sign_in(&state, oidc, browser_state.as_deref(), &q).await? {
        Ok((user, next)) => complete_sign_in(&state, &user, &address, "oidc", &next).await?,
        Err(refusal) => {
            tracing::warn!(detail = %refusal.detail, "SSO sign-in refused");
            state
                .store
                .audit(NewAuditEntry {
                    actor_id: refusal.user,
                    action: "sign_in_failed",
                    subject_kind: "user",
                    subject_id: refusal.user,
                    detail: &format!("oidc: {}", refusal.detail),
                    address: &address,
                })
                .await?;
            AppError::BadRequest(refusal.message).into_response()
        }
    };
    response.headers_mut().append(header::SET_COOKIE, clear);
    Ok(response)
}

/// The checks of a callback, in order; the outer `Result` is for store failures only.
async fn sign_in(
    state: &AppState,
    oidc: &OidcProvider,
    browser_state: Option<&str>,
    q: &CallbackQuery,
) -> Result<Result<(User, String), Refusal>, AppError> {
    let provider = &oidc.settings.display_name;
    let start_again = "Go back to the sign-in page and try again.";
    let Some(flow_state) = q.state.as_deref().filter(|s| !s.is_empty()) else {
        return Ok(Err(Refusal::new(
            format!("The answer from {provider} is incomplete. {start_again}"),
            "no state",
        )));
    };
    if browser_state != Some(flow_state) {
        return Ok(Err(Refusal::new(
            format!(
                "This sign-in was not started in this browser, or it has expired. {start_again}"
            ),
            "state does not match this browser",
        )));
    }
    // Taken before anything else is looked at, so that whatever happens next, this state
    // cannot be used again.
    let (pkce_verifier, nonce) = match state.store.take_oidc_flow(flow_state).await {
        Ok(flow) => flow,
        Err(StoreError::NotFound) => {
            return Ok(Err(Refusal::new(
                format!("This sign-in has already been used or has expired. {start_again}"),
                "unknown, used or expired state",
            )));
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(error) = &q.error {
        let error: String = error.chars().take(64).collect();
        return Ok(Err(Refusal::new(
            format!("{provider} did not sign you in ({error}). {start_again}"),
            format!("the provider answered {error}"),
        )));
    }
    let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(Err(Refusal::new(
            format!("The answer from {provider} has no sign-in code. {start_again}"),
            "no code",
        )));
    };
    let identity = match oidc.finish(code, pkce_verifier, nonce).await {
        Ok(identity) => identity,
        Err(e) => {
            return Ok(Err(Refusal::new(
                format!("flipside could not complete the sign-in with {provider}. {start_again}"),
                e.to_string(),
            )));
        }
    };
    let details = match identity.account_details() {
        Ok(d) => d,
        Err(e @ SsoError::EmailNotVerified(_)) => {
            return Ok(Err(Refusal::new(
                format!(
                    "{provider} has not confirmed that your email address is yours, so flipside \
                     cannot tell which account is yours. Ask your IT service desk to verify it, \
                     or sign in with your email and password."
                ),
                e.to_string(),
            )));
        }
        Err(e) => {
            return Ok(Err(Refusal::new(
                format!(
                    "{provider} did not share your email address, which flipside needs to \
                     find your account. Ask your IT service desk about it."
                ),
                e.to_string(),
            )));
        }
    };
    // The provider's name goes on the account and into email headers: control characters
    // (a line break) become spaces rather than refusing someone their sign-in.
    let name: String = details
        .name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let name = flipside_core::text::BoundedText::line(&name, flipside_core::text::NAME_MAX)
        .map(|n| n.as_str().to_string())
        .unwrap_or_else(|_| details.email.clone());
    let (user, created) = state
        .store
        .user_for_oidc(&identity.issuer, &identity.subject, &details.email, &name)
        .await?;
    if user.disabled {
        return Ok(Err(Refusal {
            message: "This account is disabled. Ask an administrator if you need it.".into(),
            detail: "account disabled".into(),
            user: Some(user.id),
        }));
    }
    if created {
        tracing::info!(user_id = user.id, "account created at first SSO sign-in");
    }
    let next = safe_next(oidc::next_from_state(flow_state).as_deref());
    Ok(Ok((user, next)))
}

fn state_cookie(
    state: &AppState,
    value: &str,
    max_age: cookie::time::Duration,
) -> Result<HeaderValue, AppError> {
    let c = cookie::Cookie::build((STATE_COOKIE, value.to_string()))
        .path(STATE_COOKIE_PATH)
        .http_only(true)
        .secure(state.settings.secure_cookies())
        // Lax: the provider's redirect back is a top-level GET from another site.
        .same_site(cookie::SameSite::Lax)
        .max_age(max_age)
        .build();
    HeaderValue::from_str(&c.to_string()).map_err(AppError::internal)
}
