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

/// A problem in a plan written as text, with its line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

const MAX_SESSIONS: usize = 20;
const MAX_LINE: usize = 500;

/// The meeting plan as coordinators edit it, without scripts in the page: each session starts
/// with `## Topic`, its prompts follow as `- prompt` lines, and an optional `Pre-reading: …`
/// line names what to read first. Blank lines are ignored.
///
/// A markdown-like text is parsed here rather than with a markdown crate because only these
/// three line kinds mean anything, and every other line must be refused with its number.
pub fn plan_to_text(sessions: &[PlannedSession]) -> String {
    let mut out = String::new();
    for (i, s) in sessions.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("## {}\n", s.topic));
        for p in &s.prompts {
            out.push_str(&format!("- {p}\n"));
        }
        if let Some(r) = &s.pre_reading {
            out.push_str(&format!("Pre-reading: {r}\n"));
        }
    }
    out
}

/// Reads a plan written as [`plan_to_text`] writes it; every problem is reported with its line.
pub fn plan_from_text(text: &str) -> Result<Vec<PlannedSession>, Vec<PlanError>> {
    let mut sessions: Vec<(usize, PlannedSession)> = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        // The limit is on what a line holds, not on how it was typed: `##topic` is written
        // back as `## topic`, and must still be accepted when saved again.
        let content = line
            .strip_prefix("##")
            .or_else(|| line.strip_prefix('-'))
            .or_else(|| strip_prefix_ignore_case(line, "pre-reading:"))
            .unwrap_or(line)
            .trim();
        if content.chars().count() > MAX_LINE {
            push(
                &mut errors,
                n,
                &format!("keep each line to {MAX_LINE} characters"),
            );
            continue;
        }
        if let Some(topic) = line.strip_prefix("##") {
            let topic = topic.trim();
            if topic.is_empty() {
                push(&mut errors, n, "a session needs a topic after '##'");
            }
            sessions.push((
                n,
                PlannedSession {
                    topic: topic.to_string(),
                    prompts: Vec::new(),
                    pre_reading: None,
                },
            ));
            continue;
        }
        let Some((_, current)) = sessions.last_mut() else {
            push(
                &mut errors,
                n,
                "start the plan with a session: a line such as '## Belonging'",
            );
            continue;
        };
        if let Some(prompt) = line.strip_prefix('-') {
            let prompt = prompt.trim();
            if prompt.is_empty() {
                push(&mut errors, n, "write the prompt after '-'");
            } else {
                current.prompts.push(prompt.to_string());
            }
        } else if let Some(reading) = strip_prefix_ignore_case(line, "pre-reading:") {
            let reading = reading.trim();
            if current.pre_reading.is_some() {
                push(&mut errors, n, "a session has one pre-reading line");
            } else if reading.is_empty() {
                push(&mut errors, n, "name the pre-reading after 'Pre-reading:'");
            } else {
                current.pre_reading = Some(reading.to_string());
            }
        } else {
            push(
                &mut errors,
                n,
                "start the line with '##' (a session), '-' (a prompt) or 'Pre-reading:'",
            );
        }
    }
    for (line, s) in &sessions {
        if s.prompts.is_empty() && !s.topic.is_empty() {
            push(
                &mut errors,
                *line,
                &format!("session '{}' needs at least one prompt", s.topic),
            );
        }
    }
    if sessions.is_empty() && errors.is_empty() {
        push(&mut errors, 1, "a plan needs at least one session");
    }
    if sessions.len() > MAX_SESSIONS {
        push(
            &mut errors,
            sessions[MAX_SESSIONS].0,
            &format!("a plan has at most {MAX_SESSIONS} sessions"),
        );
    }
    if errors.is_empty() {
        Ok(sessions.into_iter().map(|(_, s)| s).collect())
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

fn push(errors: &mut Vec<PlanError>, line: usize, message: &str) {
    errors.push(PlanError {
        line,
        message: message.to_string(),
    });
}

fn strip_prefix_ignore_case<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let head = line.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &line[prefix.len()..])
}

/// Reads the expectations, one per non-blank line.
pub fn expectations_from_text(text: &str) -> Result<Vec<String>, Vec<PlanError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim().trim_start_matches('-').trim();
        if line.is_empty() {
            continue;
        }
        if line.chars().count() > MAX_LINE {
            errors.push(PlanError {
                line: i + 1,
                message: format!("keep each expectation to {MAX_LINE} characters"),
            });
        } else {
            out.push(line.to_string());
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(PlanError {
            line: 1,
            message: "write at least one expectation both members agree to".into(),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Checks a plan given as data (the API) by the rules of its text form ([`plan_from_text`],
/// [`expectations_from_text`]): each value is trimmed and must be one non-empty line of at
/// most 500 characters; a plan has 1 to 20 sessions, each with at least one prompt, and at
/// least one expectation. Errors name the field (`sessions[1].prompts[0]`).
pub fn checked_framework(
    sessions: &[PlannedSession],
    expectations: &[String],
) -> Result<Framework, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let mut line = |field: String, value: &str, what: &str| -> String {
        let v = value.trim();
        if v.is_empty() {
            errors.push((field, format!("write {what}")));
        } else if v.contains(['\n', '\r']) {
            errors.push((field, format!("keep {what} to one line")));
        } else if v.chars().count() > MAX_LINE {
            errors.push((field, format!("keep each line to {MAX_LINE} characters")));
        }
        v.to_string()
    };
    let mut out = Vec::new();
    for (i, s) in sessions.iter().enumerate() {
        let topic = line(
            format!("sessions[{i}].topic"),
            &s.topic,
            "the session's topic",
        );
        let prompts = s
            .prompts
            .iter()
            .enumerate()
            .map(|(j, p)| line(format!("sessions[{i}].prompts[{j}]"), p, "the prompt"))
            .collect::<Vec<_>>();
        let pre_reading = s.pre_reading.as_ref().map(|r| {
            line(
                format!("sessions[{i}].pre_reading"),
                r,
                "the pre-reading (or leave it out)",
            )
        });
        out.push((
            i,
            PlannedSession {
                topic,
                prompts,
                pre_reading,
            },
        ));
    }
    let expectations = expectations
        .iter()
        .enumerate()
        .map(|(i, e)| line(format!("expectations[{i}]"), e, "the expectation"))
        .collect::<Vec<_>>();
    for (i, s) in &out {
        if s.prompts.is_empty() {
            errors.push((
                format!("sessions[{i}].prompts"),
                "a session needs at least one prompt".into(),
            ));
        }
    }
    if out.is_empty() {
        errors.push((
            "sessions".into(),
            "a plan needs at least one session".into(),
        ));
    }
    if out.len() > MAX_SESSIONS {
        errors.push((
            "sessions".into(),
            format!("a plan has at most {MAX_SESSIONS} sessions"),
        ));
    }
    if expectations.is_empty() {
        errors.push((
            "expectations".into(),
            "write at least one expectation both members agree to".into(),
        ));
    }
    if errors.is_empty() {
        Ok(Framework {
            sessions: out.into_iter().map(|(_, s)| s).collect(),
            expectations,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_given_as_data_is_checked_by_the_rules_of_its_text_and_names_each_field() {
        let plan = Framework::default_plan();
        let checked = checked_framework(&plan.sessions, &plan.expectations).unwrap();
        assert_eq!(checked, plan);
        let bad = vec![PlannedSession {
            topic: "  ".into(),
            prompts: vec!["ok".into(), "two\nlines".into()],
            pre_reading: Some(String::new()),
        }];
        let errors = checked_framework(&bad, &[]).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "sessions[0].topic",
                "sessions[0].prompts[1]",
                "sessions[0].pre_reading",
                "expectations"
            ]
        );
        let none = checked_framework(&[], &["Be kind".into()]).unwrap_err();
        assert_eq!(none[0].0, "sessions");
        let trimmed = checked_framework(
            &[PlannedSession {
                topic: " Belonging ".into(),
                prompts: vec![" Where? ".into()],
                pre_reading: None,
            }],
            &[" Be kind ".into()],
        )
        .unwrap();
        assert_eq!(trimmed.sessions[0].topic, "Belonging");
        assert_eq!(
            plan_from_text(&plan_to_text(&trimmed.sessions)).unwrap(),
            trimmed.sessions
        );
    }

    #[test]
    fn the_default_plan_survives_its_text_form() {
        let plan = Framework::default_plan();
        let text = plan_to_text(&plan.sessions);
        assert!(text.starts_with("## Getting to know each other"));
        assert_eq!(plan_from_text(&text).unwrap(), plan.sessions);
    }

    #[test]
    fn a_plan_with_mistakes_is_refused_line_by_line() {
        let text = "Welcome\n## Belonging\n- What does belonging mean?\n##\n## Barriers\nPre-reading:\nsomething else\n";
        let errors = plan_from_text(text).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 4, 5, 6, 7], "{errors:?}");
        assert!(errors[0].message.contains("start the plan with a session"));
        assert!(
            errors[2]
                .message
                .contains("'Barriers' needs at least one prompt")
        );
        assert!(errors[4].message.contains("start the line with '##'"));
        assert!(
            plan_from_text("  \n").unwrap_err()[0]
                .message
                .contains("at least one session")
        );
    }

    #[test]
    fn pre_reading_is_optional_and_single() {
        let ok = plan_from_text("## One\n- p\npre-reading: the guide\n").unwrap();
        assert_eq!(ok[0].pre_reading.as_deref(), Some("the guide"));
        let twice = plan_from_text("## One\n- p\nPre-reading: a\nPre-reading: b\n").unwrap_err();
        assert_eq!(twice[0].line, 4);
    }

    /// Found by reading the fuzz target's round-trip check: a 500-character line `##topic`
    /// was accepted, but the edit page writes it back as `## topic`, 501 characters, which
    /// was then refused. The limit is on what a line holds, not on how it was typed.
    #[test]
    fn a_plan_at_the_length_limit_saves_again_unchanged() {
        let text = format!(
            "##{}\n-{}\nPre-reading:{}\n",
            "t".repeat(500),
            "p".repeat(500),
            "r".repeat(500)
        );
        let plan = plan_from_text(&text).unwrap();
        assert_eq!(plan_from_text(&plan_to_text(&plan)), Ok(plan));
        let over = format!("## {}\n- p\n", "t".repeat(501));
        assert!(
            plan_from_text(&over).unwrap_err()[0]
                .message
                .contains("500 characters")
        );
    }

    #[test]
    fn expectations_are_one_per_line() {
        assert_eq!(
            expectations_from_text("- We meet.\n\nWe listen.\n").unwrap(),
            vec!["We meet.".to_string(), "We listen.".to_string()]
        );
        assert!(expectations_from_text("\n").is_err());
    }

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

    /// The same checks as the `meeting_plan` fuzz target (fuzz/), so that `cargo test` covers
    /// them without cargo-fuzz: any text is read or refused by lines that exist, and a plan
    /// that is read survives its own text form (what the edit page shows saves unchanged).
    mod arbitrary_text {
        use super::*;
        use proptest::prelude::*;

        fn check(text: &str) {
            let lines = text.lines().count().max(1);
            match plan_from_text(text) {
                Ok(sessions) => {
                    assert!((1..=MAX_SESSIONS).contains(&sessions.len()));
                    let again = plan_to_text(&sessions);
                    assert_eq!(plan_from_text(&again), Ok(sessions), "{again:?}");
                }
                Err(errors) => {
                    assert!(
                        errors.iter().all(|e| (1..=lines).contains(&e.line)),
                        "{errors:?}"
                    );
                }
            }
            match expectations_from_text(text) {
                Ok(lines) => assert!(
                    lines
                        .iter()
                        .all(|l| !l.is_empty() && l.chars().count() <= MAX_LINE)
                ),
                Err(errors) => {
                    assert!(
                        errors.iter().all(|e| (1..=lines).contains(&e.line)),
                        "{errors:?}"
                    );
                }
            }
        }

        /// Plan-shaped text: lines of the three kinds and others, some of them near the
        /// length limit.
        fn plan_text() -> impl Strategy<Value = String> {
            let line = prop_oneof![
                "## ?[A-Za-z #-]{0,12}",
                "- ?[A-Za-z #-]{0,12}",
                "(Pre-reading|pre-READING):[A-Za-z ]{0,8}",
                "[ \t\r#-]{0,3}",
                "[^\n]{0,6}",
                (0usize..=3, 495usize..=502).prop_map(|(kind, n)| {
                    let head = ["##", "## ", "- ", "Pre-reading: "][kind];
                    format!("{head}{}", "x".repeat(n - head.len().min(n)))
                }),
            ];
            proptest::collection::vec(line, 0..30).prop_map(|l| l.join("\n"))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn any_text_is_read_or_refused_by_lines_that_exist(text in any::<String>()) {
                check(&text);
            }

            #[test]
            fn plan_shaped_text_is_read_or_refused_and_what_is_read_saves_unchanged(
                text in plan_text(),
            ) {
                check(&text);
            }
        }
    }
}
