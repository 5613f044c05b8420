//! Local sign-in (Argon2id passwords, throttled per account and per address) and sign-out.
use crate::auth::password;
use crate::auth::session::{clear_session_cookie, session_cookie};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use flipside_store::{NewAuditEntry, StoreError, User};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    ctx: PageCtx,
    email: String,
    next: String,
    errors: FormErrors,
    sso_name: Option<String>,
    /// Whether the organisation lets people ask for a sign-in link by email.
    email_sign_in: bool,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths are followed after sign-in (no open redirect).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<NextQuery>,
) -> Result<SignInPage, AppError> {
    Ok(SignInPage {
        ctx,
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        errors: FormErrors::default(),
        sso_name: state.settings.oidc.as_ref().map(|o| o.display_name.clone()),
        email_sign_in: state.store.email_sign_in_allowed().await?,
    })
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    ClientAddress(address): ClientAddress,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let email = form.email.trim().to_string();
    let next = safe_next(form.next.as_deref());
    let mut errors = FormErrors::default();
    if email.is_empty() {
        errors.add("email", "Enter your email address.");
    }
    if form.password.is_empty() {
        errors.add("password", "Enter your password.");
    }
    let sso_name = state.settings.oidc.as_ref().map(|o| o.display_name.clone());
    let email_sign_in = state.store.email_sign_in_allowed().await?;
    let page = |errors, status| {
        (
            status,
            SignInPage {
                ctx: ctx.clone(),
                email: email.clone(),
                next: next.clone(),
                errors,
                sso_name: sso_name.clone(),
                email_sign_in,
            },
        )
            .into_response()
    };
    if !errors.is_empty() {
        return Ok(page(errors, StatusCode::UNPROCESSABLE_ENTITY));
    }

    let s = &state.settings;
    let since = flipside_store::now() - chrono::Duration::minutes(s.failure_window_minutes);
    let failures = state.store.login_failures(&email, &address, since).await?;
    if failures.for_account >= s.max_failures_per_account
        || failures.from_address >= s.max_failures_per_address
    {
        errors.add(
            "email",
            format!(
                "Too many failed sign-ins. Wait {} minutes and try again.",
                s.failure_window_minutes
            ),
        );
        return Ok(page(errors, StatusCode::TOO_MANY_REQUESTS));
    }

    let user = match state.store.user_by_email(&email).await {
        Ok(u) => Some(u),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    // Verify against a dummy hash for unknown accounts so both failures take the same time.
    // A password longer than any accepted one is wrong without hashing it (a megabyte of
    // text must not buy a megabyte of Argon2 work).
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let too_long = form.password.chars().count() > flipside_core::account::MAX_PASSWORD_CHARS;
    let ok = !too_long
        && password::verify(
            &form.password,
            hash.as_deref().unwrap_or(password::dummy_hash()),
        )
        && hash.is_some();
    match user {
        Some(user) if ok && !user.disabled => {
            state.store.clear_login_failures(&email).await?;
            complete_sign_in(&state, &user, &address, "password", &next).await
        }
        other => {
            state.store.record_login_failure(&email, &address).await?;
            state
                .store
                .audit(NewAuditEntry {
                    actor_id: other.as_ref().map(|u| u.id),
                    action: "sign_in_failed",
                    subject_kind: "user",
                    subject_id: other.as_ref().map(|u| u.id),
                    detail: "password",
                    address: &address,
                })
                .await?;
            errors.add("password", "The email address or password is not right.");
            Ok(page(errors, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

/// Starts a fresh session (a new id every sign-in), records the sign-in and redirects.
pub async fn complete_sign_in(
    state: &AppState,
    user: &User,
    address: &str,
    method: &str,
    next: &str,
) -> Result<Response, AppError> {
    let token = state
        .store
        .create_session(
            user.id,
            chrono::Duration::hours(state.settings.session_hours),
        )
        .await?;
    state
        .store
        .audit(NewAuditEntry {
            actor_id: Some(user.id),
            action: "sign_in",
            subject_kind: "user",
            subject_id: Some(user.id),
            detail: method,
            address,
        })
        .await?;
    let mut response = Redirect::to(next).into_response();
    let cookie =
        HeaderValue::from_str(&session_cookie(state, &token.0)).map_err(AppError::internal)?;
    response.headers_mut().append(header::SET_COOKIE, cookie);
    if let Some(csrf) = crate::auth::csrf::fresh_cookie(state) {
        response.headers_mut().append(header::SET_COOKIE, csrf);
    }
    Ok(response)
}

pub async fn sign_out(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
) -> Result<Response, AppError> {
    if let Some(token) = &user.session_token {
        state.store.delete_session(token).await?;
    }
    state
        .store
        .audit(NewAuditEntry {
            actor_id: Some(user.id()),
            action: "sign_out",
            subject_kind: "user",
            subject_id: Some(user.id()),
            detail: "",
            address: &address,
        })
        .await?;
    let mut response = redirect_with_flash("/", "You have signed out.");
    let cookie =
        HeaderValue::from_str(&clear_session_cookie(&state)).map_err(AppError::internal)?;
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_same_site_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/schemes/3")), "/schemes/3");
        for bad in [
            "https://evil.test/",
            "//evil.test",
            "/\\evil.test",
            "schemes",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
