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
