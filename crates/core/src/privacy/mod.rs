//! Personal data: what flipside holds about people, why, on what lawful basis, who can see it,
//! and for how long (SPEC §3.12). This module is pure: the store's registry
//! (`flipside_store::privacy`) ties each [`DataKind`] to the tables and person columns that hold
//! it, and the retention job asks [`RetentionSettings::decide`] about each row.
//!
//! The catalogue here is the basis of the institution's privacy notice, so its words are written
//! for a data protection officer, not for a developer.
mod retention;

pub use retention::{Anchor, Decision, InvalidRetention, RetentionSettings, Rule};

use serde::{Deserialize, Serialize};

/// A kind of personal data flipside holds. Each table that holds data about a person is
/// registered in the store under exactly one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// The account: name, email, school, sign-in identifiers.
    Account,
    /// Roles granted to the account, and by whom.
    RoleGrant,
    /// Signed-in sessions and API tokens (hashes only).
    Session,
    /// Failed sign-in attempts, by account name and network address.
    LoginFailure,
    /// An application to take part in a mentoring cycle.
    Application,
    /// Self-identified identity labels on an application (special category).
    IdentityLabels,
    /// Consents given and withdrawn on an application, with their times.
    ConsentEvent,
    /// An invitation to a member of staff to take part as a mentor.
    Invitation,
    /// Coordinators' matching constraints and leavers' records about a person.
    MatchingRecord,
    /// A mentoring pair and the agreements its members accepted.
    Pair,
    /// Meetings proposed and held by a pair.
    Meeting,
    /// Notes a pair member writes, private unless they share them.
    PrivateNote,
    /// A concern raised about a pair.
    Concern,
    /// A follow-up action raised by a pair (possibly anonymously), its owner and its evidence.
    Action,
    /// The link between a person and their survey code.
    SurveyParticipant,
    /// Answers and saved drafts given under a survey code.
    SurveyAnswers,
    /// A student's personal tutoring record: identity, programme, allocations.
    TutoringRecord,
    /// Labels imported with a tutoring record (e.g. widening participation flags; special
    /// category where they describe health or ethnicity).
    TutoringLabels,
    /// A personal tutor's record: identity and capacity.
    TutorRecord,
    /// A tutor's note of a contact with a student.
    ContactNote,
    /// A student's tutoring profile: goals, what success means, the tutor's note.
    TutoringProfile,
    /// A student's request to change tutor.
    ChangeRequest,
    /// Reflective chats recorded with a participant, their coding and the quotes taken from
    /// them (issue 11).
    ReflectiveChat,
    /// Items, comments and support given in a co-creation sprint.
    SprintContribution,
    /// Who created or changed an institutional record (schemes, cycles, sprints, allocations).
    Authorship,
    /// The audit log: who did or read what, when, from where.
    AuditEntry,
    /// An email queued in or sent from the outbox.
    Email,
}

/// The lawful basis for processing under UK GDPR Article 6(1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LawfulBasis {
    /// 6(1)(a): the person consented (taking part in mentoring is voluntary).
    Consent,
    /// 6(1)(c): a legal obligation of the institution.
    LegalObligation,
    /// 6(1)(e): a task in the public interest (a university's education and student support).
    PublicTask,
    /// 6(1)(f): the institution's legitimate interests (security of the service).
    LegitimateInterests,
}

impl LawfulBasis {
    /// The basis in words, with its article.
    pub fn words(self) -> &'static str {
        match self {
            LawfulBasis::Consent => "consent (UK GDPR Art. 6(1)(a))",
            LawfulBasis::LegalObligation => "legal obligation (UK GDPR Art. 6(1)(c))",
            LawfulBasis::PublicTask => "public task (UK GDPR Art. 6(1)(e))",
            LawfulBasis::LegitimateInterests => "legitimate interests (UK GDPR Art. 6(1)(f))",
        }
    }
}

/// The condition for processing special-category data under UK GDPR Article 9(2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialCondition {
    /// 9(2)(a): explicit consent (self-identified labels, given on the application).
    ExplicitConsent,
    /// 9(2)(g) with DPA 2018 Sch. 1 para. 8: equality of opportunity monitoring.
    EqualityMonitoring,
}

impl SpecialCondition {
    /// The condition in words, with its article.
    pub fn words(self) -> &'static str {
        match self {
            SpecialCondition::ExplicitConsent => "explicit consent (UK GDPR Art. 9(2)(a))",
            SpecialCondition::EqualityMonitoring => {
                "equality of opportunity monitoring (UK GDPR Art. 9(2)(g), DPA 2018 Sch. 1 para. 8)"
            }
        }
    }
}

/// What the privacy notice says about one kind of data.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct KindInfo {
    pub kind: DataKind,
    /// A short name, e.g. "Identity labels".
    pub name: &'static str,
    /// Why flipside holds it.
    pub purpose: &'static str,
    pub basis: LawfulBasis,
    /// Present exactly for special-category kinds.
    pub special: Option<SpecialCondition>,
    /// Who can see it, in words.
    pub visible_to: &'static str,
    /// When its retention period starts running (see [`RetentionSettings`] for how long).
    pub anchor: Anchor,
}

impl DataKind {
    /// Every kind, in the order of the privacy notice.
    pub const ALL: [DataKind; 27] = [
        DataKind::Account,
        DataKind::RoleGrant,
        DataKind::Session,
        DataKind::LoginFailure,
        DataKind::Application,
        DataKind::IdentityLabels,
        DataKind::ConsentEvent,
        DataKind::Invitation,
        DataKind::MatchingRecord,
        DataKind::Pair,
        DataKind::Meeting,
        DataKind::PrivateNote,
        DataKind::Concern,
        DataKind::Action,
        DataKind::SurveyParticipant,
        DataKind::SurveyAnswers,
        DataKind::TutoringRecord,
        DataKind::TutoringLabels,
        DataKind::TutorRecord,
        DataKind::ContactNote,
        DataKind::TutoringProfile,
        DataKind::ChangeRequest,
        DataKind::ReflectiveChat,
        DataKind::SprintContribution,
        DataKind::Authorship,
        DataKind::AuditEntry,
        DataKind::Email,
    ];

    /// The snake_case name used in exports and retention reports.
    pub fn key(self) -> &'static str {
        use DataKind::*;
        match self {
            Account => "account",
            RoleGrant => "role_grant",
            Session => "session",
            LoginFailure => "login_failure",
            Application => "application",
            IdentityLabels => "identity_labels",
            ConsentEvent => "consent_event",
            Invitation => "invitation",
            MatchingRecord => "matching_record",
            Pair => "pair",
            Meeting => "meeting",
            PrivateNote => "private_note",
            Concern => "concern",
            Action => "action",
            SurveyParticipant => "survey_participant",
            SurveyAnswers => "survey_answers",
            TutoringRecord => "tutoring_record",
            TutoringLabels => "tutoring_labels",
            TutorRecord => "tutor_record",
            ContactNote => "contact_note",
            TutoringProfile => "tutoring_profile",
            ChangeRequest => "change_request",
            ReflectiveChat => "reflective_chat",
            SprintContribution => "sprint_contribution",
            Authorship => "authorship",
            AuditEntry => "audit_entry",
            Email => "email",
        }
    }

    /// Whether the kind is special-category data (UK GDPR Art. 9).
    pub fn is_special(self) -> bool {
        self.info().special.is_some()
    }

    /// The privacy notice's entry for this kind.
    pub fn info(self) -> KindInfo {
        use DataKind::*;
        use LawfulBasis::*;
        let (name, purpose, basis, special, visible_to, anchor) = match self {
            Account => (
                "Account",
                "To let you sign in and to tell you about your mentoring and tutoring.",
                PublicTask,
                None,
                "You, administrators, and the people you are paired or allocated with (name and email only).",
                Anchor::AccountErased,
            ),
            RoleGrant => (
                "Roles",
                "To decide what you may see and do.",
                PublicTask,
                None,
                "You and administrators.",
                Anchor::AccountErased,
            ),
            Session => (
                "Sessions and API tokens",
                "To keep you signed in; only hashes of the secrets are stored.",
                LegitimateInterests,
                None,
                "Nobody reads them; they are checked by the server.",
                Anchor::Expired,
            ),
            LoginFailure => (
                "Failed sign-ins",
                "To slow down password guessing against your account.",
                LegitimateInterests,
                None,
                "Administrators.",
                Anchor::Recorded,
            ),
            Application => (
                "Applications",
                "To select and match participants in a reverse mentoring cycle.",
                Consent,
                None,
                "You, and the coordinators of the cycle.",
                Anchor::CycleClosed,
            ),
            IdentityLabels => (
                "Identity labels",
                "To match mentors with the lived experience the scheme is for, and to report on who takes part (aggregated with suppression).",
                Consent,
                Some(SpecialCondition::ExplicitConsent),
                "You, and the coordinators of the cycle; every coordinator's read is audited.",
                Anchor::WithApplication,
            ),
            ConsentEvent => (
                "Consents",
                "To prove what you agreed to, and when you changed your mind.",
                Consent,
                None,
                "You, and the coordinators of the cycle.",
                Anchor::WithApplication,
            ),
            Invitation => (
                "Staff invitations",
                "To invite staff to mentor, and to record their answer.",
                PublicTask,
                None,
                "The invited person and the coordinators of the cycle.",
                Anchor::CycleClosed,
            ),
            MatchingRecord => (
                "Matching records",
                "To respect pairings that must not happen, and to record who left a cycle.",
                PublicTask,
                None,
                "The coordinators of the cycle.",
                Anchor::CycleClosed,
            ),
            Pair => (
                "Pairs",
                "To run the mentoring pair and count its hours.",
                Consent,
                None,
                "Both members and the coordinators of the cycle.",
                Anchor::PairEnded,
            ),
            Meeting => (
                "Meetings",
                "To arrange meetings and count the hours a pair has met.",
                Consent,
                None,
                "Both members; coordinators see counts.",
                Anchor::PairEnded,
            ),
            PrivateNote => (
                "Private notes",
                "Your own reflections on the mentoring; shared only if you choose.",
                Consent,
                None,
                "You; your partner only for notes you share (each read audited).",
                Anchor::PairEnded,
            ),
            Concern => (
                "Concerns",
                "To let a pair member raise a concern with the coordinators.",
                PublicTask,
                None,
                "The person who raised it and the coordinators of the cycle.",
                Anchor::CycleClosed,
            ),
            Action => (
                "Follow-up actions",
                "To turn what a pair learnt into institutional change, and track it.",
                PublicTask,
                None,
                "The pair, the action's owner, coordinators; an anonymous raiser is named to nobody but themselves.",
                Anchor::CycleClosed,
            ),
            SurveyParticipant => (
                "Survey codes",
                "To pair your answers across survey waves without storing your name with them.",
                Consent,
                None,
                "Nobody in flipside reads the link; it is removed when the follow-up wave closes.",
                Anchor::FollowUpClosed,
            ),
            SurveyAnswers => (
                "Survey answers",
                "To evaluate the scheme; analysed only in aggregate and, with research consent, as anonymous research data.",
                Consent,
                None,
                "Researchers and coordinators, in aggregate or under codes only.",
                Anchor::CycleClosed,
            ),
            TutoringRecord => (
                "Personal tutoring record",
                "To allocate you a personal tutor and keep that relationship continuous.",
                PublicTask,
                None,
                "You, your tutor, and your school's tutoring lead.",
                Anchor::StudentLeft,
            ),
            TutoringLabels => (
                "Tutoring labels",
                "To give students with particular needs the support they are entitled to.",
                PublicTask,
                Some(SpecialCondition::EqualityMonitoring),
                "Your tutor and your school's tutoring lead.",
                Anchor::StudentLeft,
            ),
            TutorRecord => (
                "Tutor record",
                "To allocate tutees within a tutor's capacity.",
                PublicTask,
                None,
                "The tutor, their tutees, and the school's tutoring lead.",
                Anchor::AccountErased,
            ),
            ContactNote => (
                "Tutoring contacts",
                "To record support given, for continuity of care and for complaints and appeals.",
                PublicTask,
                None,
                "The student (unless marked tutor-only), their tutors and the tutoring lead; each read audited.",
                Anchor::StudentLeft,
            ),
            TutoringProfile => (
                "Tutoring profile",
                "Your goals and what success means to you, shared with your tutor if you choose.",
                PublicTask,
                None,
                "You; your tutor for the parts you share (each read audited).",
                Anchor::StudentLeft,
            ),
            ChangeRequest => (
                "Requests to change tutor",
                "To handle a request to change tutor fairly.",
                PublicTask,
                None,
                "You and your school's tutoring lead.",
                Anchor::StudentLeft,
            ),
            ReflectiveChat => (
                "Reflective chats",
                "To evaluate the scheme from what participants say about it: chats are coded against the scheme's aims, and quoted under a pseudonym only while quote consent stands.",
                Consent,
                None,
                "You (your own chats); the cycle's coordinators and the scheme's researchers (each read audited).",
                Anchor::AccountErased,
            ),
            SprintContribution => (
                "Co-creation contributions",
                "To run co-creation sprints and show what they changed.",
                PublicTask,
                None,
                "The sprint's participants and its faculty.",
                Anchor::AccountErased,
            ),
            Authorship => (
                "Authorship of records",
                "To know who set up or changed a scheme, cycle, sprint or allocation.",
                PublicTask,
                None,
                "Administrators and coordinators.",
                Anchor::AccountErased,
            ),
            AuditEntry => (
                "Audit log",
                "To show who did what and who read private or special-category data, for accountability.",
                LegalObligation,
                None,
                "Administrators; you, for the reads of your own private data.",
                Anchor::Recorded,
            ),
            Email => (
                "Emails",
                "To send you notifications; kept briefly to prove delivery and retry failures.",
                PublicTask,
                None,
                "Administrators (delivery status).",
                Anchor::Sent,
            ),
        };
        KindInfo {
            kind: self,
            name,
            purpose,
            basis,
            special,
            visible_to,
            anchor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_labels_are_special_category_with_explicit_consent() {
        assert_eq!(
            DataKind::IdentityLabels.info().special,
            Some(SpecialCondition::ExplicitConsent)
        );
        assert!(!DataKind::PrivateNote.is_special());
    }

    #[test]
    fn every_kind_has_a_distinct_key_and_words() {
        let mut keys: Vec<_> = DataKind::ALL.iter().map(|k| k.key()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 27);
        for kind in DataKind::ALL {
            let info = kind.info();
            assert!(!info.purpose.is_empty() && !info.visible_to.is_empty());
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::from(kind.key())
            );
        }
    }
}
