//! Business operations that the pages and the API share. Each one is one transaction: its
//! state change, the audit entry that records it and the emails it causes commit together
//! (`flipside_store::Tx`), so a crash or an error leaves nothing half done. Handlers extract,
//! ask the policy, call one operation and render; they never stitch writes together.
pub mod accounts;
pub mod actions;
pub mod chats;
pub mod codebook;
pub mod consents;
pub mod cycles;
pub mod instruments;
pub mod invitations;
pub mod matching;
pub mod meetings;
pub mod pairs;
pub mod people;
pub mod qualitative;
pub mod quotes;
pub mod recruitment;
pub mod reports;
pub mod retention;
pub mod schemes;
pub mod sprints;
pub mod survey_reminders;
pub mod surveys;
pub mod tutoring;
pub mod webhooks;
