//! Survey reminders on a schedule the coordinator sets per wave (issue 14): every so many days
//! after the wave opens, and on named dates, while it is open. The email worker sends each
//! reminder once, to those who have not submitted; this module decides which day's reminder is
//! due and reads the schedule as the coordinator types it.
use crate::evaluation::Wave;
use crate::surveys::WaveDates;
use chrono::{Days, NaiveDate};
use std::collections::BTreeMap;

/// The longest gap between regular reminders, in days.
pub const MAX_EVERY_DAYS: u32 = 60;

/// The most dates a wave's reminders may be named on.
pub const MAX_NAMED_DATES: usize = 20;

/// When a wave's reminders go out on their own. Empty: only when the coordinator sends them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReminderSchedule {
    /// A reminder every this many days after the wave opens (day 7, 14, … for 7).
    pub every_days: Option<u32>,
    /// Named days, in order, each once.
    pub dates: Vec<NaiveDate>,
}

/// The schedule's field names in the form, e.g. `pre_remind_every`, `pre_remind_dates`.
pub fn schedule_field(wave: Wave, which: &str) -> String {
    format!("{}_remind_{which}", wave.as_str())
}

impl ReminderSchedule {
    /// Whether no reminder goes out on its own.
    pub fn is_empty(&self) -> bool {
        self.every_days.is_none() && self.dates.is_empty()
    }

    /// Every day a reminder is scheduled for while `wave` is open (never its opening day, when
    /// the invitations go), in order.
    pub fn days(&self, wave: &WaveDates) -> Vec<NaiveDate> {
        let mut days: Vec<NaiveDate> = self
            .dates
            .iter()
            .copied()
            .filter(|d| *d > wave.opens_on && *d <= wave.closes_on)
            .collect();
        if let Some(n) = self.every_days.filter(|n| *n > 0) {
            let mut day = wave.opens_on;
            while let Some(next) = day.checked_add_days(Days::new(u64::from(n))) {
                if next > wave.closes_on {
                    break;
                }
                days.push(next);
                day = next;
            }
        }
        days.sort_unstable();
        days.dedup();
        days
    }

    /// The scheduled day whose reminder is due on `today`: the latest on or before it, while
    /// the wave is open. A day missed (the worker stopped) is not made up one by one: the
    /// latest one stands for it, so nobody gets a burst of reminders at once.
    pub fn due_on(&self, wave: &WaveDates, today: NaiveDate) -> Option<NaiveDate> {
        if !wave.is_open(today) {
            return None;
        }
        self.days(wave).into_iter().rfind(|d| *d <= today)
    }

    /// The next scheduled day after `today`, for the page.
    pub fn next_after(&self, wave: &WaveDates, today: NaiveDate) -> Option<NaiveDate> {
        self.days(wave).into_iter().find(|d| *d > today)
    }

    /// The named dates as stored and as the form shows them: "2026-10-08, 2026-10-15".
    pub fn dates_text(&self) -> String {
        self.dates
            .iter()
            .map(NaiveDate::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Reads a stored schedule. A stored date that does not read is an error, never skipped.
    pub fn stored(every_days: Option<i64>, dates: &str) -> Result<ReminderSchedule, String> {
        let every_days = every_days
            .map(|n| u32::try_from(n).map_err(|_| format!("stored reminder interval {n}")))
            .transpose()?;
        let dates = split_dates(dates)
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| format!("stored reminder date {d}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReminderSchedule { every_days, dates })
    }

    /// The schedule in words: "A reminder every 7 days while the wave is open, and on
    /// 2026-10-20."
    pub fn words(&self) -> String {
        let every = self.every_days.map(|n| match n {
            1 => "every day".to_string(),
            n => format!("every {n} days"),
        });
        let on = (!self.dates.is_empty()).then(|| {
            let dates: Vec<String> = self.dates.iter().map(NaiveDate::to_string).collect();
            format!("on {}", crate::matching::join_words(&dates))
        });
        match (every, on) {
            (None, None) => "No reminders go out on their own.".to_string(),
            (Some(e), None) => format!("A reminder {e} while the wave is open."),
            (None, Some(o)) => format!("A reminder {o}."),
            (Some(e), Some(o)) => format!("A reminder {e} while the wave is open, and {o}."),
        }
    }
}

fn split_dates(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|d| !d.is_empty())
}

/// Reads one wave's schedule as typed: `every` a whole number of days from 1 to
/// [`MAX_EVERY_DAYS`] or blank; `dates` year-month-day dates separated by commas or spaces,
/// each while the wave is open and after its first day. Errors are keyed by field and name
/// the wave, since every wave's schedule is on one page.
pub fn validate_schedule(
    wave: &WaveDates,
    every: &str,
    dates: &str,
) -> Result<ReminderSchedule, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    let title = wave.wave.title();
    let every = every.trim();
    let every_days = if every.is_empty() {
        None
    } else {
        match every.parse::<u32>() {
            Ok(n) if (1..=MAX_EVERY_DAYS).contains(&n) => Some(n),
            _ => {
                errors.insert(
                    schedule_field(wave.wave, "every"),
                    format!(
                        "{title}: enter a whole number of days from 1 to {MAX_EVERY_DAYS} between reminders, or leave it blank for none."
                    ),
                );
                None
            }
        }
    };
    let mut named = Vec::new();
    for raw in split_dates(dates) {
        match crate::dates::plausible_date(raw) {
            Ok(d) if d > wave.opens_on && d <= wave.closes_on => named.push(d),
            Ok(d) => {
                errors.insert(
                    schedule_field(wave.wave, "dates"),
                    format!(
                        "{title}: {d} is not a day the wave is open after its first (it opens on {} and closes on {}).",
                        wave.opens_on, wave.closes_on
                    ),
                );
                break;
            }
            Err(message) => {
                errors.insert(
                    schedule_field(wave.wave, "dates"),
                    format!("{title}: {raw} does not read as a date. {message}"),
                );
                break;
            }
        }
    }
    named.sort_unstable();
    named.dedup();
    if named.len() > MAX_NAMED_DATES {
        errors.insert(
            schedule_field(wave.wave, "dates"),
            format!("{title}: name at most {MAX_NAMED_DATES} dates."),
        );
    }
    if errors.is_empty() {
        Ok(ReminderSchedule {
            every_days,
            dates: named,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn pre() -> WaveDates {
        WaveDates {
            wave: Wave::Pre,
            opens_on: d("2026-10-01"),
            closes_on: d("2026-10-21"),
        }
    }

    #[test]
    fn a_reminder_every_seven_days_is_due_on_days_eight_and_fifteen_and_stands_until_the_next() {
        let s = ReminderSchedule {
            every_days: Some(7),
            dates: vec![],
        };
        assert_eq!(
            s.days(&pre()),
            vec![d("2026-10-08"), d("2026-10-15")],
            "2026-10-22 is after the wave closes"
        );
        assert_eq!(s.due_on(&pre(), d("2026-10-01")), None, "the opening day");
        assert_eq!(s.due_on(&pre(), d("2026-10-07")), None);
        assert_eq!(s.due_on(&pre(), d("2026-10-08")), Some(d("2026-10-08")));
        assert_eq!(s.due_on(&pre(), d("2026-10-14")), Some(d("2026-10-08")));
        assert_eq!(s.due_on(&pre(), d("2026-10-21")), Some(d("2026-10-15")));
        assert_eq!(s.due_on(&pre(), d("2026-10-22")), None, "closed");
        assert_eq!(s.next_after(&pre(), d("2026-10-08")), Some(d("2026-10-15")));
        assert_eq!(s.next_after(&pre(), d("2026-10-15")), None);
    }

    #[test]
    fn named_dates_join_the_regular_ones_and_an_empty_schedule_sends_nothing() {
        let s = ReminderSchedule {
            every_days: Some(7),
            dates: vec![d("2026-10-08"), d("2026-10-20")],
        };
        assert_eq!(
            s.days(&pre()),
            vec![d("2026-10-08"), d("2026-10-15"), d("2026-10-20")]
        );
        assert_eq!(s.due_on(&pre(), d("2026-10-21")), Some(d("2026-10-20")));
        assert_eq!(
            s.words(),
            "A reminder every 7 days while the wave is open, and on 2026-10-08 and 2026-10-20."
        );
        let none = ReminderSchedule::default();
        assert!(none.is_empty());
        assert_eq!(none.due_on(&pre(), d("2026-10-15")), None);
    }

    #[test]
    fn a_schedule_as_typed_is_read_and_bad_input_names_the_wave_and_the_field() {
        let s = validate_schedule(&pre(), " 7 ", "2026-10-20, 2026-10-09 2026-10-20").unwrap();
        assert_eq!(s.every_days, Some(7));
        assert_eq!(s.dates, vec![d("2026-10-09"), d("2026-10-20")]);
        assert_eq!(s.dates_text(), "2026-10-09, 2026-10-20");
        assert_eq!(
            ReminderSchedule::stored(Some(7), &s.dates_text()).unwrap(),
            s
        );
        assert!(validate_schedule(&pre(), "", "").unwrap().is_empty());

        let e = validate_schedule(&pre(), "0", "2026-11-01").unwrap_err();
        assert!(e["pre_remind_every"].starts_with("Before the cycle: enter a whole number"));
        assert!(
            e["pre_remind_dates"].contains("2026-11-01 is not a day the wave is open"),
            "{e:?}"
        );
        let e = validate_schedule(&pre(), "seven", "1 Oct").unwrap_err();
        assert!(e.contains_key("pre_remind_every"));
        assert!(e["pre_remind_dates"].starts_with("Before the cycle: 1 does not read"));
        let e = validate_schedule(&pre(), "", "2026-10-01").unwrap_err();
        assert!(
            e["pre_remind_dates"].contains("after its first"),
            "the opening day has the invitations"
        );
        assert!(ReminderSchedule::stored(None, "2026-13-01").is_err());
    }
}
