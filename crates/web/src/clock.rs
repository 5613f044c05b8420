//! The one clock every handler and job reads. In production it is the system's; a test can
//! fix it at an instant and move it (`Clock::set`), so that rules about dates — survey waves
//! opening, no-contact-by dates, retention periods — are tested at their edges.
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use flipside_core::local_time::Zone;
use std::sync::{Arc, RwLock};

/// The application's clock (cheap to clone; clones share the same setting).
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// `None`: the system clock. `Some`: a fixed instant, for tests.
    fixed: Arc<RwLock<Option<DateTime<Utc>>>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock stopped at `at`.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        let clock = Clock::default();
        clock.set(at);
        clock
    }

    /// Stops the clock at `at` (tests).
    pub fn set(&self, at: DateTime<Utc>) {
        // A poisoned lock only means a panic elsewhere while setting a test's time; the value
        // inside is still a valid instant.
        *self.fixed.write().unwrap_or_else(|p| p.into_inner()) = Some(at);
    }

    /// Now, to the microsecond (what both databases keep).
    pub fn now(&self) -> DateTime<Utc> {
        match *self.fixed.read().unwrap_or_else(|p| p.into_inner()) {
            Some(at) => at,
            None => Utc::now().trunc_subsecs(6),
        }
    }

    /// Today's date in `zone`: the organisation's calendar, as the rules that decide things by
    /// date read it (near midnight, UTC's date is often another day).
    pub fn today_in(&self, zone: Zone) -> NaiveDate {
        zone.date_of(self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_fixed_clock_reads_what_it_was_set_to_and_clones_share_it() {
        let at = Utc.with_ymd_and_hms(2026, 3, 29, 0, 30, 0).unwrap();
        let clock = Clock::fixed(at);
        let other = clock.clone();
        assert_eq!(other.now(), at);
        let later = Utc.with_ymd_and_hms(2026, 10, 25, 1, 30, 0).unwrap();
        clock.set(later);
        assert_eq!(other.now(), later);
        assert_eq!(
            other.today_in(Zone::UTC),
            NaiveDate::from_ymd_opt(2026, 10, 25).unwrap()
        );
        // 23:30 UTC on a summer evening is already tomorrow in London.
        clock.set(Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).unwrap());
        assert_eq!(
            other.today_in(Zone::default()),
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
        );
    }

    #[test]
    fn the_system_clock_moves() {
        let clock = Clock::system();
        assert!(clock.now() >= Utc::now() - chrono::Duration::seconds(5));
    }
}
