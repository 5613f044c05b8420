//! A person's own account: their roles and their API tokens.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::page::{FormErrors, PageCtx};
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
        new_token: Some(token.0),
        errors: FormErrors::default(),
    }
    .into_response())
}
