//! One application's review page, where reading the applicant's labels is audited.
use super::decide::DecisionForm;
use super::{ApplicationView, ConsentView, consent_views, cycle_and_scheme};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::{FormErrors, PageCtx};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use flipside_core::policy::{self, Action};
use flipside_core::recruitment::ConsentKind;
use flipside_store::{Cycle, Scheme};

#[derive(Template, WebTemplate)]
#[template(path = "recruitment/review.html")]
pub struct ReviewPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    view: ApplicationView,
    /// `None` when the policy does not allow this reader to see them.
    labels: Option<Vec<String>>,
    consents: Vec<ConsentView>,
    decisions: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    /// The decision and message the form shows: as stored, or as just typed.
    decision: String,
    message: String,
}

/// Builds one application's review page. Reading the labels is audited here, so every page
/// that shows them (including a refused decision shown again) records the read.
pub(super) async fn review_page(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    address: &str,
    (id, app_id): (i64, i64),
    refused: Option<(FormErrors, &DecisionForm)>,
) -> Result<ReviewPage, AppError> {
    let (cycle, scheme) = cycle_and_scheme(state, id).await?;
    allow(policy::review_applications(&user.actor, scheme.id))?;
    let app = state.store.application(app_id).await?;
    if app.cycle_id != id {
        return Err(AppError::NotFound);
    }
    allow(policy::application(
        &user.actor,
        app.user_id,
        scheme.id,
        Action::View,
    ))?;
    let labels =
        crate::operations::recruitment::read_identity_labels(state, user, address, &app, scheme.id)
            .await?;
    let (errors, decision, message) = match refused {
        Some((errors, typed)) => (errors, typed.decision.clone(), typed.message.clone()),
        None => (
            FormErrors::default(),
            app.status.to_string(),
            app.message.clone(),
        ),
    };
    let consents = consent_views(
        &state.store.consent_events(app.id).await?,
        &ConsentKind::ALL,
        ctx.zone,
    );
    Ok(ReviewPage {
        ctx,
        consents,
        decision,
        message,
        view: ApplicationView::new(app),
        labels,
        decisions: vec![
            ("accepted", "Accept"),
            ("waitlisted", "Put on the waiting list"),
            ("declined", "Decline"),
        ],
        errors,
        scheme,
        cycle,
    })
}

/// One application, for its scheme's coordinators.
pub async fn review(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, app_id)): Path<(i64, i64)>,
) -> Result<ReviewPage, AppError> {
    review_page(&state, ctx, &user, &address, (id, app_id), None).await
}
