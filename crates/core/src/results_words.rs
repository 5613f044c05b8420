//! A cycle's evaluation results in plain sentences (issue 14): how many answered both before
//! and after, and for each statement how many moved up, stayed and moved down — said under
//! the same disclosure rule as the tables, so a sentence never shows what a table hides.
//!
//! A count the rule hides is never said, and never left to be worked out by subtraction from
//! the number who answered both: it is said together with another group ("9 stayed the same
//! or moved down"), or the statement is not broken down at all.
use crate::disclosure::DisclosureRule;
use crate::stats::{WilcoxonOptions, ZeroMethod};

/// How the paired respondents to one statement moved between two waves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MovedCounts {
    pub up: u64,
    pub same: u64,
    pub down: u64,
}

impl MovedCounts {
    /// Counts the paired differences (second − first) by sign.
    pub fn of(differences: &[f64]) -> MovedCounts {
        let up = differences.iter().filter(|d| **d > 0.0).count() as u64;
        let down = differences.iter().filter(|d| **d < 0.0).count() as u64;
        MovedCounts {
            up,
            same: differences.len() as u64 - up - down,
            down,
        }
    }

    /// How many answered both.
    pub fn total(&self) -> u64 {
        self.up + self.same + self.down
    }
}

/// One statement as the sentences need it.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementMovement<'a> {
    /// The aim it belongs to, e.g. "Belonging".
    pub aim: &'a str,
    /// The statement's text.
    pub text: &'a str,
    pub movement: MovedCounts,
}

/// One role's results in words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleSummary {
    /// The sentences, in order; when `too_few`, the one sentence saying so.
    pub sentences: Vec<String>,
    /// Too few answered both waves for any figure of the comparison to be shown: the page
    /// says so once instead of showing tables of hidden cells.
    pub too_few: bool,
}

const LABELS: [&str; 3] = ["moved up", "stayed the same", "moved down"];

/// How who moved up, stayed the same and moved down (indices 0, 1, 2 of `counts`) can be told
/// under `rule`: groups said each with its count, a group of two said together ("9 stayed the
/// same or moved down"); `None` when nothing can be told. A count the rule hides is told only
/// together with the smaller other one, so that neither follows from the number who answered
/// both; two hidden counts are told together only when their sum is itself a count the rule
/// shows. The results table hides the same shares (issue 14), so the sentence and the table
/// together give away no more than either.
pub fn moved_groups(counts: [u64; 3], rule: &DisclosureRule) -> Option<Vec<Vec<usize>>> {
    let hidden: Vec<usize> = (0..3).filter(|i| rule.hides_count(counts[*i])).collect();
    Some(match hidden.as_slice() {
        [] => vec![vec![0], vec![1], vec![2]],
        [h] => {
            // Said with the smaller of the other two, so neither can be worked out.
            let others: Vec<usize> = (0..3).filter(|i| i != h).collect();
            let partner = *others.iter().min_by_key(|i| (counts[**i], **i))?;
            let keep = *others.iter().find(|i| **i != partner)?;
            let mut merged = vec![*h, partner];
            merged.sort_unstable();
            let mut g = vec![vec![keep], merged];
            g.sort_by_key(|x| x[0]);
            g
        }
        [a, b] => {
            let sum = counts[*a] + counts[*b];
            if rule.hides_count(sum) {
                return None;
            }
            let keep = (0..3).find(|i| i != a && i != b)?;
            let mut g = vec![vec![keep], vec![*a, *b]];
            g.sort_by_key(|x| x[0]);
            g
        }
        _ => return None,
    })
}

/// "11 moved up, 7 stayed the same and 2 moved down" under `rule`, or `None` when the rule
/// leaves nothing to say.
fn movement_words(m: MovedCounts, rule: &DisclosureRule) -> Option<String> {
    let counts = [m.up, m.same, m.down];
    let groups = moved_groups(counts, rule)?;
    let parts: Vec<String> = groups
        .iter()
        .map(|g| {
            let n: u64 = g.iter().map(|i| counts[*i]).sum();
            let words: Vec<&str> = g.iter().map(|i| LABELS[*i]).collect();
            format!("{} {}", rule.round(n), words.join(" or "))
        })
        .collect();
    Some(match parts.as_slice() {
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        _ => return None,
    })
}

/// The opening sentences for one role's before → after comparison.
///
/// `people` is the plural noun ("student mentors"), `invited` how many take part in the
/// evaluation, `answered_both` how many consenting people answered both waves.
pub fn summarise(
    people: &str,
    invited: u64,
    answered_both: u64,
    statements: &[StatementMovement<'_>],
    rule: &DisclosureRule,
) -> RoleSummary {
    let both = rule.count(answered_both);
    let Some(both) = both.shown().filter(|_| answered_both >= rule.min_mean_n) else {
        return RoleSummary {
            sentences: vec![format!(
                "Too few of the {invited} {people} answered both before and after for any figure to be shown under the disclosure rule."
            )],
            too_few: true,
        };
    };
    let mut sentences = vec![format!(
        "{both} of {invited} {people} answered both before and after (with consent to use their answers)."
    )];
    let mut unsaid: Vec<String> = Vec::new();
    for s in statements {
        let n = s.movement.total();
        // The table shows who moved as shares of the paired; the sentence breaks them down
        // only where the rule lets the table show such a share at all.
        let said =
            (n >= rule.min_mean_n && !rule.hides_count(n) && n as f64 >= rule.min_percentage_base)
                .then(|| movement_words(s.movement, rule))
                .flatten();
        match said {
            Some(words) => sentences.push(format!(
                "On {} (“{}”), {words}.",
                s.aim.to_lowercase(),
                s.text
            )),
            None => unsaid.push(s.aim.to_lowercase()),
        }
    }
    // Said once for all of them, not once a statement.
    if !unsaid.is_empty() {
        sentences.push(format!(
            "On {}, too few answered both times for the disclosure rule to let us say how answers moved.",
            crate::matching::join_words(&unsaid)
        ));
    }
    RoleSummary {
        sentences,
        too_few: false,
    }
}

/// How the tests treat unchanged answers and ties, from the options the analysis uses, so the
/// words follow the code.
pub fn methods_note() -> String {
    let o = WilcoxonOptions::default();
    let zeros = match o.zero_method {
        ZeroMethod::Wilcox => {
            "people whose answer did not change are left out before ranking (SciPy's zero method “wilcox”)"
        }
        ZeroMethod::Pratt => {
            "unchanged answers are ranked, then their ranks given to neither side (zero method “pratt”)"
        }
        ZeroMethod::Zsplit => {
            "unchanged answers are ranked and their ranks split between the sides (zero method “zsplit”)"
        }
    };
    format!(
        "Wilcoxon signed-rank test on the paired changes: {zeros}; equal changes share the average of their ranks, and the normal approximation corrects its variance for those ties{}. How the p-value is found is shown beside it, as SciPy decides: “exact” for at most 50 changes without ties or unchanged answers; otherwise “permutation” (every sign flip counted) for at most 13, and “approx” (the normal approximation) beyond. Mann–Whitney U compares all answers of the two waves, with ties given average ranks. Standard deviations are sample standard deviations (divisor n − 1).",
        if o.correction {
            ", with a continuity correction"
        } else {
            ", without a continuity correction"
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(m: (u64, u64, u64)) -> StatementMovement<'static> {
        StatementMovement {
            aim: "Belonging",
            text: "I belong here",
            movement: MovedCounts {
                up: m.0,
                same: m.1,
                down: m.2,
            },
        }
    }

    #[test]
    fn movement_is_counted_by_the_sign_of_the_change() {
        assert_eq!(
            MovedCounts::of(&[1.0, 2.0, 0.0, -1.0, 0.0]),
            MovedCounts {
                up: 2,
                same: 2,
                down: 1
            }
        );
    }

    #[test]
    fn with_every_count_large_enough_each_is_said() {
        let s = summarise(
            "student mentors",
            26,
            24,
            &[st((11, 7, 6))],
            &DisclosureRule::internal(),
        );
        assert!(!s.too_few);
        assert_eq!(
            s.sentences,
            vec![
                "24 of 26 student mentors answered both before and after (with consent to use their answers).",
                "On belonging (“I belong here”), 11 moved up, 7 stayed the same and 6 moved down.",
            ]
        );
    }

    #[test]
    fn a_small_count_is_said_only_together_with_the_next_smallest_group() {
        let rule = DisclosureRule::internal();
        let s = summarise("student mentors", 26, 20, &[st((11, 7, 2))], &rule);
        let line = &s.sentences[1];
        assert!(
            line.contains("11 moved up and 9 stayed the same or moved down"),
            "{line}"
        );
        // Neither 2 nor 7 appears: nothing the table hides can be read or worked out.
        assert!(!line.contains(" 2 ") && !line.contains(" 7 "), "{line}");

        let s = summarise("student mentors", 26, 20, &[st((2, 10, 8))], &rule);
        assert!(
            s.sentences[1].contains("10 moved up or moved down and 10 stayed the same")
                || s.sentences[1].contains("10 stayed the same and 10 moved up or moved down"),
            "{}",
            s.sentences[1]
        );
    }

    #[test]
    fn two_small_counts_are_merged_or_the_statement_is_not_broken_down() {
        let rule = DisclosureRule::internal();
        let s = summarise("student mentors", 26, 20, &[st((14, 3, 3))], &rule);
        assert!(
            s.sentences[1].contains("14 moved up and 6 stayed the same or moved down"),
            "{}",
            s.sentences[1]
        );
        let s = summarise("student mentors", 26, 10, &[st((8, 1, 1))], &rule);
        assert!(
            s.sentences[1].contains("too few answered both times"),
            "{}",
            s.sentences[1]
        );
        assert!(!s.sentences[1].contains('8'), "{}", s.sentences[1]);
    }

    #[test]
    fn too_few_answering_both_is_said_once_and_nothing_else() {
        let rule = DisclosureRule::internal();
        let s = summarise(
            "staff mentees",
            6,
            3,
            &[st((3, 0, 0)), st((2, 1, 0))],
            &rule,
        );
        assert!(s.too_few);
        assert_eq!(s.sentences.len(), 1);
        assert!(
            s.sentences[0].starts_with("Too few of the 6 staff mentees"),
            "{}",
            s.sentences[0]
        );
        assert!(!s.sentences[0].contains('3'));
    }

    #[test]
    fn the_publication_rule_rounds_the_counts_it_says() {
        let rule = DisclosureRule::publication();
        let s = summarise("student mentors", 40, 32, &[st((21, 7, 4))], &rule);
        assert!(!s.too_few, "{:?}", s);
        for line in &s.sentences {
            for word in line
                .split(|c: char| !c.is_ascii_digit())
                .filter(|w| !w.is_empty())
            {
                let n: u64 = word.parse().unwrap();
                assert!(
                    n == 40 || n.is_multiple_of(rule.rounding_base),
                    "{n} is not rounded in {line}"
                );
            }
        }
    }

    #[test]
    fn under_the_publication_rule_a_base_too_small_for_a_share_is_not_broken_down() {
        // 20 paired: the table hides the shares (base under 22.5), so the sentence says no
        // count of who moved either.
        let rule = DisclosureRule::publication();
        let s = summarise("student mentors", 26, 20, &[st((15, 5, 0))], &rule);
        assert!(!s.too_few);
        assert!(
            s.sentences[1].contains("too few answered both times"),
            "{}",
            s.sentences[1]
        );
        assert!(!s.sentences[1].contains("15"), "{}", s.sentences[1]);
    }

    #[test]
    fn the_methods_note_names_the_zero_method_in_use() {
        assert!(methods_note().contains("“wilcox”"));
        assert!(methods_note().contains("without a continuity correction"));
    }
}
