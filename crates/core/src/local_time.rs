//! The organisation's time zone (SPEC §3.13): every time is typed and shown in it, with the
//! zone named, while storage stays in UTC; and the dates that decide things (a survey wave's
//! opening and closing days, no-contact-by dates, academic years) are the organisation's
//! local dates, not UTC's.
//!
//! Two local times need a decision, once a year each where the clocks change:
//! - a time that does not exist (the hour skipped when the clocks go forward, e.g. 01:30 on
//!   the last Sunday of March in Europe/London) is refused, with the change named;
//! - a time that occurs twice (the hour repeated when the clocks go back, e.g. 01:30 on the
//!   last Sunday of October) means its **first** occurrence, in summer time. The forms say
//!   so ([`REPEATED_HOUR_RULE`]).
use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::sync::OnceLock;

/// A strftime format parsed once: `format("…")` parses its pattern again on every call, which
/// showed in the profile of pages that print a time per table row (issue 15).
pub struct Format {
    pattern: &'static str,
    items: OnceLock<Vec<Item<'static>>>,
}

impl Format {
    pub const fn new(pattern: &'static str) -> Format {
        Format {
            pattern,
            items: OnceLock::new(),
        }
    }

    /// A date, a date and time, or a zoned instant written in this format.
    pub fn of<T: Formattable>(&self, value: &T) -> String {
        let items = self.items.get_or_init(|| {
            StrftimeItems::new(self.pattern)
                .parse_to_owned()
                .unwrap_or_else(|e| panic!("{:?} is not a strftime format: {e}", self.pattern))
        });
        value.formatted(items)
    }
}

/// What a [`Format`] can write.
pub trait Formattable {
    fn formatted(&self, items: &[Item<'static>]) -> String;
}

impl Formattable for DateTime<Tz> {
    fn formatted(&self, items: &[Item<'static>]) -> String {
        self.format_with_items(items.iter()).to_string()
    }
}

impl Formattable for NaiveDate {
    fn formatted(&self, items: &[Item<'static>]) -> String {
        self.format_with_items(items.iter()).to_string()
    }
}

/// "24 December 2026".
pub static DAY_MONTH_YEAR: Format = Format::new("%-d %B %Y");
static LONG: Format = Format::new("%-d %B %Y, %H:%M %Z");
static STAMP: Format = Format::new("%Y-%m-%d %H:%M:%S %Z");
static SHORT: Format = Format::new("%Y-%m-%d %H:%M %Z");

/// The zone of a new organisation.
pub const DEFAULT_ZONE: Tz = chrono_tz::Europe::London;

/// What the forms say about the two local times that need a decision.
pub const REPEATED_HOUR_RULE: &str = "On the night the clocks go back, a time in the repeated hour means its first occurrence (summer time); a time in the hour skipped when the clocks go forward cannot be chosen.";

/// An IANA time zone, parsed once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

impl Default for Zone {
    fn default() -> Zone {
        Zone(DEFAULT_ZONE)
    }
}

impl Zone {
    /// Coordinated Universal Time (tests, and organisations that want it).
    pub const UTC: Zone = Zone(chrono_tz::UTC);

    /// Reads an IANA zone name such as `Europe/London` (letter case forgiven); the message
    /// says what to write.
    pub fn parse(raw: &str) -> Result<Zone, String> {
        let raw = raw.trim();
        raw.parse::<Tz>()
            .ok()
            .or_else(|| {
                chrono_tz::TZ_VARIANTS
                    .iter()
                    .find(|z| z.name().eq_ignore_ascii_case(raw))
                    .copied()
            })
            .map(Zone)
            .ok_or(())
            .map_err(|_| {
                if raw.is_empty() {
                    "Enter the organisation's time zone, for example Europe/London.".to_string()
                } else {
                    format!(
                        "Enter a time zone by its IANA name, for example Europe/London or America/New_York: '{raw}' is not one."
                    )
                }
            })
    }

    /// The zone's IANA name, as stored and shown.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// An instant as the organisation's wall clock reads it.
    pub fn local(&self, at: DateTime<Utc>) -> DateTime<Tz> {
        at.with_timezone(&self.0)
    }

    /// The organisation's date at an instant: what "today" means for every rule that decides
    /// by date.
    pub fn date_of(&self, at: DateTime<Utc>) -> NaiveDate {
        self.local(at).date_naive()
    }

    /// The instant a local date and wall-clock time name: a time skipped by the clocks going
    /// forward is refused (the message names the change); a time repeated when they go back is
    /// its first occurrence.
    pub fn instant(&self, date: NaiveDate, time: NaiveTime) -> Result<DateTime<Utc>, String> {
        let naive = date.and_time(time);
        match self.0.from_local_datetime(&naive) {
            LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
            LocalResult::None => Err(self.skipped_message(naive)),
        }
    }

    /// Says which hour the clocks skip around `naive`, which does not exist in this zone.
    fn skipped_message(&self, naive: NaiveDateTime) -> String {
        let exists =
            |t: NaiveDateTime| !matches!(self.0.from_local_datetime(&t), LocalResult::None);
        // Gaps are at most a day long (Samoa, 2011); step by minutes to their edges.
        let mut from = naive;
        while !exists(from - Duration::minutes(1)) && naive - from < Duration::days(1) {
            from -= Duration::minutes(1);
        }
        let mut to = naive;
        while !exists(to) && to - naive < Duration::days(1) {
            to += Duration::minutes(1);
        }
        format!(
            "{} does not exist on {} in {}: the clocks go forward from {} to {}. Choose another time.",
            naive.format("%H:%M"),
            naive.format("%-d %B %Y"),
            self.name(),
            from.format("%H:%M"),
            to.format("%H:%M"),
        )
    }

    /// A meeting's date and times, with the zone named: "Monday 29 March 2027, 14:30–15:30 BST
    /// (Europe/London)". A meeting across a change of the clocks names both offsets.
    pub fn span(&self, start: DateTime<Utc>, minutes: i64) -> String {
        let s = self.local(start);
        let e = self.local(start + Duration::minutes(minutes));
        let (sa, ea) = (s.format("%Z").to_string(), e.format("%Z").to_string());
        let times = if sa == ea {
            format!("{}–{} {sa}", s.format("%H:%M"), e.format("%H:%M"))
        } else {
            format!("{} {sa}–{} {ea}", s.format("%H:%M"), e.format("%H:%M"))
        };
        format!("{}, {times} ({})", s.format("%A %-d %B %Y"), self.name())
    }

    /// An instant in words, with the zone's abbreviation: "30 November 2026, 07:30 GMT".
    pub fn long(&self, at: DateTime<Utc>) -> String {
        LONG.of(&self.local(at))
    }

    /// An instant to the second, for a log: "2026-11-30 07:30:05 GMT".
    pub fn stamp(&self, at: DateTime<Utc>) -> String {
        STAMP.of(&self.local(at))
    }

    /// An instant for a table: "2026-11-30 07:30 GMT".
    pub fn short(&self, at: DateTime<Utc>) -> String {
        SHORT.of(&self.local(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn london() -> Zone {
        Zone::parse("Europe/London").unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn utc(y: i32, mo: u32, day: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, day, h, mi, 0).unwrap()
    }

    #[test]
    fn zones_are_read_by_their_iana_names_and_nothing_else() {
        assert_eq!(Zone::default(), london());
        assert_eq!(Zone::parse(" europe/london ").unwrap(), london());
        assert_eq!(
            Zone::parse("America/New_York").unwrap().name(),
            "America/New_York"
        );
        assert_eq!(Zone::parse("UTC").unwrap(), Zone::UTC);
        for bad in ["BST", "Europe/Londn", "GMT+1", "London", "Mars/Olympus"] {
            let e = Zone::parse(bad).unwrap_err();
            assert!(e.contains("IANA name") && e.contains(bad), "{bad}: {e}");
        }
        assert!(
            Zone::parse("  ")
                .unwrap_err()
                .contains("Enter the organisation's time zone")
        );
    }

    #[test]
    fn local_times_are_stored_as_utc_on_either_side_of_the_changes() {
        let z = london();
        // Winter: London is UTC. Summer: an hour ahead.
        assert_eq!(
            z.instant(d(2027, 1, 12), t(14, 30)),
            Ok(utc(2027, 1, 12, 14, 30))
        );
        assert_eq!(
            z.instant(d(2027, 6, 12), t(14, 30)),
            Ok(utc(2027, 6, 12, 13, 30))
        );
        // The last Sunday of March 2027 (the 28th): before and after 01:00 GMT.
        assert_eq!(
            z.instant(d(2027, 3, 28), t(0, 59)),
            Ok(utc(2027, 3, 28, 0, 59))
        );
        assert_eq!(
            z.instant(d(2027, 3, 28), t(2, 0)),
            Ok(utc(2027, 3, 28, 1, 0))
        );
        // The last Sunday of October 2027 (the 31st): after the repeated hour, GMT again.
        assert_eq!(
            z.instant(d(2027, 10, 31), t(2, 0)),
            Ok(utc(2027, 10, 31, 2, 0))
        );
        assert_eq!(
            z.instant(d(2027, 10, 31), t(0, 30)),
            Ok(utc(2027, 10, 30, 23, 30))
        );
    }

    #[test]
    fn a_time_the_clocks_skip_is_refused_with_the_change_named() {
        let z = london();
        for (day, skipped) in [(d(2027, 3, 28), t(1, 30)), (d(2026, 3, 29), t(1, 0))] {
            let e = z.instant(day, skipped).unwrap_err();
            assert!(e.contains("does not exist"), "{e}");
            assert!(e.contains("Europe/London"), "{e}");
            assert!(e.contains("from 01:00 to 02:00"), "{e}");
        }
        assert_eq!(
            z.instant(d(2027, 3, 28), t(1, 30)).unwrap_err(),
            "01:30 does not exist on 28 March 2027 in Europe/London: the clocks go forward from 01:00 to 02:00. Choose another time."
        );
    }

    #[test]
    fn a_time_that_occurs_twice_means_the_first_one_in_summer_time() {
        let z = london();
        // 01:30 on 25 October 2026 happens at 00:30 UTC (BST) and again at 01:30 UTC (GMT).
        assert_eq!(
            z.instant(d(2026, 10, 25), t(1, 30)),
            Ok(utc(2026, 10, 25, 0, 30))
        );
        assert_eq!(
            z.instant(d(2027, 10, 31), t(1, 0)),
            Ok(utc(2027, 10, 31, 0, 0))
        );
        assert_eq!(
            z.instant(d(2027, 10, 31), t(1, 59)),
            Ok(utc(2027, 10, 31, 0, 59))
        );
        // Shown back, it is named as summer time; an hour later the clock reads 01:30 again.
        assert_eq!(z.short(utc(2026, 10, 25, 0, 30)), "2026-10-25 01:30 BST");
        assert_eq!(z.short(utc(2026, 10, 25, 1, 30)), "2026-10-25 01:30 GMT");
    }

    #[test]
    fn meeting_times_are_shown_in_the_zone_with_it_named() {
        let z = london();
        assert_eq!(
            z.span(utc(2027, 6, 14, 13, 30), 60),
            "Monday 14 June 2027, 14:30–15:30 BST (Europe/London)"
        );
        assert_eq!(
            z.span(utc(2027, 1, 11, 14, 30), 45),
            "Monday 11 January 2027, 14:30–15:15 GMT (Europe/London)"
        );
        // A meeting across the change names both offsets: an hour that reads as none.
        assert_eq!(
            z.span(utc(2026, 10, 25, 0, 30), 60),
            "Sunday 25 October 2026, 01:30 BST–01:30 GMT (Europe/London)"
        );
        // Across the spring change: 00:30 GMT to 02:30 BST is one hour.
        assert_eq!(
            z.span(utc(2027, 3, 28, 0, 30), 60),
            "Sunday 28 March 2027, 00:30 GMT–02:30 BST (Europe/London)"
        );
        assert_eq!(
            Zone::UTC.span(utc(2027, 6, 14, 13, 30), 60),
            "Monday 14 June 2027, 13:30–14:30 UTC (UTC)"
        );
        assert_eq!(
            z.long(utc(2026, 11, 30, 7, 30)),
            "30 November 2026, 07:30 GMT"
        );
        assert_eq!(z.stamp(utc(2026, 7, 1, 23, 30)), "2026-07-02 00:30:00 BST");
        assert_eq!(z.long(utc(2026, 7, 1, 23, 30)), "2 July 2026, 00:30 BST");
    }

    #[test]
    fn the_organisations_date_is_its_wall_clocks_not_utcs() {
        let z = london();
        // 23:30 UTC on a summer evening is already the next day in London.
        assert_eq!(z.date_of(utc(2027, 6, 30, 23, 30)), d(2027, 7, 1));
        assert_eq!(z.date_of(utc(2027, 1, 31, 23, 30)), d(2027, 1, 31));
        // Around the changes: the night of the last Sunday of March and of October.
        assert_eq!(z.date_of(utc(2027, 3, 27, 23, 59)), d(2027, 3, 27));
        assert_eq!(z.date_of(utc(2027, 10, 30, 23, 0)), d(2027, 10, 31));
        assert_eq!(z.date_of(utc(2027, 10, 30, 22, 59)), d(2027, 10, 30));
        let tokyo = Zone::parse("Asia/Tokyo").unwrap();
        assert_eq!(tokyo.date_of(utc(2027, 3, 31, 15, 0)), d(2027, 4, 1));
    }
}
