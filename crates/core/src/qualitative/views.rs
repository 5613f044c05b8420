//! Views of a cycle's coded excerpts (issue 11): which two coders to compare by default,
//! passages counted once however many coders coded them, code frequencies laid out per code
//! with one column per role, and the CSV of excerpts for researchers.
//!
//! Rules:
//! * the default pair of coders to compare is the two who made the most excerpts (ties by
//!   the lower id, so the choice is stable);
//! * two coders' excerpts of the **same span of the same chat** are one passage: frequencies
//!   count it once, with the union of its codes (a passage coded by both coders is not two
//!   pieces of evidence);
//! * the CSV names participants by pseudonym and coders as "Coder N", never a name or an
//!   email; cells that a spreadsheet would run as a formula are quoted.

use std::collections::BTreeMap;

use serde::Serialize;

use super::codebook::CodeId;
use super::codebook::Codebook;
use super::excerpt::{ChatId, CoderId, Excerpt, Span};
use super::triangulation::{Attributed, Audience, CodeFrequency};
use crate::disclosure::{Cell, DisclosureRule};
use crate::spreadsheet::safe_cell;

/// The coders of `excerpts` with how many excerpts each made, most first (ties: lower id).
pub fn coders_by_excerpts(excerpts: &[Excerpt]) -> Vec<(CoderId, usize)> {
    let mut counts: BTreeMap<CoderId, usize> = BTreeMap::new();
    for e in excerpts {
        *counts.entry(e.coder).or_default() += 1;
    }
    let mut out: Vec<(CoderId, usize)> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// The two coders to compare when none are chosen: the two who coded most.
pub fn default_pair(excerpts: &[Excerpt]) -> Option<(CoderId, CoderId)> {
    match coders_by_excerpts(excerpts).as_slice() {
        [(a, _), (b, _), ..] => Some((*a, *b)),
        _ => None,
    }
}

/// The chats both coders have coded (each made at least one excerpt of it), in id order:
/// agreement is measured only where both coded, since a chat one coder has not reached yet
/// says nothing about how far they agree.
pub fn coded_by_both(excerpts: &[Excerpt], a: CoderId, b: CoderId) -> Vec<ChatId> {
    let mut seen: BTreeMap<ChatId, (bool, bool)> = BTreeMap::new();
    for e in excerpts {
        let entry = seen.entry(e.chat).or_default();
        entry.0 |= e.coder == a;
        entry.1 |= e.coder == b;
    }
    seen.into_iter()
        .filter(|(_, (x, y))| *x && *y)
        .map(|(chat, _)| chat)
        .collect()
}

/// Excerpts as passages: those of the same chat and span are joined into one (the first's id
/// and coder, every code once, in the order first seen).
pub fn passages(excerpts: &[Excerpt]) -> Vec<Excerpt> {
    let mut out: Vec<Excerpt> = Vec::new();
    let mut at: BTreeMap<(ChatId, Span), usize> = BTreeMap::new();
    for e in excerpts {
        match at.get(&(e.chat, e.span)) {
            Some(&i) => {
                for code in &e.codes {
                    if !out[i].codes.contains(code) {
                        out[i].codes.push(*code);
                    }
                }
            }
            None => {
                at.insert((e.chat, e.span), out.len());
                out.push(e.clone());
            }
        }
    }
    out
}

/// One role's figures for a code: passages and the people they came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RoleFigures {
    pub excerpts: Cell<u64>,
    pub participants: Cell<u64>,
}

/// One code's frequencies with a column per role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrequencyRow {
    pub code: CodeId,
    pub path: String,
    /// Per role, in the order of the `roles` asked for; `None` where nobody of that role
    /// was coded with it.
    pub roles: Vec<Option<RoleFigures>>,
}

/// Lays code frequencies (one per code and role, in codebook order) out as one row per code
/// with a column per role in `roles`.
pub fn by_role(frequencies: &[CodeFrequency], roles: &[&str]) -> Vec<FrequencyRow> {
    let mut out: Vec<FrequencyRow> = Vec::new();
    for f in frequencies {
        if out.last().is_none_or(|r| r.code != f.code) {
            out.push(FrequencyRow {
                code: f.code,
                path: f.path.clone(),
                roles: vec![None; roles.len()],
            });
        }
        if let (Some(row), Some(i)) = (out.last_mut(), roles.iter().position(|r| *r == f.role)) {
            row.roles[i] = Some(RoleFigures {
                excerpts: f.excerpts,
                participants: f.participants,
            });
        }
    }
    out
}

/// One aim's totals: for each role in `roles`, the passages coded with any code tied to the
/// aim and the people they came from. Outside the research team the people pass through the
/// rule and the passages are hidden whenever the people behind them are, as for each code
/// ([`super::triangulation::code_frequencies`]).
pub fn aim_totals(
    codebook: &Codebook,
    aim: &str,
    excerpts: &[Attributed],
    roles: &[&str],
    audience: Audience,
    rule: &DisclosureRule,
) -> Vec<RoleFigures> {
    roles
        .iter()
        .map(|role| {
            let mut passages = 0u64;
            let mut people = std::collections::BTreeSet::new();
            for a in excerpts.iter().filter(|a| a.role == *role) {
                if a.excerpt
                    .codes
                    .iter()
                    .any(|c| codebook.aim_of(*c) == Some(aim))
                {
                    passages += 1;
                    people.insert(a.participant);
                }
            }
            let people = people.len() as u64;
            match audience {
                Audience::ResearchTeam => RoleFigures {
                    excerpts: Cell::Shown(passages),
                    participants: Cell::Shown(people),
                },
                Audience::Outside => {
                    let participants = rule.count(people);
                    RoleFigures {
                        excerpts: match participants {
                            Cell::Suppressed(reason) => Cell::Suppressed(reason),
                            Cell::Shown(_) => Cell::Shown(passages),
                        },
                        participants,
                    }
                }
            }
        })
        .collect()
}

/// One row of the excerpts CSV: one code of one excerpt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcerptCsvRow {
    /// The code's path, "Belonging › Isolation".
    pub code: String,
    /// "Mentor 4".
    pub pseudonym: String,
    /// `mentor` or `mentee`.
    pub role: String,
    /// The key of the aim the code evidences (its own or its nearest ancestor's), or empty.
    pub aim: String,
    /// The excerpt's words.
    pub text: String,
    /// "Coder 1".
    pub coder: String,
    /// The chat's id, to keep passages of one chat together.
    pub chat: ChatId,
}

/// The excerpts CSV's columns, in order.
pub const EXCERPT_CSV_COLUMNS: [&str; 7] =
    ["code", "pseudonym", "role", "aim", "text", "coder", "chat"];

/// The excerpts as CSV, header first, rows as given.
pub fn excerpts_csv(rows: &[ExcerptCsvRow]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(EXCERPT_CSV_COLUMNS)?;
    for r in rows {
        let chat = r.chat.to_string();
        w.write_record(
            [
                r.code.as_str(),
                r.pseudonym.as_str(),
                r.role.as_str(),
                r.aim.as_str(),
                r.text.as_str(),
                r.coder.as_str(),
                chat.as_str(),
            ]
            .map(|cell| safe_cell(cell).into_owned()),
        )?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::Suppression;

    fn ex(id: i64, chat: ChatId, coder: CoderId, span: (usize, usize), codes: &[i64]) -> Excerpt {
        Excerpt {
            id,
            chat,
            coder,
            span: Span {
                start: span.0,
                end: span.1,
            },
            codes: codes.to_vec(),
            memo: None,
        }
    }

    #[test]
    fn the_default_pair_is_the_two_who_coded_most() {
        let excerpts = vec![
            ex(1, 1, 7, (0, 1), &[1]),
            ex(2, 1, 9, (0, 1), &[1]),
            ex(3, 1, 9, (1, 2), &[1]),
            ex(4, 2, 8, (0, 1), &[1]),
            ex(5, 2, 8, (1, 2), &[1]),
        ];
        assert_eq!(coders_by_excerpts(&excerpts), vec![(8, 2), (9, 2), (7, 1)]);
        assert_eq!(default_pair(&excerpts), Some((8, 9)));
        assert_eq!(default_pair(&excerpts[..1]), None);
        assert_eq!(coded_by_both(&excerpts, 7, 9), vec![1]);
        assert_eq!(coded_by_both(&excerpts, 8, 9), Vec::<ChatId>::new());
    }

    #[test]
    fn a_passage_coded_by_two_coders_counts_once_with_every_code() {
        let excerpts = vec![
            ex(1, 1, 7, (0, 5), &[1]),
            ex(2, 1, 9, (0, 5), &[1, 2]),
            ex(3, 1, 9, (0, 6), &[1]),
            ex(4, 2, 9, (0, 5), &[1]),
        ];
        let joined = passages(&excerpts);
        assert_eq!(joined.len(), 3);
        assert_eq!((joined[0].id, joined[0].codes.clone()), (1, vec![1, 2]));
        assert_eq!(joined[1].id, 3);
        assert_eq!(joined[2].id, 4);
    }

    #[test]
    fn frequencies_are_laid_out_one_row_per_code() {
        let f = |code: i64, role: &str, n: u64| CodeFrequency {
            code,
            path: format!("Code {code}"),
            role: role.into(),
            excerpts: Cell::Shown(n),
            participants: Cell::Suppressed(Suppression::SmallCount),
        };
        let rows = by_role(
            &[f(1, "mentee", 2), f(1, "mentor", 3), f(2, "mentee", 1)],
            &["mentor", "mentee"],
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].roles[0].map(|r| r.excerpts),
            Some(Cell::Shown(3)),
            "mentors first, as asked"
        );
        assert_eq!(rows[0].roles[1].map(|r| r.excerpts), Some(Cell::Shown(2)));
        assert_eq!(rows[1].roles[0], None);
    }

    #[test]
    fn the_csv_quotes_formulas_and_keeps_commas_and_newlines() {
        let rows = [ExcerptCsvRow {
            code: "Belonging › Isolation".into(),
            pseudonym: "Mentor 1".into(),
            role: "mentor".into(),
            aim: "belonging".into(),
            text: "=SUM(A1), and \"then\"\nmore".into(),
            coder: "Coder 1".into(),
            chat: 3,
        }];
        let csv = excerpts_csv(&rows).unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, EXCERPT_CSV_COLUMNS);
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(&record[4], "'=SUM(A1), and \"then\"\nmore");
        assert_eq!(&record[0], "Belonging › Isolation");
    }
    #[test]
    fn aim_totals_count_passages_and_people_and_hide_small_ones_outside() {
        use crate::qualitative::codebook::default_codebook;
        let book = default_codebook();
        let code = |name: &str| book.codes.iter().find(|c| c.name == name).unwrap().id;
        let (isolation, belonging, trust) = (code("Isolation"), code("Belonging"), code("Trust"));
        let mut all = Vec::new();
        for p in 1..=6 {
            all.push((ex(p, p, 1, (0, 1), &[isolation]), p, "mentor"));
        }
        all.push((ex(7, 1, 1, (1, 2), &[belonging, isolation]), 1, "mentor"));
        all.push((ex(8, 9, 1, (0, 1), &[isolation]), 9, "mentee"));
        all.push((ex(9, 9, 1, (1, 2), &[trust]), 9, "mentee"));
        let attributed: Vec<Attributed> = all
            .iter()
            .map(|(e, p, r)| Attributed {
                excerpt: e,
                participant: *p,
                role: r,
            })
            .collect();
        let rule = DisclosureRule::internal();
        let inside = aim_totals(
            &book,
            "belonging",
            &attributed,
            &["mentor", "mentee"],
            Audience::ResearchTeam,
            &rule,
        );
        assert_eq!(
            inside[0].excerpts,
            Cell::Shown(7),
            "a passage with two codes counts once"
        );
        assert_eq!(inside[0].participants, Cell::Shown(6));
        assert_eq!(inside[1].excerpts, Cell::Shown(1));
        let outside = aim_totals(
            &book,
            "belonging",
            &attributed,
            &["mentor", "mentee"],
            Audience::Outside,
            &rule,
        );
        assert_eq!(outside[0].participants, Cell::Shown(6));
        assert!(outside[1].participants.is_suppressed());
        assert!(
            outside[1].excerpts.is_suppressed(),
            "passages of one person are hidden too"
        );
    }
}
