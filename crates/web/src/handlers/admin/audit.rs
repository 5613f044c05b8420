//! The audit log (admins).
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use flipside_core::policy;
use flipside_store::AuditEntry;
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    ctx: PageCtx,
    entries: Vec<AuditEntry>,
    action: String,
}

#[derive(Debug, Deserialize)]
pub struct Filter {
    #[serde(default)]
    action: String,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(f): Query<Filter>,
) -> Result<AuditPage, AppError> {
    allow(policy::audit_log(&user.actor))?;
    let action = f.action.trim().to_string();
    let entries = state
        .store
        .audit_entries((!action.is_empty()).then_some(action.as_str()), 500)
        .await?;
    Ok(AuditPage {
        ctx,
        entries,
        action,
    })
}
