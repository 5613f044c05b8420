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
                "Dear {name},\n\n{opening}\n\n{link}\n\nThe link works once and for {hours}.\n\n{closing}\n",
                name = r.name,
                link = self.link,
                hours = flipside_core::meetings::hours(self.valid_hours * 60),
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
    /// The pair's page (the email links to the meeting on it).
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
                "Your meeting on {} is confirmed. The attached calendar file adds it to your diary.\n\nThe meeting on your pair's page: {}#meeting-{}\n",
                self.when, self.link, self.meeting_id
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
                "A reminder of your meeting with {} on {}.\n\nThe meeting on your pair's page, with the session's prompts: {}#meeting-{}\n",
                self.partner, self.when, self.link, self.meeting_id
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
                "{} raised a concern with the coordinators of {} {}:\n\n{}\n\nThe concern, among every concern of the cycle: {}#concern-{}\n",
                self.raised_by, self.scheme, self.year, self.concern, self.link, self.concern_id
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
                "{} proposed a meeting: {}, on {}.\n\nConfirm or decline it on your pair's page: {}#meeting-{}\n",
                self.proposed_by, self.topic, self.when, self.link, self.meeting_id
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

/// Tells an applicant what the coordinators decided, with their message.
pub struct ApplicationDecided<'a> {
    pub application_id: i64,
    /// The decision, as the applicant reads it ("On the waiting list").
    pub decision: &'a str,
    /// The decision's word, which keys the email (a changed decision is emailed again).
    pub decision_key: &'a str,
    pub scheme: &'a str,
    pub year: &'a str,
    /// The coordinators' message; may be empty.
    pub message: &'a str,
    /// The applicant's own application page.
    pub link: &'a str,
}

impl ApplicationDecided<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        let message = if self.message.is_empty() {
            String::new()
        } else {
            format!("\n\nThe coordinators' message to you:\n\n{}", self.message)
        };
        Email {
            dedup_key: format!(
                "application:{}:decided:{}",
                self.application_id, self.decision_key
            ),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject: format!("Your application to {} {}", self.scheme, self.year),
            body: format!(
                "Dear {name},\n\nThe coordinators have decided on your application to {scheme} ({year}): {decision}.{message}\n\nYour application and its status: {link}\n",
                name = r.name,
                scheme = self.scheme,
                year = self.year,
                decision = self.decision,
                link = self.link,
            ),
            calendar: None,
        }
    }
}

/// Tells an action's owner that an action was raised for them to accept.
pub struct ActionRaised<'a> {
    pub action_id: i64,
    pub title: &'a str,
    /// Who raised it, or `None` when it was raised anonymously.
    pub raised_by: Option<&'a str>,
    /// The action on the pair's page.
    pub link: &'a str,
}

impl ActionRaised<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        let by = match self.raised_by {
            Some(name) => format!("{name} raised an action for you"),
            None => "An action was raised for you, anonymously to the organisation,".to_string(),
        };
        Email {
            dedup_key: format!("action:{}:raised", self.action_id),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject: format!("An action for you: {}", self.title),
            body: format!(
                "Dear {name},\n\n{by} from your mentoring conversations:\n\n{title}\n\nAccept it, or decline it with a reason: {link}\n",
                name = r.name,
                title = self.title,
                link = self.link,
            ),
            calendar: None,
        }
    }
}

/// Tells the person who raised an action that its owner moved it on.
pub struct ActionMoved<'a> {
    pub action_id: i64,
    pub title: &'a str,
    /// The new status's word, which keys the email.
    pub status_key: &'a str,
    /// The new status as people read it.
    pub status: &'a str,
    pub owner: &'a str,
    /// Why it was declined; empty otherwise.
    pub reason: &'a str,
    /// The action on the pair's page.
    pub link: &'a str,
}

impl ActionMoved<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        let reason = if self.reason.is_empty() {
            String::new()
        } else {
            format!(" The reason given: {}", self.reason)
        };
        Email {
            dedup_key: format!("action:{}:status:{}", self.action_id, self.status_key),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject: format!(
                "Your action is now {}: {}",
                self.status.to_lowercase(),
                self.title
            ),
            body: format!(
                "Dear {name},\n\n{owner} moved the action you raised, \"{title}\", to: {status}.{reason}\n\nSee it and its evidence: {link}\n",
                name = r.name,
                owner = self.owner,
                title = self.title,
                status = self.status,
                link = self.link,
            ),
            calendar: None,
        }
    }
}

/// Tells the person who raised a concern that a coordinator answered it or changed its status.
pub struct ConcernAnswered<'a> {
    pub concern_id: i64,
    /// Which answer this is (1 for the first): each has its own key.
    pub answer: i64,
    /// The concern's status as people read it.
    pub status: &'a str,
    pub reply: &'a str,
    /// The concern on the pair's page.
    pub link: &'a str,
}

impl ConcernAnswered<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        let reply = if self.reply.is_empty() {
            String::new()
        } else {
            format!("\n\nTheir reply:\n\n{}", self.reply)
        };
        Email {
            dedup_key: format!("concern:{}:answer:{}", self.concern_id, self.answer),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject: "Your concern: the coordinators have answered".into(),
            body: format!(
                "Dear {name},\n\nThe coordinators have looked at the concern you raised. It is now: {status}.{reply}\n\nSee it on your pair's page: {link}\n",
                name = r.name,
                status = self.status,
                link = self.link,
            ),
            calendar: None,
        }
    }
}

/// A coordinator's nudge to a member of a stuck pair: accept the expectations agreement, or
/// arrange a first meeting.
pub struct PairNudge<'a> {
    pub pair_id: i64,
    pub member_id: i64,
    pub kind: flipside_core::nudge::NudgeKind,
    /// The organisation's date: a member is nudged at most once a day for each reason.
    pub day: &'a str,
    pub partner: &'a str,
    pub scheme: &'a str,
    pub year: &'a str,
    /// The pair's page (the part of it the nudge is about).
    pub link: &'a str,
}

impl PairNudge<'_> {
    pub fn to(&self, r: Recipient<'_>) -> Email {
        use flipside_core::nudge::NudgeKind;
        let (subject, ask) = match self.kind {
            NudgeKind::Agreement => (
                "Please accept your mentoring expectations",
                "you have not yet accepted the expectations agreement of your pair. Read it and accept it on your pair's page, so that you can arrange your first meeting",
            ),
            NudgeKind::Meet => (
                "Time to arrange your first mentoring meeting",
                "your pair has not met yet and no meeting is arranged. Propose a time on your pair's page; your partner confirms it",
            ),
        };
        Email {
            dedup_key: format!(
                "nudge:{}:{}:{}:{}",
                self.pair_id,
                self.member_id,
                self.kind.as_str(),
                self.day
            ),
            to_address: r.email.to_string(),
            to_name: r.name.to_string(),
            subject: format!("{subject}: {} {}", self.scheme, self.year),
            body: format!(
                "Dear {name},\n\nA reminder from the coordinators of {scheme} ({year}), where you are paired with {partner}: {ask}.\n\n{link}\n",
                name = r.name,
                scheme = self.scheme,
                year = self.year,
                partner = self.partner,
                link = self.link,
            ),
            calendar: None,
        }
    }
}
