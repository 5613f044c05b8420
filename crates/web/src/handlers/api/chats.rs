//! Reflective chats over the API (SPEC §3.7): a cycle's chats for its research team, a
//! participant's own, one chat's numbered passages (every read audited, as on the page),
//! recording one (typed, or a `.txt`, `.docx` or `.vtt` transcript sent base64-encoded with its
//! file name, parsed as the upload page parses it), coding passages, removing one's own excerpt,
//! and a participant's request to remove passages with the coordinators' answer. The same
//! policy functions, checks and operations as the pages (`handlers::qualitative::chats`,
//! `operations::chats`).
use super::{ApiPath, ApiQuery, JsonBody, PageParams, invalid, page, page_of};
use crate::auth::{ApiUser, ClientAddress, CurrentUser};
use crate::error::{ApiError, AppError};
use crate::handlers::qualitative::chats::code::{field_of, sentence};
use crate::handlers::qualitative::chats::list::rows as chat_rows;
use crate::handlers::qualitative::chats::record::{
    RecordForm, Upload, check, may_record, store_chat,
};
use crate::handlers::qualitative::chats::{LoadedChat, load, passages};
use crate::handlers::{allow, audit_read, cycle_if};
use crate::operations::chats::{
    accept_removal, code_passages, decline_removal, excerpt_coder, remove_own_excerpt,
    request_removal,
};
use crate::operations::cycles::Actor;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, delete, get, post};
use base64::Engine;
use flipside_core::policy::{self, Action};
use flipside_core::qualitative::excerpt::{Excerpt, Span, segments_of, spans_from_segments};
use flipside_store::{ChatListRow, RemovalRequest, RemovalStatus};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(
        list,
        mine,
        show,
        record,
        code,
        remove_excerpt,
        request_removal_of,
        accept,
        decline
    ),
    components(schemas(
        ChatSummaryJson,
        ChatSummaryPage,
        CoderProgressJson,
        MyChatJson,
        MyChatPage,
        ChatJson,
        PassageJson,
        ExcerptJson,
        RemovalJson,
        NewChatJson,
        TranscriptFileJson,
        ChatStageJson,
        CodePassagesJson,
        CodedExcerptsJson,
        NewRemovalJson,
        RemovalDeclineJson,
        RemovalOutcomeJson
    ))
)]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/cycles/{id}/chats", get(list)),
        (Method::POST, "/cycles/{id}/chats", post(record)),
        (Method::GET, "/chats", get(mine)),
        (Method::GET, "/chats/{id}", get(show)),
        (Method::POST, "/chats/{id}/excerpts", post(code)),
        (
            Method::DELETE,
            "/chats/{id}/excerpts/{excerpt}",
            delete(remove_excerpt),
        ),
        (
            Method::POST,
            "/chats/{id}/removals",
            post(request_removal_of),
        ),
        (
            Method::POST,
            "/chats/{id}/removals/{removal}/accept",
            post(accept),
        ),
        (
            Method::POST,
            "/chats/{id}/removals/{removal}/decline",
            post(decline),
        ),
    ]
}

/// What the policy refuses, documented once.
const REFUSED: &str = "The caller may not do this";

/// When in the cycle a chat took place.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChatStageJson {
    MidCycle,
    End,
    FollowUp,
}

impl ChatStageJson {
    fn as_str(self) -> &'static str {
        match self {
            ChatStageJson::MidCycle => "mid_cycle",
            ChatStageJson::End => "end",
            ChatStageJson::FollowUp => "follow_up",
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoderProgressJson {
    pub name: String,
    pub excerpts: usize,
    /// Passages touched by at least one of their excerpts.
    pub passages_coded: usize,
}

/// A chat in its cycle's list, with each coder's progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatSummaryJson {
    pub id: i64,
    pub participant_id: i64,
    pub participant_name: String,
    /// The participant's side: mentor or mentee.
    pub side: String,
    /// YYYY-MM-DD
    pub held_on: String,
    /// mid_cycle, end or follow_up
    pub stage: String,
    pub interviewer_name: Option<String>,
    /// How many numbered passages it has.
    pub passages: usize,
    pub coders: Vec<CoderProgressJson>,
    /// Removal requests waiting for an answer.
    pub open_removals: usize,
}

page_of!(ChatSummaryPage, ChatSummaryJson);

/// One of the caller's own chats.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyChatJson {
    pub id: i64,
    /// The caller's side: mentor or mentee.
    pub side: String,
    /// YYYY-MM-DD
    pub held_on: String,
    /// mid_cycle, end or follow_up
    pub stage: String,
    pub interviewer_name: Option<String>,
}

page_of!(MyChatPage, MyChatJson);

#[derive(Debug, Serialize, ToSchema)]
pub struct PassageJson {
    pub number: u32,
    pub speaker: Option<String>,
    pub text: String,
    /// The passage's first character, counted in characters (code points) from the start of
    /// the chat's text (for selecting a span by `start` and `end`).
    pub char_start: usize,
}

/// One coder's excerpt.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExcerptJson {
    pub id: i64,
    /// The numbered passages it touches.
    pub passages: Vec<u32>,
    /// Its words.
    pub words: String,
    /// The codebook's code ids.
    pub codes: Vec<i64>,
    pub memo: Option<String>,
}

/// A participant's request to remove passages of their chat.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemovalJson {
    pub id: i64,
    /// open, accepted or declined
    pub status: String,
    pub reason: String,
    /// The words asked to be removed, while the request is open (none once answered).
    pub passages: Vec<String>,
    /// The coordinator's reply when they declined.
    pub reply: String,
    pub created_at: String,
    pub decided_at: Option<String>,
}

/// One chat with its numbered passages.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatJson {
    pub id: i64,
    pub cycle_id: i64,
    pub participant_id: i64,
    pub participant_name: String,
    /// The participant's side: mentor or mentee.
    pub side: String,
    pub interviewer_id: Option<i64>,
    pub interviewer_name: Option<String>,
    /// YYYY-MM-DD
    pub held_on: String,
    /// mid_cycle, end or follow_up
    pub stage: String,
    /// How it was recorded: typed, txt, docx or vtt.
    pub format: String,
    /// The length of the chat's text in bytes (UTF-8): send it back as `text_len` when coding
    /// or asking for a removal, so that a chat changed since (a passage removed) is refused
    /// (409) rather than the wrong words acted on.
    pub text_len: usize,
    pub passages: Vec<PassageJson>,
    /// Whether the caller is the participant.
    pub is_participant: bool,
    /// Whether the caller codes for the scheme.
    pub can_code: bool,
    /// Whether the caller answers removal requests (the cycle's coordinators).
    pub can_decide: bool,
    /// The caller's own excerpts of this chat (a coder sees only their own).
    pub my_excerpts: Vec<ExcerptJson>,
    /// The removal requests: the participant's own, or every one for the coordinators.
    pub removals: Vec<RemovalJson>,
}

/// A transcript file, as the upload page takes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TranscriptFileJson {
    /// The file's name: its extension says how it is read (.txt, .docx or .vtt).
    pub name: String,
    /// The file's bytes, base64-encoded (standard alphabet, with padding).
    #[schema(content_encoding = "base64")]
    pub content: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChatJson {
    /// The participant (a member of one of the cycle's pairs whose research consent stands).
    pub participant: i64,
    /// YYYY-MM-DD, today or earlier.
    pub held_on: String,
    pub stage: ChatStageJson,
    /// The interviewer (one of the scheme's coordinators and researchers); absent or null: not
    /// recorded.
    #[serde(default)]
    pub interviewer: Option<i64>,
    /// The chat typed or pasted, one turn a line ("Mentor: ..."). Send this or `transcript`.
    #[serde(default)]
    pub text: String,
    /// The transcript file. Send this or `text`.
    #[serde(default)]
    pub transcript: Option<TranscriptFileJson>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodePassagesJson {
    /// Numbered passages to code: each run of consecutive ones becomes one excerpt. Send these,
    /// or `start` and `end`.
    #[serde(default)]
    pub passages: Vec<i64>,
    /// A span of the text in characters (code points) from its start, end exclusive: one
    /// excerpt of exactly those words.
    #[serde(default)]
    pub start: Option<i64>,
    #[serde(default)]
    pub end: Option<i64>,
    /// The codebook's code ids, at least one.
    pub codes: Vec<i64>,
    #[serde(default)]
    pub memo: String,
    /// The chat's `text_len` as the caller read it.
    pub text_len: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodedExcerptsJson {
    /// The excerpts made, one per span.
    pub items: Vec<ExcerptJson>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRemovalJson {
    /// The numbered passages to remove, at least one.
    pub passages: Vec<i64>,
    /// Why, if the participant wishes to say (at most 1000 characters).
    #[serde(default)]
    pub reason: String,
    /// The chat's `text_len` as the caller read it.
    pub text_len: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemovalDeclineJson {
    /// Why, for the participant to read (at most 1000 characters).
    pub reply: String,
}

/// What accepting a removal did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemovalOutcomeJson {
    /// Passages replaced by the removal marker.
    pub passages_removed: usize,
    /// Excerpts (and their quotes) deleted because they overlapped the passages.
    pub excerpts_deleted: usize,
    /// Excerpts whose offsets moved.
    pub excerpts_moved: usize,
}

fn my_chat(c: ChatListRow) -> MyChatJson {
    MyChatJson {
        id: c.id,
        side: c.participant_role,
        held_on: c.held_on.format("%Y-%m-%d").to_string(),
        stage: c.stage,
        interviewer_name: c.interviewer_name,
    }
}

fn excerpt_json(loaded: &LoadedChat, e: &Excerpt) -> ExcerptJson {
    let chat = &loaded.chat.chat;
    ExcerptJson {
        id: e.id,
        passages: segments_of(&chat.segments, e.span),
        words: e.span.text(&chat.text).to_string(),
        codes: e.codes.clone(),
        memo: e.memo.clone(),
    }
}

fn removal_json(loaded: &LoadedChat, r: RemovalRequest) -> RemovalJson {
    RemovalJson {
        passages: if r.status == RemovalStatus::Open {
            r.spans
                .iter()
                .map(|s| s.text(&loaded.chat.chat.text).to_string())
                .collect()
        } else {
            Vec::new()
        },
        id: r.id,
        status: r.status.as_str().to_string(),
        reason: r.reason,
        reply: r.reply,
        created_at: r.created_at.to_rfc3339(),
        decided_at: r.decided_at.map(|t| t.to_rfc3339()),
    }
}

/// The text length a caller sent back, which cannot be negative.
fn text_len(n: i64) -> Result<usize, ApiError> {
    usize::try_from(n).map_err(|_| {
        invalid(
            "text_len",
            "Send the chat's text_len as you read it (a whole number, 0 or more).",
        )
    })
}

/// The chats of a cycle, oldest first, with each coder's progress and the removal requests
/// waiting (the scheme's research team).
#[utoipa::path(get, operation_id = "listChats", path = "/api/v1/cycles/{id}/chats", tag = "chats", params(("id" = i64, Path, description = "Cycle id"), PageParams),
    responses((status = 200, description = "The cycle's chats", body = ChatSummaryPage), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<ChatSummaryPage>, ApiError> {
    cycle_if(&state, id, |c| policy::chat_list(&user.actor, c.scheme_id)).await?;
    let (rows, next_cursor) = page(chat_rows(&state, id).await?, |r| r.chat.id, &params)?;
    Ok(Json(ChatSummaryPage {
        items: rows
            .into_iter()
            .map(|r| ChatSummaryJson {
                id: r.chat.id,
                participant_id: r.chat.participant_user_id,
                participant_name: r.chat.participant_name,
                side: r.chat.participant_role,
                held_on: r.chat.held_on.format("%Y-%m-%d").to_string(),
                stage: r.chat.stage,
                interviewer_name: r.chat.interviewer_name,
                passages: r.passages,
                coders: r
                    .coders
                    .into_iter()
                    .map(|c| CoderProgressJson {
                        name: c.name,
                        excerpts: c.excerpts,
                        passages_coded: c.passages_coded,
                    })
                    .collect(),
                open_removals: r.open_removals,
            })
            .collect(),
        next_cursor,
    }))
}

/// The caller's own chats, as a participant (only theirs).
#[utoipa::path(get, operation_id = "listMyChats", path = "/api/v1/chats", tag = "chats", params(PageParams),
    responses((status = 200, description = "The chats the caller took part in", body = MyChatPage)))]
pub async fn mine(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<MyChatPage>, ApiError> {
    let (chats, next_cursor) = page(state.store.chats_with(user.id()).await?, |c| c.id, &params)?;
    Ok(Json(MyChatPage {
        items: chats.into_iter().map(my_chat).collect(),
        next_cursor,
    }))
}

/// The chat as the caller may read it, with the reader's own excerpts and the removal
/// requests they see. Callers ask the policy first.
async fn chat_json(
    state: &AppState,
    user: &CurrentUser,
    loaded: LoadedChat,
) -> Result<ChatJson, AppError> {
    let scheme_id = loaded.scheme.id;
    let participant = loaded.chat.participant_user_id;
    let is_participant = policy::request_chat_removal(&user.actor, participant);
    let can_decide = policy::decide_chat_removal(&user.actor, scheme_id);
    let can_code = policy::code_chats(&user.actor, scheme_id);
    let removals = state
        .store
        .removal_requests(loaded.chat.id)
        .await?
        .into_iter()
        .filter(|r| can_decide || r.requested_by == user.id())
        .map(|r| removal_json(&loaded, r))
        .collect();
    let my_excerpts = if can_code {
        state
            .store
            .excerpts_of_chat(loaded.chat.id)
            .await?
            .iter()
            .filter(|e| e.coder == user.id())
            .map(|e| excerpt_json(&loaded, e))
            .collect()
    } else {
        Vec::new()
    };
    let participant_name = state.store.user(participant).await?.display_name;
    let interviewer_name = match loaded.chat.interviewer_user_id {
        Some(i) => Some(state.store.user(i).await?.display_name),
        None => None,
    };
    let c = &loaded.chat;
    Ok(ChatJson {
        id: c.id,
        cycle_id: c.cycle_id,
        participant_id: participant,
        participant_name,
        side: c.participant_role.clone(),
        interviewer_id: c.interviewer_user_id,
        interviewer_name,
        held_on: c.held_on.format("%Y-%m-%d").to_string(),
        stage: c.stage.as_str().to_string(),
        format: c.format.clone(),
        text_len: c.chat.text.len(),
        passages: passages(&c.chat)
            .into_iter()
            .map(|p| PassageJson {
                number: p.number,
                speaker: p.speaker,
                text: p.text,
                char_start: p.char_start,
            })
            .collect(),
        is_participant,
        can_code,
        can_decide,
        my_excerpts,
        removals,
    })
}

/// One chat's numbered passages, for the scheme's research team and the participant. Every
/// read is audited, as on the chat's page.
#[utoipa::path(get, operation_id = "getChat", path = "/api/v1/chats/{id}", tag = "chats", params(("id" = i64, Path, description = "Chat id")),
    responses((status = 200, description = "The chat", body = ChatJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ChatJson>, ApiError> {
    let loaded = load(&state, id).await?;
    allow(policy::chat(
        &user.actor,
        loaded.scheme.id,
        loaded.chat.participant_user_id,
        Action::View,
    ))?;
    let own = policy::request_chat_removal(&user.actor, loaded.chat.participant_user_id);
    audit_read(
        &state,
        &user,
        &address,
        "chat_read",
        ("chat", id),
        if own {
            "the participant read their own chat"
        } else {
            "a reflective chat's text"
        },
    )
    .await?;
    Ok(Json(chat_json(&state, &user, loaded).await?))
}

/// Records a chat with a participant of the cycle whose research consent stands: typed, or a
/// `.txt`, `.docx` or WebVTT `.vtt` transcript (speaker turns kept), read as the upload page
/// reads it (the scheme's research team). A transcript may be as large as the upload page
/// takes (`max_file_mib`), base64-encoded.
#[utoipa::path(post, operation_id = "recordChat", path = "/api/v1/cycles/{id}/chats", tag = "chats", params(("id" = i64, Path, description = "Cycle id")), request_body = NewChatJson,
    responses((status = 201, description = "The chat, recorded", body = ChatJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The participant's research consent was withdrawn meanwhile", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A field breaks a rule: a participant not of the cycle or without research consent, a date in the future, an interviewer not of the scheme, no text, both text and a file, a file that is not base64 or cannot be read (each field in errors)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn record(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewChatJson>,
) -> Result<(StatusCode, Json<ChatJson>), ApiError> {
    let (_, scheme) = cycle_if(&state, id, may_record(&user)).await?;
    let bytes = match &body.transcript {
        None => None,
        Some(file) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(file.content.trim())
                .map_err(|_| {
                    invalid(
                        "transcript.content",
                        "The file's content is not base64: encode the file's bytes with the standard alphabet.",
                    )
                })?,
        ),
    };
    let upload = match (&body.transcript, &bytes) {
        // An empty file without a name is no file, as on the page.
        (Some(file), Some(bytes)) if !file.name.is_empty() || !bytes.is_empty() => Some(Upload {
            name: file.name.clone(),
            bytes,
        }),
        _ => None,
    };
    let form = RecordForm {
        participant: body.participant.to_string(),
        held_on: body.held_on,
        stage: body.stage.as_str().to_string(),
        interviewer: body.interviewer.map(|i| i.to_string()).unwrap_or_default(),
        text: body.text,
    };
    let checked = check(&state, id, scheme.id, &form, upload.as_ref())
        .await?
        .map_err(|errors| ApiError(AppError::InvalidFields(errors.0.into_iter().collect())))?;
    let chat_id = store_chat(&state, &user, &address, id, &checked).await?;
    let loaded = load(&state, chat_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(chat_json(&state, &user, loaded).await?),
    ))
}

/// Codes passages of a chat for the caller: the numbered `passages` (each run of consecutive
/// ones one excerpt), or the span `start`..`end` in characters; each excerpt with the same
/// codes and memo (the scheme's research team, each coder independently).
#[utoipa::path(post, operation_id = "codePassages", path = "/api/v1/chats/{id}/excerpts", tag = "chats", params(("id" = i64, Path, description = "Chat id")), request_body = CodePassagesJson,
    responses((status = 201, description = "The excerpts made", body = CodedExcerptsJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The chat has changed since the caller read it (text_len differs): read it again", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "No passages or span, a passage or offset outside the chat, no code, a code not in the scheme's codebook, a memo too long (the field named)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn code(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<CodePassagesJson>,
) -> Result<(StatusCode, Json<CodedExcerptsJson>), ApiError> {
    let loaded = load(&state, id).await?;
    allow(policy::code_chats(&user.actor, loaded.scheme.id))?;
    let seen_len = text_len(body.text_len)?;
    let chat = &loaded.chat.chat;
    let spans: Vec<Span> = match (body.start, body.end) {
        (None, None) => {
            if body.passages.is_empty() {
                return Err(invalid(
                    "passages",
                    "Name at least one numbered passage, or a span by start and end.",
                ));
            }
            let numbers = passage_numbers(&body.passages)?;
            spans_from_segments(&chat.segments, &numbers)
                .map_err(|e| invalid("passages", sentence(e)))?
        }
        (Some(start), Some(end)) => {
            let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
                return Err(invalid(
                    "start",
                    "The span's start and end are character positions, 0 or more.",
                ));
            };
            vec![
                Span::from_char_offsets(&chat.text, start, end)
                    .map_err(|e| invalid("start", sentence(e)))?,
            ]
        }
        (None, Some(_)) => return Err(invalid("start", "Send the span's start with its end.")),
        (Some(_), None) => return Err(invalid("end", "Send the span's end with its start.")),
    };
    if body.codes.is_empty() {
        return Err(invalid("codes", "Name at least one code."));
    }
    let ids = match code_passages(
        &state.store,
        Actor::of(&user, &address),
        id,
        &spans,
        &body.codes,
        Some(&body.memo),
        seen_len,
    )
    .await
    {
        Ok(ids) => ids,
        Err(AppError::Invalid { message, .. }) => {
            return Err(invalid(field_of(&message), sentence(message)));
        }
        Err(e) => return Err(e.into()),
    };
    let loaded = load(&state, id).await?;
    let items = state
        .store
        .excerpts_of_chat(id)
        .await?
        .iter()
        .filter(|e| ids.contains(&e.id))
        .map(|e| excerpt_json(&loaded, e))
        .collect();
    Ok((StatusCode::CREATED, Json(CodedExcerptsJson { items })))
}

/// Removes one of the caller's own excerpts (its codes, and a quote made of it, go with it):
/// only the coder who made it.
#[utoipa::path(delete, operation_id = "removeExcerpt", path = "/api/v1/chats/{id}/excerpts/{excerpt}", tag = "chats", params(("id" = i64, Path, description = "Chat id"), ("excerpt" = i64, Path, description = "Excerpt id")),
    responses((status = 204, description = "The excerpt is removed"), (status = 403, description = "The caller did not code this excerpt, or does not code for the scheme", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn remove_excerpt(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, excerpt)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let loaded = load(&state, id).await?;
    let coder = excerpt_coder(&state.store, id, excerpt).await?;
    allow(policy::remove_excerpt(&user.actor, loaded.scheme.id, coder))?;
    remove_own_excerpt(&state.store, Actor::of(&user, &address), id, excerpt).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The participant asks for numbered passages of their chat to be removed (nobody on their
/// behalf); the chat is unchanged until a coordinator accepts.
#[utoipa::path(post, operation_id = "requestChatRemoval", path = "/api/v1/chats/{id}/removals", tag = "chats", params(("id" = i64, Path, description = "Chat id")), request_body = NewRemovalJson,
    responses((status = 201, description = "The request, open", body = RemovalJson), (status = 403, description = "The caller is not the chat's participant", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The chat has changed since the caller read it (text_len differs): read it again", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "No passage, a passage the chat does not have, or a reason too long (the field named)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn request_removal_of(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewRemovalJson>,
) -> Result<(StatusCode, Json<RemovalJson>), ApiError> {
    let loaded = load(&state, id).await?;
    allow(policy::request_chat_removal(
        &user.actor,
        loaded.chat.participant_user_id,
    ))?;
    let seen_len = text_len(body.text_len)?;
    if body.passages.is_empty() {
        return Err(invalid(
            "passages",
            "Choose at least one numbered passage to remove.",
        ));
    }
    let numbers = passage_numbers(&body.passages)?;
    let removal = request_removal(
        &state.store,
        Actor::of(&user, &address),
        id,
        &numbers,
        &body.reason,
        seen_len,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(removal_answer(&state, &loaded, removal).await?),
    ))
}

async fn removal_answer(
    state: &AppState,
    loaded: &LoadedChat,
    removal: i64,
) -> Result<RemovalJson, AppError> {
    let request = state
        .store
        .removal_requests(loaded.chat.id)
        .await?
        .into_iter()
        .find(|r| r.id == removal)
        .ok_or(AppError::NotFound)?;
    Ok(removal_json(loaded, request))
}

/// Accepts a participant's request (the cycle's coordinators): the passages are replaced by
/// the marker, every excerpt and quote overlapping them is deleted, later offsets shift.
#[utoipa::path(post, operation_id = "acceptChatRemoval", path = "/api/v1/chats/{id}/removals/{removal}/accept", tag = "chats", params(("id" = i64, Path, description = "Chat id"), ("removal" = i64, Path, description = "Removal request id")),
    responses((status = 200, description = "What the removal did", body = RemovalOutcomeJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The request has been answered already, or is not this chat's", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn accept(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, removal)): ApiPath<(i64, i64)>,
) -> Result<Json<RemovalOutcomeJson>, ApiError> {
    let loaded = load(&state, id).await?;
    allow(policy::decide_chat_removal(&user.actor, loaded.scheme.id))?;
    let outcome = accept_removal(&state.store, Actor::of(&user, &address), id, removal).await?;
    Ok(Json(RemovalOutcomeJson {
        passages_removed: outcome.passages,
        excerpts_deleted: outcome.excerpts_deleted,
        excerpts_moved: outcome.excerpts_moved,
    }))
}

/// Declines a participant's request with a reply they read (the cycle's coordinators); the
/// chat is unchanged.
#[utoipa::path(post, operation_id = "declineChatRemoval", path = "/api/v1/chats/{id}/removals/{removal}/decline", tag = "chats", params(("id" = i64, Path, description = "Chat id"), ("removal" = i64, Path, description = "Removal request id")), request_body = RemovalDeclineJson,
    responses((status = 200, description = "The request, declined", body = RemovalJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The request has been answered already, or is not this chat's", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The reply is empty or too long (reply)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn decline(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, removal)): ApiPath<(i64, i64)>,
    JsonBody(body): JsonBody<RemovalDeclineJson>,
) -> Result<Json<RemovalJson>, ApiError> {
    let loaded = load(&state, id).await?;
    allow(policy::decide_chat_removal(&user.actor, loaded.scheme.id))?;
    decline_removal(
        &state.store,
        Actor::of(&user, &address),
        id,
        removal,
        &body.reply,
    )
    .await?;
    Ok(Json(removal_answer(&state, &loaded, removal).await?))
}

/// A body's passage numbers, each a passage's number from 1.
fn passage_numbers(passages: &[i64]) -> Result<Vec<u32>, ApiError> {
    passages
        .iter()
        .map(|&n| u32::try_from(n))
        .collect::<Result<_, _>>()
        .map_err(|_| invalid("passages", "A passage is numbered from 1."))
}
