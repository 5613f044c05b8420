//! Signing in by a link sent by email (SPEC §3.13), when the organisation switches it on.
//!
//! The link opens a page with a button rather than signing in on the `GET`: mail scanners
//! and link previews open links in emails, and would otherwise use up the single-use link
//! (or, worse, start a session nobody asked for).
use crate::auth::ClientAddress;
use crate::error::AppError;
use crate::handlers::auth::sign_in::{NextQuery, complete_sign_in, safe_next};
use crate::operations::accounts;
use crate::page::{PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::email::Email;
use flipside_store::LinkPurpose;

use serde::Deserialize;

/// What the sign-in page says after a request for a link, whoever asked.
pub const LINK_SENT: &str = "If that address has a flipside account, we have sent it a sign-in link. It works once and for 15 minutes.";

async fn allowed(state: &AppState) -> Result<(), AppError> {
    if state.store.email_sign_in_allowed().await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    email: String,
    /// The page to return to once signed in, which the emailed link carries.
    #[serde(default)]
    next: Option<String>,
}

pub async fn request(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Form(form): Form<LinkForm>,
) -> Result<Response, AppError> {
    allowed(&state).await?;
    let email = form.email.trim();
    if Email::parse(email).is_ok() {
        let next = safe_next(form.next.as_deref());
        accounts::request_sign_in_link(&state, email, &address, &next).await?;
    }
    Ok(redirect_with_flash("/sign-in", LINK_SENT))
}

#[derive(Template, WebTemplate)]
#[template(path = "sign_in_link.html")]
pub struct LinkPage {
    ctx: PageCtx,
    /// `None` when the link cannot be used.
    email: Option<String>,
    token: String,
    /// The page to return to once signed in.
    next: String,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    allowed(&state).await?;
    let (status, email) = super::link_email(&state, &token, LinkPurpose::SignIn).await?;
    let next = safe_next(q.next.as_deref());
    Ok((
        status,
        LinkPage {
            ctx,
            email,
            token,
            next,
        },
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct UseForm {
    #[serde(default)]
    next: Option<String>,
}

pub async fn use_link(
    State(state): State<AppState>,
    ctx: PageCtx,
    ClientAddress(address): ClientAddress,
    Path(token): Path<String>,
    Form(form): Form<UseForm>,
) -> Result<Response, AppError> {
    allowed(&state).await?;
    let next = safe_next(form.next.as_deref());
    match accounts::take_sign_in_link(&state, &token).await? {
        Some(user) => complete_sign_in(&state, &user, &address, "email link", &next).await,
        None => Ok((
            StatusCode::NOT_FOUND,
            LinkPage {
                ctx,
                email: None,
                token,
                next,
            },
        )
            .into_response()),
    }
}
