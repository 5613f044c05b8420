//! A person's own account: their roles, their password and their API tokens.
use crate::auth::password;
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::auth::password::check_new;
use crate::handlers::auth::sign_in::{describe_wait, sign_in_wait, slowed};
use crate::operations::accounts;
use crate::operations::cycles::Actor;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::api_scope::{Area, Scope, Scopes};
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
    /// The scopes offered on the form: (name, what it allows, checked).
    scope_choices: Vec<(&'static str, &'static str, bool)>,
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
    /// Its scopes, as stored (`read mentoring ...`).
    pub scopes: String,
}

fn roles(user: &CurrentUser) -> Vec<String> {
    user.actor
        .grants
        .iter()
        .map(|g| format!("{} ({})", g.role.label(), g.scope.kind().as_str()))
        .collect()
}

/// The scopes the form offers, `chosen` ones checked (`read` alone on a fresh form).
fn scope_choices(chosen: Option<&[String]>) -> Vec<(&'static str, &'static str, bool)> {
    let read = Scope::Read;
    std::iter::once((read.as_str(), "Read everything you may read", read))
        .chain(Area::ALL.map(|a| (a.as_str(), a.label(), Scope::Write(a))))
        .map(|(name, label, scope)| {
            let checked = match chosen {
                Some(c) => c.iter().any(|s| s == name),
                None => scope == Scope::Read,
            };
            (name, label, checked)
        })
        .collect()
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    new_token: Option<String>,
    errors: FormErrors,
    chosen: Option<&[String]>,
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
            scopes: t.scopes.split_whitespace().collect::<Vec<_>>().join(", "),
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
        scope_choices: scope_choices(chosen),
        new_token,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<AccountPage, AppError> {
    page(&state, ctx, &user, None, FormErrors::default(), None).await
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    days: String,
    /// The checked scopes (a repeated field).
    #[serde(default)]
    scope: Vec<String>,
}

pub async fn create_token(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    body: Bytes,
) -> Result<Response, AppError> {
    // Repeated `scope` fields: `serde_html_form` keeps them all (axum's `Form` keeps one).
    let form: TokenForm = serde_html_form::from_bytes(&body)
        .map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
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
    let scopes = Scopes::from_names(form.scope.iter().map(String::as_str));
    if let Err(e) = &scopes {
        errors.add("scopes", format!("Scopes: {e}."));
    }
    let (Some(days), Ok(scopes)) = (days.filter(|_| errors.is_empty()), scopes) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&state, ctx, &user, None, errors, Some(&form.scope)).await?,
        )
            .into_response());
    };
    let token =
        accounts::create_api_token(&state, Actor::of(&user, &address), name, days, &scopes).await?;
    Ok(page(
        &state,
        ctx,
        &user,
        Some(token.0),
        FormErrors::default(),
        None,
    )
    .await?
    .into_response())
}

/// Revokes one of the person's own tokens; it is refused from the next request.
pub async fn revoke_token(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(token_id): Path<i64>,
) -> Result<Response, AppError> {
    let name = accounts::revoke_api_token(&state, Actor::of(&user, &address), token_id).await?;
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
        let answer = page(&state, ctx, &user, None, errors, None).await?;
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
