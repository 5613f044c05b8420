//! Excerpts (issue 11): coded spans of a chat's text.
//!
//! Rules:
//! * a [`Span`] is `[start, end)` in **byte offsets of the chat's UTF-8 text, both on character
//!   boundaries**, non-empty and inside the text ([`Span::check`]); the pages with JavaScript
//!   send character (code point) offsets, converted with [`Span::from_char_offsets`];
//!   REFI-QDA counts characters too ([`Span::char_offsets`]);
//! * an excerpt has one or more codes (no code twice), an optional memo (at most 2,000
//!   characters) and the coder who made it; excerpts may overlap, even for the same coder;
//! * without JavaScript a coder ticks numbered segments: each run of consecutive ticked
//!   segments becomes one span, from the first segment's start to the last one's end
//!   ([`spans_from_segments`]).

use std::collections::BTreeSet;

use serde::Serialize;

use super::codebook::CodeId;
use super::transcript::Segment;

/// An excerpt's id (the store's row id).
pub type ExcerptId = i64;
/// A chat's id (the store's row id).
pub type ChatId = i64;
/// A coder's id (the user's id).
pub type CoderId = i64;

/// Longest memo, in characters.
pub const MAX_MEMO: usize = 2000;

/// `[start, end)` byte offsets into a chat's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Why an excerpt was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExcerptError {
    #[error("the selection {start}–{end} is empty or runs past the end of the chat")]
    OutOfRange { start: usize, end: usize },
    #[error("the selection does not fall on character boundaries")]
    NotOnCharBoundary,
    #[error("choose at least one code")]
    NoCodes,
    #[error("the code {0} is not in this scheme's codebook")]
    UnknownCode(CodeId),
    #[error("the memo is at most {MAX_MEMO} characters")]
    MemoTooLong,
    #[error("choose at least one numbered passage")]
    NoSegments,
    #[error("there is no passage numbered {0}")]
    UnknownSegment(u32),
}

impl Span {
    /// Checks the span against the chat's text.
    pub fn check(self, text: &str) -> Result<Span, ExcerptError> {
        if self.start >= self.end || self.end > text.len() {
            return Err(ExcerptError::OutOfRange {
                start: self.start,
                end: self.end,
            });
        }
        if !text.is_char_boundary(self.start) || !text.is_char_boundary(self.end) {
            return Err(ExcerptError::NotOnCharBoundary);
        }
        Ok(self)
    }

    /// The span of characters `[start, end)` (code points, as a browser selection counted
    /// over the text's characters gives them).
    pub fn from_char_offsets(text: &str, start: usize, end: usize) -> Result<Span, ExcerptError> {
        let byte = |n: usize| {
            if n == text.chars().count() {
                Some(text.len())
            } else {
                text.char_indices().nth(n).map(|(b, _)| b)
            }
        };
        match (byte(start), byte(end)) {
            (Some(s), Some(e)) => Span { start: s, end: e }.check(text),
            _ => Err(ExcerptError::OutOfRange { start, end }),
        }
    }

    /// The span in characters (code points): REFI-QDA's `startPosition`/`endPosition`.
    pub fn char_offsets(self, text: &str) -> (usize, usize) {
        let chars = |b: usize| text[..b.min(text.len())].chars().count();
        (chars(self.start), chars(self.end))
    }

    /// The words the span covers (empty if it does not fit the text).
    pub fn text(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or("")
    }

    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    pub fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// A coded span of a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excerpt {
    pub id: ExcerptId,
    pub chat: ChatId,
    pub coder: CoderId,
    pub span: Span,
    pub codes: Vec<CodeId>,
    pub memo: Option<String>,
}

/// A new excerpt as a coder submits it, before it has an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExcerpt {
    pub span: Span,
    pub codes: Vec<CodeId>,
    pub memo: Option<String>,
}

/// Checks a coder's excerpt against the chat's text and the codebook's ids: the span fits,
/// codes are known (duplicates dropped, order kept), the memo is trimmed (blank → none).
pub fn check_excerpt(
    text: &str,
    span: Span,
    codes: &[CodeId],
    memo: Option<&str>,
    known_codes: &BTreeSet<CodeId>,
) -> Result<NewExcerpt, ExcerptError> {
    let span = span.check(text)?;
    let mut unique = Vec::new();
    for code in codes {
        if !known_codes.contains(code) {
            return Err(ExcerptError::UnknownCode(*code));
        }
        if !unique.contains(code) {
            unique.push(*code);
        }
    }
    if unique.is_empty() {
        return Err(ExcerptError::NoCodes);
    }
    let memo = memo.map(str::trim).filter(|m| !m.is_empty());
    if memo.is_some_and(|m| m.chars().count() > MAX_MEMO) {
        return Err(ExcerptError::MemoTooLong);
    }
    Ok(NewExcerpt {
        span,
        codes: unique,
        memo: memo.map(str::to_string),
    })
}

/// The spans of ticked segments (by number): consecutive numbers join into one span.
pub fn spans_from_segments(
    segments: &[Segment],
    ticked: &[u32],
) -> Result<Vec<Span>, ExcerptError> {
    let ticked: BTreeSet<u32> = ticked.iter().copied().collect();
    if ticked.is_empty() {
        return Err(ExcerptError::NoSegments);
    }
    let mut spans: Vec<Span> = Vec::new();
    let mut previous: Option<u32> = None;
    for number in ticked {
        let segment = segments
            .iter()
            .find(|s| s.number == number)
            .ok_or(ExcerptError::UnknownSegment(number))?;
        match (previous, spans.last_mut()) {
            (Some(p), Some(last)) if p + 1 == number => last.end = segment.end,
            _ => spans.push(Span {
                start: segment.start,
                end: segment.end,
            }),
        }
        previous = Some(number);
    }
    Ok(spans)
}

/// The numbers of the segments a span touches (to tick them again on the no-JavaScript page).
pub fn segments_of(segments: &[Segment], span: Span) -> Vec<u32> {
    segments
        .iter()
        .filter(|s| {
            span.overlaps(Span {
                start: s.start,
                end: s.end,
            })
        })
        .map(|s| s.number)
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::qualitative::transcript::Chat;

    fn chat() -> Chat {
        Chat::from_typed("Interviewer: Was it useful?\nMentor: Très utile — yes.\nMentor: I'd do it again.\nInterviewer: Thanks.").unwrap()
    }

    #[test]
    fn ticked_segments_become_one_span_per_consecutive_run() {
        let chat = chat();
        let spans = spans_from_segments(&chat.segments, &[2, 3, 1, 2]).unwrap();
        assert_eq!(spans.len(), 1);
        assert_eq!(
            spans[0].text(&chat.text),
            "Was it useful?\nMentor: Très utile — yes.\nMentor: I'd do it again."
        );
        let spans = spans_from_segments(&chat.segments, &[2, 4]).unwrap();
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[0].text(&chat.text), "Très utile — yes.");
        assert_eq!(spans[1].text(&chat.text), "Thanks.");
        assert_eq!(segments_of(&chat.segments, spans[0]), vec![2]);
        assert_eq!(
            spans_from_segments(&chat.segments, &[]),
            Err(ExcerptError::NoSegments)
        );
        assert_eq!(
            spans_from_segments(&chat.segments, &[9]),
            Err(ExcerptError::UnknownSegment(9))
        );
    }

    #[test]
    fn spans_must_fit_the_text_on_character_boundaries() {
        let chat = chat();
        let text = &chat.text;
        let e_acute = text.find('è').unwrap();
        assert_eq!(
            Span {
                start: e_acute + 1,
                end: e_acute + 4
            }
            .check(text),
            Err(ExcerptError::NotOnCharBoundary)
        );
        assert!(Span { start: 3, end: 3 }.check(text).is_err());
        assert!(
            Span {
                start: 0,
                end: text.len() + 1
            }
            .check(text)
            .is_err()
        );
        assert!(
            Span {
                start: 0,
                end: text.len()
            }
            .check(text)
            .is_ok()
        );
    }

    #[test]
    fn character_offsets_convert_both_ways() {
        let text = "Très utile — yes";
        let span = Span::from_char_offsets(text, 5, 16).unwrap();
        assert_eq!(span.text(text), "utile — yes");
        assert_eq!(span.char_offsets(text), (5, 16));
        assert!(Span::from_char_offsets(text, 5, 17).is_err());
    }

    #[test]
    fn excerpts_need_known_codes_and_a_short_memo() {
        let chat = chat();
        let known: BTreeSet<CodeId> = [1, 2].into();
        let span = Span { start: 0, end: 5 };
        let ok = check_excerpt(&chat.text, span, &[2, 1, 2], Some("  "), &known).unwrap();
        assert_eq!(ok.codes, vec![2, 1]);
        assert_eq!(ok.memo, None);
        assert_eq!(
            check_excerpt(&chat.text, span, &[], None, &known),
            Err(ExcerptError::NoCodes)
        );
        assert_eq!(
            check_excerpt(&chat.text, span, &[3], None, &known),
            Err(ExcerptError::UnknownCode(3))
        );
        let long = "x".repeat(MAX_MEMO + 1);
        assert_eq!(
            check_excerpt(&chat.text, span, &[1], Some(&long), &known),
            Err(ExcerptError::MemoTooLong)
        );
    }

    proptest! {
        #[test]
        fn char_offsets_round_trip(text in "\\PC{1,60}", a in 0usize..70, b in 0usize..70) {
            let (a, b) = (a.min(b), a.max(b));
            if let Ok(span) = Span::from_char_offsets(&text, a, b) {
                prop_assert_eq!(span.char_offsets(&text), (a, b));
            }
        }
    }
}
