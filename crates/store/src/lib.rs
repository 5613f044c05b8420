//! flipside's database. One [`Store`] serves either embedded SQLite (the default: one file, no
//! set-up) or PostgreSQL (chosen by a `postgres://` URL), with the same operations and the same
//! SQL text on both. Queries are checked at run time (`query_as` + `FromRow`) rather than by the
//! compile-time macros, which can only check against one database.
//!
//! Operations are grouped by business area, one module each; every module's functions are
//! methods on [`Store`].
#![forbid(unsafe_code)]

mod accounts;
mod actions;
mod audit;
mod consents;
mod cycle_instruments;
mod cycles;
mod decoded;
mod error;
mod idempotency;
mod invitations;
mod matching;
mod meetings;
mod organisation;
mod outbox;
mod pair_records;
mod pairs;
mod pool;
pub mod privacy;
mod progress;
mod qual_analysis;
mod qual_chats;
mod qual_quotes;
mod qualitative;
mod recruitment;
mod reports;
mod same_school;
mod schemes;
mod sessions;
mod sprints;
mod surveys;
mod tutoring;
mod tutoring_allocation;
mod tutoring_contacts;
mod tutoring_people;
mod tx;
mod users;
mod versions;
mod waves;
mod webhooks;

pub use accounts::{AccountLink, LinkPurpose};
pub use actions::{Evidence, FollowUpAction, NewFollowUpAction};
pub use audit::{AuditEntry, AuditFilter, NewAuditEntry};
pub use consents::{STAFF_CONSENTS, StaffConsents, WITHDREW, Withdrawal};
pub use cycle_instruments::{CycleStatement, StoredInstrument};
pub use cycles::{Cycle, CycleEvent};
pub use decoded::{Decoded, StoredText};
pub use error::StoreError;
pub use idempotency::{KEY_LIFETIME, KeyClaim};
pub use invitations::{Invitation, NewInvitation};
pub use matching::{DoNotPair, MatchingSettings};
pub use meetings::{Agreement, Concern, Meeting, Note, PairHours, UpcomingMeeting};
pub use organisation::{Faculty, IdentityLabel, Organisation, School};
pub use outbox::{NewEmail, OutboxEmail};
pub use pair_records::PairRecords;
pub use pairs::{NewPair, Pair, PairCounts, PairStatus};
pub use pool::{Backend, Store};
pub use progress::{CycleProgress, PairToDo, WaveProgress};
pub use qual_analysis::CodeWrite;
pub use qual_chats::{
    ChatCandidate, ChatListRow, Interviewer, RemovalRequest, RemovalStatus, side_label,
};
pub use qual_quotes::{ChatPerson, QuoteInCycle};
pub use qualitative::{ChatRecord, Finding, NewChat, QuoteRow};
pub use recruitment::{
    Application, ConsentEvent, MyApplication, NewApplication, OpenCall, current_consents,
};
pub use reports::{NewReportVersion, ReportDraft, ReportVersion, ReportVersionSummary};
pub use same_school::SameSchoolException;
pub use schemes::{NewScheme, Scheme};
pub use sessions::{ApiToken, LoginFailures, SessionContext, SessionToken};
pub use sprints::{NewSprint, Sprint, SprintComment, SprintItem};
pub use surveys::{AnswerRow, StatementRow};
pub use tutoring::{ImportCounts, ImportSummary, SchoolTutoring, TutorLoad};
pub use tutoring_allocation::{
    AllocationRun, DraftCounts, DraftPreview, DraftStudent, SchoolRulesRow, StudentRecord,
    TutorHistoryRow, TutorRow, UnplacedStudent,
};
pub use tutoring_contacts::{
    Contact, DashboardFigures, NewContact, SchoolCounts, SchoolHistogram, Tutee,
};
pub use tutoring_people::{
    ChangeRequest, RecordKind, TutorCapacity, TutoringPerson, TutoringProfile, UnlinkedRecord,
};
pub use tx::Tx;
pub use users::{GrantRow, NewUser, User};
pub use versions::{VERSION_STALENESS, VersionCache};
pub use waves::{InstrumentRow, OpenSurvey, SurveyParticipant, SurveyWave, WaveRecipient};
pub use webhooks::{ClaimedDelivery, WebhookDelivery, WebhookSubscription};

/// What every store operation returns.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The current instant, truncated to whole microseconds so that what is written and what is read
/// back compare equal on both backends (PostgreSQL keeps microseconds).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}
