//! The quote bank's rules (issue 11).
//!
//! * A quote is an excerpt promoted for use in reports. It is **usable only while its
//!   participant's quote consent stands**: [`usable`] drops every quote of anyone without a
//!   standing consent, so a withdrawal takes all of that person's quotes out at once, wherever
//!   the list is drawn.
//! * A quote is labelled by a **pseudonym stable within the cycle**, never a name: the role's
//!   label and a number ("Mentor 4", "Senior leader 2"). [`pseudonyms`] numbers the cycle's
//!   participants of each role from 1 in a stable order the caller supplies (the order in which
//!   they joined the cycle: the participant's id), over **everyone who ever took part in the
//!   cycle in that role**, so that nobody's number changes when someone else withdraws or
//!   another quote is chosen.
//! * The coordinator may edit a quote's wording **only by trimming with an ellipsis**
//!   ([`check_trim`]): the edited text is the original with some stretches removed, each
//!   removal marked by "…" (U+2026). Whitespace next to a mark may be added or dropped; any
//!   other change is refused. The original stays linked to the quote.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::excerpt::ExcerptId;

/// A participant's id within the cycle (the store's row id).
pub type ParticipantId = i64;
/// A quote's id.
pub type QuoteId = i64;

/// The mark of a removal.
pub const ELLIPSIS: char = '…';
/// Longest quote, in characters, original or edited.
pub const MAX_QUOTE_CHARS: usize = 2000;

/// A quote in the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub id: QuoteId,
    pub excerpt: ExcerptId,
    pub participant: ParticipantId,
    /// The excerpt's words, as coded.
    pub original: String,
    /// The words shown: the original, or a trimmed version of it.
    pub text: String,
}

/// The quotes that may be shown: those whose participant's quote consent stands now.
/// `consenting` holds the participants whose consent stands.
pub fn usable<'a>(quotes: &'a [Quote], consenting: &BTreeSet<ParticipantId>) -> Vec<&'a Quote> {
    quotes
        .iter()
        .filter(|q| consenting.contains(&q.participant))
        .collect()
}

/// How a role is named in pseudonyms.
pub fn pseudonym_label(role: &str) -> &'static str {
    match role {
        "mentor" => "Mentor",
        "mentee" => "Senior leader",
        _ => "Participant",
    }
}

/// Pseudonyms for everyone who took part in the cycle: `(participant, role)` in any order;
/// each role is numbered from 1 by participant id. A participant listed twice keeps the first
/// role given.
pub fn pseudonyms(participants: &[(ParticipantId, &str)]) -> BTreeMap<ParticipantId, String> {
    let mut by_role: BTreeMap<&str, BTreeSet<ParticipantId>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for &(id, role) in participants {
        if seen.insert(id) {
            by_role.entry(role).or_default().insert(id);
        }
    }
    let mut out = BTreeMap::new();
    for (role, ids) in by_role {
        for (n, id) in ids.into_iter().enumerate() {
            out.insert(id, format!("{} {}", pseudonym_label(role), n + 1));
        }
    }
    out
}

/// Why an edited quote was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrimError {
    #[error("the quote has no words left")]
    Empty,
    #[error("a quote is at most {MAX_QUOTE_CHARS} characters")]
    TooLong,
    #[error(
        "a quote can only be shortened, marking each cut with …; from character {at} (\"{near}\") the words are not the original's"
    )]
    NotATrim { at: usize, near: String },
}

/// Checks that `edited` is `original` with stretches removed, each marked by "…".
///
/// Each "…" in the edited text either stands for a non-empty stretch removed from the
/// original, or is an ellipsis the speaker's own words already had. Whitespace in the edited
/// text next to a mark is free (so "scared … at first" and "scared… at first" both trim
/// "scared, honestly, at first"). Runs in O(edited × original) time, with both bounded by
/// [`MAX_QUOTE_CHARS`].
pub fn check_trim(original: &str, edited: &str) -> Result<(), TrimError> {
    let e: Vec<char> = edited.trim().chars().collect();
    let o: Vec<char> = original.trim().chars().collect();
    if !e.iter().any(|c| !c.is_whitespace() && *c != ELLIPSIS) {
        return Err(TrimError::Empty);
    }
    if e.len() > MAX_QUOTE_CHARS || o.len() > MAX_QUOTE_CHARS {
        return Err(TrimError::TooLong);
    }
    let (n, m) = (e.len(), o.len());
    // Whether the next non-whitespace edited character from `i` on is a mark.
    let mut mark_ahead = vec![false; n + 1];
    for i in (0..n).rev() {
        mark_ahead[i] = if e[i].is_whitespace() {
            mark_ahead[i + 1]
        } else {
            e[i] == ELLIPSIS
        };
    }
    let width = m + 1;
    // r: e[..i] matches o[..j] outside a cut; g: inside a cut that has removed nothing yet;
    // s: inside a cut that has removed at least one character (and so may end).
    let mut r = vec![false; (n + 1) * width];
    let mut g = vec![false; (n + 1) * width];
    let mut s = vec![false; (n + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    let mut furthest = 0;
    for i in 0..=n {
        for j in 0..=m {
            let ws = i >= 1 && e[i - 1].is_whitespace();
            g[at(i, j)] =
                i >= 1 && ((e[i - 1] == ELLIPSIS && r[at(i - 1, j)]) || (ws && g[at(i - 1, j)]));
            s[at(i, j)] =
                (j >= 1 && (g[at(i, j - 1)] || s[at(i, j - 1)])) || (ws && s[at(i - 1, j)]);
            r[at(i, j)] = (i == 0 && j == 0)
                || (i >= 1 && j >= 1 && e[i - 1] == o[j - 1] && r[at(i - 1, j - 1)])
                || s[at(i, j)]
                || (ws && mark_ahead[i - 1] && r[at(i - 1, j)]);
            if r[at(i, j)] || g[at(i, j)] || s[at(i, j)] {
                furthest = furthest.max(i);
            }
        }
    }
    if r[at(n, m)] || s[at(n, m)] {
        return Ok(());
    }
    let near: String = e[furthest.min(n.saturating_sub(1))..]
        .iter()
        .take(20)
        .collect();
    Err(TrimError::NotATrim { at: furthest, near })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const ORIGINAL: &str =
        "I was scared, honestly, at first. Then he asked what would help, and he actually did it.";

    #[test]
    fn trimming_with_marked_cuts_is_accepted() {
        for edited in [
            ORIGINAL,
            "I was scared … at first …",
            "I was scared… at first. …",
            "… he asked what would help, and he actually did it.",
            "I was scared, honestly, at first …",
            "I was scared … he actually did it.",
            "I was scared … at first. … he actually did it.",
            "  I was scared … at first. …  ",
        ] {
            assert_eq!(check_trim(ORIGINAL, edited), Ok(()), "{edited}");
        }
    }

    #[test]
    fn anything_but_marked_cuts_is_refused() {
        for edited in [
            "I was scared at first. …",         // a cut without its mark
            "I was scared … at first.",         // the tail cut without its mark
            "I was terrified … at first.",      // a changed word
            "I was scared, honestly, at first", // a cut at the end without a mark
            "I was scared, honestly, at first. Then he asked what would help, and he actually did it. …", // a mark that cuts nothing
            "He was scared … at first.",
            "at first … I was scared", // reordered
        ] {
            assert!(
                matches!(
                    check_trim(ORIGINAL, edited),
                    Err(TrimError::NotATrim { .. })
                ),
                "{edited}"
            );
        }
        assert_eq!(check_trim(ORIGINAL, " … "), Err(TrimError::Empty));
        assert_eq!(
            check_trim(ORIGINAL, &"a".repeat(MAX_QUOTE_CHARS + 1)),
            Err(TrimError::TooLong)
        );
    }

    #[test]
    fn the_error_points_at_where_the_words_part() {
        let err = check_trim(ORIGINAL, "I was terrified … at first.").unwrap_err();
        assert_eq!(
            err,
            TrimError::NotATrim {
                at: 6,
                near: "terrified … at first".into()
            }
        );
    }

    #[test]
    fn an_ellipsis_the_speaker_said_is_kept_or_cut_like_any_word() {
        let original = "Well… it was fine, in the end.";
        assert_eq!(
            check_trim(original, "Well… it was fine."),
            Err(TrimError::NotATrim {
                at: 17,
                near: ".".into()
            })
        );
        assert_eq!(check_trim(original, "Well… it was fine …"), Ok(()));
        assert_eq!(check_trim(original, "… it was fine, in the end."), Ok(()));
    }

    #[test]
    fn consent_decides_which_quotes_are_usable() {
        let q = |id, participant| Quote {
            id,
            excerpt: id,
            participant,
            original: "x".into(),
            text: "x".into(),
        };
        let quotes = vec![q(1, 10), q(2, 11), q(3, 10)];
        let consenting: BTreeSet<ParticipantId> = [10].into();
        let ids: Vec<QuoteId> = usable(&quotes, &consenting).iter().map(|q| q.id).collect();
        assert_eq!(ids, vec![1, 3]);
        // Withdrawal takes every quote of that person out at once.
        assert!(usable(&quotes, &BTreeSet::new()).is_empty());
    }

    #[test]
    fn pseudonyms_are_numbered_per_role_by_a_stable_order_and_never_a_name() {
        let people = [
            (30, "mentee"),
            (12, "mentor"),
            (5, "mentor"),
            (40, "mentee"),
            (12, "mentee"),
        ];
        let p = pseudonyms(&people);
        assert_eq!(p[&5], "Mentor 1");
        assert_eq!(p[&12], "Mentor 2");
        assert_eq!(p[&30], "Senior leader 1");
        assert_eq!(p[&40], "Senior leader 2");
        // The same cycle listed in another order gives the same names.
        let mut shuffled = people;
        shuffled.reverse();
        shuffled.swap(0, 4); // keeps (12, "mentor") before (12, "mentee")
        assert_eq!(pseudonyms(&shuffled)[&12], "Mentor 2");
        // Everyone is listed, so one person leaving the quote bank changes no one's number.
        assert_eq!(pseudonyms(&people[..4])[&40], "Senior leader 2");
    }

    /// The original with the given character ranges cut, each cut marked by " … ".
    fn trimmed(original: &[char], cuts: &[(usize, usize)]) -> String {
        let mut out = String::new();
        let mut at = 0;
        for &(s, e) in cuts {
            out.extend(&original[at..s]);
            out.push_str(" … ");
            at = e;
        }
        out.extend(&original[at..]);
        out
    }

    proptest! {
        #[test]
        fn every_marked_trim_is_accepted(
            original in "[a-z ,.]{1,80}",
            raw_cuts in proptest::collection::vec((0usize..80, 1usize..10), 0..4),
        ) {
            let chars: Vec<char> = original.trim().chars().collect();
            prop_assume!(!chars.is_empty());
            // Disjoint, non-empty, in order, not touching.
            let mut cuts = Vec::new();
            let mut next_free = 0;
            let mut sorted = raw_cuts;
            sorted.sort();
            for (s, len) in sorted {
                let s = s.max(next_free);
                let e = (s + len).min(chars.len());
                if s < e {
                    cuts.push((s, e));
                    next_free = e + 1;
                }
            }
            let edited = trimmed(&chars, &cuts);
            prop_assume!(edited.chars().any(|c| c.is_alphanumeric()));
            prop_assert_eq!(check_trim(&original, &edited), Ok(()));
        }

        #[test]
        fn a_word_the_speaker_never_said_is_refused(
            original in "[a-z ,.]{1,80}",
            at in 0usize..80,
            cut in proptest::bool::ANY,
        ) {
            let chars: Vec<char> = original.trim().chars().collect();
            prop_assume!(!chars.is_empty());
            let at = at.min(chars.len());
            let mut edited: String = chars[..at].iter().collect();
            if cut {
                edited.push_str(" … ");
            }
            edited.push('Q');
            edited.extend(&chars[at..]);
            prop_assert!(check_trim(&original, &edited).is_err());
        }

        #[test]
        fn the_checker_never_panics(original in "\\PC{0,60}", edited in "\\PC{0,60}") {
            let _ = check_trim(&original, &edited);
        }
    }
}
