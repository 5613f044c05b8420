//! `/chats/{id}`: one chat's numbered passages with their speakers, for the scheme's research
//! team and for the participant; every read is audited. The participant sees their requests to
//! remove passages and the answers; the coordinators see the open ones and answer them.
//! `/chats`: a participant's own chats.
use super::{LoadedChat, Passage, load, passages};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::{allow, audit_read};
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use flipside_core::policy::{self, Action};
use flipside_store::{ChatListRow, RemovalRequest, RemovalStatus};

/// A removal request as the chat page shows it: the passages' words while it is open (the
/// reader may read the chat anyway), nothing of them once accepted.
pub struct RemovalView {
    pub request: RemovalRequest,
    pub passages: Vec<String>,
}

impl RemovalView {
    pub fn status(&self) -> &'static str {
        match self.request.status {
            RemovalStatus::Open => "Waiting for an answer",
            RemovalStatus::Accepted => "Accepted: the passages were removed",
            RemovalStatus::Declined => "Declined",
        }
    }

    pub fn is_open(&self) -> bool {
        self.request.status == RemovalStatus::Open
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/chats/show.html")]
pub struct ShowPage {
    ctx: PageCtx,
    loaded: LoadedChat,
    participant_name: String,
    interviewer_name: Option<String>,
    passages: Vec<Passage>,
    /// The reader is the participant (their own view).
    is_participant: bool,
    /// The reader codes for the scheme.
    can_code: bool,
    /// The reader is one of the cycle's coordinators (answers removal requests).
    can_decide: bool,
    removals: Vec<RemovalView>,
}

impl ShowPage {
    fn side(&self) -> &'static str {
        flipside_store::side_label(&self.loaded.chat.participant_role)
    }

    fn open_removals(&self) -> usize {
        self.removals.iter().filter(|r| r.is_open()).count()
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<ShowPage, AppError> {
    let loaded = load(&state, id).await?;
    let scheme_id = loaded.scheme.id;
    let participant = loaded.chat.participant_user_id;
    allow(policy::chat(
        &user.actor,
        scheme_id,
        participant,
        Action::View,
    ))?;
    let is_participant = policy::request_chat_removal(&user.actor, participant);
    let can_decide = policy::decide_chat_removal(&user.actor, scheme_id);
    let removals = state
        .store
        .removal_requests(id)
        .await?
        .into_iter()
        // The participant sees their own requests; the coordinators every one.
        .filter(|r| can_decide || r.requested_by == user.id())
        .map(|request| RemovalView {
            passages: if request.status == RemovalStatus::Open {
                request
                    .spans
                    .iter()
                    .map(|s| s.text(&loaded.chat.chat.text).to_string())
                    .collect()
            } else {
                Vec::new()
            },
            request,
        })
        .collect();
    audit_read(
        &state,
        &user,
        &address,
        "chat_read",
        ("chat", id),
        if is_participant {
            "the participant read their own chat"
        } else {
            "a reflective chat's text"
        },
    )
    .await?;
    let participant_name = state.store.user(participant).await?.display_name;
    let interviewer_name = match loaded.chat.interviewer_user_id {
        Some(i) => Some(state.store.user(i).await?.display_name),
        None => None,
    };
    Ok(ShowPage {
        ctx,
        passages: passages(&loaded.chat.chat),
        can_code: policy::code_chats(&user.actor, scheme_id),
        loaded,
        participant_name,
        interviewer_name,
        is_participant,
        can_decide,
        removals,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/chats/mine.html")]
pub struct MinePage {
    ctx: PageCtx,
    chats: Vec<ChatListRow>,
}

/// A participant's own chats (only theirs: the list is of the signed-in person).
pub async fn mine(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<MinePage, AppError> {
    let chats = state.store.chats_with(user.id()).await?;
    Ok(MinePage { ctx, chats })
}
