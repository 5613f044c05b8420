//! Deciding an application, and reading an applicant's identity labels to review it.
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::mail::messages::{ApplicationDecided, Recipient};
use crate::operations::cycles::Actor;
use crate::state::AppState;
use crate::webhooks::{self, Event};
use flipside_core::policy::{self, Action};
use flipside_core::recruitment::ApplicationStatus;
use flipside_store::{Application, NewAuditEntry};

/// The applicant's identity labels (special-category data) for the one reviewing the
/// application, the review page and the API alike: `None` when the policy does not let the
/// reader see them (`policy::identity`, with the application's scheme). The read is written to
/// the audit log before the labels are returned: a read that cannot be recorded is not answered.
pub async fn read_identity_labels(
    state: &AppState,
    reader: &CurrentUser,
    address: &str,
    app: &Application,
    scheme_id: i64,
) -> Result<Option<Vec<String>>, AppError> {
    if !policy::identity(&reader.actor, app.user_id, Some(scheme_id), Action::View) {
        return Ok(None);
    }
    let names: Vec<String> = state
        .store
        .application_labels(app.id)
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    state
        .store
        .audit(NewAuditEntry {
            actor_id: Some(reader.id()),
            action: "identity_read",
            subject_kind: "application",
            subject_id: Some(app.id),
            detail: &format!("identity labels of applicant {} reviewed", app.user_id),
            address,
        })
        .await?;
    Ok(Some(names))
}

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
