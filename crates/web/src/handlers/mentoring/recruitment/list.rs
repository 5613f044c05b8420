//! A cycle's applications, for its scheme's coordinators (no labels per person).
use super::{ApplicationView, cycle_and_scheme};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use flipside_core::policy::{self};
use flipside_core::recruitment::ApplicationStatus;
use flipside_store::{Cycle, Scheme};

#[derive(Template, WebTemplate)]
#[template(path = "recruitment/list.html")]
pub struct ListPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    rows: Vec<ApplicationView>,
    counts: Vec<(&'static str, usize)>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<ListPage, AppError> {
    let (cycle, scheme) = cycle_and_scheme(&state, id).await?;
    allow(policy::review_applications(&user.actor, scheme.id))?;
    let rows: Vec<ApplicationView> = state
        .store
        .applications_of(id)
        .await?
        .into_iter()
        .map(ApplicationView::new)
        .collect();
    let counts = [
        ApplicationStatus::Submitted,
        ApplicationStatus::Accepted,
        ApplicationStatus::Waitlisted,
        ApplicationStatus::Declined,
        ApplicationStatus::Withdrawn,
    ]
    .into_iter()
    .map(|s| {
        (
            s.label(),
            rows.iter().filter(|r| r.app.status() == s).count(),
        )
    })
    .collect();
    Ok(ListPage {
        ctx,
        scheme,
        cycle,
        rows,
        counts,
    })
}
