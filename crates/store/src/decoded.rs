//! States, statuses and kinds are stored as text and decoded into the domain's enums when a
//! row is fetched. A value no version of flipside writes fails the fetch with a decode error
//! naming the column (a 500, logged), rather than passing for a default state: a corrupt pair
//! must not read as active, nor a corrupt application as submitted.
//!
//! `flipside_core` knows nothing of sqlx, and the orphan rule forbids implementing sqlx's
//! traits for its enums here, so the row structs hold them in [`Decoded`], the store's own
//! wrapper, which decodes on both backends from whatever `&str` decodes from (TEXT).
use flipside_core::actions::ActionStatus;
use flipside_core::concerns::ConcernStatus;
use flipside_core::cycle::CycleState;
use flipside_core::evaluation::Wave;
use flipside_core::invitation::InvitationStatus;
use flipside_core::meetings::MeetingStatus;
use flipside_core::recruitment::ApplicationStatus;
use flipside_core::scheme::SchemeKind;
use flipside_core::sprint::{Decision, Implementation, SprintState, Stage};
use flipside_core::tutoring::ChangeRequestStatus;
use serde::{Serialize, Serializer};
use sqlx::Database;
use sqlx::error::BoxDynError;
use std::fmt;

/// An enum stored as one of a fixed set of words.
pub trait StoredText: Sized + Copy + 'static {
    /// What the value is, for the error message: "pair status".
    const WHAT: &'static str;
    /// The value a stored word stands for; `None` for a word no version of flipside writes.
    fn from_text(s: &str) -> Option<Self>;
    /// The word stored for the value.
    fn as_text(self) -> &'static str;
}

/// A domain enum read from a TEXT column; see the module's documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decoded<E>(pub E);

impl<E: StoredText> Decoded<E> {
    /// The decoded value.
    pub fn get(self) -> E {
        self.0
    }

    /// The word as stored.
    pub fn as_str(&self) -> &'static str {
        self.0.as_text()
    }
}

/// Decodes a stored word, or says which value was corrupt.
pub fn decode_text<E: StoredText>(s: &str) -> Result<E, String> {
    E::from_text(s).ok_or_else(|| format!("'{s}' is not a {}", E::WHAT))
}

impl<DB: Database, E> sqlx::Type<DB> for Decoded<E>
where
    String: sqlx::Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as sqlx::Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as sqlx::Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: Database, E: StoredText> sqlx::Decode<'r, DB> for Decoded<E>
where
    &'r str: sqlx::Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let s = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
        Ok(Decoded(decode_text(s)?))
    }
}

/// Serialised as the stored word, so JSON shows what it always showed.
impl<E: StoredText> Serialize for Decoded<E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Shown as the stored word (templates that print the raw status print the same as before).
impl<E: StoredText> fmt::Display for Decoded<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compares with a stored word, as the `String` field it replaces did.
impl<E: StoredText> PartialEq<&str> for Decoded<E> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl<E: StoredText> PartialEq<str> for Decoded<E> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

macro_rules! stored_text {
    ($($t:ty => $what:literal),* $(,)?) => {$(
        impl StoredText for $t {
            const WHAT: &'static str = $what;
            fn from_text(s: &str) -> Option<Self> {
                <$t>::parse(s)
            }
            fn as_text(self) -> &'static str {
                self.as_str()
            }
        }
    )*};
}

stored_text! {
    crate::pairs::PairStatus => "pair status",
    ActionStatus => "action status",
    ApplicationStatus => "application status",
    CycleState => "cycle state",
    InvitationStatus => "invitation status",
    MeetingStatus => "meeting status",
    Wave => "survey wave",
    Stage => "sprint stage",
    SprintState => "sprint state",
    Decision => "proposal decision",
    Implementation => "action status of a sprint",
    SchemeKind => "scheme kind",
    ChangeRequestStatus => "change-of-tutor request status",
    ConcernStatus => "concern status",
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pairs::PairStatus;

    fn round_trips<E: StoredText + PartialEq + fmt::Debug>(all: &[E]) {
        for &e in all {
            assert_eq!(decode_text::<E>(e.as_text()), Ok(e));
            assert_eq!(Decoded(e), e.as_text());
            assert_eq!(Decoded(e).to_string(), e.as_text());
        }
        let err = decode_text::<E>("Active ").unwrap_err();
        assert!(err.contains(E::WHAT), "{err}");
        assert!(decode_text::<E>("").is_err());
    }

    #[test]
    fn every_stored_word_decodes_to_its_value_and_nothing_else_does() {
        round_trips(&PairStatus::ALL);
        round_trips(&ActionStatus::ALL);
        round_trips(&[
            ApplicationStatus::Submitted,
            ApplicationStatus::Accepted,
            ApplicationStatus::Waitlisted,
            ApplicationStatus::Declined,
            ApplicationStatus::Withdrawn,
        ]);
        round_trips(&CycleState::ALL);
        round_trips(&InvitationStatus::ALL);
        round_trips(&MeetingStatus::ALL);
        round_trips(&Wave::ALL);
        round_trips(&Stage::ALL);
        round_trips(&[SprintState::Open, SprintState::Closed]);
        round_trips(&ChangeRequestStatus::ALL);
    }

    #[test]
    fn a_decoded_value_serialises_as_its_stored_word() {
        assert_eq!(
            serde_json::to_string(&Decoded(PairStatus::EndedEarly)).unwrap(),
            "\"ended_early\""
        );
    }
}
