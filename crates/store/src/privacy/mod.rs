//! Personal data in the database (issue 13, SPEC §3.12): the registry of every table that
//! holds data about a person ([`REGISTRY`]), a person's export ([`Store::export_person`]),
//! erasure ([`Store::erasure_preview`], [`Tx::erase_person`]) and retention
//! ([`Store::retention_dry_run`], [`Store::apply_retention`]).
//!
//! The registry is checked against the migrated schema by `tests/privacy.rs`: a table with a
//! person column (see [`is_person_column`]) that is not registered fails the test, so a new
//! feature cannot forget to export, erase and retain what it stores.
//!
//! [`Tx::erase_person`]: crate::Tx::erase_person
mod erasure;
mod export;
mod retention;
mod schema;

pub use erasure::{ErasurePreview, ErasureStep, Treatment};
pub use export::{KindExport, PersonExport};
pub use retention::{RetentionOutcome, RetentionReport, RetentionRun};
pub use schema::{SchemaColumn, is_person_column};

/// The account id of a person held without an account (ids start at 1).
pub const NO_ACCOUNT: i64 = 0;

use flipside_core::privacy::DataKind;

/// How erasure treats the rows of one registry entry that are about the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erase {
    /// The rows are deleted.
    Delete,
    /// The rows are kept with the given `SET` clause applied (names and addresses replaced).
    Anonymise(&'static str),
    /// The rows are kept unchanged; they now point at the erased placeholder account.
    Keep,
}

/// One statement of an erasure: a treatment of the rows of `table` matching `rows`.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    /// A condition on the table's rows (`$1` the user id, `$2` the lower-case email, `$3` the
    /// display name).
    pub rows: &'static str,
    pub erase: Erase,
    /// Why, in words, for the preview.
    pub why: &'static str,
}

/// One table that holds data about a person.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub table: &'static str,
    pub kind: DataKind,
    /// The columns that identify or point at a person (what the schema test looks for).
    pub person_columns: &'static [&'static str],
    /// The rows that belong in the person's export, as a condition (`$1` user id, `$2`
    /// lower-case email, `$3` display name). `None`: the table's rows about the person are
    /// other people's records (e.g. a decision they took), not exported.
    pub export: Option<&'static str>,
    /// What erasure does, in order.
    pub erasure: &'static [Step],
}

/// Every table holding data about a person, in the order erasure treats them (rows that point
/// at others first, the account last). Kinds are `flipside_core::privacy::DataKind`, whose
/// `info()` gives purpose, basis, visibility and retention anchor.
pub const REGISTRY: &[Entry] = &[
    Entry {
        table: "audit_log",
        kind: DataKind::AuditEntry,
        person_columns: &["actor_id"],
        // What they did, and every read of their private or special-category data.
        export: Some(
            "actor_id = $1 OR (subject_kind = 'user' AND subject_id = $1) \
             OR (subject_kind = 'application' AND subject_id IN (SELECT id FROM applications WHERE user_id = $1)) \
             OR (subject_kind = 'pair' AND action = 'shared_notes_read' AND subject_id IN (SELECT id FROM pairs WHERE mentor_id = $1 OR mentee_id = $1)) \
             OR (subject_kind = 'concern' AND subject_id IN (SELECT id FROM concerns WHERE raised_by = $1)) \
             OR (subject_kind = 'tutoring_student' AND subject_id IN (SELECT id FROM tutoring_students WHERE lower(email) = $2)) \
             OR (subject_kind = 'tutoring_contact' AND subject_id IN (SELECT c.id FROM tutoring_contacts c JOIN tutoring_students s ON s.id = c.student_id WHERE lower(s.email) = $2))",
        ),
        erasure: &[Step {
            rows: "actor_id = $1 OR (subject_kind = 'user' AND subject_id = $1) \
                   OR (subject_kind = 'application' AND subject_id IN (SELECT id FROM applications WHERE user_id = $1)) \
                   OR (subject_kind = 'tutoring_student' AND subject_id IN (SELECT id FROM tutoring_students WHERE lower(email) = $2)) \
                   OR lower(detail) LIKE '%' || $2 || '%' OR (length($3) >= 3 AND detail LIKE '%' || $3 || '%')",
            erase: Erase::Anonymise("detail = '', address = ''"),
            why: "audit entries are kept in a minimal form (who, what, when) without details or network address: the log must show what happened",
        }],
    },
    Entry {
        table: "application_labels",
        kind: DataKind::IdentityLabels,
        person_columns: &["application_id"],
        export: Some("application_id IN (SELECT id FROM applications WHERE user_id = $1)"),
        erasure: &[Step {
            rows: "application_id IN (SELECT id FROM applications WHERE user_id = $1)",
            erase: Erase::Delete,
            why: "special-category data, held only for the application",
        }],
    },
    Entry {
        table: "application_consents",
        kind: DataKind::ConsentEvent,
        person_columns: &["application_id"],
        export: Some("application_id IN (SELECT id FROM applications WHERE user_id = $1)"),
        erasure: &[Step {
            rows: "application_id IN (SELECT id FROM applications WHERE user_id = $1)",
            erase: Erase::Delete,
            why: "held only for the application",
        }],
    },
    Entry {
        table: "applications",
        kind: DataKind::Application,
        person_columns: &["user_id", "decided_by"],
        export: Some("user_id = $1"),
        erasure: &[
            Step {
                rows: "user_id = $1",
                erase: Erase::Delete,
                why: "their applications",
            },
            Step {
                rows: "decided_by = $1",
                erase: Erase::Anonymise("decided_by = NULL"),
                why: "decisions they took on others' applications stay, without who took them",
            },
        ],
    },
    Entry {
        table: "survey_drafts",
        kind: DataKind::SurveyAnswers,
        person_columns: &["participant_id"],
        export: Some("participant_id IN (SELECT id FROM survey_participants WHERE user_id = $1)"),
        erasure: &[Step {
            rows: "participant_id IN (SELECT id FROM survey_participants WHERE user_id = $1)",
            erase: Erase::Delete,
            why: "unsubmitted answers under their code",
        }],
    },
    Entry {
        table: "survey_responses",
        kind: DataKind::SurveyAnswers,
        person_columns: &["participant_id"],
        export: Some("participant_id IN (SELECT id FROM survey_participants WHERE user_id = $1)"),
        erasure: &[Step {
            rows: "participant_id IN (SELECT id FROM survey_participants WHERE user_id = $1)",
            erase: Erase::Delete,
            why: "answers still linked to them; aggregates already published are not recalled",
        }],
    },
    Entry {
        table: "survey_participants",
        kind: DataKind::SurveyParticipant,
        person_columns: &["user_id"],
        export: Some("user_id = $1"),
        erasure: &[Step {
            rows: "user_id = $1",
            erase: Erase::Delete,
            why: "their survey codes",
        }],
    },
    Entry {
        table: "pair_notes",
        kind: DataKind::PrivateNote,
        person_columns: &["author_id"],
        // Their own notes, and the notes their partner shared with them.
        export: Some(
            "author_id = $1 OR (shared = TRUE AND pair_id IN (SELECT id FROM pairs WHERE mentor_id = $1 OR mentee_id = $1))",
        ),
        erasure: &[Step {
            rows: "author_id = $1",
            erase: Erase::Delete,
            why: "their notes, private and shared; the partner's own notes stay (they are the partner's)",
        }],
    },
    Entry {
        table: "action_evidence",
        kind: DataKind::Action,
        person_columns: &["added_by"],
        export: Some(
            "added_by = $1 OR action_id IN (SELECT id FROM follow_up_actions WHERE raised_by = $1 OR owner_id = $1)",
        ),
        erasure: &[Step {
            rows: "added_by = $1",
            erase: Erase::Delete,
            why: "evidence they added",
        }],
    },
    Entry {
        table: "follow_up_actions",
        kind: DataKind::Action,
        person_columns: &["raised_by", "owner_id"],
        // Anonymous actions they raised are theirs too.
        export: Some("raised_by = $1 OR owner_id = $1"),
        erasure: &[Step {
            rows: "raised_by = $1 OR owner_id = $1",
            erase: Erase::Keep,
            why: "actions are the institution's record of change; they stay, naming the erased placeholder",
        }],
    },
    Entry {
        table: "concerns",
        kind: DataKind::Concern,
        person_columns: &["raised_by", "answered_by"],
        export: Some("raised_by = $1"),
        erasure: &[
            Step {
                rows: "raised_by = $1",
                erase: Erase::Delete,
                why: "concerns they raised",
            },
            Step {
                rows: "answered_by = $1",
                erase: Erase::Keep,
                why: "a coordinator's answers to others' concerns stay with the raiser, naming the erased placeholder",
            },
        ],
    },
    Entry {
        table: "meetings",
        kind: DataKind::Meeting,
        person_columns: &["proposed_by"],
        export: Some("pair_id IN (SELECT id FROM pairs WHERE mentor_id = $1 OR mentee_id = $1)"),
        erasure: &[Step {
            rows: "pair_id IN (SELECT id FROM pairs WHERE mentor_id = $1 OR mentee_id = $1)",
            erase: Erase::Keep,
            why: "the partner's meetings and hours stay, with the erased placeholder in their place",
        }],
    },
    Entry {
        table: "pair_agreements",
        kind: DataKind::Pair,
        person_columns: &["user_id"],
        export: Some("user_id = $1"),
        erasure: &[Step {
            rows: "user_id = $1",
            erase: Erase::Delete,
            why: "their acceptance of the pair agreement",
        }],
    },
    Entry {
        table: "pairs",
        kind: DataKind::Pair,
        person_columns: &["mentor_id", "mentee_id", "published_by"],
        export: Some("mentor_id = $1 OR mentee_id = $1"),
        erasure: &[
            Step {
                rows: "mentor_id = $1 OR mentee_id = $1",
                erase: Erase::Anonymise("reason = ''"),
                why: "the pair stays for the partner, with the erased placeholder in their place and without the matching explanation",
            },
            Step {
                rows: "published_by = $1",
                erase: Erase::Anonymise("published_by = NULL"),
                why: "pairs they published stay, without who published them",
            },
        ],
    },
    Entry {
        table: "do_not_pair",
        kind: DataKind::MatchingRecord,
        person_columns: &["mentor_id", "mentee_id"],
        export: Some("mentor_id = $1 OR mentee_id = $1"),
        erasure: &[Step {
            rows: "mentor_id = $1 OR mentee_id = $1",
            erase: Erase::Delete,
            why: "matching constraints about them",
        }],
    },
    Entry {
        table: "same_school_exceptions",
        kind: DataKind::MatchingRecord,
        person_columns: &["mentor_id", "mentee_id", "created_by"],
        export: Some("mentor_id = $1 OR mentee_id = $1"),
        erasure: &[
            Step {
                rows: "mentor_id = $1 OR mentee_id = $1",
                erase: Erase::Delete,
                why: "matching exceptions about them",
            },
            Step {
                rows: "created_by = $1",
                erase: Erase::Anonymise("created_by = NULL"),
                why: "exceptions they allowed stay, without who allowed them",
            },
        ],
    },
    Entry {
        table: "cycle_leavers",
        kind: DataKind::MatchingRecord,
        person_columns: &["user_id"],
        export: Some("user_id = $1"),
        erasure: &[Step {
            rows: "user_id = $1",
            erase: Erase::Delete,
            why: "the record that they left a cycle",
        }],
    },
    Entry {
        table: "invitation_consents",
        kind: DataKind::ConsentEvent,
        person_columns: &["invitation_id"],
        export: Some(
            "invitation_id IN (SELECT id FROM staff_invitations WHERE user_id = $1 OR lower(email) = $2)",
        ),
        erasure: &[Step {
            rows: "invitation_id IN (SELECT id FROM staff_invitations WHERE user_id = $1 OR lower(email) = $2)",
            erase: Erase::Delete,
            why: "held only for the invitation",
        }],
    },
    Entry {
        table: "staff_invitations",
        kind: DataKind::Invitation,
        person_columns: &["user_id", "email", "invited_by"],
        export: Some("user_id = $1 OR lower(email) = $2"),
        erasure: &[
            Step {
                rows: "user_id = $1 OR lower(email) = $2",
                erase: Erase::Delete,
                why: "invitations sent to them",
            },
            Step {
                rows: "invited_by = $1",
                erase: Erase::Anonymise("invited_by = NULL"),
                why: "invitations they sent stay, without who sent them",
            },
        ],
    },
    Entry {
        table: "tutoring_contacts",
        kind: DataKind::ContactNote,
        person_columns: &["student_id", "tutor_id", "initiated_by", "logged_by"],
        export: Some("student_id IN (SELECT id FROM tutoring_students WHERE lower(email) = $2)"),
        erasure: &[Step {
            rows: "student_id IN (SELECT id FROM tutoring_students WHERE lower(email) = $2)",
            erase: Erase::Delete,
            why: "contacts on their tutoring record (a tutor's erasure keeps the notes on the students' records)",
        }],
    },
    Entry {
        table: "tutoring_profiles",
        kind: DataKind::TutoringProfile,
        person_columns: &["student_id"],
        export: Some("student_id IN (SELECT id FROM tutoring_students WHERE lower(email) = $2)"),
        erasure: &[Step {
            rows: "student_id IN (SELECT id FROM tutoring_students WHERE lower(email) = $2)",
            erase: Erase::Delete,
            why: "their tutoring profile",
        }],
    },
    Entry {
        table: "tutoring_change_requests",
        kind: DataKind::ChangeRequest,
        person_columns: &["student_id", "from_tutor_id", "to_tutor_id", "decided_by"],
        export: Some("student_id IN (SELECT id FROM tutoring_students WHERE lower(email) = $2)"),
        erasure: &[
            Step {
                rows: "student_id IN (SELECT id FROM tutoring_students WHERE lower(email) = $2)",
                erase: Erase::Delete,
                why: "their requests to change tutor",
            },
            Step {
                rows: "decided_by = $1",
                erase: Erase::Anonymise("decided_by = NULL"),
                why: "requests they decided stay, without who decided",
            },
        ],
    },
    Entry {
        table: "tutoring_allocation_drafts",
        kind: DataKind::TutoringRecord,
        person_columns: &["student_id", "tutor_id"],
        export: Some("student_id IN (SELECT id FROM tutoring_students WHERE lower(email) = $2)"),
        erasure: &[Step {
            rows: "student_id IN (SELECT id FROM tutoring_students WHERE lower(email) = $2)",
            erase: Erase::Delete,
            why: "draft allocations of them",
        }],
    },
    Entry {
        table: "tutoring_assignments",
        kind: DataKind::TutoringRecord,
        person_columns: &["student_id", "tutor_id"],
        export: Some("student_id IN (SELECT id FROM tutoring_students WHERE lower(email) = $2)"),
        erasure: &[Step {
            rows: "student_id IN (SELECT id FROM tutoring_students WHERE lower(email) = $2)",
            erase: Erase::Delete,
            why: "their tutor allocations",
        }],
    },
    Entry {
        table: "tutoring_student_labels",
        kind: DataKind::TutoringLabels,
        person_columns: &["student_id"],
        export: Some("student_id IN (SELECT id FROM tutoring_students WHERE lower(email) = $2)"),
        erasure: &[Step {
            rows: "student_id IN (SELECT id FROM tutoring_students WHERE lower(email) = $2)",
            erase: Erase::Delete,
            why: "labels imported with their record",
        }],
    },
    Entry {
        table: "tutoring_students",
        kind: DataKind::TutoringRecord,
        person_columns: &["email", "user_id"],
        export: Some("user_id = $1 OR lower(email) = $2"),
        erasure: &[Step {
            rows: "user_id = $1 OR lower(email) = $2",
            erase: Erase::Delete,
            why: "their tutoring record",
        }],
    },
    Entry {
        table: "tutoring_tutors",
        kind: DataKind::TutorRecord,
        person_columns: &["email", "user_id"],
        export: Some("user_id = $1 OR lower(email) = $2"),
        erasure: &[Step {
            rows: "user_id = $1 OR lower(email) = $2",
            erase: Erase::Anonymise(
                "name = 'Erased tutor', email = 'erased-tutor-' || id || '@invalid', external_id = 'erased-tutor-' || id, user_id = NULL",
            ),
            why: "the tutor record stays without name or email, so that students' records keep their history",
        }],
    },
    Entry {
        table: "tutoring_allocation_runs",
        kind: DataKind::Authorship,
        person_columns: &["created_by"],
        export: Some("created_by = $1"),
        erasure: &[Step {
            rows: "created_by = $1",
            erase: Erase::Anonymise("created_by = NULL"),
            why: "allocation runs stay, without who made them",
        }],
    },
    Entry {
        table: "qual_quotes",
        kind: DataKind::ReflectiveChat,
        person_columns: &["participant_user_id", "promoted_by"],
        export: Some("participant_user_id = $1"),
        erasure: &[
            Step {
                rows: "participant_user_id = $1",
                erase: Erase::Delete,
                why: "quotes of their words",
            },
            Step {
                rows: "promoted_by = $1",
                erase: Erase::Keep,
                why: "quotes they chose stay, naming the erased placeholder",
            },
        ],
    },
    Entry {
        table: "qual_chat_removals",
        kind: DataKind::ReflectiveChat,
        person_columns: &["requested_by", "decided_by"],
        export: Some("requested_by = $1"),
        erasure: &[
            Step {
                rows: "requested_by = $1",
                erase: Erase::Delete,
                why: "their requests to remove passages of their chats",
            },
            Step {
                rows: "decided_by = $1",
                erase: Erase::Keep,
                why: "answers they gave to others' requests stay, naming the erased placeholder",
            },
        ],
    },
    Entry {
        table: "qual_excerpts",
        kind: DataKind::ReflectiveChat,
        person_columns: &["coder_user_id"],
        export: Some("chat_id IN (SELECT id FROM qual_chats WHERE participant_user_id = $1)"),
        erasure: &[
            Step {
                rows: "chat_id IN (SELECT id FROM qual_chats WHERE participant_user_id = $1)",
                erase: Erase::Delete,
                why: "the coding of their chats",
            },
            Step {
                rows: "coder_user_id = $1",
                erase: Erase::Keep,
                why: "excerpts they coded in others' chats stay, naming the erased placeholder",
            },
        ],
    },
    Entry {
        table: "qual_chats",
        kind: DataKind::ReflectiveChat,
        person_columns: &["participant_user_id", "interviewer_user_id", "recorded_by"],
        export: Some("participant_user_id = $1"),
        erasure: &[
            Step {
                rows: "participant_user_id = $1",
                erase: Erase::Delete,
                why: "their reflective chats",
            },
            Step {
                rows: "interviewer_user_id = $1 OR recorded_by = $1",
                erase: Erase::Keep,
                why: "chats they held or recorded with others stay, naming the erased placeholder",
            },
        ],
    },
    Entry {
        table: "webhook_subscriptions",
        kind: DataKind::Authorship,
        person_columns: &["created_by"],
        // Not exported: the row holds the subscription's signing secret, which belongs to the
        // organisation, not to the administrator who happened to add it.
        export: None,
        erasure: &[Step {
            rows: "created_by = $1",
            erase: Erase::Anonymise("created_by = NULL"),
            why: "the organisation's webhook subscriptions stay, without who added them",
        }],
    },
    Entry {
        table: "qual_findings",
        kind: DataKind::Authorship,
        person_columns: &["updated_by"],
        export: None,
        erasure: &[Step {
            rows: "updated_by = $1",
            erase: Erase::Keep,
            why: "findings they wrote are the evaluation's record; they stay, naming the erased placeholder",
        }],
    },
    Entry {
        table: "sprint_supports",
        kind: DataKind::SprintContribution,
        person_columns: &["user_id"],
        export: Some("user_id = $1"),
        erasure: &[Step {
            rows: "user_id = $1",
            erase: Erase::Delete,
            why: "their support for sprint items",
        }],
    },
    Entry {
        table: "sprint_comments",
        kind: DataKind::SprintContribution,
        person_columns: &["author_id"],
        export: Some("author_id = $1"),
        erasure: &[Step {
            rows: "author_id = $1",
            erase: Erase::Delete,
            why: "their comments",
        }],
    },
    Entry {
        table: "sprint_actions",
        kind: DataKind::SprintContribution,
        // `owner` is a free-text name (a person or an office).
        person_columns: &["owner"],
        export: Some("length($3) >= 3 AND owner = $3"),
        erasure: &[Step {
            rows: "length($3) >= 3 AND owner = $3",
            erase: Erase::Anonymise("owner = ''"),
            why: "actions stay as the sprint's outcome, without their name as owner",
        }],
    },
    Entry {
        table: "sprint_items",
        kind: DataKind::SprintContribution,
        person_columns: &["author_id", "decided_by"],
        export: Some("author_id = $1"),
        erasure: &[
            Step {
                rows: "author_id = $1",
                erase: Erase::Keep,
                why: "items stay as the sprint's record (decisions and actions hang on them), naming the erased placeholder",
            },
            Step {
                rows: "decided_by = $1",
                erase: Erase::Anonymise("decided_by = NULL"),
                why: "decisions stay, without who took them",
            },
        ],
    },
    Entry {
        table: "sprints",
        kind: DataKind::Authorship,
        person_columns: &["created_by"],
        export: Some("created_by = $1"),
        erasure: &[Step {
            rows: "created_by = $1",
            erase: Erase::Anonymise("created_by = NULL"),
            why: "sprints stay, without who created them",
        }],
    },
    Entry {
        table: "report_drafts",
        kind: DataKind::Authorship,
        person_columns: &["updated_by"],
        export: Some("updated_by = $1"),
        erasure: &[Step {
            rows: "updated_by = $1",
            erase: Erase::Anonymise("updated_by = NULL"),
            why: "a report's text stays, without who last saved it",
        }],
    },
    Entry {
        table: "report_versions",
        kind: DataKind::Authorship,
        person_columns: &["published_by"],
        export: Some("published_by = $1"),
        erasure: &[Step {
            rows: "published_by = $1",
            // A published version is never changed, except to forget who published it.
            erase: Erase::Anonymise("published_by = NULL"),
            why: "published reports are the institution's record; they stay, without who published them",
        }],
    },
    Entry {
        table: "schemes",
        kind: DataKind::Authorship,
        person_columns: &["created_by"],
        export: Some("created_by = $1"),
        erasure: &[Step {
            rows: "created_by = $1",
            erase: Erase::Anonymise("created_by = NULL"),
            why: "schemes stay, without who created them",
        }],
    },
    Entry {
        table: "cycle_events",
        kind: DataKind::Authorship,
        person_columns: &["actor_id"],
        export: Some("actor_id = $1"),
        erasure: &[Step {
            rows: "actor_id = $1",
            erase: Erase::Anonymise("actor_id = NULL"),
            why: "a cycle's history stays, without who moved it",
        }],
    },
    Entry {
        table: "role_grants",
        kind: DataKind::RoleGrant,
        person_columns: &["user_id", "granted_by"],
        export: Some("user_id = $1"),
        erasure: &[
            Step {
                rows: "user_id = $1",
                erase: Erase::Delete,
                why: "their roles",
            },
            Step {
                rows: "granted_by = $1",
                erase: Erase::Anonymise("granted_by = NULL"),
                why: "roles they granted stay, without who granted them",
            },
        ],
    },
    Entry {
        table: "sessions",
        kind: DataKind::Session,
        person_columns: &["user_id"],
        export: Some("user_id = $1"),
        erasure: &[Step {
            rows: "user_id = $1",
            erase: Erase::Delete,
            why: "their sessions (signs them out)",
        }],
    },
    Entry {
        table: "api_tokens",
        kind: DataKind::Session,
        person_columns: &["user_id"],
        export: Some("user_id = $1"),
        erasure: &[Step {
            rows: "user_id = $1",
            erase: Erase::Delete,
            why: "their API tokens",
        }],
    },
    Entry {
        table: "api_idempotency",
        kind: DataKind::Session,
        person_columns: &["user_id"],
        export: Some("user_id = $1"),
        erasure: &[Step {
            rows: "user_id = $1",
            erase: Erase::Delete,
            why: "the answers their API calls may replay (kept a day)",
        }],
    },
    Entry {
        table: "account_links",
        kind: DataKind::Session,
        person_columns: &["user_id"],
        export: Some("user_id = $1"),
        erasure: &[Step {
            rows: "user_id = $1",
            erase: Erase::Delete,
            why: "their set-password, reset and sign-in links (only hashes of the links are kept)",
        }],
    },
    Entry {
        table: "login_failures",
        kind: DataKind::LoginFailure,
        person_columns: &["account"],
        export: Some("lower(account) = $2"),
        erasure: &[Step {
            rows: "lower(account) = $2",
            erase: Erase::Delete,
            why: "failed sign-ins to their account",
        }],
    },
    Entry {
        table: "outbox",
        kind: DataKind::Email,
        person_columns: &["to_address"],
        export: Some("lower(to_address) = $2"),
        erasure: &[
            Step {
                rows: "lower(to_address) = $2",
                erase: Erase::Delete,
                why: "emails to them",
            },
            Step {
                rows: "lower(to_address) <> $2 AND (lower(body_text) LIKE '%' || $2 || '%' OR (length($3) >= 3 AND (body_text LIKE '%' || $3 || '%' OR subject LIKE '%' || $3 || '%' OR to_name LIKE '%' || $3 || '%')))",
                erase: Erase::Anonymise(
                    "subject = '(removed on erasure)', body_text = '(removed on erasure)', calendar = NULL",
                ),
                why: "emails to others that name them stay as delivery records, without their words",
            },
        ],
    },
    Entry {
        table: "users",
        kind: DataKind::Account,
        person_columns: &["email"],
        export: Some("id = $1"),
        erasure: &[Step {
            rows: "id = $1",
            erase: Erase::Anonymise(
                "display_name = 'Erased person', email = 'erased-' || id || '@invalid', password_hash = NULL, \
                 oidc_issuer = NULL, oidc_subject = NULL, school_id = NULL, disabled = TRUE",
            ),
            why: "a placeholder account without name, email or sign-in keeps the partner's pair, actions and the audit log consistent",
        }],
    },
];

/// The registry entries of one table.
pub fn entries_of(table: &str) -> impl Iterator<Item = &'static Entry> + '_ {
    REGISTRY.iter().filter(move |e| e.table == table)
}

/// Prefixes a statement with the person's parameters, so that every statement binds the same
/// three (`$1` user id, `$2` lower-case email, `$3` display name) whichever it uses: PostgreSQL
/// refuses a bound parameter a statement never mentions.
pub(crate) fn with_person(sql: &str) -> String {
    format!(
        "WITH person AS (SELECT CAST($1 AS BIGINT) AS id, CAST($2 AS TEXT) AS email, CAST($3 AS TEXT) AS name) {sql}"
    )
}

/// The person a privacy operation is about.
#[derive(Debug, Clone)]
pub struct Person {
    /// Their account; [`NO_ACCOUNT`] for someone held only by email (a tutored student or
    /// tutor imported from the institution's records, an invited staff leader who has not
    /// answered), so that the conditions on the account match no row.
    pub user_id: i64,
    /// Lower-case.
    pub email: String,
    pub display_name: String,
}

impl crate::Store {
    /// Finds the person with this email (any case): their account, or, without one, the
    /// records that hold them by email (tutoring, invitations), so that the data protection
    /// officer can export everyone flipside holds, not only those who sign in.
    pub async fn privacy_person(&self, email: &str) -> crate::Result<Person> {
        match self.user_by_email(email).await {
            Ok(user) => {
                return Ok(Person {
                    user_id: user.id,
                    email: user.email.to_lowercase(),
                    display_name: user.display_name.clone(),
                });
            }
            Err(crate::StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
        let email = email.trim().to_lowercase();
        let name: Option<(String,)> = crate::pool::on_pool!(self, pool => sqlx::query_as(
            "SELECT name FROM tutoring_students WHERE lower(email) = $1 \
             UNION ALL SELECT name FROM tutoring_tutors WHERE lower(email) = $1 \
             UNION ALL SELECT name FROM staff_invitations WHERE lower(email) = $1 LIMIT 1"
        ).bind(&email).fetch_optional(pool).await)?;
        let (display_name,) = name.ok_or(crate::StoreError::NotFound)?;
        Ok(Person {
            user_id: NO_ACCOUNT,
            email,
            display_name,
        })
    }
}
