//! Staff invitations (SPEC §3.2): a staff leader is invited to a cycle by a single-use link
//! that expires, and accepts (with interests and availability) or declines (with a reason).
use chrono::{DateTime, Utc};

/// How long a link stays usable after it is sent.
pub const VALID_DAYS: i64 = 14;

/// Where an invitation stands. `Expired` is never stored: an invited one past its expiry
/// reads as expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvitationStatus {
    Invited,
    Accepted,
    Declined,
    Expired,
}

impl InvitationStatus {
    pub const ALL: [InvitationStatus; 4] = [
        InvitationStatus::Invited,
        InvitationStatus::Accepted,
        InvitationStatus::Declined,
        InvitationStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Invited => "invited",
            InvitationStatus::Accepted => "accepted",
            InvitationStatus::Declined => "declined",
            InvitationStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<InvitationStatus> {
        InvitationStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// How the coordinator reads it.
    pub fn label(self) -> &'static str {
        match self {
            InvitationStatus::Invited => "Invited, no answer yet",
            InvitationStatus::Accepted => "Accepted",
            InvitationStatus::Declined => "Declined",
            InvitationStatus::Expired => "Expired without an answer",
        }
    }

    /// The status as it stands at `now`, from the stored one and the expiry.
    pub fn at(stored: &str, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> InvitationStatus {
        match InvitationStatus::parse(stored) {
            Some(InvitationStatus::Invited) if expires_at <= now => InvitationStatus::Expired,
            Some(s) => s,
            None => InvitationStatus::Expired,
        }
    }
}

/// Why a link cannot be used; `Display` is the message the invitee reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefused {
    #[error(
        "This invitation has already been accepted. The link can be used only once; sign in to flipside to take part."
    )]
    AlreadyAccepted,
    #[error(
        "This invitation has already been declined. The link can be used only once; if you have changed your mind, ask the scheme's coordinator to invite you again."
    )]
    AlreadyDeclined,
    #[error("This invitation has expired. Ask the scheme's coordinator to send you a new link.")]
    Expired,
}

/// Whether a link in this state may still be answered.
pub fn usable(status: InvitationStatus) -> Result<(), LinkRefused> {
    match status {
        InvitationStatus::Invited => Ok(()),
        InvitationStatus::Accepted => Err(LinkRefused::AlreadyAccepted),
        InvitationStatus::Declined => Err(LinkRefused::AlreadyDeclined),
        InvitationStatus::Expired => Err(LinkRefused::Expired),
    }
}

/// The dedup key of the email that sends an invitation for the `send`th time (1 = first).
/// Each resend has its own key, so it is queued even though the first one was.
pub fn email_key(invitation_id: i64, send: i64) -> String {
    if send <= 1 {
        format!("invitation:{invitation_id}")
    } else {
        format!("invitation:{invitation_id}:send:{send}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn an_invited_link_past_its_expiry_reads_as_expired_and_is_refused() {
        let now = Utc::now();
        let later = now + Duration::days(1);
        let earlier = now - Duration::seconds(1);
        assert_eq!(
            InvitationStatus::at("invited", later, now),
            InvitationStatus::Invited
        );
        assert_eq!(
            InvitationStatus::at("invited", earlier, now),
            InvitationStatus::Expired
        );
        // An answered one keeps its answer after the expiry.
        assert_eq!(
            InvitationStatus::at("accepted", earlier, now),
            InvitationStatus::Accepted
        );
        assert!(usable(InvitationStatus::Invited).is_ok());
        assert_eq!(usable(InvitationStatus::Expired), Err(LinkRefused::Expired));
        assert_eq!(
            usable(InvitationStatus::Accepted),
            Err(LinkRefused::AlreadyAccepted)
        );
    }

    #[test]
    fn each_sending_has_its_own_email_key() {
        assert_eq!(email_key(7, 1), "invitation:7");
        assert_ne!(email_key(7, 2), email_key(7, 1));
        assert_ne!(email_key(7, 2), email_key(7, 3));
    }
}
