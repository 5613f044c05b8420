//! Triangulation (issue 11): one aim's evidence side by side, the page the annual report
//! draws on.
//!
//! [`aim_view`] assembles, for one aim:
//! * the survey change of each statement tied to the aim (the [`ComparedStatement`]s the
//!   evaluation already computed under the disclosure rule: paired change, moved up/same/down,
//!   effect size);
//! * the frequencies of the codes tied to the aim (a code's own aim, or else its nearest
//!   ancestor's), per participant role: how many excerpts, and how many people they came from;
//! * the chosen quotes of the aim's codes whose participants' quote consent stands, labelled
//!   by pseudonym;
//! * the coordinator's finding.
//!
//! Disclosure: inside the research team the frequencies are shown as counted
//! ([`Audience::ResearchTeam`]). Shown to anyone else ([`Audience::Outside`]), the number of
//! people passes through the organisation's [`DisclosureRule`], and the number of excerpts is
//! hidden whenever the number of people behind it is (a count of passages from two people
//! would tell what the hidden count hides).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::codebook::{CodeId, Codebook};
use super::excerpt::Excerpt;
use super::quotes::{self, ParticipantId, Quote};
use crate::disclosure::{Cell, DisclosureRule};
use crate::evaluation::ComparedStatement;

/// Who the figures are shown to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Audience {
    /// The cycle's coordinators and researchers with access to the scheme.
    ResearchTeam,
    /// Anyone else: reports, dashboards.
    Outside,
}

/// One code's frequency for one role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeFrequency {
    pub code: CodeId,
    /// "Belonging › Isolation".
    pub path: String,
    pub role: String,
    pub excerpts: Cell<u64>,
    pub participants: Cell<u64>,
}

/// A quote as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownQuote {
    pub quote: Quote,
    pub pseudonym: String,
}

/// One aim's triangulation.
#[derive(Debug, Clone, PartialEq)]
pub struct AimView {
    pub aim: String,
    pub statements: Vec<ComparedStatement>,
    pub frequencies: Vec<CodeFrequency>,
    pub quotes: Vec<ShownQuote>,
    pub finding: Option<String>,
}

/// An excerpt with who said it.
#[derive(Debug, Clone, Copy)]
pub struct Attributed<'a> {
    pub excerpt: &'a Excerpt,
    pub participant: ParticipantId,
    /// The participant's role in the cycle (`mentor`, `mentee`).
    pub role: &'a str,
}

/// Code frequencies per code and role for every code tied to `aim` (all codes with `None`),
/// in codebook order then role; codes no one used are left out.
pub fn code_frequencies(
    codebook: &Codebook,
    aim: Option<&str>,
    excerpts: &[Attributed],
    audience: Audience,
    rule: &DisclosureRule,
) -> Vec<CodeFrequency> {
    let mut counts: BTreeMap<(CodeId, &str), (u64, BTreeSet<ParticipantId>)> = BTreeMap::new();
    for a in excerpts {
        for &code in &a.excerpt.codes {
            let entry = counts.entry((code, a.role)).or_default();
            entry.0 += 1;
            entry.1.insert(a.participant);
        }
    }
    let mut out = Vec::new();
    for (_, code) in codebook.tree() {
        if aim.is_some() && codebook.aim_of(code.id) != aim {
            continue;
        }
        for ((id, role), (n, people)) in counts.range((code.id, "")..) {
            if *id != code.id {
                break;
            }
            let people = people.len() as u64;
            let (excerpts, participants) = match audience {
                Audience::ResearchTeam => (Cell::Shown(*n), Cell::Shown(people)),
                Audience::Outside => {
                    let participants = rule.count(people);
                    let excerpts = match participants {
                        Cell::Suppressed(reason) => Cell::Suppressed(reason),
                        Cell::Shown(_) => Cell::Shown(*n),
                    };
                    (excerpts, participants)
                }
            };
            out.push(CodeFrequency {
                code: code.id,
                path: codebook.path(code.id).unwrap_or_default(),
                role: role.to_string(),
                excerpts,
                participants,
            });
        }
    }
    out
}

/// Everything the triangulation page shows for one aim.
///
/// `statement_aims` maps each statement code of the cycle's instrument to its aim key;
/// `chosen` are the quotes picked for this aim (any order; shown in the order given, unusable
/// ones dropped); `consenting` the participants whose quote consent stands; `pseudonyms` the
/// cycle's pseudonyms ([`quotes::pseudonyms`]).
#[expect(
    clippy::too_many_arguments,
    reason = "one page's inputs, each from its own query"
)]
pub fn aim_view(
    aim: &str,
    compared: &[ComparedStatement],
    statement_aims: &BTreeMap<String, String>,
    codebook: &Codebook,
    excerpts: &[Attributed],
    chosen: &[Quote],
    consenting: &BTreeSet<ParticipantId>,
    pseudonyms: &BTreeMap<ParticipantId, String>,
    finding: Option<&str>,
    audience: Audience,
    rule: &DisclosureRule,
) -> AimView {
    let statements = compared
        .iter()
        .filter(|s| statement_aims.get(&s.code).map(String::as_str) == Some(aim))
        .cloned()
        .collect();
    let quotes = quotes::usable(chosen, consenting)
        .into_iter()
        .filter_map(|q| {
            pseudonyms.get(&q.participant).map(|p| ShownQuote {
                quote: q.clone(),
                pseudonym: p.clone(),
            })
        })
        .collect();
    AimView {
        aim: aim.to_string(),
        statements,
        frequencies: code_frequencies(codebook, Some(aim), excerpts, audience, rule),
        quotes,
        finding: finding
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_string),
    }
}

/// Each respondent's score on an aim in one wave: the mean of their answers to the aim's
/// statements that they answered (`statements` holds one map of scores by respondent per
/// statement). A respondent who answered none of them has no score. The results page compares
/// these per aim as it compares statements.
pub fn aim_scores(statements: &[BTreeMap<String, f64>]) -> BTreeMap<String, f64> {
    let mut sums: BTreeMap<&str, (f64, u32)> = BTreeMap::new();
    for scores in statements {
        for (respondent, score) in scores {
            let e = sums.entry(respondent).or_default();
            e.0 += score;
            e.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(r, (sum, n))| (r.to_string(), sum / f64::from(n)))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_aims_score_is_each_respondents_mean_over_the_statements_they_answered() {
        let s = |pairs: &[(&str, f64)]| {
            pairs
                .iter()
                .map(|(r, v)| (r.to_string(), *v))
                .collect::<BTreeMap<String, f64>>()
        };
        let scores = aim_scores(&[s(&[("a", 2.0), ("b", 5.0)]), s(&[("a", 4.0)])]);
        assert_eq!(scores, s(&[("a", 3.0), ("b", 5.0)]));
        assert!(aim_scores(&[]).is_empty());
    }

    use super::*;
    use crate::disclosure::Suppression;
    use crate::evaluation;
    use crate::qualitative::codebook::default_codebook;
    use crate::qualitative::excerpt::Span;

    fn code(book: &Codebook, name: &str) -> CodeId {
        book.codes.iter().find(|c| c.name == name).unwrap().id
    }

    fn excerpts(book: &Codebook) -> Vec<(Excerpt, ParticipantId, &'static str)> {
        let isolation = code(book, "Isolation");
        let belonging = code(book, "Belonging");
        let trust = code(book, "Trust");
        let mut out = Vec::new();
        // Isolation: 7 mentors, one of them twice; Belonging: 2 mentees; Trust: 6 mentors.
        for p in 1..=7 {
            out.push((p, isolation, "mentor"));
        }
        out.push((1, isolation, "mentor"));
        out.push((20, belonging, "mentee"));
        out.push((21, belonging, "mentee"));
        for p in 1..=6 {
            out.push((p, trust, "mentor"));
        }
        out.into_iter()
            .enumerate()
            .map(|(i, (p, c, role))| {
                (
                    Excerpt {
                        id: i as i64,
                        chat: p,
                        coder: 1,
                        span: Span { start: 0, end: 1 },
                        codes: vec![c],
                        memo: None,
                    },
                    p,
                    role,
                )
            })
            .collect()
    }

    fn compared(code: &str, aim: &str) -> ComparedStatement {
        let from = (0..8).map(|i| (format!("p{i}"), 3.0)).collect();
        let to = (0..8)
            .map(|i| (format!("p{i}"), if i < 6 { 4.0 } else { 3.0 }))
            .collect();
        evaluation::compare((code, aim, "text"), &from, &to, &DisclosureRule::internal())
    }

    #[test]
    fn an_aims_view_brings_its_statements_codes_and_consented_quotes_together() {
        let book = default_codebook();
        let owned = excerpts(&book);
        let attributed: Vec<Attributed> = owned
            .iter()
            .map(|(e, p, role)| Attributed {
                excerpt: e,
                participant: *p,
                role,
            })
            .collect();
        let compared = vec![
            compared("belonging", "Belonging"),
            compared("valued", "Feeling valued"),
        ];
        let statement_aims: BTreeMap<String, String> = [
            ("belonging".to_string(), "belonging".to_string()),
            ("valued".to_string(), "valued".to_string()),
        ]
        .into();
        let quote = |id, participant| Quote {
            id,
            excerpt: id,
            participant,
            original: "I felt alone.".into(),
            text: "I felt alone.".into(),
        };
        let chosen = vec![quote(1, 1), quote(2, 2)];
        let consenting: BTreeSet<ParticipantId> = [1].into();
        let pseudonyms = quotes::pseudonyms(&[(1, "mentor"), (2, "mentor")]);
        let view = aim_view(
            "belonging",
            &compared,
            &statement_aims,
            &book,
            &attributed,
            &chosen,
            &consenting,
            &pseudonyms,
            Some("  The survey and the chats agree.  "),
            Audience::ResearchTeam,
            &DisclosureRule::internal(),
        );
        assert_eq!(view.statements.len(), 1);
        assert_eq!(view.statements[0].code, "belonging");
        let freq: Vec<(&str, &str, Option<u64>, Option<u64>)> = view
            .frequencies
            .iter()
            .map(|f| {
                (
                    f.path.as_str(),
                    f.role.as_str(),
                    f.excerpts.shown(),
                    f.participants.shown(),
                )
            })
            .collect();
        assert_eq!(
            freq,
            vec![
                ("Belonging", "mentee", Some(2), Some(2)),
                ("Belonging › Isolation", "mentor", Some(8), Some(7)),
            ]
        );
        assert_eq!(view.quotes.len(), 1, "participant 2 has not consented");
        assert_eq!(view.quotes[0].pseudonym, "Mentor 1");
        assert_eq!(
            view.finding.as_deref(),
            Some("The survey and the chats agree.")
        );
    }

    #[test]
    fn outside_the_research_team_small_counts_of_people_are_hidden_with_their_excerpts() {
        let book = default_codebook();
        let owned = excerpts(&book);
        let attributed: Vec<Attributed> = owned
            .iter()
            .map(|(e, p, role)| Attributed {
                excerpt: e,
                participant: *p,
                role,
            })
            .collect();
        let rule = DisclosureRule::internal();
        let freq = code_frequencies(
            &book,
            Some("belonging"),
            &attributed,
            Audience::Outside,
            &rule,
        );
        assert_eq!(
            freq[0].participants,
            Cell::Suppressed(Suppression::SmallCount)
        );
        assert_eq!(freq[0].excerpts, Cell::Suppressed(Suppression::SmallCount));
        assert_eq!(freq[1].participants.shown(), Some(7));
        assert_eq!(freq[1].excerpts.shown(), Some(8));
        let all = code_frequencies(&book, None, &attributed, Audience::ResearchTeam, &rule);
        assert_eq!(all.len(), 3);
        assert!(
            all.iter()
                .any(|f| f.path == "Confidence in senior staff › Trust")
        );
    }
}
