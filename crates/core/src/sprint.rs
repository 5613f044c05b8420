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

/// Why an item of `stage` cannot be decided, in words: only a proposal is decided.
pub fn check_decide(stage: Stage) -> Result<(), String> {
    if stage == Stage::Proposals {
        Ok(())
    } else {
        Err("Only a proposal can be decided; promote this item first.".into())
    }
}

/// Why an item's implementation status cannot be kept, in words: only an accepted proposal
/// (one with an action) has one.
pub fn check_status(has_action: bool) -> Result<(), String> {
    if has_action {
        Ok(())
    } else {
        Err("Only an accepted proposal has an implementation status.".into())
    }
}

/// Where moving a sprint on takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advance {
    /// On to collecting this stage.
    To(Stage),
    /// After proposals: the sprint closes.
    Close,
}

/// Moving a sprint on from `seen` (the stage the lead's page showed) while it is in `current`:
/// refused when it is closed or has moved on since, in words.
pub fn check_advance(state: SprintState, current: Stage, seen: &str) -> Result<Advance, String> {
    if state == SprintState::Closed {
        return Err("This sprint is closed.".into());
    }
    if seen != current.as_str() {
        return Err("The sprint has already moved on; reload the page.".into());
    }
    Ok(current.next().map_or(Advance::Close, Advance::To))
}

/// "a problem", "an idea": the article before a stage's singular.
pub fn article(stage: Stage) -> &'static str {
    match stage {
        Stage::Ideas => "an",
        _ => "a",
    }
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

    #[test]
    fn only_proposals_are_decided_and_only_accepted_ones_have_a_status() {
        assert!(check_decide(Stage::Proposals).is_ok());
        assert!(check_decide(Stage::Ideas).is_err());
        assert!(check_decide(Stage::Problems).is_err());
        assert!(check_status(true).is_ok());
        assert!(check_status(false).is_err());
    }

    #[test]
    fn a_sprint_moves_on_one_stage_at_a_time_then_closes() {
        assert_eq!(
            check_advance(SprintState::Open, Stage::Problems, "problems"),
            Ok(Advance::To(Stage::Ideas))
        );
        assert_eq!(
            check_advance(SprintState::Open, Stage::Proposals, "proposals"),
            Ok(Advance::Close)
        );
        // A second click from a page that showed an earlier stage moves nothing.
        let e = check_advance(SprintState::Open, Stage::Ideas, "problems").unwrap_err();
        assert!(e.contains("already moved on"), "{e}");
        assert!(check_advance(SprintState::Closed, Stage::Proposals, "proposals").is_err());
        assert_eq!(article(Stage::Ideas), "an");
        assert_eq!(article(Stage::Problems), "a");
    }
}
