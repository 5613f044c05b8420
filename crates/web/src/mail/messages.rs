//! The words of every email flipside sends, one typed constructor per kind. Handlers and jobs
//! never write an email's text themselves: they build an [`Email`] here and queue it in the
//! transaction of the operation that causes it (`Tx::enqueue_email`).
use flipside_store::NewEmail;

/// An email ready to queue: who it goes to, what it says, and the key that makes queueing it
/// again a no-op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub dedup_key: String,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub body: String,
    /// An iCalendar (RFC 5545) attachment.
    pub calendar: Option<String>,
}

impl Email {
    /// The outbox row this email becomes.
    pub fn as_new(&self) -> NewEmail<'_> {
        NewEmail {
            dedup_key: &self.dedup_key,
            to_address: &self.to_address,
            to_name: &self.to_name,
            subject: &self.subject,
            body_text: &self.body,
            calendar: self.calendar.as_deref(),
        }
    }
}

/// Someone an email is addressed to.
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    pub name: &'a str,
    pub email: &'a str,
}

/// Tells a member of a newly published pair who their partner is and where to start.
pub struct PairPublished<'a> {
    pub pair_id: i64,
    /// `mentor` or `mentee`: the member's role, which also keys the email.
    pub role: &'a str,
    pub partner: &'a str,
    pub scheme: &'a str,
    pub year: &'a str,
    pub reason: &'a str,
    /// The pair's page.
    pub link: &'a str,
}

impl PairPublished<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        Email {
            dedup_key: format!("pair:{}:{}", self.pair_id, self.role),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject: format!(
                "Your reverse-mentoring partner: {} {}",
                self.scheme, self.year
            ),
            body: format!(
                "Dear {name},\n\nYou have been paired with {partner} in {scheme} ({year}); you are the {role}.\n\nWhy this pair: {reason}.\n\nSee your pair's page and arrange your first meeting: {link}\n",
                name = r.name,
                partner = self.partner,
                scheme = self.scheme,
                year = self.year,
                role = self.role,
                reason = self.reason,
                link = self.link,
            ),
            calendar: None,
        }
    }
}

/// Why someone is sent a link to set a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetPasswordReason {
    /// An administrator created their account.
    NewAccount,
    /// They accepted an invitation and their account has no password yet.
    InvitationAccepted,
    /// They (or someone typing their address) asked for a reset.
    Reset,
}

/// A single-use link to choose a password. It names how long it lasts and, for a reset, says
/// what to do if the person did not ask for it.
pub struct SetPasswordLink<'a> {
    /// The link's id, which keys the email (never the token).
    pub link_id: i64,
    pub reason: SetPasswordReason,
    pub organisation: &'a str,
    /// The page that sets the password, token included.
    pub link: &'a str,
    pub valid_hours: i64,
}

impl SetPasswordLink<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        let (subject, opening, closing) = match self.reason {
            SetPasswordReason::NewAccount => (
                format!("Your flipside account at {}", self.organisation),
                format!(
                    "An administrator has made you an account on flipside, {}'s mentoring and tutoring site. Choose your password to start using it:",
                    self.organisation
                ),
                "If you did not expect this, you can ignore this email.",
            ),
            SetPasswordReason::InvitationAccepted => (
                "Choose your flipside password".to_string(),
                "Thank you for accepting your invitation. To sign in to flipside and see your pair when it is published, choose a password:".to_string(),
                "If you did not accept an invitation, you can ignore this email.",
            ),
            SetPasswordReason::Reset => (
                "Reset your flipside password".to_string(),
                "Someone (we hope you) asked to reset the password of your flipside account. Choose a new password here:".to_string(),
                "If you did not ask for this, ignore this email: your password stays as it is.",
            ),
        };
        Email {
            dedup_key: format!("account-link:{}", self.link_id),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject,
            body: format!(
                "Dear {name},\n\n{opening}\n\n{link}\n\nThe link works once and for {hours} hours.\n\n{closing}\n",
                name = r.name,
                link = self.link,
                hours = self.valid_hours,
            ),
            calendar: None,
        }
    }
}

/// Tells a person that a tutoring record linked to their account is no longer linked: an
/// import gave it another email address.
pub struct RecordUnlinked<'a> {
    /// "tutor" or "student": which record it was, in the words of the email.
    pub record: &'a str,
    pub record_id: i64,
    pub organisation: &'a str,
    /// When it was unlinked (a record can be linked and unlinked more than once).
    pub at: chrono::DateTime<chrono::Utc>,
}

impl RecordUnlinked<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        Email {
            dedup_key: format!(
                "record-unlinked:{}:{}:{}",
                self.record,
                self.record_id,
                self.at.timestamp_micros()
            ),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject: format!("Your {} record on flipside was unlinked", self.record),
            body: format!(
                "Dear {name},\n\nThe {record} record from {organisation}'s student record system that was linked to your flipside account now has a different email address, so it is no longer linked to you, and flipside no longer shows you what it held.\n\nIf this is a mistake, ask the person who looks after personal tutoring at {organisation} to correct the email address in the student record system. Once it names your address again, signing in to flipside links the record back to you.\n",
                name = r.name,
                record = self.record,
                organisation = self.organisation,
            ),
            calendar: None,
        }
    }
}

/// A single-use link that signs someone in without a password (when the organisation allows
/// it).
pub struct SignInLink<'a> {
    /// The link's id, which keys the email (never the token).
    pub link_id: i64,
    /// The page that signs in, token included.
    pub link: &'a str,
    pub valid_minutes: i64,
}

impl SignInLink<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        Email {
            dedup_key: format!("account-link:{}", self.link_id),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject: "Your flipside sign-in link".to_string(),
            body: format!(
                "Dear {name},\n\nUse this link to sign in to flipside:\n\n{link}\n\nIt works once and for {minutes} minutes.\n\nIf you did not ask for it, ignore this email: nobody can sign in without opening the link.\n",
                name = r.name,
                link = self.link,
                minutes = self.valid_minutes,
            ),
            calendar: None,
        }
    }
}

/// Carries a staff leader's single-use invitation link (the first one or a replacement).
pub struct InvitationLink<'a> {
    pub invitation_id: i64,
    /// Which sending of this invitation this is (1 for the first): each has its own key.
    pub send: i64,
    /// Who invites, by name.
    pub from: &'a str,
    pub scheme: &'a str,
    pub purpose: &'a str,
    pub year: &'a str,
    /// The last day the link works, as words.
    pub until: &'a str,
    pub link: &'a str,
}

impl InvitationLink<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        Email {
            dedup_key: flipside_core::invitation::email_key(self.invitation_id, self.send),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject: format!(
                "Invitation: {} {}, reverse mentoring",
                self.scheme, self.year
            ),
            body: format!(
                "Dear {name},\n\n{from} invites you to take part in {scheme} ({year}) as a staff mentee: a student will mentor you about their experience of studying here.\n\n{purpose}\n\nTo accept or decline, open this link. It works once, until {until}:\n{link}\n\nIf you did not expect this email, you can ignore it.\n",
                name = r.name,
                from = self.from,
                scheme = self.scheme,
                year = self.year,
                purpose = self.purpose,
                until = self.until,
                link = self.link,
            ),
            calendar: None,
        }
    }
}

/// Tells a member of a pair that a meeting is confirmed, with the calendar file attached.
pub struct MeetingConfirmed<'a> {
    pub meeting_id: i64,
    /// The member it goes to (keys the email).
    pub member_id: i64,
    /// When, as words.
    pub when: &'a str,
    /// The pair's page.
    pub link: &'a str,
    /// The iCalendar file.
    pub calendar: &'a str,
}

impl MeetingConfirmed<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        Email {
            dedup_key: format!("meeting:{}:confirmed:{}", self.meeting_id, self.member_id),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject: "Mentoring meeting confirmed".into(),
            body: format!(
                "Your meeting on {} is confirmed. The attached calendar file adds it to your diary.\n\nYour pair's page: {}\n",
                self.when, self.link
            ),
            calendar: Some(self.calendar.to_string()),
        }
    }
}

/// Reminds a member of a pair of a confirmed meeting, the day before.
pub struct MeetingReminder<'a> {
    pub meeting_id: i64,
    pub member_id: i64,
    pub partner: &'a str,
    pub when: &'a str,
    pub link: &'a str,
}

impl MeetingReminder<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        Email {
            dedup_key: format!("meeting:{}:reminder:{}", self.meeting_id, self.member_id),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject: "Reminder: your mentoring meeting".into(),
            body: format!(
                "A reminder of your meeting with {} on {}.\n\nYour pair's page, with the session's prompts: {}\n",
                self.partner, self.when, self.link
            ),
            calendar: None,
        }
    }
}

/// Brings a concern a participant raised to one of the scheme's coordinators.
pub struct ConcernRaised<'a> {
    pub concern_id: i64,
    /// The coordinator it goes to (keys the email).
    pub coordinator_id: i64,
    pub raised_by: &'a str,
    pub scheme: &'a str,
    pub year: &'a str,
    pub concern: &'a str,
    /// The cycle's concerns page.
    pub link: &'a str,
}

impl ConcernRaised<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        Email {
            dedup_key: format!("concern:{}:{}", self.concern_id, self.coordinator_id),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject: format!("A concern raised in {} {}", self.scheme, self.year),
            body: format!(
                "{} raised a concern with the coordinators of {} {}:\n\n{}\n\nEvery concern of the cycle: {}\n",
                self.raised_by, self.scheme, self.year, self.concern, self.link
            ),
            calendar: None,
        }
    }
}

/// Asks a member of a pair to confirm or decline the meeting their partner proposed.
pub struct MeetingProposed<'a> {
    pub meeting_id: i64,
    pub proposed_by: &'a str,
    /// The session's topic.
    pub topic: &'a str,
    pub when: &'a str,
    /// The pair's page.
    pub link: &'a str,
}

impl MeetingProposed<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        Email {
            dedup_key: format!("meeting:{}:proposed", self.meeting_id),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject: "A mentoring meeting has been proposed".into(),
            body: format!(
                "{} proposed a meeting: {}, on {}.\n\nConfirm or decline it on your pair's page: {}\n",
                self.proposed_by, self.topic, self.when, self.link
            ),
            calendar: None,
        }
    }
}

/// What was decided about a student's request for a change of tutor.
#[derive(Debug, Clone, Copy)]
pub enum TutorChangeOutcome<'a> {
    Approved { new_tutor: &'a str },
    Declined { reason: &'a str },
}

/// Tells a student what was decided about their request for a change of personal tutor.
pub struct TutorChangeDecided<'a> {
    pub request_id: i64,
    pub year: &'a str,
    pub outcome: TutorChangeOutcome<'a>,
    /// The student's change-of-tutor page.
    pub link: &'a str,
}

impl TutorChangeDecided<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        let (subject, decided) = match self.outcome {
            TutorChangeOutcome::Approved { new_tutor } => (
                "Your request for a change of tutor was approved",
                format!("was approved. Your new personal tutor is {new_tutor}."),
            ),
            TutorChangeOutcome::Declined { reason } => (
                "Your request for a change of tutor was declined",
                format!("was declined, for this reason:\n\n{reason}"),
            ),
        };
        Email {
            dedup_key: format!("tutor-change-decided:{}", self.request_id),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject: subject.to_string(),
            body: format!(
                "Dear {name},\n\nYour request for a change of personal tutor for {year} {decided}\n\nSee the details: {link}\n",
                name = r.name,
                year = self.year,
                link = self.link,
            ),
            calendar: None,
        }
    }
}

/// Invites a participant to answer a survey wave, or reminds them that they have not yet.
pub struct SurveyWaveMail<'a> {
    pub wave_id: i64,
    pub participant_id: i64,
    /// `None` for the invitation; the day of the reminder otherwise (one reminder a day).
    pub reminder_on: Option<&'a str>,
    /// The wave's name, e.g. "before".
    pub wave: &'a str,
    pub scheme: &'a str,
    pub year: &'a str,
    pub closes_on: &'a str,
    /// The participant's survey page.
    pub link: &'a str,
}

impl SurveyWaveMail<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        let (dedup_key, subject, opening) = match self.reminder_on {
            None => (
                format!("survey:{}:{}:invite", self.wave_id, self.participant_id),
                format!("Survey {}: {} {}", self.wave, self.scheme, self.year),
                "You are invited to answer a short survey",
            ),
            Some(day) => (
                format!(
                    "survey:{}:{}:remind:{day}",
                    self.wave_id, self.participant_id
                ),
                format!(
                    "Reminder: survey {}, {} {}",
                    self.wave, self.scheme, self.year
                ),
                "A reminder: you have not yet answered the short survey",
            ),
        };
        Email {
            dedup_key,
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject,
            body: format!(
                "Dear {name},\n\n{opening} of {scheme} {year} ({wave}). It is open until {closes} and takes a few minutes:\n\n{link}\n\nYour answers are stored under a pseudonymous code, never your name.\n",
                name = r.name,
                scheme = self.scheme,
                year = self.year,
                wave = self.wave,
                closes = self.closes_on,
                link = self.link,
            ),
            calendar: None,
        }
    }
}
