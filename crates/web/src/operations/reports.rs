//! The annual report's writes (SPEC §3.9): saving the coordinator's text and publishing a
//! version, each with its audit entry in one transaction.
use crate::error::AppError;
use crate::operations::cycles::Actor;
use crate::state::AppState;
use crate::webhooks::{self, Event};
use flipside_core::annual_report::{ReportScope, ReportText};
use flipside_report::ReportData;
use flipside_store::{NewAuditEntry, NewReportVersion};

/// Saves the introduction and recommendations of a report.
pub async fn save_text(
    state: &AppState,
    actor: Actor<'_>,
    scope: ReportScope,
    text: &ReportText,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.save_report_text(scope, text, Some(actor.id)).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "report_text_saved",
        subject_kind: subject_kind(scope),
        subject_id: Some(scope.key()),
        detail: "introduction and recommendations",
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes `report` as the report's next version, frozen as it is now: its figures, text and
/// quotes are stored and never change afterwards. `quote_ids` are the quote bank's ids of the
/// quotes it prints. Returns the version's number.
pub async fn publish(
    state: &AppState,
    actor: Actor<'_>,
    scope: ReportScope,
    report: &ReportData,
    quote_ids: &[i64],
) -> Result<i64, AppError> {
    let data = serde_json::to_string(report).map_err(AppError::internal)?;
    let quote_ids = serde_json::to_string(quote_ids).map_err(AppError::internal)?;
    let title = format!("{} {}", report.title, report.scope.academic_year());
    let mut tx = state.store.begin().await?;
    let number = tx
        .publish_report(
            scope,
            NewReportVersion {
                title: &title,
                data: &data,
                quote_ids: &quote_ids,
                published_by: Some(actor.id),
            },
        )
        .await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "report_published",
        subject_kind: subject_kind(scope),
        subject_id: Some(scope.key()),
        detail: &format!("version {number}"),
        address: actor.address,
    })
    .await?;
    webhooks::record(
        &mut tx,
        &state.settings,
        Event::ReportPublished {
            scope: scope.kind(),
            scope_id: scope.key(),
            version: number,
            link: &scope.path(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(number)
}

/// The audit log's name for what a report is about: a cycle (by id) or an academic year (by
/// the year it starts in).
fn subject_kind(scope: ReportScope) -> &'static str {
    match scope {
        ReportScope::Cycle(_) => "cycle_report",
        ReportScope::Year(_) => "year_report",
    }
}
