//! Deciding an application.
use crate::error::AppError;
use crate::mail::messages::{ApplicationDecided, Recipient};
use crate::operations::cycles::Actor;
use crate::state::AppState;
use crate::webhooks::{self, Event};
use flipside_core::recruitment::ApplicationStatus;
use flipside_store::NewAuditEntry;

/// Records a coordinator's decision and message with its audit entry and the email that tells
/// the applicant, and the webhook event, in one transaction: a decision that cannot be audited or told is not taken.
/// `Conflict` when the applicant has withdrawn.
pub async fn decide_application(
    state: &AppState,
    actor: Actor<'_>,
    application_id: i64,
    decision: ApplicationStatus,
    message: &str,
) -> Result<(), AppError> {
    let app = state.store.application(application_id).await?;
    let applicant = state.store.user(app.user_id).await?;
    let cycle = state.store.cycle(app.cycle_id).await?;
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let link = state
        .settings
        .link(&format!("cycles/{}/my-application", cycle.id));
    let email = ApplicationDecided {
        application_id,
        decision: decision.label(),
        decision_key: decision.as_str(),
        scheme: &scheme.name,
        year: &cycle.year().to_string(),
        message,
        link: &link,
    }
    .to(Recipient {
        name: &applicant.display_name,
        email: &applicant.email,
    });
    let mut tx = state.store.begin().await?;
    tx.decide_application(application_id, decision, message, Some(actor.id))
        .await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "application_decided",
        subject_kind: "application",
        subject_id: Some(application_id),
        detail: decision.as_str(),
        address: actor.address,
    })
    .await?;
    tx.enqueue_email(&email.as_new()).await?;
    webhooks::record(
        &mut tx,
        &state.settings,
        Event::ApplicationDecided {
            application_id,
            cycle_id: cycle.id,
            decision: decision.as_str(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
