//! Recording, reading and coding reflective chats, and a participant's own view of theirs
//! (issue 11, SPEC §3.7). One file per action:
//!
//! | file | pages |
//! | --- | --- |
//! | [`list`] | a cycle's chats with each coder's progress |
//! | [`record`] | recording a chat: typed, pasted or an uploaded `.txt`, `.docx` or `.vtt` |
//! | [`show`] | one chat's numbered passages (every read audited); a participant's own chats |
//! | [`code`] | one coder's coding of a chat, by ticked passages or (with the script) any span |
//! | [`removal`] | a participant asks for passages to be removed; a coordinator accepts or declines |
use crate::error::AppError;
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use flipside_store::{ChatRecord, Cycle, Scheme};

pub mod code;
pub mod list;
pub mod record;
pub mod removal;
pub mod show;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cycles/{id}/chats", get(list::show).post(record::create))
        .route("/cycles/{id}/chats/new", get(record::new))
        .route("/chats", get(show::mine))
        .route("/chats/{id}", get(show::show))
        .route("/chats/{id}/code", get(code::show).post(code::create))
        .route("/chats/{id}/excerpts/{excerpt}/remove", post(code::remove))
        .route(
            "/chats/{id}/removal",
            get(removal::new).post(removal::create),
        )
        .route(
            "/chats/{id}/removals/{removal}/accept",
            post(removal::accept),
        )
        .route(
            "/chats/{id}/removals/{removal}/decline",
            post(removal::decline),
        )
        .route("/static/chat-coding.js", get(code::script))
}

/// A chat with its cycle and scheme (the policy asks about the scheme).
pub struct LoadedChat {
    pub chat: ChatRecord,
    pub cycle: Cycle,
    pub scheme: Scheme,
}

/// Loads a chat, its cycle and its scheme. Callers ask the policy before showing anything.
pub async fn load(state: &AppState, id: i64) -> Result<LoadedChat, AppError> {
    let chat = state.store.chat_record(id).await?;
    let cycle = state.store.cycle(chat.cycle_id).await?;
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    Ok(LoadedChat {
        chat,
        cycle,
        scheme,
    })
}

/// One numbered passage as the pages show it.
pub struct Passage {
    pub number: u32,
    pub speaker: Option<String>,
    pub text: String,
    /// The passage's first character, counted in characters (code points) from the start of
    /// the chat's text: the coding script adds the selection's offset within the passage.
    pub char_start: usize,
}

/// The chat's numbered passages.
pub fn passages(chat: &flipside_core::qualitative::transcript::Chat) -> Vec<Passage> {
    let mut chars = 0;
    let mut at = 0;
    chat.segments
        .iter()
        .map(|s| {
            chars += chat.text[at..s.start].chars().count();
            at = s.start;
            Passage {
                number: s.number,
                speaker: s.speaker.clone(),
                text: chat.segment_text(s).to_string(),
                char_start: chars,
            }
        })
        .collect()
}
