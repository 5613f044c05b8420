//! A pair's own page (SPEC §3.4): partner, the cycle's meeting plan, hours against the target,
//! the expectations agreement, meetings, private notes, actions, and the route to raise a
//! concern. Only the pair's two members reach it (`policy::pair`); each note is shown only
//! where `policy::private_note` allows.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::mentoring::pair_page::{ConcernForm, Drafts, NoteForm, member_pair, render};
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use flipside_core::actions::{TEXT_MAX, text};
use flipside_core::policy::{self, Action};
use flipside_store::PairStatus;
use serde::Deserialize;

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (pair, cycle) = member_pair(&state, &user, id, Action::View).await?;
    render(
        &state,
        ctx,
        &user,
        &address,
        pair,
        cycle,
        (FormErrors::default(), Drafts::default()),
    )
    .await
}

/// Accepting the expectations agreement.
pub async fn accept_agreement(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (pair, _) = member_pair(&state, &user, id, Action::Edit).await?;
    if pair.status() != PairStatus::Active {
        return Err(AppError::Conflict("This pair has ended.".into()));
    }
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    operations::meetings::accept_agreement(&state, actor, pair.id).await?;
    Ok(redirect_with_flash(
        &format!("/pairs/{id}"),
        "You accepted the expectations agreement.",
    ))
}

pub async fn add_note(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<NoteForm>,
) -> Result<Response, AppError> {
    let (pair, cycle) = member_pair(&state, &user, id, Action::Create).await?;
    let body = match text(&form.note_body, "your note", true, TEXT_MAX) {
        Ok(b) => b,
        Err(m) => {
            let mut errors = FormErrors::default();
            errors.add("note_body", m);
            let drafts = Drafts {
                note: form,
                ..Drafts::default()
            };
            return render(&state, ctx, &user, &address, pair, cycle, (errors, drafts)).await;
        }
    };
    let shared = form.note_shared.is_some();
    state
        .store
        .add_note(pair.id, user.id(), &body, shared)
        .await?;
    Ok(redirect_with_flash(
        &format!("/pairs/{id}#notes"),
        if shared {
            "Your note is saved and shared with your partner."
        } else {
            "Your note is saved. Only you can read it."
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct ShareForm {
    shared: String,
}

/// Sharing a note with the partner, or taking it back: its author only.
pub async fn share_note(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, note_id)): Path<(i64, i64)>,
    Form(form): Form<ShareForm>,
) -> Result<Response, AppError> {
    let (pair, _) = member_pair(&state, &user, id, Action::View).await?;
    let note = state.store.note(note_id).await?;
    if note.pair_id != pair.id {
        return Err(AppError::NotFound);
    }
    allow(policy::private_note(
        &user.actor,
        note.author_id,
        None,
        Action::Edit,
    ))?;
    let shared = form.shared == "yes";
    state.store.set_note_shared(note.id, shared).await?;
    Ok(redirect_with_flash(
        &format!("/pairs/{id}#notes"),
        if shared {
            "Your partner can now read this note."
        } else {
            "This note is private to you again."
        },
    ))
}

/// Raising a concern with the scheme's coordinators: stored, audited without its words, and
/// emailed to each coordinator.
pub async fn raise_concern(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<ConcernForm>,
) -> Result<Response, AppError> {
    let (pair, cycle) = member_pair(&state, &user, id, Action::Create).await?;
    let body = match text(
        &form.concern,
        "what you would like the coordinator to know",
        true,
        TEXT_MAX,
    ) {
        Ok(b) => b,
        Err(m) => {
            let mut errors = FormErrors::default();
            errors.add("concern", m);
            let drafts = Drafts {
                concern: form,
                ..Drafts::default()
            };
            return render(&state, ctx, &user, &address, pair, cycle, (errors, drafts)).await;
        }
    };
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let coordinators = state.store.coordinators_of(cycle.scheme_id).await?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    operations::meetings::raise_concern(
        &state,
        actor,
        &user.user.display_name,
        (&pair, &cycle, &scheme),
        &body,
        &coordinators,
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/pairs/{id}"),
        "Your concern has been sent to the scheme's coordinators.",
    ))
}
