//! Administration: the organisation's settings, people and roles, population figures, the audit
//! log, the email delivery log and webhook subscriptions.
pub mod audit;
pub mod emails;
pub mod organisation;
pub mod people;
pub mod population;
pub mod privacy;
pub mod webhooks;
