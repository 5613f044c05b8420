//! Administration: the organisation's settings, people and roles, population figures, the audit
//! log and the email delivery log.
pub mod audit;
pub mod emails;
pub mod organisation;
pub mod people;
pub mod population;
pub mod privacy;
