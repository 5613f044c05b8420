//! A person's own account: their roles, their password and their API tokens.
use crate::auth::password;
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::auth::password::check_new;
use crate::handlers::auth::sign_in::{describe_wait, sign_in_wait, slowed};
use crate::operations::accounts;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_store::{NewAuditEntry, StoreError};
use serde::Deserialize;

/// How long a new API token may last, in days, as offered on the form; the first is the default.
pub const TOKEN_DAYS: [i64; 4] = [90, 30, 7, 365];

#[derive(Template, WebTemplate)]
#[template(path = "account/show.html")]
pub struct AccountPage {
    ctx: PageCtx,
    email: String,
    roles: Vec<String>,
    /// Whether the person has a password to change (not those who only use SSO).
    has_password: bool,
    tokens: Vec<TokenView>,
    token_days: [i64; 4],
    new_token: Option<String>,
    errors: FormErrors,
}

/// An API token as the account page lists it.
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    /// `active`, `expired` or `revoked`.
    pub status: &'static str,
}

fn roles(user: &CurrentUser) -> Vec<String> {
    user.actor
        .grants
        .iter()
        .map(|g| format!("{} ({})", g.role.label(), g.scope.kind().as_str()))
        .collect()
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    new_token: Option<String>,
    errors: FormErrors,
) -> Result<AccountPage, AppError> {
    let now = state.clock.now();
    let day = |t: chrono::DateTime<chrono::Utc>| ctx.short(t);
    let tokens = state
        .store
        .api_tokens_of(user.id())
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            status: if t.revoked_at.is_some() {
                "revoked"
            } else if t.expires_at.is_none_or(|e| e <= now) {
                "expired"
            } else {
                "active"
            },
            name: t.name,
            created: day(t.created_at),
            expires: t.expires_at.map(&day).unwrap_or_else(|| "—".into()),
            last_used: t.last_used_at.map(&day).unwrap_or_else(|| "never".into()),
        })
        .collect();
    Ok(AccountPage {
        ctx,
        email: user.user.email.clone(),
        roles: roles(user),
        has_password: user.user.password_hash.is_some(),
        tokens,
        token_days: TOKEN_DAYS,
        new_token,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<AccountPage, AppError> {
    page(&state, ctx, &user, None, FormErrors::default()).await
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    days: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::default();
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        errors.add(
            "name",
            "Name the token (at most 80 characters) so you can recognise it later.",
        );
    }
    let days = match form.days.trim() {
        "" => Some(TOKEN_DAYS[0]),
        d => d.parse::<i64>().ok().filter(|d| TOKEN_DAYS.contains(d)),
    };
    if days.is_none() {
        errors.add("days", "Choose how long the token lasts.");
    }
    let Some(days) = days.filter(|_| errors.is_empty()) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&state, ctx, &user, None, errors).await?,
        )
            .into_response());
    };
    let token = state
        .store
        .create_api_token(user.id(), name, chrono::Duration::days(days))
        .await?;
    state
        .store
        .audit(NewAuditEntry {
            actor_id: Some(user.id()),
            action: "api_token_created",
            subject_kind: "user",
            subject_id: Some(user.id()),
            detail: &format!("{name} ({days} days)"),
            address: &address,
        })
        .await?;
    Ok(
        page(&state, ctx, &user, Some(token.0), FormErrors::default())
            .await?
            .into_response(),
    )
}

/// Revokes one of the person's own tokens; it is refused from the next request.
pub async fn revoke_token(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(token_id): Path<i64>,
) -> Result<Response, AppError> {
    let name = match state.store.revoke_api_token(user.id(), token_id).await {
        Ok(name) => name,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    state
        .store
        .audit(NewAuditEntry {
            actor_id: Some(user.id()),
            action: "api_token_revoked",
            subject_kind: "user",
            subject_id: Some(user.id()),
            detail: &name,
            address: &address,
        })
        .await?;
    Ok(redirect_with_flash(
        "/account",
        &format!("The token {name} is revoked."),
    ))
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// Changes the signed-in person's password. The current one is required (a session left
/// open on a shared computer must not be enough to take the account over), and wrong
/// attempts count as failed sign-ins, so they are throttled the same way.
pub async fn change_password(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let mut errors = check_new(&form.password, &form.confirm, "password");
    let wait = sign_in_wait(&state, &user.user.email, &address).await?;
    let current_ok = wait.is_none()
        && form.current.chars().count() <= flipside_core::account::MAX_PASSWORD_CHARS
        && user
            .user
            .password_hash
            .as_deref()
            .is_some_and(|h| password::verify(&form.current, h));
    if let Some(wait) = wait {
        errors.add(
            "current",
            format!(
                "Too many wrong passwords. Wait {} and try again.",
                describe_wait(wait)
            ),
        );
    } else if !current_ok {
        let mut tx = state.store.begin().await?;
        tx.record_login_failure(&user.user.email, &address, state.clock.now())
            .await?;
        tx.commit().await?;
        errors.add("current", "Your current password is not right.");
    }
    if !errors.is_empty() {
        let answer = page(&state, ctx, &user, None, errors).await?;
        return Ok(match wait {
            Some(wait) => slowed(
                (StatusCode::TOO_MANY_REQUESTS, answer).into_response(),
                wait,
            ),
            None => (StatusCode::UNPROCESSABLE_ENTITY, answer).into_response(),
        });
    }
    accounts::change_password(
        &state,
        &user.user,
        user.session_token.as_deref(),
        &form.password,
        &address,
    )
    .await?;
    Ok(redirect_with_flash(
        "/account",
        "Your password is changed. You are signed out everywhere else.",
    ))
}
