//! Two coders compared (issue 11): per code, how far two people who coded the same chats
//! independently agree.
//!
//! For each code the units are either the chats' numbered **segments** ([`Level::Segment`]: a
//! coder applied the code to a segment when any of their excerpts with that code overlaps it)
//! or their **characters** ([`Level::Character`]: code points, newlines included; a character
//! is coded when one of the coder's excerpts with that code covers it). Every unit falls in a
//! 2×2 table (both, only A, only B, neither), from which:
//! * percentage agreement = (both + neither) / units × 100;
//! * Cohen's kappa = (pₒ − pₑ) / (1 − pₑ), pₑ from each coder's marginal proportions, as
//!   scikit-learn's `cohen_kappa_score` computes it; when pₑ = 1 (both coders put every unit in
//!   the same class) kappa is undefined and shown as such ([`CodeAgreement::kappa`] is `None`),
//!   where scikit-learn answers NaN.
//!
//! The disagreements are listed side by side: each maximal run of units where one coder
//! applied the code and the other did not, with the excerpts of each coder that touch it.

use std::collections::BTreeSet;

use serde::Serialize;

use super::codebook::CodeId;
use super::excerpt::{ChatId, Excerpt, ExcerptId, Span};
use super::transcript::Segment;

/// The unit agreement is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Level {
    Segment,
    Character,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Segment => "segment",
            Level::Character => "character",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "segment" => Some(Level::Segment),
            "character" => Some(Level::Character),
            _ => None,
        }
    }

    /// How pages and exports name it.
    pub fn label(self) -> &'static str {
        match self {
            Level::Segment => "segment level (numbered turns and sentences)",
            Level::Character => "character level",
        }
    }
}

/// The 2×2 table of one code: units coded by both, only by A, only by B, by neither.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Table {
    pub both: u64,
    pub only_a: u64,
    pub only_b: u64,
    pub neither: u64,
}

impl Table {
    /// The table of two coders' yes/no decisions over the same units.
    pub fn from_decisions(a: &[bool], b: &[bool]) -> Table {
        let mut t = Table::default();
        for (&x, &y) in a.iter().zip(b) {
            t.add(x, y, 1);
        }
        t
    }

    fn add(&mut self, a: bool, b: bool, weight: u64) {
        match (a, b) {
            (true, true) => self.both += weight,
            (true, false) => self.only_a += weight,
            (false, true) => self.only_b += weight,
            (false, false) => self.neither += weight,
        }
    }

    pub fn units(&self) -> u64 {
        self.both + self.only_a + self.only_b + self.neither
    }

    /// Percentage agreement, 0–100; `None` with no units.
    pub fn percentage_agreement(&self) -> Option<f64> {
        let n = self.units();
        (n > 0).then(|| (self.both + self.neither) as f64 / n as f64 * 100.0)
    }

    /// Cohen's kappa; `None` with no units or when chance agreement is 1.
    pub fn kappa(&self) -> Option<f64> {
        let n = self.units() as f64;
        if n == 0.0 {
            return None;
        }
        let po = (self.both + self.neither) as f64 / n;
        let a_yes = (self.both + self.only_a) as f64 / n;
        let b_yes = (self.both + self.only_b) as f64 / n;
        let pe = a_yes * b_yes + (1.0 - a_yes) * (1.0 - b_yes);
        if (1.0 - pe).abs() < 1e-15 {
            return None;
        }
        Some((po - pe) / (1.0 - pe))
    }
}

/// One chat coded by both coders.
#[derive(Debug, Clone, Copy)]
pub struct CodedTwice<'a> {
    pub chat: ChatId,
    pub text: &'a str,
    pub segments: &'a [Segment],
    /// Coder A's excerpts of this chat.
    pub a: &'a [Excerpt],
    /// Coder B's excerpts of this chat.
    pub b: &'a [Excerpt],
}

/// A stretch where the coders differ on a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    pub chat: ChatId,
    /// Byte offsets into the chat's text.
    pub span: Span,
    /// The segments, at segment level (empty at character level).
    pub segments: Vec<u32>,
    /// Whether coder A applied the code here (B did the opposite).
    pub coded_by_a: bool,
    /// A's excerpts with this code that touch the stretch.
    pub a_excerpts: Vec<ExcerptId>,
    /// B's excerpts with this code that touch the stretch.
    pub b_excerpts: Vec<ExcerptId>,
}

/// One code's agreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeAgreement {
    pub code: CodeId,
    pub level: Level,
    pub table: Table,
    pub percentage: Option<f64>,
    pub kappa: Option<f64>,
    pub disagreements: Vec<Disagreement>,
}

/// Compares two coders over the given chats, code by code (in the order given).
pub fn compare(level: Level, codes: &[CodeId], chats: &[CodedTwice]) -> Vec<CodeAgreement> {
    codes
        .iter()
        .map(|&code| {
            let mut table = Table::default();
            let mut disagreements = Vec::new();
            for chat in chats {
                let a = spans_with(chat.a, code);
                let b = spans_with(chat.b, code);
                let runs = match level {
                    Level::Segment => segment_level(chat, &a, &b, &mut table),
                    Level::Character => character_level(chat.text, &a, &b, &mut table),
                };
                for (span, segments, coded_by_a) in runs {
                    disagreements.push(Disagreement {
                        chat: chat.chat,
                        span,
                        segments,
                        coded_by_a,
                        a_excerpts: touching(chat.a, code, span),
                        b_excerpts: touching(chat.b, code, span),
                    });
                }
            }
            CodeAgreement {
                code,
                level,
                table,
                percentage: table.percentage_agreement(),
                kappa: table.kappa(),
                disagreements,
            }
        })
        .collect()
}

fn spans_with(excerpts: &[Excerpt], code: CodeId) -> Vec<Span> {
    excerpts
        .iter()
        .filter(|e| e.codes.contains(&code))
        .map(|e| e.span)
        .collect()
}

fn touching(excerpts: &[Excerpt], code: CodeId, span: Span) -> Vec<ExcerptId> {
    excerpts
        .iter()
        .filter(|e| e.codes.contains(&code) && e.span.overlaps(span))
        .map(|e| e.id)
        .collect()
}

type Run = (Span, Vec<u32>, bool);

fn segment_level(chat: &CodedTwice, a: &[Span], b: &[Span], table: &mut Table) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut previous: Option<(u32, bool)> = None;
    for s in chat.segments {
        let unit = Span {
            start: s.start,
            end: s.end,
        };
        let x = a.iter().any(|sp| sp.overlaps(unit));
        let y = b.iter().any(|sp| sp.overlaps(unit));
        table.add(x, y, 1);
        if x != y {
            match (previous, runs.last_mut()) {
                (Some((n, by_a)), Some(last)) if n + 1 == s.number && by_a == x => {
                    last.0.end = s.end;
                    last.1.push(s.number);
                }
                _ => runs.push((unit, vec![s.number], x)),
            }
            previous = Some((s.number, x));
        } else {
            previous = None;
        }
    }
    runs
}

fn character_level(text: &str, a: &[Span], b: &[Span], table: &mut Table) -> Vec<Run> {
    // Sweep over the boundaries of every span: between two neighbouring boundaries each
    // coder's coverage is constant, so each stretch counts its characters at once.
    let mut cuts: BTreeSet<usize> = [0, text.len()].into();
    for s in a.iter().chain(b) {
        cuts.insert(s.start.min(text.len()));
        cuts.insert(s.end.min(text.len()));
    }
    let cuts: Vec<usize> = cuts.into_iter().collect();
    let mut runs: Vec<Run> = Vec::new();
    for w in cuts.windows(2) {
        let piece = Span {
            start: w[0],
            end: w[1],
        };
        let chars = text
            .get(piece.start..piece.end)
            .map_or(0, |t| t.chars().count()) as u64;
        if chars == 0 {
            continue;
        }
        let x = a
            .iter()
            .any(|s| s.start <= piece.start && piece.end <= s.end);
        let y = b
            .iter()
            .any(|s| s.start <= piece.start && piece.end <= s.end);
        table.add(x, y, chars);
        if x != y {
            match runs.last_mut() {
                Some(last) if last.0.end == piece.start && last.2 == x => last.0.end = piece.end,
                _ => runs.push((piece, Vec::new(), x)),
            }
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qualitative::transcript::Chat;

    fn ex(id: ExcerptId, coder: i64, span: (usize, usize), codes: &[CodeId]) -> Excerpt {
        Excerpt {
            id,
            chat: 7,
            coder,
            span: Span {
                start: span.0,
                end: span.1,
            },
            codes: codes.to_vec(),
            memo: None,
        }
    }

    /// Hand-computed: 10 units, both 3, only A 1, only B 2, neither 4.
    /// pₒ = 7/10 = 0.7; A says yes 4/10, B 5/10; pₑ = 0.4·0.5 + 0.6·0.5 = 0.5;
    /// κ = (0.7 − 0.5)/(1 − 0.5) = 0.4.
    #[test]
    fn kappa_matches_a_hand_computed_table() {
        let t = Table {
            both: 3,
            only_a: 1,
            only_b: 2,
            neither: 4,
        };
        assert!((t.kappa().unwrap() - 0.4).abs() < 1e-12);
        assert!((t.percentage_agreement().unwrap() - 70.0).abs() < 1e-12);
        let a = [
            true, true, true, true, false, false, false, false, false, false,
        ];
        let b = [
            true, true, true, false, true, true, false, false, false, false,
        ];
        assert_eq!(Table::from_decisions(&a, &b), t);
    }

    #[test]
    fn levels_read_back_what_they_write() {
        for level in [Level::Segment, Level::Character] {
            assert_eq!(Level::parse(level.as_str()), Some(level));
        }
        assert_eq!(Level::parse("word"), None);
    }

    #[test]
    fn kappa_is_undefined_when_chance_agreement_is_certain() {
        let t = Table {
            neither: 5,
            ..Table::default()
        };
        assert_eq!(t.kappa(), None);
        assert_eq!(t.percentage_agreement(), Some(100.0));
        assert_eq!(Table::default().kappa(), None);
        let perfect = Table {
            both: 2,
            neither: 3,
            ..Table::default()
        };
        assert_eq!(perfect.kappa(), Some(1.0));
    }

    fn five_segments() -> Chat {
        Chat::from_typed("A: one.\nB: two.\nA: three.\nB: four.\nA: five.").unwrap()
    }

    /// Segments 1–5. Coder A codes 1–2 and 4 with code 1; coder B codes 2–3 and 4.
    /// Table: both {2, 4} = 2, only A {1} = 1, only B {3} = 1, neither {5} = 1.
    /// pₒ = 3/5; A yes 3/5, B yes 3/5; pₑ = 9/25 + 4/25 = 13/25; κ = (15/25 − 13/25)/(12/25) = 1/6.
    #[test]
    fn segment_level_agreement_by_hand() {
        let chat = five_segments();
        let s = &chat.segments;
        let a = vec![
            ex(1, 1, (s[0].start, s[1].end), &[1]),
            ex(2, 1, (s[3].start, s[3].end), &[1, 2]),
        ];
        let b = vec![
            ex(3, 2, (s[1].start + 1, s[2].end), &[1]),
            ex(4, 2, (s[3].start, s[3].start + 2), &[1]),
        ];
        let report = compare(
            Level::Segment,
            &[1, 2],
            &[CodedTwice {
                chat: 7,
                text: &chat.text,
                segments: s,
                a: &a,
                b: &b,
            }],
        );
        let code1 = &report[0];
        assert_eq!(
            code1.table,
            Table {
                both: 2,
                only_a: 1,
                only_b: 1,
                neither: 1
            }
        );
        assert!((code1.kappa.unwrap() - 1.0 / 6.0).abs() < 1e-12);
        assert_eq!(code1.disagreements.len(), 2);
        assert_eq!(code1.disagreements[0].segments, vec![1]);
        assert!(code1.disagreements[0].coded_by_a);
        assert_eq!(code1.disagreements[0].a_excerpts, vec![1]);
        assert_eq!(code1.disagreements[0].b_excerpts, Vec::<ExcerptId>::new());
        assert_eq!(code1.disagreements[1].segments, vec![3]);
        assert!(!code1.disagreements[1].coded_by_a);
        // Code 2: only A, on segment 4.
        assert_eq!(report[1].table.only_a, 1);
        assert_eq!(report[1].table.neither, 4);
        assert_eq!(report[1].kappa, Some(0.0));
    }

    /// Text of 10 characters "abcdéfghij" (é is two bytes). A codes chars [0, 6), B [3, 8).
    /// both = 3 (d é f), only A = 3 (a b c), only B = 2 (g h), neither = 2 (i j).
    /// pₒ = 0.5; A yes 0.6, B yes 0.5; pₑ = 0.3 + 0.2 = 0.5; κ = 0.
    #[test]
    fn character_level_agreement_counts_characters_not_bytes() {
        let text = "abcdéfghij";
        let byte = |c: usize| text.char_indices().nth(c).map_or(text.len(), |(b, _)| b);
        let a = vec![ex(1, 1, (byte(0), byte(6)), &[1])];
        let b = vec![
            ex(2, 2, (byte(3), byte(8)), &[1]),
            ex(3, 2, (byte(4), byte(5)), &[1]),
        ];
        let report = compare(
            Level::Character,
            &[1],
            &[CodedTwice {
                chat: 7,
                text,
                segments: &[],
                a: &a,
                b: &b,
            }],
        );
        let r = &report[0];
        assert_eq!(
            r.table,
            Table {
                both: 3,
                only_a: 3,
                only_b: 2,
                neither: 2
            }
        );
        assert!(r.kappa.unwrap().abs() < 1e-12);
        assert_eq!(r.percentage, Some(50.0));
        let d: Vec<(&str, bool)> = r
            .disagreements
            .iter()
            .map(|d| (d.span.text(text), d.coded_by_a))
            .collect();
        assert_eq!(d, vec![("abc", true), ("gh", false)]);
        assert_eq!(r.disagreements[1].b_excerpts, vec![2]);
    }
}
