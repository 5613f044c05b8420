//! Meetings of a pair (SPEC §3.4): a proposal names a start, a length and the session of the
//! plan it covers; it must lie in the future and must not overlap another meeting of either
//! member. Times are typed in the organisation's zone and kept in UTC.
use crate::local_time::Zone;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde::Serialize;

/// Shortest and longest meeting, in minutes.
pub const MIN_MINUTES: i64 = 15;
pub const MAX_MINUTES: i64 = 240;
/// Longest duration that can be logged for a held meeting, in minutes.
pub const MAX_HELD_MINUTES: i64 = 480;

/// Where a meeting stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum MeetingStatus {
    Proposed,
    Confirmed,
    Declined,
    Held,
}

impl MeetingStatus {
    pub const ALL: [MeetingStatus; 4] = [
        MeetingStatus::Proposed,
        MeetingStatus::Confirmed,
        MeetingStatus::Declined,
        MeetingStatus::Held,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MeetingStatus::Proposed => "proposed",
            MeetingStatus::Confirmed => "confirmed",
            MeetingStatus::Declined => "declined",
            MeetingStatus::Held => "held",
        }
    }

    pub fn parse(s: &str) -> Option<MeetingStatus> {
        MeetingStatus::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Whether the meeting still takes up its time in both members' diaries.
    pub fn occupies_time(self) -> bool {
        self != MeetingStatus::Declined
    }
}

/// A span of time a meeting takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub minutes: i64,
}

impl Slot {
    pub fn end(&self) -> DateTime<Utc> {
        self.start + Duration::minutes(self.minutes)
    }

    /// Shares any instant with `other` (back-to-back meetings do not overlap).
    pub fn overlaps(&self, other: &Slot) -> bool {
        self.start < other.end() && other.start < self.end()
    }
}

/// A checked proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proposal {
    pub slot: Slot,
    /// The session of the plan, counted from 0.
    pub session: usize,
}

/// The proposal form as typed.
#[derive(Debug, Clone, Default)]
pub struct ProposalInput<'a> {
    pub date: &'a str,
    pub time: &'a str,
    pub minutes: &'a str,
    /// The session of the plan, counted from 1 as shown.
    pub session: &'a str,
}

/// Checks a proposal; errors are (field, message) pairs, one per field that is wrong.
/// `busy` holds the slots of every other meeting of either member that still takes up time.
/// The date and time are read in `zone` (see [`crate::local_time`] for the hours the clocks
/// skip or repeat).
pub fn check_proposal(
    input: &ProposalInput<'_>,
    sessions: usize,
    now: DateTime<Utc>,
    busy: &[Slot],
    zone: Zone,
) -> Result<Proposal, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let date = match crate::dates::plausible_date(input.date) {
        Ok(d) => Some(d),
        Err(message) => {
            errors.push(("date", message));
            None
        }
    };
    let time = NaiveTime::parse_from_str(input.time.trim(), "%H:%M").ok();
    if time.is_none() {
        errors.push((
            "time",
            "Enter the start time as hours:minutes, for example 14:30.".to_string(),
        ));
    }
    let minutes = input
        .minutes
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|m| (MIN_MINUTES..=MAX_MINUTES).contains(m));
    if minutes.is_none() {
        errors.push((
            "minutes",
            format!("Enter the length in minutes, from {MIN_MINUTES} to {MAX_MINUTES}."),
        ));
    }
    let session = input
        .session
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|s| (1..=sessions).contains(s));
    if session.is_none() {
        errors.push((
            "session",
            "Choose the session of the plan this meeting covers.".to_string(),
        ));
    }
    let (Some(date), Some(time), Some(minutes), Some(session)) = (date, time, minutes, session)
    else {
        return Err(errors);
    };
    let start = match zone.instant(date, time) {
        Ok(start) => start,
        Err(message) => return Err(vec![("time", message)]),
    };
    let slot = Slot { start, minutes };
    if slot.start <= now {
        return Err(vec![(
            "date",
            "Choose a time in the future: this one has passed.".to_string(),
        )]);
    }
    if let Some(clash) = busy.iter().find(|b| b.overlaps(&slot)) {
        return Err(vec![(
            "time",
            format!(
                "This overlaps another meeting of one of you, on {}. Choose another time.",
                zone.span(clash.start, clash.minutes)
            ),
        )]);
    }
    Ok(Proposal {
        slot,
        session: session - 1,
    })
}

/// Checks the length of a held meeting, in minutes.
pub fn check_held_minutes(raw: &str) -> Result<i64, String> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|m| (1..=MAX_HELD_MINUTES).contains(m))
        .ok_or_else(|| format!("Enter how long you met, in minutes, from 1 to {MAX_HELD_MINUTES}."))
}

/// A length of time in words, as every page and email says one: "1 hour 12 minutes",
/// "45 minutes", "20 hours", "0 hours" — whole hours and minutes, never a decimal fraction.
pub fn hours(minutes: i64) -> String {
    let (h, m) = (minutes.max(0) / 60, minutes.max(0) % 60);
    let unit = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (h, m) {
        (h, 0) => unit(h, "hour", "hours"),
        (0, m) => unit(m, "minute", "minutes"),
        (h, m) => format!(
            "{} {}",
            unit(h, "hour", "hours"),
            unit(m, "minute", "minutes")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
    }

    fn input<'a>(date: &'a str, time: &'a str, minutes: &'a str) -> ProposalInput<'a> {
        ProposalInput {
            date,
            time,
            minutes,
            session: "2",
        }
    }

    #[test]
    fn a_future_free_slot_is_accepted_with_its_session_counted_from_zero() {
        let p = check_proposal(
            &input("2026-12-01", "14:30", "60"),
            7,
            now(),
            &[],
            Zone::UTC,
        )
        .unwrap();
        assert_eq!(
            p.slot.start,
            Utc.with_ymd_and_hms(2026, 12, 1, 14, 30, 0).unwrap()
        );
        assert_eq!(p.slot.minutes, 60);
        assert_eq!(p.session, 1);
    }

    #[test]
    fn every_malformed_field_is_named() {
        let e = check_proposal(
            &ProposalInput {
                date: "1/12/2026",
                time: "2pm",
                minutes: "5",
                session: "9",
            },
            7,
            now(),
            &[],
            Zone::UTC,
        )
        .unwrap_err();
        let fields: Vec<_> = e.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["date", "time", "minutes", "session"]);
    }

    #[test]
    fn a_time_in_the_past_is_refused() {
        let e = check_proposal(
            &input("2026-11-23", "11:59", "60"),
            7,
            now(),
            &[],
            Zone::UTC,
        )
        .unwrap_err();
        assert_eq!(e[0].0, "date");
        assert!(e[0].1.contains("has passed"));
    }

    #[test]
    fn an_overlap_is_refused_but_back_to_back_is_fine() {
        let busy = [Slot {
            start: Utc.with_ymd_and_hms(2026, 12, 1, 14, 0, 0).unwrap(),
            minutes: 60,
        }];
        let e = check_proposal(
            &input("2026-12-01", "14:30", "60"),
            7,
            now(),
            &busy,
            Zone::UTC,
        )
        .unwrap_err();
        assert!(e[0].1.contains("overlaps another meeting"), "{}", e[0].1);
        assert!(e[0].1.contains("14:00–15:00 UTC"), "{}", e[0].1);
        assert!(
            check_proposal(
                &input("2026-12-01", "15:00", "30"),
                7,
                now(),
                &busy,
                Zone::UTC
            )
            .is_ok()
        );
        assert!(
            check_proposal(
                &input("2026-12-01", "13:00", "60"),
                7,
                now(),
                &busy,
                Zone::UTC
            )
            .is_ok()
        );
        assert!(
            check_proposal(
                &input("2026-12-01", "13:00", "61"),
                7,
                now(),
                &busy,
                Zone::UTC
            )
            .is_err()
        );
    }

    #[test]
    fn a_proposal_is_read_in_the_organisations_zone_across_the_changes_of_the_clocks() {
        let london = Zone::default();
        let at = |date, time| {
            check_proposal(&input(date, time, "60"), 7, now(), &[], london).map(|p| p.slot.start)
        };
        // Summer time: 14:30 in London is 13:30 UTC; winter time: the same.
        assert_eq!(
            at("2027-06-14", "14:30"),
            Ok(Utc.with_ymd_and_hms(2027, 6, 14, 13, 30, 0).unwrap())
        );
        assert_eq!(
            at("2027-01-11", "14:30"),
            Ok(Utc.with_ymd_and_hms(2027, 1, 11, 14, 30, 0).unwrap())
        );
        // The hour skipped on the last Sunday of March is refused next to the time.
        let e = at("2027-03-28", "01:30").unwrap_err();
        assert_eq!(e[0].0, "time");
        assert!(e[0].1.contains("does not exist"), "{}", e[0].1);
        // The hour repeated on the last Sunday of October is its first occurrence (BST).
        assert_eq!(
            at("2027-10-31", "01:30"),
            Ok(Utc.with_ymd_and_hms(2027, 10, 31, 0, 30, 0).unwrap())
        );
        // A clash is described in the zone.
        let busy = [Slot {
            start: Utc.with_ymd_and_hms(2027, 6, 14, 13, 0, 0).unwrap(),
            minutes: 60,
        }];
        let e = check_proposal(&input("2027-06-14", "14:30", "30"), 7, now(), &busy, london)
            .unwrap_err();
        assert!(
            e[0].1.contains("14:00–15:00 BST (Europe/London)"),
            "{}",
            e[0].1
        );
    }

    #[test]
    fn held_minutes_are_bounded_and_time_is_said_in_hours_and_minutes() {
        assert_eq!(check_held_minutes(" 75 "), Ok(75));
        assert!(check_held_minutes("0").is_err());
        assert!(check_held_minutes("481").is_err());
        assert!(check_held_minutes("an hour").is_err());
        assert_eq!(hours(72), "1 hour 12 minutes");
        assert_eq!(hours(80), "1 hour 20 minutes");
        assert_eq!(hours(121), "2 hours 1 minute");
        assert_eq!(hours(45), "45 minutes");
        assert_eq!(hours(60), "1 hour");
        assert_eq!(hours(1200), "20 hours");
        assert_eq!(hours(0), "0 hours");
    }
}
