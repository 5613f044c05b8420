//! Local accounts: which new passwords are acceptable (NIST SP 800-63B §3.1.1.2).
//!
//! A password needs only length and to be absent from a list of common and breached
//! passwords: no composition rules (they make passwords harder to remember, not harder to
//! guess). The upper bound is checked before anything hashes the password, so a megabyte of
//! text cannot make the server spend a megabyte of Argon2 work.
//!
//! Failed sign-ins slow the next attempt down rather than lock the account: a stranger who
//! types someone's address with wrong passwords must not be able to keep its owner out.
use chrono::{DateTime, Duration, Utc};

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted (in characters; checked before hashing).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Common passwords of at least [`MIN_PASSWORD_CHARS`] characters, lower case, one a line:
/// the entries of that length in Django's `common-passwords.txt.gz` (Django 5.2.19 on PyPI,
/// BSD licence; Royce Williams' list of 20,000 passwords seen most often in breaches).
/// Shorter entries are left out because the length rule refuses them anyway.
const COMMON: &str = include_str!("../data/common-passwords.txt");

/// Why a new password was refused; the message is shown next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Use at least {MIN_PASSWORD_CHARS} characters.")]
    TooShort,
    #[error("Use at most {MAX_PASSWORD_CHARS} characters.")]
    TooLong,
    #[error(
        "This password is one of the most common ones, which attackers try first. Choose another: a few unrelated words make a good one."
    )]
    Common,
}

/// Checks a new password. Counting stops past the maximum, so a huge input costs no more
/// than a long one.
pub fn check_new_password(password: &str) -> Result<(), PasswordError> {
    let len = password.chars().take(MAX_PASSWORD_CHARS + 1).count();
    if len > MAX_PASSWORD_CHARS {
        return Err(PasswordError::TooLong);
    }
    if len < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    if is_common(password) {
        return Err(PasswordError::Common);
    }
    Ok(())
}

/// Whether a password is on the shipped list (compared without regard to case).
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON.lines().any(|l| l == lower)
}

/// Recent failed sign-ins that weigh on an attempt: those of one (account, address) pair, or
/// those from one address whatever the account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
    /// When the latest of them happened.
    pub last: Option<DateTime<Utc>>,
}

/// How much longer an attempt must wait, given the recent `failures`, when the first `free`
/// failures cost nothing: past them the wait doubles with each failure (1 s, 2 s, 4 s, …),
/// counted from the latest failure, and never exceeds `longest`. `None`: try now.
pub fn sign_in_wait(
    failures: Failures,
    free: i64,
    longest: Duration,
    now: DateTime<Utc>,
) -> Option<Duration> {
    let last = failures.last?;
    let past_free = failures.count - free;
    if past_free < 0 {
        return None;
    }
    // 2^30 seconds is decades: any longer wait is the ceiling anyway.
    let wait = Duration::seconds(1i64 << past_free.min(30)).min(longest);
    let remaining = last + wait - now;
    (remaining > Duration::zero()).then_some(remaining)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_past_the_free_ones_make_a_doubling_wait_up_to_the_ceiling() {
        let at = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let longest = Duration::minutes(15);
        let f = |count| Failures {
            count,
            last: Some(at),
        };
        assert_eq!(sign_in_wait(f(4), 5, longest, at), None);
        assert_eq!(
            sign_in_wait(f(5), 5, longest, at),
            Some(Duration::seconds(1))
        );
        assert_eq!(
            sign_in_wait(f(7), 5, longest, at),
            Some(Duration::seconds(4))
        );
        assert_eq!(
            sign_in_wait(f(7), 5, longest, at + Duration::seconds(3)),
            Some(Duration::seconds(1))
        );
        assert_eq!(
            sign_in_wait(f(7), 5, longest, at + Duration::seconds(4)),
            None
        );
        assert_eq!(sign_in_wait(f(500), 5, longest, at), Some(longest));
        assert_eq!(sign_in_wait(Failures::default(), 0, longest, at), None);
    }

    #[test]
    fn a_password_needs_ten_characters_and_no_more_than_1024() {
        assert_eq!(
            check_new_password("short one"),
            Err(PasswordError::TooShort)
        );
        assert_eq!(check_new_password("ten chars!"), Ok(()));
        assert_eq!(check_new_password(&"é".repeat(1024)), Ok(()));
        assert_eq!(
            check_new_password(&"é".repeat(1025)),
            Err(PasswordError::TooLong)
        );
        assert_eq!(
            check_new_password(&"x".repeat(5_000_000)),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case_but_composition_is_not_required() {
        assert_eq!(check_new_password("1234567890"), Err(PasswordError::Common));
        assert_eq!(check_new_password("QWERTYUIOP"), Err(PasswordError::Common));
        assert_eq!(
            check_new_password("password123"),
            Err(PasswordError::Common)
        );
        // All lower case, no digits or symbols: fine, because it is long and uncommon.
        assert_eq!(check_new_password("correct horse battery staple"), Ok(()));
    }

    #[test]
    fn the_shipped_list_is_lower_case_and_holds_only_passwords_the_length_rule_lets_through() {
        let lines: Vec<&str> = COMMON.lines().collect();
        assert!(lines.len() > 1000, "{}", lines.len());
        for l in lines {
            assert!(l.chars().count() >= MIN_PASSWORD_CHARS, "{l}");
            assert_eq!(l, l.to_lowercase());
        }
    }
}
