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
