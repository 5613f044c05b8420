//! A person's own account: their roles, their password and their API tokens.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::auth::password;
use crate::handlers::auth::password::check_new;
use crate::operations::accounts;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_store::NewAuditEntry;
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "account/show.html")]
pub struct AccountPage {
    ctx: PageCtx,
    email: String,
    roles: Vec<String>,
    /// Whether the person has a password to change (not those who only use SSO).
    has_password: bool,
    new_token: Option<String>,
    errors: FormErrors,
}

fn roles(user: &CurrentUser) -> Vec<String> {
    user.actor
        .grants
        .iter()
        .map(|g| format!("{} ({})", g.role.label(), g.scope.kind().as_str()))
        .collect()
}

pub async fn show(ctx: PageCtx, user: CurrentUser) -> AccountPage {
    AccountPage {
        ctx,
        email: user.user.email.clone(),
        roles: roles(&user),
        has_password: user.user.password_hash.is_some(),
        new_token: None,
        errors: FormErrors::default(),
    }
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        let mut errors = FormErrors::default();
        errors.add(
            "name",
            "Name the token (at most 80 characters) so you can recognise it later.",
        );
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            AccountPage {
                ctx,
                email: user.user.email.clone(),
                roles: roles(&user),
                has_password: user.user.password_hash.is_some(),
                new_token: None,
                errors,
            },
        )
            .into_response());
    }
    let token = state.store.create_api_token(user.id(), name).await?;
    state
        .store
        .audit(NewAuditEntry {
            actor_id: Some(user.id()),
            action: "api_token_created",
            subject_kind: "user",
            subject_id: Some(user.id()),
            detail: name,
            address: &address,
        })
        .await?;
    Ok(AccountPage {
        ctx,
        email: user.user.email.clone(),
        roles: roles(&user),
        has_password: user.user.password_hash.is_some(),
        new_token: Some(token.0),
        errors: FormErrors::default(),
    }
    .into_response())
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
    let s = &state.settings;
    let since = flipside_store::now() - chrono::Duration::minutes(s.failure_window_minutes);
    let failures = state
        .store
        .login_failures(&user.user.email, &address, since)
        .await?;
    let throttled = failures.for_account >= s.max_failures_per_account
        || failures.from_address >= s.max_failures_per_address;
    let current_ok = !throttled
        && form.current.chars().count() <= flipside_core::account::MAX_PASSWORD_CHARS
        && user
            .user
            .password_hash
            .as_deref()
            .is_some_and(|h| password::verify(&form.current, h));
    if throttled {
        errors.add(
            "current",
            format!(
                "Too many wrong passwords. Wait {} minutes and try again.",
                s.failure_window_minutes
            ),
        );
    } else if !current_ok {
        state
            .store
            .record_login_failure(&user.user.email, &address)
            .await?;
        errors.add("current", "Your current password is not right.");
    }
    if !errors.is_empty() {
        let status = if throttled {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((
            status,
            AccountPage {
                ctx,
                email: user.user.email.clone(),
                roles: roles(&user),
                has_password: user.user.password_hash.is_some(),
                new_token: None,
                errors,
            },
        )
            .into_response());
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
