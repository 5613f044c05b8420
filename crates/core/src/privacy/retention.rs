//! Retention: how long each kind of personal data is kept, and the pure decision whether one
//! row has outlived its period. The defaults follow issue 13; an institution overrides them in
//! its settings file, validated by [`RetentionSettings::validate`].
use super::DataKind;
use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

/// The event from which a retention period runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// Kept while the account exists; removed on erasure, not by the retention job.
    AccountErased,
    /// The moment the row itself expires (a session's expiry).
    Expired,
    /// The moment the row was recorded.
    Recorded,
    /// The moment the cycle was closed.
    CycleClosed,
    /// Deleted together with the application it belongs to.
    WithApplication,
    /// The moment the pair ended (ended early, or its cycle closed).
    PairEnded,
    /// The day the cycle's follow-up survey wave closed.
    FollowUpClosed,
    /// The end of the last academic year in which the student had a tutor.
    StudentLeft,
    /// The moment the email was sent (or queued, when it never was).
    Sent,
}

impl Anchor {
    fn words(self) -> &'static str {
        match self {
            Anchor::AccountErased => "the account is erased",
            Anchor::Expired => "it expired",
            Anchor::Recorded => "it was recorded",
            Anchor::CycleClosed => "the cycle closed",
            Anchor::WithApplication => "its application is deleted",
            Anchor::PairEnded => "the pair ended",
            Anchor::FollowUpClosed => "the follow-up survey wave closed",
            Anchor::StudentLeft => "the student left",
            Anchor::Sent => "it was sent",
        }
    }
}

/// One rule the retention job applies: a kind of data (sometimes a part of one, such as
/// unsuccessful applications), the event its period runs from, and its period in
/// [`RetentionSettings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    UnsuccessfulApplications,
    AcceptedApplications,
    Invitations,
    MatchingRecords,
    PrivateNotes,
    Pairs,
    Concerns,
    SurveyLink,
    TutoringRecords,
    AuditLog,
    Sessions,
    LoginFailures,
    Emails,
}

impl Rule {
    /// Every rule, in the order the job applies them (children before the rows they hang on).
    pub const ALL: [Rule; 13] = [
        Rule::UnsuccessfulApplications,
        Rule::AcceptedApplications,
        Rule::Invitations,
        Rule::MatchingRecords,
        Rule::PrivateNotes,
        Rule::Concerns,
        Rule::Pairs,
        Rule::SurveyLink,
        Rule::TutoringRecords,
        Rule::AuditLog,
        Rule::Sessions,
        Rule::LoginFailures,
        Rule::Emails,
    ];

    /// The kind of data the rule deletes.
    pub fn kind(self) -> DataKind {
        match self {
            Rule::UnsuccessfulApplications | Rule::AcceptedApplications => DataKind::Application,
            Rule::Invitations => DataKind::Invitation,
            Rule::MatchingRecords => DataKind::MatchingRecord,
            Rule::PrivateNotes => DataKind::PrivateNote,
            Rule::Pairs => DataKind::Pair,
            Rule::Concerns => DataKind::Concern,
            Rule::SurveyLink => DataKind::SurveyParticipant,
            Rule::TutoringRecords => DataKind::TutoringRecord,
            Rule::AuditLog => DataKind::AuditEntry,
            Rule::Sessions => DataKind::Session,
            Rule::LoginFailures => DataKind::LoginFailure,
            Rule::Emails => DataKind::Email,
        }
    }

    /// The snake_case name used in reports and the run log.
    pub fn key(self) -> &'static str {
        match self {
            Rule::UnsuccessfulApplications => "unsuccessful_applications",
            Rule::AcceptedApplications => "accepted_applications",
            Rule::Invitations => "invitations",
            Rule::MatchingRecords => "matching_records",
            Rule::PrivateNotes => "private_notes",
            Rule::Pairs => "pairs",
            Rule::Concerns => "concerns",
            Rule::SurveyLink => "survey_link",
            Rule::TutoringRecords => "tutoring_records",
            Rule::AuditLog => "audit_log",
            Rule::Sessions => "sessions",
            Rule::LoginFailures => "login_failures",
            Rule::Emails => "emails",
        }
    }

    /// What the rule removes, in words.
    pub fn what(self) -> &'static str {
        match self {
            Rule::UnsuccessfulApplications => {
                "unsuccessful applications, with their identity labels and consents"
            }
            Rule::AcceptedApplications => {
                "accepted applications, with their identity labels and consents"
            }
            Rule::Invitations => "staff invitations",
            Rule::MatchingRecords => "do-not-pair constraints and leavers' records",
            Rule::PrivateNotes => "pair notes",
            Rule::Pairs => {
                "pairs with their meetings, agreements and actions (once their notes are gone)"
            }
            Rule::Concerns => "concerns",
            Rule::SurveyLink => {
                "the link between survey codes and people (answers stay, anonymous)"
            }
            Rule::TutoringRecords => {
                "tutoring records with their contacts, profile, labels and change requests"
            }
            Rule::AuditLog => "audit log entries",
            Rule::Sessions => "expired sessions",
            Rule::LoginFailures => "failed sign-in records",
            Rule::Emails => "sent or abandoned emails",
        }
    }

    /// The event the rule's period runs from.
    pub fn anchor(self) -> Anchor {
        match self {
            Rule::UnsuccessfulApplications
            | Rule::AcceptedApplications
            | Rule::Invitations
            | Rule::MatchingRecords
            | Rule::Concerns => Anchor::CycleClosed,
            Rule::PrivateNotes | Rule::Pairs => Anchor::PairEnded,
            Rule::SurveyLink => Anchor::FollowUpClosed,
            Rule::TutoringRecords => Anchor::StudentLeft,
            Rule::AuditLog | Rule::LoginFailures => Anchor::Recorded,
            Rule::Sessions => Anchor::Expired,
            Rule::Emails => Anchor::Sent,
        }
    }
}

/// How long each kind is kept, in months after its [`Anchor`]. The defaults are issue 13's
/// where it names one; the others are chosen as documented on each field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionSettings {
    /// Unsuccessful applications (declined, waitlisted, withdrawn, never decided): one year
    /// after the cycle closes, long enough to answer a complaint about the selection.
    pub unsuccessful_applications_months: u32,
    /// Accepted applications: two years after the cycle closes, so the next year's report can
    /// compare who took part; identity labels and consents go with them.
    pub accepted_applications_months: u32,
    /// Staff invitations: one year after the cycle closes (who was asked, for next year's).
    pub invitations_months: u32,
    /// Do-not-pair constraints and leavers: one year after the cycle closes.
    pub matching_records_months: u32,
    /// Pair notes: one year after the pair ends.
    pub private_notes_months: u32,
    /// Pairs, their meetings, agreements and actions: two years after the pair ends, as for
    /// accepted applications (the hours feed the following year's report).
    pub pairs_months: u32,
    /// Concerns: two years after the cycle closes, as for the pair they were about.
    pub concerns_months: u32,
    /// The survey code ↔ person link: removed as soon as the follow-up wave closes.
    pub survey_link_months: u32,
    /// Tutoring records and contacts: six years after the student leaves (the limitation
    /// period for a claim about the support given).
    pub tutoring_records_months: u32,
    /// The audit log: six years.
    pub audit_log_months: u32,
    /// Sessions: as soon as they expire.
    pub sessions_months: u32,
    /// Failed sign-ins: one month (they only matter for rate limiting).
    pub login_failures_months: u32,
    /// Emails: three months after sending (long enough to answer "did I get it?").
    pub emails_months: u32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        RetentionSettings {
            unsuccessful_applications_months: 12,
            accepted_applications_months: 24,
            invitations_months: 12,
            matching_records_months: 12,
            private_notes_months: 12,
            pairs_months: 24,
            concerns_months: 24,
            survey_link_months: 0,
            tutoring_records_months: 72,
            audit_log_months: 72,
            sessions_months: 0,
            login_failures_months: 1,
            emails_months: 3,
        }
    }
}

/// Settings that cannot be applied, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("retention settings: {0}")]
pub struct InvalidRetention(pub String);

/// The longest period accepted: a typo of an extra digit should not keep data for a millennium.
const MAX_MONTHS: u32 = 1200;

/// Whether one row has outlived its period, and why, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub expired: bool,
    /// When the row goes (or went); `None` while its anchor event has not happened.
    pub deadline: Option<DateTime<Utc>>,
    pub reason: String,
}

impl RetentionSettings {
    /// The period of one rule, in months.
    pub fn months(&self, rule: Rule) -> u32 {
        match rule {
            Rule::UnsuccessfulApplications => self.unsuccessful_applications_months,
            Rule::AcceptedApplications => self.accepted_applications_months,
            Rule::Invitations => self.invitations_months,
            Rule::MatchingRecords => self.matching_records_months,
            Rule::PrivateNotes => self.private_notes_months,
            Rule::Pairs => self.pairs_months,
            Rule::Concerns => self.concerns_months,
            Rule::SurveyLink => self.survey_link_months,
            Rule::TutoringRecords => self.tutoring_records_months,
            Rule::AuditLog => self.audit_log_months,
            Rule::Sessions => self.sessions_months,
            Rule::LoginFailures => self.login_failures_months,
            Rule::Emails => self.emails_months,
        }
    }

    /// Checks the settings an institution chose.
    pub fn validate(&self) -> Result<(), InvalidRetention> {
        for rule in Rule::ALL {
            if self.months(rule) > MAX_MONTHS {
                return Err(InvalidRetention(format!(
                    "{} is kept {} months; the most accepted is {MAX_MONTHS}",
                    rule.key(),
                    self.months(rule)
                )));
            }
        }
        // A note hangs on its pair: a pair cannot be deleted while its notes are kept.
        if self.private_notes_months > self.pairs_months {
            return Err(InvalidRetention(format!(
                "private notes ({} months) cannot outlive their pairs ({} months)",
                self.private_notes_months, self.pairs_months
            )));
        }
        // The audit log answers "who read my data?"; under a year it cannot answer for the
        // academic year a person asks about.
        if self.audit_log_months < 12 {
            return Err(InvalidRetention(format!(
                "the audit log must be kept at least 12 months, not {}",
                self.audit_log_months
            )));
        }
        Ok(())
    }

    /// Decides one row: `anchor` is when its anchor event happened (`None` if it has not yet).
    /// A row goes at its deadline exactly: at `anchor + months` it has been kept the whole
    /// period.
    pub fn decide(
        &self,
        rule: Rule,
        anchor: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Decision {
        let months = self.months(rule);
        let Some(anchor) = anchor else {
            return Decision {
                expired: false,
                deadline: None,
                reason: format!("kept: {} not yet", rule.anchor().words()),
            };
        };
        let deadline = anchor
            .checked_add_months(Months::new(months))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let since = format!(
            "{months} months after {} on {}",
            rule.anchor().words(),
            anchor.format("%Y-%m-%d")
        );
        if now >= deadline {
            Decision {
                expired: true,
                deadline: Some(deadline),
                reason: format!(
                    "{}: period ended {} ({since})",
                    rule.what(),
                    deadline.format("%Y-%m-%d")
                ),
            }
        } else {
            Decision {
                expired: false,
                deadline: Some(deadline),
                reason: format!("kept until {} ({since})", deadline.format("%Y-%m-%d")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn an_unsuccessful_application_stays_until_a_year_after_the_cycle_closed_then_goes() {
        let s = RetentionSettings::default();
        let closed = Some(at(2025, 7, 31));
        let deadline = at(2026, 7, 31);
        let inside = s.decide(
            Rule::UnsuccessfulApplications,
            closed,
            deadline - Duration::seconds(1),
        );
        assert!(!inside.expired, "{}", inside.reason);
        assert!(inside.reason.contains("kept until 2026-07-31"));
        let edge = s.decide(Rule::UnsuccessfulApplications, closed, deadline);
        assert!(edge.expired, "{}", edge.reason);
        assert!(edge.reason.contains("unsuccessful applications"));
        assert!(edge.reason.contains("the cycle closed on 2025-07-31"));
    }

    #[test]
    fn nothing_goes_before_its_anchor_event() {
        let s = RetentionSettings::default();
        let d = s.decide(Rule::PrivateNotes, None, at(2100, 1, 1));
        assert!(!d.expired);
        assert_eq!(d.reason, "kept: the pair ended not yet");
    }

    #[test]
    fn a_zero_period_goes_at_the_anchor_itself() {
        let s = RetentionSettings::default();
        let closed = at(2026, 6, 30);
        assert!(
            !s.decide(
                Rule::SurveyLink,
                Some(closed),
                closed - Duration::seconds(1)
            )
            .expired
        );
        assert!(s.decide(Rule::SurveyLink, Some(closed), closed).expired);
    }

    #[test]
    fn tutoring_contacts_and_the_audit_log_are_kept_six_years() {
        let s = RetentionSettings::default();
        let left = at(2020, 8, 1);
        for rule in [Rule::TutoringRecords, Rule::AuditLog] {
            assert!(
                !s.decide(rule, Some(left), at(2026, 7, 31)).expired,
                "{rule:?}"
            );
            assert!(
                s.decide(rule, Some(left), at(2026, 8, 1)).expired,
                "{rule:?}"
            );
        }
    }

    #[test]
    fn month_ends_roll_back_rather_than_overflow() {
        // 31 January + 1 month is the last day of February, not 3 March.
        let s = RetentionSettings {
            login_failures_months: 1,
            ..RetentionSettings::default()
        };
        let d = s.decide(Rule::LoginFailures, Some(at(2026, 1, 31)), at(2026, 2, 28));
        assert!(d.expired, "{}", d.reason);
    }

    #[test]
    fn institutions_may_change_periods_within_reason() {
        assert_eq!(RetentionSettings::default().validate(), Ok(()));
        let long = RetentionSettings {
            emails_months: 12_000,
            ..RetentionSettings::default()
        };
        assert!(long.validate().unwrap_err().0.contains("emails"));
        let orphaned = RetentionSettings {
            private_notes_months: 36,
            ..RetentionSettings::default()
        };
        assert!(orphaned.validate().unwrap_err().0.contains("private notes"));
        let short_audit = RetentionSettings {
            audit_log_months: 6,
            ..RetentionSettings::default()
        };
        assert!(short_audit.validate().is_err());
    }

    #[test]
    fn settings_read_from_a_file_keep_the_defaults_they_do_not_name() {
        let s: RetentionSettings = serde_json::from_str(r#"{"private_notes_months": 6}"#).unwrap();
        assert_eq!(s.private_notes_months, 6);
        assert_eq!(s.audit_log_months, 72);
        assert!(serde_json::from_str::<RetentionSettings>(r#"{"notes": 6}"#).is_err());
    }
}
