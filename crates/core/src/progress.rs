//! What a cycle has done and what waits for its coordinators, stage by stage (issue 14): the
//! to-do items a coordinator's home page lists, each a count that leads to the page where it
//! is dealt with, and the cycle page's four stages (recruit, match, run, evaluate) with what
//! is done and what comes next. Pure: the figures are counted in SQL and handed in.
use crate::cycle::CycleState;
use crate::evaluation::Wave;
use crate::local_time::Zone;
use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};

/// Weeks without a held meeting after which an active pair is listed as not meeting, unless
/// the organisation sets another number.
pub const DEFAULT_STALE_WEEKS: u32 = 4;
/// The longest the setting may be: half a year, beyond which a pair that never meets would
/// not be noticed within its cycle.
pub const MAX_STALE_WEEKS: u32 = 26;

/// The organisation's setting: after how many weeks without a held meeting a pair is listed
/// as not meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleWeeks(u32);

impl Default for StaleWeeks {
    fn default() -> Self {
        StaleWeeks(DEFAULT_STALE_WEEKS)
    }
}

impl StaleWeeks {
    /// Parses the settings form's field: a whole number of weeks from 1 to
    /// [`MAX_STALE_WEEKS`].
    pub fn parse(raw: &str) -> Result<StaleWeeks, String> {
        match raw.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_STALE_WEEKS).contains(&n) => Ok(StaleWeeks(n)),
            _ => Err(format!(
                "Enter the weeks without a meeting as a whole number from 1 to {MAX_STALE_WEEKS}."
            )),
        }
    }

    /// A stored value; one outside the range is a corrupt value, not a setting.
    pub fn from_stored(n: i64) -> Option<StaleWeeks> {
        u32::try_from(n)
            .ok()
            .filter(|n| (1..=MAX_STALE_WEEKS).contains(n))
            .map(StaleWeeks)
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// The instant before which a pair's last held meeting makes it "not met": the start of
    /// the organisation's day that many weeks before `today`. A pair published after it has
    /// not yet had the time to meet, and is not listed either.
    pub fn cutoff(self, today: NaiveDate, zone: Zone) -> DateTime<Utc> {
        let day = today
            .checked_sub_days(Days::new(u64::from(self.0) * 7))
            .unwrap_or(today);
        // Where the clocks skip midnight (a few zones do), the day starts an hour later.
        zone.instant(day, NaiveTime::MIN)
            .or_else(|_| zone.instant(day, NaiveTime::from_hms_opt(1, 0, 0).unwrap_or_default()))
            .unwrap_or_else(|_| day.and_time(NaiveTime::MIN).and_utc())
    }
}

/// Whether an active pair counts as not meeting: published before `cutoff`, with no meeting
/// held since (`last_met` is when its latest held meeting started). The counts in the store
/// say the same in SQL; the hours page marks each such pair with this.
pub fn not_meeting(
    published_at: DateTime<Utc>,
    last_met: Option<DateTime<Utc>>,
    cutoff: DateTime<Utc>,
) -> bool {
    published_at < cutoff && last_met.is_none_or(|m| m < cutoff)
}

/// The four stages of a cycle's year, each grouping one or more states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Recruit,
    Match,
    Run,
    Evaluate,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Recruit, Stage::Match, Stage::Run, Stage::Evaluate];

    /// The stage a state belongs to; a closed cycle has finished every stage.
    pub fn of(state: CycleState) -> Option<Stage> {
        match state {
            // A draft is preparing its call: the first stage, not yet open.
            CycleState::Draft | CycleState::Recruiting => Some(Stage::Recruit),
            CycleState::Matching => Some(Stage::Match),
            CycleState::Running => Some(Stage::Run),
            CycleState::Evaluating => Some(Stage::Evaluate),
            CycleState::Closed => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Stage::Recruit => "Recruit",
            Stage::Match => "Match",
            Stage::Run => "Run",
            Stage::Evaluate => "Evaluate",
        }
    }

    /// A stable identifier, for the page's anchors.
    pub fn id(self) -> &'static str {
        match self {
            Stage::Recruit => "recruit",
            Stage::Match => "match",
            Stage::Run => "run",
            Stage::Evaluate => "evaluate",
        }
    }

    /// Where a cycle in `state` stands with this stage.
    pub fn standing(self, state: CycleState) -> Standing {
        match Stage::of(state) {
            None => Standing::Done,
            Some(now) if now == self => Standing::Now,
            Some(now) if now > self => Standing::Done,
            Some(_) => Standing::Later,
        }
    }
}

/// Whether a stage is behind the cycle, is where it is, or is still to come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Done,
    Now,
    Later,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::Done => "done",
            Standing::Now => "now",
            Standing::Later => "later",
        }
    }
}

/// The page where a to-do item is dealt with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// Deciding applications.
    Applications,
    /// The staff invitations: answers awaited, links to send again.
    Invitations,
    /// Matching the accepted people into pairs.
    Matching,
    /// The pairs' list, with its nudge.
    Nudge,
    /// Hours met per pair, with when each last met.
    Meetings,
    /// Concerns raised with the coordinators.
    Concerns,
    /// The survey waves: dates, invitations, reminders, response rates.
    Surveys,
}

/// One survey wave open today, with its response so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenWave {
    pub wave: Wave,
    pub closes_on: NaiveDate,
    /// People enrolled in the cycle's evaluation (invited to a wave).
    pub enrolled: u64,
    /// Of them, how many submitted this wave.
    pub responded: u64,
}

/// What a cycle's records hold, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Applications not withdrawn.
    pub applications: u64,
    /// Of them, not yet decided.
    pub undecided: u64,
    /// Of them, accepted.
    pub accepted: u64,
    /// Staff leaders invited.
    pub invitations: u64,
    /// Of them, who accepted.
    pub staff_accepted: u64,
    /// Of them, whose link still works and who have not answered.
    pub invitations_waiting: u64,
    /// Of them, whose link expired before they answered.
    pub invitations_expired: u64,
    /// Pairs ever published, and how many of them are in each state.
    pub pairs_matched: u64,
    pub pairs_active: u64,
    pub pairs_completed: u64,
    pub pairs_ended_early: u64,
    /// Active pairs where a member has not accepted the expectations agreement.
    pub agreements_missing: u64,
    /// Active pairs with no held meeting since the stale cutoff (and published before it).
    pub stale_pairs: u64,
    /// Meetings held, across every pair.
    pub meetings_held: u64,
    /// Concerns no coordinator has read yet.
    pub new_concerns: u64,
    /// Waves whose dates are set.
    pub waves_set: u64,
    /// Waves open today.
    pub open_waves: Vec<OpenWave>,
}

/// Something waiting for a coordinator: the words, with the count in them, and where it is
/// dealt with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToDo {
    pub stage: Stage,
    pub step: Step,
    pub text: String,
}

/// A count and its noun ("1 pair", "3 pairs"), written straight into the sentence that holds
/// it (no string of its own: the home page builds these on every request).
fn count<'a>(n: u64, one: &'a str, many: &'a str) -> impl std::fmt::Display + 'a {
    struct Count<'a>(u64, &'a str, &'a str);
    impl std::fmt::Display for Count<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self.0 {
                1 => write!(f, "1 {}", self.1),
                n => write!(f, "{n} {}", self.2),
            }
        }
    }
    Count(n, one, many)
}

/// How a wave is named where people read it.
pub fn wave_title(wave: Wave) -> &'static str {
    match wave {
        Wave::Pre => "The survey before the cycle",
        Wave::Post => "The survey after the cycle",
        Wave::Followup => "The six-month follow-up survey",
    }
}

fn wave_line(w: &OpenWave) -> String {
    let answered = if w.enrolled == 0 {
        "nobody has been invited yet".to_string()
    } else {
        format!(
            "{} of {} answered ({}%)",
            w.responded,
            w.enrolled,
            w.responded * 100 / w.enrolled
        )
    };
    format!(
        "{} is open until {}: {answered}",
        wave_title(w.wave),
        crate::local_time::DAY_MONTH_YEAR.of(&w.closes_on)
    )
}

/// What waits for the coordinators of a cycle in `state`, in the order of the year. Only what
/// needs doing is listed: a cycle with nothing waiting has no items.
pub fn to_do(state: CycleState, f: &Figures, stale: StaleWeeks) -> Vec<ToDo> {
    let mut out = Vec::new();
    let mut add = |stage, step, text: String| out.push(ToDo { stage, step, text });
    if f.undecided > 0 {
        add(
            Stage::Recruit,
            Step::Applications,
            format!(
                "{} to decide",
                count(f.undecided, "application", "applications")
            ),
        );
    }
    if f.invitations_waiting > 0 {
        add(
            Stage::Recruit,
            Step::Invitations,
            format!(
                "{} yet to answer",
                count(f.invitations_waiting, "invited leader", "invited leaders")
            ),
        );
    }
    if f.invitations_expired > 0 {
        add(
            Stage::Recruit,
            Step::Invitations,
            format!(
                "{} expired unanswered",
                count(f.invitations_expired, "invitation link", "invitation links")
            ),
        );
    }
    if state == CycleState::Matching && f.pairs_matched == 0 {
        add(
            Stage::Match,
            Step::Matching,
            format!(
                "{} and {} to match",
                count(f.accepted, "accepted student", "accepted students"),
                count(f.staff_accepted, "leader", "leaders")
            ),
        );
    }
    if f.agreements_missing > 0 {
        add(
            Stage::Run,
            Step::Nudge,
            format!(
                "{} yet to accept the expectations agreement",
                count(f.agreements_missing, "pair", "pairs")
            ),
        );
    }
    if f.stale_pairs > 0 {
        add(
            Stage::Run,
            Step::Meetings,
            format!(
                "{} not met for {}",
                count(f.stale_pairs, "pair has", "pairs have"),
                count(u64::from(stale.get()), "week", "weeks")
            ),
        );
    }
    if f.new_concerns > 0 {
        add(
            Stage::Run,
            Step::Concerns,
            count(f.new_concerns, "new concern", "new concerns").to_string(),
        );
    }
    for w in &f.open_waves {
        add(Stage::Evaluate, Step::Surveys, wave_line(w));
    }
    out
}

/// One stage of a cycle as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageReport {
    pub stage: Stage,
    pub standing: Standing,
    /// What the records say, in sentences.
    pub facts: Vec<String>,
    /// What waits in this stage.
    pub to_do: Vec<ToDo>,
    /// When this is the current stage and nothing waits: the state the cycle can move to.
    pub ready_for: Option<CycleState>,
}

/// "2 active, 1 completed": the non-zero parts, or `None` when every part is zero.
fn parts(items: &[(u64, &str)]) -> Option<String> {
    let shown: Vec<String> = items
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    (!shown.is_empty()).then(|| shown.join(", "))
}

fn recruit_facts(state: CycleState, f: &Figures) -> Vec<String> {
    let call = if state == CycleState::Recruiting {
        "Call open"
    } else if Stage::Recruit.standing(state) == Standing::Done {
        "Call closed"
    } else {
        "Call not open yet"
    };
    let mut applications = format!(
        "{call}: {}",
        count(f.applications, "application", "applications")
    );
    if let Some(p) = parts(&[(f.accepted, "accepted"), (f.undecided, "undecided")]) {
        applications.push_str(&format!(" ({p})"));
    }
    let declined = f
        .invitations
        .saturating_sub(f.staff_accepted + f.invitations_waiting + f.invitations_expired);
    let staff = if f.invitations == 0 {
        "No staff leaders invited yet".to_string()
    } else {
        let mut s = format!(
            "{} invited",
            count(f.invitations, "staff leader", "staff leaders")
        );
        if let Some(p) = parts(&[
            (f.staff_accepted, "accepted"),
            (f.invitations_waiting, "waiting for an answer"),
            (declined, "declined"),
            (f.invitations_expired, "expired unanswered"),
        ]) {
            s.push_str(&format!(": {p}"));
        }
        s
    };
    vec![format!("{applications}."), format!("{staff}.")]
}

fn match_facts(f: &Figures) -> Vec<String> {
    if f.pairs_matched == 0 {
        vec![format!(
            "No pairs published yet: {} and {} accepted so far.",
            count(f.accepted, "student", "students"),
            count(f.staff_accepted, "staff leader", "staff leaders")
        )]
    } else {
        vec![format!(
            "{} published.",
            count(f.pairs_matched, "pair", "pairs")
        )]
    }
}

fn run_facts(f: &Figures) -> Vec<String> {
    if f.pairs_matched == 0 {
        return vec!["No pairs yet.".to_string()];
    }
    vec![format!(
        "{} held, across {}.",
        count(f.meetings_held, "meeting", "meetings"),
        count(f.pairs_matched, "pair", "pairs")
    )]
}

fn evaluate_facts(f: &Figures) -> Vec<String> {
    let total = Wave::ALL.len() as u64;
    vec![if f.waves_set == 0 {
        "No survey dates set yet.".to_string()
    } else {
        format!("Survey dates set for {} of {total} waves.", f.waves_set)
    }]
}

/// The cycle's four stages: for each, whether it is done, now or later, what the records say
/// and what waits. Everything waiting is listed under its own stage, whichever stage the
/// cycle is in (an application left undecided while pairs meet still waits).
pub fn stages(state: CycleState, f: &Figures, stale: StaleWeeks) -> Vec<StageReport> {
    let items = to_do(state, f, stale);
    Stage::ALL
        .iter()
        .map(|&stage| {
            let standing = stage.standing(state);
            let facts = match stage {
                Stage::Recruit => recruit_facts(state, f),
                Stage::Match => match_facts(f),
                Stage::Run => run_facts(f),
                Stage::Evaluate => evaluate_facts(f),
            };
            let to_do: Vec<ToDo> = items.iter().filter(|i| i.stage == stage).cloned().collect();
            let ready_for = if standing == Standing::Now && to_do.is_empty() {
                state.next()
            } else {
                None
            };
            StageReport {
                stage,
                standing,
                facts,
                to_do,
                ready_for,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stages_list_everything_waiting_in_the_order_of_the_to_do_list() {
        // The home page lists a cycle's to-do items from its stages (kept per cycle for the
        // cycle page): both must say the same, in the same order.
        let f = Figures {
            applications: 20,
            undecided: 18,
            invitations: 5,
            invitations_waiting: 2,
            invitations_expired: 1,
            pairs_matched: 4,
            pairs_active: 4,
            agreements_missing: 1,
            stale_pairs: 2,
            new_concerns: 3,
            ..Figures::default()
        };
        for state in [
            CycleState::Recruiting,
            CycleState::Matching,
            CycleState::Running,
        ] {
            let from_stages: Vec<ToDo> = stages(state, &f, StaleWeeks::default())
                .into_iter()
                .flat_map(|s| s.to_do)
                .collect();
            let listed = to_do(state, &f, StaleWeeks::default());
            assert!(listed.len() >= 6, "{state:?}: {listed:?}");
            assert_eq!(from_stages, listed, "{state:?}");
        }
    }

    fn figures() -> Figures {
        Figures {
            applications: 12,
            undecided: 3,
            accepted: 8,
            invitations: 10,
            staff_accepted: 6,
            invitations_waiting: 2,
            invitations_expired: 1,
            ..Figures::default()
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_stale_setting_takes_whole_weeks_from_one_to_twenty_six() {
        assert_eq!(StaleWeeks::parse(" 4 ").unwrap().get(), 4);
        assert_eq!(StaleWeeks::parse("26").unwrap().get(), 26);
        for bad in ["0", "27", "-1", "2.5", "four", ""] {
            assert!(StaleWeeks::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(StaleWeeks::default().get(), 4);
        assert_eq!(StaleWeeks::from_stored(3), Some(StaleWeeks(3)));
        assert_eq!(StaleWeeks::from_stored(0), None);
    }

    #[test]
    fn the_cutoff_is_the_start_of_the_organisations_day_weeks_ago() {
        let london = Zone::parse("Europe/London").unwrap();
        // 4 weeks before 30 November 2026 is 2 November, in GMT.
        let cut = StaleWeeks(4).cutoff(date(2026, 11, 30), london);
        assert_eq!(cut.to_rfc3339(), "2026-11-02T00:00:00+00:00");
        // In summer the organisation's day starts at 23:00 UTC the evening before.
        let cut = StaleWeeks(1).cutoff(date(2026, 7, 8), london);
        assert_eq!(cut.to_rfc3339(), "2026-06-30T23:00:00+00:00");
    }

    #[test]
    fn a_pair_is_not_meeting_once_published_and_unmet_since_the_cutoff() {
        let london = Zone::parse("Europe/London").unwrap();
        let cut = StaleWeeks(4).cutoff(date(2026, 11, 30), london);
        let at = |d| london.instant(date(2026, 10, d), NaiveTime::MIN).unwrap();
        // Published in October, never met: not meeting.
        assert!(not_meeting(at(1), None, cut));
        // Met after the cutoff: meeting.
        assert!(!not_meeting(at(1), Some(cut), cut));
        // Last met before it: not meeting.
        assert!(not_meeting(at(1), Some(at(20)), cut));
        // Published after the cutoff: too new to count.
        assert!(!not_meeting(cut + chrono::Duration::days(1), None, cut));
    }

    #[test]
    fn only_what_needs_doing_is_listed_with_its_count_and_page() {
        let mut f = figures();
        f.agreements_missing = 1;
        f.stale_pairs = 2;
        f.new_concerns = 1;
        f.pairs_matched = 5;
        f.open_waves = vec![OpenWave {
            wave: Wave::Pre,
            closes_on: date(2026, 12, 12),
            enrolled: 20,
            responded: 5,
        }];
        let items = to_do(CycleState::Running, &f, StaleWeeks(4));
        let got: Vec<(&str, Step)> = items.iter().map(|i| (i.text.as_str(), i.step)).collect();
        assert_eq!(
            got,
            [
                ("3 applications to decide", Step::Applications),
                ("2 invited leaders yet to answer", Step::Invitations),
                ("1 invitation link expired unanswered", Step::Invitations),
                (
                    "1 pair yet to accept the expectations agreement",
                    Step::Nudge
                ),
                ("2 pairs have not met for 4 weeks", Step::Meetings),
                ("1 new concern", Step::Concerns),
                (
                    "The survey before the cycle is open until 12 December 2026: 5 of 20 answered (25%)",
                    Step::Surveys
                ),
            ]
        );
        // Nothing waiting, nothing listed.
        assert!(to_do(CycleState::Running, &Figures::default(), StaleWeeks(4)).is_empty());
    }

    #[test]
    fn a_cycle_matching_without_pairs_is_asked_to_match() {
        let f = figures();
        let items = to_do(CycleState::Matching, &f, StaleWeeks(4));
        assert!(
            items.iter().any(|i| i.step == Step::Matching
                && i.text == "8 accepted students and 6 leaders to match")
        );
        let published = Figures {
            pairs_matched: 6,
            ..figures()
        };
        assert!(
            !to_do(CycleState::Matching, &published, StaleWeeks(4))
                .iter()
                .any(|i| i.step == Step::Matching)
        );
    }

    #[test]
    fn an_open_wave_nobody_was_invited_to_says_so() {
        let w = OpenWave {
            wave: Wave::Post,
            closes_on: date(2027, 6, 1),
            enrolled: 0,
            responded: 0,
        };
        assert_eq!(
            wave_line(&w),
            "The survey after the cycle is open until 1 June 2027: nobody has been invited yet"
        );
    }

    #[test]
    fn stages_stand_done_now_or_later_by_the_cycle_state() {
        let standings = |state| {
            Stage::ALL
                .iter()
                .map(|s| s.standing(state).label())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            standings(CycleState::Draft),
            ["now", "later", "later", "later"]
        );
        assert_eq!(
            standings(CycleState::Recruiting),
            ["now", "later", "later", "later"]
        );
        assert_eq!(
            standings(CycleState::Running),
            ["done", "done", "now", "later"]
        );
        assert_eq!(
            standings(CycleState::Closed),
            ["done", "done", "done", "done"]
        );
    }

    #[test]
    fn the_recruit_stage_says_what_is_done_and_what_is_next() {
        let report = stages(CycleState::Recruiting, &figures(), StaleWeeks(4));
        let recruit = &report[0];
        assert_eq!(recruit.standing, Standing::Now);
        assert_eq!(
            recruit.facts,
            [
                "Call open: 12 applications (8 accepted, 3 undecided).",
                "10 staff leaders invited: 6 accepted, 2 waiting for an answer, 1 declined, 1 expired unanswered."
            ]
        );
        assert_eq!(recruit.to_do[0].text, "3 applications to decide");
        assert_eq!(recruit.ready_for, None, "work waits: not ready to move on");
        // Nothing waiting: the cycle can move on.
        let done = Figures {
            applications: 4,
            accepted: 4,
            ..Figures::default()
        };
        let report = stages(CycleState::Recruiting, &done, StaleWeeks(4));
        assert_eq!(report[0].ready_for, Some(CycleState::Matching));
        assert_eq!(report[0].facts[1], "No staff leaders invited yet.");
        assert_eq!(report[1].ready_for, None, "later stages are not ready");
    }

    #[test]
    fn a_closed_cycle_has_done_every_stage_and_says_what_it_did() {
        let f = Figures {
            pairs_matched: 3,
            pairs_completed: 2,
            pairs_ended_early: 1,
            meetings_held: 14,
            ..Figures::default()
        };
        let report = stages(CycleState::Closed, &f, StaleWeeks(4));
        assert!(report.iter().all(|s| s.standing == Standing::Done));
        assert_eq!(report[1].facts, ["3 pairs published."]);
        assert_eq!(report[2].facts, ["14 meetings held, across 3 pairs."]);
        assert_eq!(report[0].facts[0], "Call closed: 0 applications.");
        assert!(report.iter().all(|s| s.ready_for.is_none()));
    }
}
