//! The structured framework of a reverse-mentoring cycle (SPEC §3.4): a meeting plan of
//! ordered sessions, each with a topic, prompts and optional pre-reading, and the expectations
//! both members agree to. A new cycle copies its predecessor's framework.
use serde::{Deserialize, Serialize};

/// One planned session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedSession {
    pub topic: String,
    pub prompts: Vec<String>,
    #[serde(default)]
    pub pre_reading: Option<String>,
}

/// A cycle's framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Framework {
    pub sessions: Vec<PlannedSession>,
    /// What both members accept before the first meeting.
    pub expectations: Vec<String>,
}

impl Framework {
    /// The plan shipped with flipside, following the published practice of reverse mentoring.
    pub fn default_plan() -> Framework {
        let s = |topic: &str, prompts: &[&str], pre: Option<&str>| PlannedSession {
            topic: topic.to_string(),
            prompts: prompts.iter().map(|p| p.to_string()).collect(),
            pre_reading: pre.map(str::to_string),
        };
        Framework {
            sessions: vec![
                s("Getting to know each other and lived experience",
                  &["What brought each of you to the university?", "What would you like the other to understand about your life here?"],
                  Some("The scheme's purpose and the expectations agreement")),
                s("The student's experience of the institution",
                  &["Walk through a typical week: where does the institution help, where does it get in the way?", "Which moments made you feel you belonged, or did not?"],
                  None),
                s("Belonging",
                  &["What does belonging mean to you?", "Who or what at the university makes students like you feel valued?"],
                  None),
                s("Barriers and the hidden curriculum",
                  &["Which unwritten rules did you have to work out alone?", "What is harder to engage with, and why?"],
                  None),
                s("What the leader can influence",
                  &["Which of the things discussed sit within the leader's area?", "Who else would need to be involved?"],
                  None),
                s("Agreeing actions",
                  &["Which one or two changes would make the most difference?", "Who owns each action, and how will the student hear what happened?"],
                  None),
                s("Reflecting",
                  &["What has each of you learned?", "What would you tell next year's pairs?"],
                  None),
            ],
            expectations: vec![
                "We meet regularly, aiming for the cycle's hours target, and keep to agreed times or give notice.".into(),
                "What is said in our meetings stays between us unless we agree otherwise.".into(),
                "The student leads: the leader listens to understand, not to defend.".into(),
                "Either of us may raise a concern with the coordinator at any time.".into(),
                "Actions we agree are recorded and followed up.".into(),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_plan_runs_from_getting_to_know_each_other_to_reflecting() {
        let plan = Framework::default_plan();
        assert_eq!(plan.sessions.len(), 7);
        assert!(plan.sessions[0].topic.starts_with("Getting to know"));
        assert_eq!(plan.sessions.last().unwrap().topic, "Reflecting");
        assert!(plan.sessions.iter().all(|s| !s.prompts.is_empty()));
        let json = serde_json::to_string(&plan).unwrap();
        assert_eq!(serde_json::from_str::<Framework>(&json).unwrap(), plan);
    }
}
