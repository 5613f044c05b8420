//! Passwords without an administrator: asking for a reset link, and setting a password by a
//! link from an email (a new account's first password, or a reset).
//!
//! Setting a password by link does not sign the person in. The link travels by email, where
//! it may be forwarded or opened by a mail scanner; asking for the new password at the
//! sign-in page straight after proves it works and keeps "holding a link" and "holding a
//! session" apart. The link is used up either way.
use crate::auth::ClientAddress;
use crate::error::AppError;
use crate::operations::accounts;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::account::check_new_password;
use flipside_core::email::Email;
use flipside_store::LinkPurpose;

use serde::Deserialize;

/// What the forgot-password page says after a request, whoever asked.
pub const RESET_SENT: &str = "If that address has a flipside account, we have sent it a link to choose a new password. It works once and for one hour.";

#[derive(Template, WebTemplate)]
#[template(path = "password/forgot.html")]
pub struct ForgotPage {
    ctx: PageCtx,
    email: String,
    errors: FormErrors,
}

pub async fn forgot(ctx: PageCtx) -> ForgotPage {
    ForgotPage {
        ctx,
        email: String::new(),
        errors: FormErrors::default(),
    }
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn request_reset(
    State(state): State<AppState>,
    ctx: PageCtx,
    ClientAddress(address): ClientAddress,
    Form(form): Form<ForgotForm>,
) -> Result<Response, AppError> {
    let email = form.email.trim();
    if Email::parse(email).is_err() {
        let mut errors = FormErrors::default();
        errors.add("email", "Enter an email address like name@example.ac.uk.");
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            ForgotPage {
                ctx,
                email: email.to_string(),
                errors,
            },
        )
            .into_response());
    }
    accounts::request_reset(&state, email, &address).await?;
    Ok(redirect_with_flash("/password/forgot", RESET_SENT))
}

#[derive(Template, WebTemplate)]
#[template(path = "password/set.html")]
pub struct SetPage {
    ctx: PageCtx,
    /// `None` when the link cannot be used (unknown, used or expired).
    email: Option<String>,
    token: String,
    errors: FormErrors,
}

pub async fn show_set(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (status, email) = super::link_email(&state, &token, LinkPurpose::SetPassword).await?;
    Ok((
        status,
        SetPage {
            ctx,
            email,
            token,
            errors: FormErrors::default(),
        },
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct SetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// Checks a new password and its confirmation; the errors name the fields.
pub fn check_new(password: &str, confirm: &str, field: &str) -> FormErrors {
    let mut errors = FormErrors::default();
    if let Err(e) = check_new_password(password) {
        errors.add(field, e.to_string());
    } else if password != confirm {
        errors.add("confirm", "The two passwords are not the same.");
    }
    errors
}

pub async fn submit_set(
    State(state): State<AppState>,
    ctx: PageCtx,
    ClientAddress(address): ClientAddress,
    Path(token): Path<String>,
    Form(form): Form<SetForm>,
) -> Result<Response, AppError> {
    let errors = check_new(&form.password, &form.confirm, "password");
    if !errors.is_empty() {
        let (_, email) = super::link_email(&state, &token, LinkPurpose::SetPassword).await?;
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            SetPage {
                ctx,
                email,
                token,
                errors,
            },
        )
            .into_response());
    }
    match accounts::set_password_by_link(&state, &token, &form.password, &address).await? {
        Some(_) => Ok(redirect_with_flash(
            "/sign-in",
            "Your password is set. Sign in with it now.",
        )),
        None => Ok((
            StatusCode::NOT_FOUND,
            SetPage {
                ctx,
                email: None,
                token,
                errors: FormErrors::default(),
            },
        )
            .into_response()),
    }
}
