//! Recruitment to a cycle (SPEC §3.2): the open call and its application form, the applicant's
//! own page with their consents, and the coordinators' review and pool composition.
//!
//! Identity labels are special-category data (SPEC §3.12): a coordinator sees an applicant's
//! labels only on that application's review page, only when `policy::identity` allows it, and
//! every such read is written to the audit log. The list and the composition never show them
//! per person.
pub mod apply;
pub mod composition;
pub mod decide;
pub mod list;
pub mod mine;
pub mod review;
pub mod withdraw_consent;

use crate::error::AppError;
use crate::state::AppState;
use flipside_core::recruitment::{self, ConsentKind};
use flipside_store::{Application, ConsentEvent, Cycle, Scheme, current_consents};

pub(super) async fn cycle_and_scheme(
    state: &AppState,
    id: i64,
) -> Result<(Cycle, Scheme), AppError> {
    let cycle = state.store.cycle(id).await?;
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    Ok((cycle, scheme))
}

/// A consent as the applicant's page shows it.
pub struct ConsentView {
    pub kind: &'static str,
    pub label: &'static str,
    pub given: bool,
    /// "given 2026-11-23 15:40", "withdrawn …", one line per change, oldest first.
    pub history: Vec<String>,
}

/// The consents of `kinds` as they stand, each with its history.
/// Each consent with its history, the times in the organisation's `zone`.
pub fn consent_views(
    events: &[ConsentEvent],
    kinds: &[ConsentKind],
    zone: flipside_core::local_time::Zone,
) -> Vec<ConsentView> {
    let current = current_consents(events);
    kinds
        .iter()
        .copied()
        .map(|k| ConsentView {
            kind: k.as_str(),
            label: k.label(),
            given: current.contains(&k),
            history: events
                .iter()
                .filter(|e| e.kind == k.as_str())
                .map(|e| {
                    format!(
                        "{} {}",
                        if e.given { "Given" } else { "Withdrawn" },
                        zone.short(e.at)
                    )
                })
                .collect(),
        })
        .collect()
}

/// What an application says, in words (shared by the applicant's and the coordinator's page).
pub struct ApplicationView {
    pub app: Application,
    pub status_label: &'static str,
    pub level_label: &'static str,
    pub availability: Vec<String>,
}

impl ApplicationView {
    pub(super) fn new(app: Application) -> Self {
        ApplicationView {
            status_label: app.status().label(),
            level_label: recruitment::level_label(&app.level),
            availability: app
                .availability
                .split_whitespace()
                .map(recruitment::slot_label)
                .collect(),
            app,
        }
    }
}
