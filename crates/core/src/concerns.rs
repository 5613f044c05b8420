//! Concerns a member of a pair raises with the scheme's coordinators (SPEC §3.4): each has a
//! status the raiser can see (new → acknowledged → resolved) and the coordinators' reply.

/// Longest reply, in characters.
pub const REPLY_MAX: usize = 4000;

/// Where a concern stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConcernStatus {
    New,
    Acknowledged,
    Resolved,
}

impl ConcernStatus {
    pub const ALL: [ConcernStatus; 3] = [
        ConcernStatus::New,
        ConcernStatus::Acknowledged,
        ConcernStatus::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConcernStatus::New => "new",
            ConcernStatus::Acknowledged => "acknowledged",
            ConcernStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<ConcernStatus> {
        ConcernStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            ConcernStatus::New => "New: not yet read by a coordinator",
            ConcernStatus::Acknowledged => "Acknowledged: a coordinator is looking into it",
            ConcernStatus::Resolved => "Resolved",
        }
    }
}

/// A coordinator's answer, checked: the status it moves to and the reply (trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: ConcernStatus,
    pub reply: String,
}

/// Checks a coordinator's answer to a concern now `current`: it acknowledges or resolves it
/// (a concern never goes back to new, and a resolved one is closed), and the reply is at
/// most [`REPLY_MAX`] characters. Errors are (field, message).
pub fn check_answer(
    current: ConcernStatus,
    status: &str,
    reply: &str,
) -> Result<Answer, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    if current == ConcernStatus::Resolved {
        return Err(vec![(
            "status",
            "This concern is resolved: it takes no more answers.".to_string(),
        )]);
    }
    let to = ConcernStatus::parse(status).filter(|s| *s != ConcernStatus::New);
    if to.is_none() {
        errors.push(("status", "Choose acknowledged or resolved.".to_string()));
    }
    let reply = reply.trim().replace("\r\n", "\n");
    if reply.chars().count() > REPLY_MAX {
        errors.push((
            "reply",
            format!("The reply is too long: at most {REPLY_MAX} characters."),
        ));
    }
    match to {
        Some(status) if errors.is_empty() => {
            if status == current && reply.is_empty() {
                Err(vec![(
                    "reply",
                    "Write a reply, or change the concern's status.".to_string(),
                )])
            } else {
                Ok(Answer { status, reply })
            }
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in ConcernStatus::ALL {
            assert_eq!(ConcernStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ConcernStatus::parse("open"), None);
    }

    #[test]
    fn a_new_concern_is_acknowledged_or_resolved_with_or_without_a_reply() {
        let a = check_answer(ConcernStatus::New, "acknowledged", "  We are on it. ").unwrap();
        assert_eq!(
            a,
            Answer {
                status: ConcernStatus::Acknowledged,
                reply: "We are on it.".into()
            }
        );
        assert!(check_answer(ConcernStatus::New, "resolved", "").is_ok());
        assert!(check_answer(ConcernStatus::Acknowledged, "resolved", "Done.").is_ok());
        // A further reply without a change of status is fine; an empty one says nothing.
        assert!(check_answer(ConcernStatus::Acknowledged, "acknowledged", "More").is_ok());
        let e = check_answer(ConcernStatus::Acknowledged, "acknowledged", " ").unwrap_err();
        assert_eq!(e[0].0, "reply");
    }

    #[test]
    fn a_concern_never_goes_back_to_new_and_a_resolved_one_is_closed() {
        let e = check_answer(ConcernStatus::Acknowledged, "new", "x").unwrap_err();
        assert_eq!(e[0].0, "status");
        let e = check_answer(ConcernStatus::Resolved, "acknowledged", "x").unwrap_err();
        assert!(e[0].1.contains("resolved"));
        let e = check_answer(ConcernStatus::New, "closed", &"x".repeat(REPLY_MAX + 1)).unwrap_err();
        let fields: Vec<_> = e.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["status", "reply"]);
    }
}
