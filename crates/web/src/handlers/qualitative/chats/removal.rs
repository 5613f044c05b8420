//! A participant asks for passages of their chat to be removed (`/chats/{id}/removal`), and a
//! coordinator of the cycle accepts (the words are replaced by the marker; overlapping
//! excerpts and quotes go; later offsets shift) or declines with a reply the participant reads.
use super::{LoadedChat, Passage, load, passages};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::{allow, audit_read};
use crate::operations::chats::{accept_removal, decline_removal, request_removal};
use crate::operations::cycles::Actor;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::policy;
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/chats/removal.html")]
pub struct RemovalPage {
    ctx: PageCtx,
    loaded: LoadedChat,
    passages: Vec<Passage>,
    ticked: Vec<u32>,
    reason: String,
    errors: FormErrors,
    text_len: usize,
}

impl RemovalPage {
    fn is_ticked(&self, n: &u32) -> bool {
        self.ticked.contains(n)
    }
}

async fn own_chat(state: &AppState, user: &CurrentUser, id: i64) -> Result<LoadedChat, AppError> {
    let loaded = load(state, id).await?;
    allow(policy::request_chat_removal(
        &user.actor,
        loaded.chat.participant_user_id,
    ))?;
    Ok(loaded)
}

fn removal_page(
    ctx: PageCtx,
    loaded: LoadedChat,
    ticked: Vec<u32>,
    reason: String,
    errors: FormErrors,
) -> RemovalPage {
    RemovalPage {
        ctx,
        passages: passages(&loaded.chat.chat),
        text_len: loaded.chat.chat.text.len(),
        loaded,
        ticked,
        reason,
        errors,
    }
}

pub async fn new(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<RemovalPage, AppError> {
    let loaded = own_chat(&state, &user, id).await?;
    audit_read(
        &state,
        &user,
        &address,
        "chat_read",
        ("chat", id),
        "the participant read their own chat, to ask for a removal",
    )
    .await?;
    Ok(removal_page(
        ctx,
        loaded,
        Vec::new(),
        String::new(),
        FormErrors::default(),
    ))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let loaded = own_chat(&state, &user, id).await?;
    let mut ticked = Vec::new();
    let mut reason = String::new();
    let mut text_len = usize::MAX;
    let mut errors = FormErrors::default();
    for (k, v) in &fields {
        match k.as_str() {
            "segment" => match v.parse() {
                Ok(n) => ticked.push(n),
                Err(_) => errors.add("passages", "A ticked passage is not a number."),
            },
            "reason" => reason = v.clone(),
            "text_len" => text_len = v.trim().parse().unwrap_or(usize::MAX),
            _ => {}
        }
    }
    if errors.is_empty() {
        match request_removal(
            &state.store,
            Actor {
                id: user.id(),
                address: &address,
            },
            id,
            &ticked,
            &reason,
            text_len,
        )
        .await
        {
            Ok(_) => {
                return Ok(redirect_with_flash(
                    &format!("/chats/{id}"),
                    "Your request has been sent to the scheme's coordinators. Their answer will appear on this page.",
                ));
            }
            Err(AppError::Invalid { field, message }) => errors.add(&field, message),
            Err(AppError::Conflict(message)) => errors.add("passages", message),
            Err(e) => return Err(e),
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        removal_page(ctx, loaded, ticked, reason, errors),
    )
        .into_response())
}

async fn coordinating(state: &AppState, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    let loaded = load(state, id).await?;
    allow(policy::decide_chat_removal(&user.actor, loaded.scheme.id))
}

pub async fn accept(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, removal)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    coordinating(&state, &user, id).await?;
    let outcome = accept_removal(
        &state.store,
        Actor {
            id: user.id(),
            address: &address,
        },
        id,
        removal,
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/chats/{id}"),
        &format!(
            "Request accepted: {} passage{} removed, {} excerpt{} deleted.",
            outcome.passages,
            if outcome.passages == 1 { "" } else { "s" },
            outcome.excerpts_deleted,
            if outcome.excerpts_deleted == 1 {
                ""
            } else {
                "s"
            },
        ),
    ))
}

#[derive(Debug, Deserialize)]
pub struct DeclineForm {
    #[serde(default)]
    reply: String,
}

pub async fn decline(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, removal)): Path<(i64, i64)>,
    Form(form): Form<DeclineForm>,
) -> Result<Response, AppError> {
    coordinating(&state, &user, id).await?;
    match decline_removal(
        &state.store,
        Actor {
            id: user.id(),
            address: &address,
        },
        id,
        removal,
        &form.reply,
    )
    .await
    {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/chats/{id}"),
            "Request declined; the participant can read your reply.",
        )),
        // Back to the chat with the reason in the flash: the form lives on the chat's page.
        Err(AppError::Invalid { message, .. }) => {
            Ok(redirect_with_flash(&format!("/chats/{id}"), &message))
        }
        Err(e) => Err(e),
    }
}
