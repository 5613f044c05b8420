//! The applicant's own page: their application, its labels and their consents.
use super::{ApplicationView, ConsentView, consent_views, cycle_and_scheme};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use flipside_core::cycle::CycleState;
use flipside_core::policy::{self, Action};
use flipside_core::recruitment::{ApplicationStatus, ConsentKind};
use flipside_store::{Application, Cycle, Scheme};

#[derive(Template, WebTemplate)]
#[template(path = "recruitment/mine.html")]
pub struct MinePage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    view: ApplicationView,
    labels: Vec<String>,
    consents: Vec<ConsentView>,
    open: bool,
    withdrawn: bool,
}

/// The signed-in person's own application to a cycle, if the policy lets them do `action` with it.
pub(super) async fn own_application(
    state: &AppState,
    user: &CurrentUser,
    cycle_id: i64,
    scheme_id: i64,
    action: Action,
) -> Result<Application, AppError> {
    let app = state
        .store
        .application_of(cycle_id, user.id())
        .await?
        .ok_or(AppError::NotFound)?;
    allow(policy::application(
        &user.actor,
        app.user_id,
        scheme_id,
        action,
    ))?;
    Ok(app)
}

pub async fn mine(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<MinePage, AppError> {
    let (cycle, scheme) = cycle_and_scheme(&state, id).await?;
    let app = own_application(&state, &user, id, scheme.id, Action::View).await?;
    let labels = state
        .store
        .application_labels(app.id)
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    let consents = consent_views(
        &state.store.consent_events(app.id).await?,
        &ConsentKind::ALL,
        ctx.zone,
    );
    Ok(MinePage {
        ctx,
        open: cycle.state()? == CycleState::Recruiting,
        withdrawn: app.status() == ApplicationStatus::Withdrawn,
        view: ApplicationView::new(app),
        labels,
        consents,
        scheme,
        cycle,
    })
}
