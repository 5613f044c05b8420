//! Co-creation: design sprints run by Student APT Leads.
pub mod sprints;
