//! A scheme runs one cycle per academic year; a cycle moves through a fixed sequence of states
//! (SPEC §3.1).
use serde::{Deserialize, Serialize};
use std::fmt;

/// The state of a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CycleState {
    /// Being prepared: the plan is written, nobody can apply yet. Every new cycle starts here.
    Draft,
    Recruiting,
    Matching,
    Running,
    Evaluating,
    Closed,
}

/// A state change the state machine does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a cycle that is {from} cannot move to {to}; the next state is {expected}")]
pub struct InvalidTransition {
    pub from: CycleState,
    pub to: CycleState,
    pub expected: String,
}

impl CycleState {
    pub const ALL: [CycleState; 6] = [
        CycleState::Draft,
        CycleState::Recruiting,
        CycleState::Matching,
        CycleState::Running,
        CycleState::Evaluating,
        CycleState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CycleState::Draft => "draft",
            CycleState::Recruiting => "recruiting",
            CycleState::Matching => "matching",
            CycleState::Running => "running",
            CycleState::Evaluating => "evaluating",
            CycleState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<CycleState> {
        CycleState::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The one state this state may move to, if any. Cycles only move forward: a step taken
    /// by mistake is corrected by the record, not by rewinding it.
    pub fn next(self) -> Option<CycleState> {
        match self {
            CycleState::Draft => Some(CycleState::Recruiting),
            CycleState::Recruiting => Some(CycleState::Matching),
            CycleState::Matching => Some(CycleState::Running),
            CycleState::Running => Some(CycleState::Evaluating),
            CycleState::Evaluating => Some(CycleState::Closed),
            CycleState::Closed => None,
        }
    }

    /// Whether entering this state completes the cycle's active pairs. The one place this rule
    /// is written: every way of moving a cycle applies it in the same transaction.
    pub fn completes_active_pairs(self) -> bool {
        self == CycleState::Closed
    }

    /// Whether a cycle in this state has people in it whose pages depend on it: from the open
    /// call to the evaluation.
    pub fn is_under_way(self) -> bool {
        matches!(
            self,
            CycleState::Recruiting
                | CycleState::Matching
                | CycleState::Running
                | CycleState::Evaluating
        )
    }

    /// The words of the step that enters this state, on its button.
    pub fn step(self) -> &'static str {
        match self {
            CycleState::Draft => "Start the cycle as a draft",
            CycleState::Recruiting => "Open the call",
            CycleState::Matching => "Close the call and start matching",
            CycleState::Running => "Start the meetings",
            CycleState::Evaluating => "Start the evaluation",
            CycleState::Closed => "Close the cycle",
        }
    }

    /// Checks a requested change.
    pub fn transition(self, to: CycleState) -> Result<CycleState, InvalidTransition> {
        if self.next() == Some(to) {
            Ok(to)
        } else {
            Err(InvalidTransition {
                from: self,
                to,
                expected: self
                    .next()
                    .map_or_else(|| "none (the cycle is closed)".into(), |n| n.to_string()),
            })
        }
    }
}

impl fmt::Display for CycleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a cycle holds when a coordinator is about to move it on: the facts its confirmation
/// page states.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CycleFacts {
    /// Sessions in the meeting plan, and the hours each pair aims to meet.
    pub sessions: usize,
    pub hours_target: i64,
    /// Applications received (withdrawn ones left out), and those not yet decided.
    pub applications: usize,
    pub undecided: usize,
    /// Staff invitations waiting for an answer.
    pub unanswered_invitations: usize,
    /// Pairs published and still meeting.
    pub active_pairs: usize,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What moving a cycle from `from` to `to` will do, one plain sentence each, for the page
/// that asks before it happens. Moving on cannot be undone, and no step emails anyone: both
/// are said every time, so that nobody has to guess.
pub fn consequences(from: CycleState, to: CycleState, facts: &CycleFacts) -> Vec<String> {
    let mut out = Vec::new();
    match (from, to) {
        (CycleState::Draft, CycleState::Recruiting) => {
            out.push("The open call appears on the home page of everyone signed in, and students can apply.".into());
            out.push(format!(
                "The meeting plan has {} and aims for {} hours per pair; you can still edit it.",
                plural(facts.sessions, "session", "sessions"),
                facts.hours_target
            ));
        }
        (CycleState::Recruiting, CycleState::Matching) => {
            out.push("The call closes now, however long you meant to keep it open: nobody can apply any more.".into());
            out.push(format!(
                "{} received; {} not decided yet.",
                plural(facts.applications, "application was", "applications were"),
                plural(facts.undecided, "is", "are")
            ));
            if facts.unanswered_invitations > 0 {
                out.push(format!(
                    "{} to staff leaders still waiting for an answer keep working.",
                    plural(facts.unanswered_invitations, "invitation", "invitations")
                ));
            }
        }
        (CycleState::Matching, CycleState::Running) => {
            if facts.active_pairs == 0 {
                out.push("No pairs have been published yet: publish them from the matching page first, or nobody will have a partner to meet.".into());
            } else {
                out.push(format!(
                    "{} published; they start meeting.",
                    plural(facts.active_pairs, "pair is", "pairs are")
                ));
            }
        }
        (CycleState::Running, CycleState::Evaluating) => {
            out.push("The cycle moves to its evaluation: the surveys after the cycle and the reflective chats.".into());
            out.push(format!(
                "{} keep meeting until the cycle closes.",
                plural(facts.active_pairs, "active pair", "active pairs")
            ));
        }
        (CycleState::Evaluating, CycleState::Closed) => {
            out.push(format!(
                "{} recorded as completed or ended early, as you choose below; a pair that never met is recorded as ended early.",
                plural(facts.active_pairs, "active pair is", "active pairs are")
            ));
            out.push("The meeting plan is kept as it ran: it can no longer be edited.".into());
            out.push("The periods for which the cycle's records are kept start counting.".into());
        }
        _ => {}
    }
    out.push("No one is emailed.".into());
    out.push("This cannot be undone: a cycle only moves forward.".into());
    out
}

/// How a pair's year ended, as recorded when its cycle closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairOutcome {
    Completed,
    EndedEarly,
}

impl PairOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            PairOutcome::Completed => "completed",
            PairOutcome::EndedEarly => "ended_early",
        }
    }

    pub fn parse(s: &str) -> Option<PairOutcome> {
        [PairOutcome::Completed, PairOutcome::EndedEarly]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// What a pair did against its cycle's plan: meetings logged as held, minutes met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairRecord {
    pub meetings_held: i64,
    pub minutes_held: i64,
}

impl PairRecord {
    /// A pair that never met did not complete, whatever anyone ticks.
    pub fn may_complete(self) -> bool {
        self.meetings_held > 0
    }

    /// The outcome the closing page suggests: completed when the pair met at all and held at
    /// least half the plan's sessions or half the hours target; otherwise ended early. The
    /// coordinator, who knows the pair, may choose the other (except completing a pair that
    /// never met).
    pub fn suggested(self, planned_sessions: usize, hours_target: i64) -> PairOutcome {
        let half_the_sessions =
            planned_sessions > 0 && 2 * self.meetings_held >= planned_sessions as i64;
        let half_the_hours = 2 * self.minutes_held >= 60 * hours_target;
        if self.may_complete() && (half_the_sessions || half_the_hours) {
            PairOutcome::Completed
        } else {
            PairOutcome::EndedEarly
        }
    }
}

/// A cycle's pairs counted once each, in words: "3 pairs: 2 completed, 1 ended early". Every
/// pair is in exactly one state, so the parts add up to the whole.
pub fn pairs_in_words(active: i64, completed: i64, ended_early: i64) -> String {
    let total = active + completed + ended_early;
    if total == 0 {
        return "No pairs yet.".into();
    }
    let parts: Vec<String> = [
        (active, "active"),
        (completed, "completed"),
        (ended_early, "ended early"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    format!(
        "{total} {}: {}.",
        if total == 1 { "pair" } else { "pairs" },
        parts.join(", ")
    )
}

/// An academic year such as 2025/26, starting in the autumn of its first calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AcademicYear(i32);

/// Text that is not an academic year.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an academic year: write it as 2025/26")]
pub struct InvalidAcademicYear(pub String);

impl AcademicYear {
    /// Parses "2025/26" (also "2025/2026" and "2025-26").
    pub fn parse(s: &str) -> Result<AcademicYear, InvalidAcademicYear> {
        let bad = || InvalidAcademicYear(s.to_string());
        let s = s.trim();
        let (a, b) = s.split_once(['/', '-']).ok_or_else(bad)?;
        let start: i32 = a.parse().map_err(|_| bad())?;
        if a.len() != 4 || !(1900..=2999).contains(&start) {
            return Err(bad());
        }
        let end: i32 = b.parse().map_err(|_| bad())?;
        let ok = match b.len() {
            2 => end == (start + 1) % 100,
            4 => end == start + 1,
            _ => false,
        };
        if ok {
            Ok(AcademicYear(start))
        } else {
            Err(bad())
        }
    }

    /// The year whose autumn starts this academic year.
    pub fn start_year(self) -> i32 {
        self.0
    }

    pub fn from_start_year(year: i32) -> AcademicYear {
        AcademicYear(year)
    }

    /// The academic year after this one.
    pub fn next(self) -> AcademicYear {
        AcademicYear(self.0 + 1)
    }

    /// The academic year a date falls in (years start on 1 August).
    pub fn containing(date: chrono::NaiveDate) -> AcademicYear {
        use chrono::Datelike;
        if date.month() >= 8 {
            AcademicYear(date.year())
        } else {
            AcademicYear(date.year() - 1)
        }
    }
}

impl fmt::Display for AcademicYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Pages name a year several times each ("2026/27"): its seven characters are written
        // directly for the years of four digits, instead of through the formatting machinery
        // (which showed in the home page's profile, issue 15).
        if let Ok(year @ 1000..=9999) = u16::try_from(self.0) {
            let next = (year + 1) % 100;
            let digit = |d: u16| b'0' + (d % 10) as u8;
            let text = [
                digit(year / 1000),
                digit(year / 100),
                digit(year / 10),
                digit(year),
                b'/',
                digit(next / 10),
                digit(next),
            ];
            return f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?);
        }
        write!(f, "{}/{:02}", self.0, (self.0 + 1) % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_academic_year_is_written_as_its_start_and_the_end_year_s_last_two_digits() {
        for (start, words) in [
            (2026, "2026/27"),
            (1999, "1999/00"),
            (2009, "2009/10"),
            (1000, "1000/01"),
            (9999, "9999/00"),
            (999, "999/00"),
            (10000, "10000/01"),
        ] {
            assert_eq!(AcademicYear::from_start_year(start).to_string(), words);
        }
    }

    #[test]
    fn cycles_move_forward_one_state_at_a_time() {
        let mut state = CycleState::Draft;
        let mut seen = vec![state];
        while let Some(next) = state.next() {
            state = state.transition(next).unwrap();
            seen.push(state);
        }
        assert_eq!(seen, CycleState::ALL.to_vec());
        assert!(
            CycleState::Recruiting
                .transition(CycleState::Running)
                .is_err()
        );
        assert!(
            CycleState::Running
                .transition(CycleState::Matching)
                .is_err()
        );
        let err = CycleState::Closed
            .transition(CycleState::Recruiting)
            .unwrap_err();
        assert!(err.to_string().contains("closed"));
        assert!(CycleState::Draft.transition(CycleState::Matching).is_err());
        assert!(!CycleState::Draft.is_under_way());
        assert!(!CycleState::Closed.is_under_way());
    }

    #[test]
    fn each_step_says_what_it_will_do_and_that_it_cannot_be_undone() {
        let facts = CycleFacts {
            sessions: 6,
            hours_target: 20,
            applications: 26,
            undecided: 1,
            unanswered_invitations: 3,
            active_pairs: 26,
        };
        let say = |from, to| consequences(from, to, &facts).join(" ");
        let open = say(CycleState::Draft, CycleState::Recruiting);
        assert!(open.contains("students can apply"), "{open}");
        assert!(open.contains("6 sessions and aims for 20 hours"), "{open}");
        let close_call = say(CycleState::Recruiting, CycleState::Matching);
        assert!(
            close_call.contains("26 applications were received; 1 is not decided yet."),
            "{close_call}"
        );
        assert!(close_call.contains("3 invitations"), "{close_call}");
        let closing = say(CycleState::Evaluating, CycleState::Closed);
        assert!(
            closing.contains("26 active pairs are recorded as completed or ended early"),
            "{closing}"
        );
        let none = CycleFacts::default();
        let run = consequences(CycleState::Matching, CycleState::Running, &none).join(" ");
        assert!(run.contains("No pairs have been published yet"), "{run}");
        let call = consequences(CycleState::Recruiting, CycleState::Matching, &none).join(" ");
        assert!(
            call.contains("0 applications were received; 0 are not decided yet."),
            "{call}"
        );
        for s in CycleState::ALL {
            if let Some(next) = s.next() {
                let all = consequences(s, next, &facts);
                assert_eq!(
                    all.last().unwrap(),
                    "This cannot be undone: a cycle only moves forward."
                );
                assert!(all.contains(&"No one is emailed.".to_string()));
            }
        }
    }

    #[test]
    fn a_pair_that_never_met_is_never_suggested_or_allowed_as_completed() {
        let rec = |meetings_held, minutes_held| PairRecord {
            meetings_held,
            minutes_held,
        };
        assert!(!rec(0, 0).may_complete());
        assert_eq!(rec(0, 0).suggested(0, 0), PairOutcome::EndedEarly);
        assert_eq!(rec(0, 0).suggested(6, 20), PairOutcome::EndedEarly);
        assert_eq!(
            rec(3, 180).suggested(6, 20),
            PairOutcome::Completed,
            "half the sessions"
        );
        assert_eq!(
            rec(2, 600).suggested(6, 20),
            PairOutcome::Completed,
            "half the hours"
        );
        assert_eq!(rec(2, 120).suggested(6, 20), PairOutcome::EndedEarly);
        assert_eq!(
            rec(1, 60).suggested(0, 2),
            PairOutcome::Completed,
            "no plan: hours decide"
        );
        for o in [PairOutcome::Completed, PairOutcome::EndedEarly] {
            assert_eq!(PairOutcome::parse(o.as_str()), Some(o));
        }
    }

    #[test]
    fn pairs_are_counted_once_each_in_words() {
        assert_eq!(
            pairs_in_words(0, 2, 1),
            "3 pairs: 2 completed, 1 ended early."
        );
        assert_eq!(pairs_in_words(1, 0, 0), "1 pair: 1 active.");
        assert_eq!(
            pairs_in_words(4, 1, 1),
            "6 pairs: 4 active, 1 completed, 1 ended early."
        );
        assert_eq!(pairs_in_words(0, 0, 0), "No pairs yet.");
    }

    #[test]
    fn academic_years_parse_in_the_usual_spellings() {
        assert_eq!(
            AcademicYear::parse("2025/26").unwrap().to_string(),
            "2025/26"
        );
        assert_eq!(
            AcademicYear::parse("2099/2100").unwrap().to_string(),
            "2099/00"
        );
        assert_eq!(AcademicYear::parse("2025-2026").unwrap().start_year(), 2025);
        for bad in ["2025", "2025/27", "25/26", "abcd/ef", "2025/2027", ""] {
            assert!(AcademicYear::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_date_in_september_starts_the_academic_year() {
        let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            AcademicYear::containing(d(2026, 9, 1)).to_string(),
            "2026/27"
        );
        assert_eq!(
            AcademicYear::containing(d(2026, 7, 31)).to_string(),
            "2025/26"
        );
    }
}
