//! The one rule for a plausible date typed into flipside.
//!
//! Every date field (meetings, contacts, survey waves, design sprints) reads its value through
//! [`plausible_date`], so a slip such as `9999-01-01` or `0001-01-01` is refused with a clear
//! message instead of being stored and skewing every figure computed from it.
use chrono::{Datelike, NaiveDate};

/// The first year flipside accepts in a date field.
pub const EARLIEST_YEAR: i32 = 2000;
/// The last year flipside accepts in a date field.
pub const LATEST_YEAR: i32 = 2100;

/// Parses `YYYY-MM-DD` and refuses dates outside [`EARLIEST_YEAR`]..=[`LATEST_YEAR`]. The
/// message says what to write.
pub fn plausible_date(raw: &str) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| "Enter the date as year-month-day, for example 2026-10-05.".to_string())?;
    if !(EARLIEST_YEAR..=LATEST_YEAR).contains(&date.year()) {
        return Err(format!(
            "Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}: {raw} is too far from today to be right."
        ));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_far_outside_sense_are_refused_and_ordinary_ones_read() {
        assert_eq!(
            plausible_date(" 2026-10-05 ").unwrap(),
            NaiveDate::from_ymd_opt(2026, 10, 5).unwrap()
        );
        assert!(plausible_date("2000-01-01").is_ok());
        assert!(plausible_date("2100-12-31").is_ok());
        for far in ["9999-01-01", "0001-01-01", "1999-12-31", "2101-01-01"] {
            let e = plausible_date(far).unwrap_err();
            assert!(e.contains("too far from today"), "{far}: {e}");
        }
        assert!(
            plausible_date("05/10/2026")
                .unwrap_err()
                .contains("year-month-day")
        );
    }
}
