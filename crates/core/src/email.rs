//! Email addresses, parsed once where they enter (a form, an import, the command line) into
//! [`Email`], so that every later step holds an address already known to be plausible and
//! already in the one form the store compares.
//!
//! Whether an address is *deliverable* is for the mail server to say; [`Email::parse`] only
//! refuses what cannot be an address: no `@`, an empty side, spaces or control characters, a
//! domain without a dot, an address longer than an SMTP path allows.
use serde::Serialize;
use std::fmt;

/// A plausible email address, trimmed and lowercased.
///
/// The *whole* address is lowercased, the local part too. RFC 5321 lets a mail server treat
/// `Ada@` and `ada@` as different mailboxes, but no university mail system does, and people
/// type their address in whatever case comes to hand: the store has always matched addresses
/// without regard to case (it lowercases on write and on look-up, through [`normalise`]), and
/// an `Email` is exactly what the store would store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

/// Why an address was refused. The messages complete "The email address …" in a sentence of
/// the caller's, or stand on their own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("is required")]
    Empty,
    #[error("is too long: at most {max} characters, this has {len}", max = Email::MAX_LEN)]
    TooLong { len: usize },
    #[error("cannot contain spaces or control characters")]
    Spaces,
    #[error("needs exactly one @, like name@example.ac.uk")]
    At,
    #[error("needs something before the @, like name@example.ac.uk")]
    NoLocalPart,
    #[error("needs a domain after the @ with a dot in it, like name@example.ac.uk")]
    BadDomain,
}

impl EmailError {
    /// The whole message for a form: `The email address needs exactly one @, …`
    pub fn for_field(&self, field: &str) -> String {
        format!("{field} {self}.")
    }
}

/// The form the store keeps and compares an address in: trimmed, lowercased. Exposed so the
/// store's look-ups and [`Email::parse`] cannot drift apart.
pub fn normalise(s: &str) -> String {
    s.trim().to_lowercase()
}

impl Email {
    /// The longest address an SMTP forward path carries (RFC 5321 §4.5.3.1.3, less the `<>`).
    pub const MAX_LEN: usize = 254;
    /// The longest local part (RFC 5321 §4.5.3.1.1).
    const MAX_LOCAL_LEN: usize = 64;

    /// Parses an address as typed: surrounding white space is dropped, the address lowercased.
    pub fn parse(s: &str) -> Result<Email, EmailError> {
        let s = normalise(s);
        let len = s.chars().count();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if len > Email::MAX_LEN {
            return Err(EmailError::TooLong { len });
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::Spaces);
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(EmailError::At);
        };
        if domain.contains('@') {
            return Err(EmailError::At);
        }
        if local.is_empty() || local.len() > Email::MAX_LOCAL_LEN {
            return Err(EmailError::NoLocalPart);
        }
        if !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err(EmailError::BadDomain);
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// The part before the `@` (a fallback for a display name).
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or(&self.0, |(l, _)| l)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Email {
    type Err = EmailError;
    fn from_str(s: &str) -> Result<Email, EmailError> {
        Email::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_address_is_trimmed_and_lowercased_whole() {
        let e = Email::parse("  R.Okafor@Uni.Test\n").unwrap();
        assert_eq!(e.as_str(), "r.okafor@uni.test");
        assert_eq!(e.to_string(), "r.okafor@uni.test");
        assert_eq!(e.local_part(), "r.okafor");
        assert_eq!(e.as_str(), normalise("  R.Okafor@Uni.Test\n"));
    }

    #[test]
    fn plausible_addresses_are_accepted() {
        for ok in [
            "ada@northmoor.ac.uk",
            "first.last+tag@example.org",
            "émile@université.fr",
            "a@b.co",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn each_kind_of_impossible_address_is_refused_with_its_reason() {
        use EmailError::*;
        for (bad, why) in [
            ("", Empty),
            ("   ", Empty),
            ("ada", At),
            ("ada@", BadDomain),
            ("@northmoor.ac.uk", NoLocalPart),
            ("ada@northmoor", BadDomain),
            ("ada@.uk", BadDomain),
            ("ada@uk.", BadDomain),
            ("ada@north..uk", BadDomain),
            ("a da@x.uk", Spaces),
            ("ada@x.uk\u{0}", Spaces),
            ("ada\n@x.uk", Spaces),
            ("ada@b@x.uk", At),
        ] {
            assert_eq!(Email::parse(bad), Err(why), "{bad:?}");
        }
        let long = format!("{}@example.ac.uk", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(TooLong { len: 264 }));
        let long_local = format!("{}@example.ac.uk", "a".repeat(65));
        assert_eq!(Email::parse(&long_local), Err(NoLocalPart));
    }

    #[test]
    fn the_messages_say_what_to_fix() {
        assert_eq!(
            EmailError::TooLong { len: 300 }.to_string(),
            "is too long: at most 254 characters, this has 300"
        );
        assert!(EmailError::At.to_string().contains("name@example.ac.uk"));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = Email::parse(&s);
        }

        #[test]
        fn a_parsed_address_parses_to_itself(s in "[ \t]{0,2}[A-Za-z0-9._+-]{1,20}@[A-Za-z0-9-]{1,10}(\\.[A-Za-z]{2,5}){1,3}[ \t]{0,2}") {
            let e = Email::parse(&s).unwrap();
            prop_assert_eq!(Email::parse(e.as_str()), Ok(e.clone()));
            prop_assert_eq!(e.as_str(), normalise(&s));
        }

        #[test]
        fn whatever_parses_is_a_fixed_point(s in any::<String>()) {
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(e.as_str()), Ok(e.clone()));
                prop_assert!(e.as_str().len() <= 4 * Email::MAX_LEN);
                prop_assert_eq!(e.as_str().matches('@').count(), 1);
            }
        }
    }
}
