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
    /// Withdrawn by a coordinator before it was answered: the link no longer works.
    Cancelled,
}

impl InvitationStatus {
    pub const ALL: [InvitationStatus; 5] = [
        InvitationStatus::Invited,
        InvitationStatus::Accepted,
        InvitationStatus::Declined,
        InvitationStatus::Expired,
        InvitationStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Invited => "invited",
            InvitationStatus::Accepted => "accepted",
            InvitationStatus::Declined => "declined",
            InvitationStatus::Expired => "expired",
            InvitationStatus::Cancelled => "cancelled",
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
            InvitationStatus::Cancelled => "Cancelled by a coordinator",
        }
    }

    /// Whether a coordinator may still cancel it: only while it waits for an answer (an
    /// expired link already works no more; an answer is the invitee's).
    pub fn can_cancel(self) -> bool {
        self == InvitationStatus::Invited
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
    #[error(
        "This invitation was cancelled by the scheme's coordinator, so the link no longer works. If you think this is a mistake, contact the coordinator who invited you."
    )]
    Cancelled,
}

/// Whether a link in this state may still be answered.
pub fn usable(status: InvitationStatus) -> Result<(), LinkRefused> {
    match status {
        InvitationStatus::Invited => Ok(()),
        InvitationStatus::Accepted => Err(LinkRefused::AlreadyAccepted),
        InvitationStatus::Declined => Err(LinkRefused::AlreadyDeclined),
        InvitationStatus::Expired => Err(LinkRefused::Expired),
        InvitationStatus::Cancelled => Err(LinkRefused::Cancelled),
    }
}

/// The most leaders invited from one pasted list.
pub const LIST_MAX: usize = 200;

/// One leader from a pasted list, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    /// The line of the list it came from (1 = first).
    pub line: usize,
    pub name: String,
    /// Lowercased, as stored.
    pub email: String,
}

/// What is wrong with one line of a pasted list; `line` 0 for the list as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "Line {}: {}", self.line, self.message)
        }
    }
}

/// Reads a pasted list of leaders, one `name, email` a line (a tab, as pasted from a
/// spreadsheet, does as well as a comma; the last one on the line separates the address, so a
/// name may hold a comma). Blank lines are skipped. Every line is checked, and every error
/// reported with its line number: the list is used whole or not at all. An address already
/// invited to the cycle (`already`, lowercased) or twice in the list is an error.
pub fn parse_invitee_list(text: &str, already: &[String]) -> Result<Vec<Invitee>, Vec<LineError>> {
    use crate::email::Email;
    use crate::text::{BoundedText, NAME_MAX};
    let mut invitees: Vec<Invitee> = Vec::new();
    let mut errors = Vec::new();
    let mut err = |line, message: String| errors.push(LineError { line, message });
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    if lines.is_empty() {
        err(
            0,
            "Paste at least one line: a name, a comma, then the email address.".into(),
        );
    } else if lines.len() > LIST_MAX {
        err(
            0,
            format!(
                "The list has {} people; invite at most {LIST_MAX} at once.",
                lines.len()
            ),
        );
    }
    for (n, l) in lines.into_iter().take(LIST_MAX) {
        let Some((name, address)) = l.rsplit_once([',', '\t']) else {
            err(
                n,
                "write the name, a comma, then the email address (Ada Lovelace, ada@example.ac.uk).".into(),
            );
            continue;
        };
        let name = match BoundedText::line(name, NAME_MAX) {
            Ok(name) => name,
            Err(e) => {
                err(n, e.for_field("the name"));
                continue;
            }
        };
        let email = match Email::parse(address) {
            Ok(e) => e.into_string(),
            Err(_) => {
                err(
                    n,
                    format!(
                        "'{}' is not an email address (like name@example.ac.uk).",
                        address.trim()
                    ),
                );
                continue;
            }
        };
        if let Some(first) = invitees.iter().find(|i| i.email == email) {
            err(n, format!("{email} is already on line {}.", first.line));
            continue;
        }
        if already.contains(&email) {
            err(
                n,
                format!("{email} has already been invited to this cycle."),
            );
            continue;
        }
        invitees.push(Invitee {
            line: n,
            name: name.into_string(),
            email,
        });
    }
    if errors.is_empty() {
        Ok(invitees)
    } else {
        Err(errors)
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
    fn a_cancelled_link_is_refused_and_only_an_unanswered_one_can_be_cancelled() {
        assert_eq!(
            InvitationStatus::at("cancelled", Utc::now() + Duration::days(1), Utc::now()),
            InvitationStatus::Cancelled
        );
        assert_eq!(
            usable(InvitationStatus::Cancelled),
            Err(LinkRefused::Cancelled)
        );
        for s in InvitationStatus::ALL {
            assert_eq!(s.can_cancel(), s == InvitationStatus::Invited, "{s:?}");
        }
    }

    #[test]
    fn a_pasted_list_is_read_line_by_line() {
        let list = "Prof Helen Marsh, Helen.Marsh@tu.ac.uk\n\n  Marsh, Graham\tgraham@tu.ac.uk  \n";
        let got = parse_invitee_list(list, &[]).unwrap();
        assert_eq!(
            got,
            vec![
                Invitee {
                    line: 1,
                    name: "Prof Helen Marsh".into(),
                    email: "helen.marsh@tu.ac.uk".into()
                },
                Invitee {
                    line: 3,
                    name: "Marsh, Graham".into(),
                    email: "graham@tu.ac.uk".into()
                },
            ]
        );
    }

    #[test]
    fn every_bad_line_of_a_list_is_named_by_its_number() {
        let list = "Ada, ada@tu.ac.uk\nno address here\n, bob@tu.ac.uk\nCy, not-an-address\nAda again, ADA@tu.ac.uk\nDee, dee@tu.ac.uk\n";
        let errors = parse_invitee_list(list, &["dee@tu.ac.uk".to_string()]).unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            [2, 3, 4, 5, 6]
        );
        assert!(
            text[0].starts_with("Line 2: write the name, a comma"),
            "{}",
            text[0]
        );
        assert_eq!(text[1], "Line 3: the name is required.");
        assert!(text[2].contains("'not-an-address' is not an email address"));
        assert_eq!(text[3], "Line 5: ada@tu.ac.uk is already on line 1.");
        assert_eq!(
            text[4],
            "Line 6: dee@tu.ac.uk has already been invited to this cycle."
        );
        let empty = parse_invitee_list(" \n\n", &[]).unwrap_err();
        assert_eq!(empty[0].line, 0);
        let long = "A, a@tu.ac.uk\n".repeat(LIST_MAX + 1);
        let too_many = parse_invitee_list(&long, &[]).unwrap_err();
        assert!(too_many[0].to_string().contains("at most 200"));
    }

    #[test]
    fn each_sending_has_its_own_email_key() {
        assert_eq!(email_key(7, 1), "invitation:7");
        assert_ne!(email_key(7, 2), email_key(7, 1));
        assert_ne!(email_key(7, 2), email_key(7, 3));
    }
}
