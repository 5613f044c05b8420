//! One module per area; each handler extracts, asks the policy, calls the store, renders.
//! Templates sit next to the handlers that render them.
pub mod account;
pub mod actions;
pub mod api;
pub mod audit;
pub mod concerns;
pub mod cycle_pairs;
pub mod cycles;
pub mod emails;
pub mod error_page;
pub mod home;
pub mod import;
pub mod instruments;
pub mod invitations;
pub mod matching;
pub mod meetings;
pub mod ops;
pub mod organisation;
pub mod pairs;
pub mod people;
pub mod plan;
pub mod population;
pub mod recruitment;
pub mod results;
pub mod results_chart;
pub mod schemes;
pub mod sign_in;
pub mod sprints;
pub mod sso;
pub mod surveys;
pub mod tutoring;
pub mod tutoring_allocation;
pub mod tutoring_dashboard;
pub mod tutoring_students;
pub mod waves;

use crate::error::AppError;

/// Refuses with 403 unless the policy allowed it.
pub fn allow(allowed: bool) -> Result<(), AppError> {
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}
