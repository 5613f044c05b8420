//! Removing a passage of a chat at the participant's request (issue 11): the passage's words
//! are replaced by [`REMOVED_MARKER`], excerpts that overlap it go, and every later offset
//! shifts by the difference in length.
//!
//! Rules:
//! * a passage is widened to the whole segments it touches, so the marker always stands as a
//!   numbered segment of its own (with the speaker of the first segment removed);
//! * several passages are removed at once; passages that touch or overlap join into one;
//! * an offset before a removed passage stays; one at or after its end moves by the length
//!   difference; one inside it moves to the marker's start ([`Redacted::map_offset`]) — so a
//!   span inside a removed passage ends up covering the marker, never the words;
//! * an excerpt that overlaps a removed passage is deleted ([`Redacted::map_excerpt`] gives
//!   `None`); every other excerpt keeps exactly the words it had.

use super::excerpt::Span;
use super::transcript::{Chat, Segment};

/// What stands where a removed passage was.
pub const REMOVED_MARKER: &str = "[removed at the participant's request]";

/// Why a removal could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedactionError {
    #[error("choose at least one passage to remove")]
    Nothing,
    #[error("the passage {start}–{end} is not inside the chat")]
    OutOfRange { start: usize, end: usize },
}

/// A chat with passages removed, and how the old offsets map to the new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub chat: Chat,
    /// The removed passages in the old text's offsets, sorted and disjoint.
    pub removed: Vec<Span>,
}

/// `spans` widened to the whole segments they touch, sorted, with touching or overlapping
/// ones joined.
pub fn widen(chat: &Chat, spans: &[Span]) -> Result<Vec<Span>, RedactionError> {
    if spans.is_empty() {
        return Err(RedactionError::Nothing);
    }
    let mut widened = Vec::new();
    for &span in spans {
        if span.start >= span.end || span.end > chat.text.len() {
            return Err(RedactionError::OutOfRange {
                start: span.start,
                end: span.end,
            });
        }
        let touched: Vec<&Segment> = chat
            .segments
            .iter()
            .filter(|s| s.start < span.end && span.start < s.end)
            .collect();
        let start = touched
            .first()
            .map_or(span.start, |s| s.start.min(span.start));
        let end = touched.last().map_or(span.end, |s| s.end.max(span.end));
        widened.push(Span { start, end });
    }
    widened.sort();
    let mut joined: Vec<Span> = Vec::new();
    for span in widened {
        match joined.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => joined.push(span),
        }
    }
    Ok(joined)
}

/// Removes the passages (widened by [`widen`]) from the chat.
pub fn remove_passages(chat: &Chat, spans: &[Span]) -> Result<Redacted, RedactionError> {
    let removed = widen(chat, spans)?;
    let mut text = String::with_capacity(chat.text.len());
    let mut segments: Vec<Segment> = Vec::new();
    let mut cursor = 0;
    let shift = |old: usize| -> usize { map(&removed, old) };
    for passage in &removed {
        text.push_str(&chat.text[cursor..passage.start]);
        text.push_str(REMOVED_MARKER);
        cursor = passage.end;
    }
    text.push_str(&chat.text[cursor..]);
    let mut marked = vec![false; removed.len()];
    for s in &chat.segments {
        let inside = removed
            .iter()
            .position(|r| s.start < r.end && r.start < s.end);
        match inside {
            Some(i) if !marked[i] => {
                marked[i] = true;
                let start = shift(removed[i].start);
                segments.push(Segment {
                    number: 0,
                    speaker: s.speaker.clone(),
                    start,
                    end: start + REMOVED_MARKER.len(),
                });
            }
            Some(_) => {}
            None => segments.push(Segment {
                number: 0,
                speaker: s.speaker.clone(),
                start: shift(s.start),
                end: shift(s.end),
            }),
        }
    }
    for (i, s) in segments.iter_mut().enumerate() {
        s.number = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    Ok(Redacted {
        chat: Chat { text, segments },
        removed,
    })
}

/// Where an old offset lands in the new text.
fn map(removed: &[Span], old: usize) -> usize {
    let mut new = old;
    for r in removed {
        if old >= r.end {
            new = new - r.len() + REMOVED_MARKER.len();
        } else if old > r.start {
            // Inside the passage: to the marker's start (offsets before this passage have
            // already been shifted by the passages before it).
            return new - (old - r.start);
        } else {
            break;
        }
    }
    new
}

impl Redacted {
    /// Where an offset of the old text lands in the new one.
    pub fn map_offset(&self, old: usize) -> usize {
        map(&self.removed, old)
    }

    /// An excerpt's span in the new text, or `None` when it overlaps a removed passage (the
    /// excerpt is deleted).
    pub fn map_excerpt(&self, span: Span) -> Option<Span> {
        if self.removed.iter().any(|r| r.overlaps(span)) {
            return None;
        }
        Some(Span {
            start: self.map_offset(span.start),
            end: self.map_offset(span.end),
        })
    }

    /// Another open request's passage in the new text: a passage inside a removed one becomes
    /// the marker; one that reaches into it is widened to cover the marker.
    pub fn map_passage(&self, span: Span) -> Span {
        let start = self.map_offset(span.start);
        let mut end = self.map_offset(span.end);
        if let Some(r) = self
            .removed
            .iter()
            .find(|r| span.end > r.start && span.end < r.end)
        {
            end = self.map_offset(r.start) + REMOVED_MARKER.len();
        }
        Span {
            start,
            end: end.max(start + 1).min(self.chat.text.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::qualitative::excerpt::spans_from_segments;

    fn chat() -> Chat {
        Chat::from_typed(
            "Interviewer: How was it?\nMentor: I worked nights at the depot.\nMentor: It was fine in the end.\nInterviewer: Thank you.",
        )
        .unwrap()
    }

    fn span_of(chat: &Chat, words: &str) -> Span {
        let start = chat.text.find(words).unwrap();
        Span {
            start,
            end: start + words.len(),
        }
    }

    #[test]
    fn a_removed_segment_is_replaced_by_the_marker_and_later_offsets_shift() {
        let chat = chat();
        let passage = spans_from_segments(&chat.segments, &[2]).unwrap();
        let later = span_of(&chat, "fine in the end");
        let earlier = span_of(&chat, "How was it?");
        let inside = span_of(&chat, "nights");
        let r = remove_passages(&chat, &passage).unwrap();
        assert_eq!(
            r.chat.text,
            "Interviewer: How was it?\nMentor: [removed at the participant's request]\nMentor: It was fine in the end.\nInterviewer: Thank you."
        );
        assert!(!r.chat.text.contains("depot"));
        assert_eq!(r.chat.segments.len(), 4);
        assert_eq!(r.chat.segment_text(&r.chat.segments[1]), REMOVED_MARKER);
        assert_eq!(r.chat.segments[1].speaker.as_deref(), Some("Mentor"));
        assert_eq!(
            r.chat.segment_text(&r.chat.segments[2]),
            "It was fine in the end."
        );
        let moved = r.map_excerpt(later).unwrap();
        assert_eq!(moved.text(&r.chat.text), "fine in the end");
        assert_eq!(r.map_excerpt(earlier), Some(earlier));
        assert_eq!(r.map_excerpt(inside), None);
        let across = Span {
            start: earlier.start,
            end: later.end,
        };
        assert_eq!(r.map_excerpt(across), None, "overlapping excerpts go");
        assert_eq!(r.map_passage(inside).text(&r.chat.text), REMOVED_MARKER);
    }

    #[test]
    fn a_passage_is_widened_to_whole_segments_and_overlapping_passages_join() {
        let chat = chat();
        let part = span_of(&chat, "nights");
        let widened = remove_passages(&chat, &[part]).unwrap();
        assert_eq!(
            widened.removed,
            spans_from_segments(&chat.segments, &[2]).unwrap(),
            "a word is widened to its whole segment"
        );
        let run = spans_from_segments(&chat.segments, &[2, 3]).unwrap()[0];
        let r = remove_passages(&chat, &[part, run]).unwrap();
        assert_eq!(
            r.removed.len(),
            1,
            "the word lies inside the run: {:?}",
            r.removed
        );
        assert_eq!(
            r.chat.text,
            "Interviewer: How was it?\nMentor: [removed at the participant's request]\nInterviewer: Thank you."
        );
        let numbers: Vec<u32> = r.chat.segments.iter().map(|s| s.number).collect();
        assert_eq!(numbers, vec![1, 2, 3]);
        assert_eq!(r.chat.segment_text(&r.chat.segments[2]), "Thank you.");
    }

    #[test]
    fn two_separate_passages_are_each_replaced() {
        let chat = chat();
        let spans = spans_from_segments(&chat.segments, &[1, 4]).unwrap();
        let middle = span_of(&chat, "I worked nights");
        let r = remove_passages(&chat, &spans).unwrap();
        assert_eq!(r.removed.len(), 2);
        assert_eq!(r.chat.text.matches(REMOVED_MARKER).count(), 2);
        assert_eq!(
            r.map_excerpt(middle).unwrap().text(&r.chat.text),
            "I worked nights"
        );
        assert_eq!(r.chat.segments.len(), 4);
    }

    #[test]
    fn nothing_or_out_of_range_is_refused() {
        let chat = chat();
        assert_eq!(remove_passages(&chat, &[]), Err(RedactionError::Nothing));
        let len = chat.text.len();
        assert!(matches!(
            remove_passages(
                &chat,
                &[Span {
                    start: 3,
                    end: len + 1
                }]
            ),
            Err(RedactionError::OutOfRange { .. })
        ));
    }

    proptest! {
        /// Whatever segments are removed: every excerpt that does not overlap them keeps its
        /// exact words, the segments stay ordered on character boundaries, and no removed
        /// word is left.
        #[test]
        fn excerpts_outside_removed_passages_keep_their_words(
            ticked in proptest::collection::vec(1u32..=6, 1..4),
            a in 0usize..200, b in 0usize..200,
        ) {
            let chat = Chat::from_typed("A: Één twee drie.\nB: Vier — vijf.\nA: Zes zeven acht negen.\nB: Tien.\nA: Elf twaalf.\nB: Dertien, veertien.").unwrap();
            let spans = spans_from_segments(&chat.segments, &ticked).unwrap();
            let r = remove_passages(&chat, &spans).unwrap();
            let chars: Vec<usize> = chat.text.char_indices().map(|(i, _)| i).chain([chat.text.len()]).collect();
            let (s, e) = (chars[a % chars.len()], chars[b % chars.len()]);
            if s < e {
                let excerpt = Span { start: s, end: e };
                if let Some(moved) = r.map_excerpt(excerpt) {
                    prop_assert_eq!(moved.text(&r.chat.text), excerpt.text(&chat.text));
                }
            }
            let mut last = 0;
            for seg in &r.chat.segments {
                prop_assert!(seg.start >= last && seg.start < seg.end);
                prop_assert!(r.chat.text.is_char_boundary(seg.start) && r.chat.text.is_char_boundary(seg.end));
                last = seg.end;
            }
            for n in &ticked {
                let seg = &chat.segments[*n as usize - 1];
                let words = chat.segment_text(seg);
                prop_assert!(!r.chat.text.contains(words), "{} left in {}", words, r.chat.text);
            }
        }
    }
}
