//! Actions raised from a pair's conversations (SPEC §3.8) and their state machine:
//! *proposed → agreed → in progress → done*, or *declined* (with a reason) from any state
//! before done. Done and declined are final: what happened is recorded, not rewound.
use serde::Serialize;
use std::fmt;

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ActionStatus {
    Proposed,
    Agreed,
    InProgress,
    Done,
    Declined,
}

/// A change of status the state machine refuses, with a message for the person asking.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("An action that is {0} cannot change any more.")]
    Final(ActionStatus),
    #[error("An action that is {from} cannot become {to}; next it can become {allowed}.")]
    NotNext {
        from: ActionStatus,
        to: ActionStatus,
        allowed: String,
    },
    #[error("Say why the action is declined.")]
    ReasonRequired,
}

/// The most characters an action's title may have.
pub const TITLE_MAX: usize = 200;
/// The most characters of a description, a reason or a piece of evidence.
pub const TEXT_MAX: usize = 4000;

impl ActionStatus {
    pub const ALL: [ActionStatus; 5] = [
        ActionStatus::Proposed,
        ActionStatus::Agreed,
        ActionStatus::InProgress,
        ActionStatus::Done,
        ActionStatus::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Proposed => "proposed",
            ActionStatus::Agreed => "agreed",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<ActionStatus> {
        ActionStatus::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::Proposed => "proposed",
            ActionStatus::Agreed => "agreed",
            ActionStatus::InProgress => "in progress",
            ActionStatus::Done => "done",
            ActionStatus::Declined => "declined",
        }
    }

    /// The statuses this one may move to.
    pub fn next_steps(self) -> &'static [ActionStatus] {
        use ActionStatus::*;
        match self {
            Proposed => &[Agreed, Declined],
            Agreed => &[InProgress, Declined],
            InProgress => &[Done, Declined],
            Done | Declined => &[],
        }
    }

    pub fn is_final(self) -> bool {
        self.next_steps().is_empty()
    }

    /// Checks a requested change; declining needs a reason (not just spaces).
    pub fn transition(
        self,
        to: ActionStatus,
        reason: &str,
    ) -> Result<ActionStatus, TransitionError> {
        if self.is_final() {
            return Err(TransitionError::Final(self));
        }
        if !self.next_steps().contains(&to) {
            return Err(TransitionError::NotNext {
                from: self,
                to,
                allowed: self
                    .next_steps()
                    .iter()
                    .map(|s| s.label())
                    .collect::<Vec<_>>()
                    .join(" or "),
            });
        }
        if to == ActionStatus::Declined && reason.trim().is_empty() {
            return Err(TransitionError::ReasonRequired);
        }
        Ok(to)
    }
}

impl fmt::Display for ActionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Checks a link offered as evidence: an absolute `http` or `https` URL with a host. Returns
/// it normalised, or what is wrong with it.
pub fn evidence_link(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let url = url::Url::parse(raw).map_err(|_| {
        "Enter the link as a full web address starting with https:// (or http://).".to_string()
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err("Enter a web address starting with https:// (or http://).".into());
    }
    Ok(url.to_string())
}

/// Checks text a person typed: required or not, and at most `max` characters.
pub fn text(raw: &str, what: &str, required: bool, max: usize) -> Result<String, String> {
    let t = raw.trim();
    if required && t.is_empty() {
        return Err(format!("Enter {what}."));
    }
    if t.chars().count() > max {
        return Err(format!("Keep {what} to {max} characters or fewer."));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::ActionStatus::*;
    use super::*;

    #[test]
    fn an_action_moves_forward_one_step_at_a_time() {
        assert_eq!(Proposed.transition(Agreed, ""), Ok(Agreed));
        assert_eq!(Agreed.transition(InProgress, ""), Ok(InProgress));
        assert_eq!(InProgress.transition(Done, ""), Ok(Done));
    }

    #[test]
    fn skipping_a_step_or_going_back_is_refused_with_the_allowed_steps() {
        let e = Proposed.transition(Done, "").unwrap_err();
        assert_eq!(
            e.to_string(),
            "An action that is proposed cannot become done; next it can become agreed or declined."
        );
        assert!(matches!(
            InProgress.transition(Agreed, ""),
            Err(TransitionError::NotNext { .. })
        ));
        assert!(Proposed.transition(Proposed, "").is_err());
    }

    #[test]
    fn done_and_declined_are_final() {
        for from in [Done, Declined] {
            for to in ActionStatus::ALL {
                assert_eq!(
                    from.transition(to, "why"),
                    Err(TransitionError::Final(from))
                );
            }
        }
    }

    #[test]
    fn declining_needs_a_reason_from_every_open_state() {
        for from in [Proposed, Agreed, InProgress] {
            assert_eq!(
                from.transition(Declined, "  "),
                Err(TransitionError::ReasonRequired)
            );
            assert_eq!(
                from.transition(Declined, "No budget this year"),
                Ok(Declined)
            );
        }
    }

    #[test]
    fn every_status_round_trips_through_its_name() {
        for s in ActionStatus::ALL {
            assert_eq!(ActionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ActionStatus::parse("finished"), None);
    }

    #[test]
    fn evidence_links_must_be_web_addresses() {
        assert_eq!(
            evidence_link(" https://intranet.example/minutes/12 ").unwrap(),
            "https://intranet.example/minutes/12"
        );
        assert!(evidence_link("http://example.org").is_ok());
        for bad in [
            "",
            "example.org/page",
            "javascript:alert(1)",
            "ftp://x.org/f",
            "mailto:a@b.c",
            "https://",
        ] {
            assert!(evidence_link(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn text_is_trimmed_required_and_bounded() {
        assert_eq!(text("  hi ", "a title", true, 5).unwrap(), "hi");
        assert_eq!(text(" ", "a title", true, 5).unwrap_err(), "Enter a title.");
        assert_eq!(text("", "a title", false, 5).unwrap(), "");
        assert!(text("123456", "a title", true, 5).is_err());
    }
}
