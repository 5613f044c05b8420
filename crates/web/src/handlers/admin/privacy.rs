//! Personal-data administration (issue 13): the registry with the retention settings, the
//! retention dry run, and erasing a person (preview, then confirm; one transaction, audited).
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::auth::data::{KindRow, kind_rows};
use crate::page::{PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;
use flipside_core::policy;
use flipside_store::privacy::{ErasurePreview, Person, RetentionReport, RetentionRun};

#[derive(Template, WebTemplate)]
#[template(path = "admin/privacy.html")]
pub struct RegistryPage {
    ctx: PageCtx,
    kinds: Vec<KindRow>,
    runs: Vec<RetentionRun>,
}

/// `GET /admin/privacy`: every kind of data held, why, for whom, and for how long; the
/// retention job's recorded runs.
pub async fn registry(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<RegistryPage, AppError> {
    allow(policy::personal_data_admin(&user.actor))?;
    let mut runs = state.store.retention_runs().await?;
    runs.truncate(30);
    Ok(RegistryPage {
        ctx,
        kinds: kind_rows(&state.settings.retention),
        runs,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/retention.html")]
pub struct RetentionPage {
    ctx: PageCtx,
    report: RetentionReport,
}

/// `GET /admin/privacy/retention`: what the retention job would delete now, per rule, and why.
pub async fn retention(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<RetentionPage, AppError> {
    allow(policy::personal_data_admin(&user.actor))?;
    let report = state
        .store
        .retention_dry_run(&state.settings.retention, state.clock.now())
        .await?;
    Ok(RetentionPage { ctx, report })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/erase.html")]
pub struct ErasePage {
    ctx: PageCtx,
    id: i64,
    name: String,
    email: String,
    preview: ErasurePreview,
}

async fn person(state: &AppState, id: i64) -> Result<Person, AppError> {
    let user = state.store.user(id).await?;
    Ok(Person {
        user_id: user.id,
        email: user.email.to_lowercase(),
        display_name: user.display_name.clone(),
    })
}

/// `GET /admin/people/{id}/erase`: what erasing the person would delete, anonymise and keep.
pub async fn preview(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<ErasePage, AppError> {
    allow(policy::personal_data_admin(&user.actor))?;
    let person = person(&state, id).await?;
    let preview = state.store.erasure_preview(&person).await?;
    Ok(ErasePage {
        ctx,
        id,
        name: person.display_name,
        email: person.email,
        preview,
    })
}

/// `POST /admin/people/{id}/erase`: erases the person, in one transaction with its audit entry.
pub async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    allow(policy::personal_data_admin(&user.actor))?;
    if id == user.user.id {
        return Err(AppError::Forbidden);
    }
    let person = person(&state, id).await?;
    let mut tx = state.store.begin().await?;
    let done = tx.erase_person(&person, user.user.id, &address).await?;
    tx.commit().await?;
    let (deleted, anonymised, kept) = done.totals();
    Ok(redirect_with_flash(
        "/admin/people",
        &format!(
            "Person #{id} erased: {deleted} records deleted, {anonymised} anonymised, {kept} kept without them."
        ),
    ))
}
