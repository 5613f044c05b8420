//! A pair member's own notes over the API: listing the notes the caller may read (their own,
//! and those their partner shared with them), writing one, and sharing one with the partner or
//! taking it back, under the same policy as the pair's page (`policy::private_note`): a note is
//! readable by its author and the partner it was shared with, nobody else, administrators
//! included. Reading notes the partner shared is audited, as on the page.
use super::{ApiPath, ApiQuery, JsonBody, PageParams, page, page_of};
use crate::auth::{ApiUser, ClientAddress, CurrentUser};
use crate::error::{ApiError, AppError};
use crate::handlers::allow;
use crate::handlers::mentoring::pair_page::member_pair;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, get, patch, post};
use flipside_core::actions::{TEXT_MAX, text};
use flipside_core::policy::{self, Action};
use flipside_store::{Note, Pair};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(list, write, change),
    components(schemas(PairNoteJson, PairNotePage, NewPairNoteJson, PairNoteChangeJson))
)]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/pairs/{id}/notes", get(list)),
        (Method::POST, "/pairs/{id}/notes", post(write)),
        (Method::PATCH, "/pairs/{id}/notes/{note}", patch(change)),
    ]
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PairNoteJson {
    pub id: i64,
    pub pair_id: i64,
    pub author_id: i64,
    /// Whether the caller wrote it (only its author may share it or take it back).
    pub mine: bool,
    /// Whether the author shared it with their partner.
    pub shared: bool,
    pub body: String,
    pub created_at: String,
}

page_of!(PairNotePage, PairNoteJson);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPairNoteJson {
    #[schema(min_length = 1)]
    pub body: String,
    /// Share it with the partner at once (default: private to its author).
    #[serde(default)]
    pub shared: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairNoteChangeJson {
    /// true shares the note with the partner; false makes it private to its author again.
    pub shared: bool,
}

fn json(n: Note, me: i64) -> PairNoteJson {
    PairNoteJson {
        mine: n.author_id == me,
        id: n.id,
        pair_id: n.pair_id,
        author_id: n.author_id,
        shared: n.shared,
        body: n.body,
        created_at: n.created_at.to_rfc3339(),
    }
}

/// Whether the policy lets the caller read the note, as on the pair's page.
fn readable(user: &CurrentUser, pair: &Pair, n: &Note) -> bool {
    let shared_with = if n.shared {
        pair.partner_of(n.author_id).map(|(id, _)| id)
    } else {
        None
    };
    policy::private_note(&user.actor, n.author_id, shared_with, Action::View)
}

/// The notes of the caller's pair that the caller may read: their own, and those the partner
/// shared with them (that read is audited, as on the pair's page). Nobody else reads them.
#[utoipa::path(get, operation_id = "listPairNotes", path = "/api/v1/pairs/{id}/notes", tag = "notes", params(("id" = i64, Path, description = "Pair id"), PageParams),
    responses((status = 200, description = "The notes the caller may read, oldest first", body = PairNotePage), (status = 403, description = "The caller is not a member of the pair", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<PairNotePage>, ApiError> {
    let (pair, _) = member_pair(&state, &user, id, Action::View).await?;
    let notes: Vec<Note> = state
        .store
        .notes_of_pair(pair.id)
        .await?
        .into_iter()
        .filter(|n| readable(&user, &pair, n))
        .collect();
    let (notes, next_cursor) = page(notes, |n| n.id, &params)?;
    let shared_with_me = notes.iter().filter(|n| n.author_id != user.id()).count();
    if shared_with_me > 0 {
        crate::handlers::audit_read(
            &state,
            &user,
            &address,
            "shared_notes_read",
            ("pair", pair.id),
            &format!("{shared_with_me} notes the partner shared"),
        )
        .await?;
    }
    let me = user.id();
    Ok(Json(PairNotePage {
        items: notes.into_iter().map(|n| json(n, me)).collect(),
        next_cursor,
    }))
}

/// Writes a note in the caller's pair: private to its author unless `shared`.
#[utoipa::path(post, operation_id = "writePairNote", path = "/api/v1/pairs/{id}/notes", tag = "notes", params(("id" = i64, Path, description = "Pair id")), request_body = NewPairNoteJson,
    responses((status = 201, description = "The note", body = PairNoteJson), (status = 403, description = "The caller is not a member of the pair", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The note is empty or too long (body)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn write(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewPairNoteJson>,
) -> Result<(StatusCode, Json<PairNoteJson>), ApiError> {
    let (pair, _) = member_pair(&state, &user, id, Action::Create).await?;
    let text = text(&body.body, "your note", true, TEXT_MAX).map_err(|m| AppError::Invalid {
        field: "body".into(),
        message: m,
    })?;
    let note_id = state
        .store
        .add_note(pair.id, user.id(), &text, body.shared)
        .await?;
    let note = state.store.note(note_id).await?;
    Ok((StatusCode::CREATED, Json(json(note, user.id()))))
}

/// Shares a note with the partner, or makes it private again: its author only.
#[utoipa::path(patch, operation_id = "changePairNote", path = "/api/v1/pairs/{id}/notes/{note}", tag = "notes", params(("id" = i64, Path, description = "Pair id"), ("note" = i64, Path, description = "Note id")), request_body = PairNoteChangeJson,
    responses((status = 200, description = "The note as it is now", body = PairNoteJson), (status = 403, description = "The caller is not a member of the pair, or did not write the note", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn change(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, note_id)): ApiPath<(i64, i64)>,
    JsonBody(body): JsonBody<PairNoteChangeJson>,
) -> Result<Json<PairNoteJson>, ApiError> {
    let (pair, _) = member_pair(&state, &user, id, Action::View).await?;
    let note = state.store.note(note_id).await?;
    if note.pair_id != pair.id {
        return Err(AppError::NotFound.into());
    }
    allow(policy::private_note(
        &user.actor,
        note.author_id,
        None,
        Action::Edit,
    ))?;
    state.store.set_note_shared(note.id, body.shared).await?;
    let note = state.store.note(note_id).await?;
    Ok(Json(json(note, user.id())))
}
