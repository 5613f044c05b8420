//! How often one client may change things: a token bucket per client, kept as the time its
//! next write is due (the generic cell rate algorithm, GCRA). Pure: the caller passes the
//! time, so a unit test reaches every edge without waiting.
use std::time::{Duration, Instant};

/// A client's allowance: up to `per_minute` writes at once, then one each `60 s /
/// per_minute` as the allowance refills; a minute without writes refills it completely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    per_minute: u32,
}

impl Rate {
    /// `None` for zero: a rate that allows nothing is a mistake, not a setting.
    pub fn per_minute(n: u32) -> Option<Rate> {
        (n > 0).then_some(Rate { per_minute: n })
    }

    /// The time one write takes to refill.
    fn interval(self) -> Duration {
        Duration::from_secs(60) / self.per_minute
    }

    /// How far ahead of now the next write may be booked: a full allowance but one.
    fn tolerance(self) -> Duration {
        self.interval() * (self.per_minute - 1)
    }
}

/// One client's allowance over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    /// When the allowance would be full again if nothing more were written: each write
    /// books one interval after the later of this and now.
    due: Instant,
}

impl Bucket {
    /// A client not seen before: a full allowance.
    pub fn new(now: Instant) -> Bucket {
        Bucket { due: now }
    }

    /// Takes one write. `Err(wait)` when the allowance is spent: the write is refused, and
    /// one becomes possible after `wait` (nothing is booked for a refused write, so retrying
    /// early does not push the wait further).
    pub fn take(&mut self, rate: Rate, now: Instant) -> Result<(), Duration> {
        let due = self.due.max(now);
        let latest = now + rate.tolerance();
        if due > latest {
            return Err(due - latest);
        }
        self.due = due + rate.interval();
        Ok(())
    }

    /// Whether the allowance is full again at `now`: forgetting such a bucket changes
    /// nothing, since a client not seen before starts full.
    pub fn is_full(&self, now: Instant) -> bool {
        self.due <= now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(n: u32) -> Rate {
        Rate::per_minute(n).unwrap()
    }

    #[test]
    fn a_full_allowance_is_taken_at_once_and_then_one_write_per_interval() {
        let start = Instant::now();
        let mut b = Bucket::new(start);
        for n in 0..6 {
            assert_eq!(b.take(rate(6), start), Ok(()), "write {n}");
        }
        // Six a minute: one every ten seconds once the six are spent.
        assert_eq!(b.take(rate(6), start), Err(Duration::from_secs(10)));
        let later = start + Duration::from_secs(4);
        assert_eq!(b.take(rate(6), later), Err(Duration::from_secs(6)));
        let due = start + Duration::from_secs(10);
        assert_eq!(b.take(rate(6), due), Ok(()));
        assert_eq!(b.take(rate(6), due), Err(Duration::from_secs(10)));
    }

    #[test]
    fn refused_writes_do_not_lengthen_the_wait() {
        let start = Instant::now();
        let mut b = Bucket::new(start);
        assert_eq!(b.take(rate(1), start), Ok(()));
        for s in 0..59 {
            let now = start + Duration::from_secs(s);
            assert_eq!(b.take(rate(1), now), Err(Duration::from_secs(60 - s)));
        }
        assert_eq!(b.take(rate(1), start + Duration::from_secs(60)), Ok(()));
    }

    #[test]
    fn a_quiet_minute_refills_the_allowance_and_the_bucket_can_be_forgotten() {
        let start = Instant::now();
        let mut b = Bucket::new(start);
        for _ in 0..120 {
            b.take(rate(120), start).unwrap();
        }
        assert!(!b.is_full(start + Duration::from_secs(59)));
        let minute = start + Duration::from_secs(60);
        assert!(b.is_full(minute));
        // Full means the same as new: the whole allowance again, and no more.
        for _ in 0..120 {
            b.take(rate(120), minute).unwrap();
        }
        assert!(b.take(rate(120), minute).is_err());
    }

    #[test]
    fn a_steady_client_at_the_rate_is_never_refused() {
        let start = Instant::now();
        let mut b = Bucket::new(start);
        for n in 0..1000u32 {
            let now = start + Duration::from_millis(500) * n;
            assert_eq!(b.take(rate(120), now), Ok(()), "write {n}");
        }
        assert_eq!(Rate::per_minute(0), None);
    }
}
