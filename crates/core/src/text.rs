//! Text from forms, parsed once into [`BoundedText`]: trimmed, non-empty, at most so many
//! characters, and free of control characters.
//!
//! Two kinds, chosen by the constructor:
//! - [`BoundedText::line`] for names and titles, which are shown on one line, sent in email
//!   headers and written to CSV: a line break or a tab is refused, as is any other control
//!   character (a line break in a leader's name would split a Subject header or a CSV row);
//! - [`BoundedText::parse`] for notes, reasons and descriptions, typed into a text area: line
//!   breaks (`\n`, `\r\n`) and tabs are kept, every other control character (NUL, escape, …)
//!   is refused.
//!
//! [`optional`] is the multi-line kind for a field that may be left empty.
//!
//! The error's message completes a sentence that begins with the field's name, so a handler
//! writes `format!("Name {e}.")`, and [`TextError::for_field`] does exactly that.
use serde::Serialize;

/// The longest name of a person flipside takes (a display name, an invited leader's name).
pub const NAME_MAX: usize = 200;

/// A validated, trimmed, non-empty piece of text with a maximum length in characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct BoundedText(String);

/// Why a piece of text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("is required")]
    Empty,
    #[error("is too long: at most {max} characters, this has {len}")]
    TooLong { max: usize, len: usize },
    #[error("must be on one line")]
    LineBreak,
    #[error("cannot contain control characters")]
    Control,
}

impl TextError {
    /// The whole message for a form: `Name is required.`
    pub fn for_field(&self, field: &str) -> String {
        format!("{field} {self}.")
    }
}

/// Whether a character may stand in multi-line text: a line break or a tab, or no control
/// character at all.
fn allowed_in_lines(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\t') || !c.is_control()
}

/// Trims and checks `s` as multi-line text of at most `max` characters; empty is allowed.
fn check_lines(s: &str, max: usize) -> Result<&str, TextError> {
    let t = s.trim();
    if !t.chars().all(allowed_in_lines) {
        return Err(TextError::Control);
    }
    let len = t.chars().count();
    if len > max {
        return Err(TextError::TooLong { max, len });
    }
    Ok(t)
}

impl BoundedText {
    /// Parses multi-line text (a note, a reason), trimming surrounding white space. Line
    /// breaks and tabs are kept; other control characters are refused.
    pub fn parse(s: &str, max: usize) -> Result<BoundedText, TextError> {
        match check_lines(s, max)? {
            "" => Err(TextError::Empty),
            t => Ok(BoundedText(t.to_string())),
        }
    }

    /// Parses single-line text (a name, a title), trimming surrounding white space. Line
    /// breaks, tabs and every other control character are refused.
    pub fn line(s: &str, max: usize) -> Result<BoundedText, TextError> {
        let t = BoundedText::parse(s, max)?;
        if t.0.contains(['\n', '\r']) {
            return Err(TextError::LineBreak);
        }
        if t.0.contains('\t') {
            return Err(TextError::Control);
        }
        Ok(t)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl AsRef<str> for BoundedText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BoundedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Multi-line text that may be left empty (an optional note): trimmed, at most `max`
/// characters, no control characters but line breaks and tabs.
pub fn optional(s: &str, max: usize) -> Result<String, TextError> {
    check_lines(s, max).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bounded_text_trims_and_refuses_empty_or_long_text() {
        assert_eq!(
            BoundedText::parse("  Belonging  ", 20).unwrap().as_str(),
            "Belonging"
        );
        assert_eq!(BoundedText::parse("   ", 20), Err(TextError::Empty));
        assert_eq!(BoundedText::line(" \n ", 20), Err(TextError::Empty));
        assert_eq!(
            BoundedText::parse("ééé", 2),
            Err(TextError::TooLong { max: 2, len: 3 })
        );
        assert_eq!(
            BoundedText::line("ééé", 2),
            Err(TextError::TooLong { max: 2, len: 3 })
        );
    }

    #[test]
    fn a_name_must_be_on_one_line_without_control_characters() {
        assert_eq!(
            BoundedText::line("  Dr Ada Okafor ", 200).unwrap().as_str(),
            "Dr Ada Okafor"
        );
        for (bad, why) in [
            ("Ada\nOkafor", TextError::LineBreak),
            ("Ada\r\nOkafor", TextError::LineBreak),
            ("Ada\rOkafor", TextError::LineBreak),
            ("Ada\tOkafor", TextError::Control),
            ("Ada\0", TextError::Control),
            ("Ada\u{1b}[31m", TextError::Control),
            ("Ada\u{7f}", TextError::Control),
        ] {
            assert_eq!(BoundedText::line(bad, 200), Err(why), "{bad:?}");
        }
    }

    #[test]
    fn a_note_keeps_its_line_breaks_and_tabs_but_not_other_control_characters() {
        let note = BoundedText::parse("First line\r\n\tsecond line\n", 200).unwrap();
        assert_eq!(note.as_str(), "First line\r\n\tsecond line");
        assert_eq!(BoundedText::parse("a\0b", 200), Err(TextError::Control));
        assert_eq!(
            BoundedText::parse("bell\u{7}", 200),
            Err(TextError::Control)
        );
    }

    #[test]
    fn an_optional_note_may_be_empty_but_not_long_or_binary() {
        assert_eq!(optional("  ", 10), Ok(String::new()));
        assert_eq!(optional(" two\nlines ", 10), Ok("two\nlines".to_string()));
        assert_eq!(
            optional("elevenchars", 10),
            Err(TextError::TooLong { max: 10, len: 11 })
        );
        assert_eq!(optional("\0", 10), Err(TextError::Control));
    }

    #[test]
    fn the_message_names_the_field() {
        assert_eq!(
            TextError::LineBreak.for_field("Name"),
            "Name must be on one line."
        );
        assert_eq!(TextError::Empty.for_field("Reason"), "Reason is required.");
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_what_parses_is_a_fixed_point(s in any::<String>(), max in 0usize..50) {
            if let Ok(t) = BoundedText::parse(&s, max) {
                prop_assert!(t.as_str().chars().count() <= max);
                prop_assert_eq!(BoundedText::parse(t.as_str(), max), Ok(t.clone()));
            }
            if let Ok(t) = BoundedText::line(&s, max) {
                prop_assert!(!t.as_str().chars().any(char::is_control));
                prop_assert_eq!(BoundedText::line(t.as_str(), max), Ok(t.clone()));
            }
        }
    }
}
