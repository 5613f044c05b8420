//! A cycle's coding to take away (research team, `policy::qualitative_export`): the REFI-QDA
//! project (`.qdpx`, the same export as `flipside qualitative export`), the codebook
//! (`.qdc`, GUIDs matching the project's) and the excerpts as CSV. Participants appear by
//! pseudonym only, and only those whose research consent stands. Every download is audited
//! with what it held; the entry is written before the file is sent, so a download that
//! cannot be recorded is not made.
use super::{cycle_for, file_download};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::audit_read;
use crate::operations::codebook::{CycleCoding, codebook_qdc, cycle_key};
use crate::operations::qualitative::{ExportError, export_project};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use flipside_core::policy;
use flipside_store::Cycle;

fn file_stem(cycle: &Cycle) -> String {
    format!(
        "cycle-{}-{}",
        cycle.id,
        cycle.year().to_string().replace('/', "-")
    )
}

pub async fn project(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    project_download(&state, &user, &address, id, "web").await
}

/// The project download for `user`, audited as made `via` the pages or the API.
pub async fn project_download(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    id: i64,
    via: &str,
) -> Result<Response, AppError> {
    let (cycle, _) = cycle_for(state, id, |s| policy::qualitative_export(&user.actor, s)).await?;
    let (bytes, counts) = export_project(
        &state.store,
        id,
        state.settings.public_url.as_str(),
        state.clock.now(),
    )
    .await
    .map_err(|e| match e {
        ExportError::NoSuchCycle(_) => AppError::NotFound,
        ExportError::Store(e) => e.into(),
        ExportError::Write(e) => {
            AppError::Conflict(format!("The project cannot be exported: {e}."))
        }
    })?;
    audit_read(
        state,
        user,
        address,
        "qualitative_exported",
        ("cycle", id),
        &format!(
            "{via}: REFI-QDA project, {} chat(s), {} excerpt(s), {} code(s)",
            counts.chats, counts.excerpts, counts.codes
        ),
    )
    .await?;
    Ok(file_download(
        "application/zip",
        &format!("{}.qdpx", file_stem(&cycle)),
        bytes,
    ))
}

pub async fn codebook(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    codebook_download(&state, &user, &address, id, "web").await
}

/// The codebook download for `user`, audited as made `via` the pages or the API.
pub async fn codebook_download(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    id: i64,
    via: &str,
) -> Result<Response, AppError> {
    let (cycle, scheme) =
        cycle_for(state, id, |s| policy::qualitative_export(&user.actor, s)).await?;
    let key = cycle_key(id, state.settings.public_url.as_str());
    let qdc = codebook_qdc(&state.store, scheme.id, &key).await?;
    audit_read(
        state,
        user,
        address,
        "qualitative_exported",
        ("cycle", id),
        &format!("{via}: REFI-QDA codebook"),
    )
    .await?;
    Ok(file_download(
        "application/xml; charset=utf-8",
        &format!("{}-codebook.qdc", file_stem(&cycle)),
        qdc.into_bytes(),
    ))
}

pub async fn excerpts(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    excerpts_download(&state, &user, &address, id, "web").await
}

/// The excerpts download for `user`, audited as made `via` the pages or the API.
pub async fn excerpts_download(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    id: i64,
    via: &str,
) -> Result<Response, AppError> {
    let (cycle, scheme) =
        cycle_for(state, id, |s| policy::qualitative_export(&user.actor, s)).await?;
    let coding = CycleCoding::load(&state.store, id, scheme.id).await?;
    let (body, rows) = coding.csv()?;
    audit_read(
        state,
        user,
        address,
        "qualitative_exported",
        ("cycle", id),
        &format!(
            "{via}: excerpts CSV, {rows} row(s) from {} chat(s)",
            coding.chats.len()
        ),
    )
    .await?;
    Ok(file_download(
        "text/csv; charset=utf-8",
        &format!("{}-excerpts.csv", file_stem(&cycle)),
        body.into_bytes(),
    ))
}
