//! Design sprints (SPEC §3.11): Student APT Leads run a sprint per faculty that moves problems
//! to ideas to proposals; a proposal gets a decision, and an accepted one an implementation
//! status.
use serde::Serialize;

/// The three stages a sprint, and each item in it, passes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Stage {
    Problems,
    Ideas,
    Proposals,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Problems, Stage::Ideas, Stage::Proposals];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Problems => "problems",
            Stage::Ideas => "ideas",
            Stage::Proposals => "proposals",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The stage's heading.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Problems => "Problems",
            Stage::Ideas => "Ideas",
            Stage::Proposals => "Proposals",
        }
    }

    /// One item of this stage, in words.
    pub fn singular(self) -> &'static str {
        match self {
            Stage::Problems => "problem",
            Stage::Ideas => "idea",
            Stage::Proposals => "proposal",
        }
    }

    /// The stage after this one; proposals are the last.
    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Problems => Some(Stage::Ideas),
            Stage::Ideas => Some(Stage::Proposals),
            Stage::Proposals => None,
        }
    }
}

/// Whether a sprint takes contributions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SprintState {
    Open,
    Closed,
}

impl SprintState {
    pub fn as_str(self) -> &'static str {
        match self {
            SprintState::Open => "open",
            SprintState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<SprintState> {
        [SprintState::Open, SprintState::Closed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// What was decided about a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    Accepted,
    NotTakenForward,
}

impl Decision {
    pub const ALL: [Decision; 2] = [Decision::Accepted, Decision::NotTakenForward];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accepted => "accepted",
            Decision::NotTakenForward => "not_taken_forward",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Decision::Accepted => "Accepted",
            Decision::NotTakenForward => "Not taken forward",
        }
    }
}

/// How far an accepted proposal's action has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Implementation {
    NotStarted,
    InProgress,
    Done,
}

impl Implementation {
    pub const ALL: [Implementation; 3] = [
        Implementation::NotStarted,
        Implementation::InProgress,
        Implementation::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Implementation::NotStarted => "not_started",
            Implementation::InProgress => "in_progress",
            Implementation::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Implementation> {
        Implementation::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Implementation::NotStarted => "Not started",
            Implementation::InProgress => "In progress",
            Implementation::Done => "Done",
        }
    }
}

/// Why an item cannot be added to a sprint in a given stage, in words for the form.
pub fn check_add(state: SprintState, current: Stage, wanted: Stage) -> Result<(), String> {
    if state == SprintState::Closed {
        return Err("This sprint is closed, so nothing more can be added.".into());
    }
    if wanted != current {
        return Err(format!(
            "This sprint is collecting {} now; a {} cannot be added at this stage.",
            current.as_str(),
            wanted.singular()
        ));
    }
    Ok(())
}

/// Why an item of `stage` cannot be promoted, in words.
pub fn check_promote(state: SprintState, stage: Stage) -> Result<Stage, String> {
    if state == SprintState::Closed {
        return Err("This sprint is closed, so items can no longer be promoted.".into());
    }
    stage
        .next()
        .ok_or_else(|| "A proposal is the last stage; it is decided, not promoted.".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_run_from_problems_to_proposals_and_stop() {
        assert_eq!(Stage::Problems.next(), Some(Stage::Ideas));
        assert_eq!(Stage::Ideas.next(), Some(Stage::Proposals));
        assert_eq!(Stage::Proposals.next(), None);
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
        }
        for d in Decision::ALL {
            assert_eq!(Decision::parse(d.as_str()), Some(d));
        }
        for i in Implementation::ALL {
            assert_eq!(Implementation::parse(i.as_str()), Some(i));
        }
    }

    #[test]
    fn items_are_added_only_in_the_current_stage_of_an_open_sprint() {
        assert!(check_add(SprintState::Open, Stage::Ideas, Stage::Ideas).is_ok());
        let e = check_add(SprintState::Open, Stage::Ideas, Stage::Problems).unwrap_err();
        assert!(e.contains("collecting ideas now"), "{e}");
        assert!(check_add(SprintState::Closed, Stage::Ideas, Stage::Ideas).is_err());
        assert_eq!(
            check_promote(SprintState::Open, Stage::Problems),
            Ok(Stage::Ideas)
        );
        assert!(check_promote(SprintState::Open, Stage::Proposals).is_err());
        assert!(check_promote(SprintState::Closed, Stage::Ideas).is_err());
    }
}
