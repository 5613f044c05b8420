//! Evaluation of a cycle (SPEC §3.5–3.6): the default survey instruments, response rates, and
//! the per-statement comparison of two waves, with the organisation's disclosure rule applied
//! to every figure about people. Pure: the store supplies the answers, pages render the result.
use crate::disclosure::{Cell, DisclosureRule, Suppression};
use crate::stats::{self, WilcoxonOptions};
use serde::Serialize;
use std::collections::BTreeMap;

/// A survey wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Wave {
    Pre,
    Post,
    Followup,
}

impl Wave {
    pub const ALL: [Wave; 3] = [Wave::Pre, Wave::Post, Wave::Followup];

    pub fn as_str(self) -> &'static str {
        match self {
            Wave::Pre => "pre",
            Wave::Post => "post",
            Wave::Followup => "followup",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Wave::Pre => "before",
            Wave::Post => "after",
            Wave::Followup => "six-month follow-up",
        }
    }

    /// The wave's name on its own, as a heading or a row reads it: "Before the cycle".
    pub fn title(self) -> &'static str {
        match self {
            Wave::Pre => "Before the cycle",
            Wave::Post => "After the cycle",
            Wave::Followup => "Six-month follow-up",
        }
    }

    pub fn parse(s: &str) -> Option<Wave> {
        Wave::ALL.into_iter().find(|w| w.as_str() == s)
    }
}

/// One Likert statement of an instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// A stable short code, e.g. `belonging`.
    pub code: &'static str,
    /// The aim it evidences.
    pub aim: &'static str,
    pub text: &'static str,
}

/// The default instruments (SPEC §1): (audience, statements). Mentors are students; mentees
/// are staff leaders.
pub fn default_instruments() -> Vec<(&'static str, Vec<Statement>)> {
    let s = |code, aim, text| Statement { code, aim, text };
    vec![
        (
            "mentor",
            vec![
                s(
                    "belonging",
                    "Belonging",
                    "I feel I belong at the university.",
                ),
                s(
                    "valued",
                    "Feeling valued",
                    "I feel valued by the university.",
                ),
                s(
                    "visibility",
                    "Visibility",
                    "Students like me are visible to the university's leaders.",
                ),
                s(
                    "confidence_in_leaders",
                    "Confidence in senior staff",
                    "I am confident senior staff understand students like me.",
                ),
            ],
        ),
        (
            "mentee",
            vec![
                s(
                    "understand_challenges",
                    "Understanding challenges",
                    "I understand the challenges under-represented students face.",
                ),
                s(
                    "understand_engagement",
                    "Understanding engagement",
                    "I understand why under-represented students may find it harder to engage.",
                ),
                s(
                    "understand_confidence",
                    "Understanding confidence",
                    "I understand why under-represented students may feel less confident.",
                ),
            ],
        ),
    ]
}

/// The five scale labels, 1 to 5 (configurable per instrument in a later release).
pub const LIKERT_LABELS: [&str; 5] = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
];

/// Responses to a wave out of the people invited, e.g. "25 of 26".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRate {
    pub role: String,
    pub wave: Wave,
    pub responded: u64,
    pub invited: u64,
}

impl ResponseRate {
    /// "mentors: 25 of 26 before". Response rates are about the scheme's own participants and
    /// are shown to its coordinators exactly (SPEC §3.5: "always shown").
    pub fn words(&self) -> String {
        format!(
            "{} of {} {}",
            self.responded,
            self.invited,
            self.wave.label()
        )
    }
}

/// One statement compared across two waves.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparedStatement {
    pub code: String,
    pub aim: String,
    pub text: String,
    pub n_from: u64,
    pub n_to: u64,
    pub n_paired: u64,
    pub mean_from: Cell<f64>,
    pub mean_to: Cell<f64>,
    /// Sample standard deviations of each wave's answers, hidden where the mean is (and with
    /// fewer than two answers).
    pub sd_from: Cell<f64>,
    pub sd_to: Cell<f64>,
    /// Mean of (to − from) over paired respondents.
    pub mean_change: Cell<f64>,
    /// Wilcoxon signed-rank p-value (SciPy defaults), shown only where the change is shown.
    pub p_value: Option<f64>,
    pub method: Option<&'static str>,
    /// Effect size r = z/√n of non-zero differences.
    pub effect_r: Option<f64>,
    /// Paired respondents whose answer went up, stayed the same and went down, as percentages
    /// of the paired, each through the rule's percentage test (issue 12: these once bypassed it).
    pub moved: Moved,
    /// The n columns as the rule prints them (rounded under the publication rule, hidden under
    /// the internal rule's minimum): first wave, second wave, paired.
    pub n_shown: [Cell<u64>; 3],
    /// Matched-pairs rank-biserial correlation of the paired differences, shown with the change.
    pub rank_biserial_paired: Option<f64>,
    /// Mann–Whitney U of all answers of the second wave against all of the first (SciPy
    /// defaults), for when pairing is thin; shown only where both waves' means are shown.
    pub mann_whitney: Option<UnpairedTest>,
    pub caveat: Option<String>,
}

/// Shares of the paired respondents who moved up, stayed the same and moved down, each a
/// percentage under the disclosure rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Moved {
    pub up: Cell<f64>,
    pub same: Cell<f64>,
    pub down: Cell<f64>,
}

impl Moved {
    /// The shares of `d` (paired differences) under `rule`. Shown beside the paired n, a
    /// share next to a hidden one would give it away by subtraction: a share is shown only
    /// where the plain-words sentence tells its group alone
    /// ([`crate::results_words::moved_groups`]); the others are hidden as complementary.
    pub fn of(d: &[f64], rule: &DisclosureRule) -> Moved {
        let m = crate::results_words::MovedCounts::of(d);
        let n = m.total();
        let counts = [m.up, m.same, m.down];
        let groups = crate::results_words::moved_groups(counts, rule);
        let cell = |i: usize| {
            let share = rule.percentage(counts[i], n);
            let alone = groups
                .as_ref()
                .is_some_and(|g| g.iter().any(|group| group.as_slice() == [i]));
            match share {
                Cell::Shown(_) if !alone => Cell::Suppressed(Suppression::Complementary),
                other => other,
            }
        };
        Moved {
            up: cell(0),
            same: cell(1),
            down: cell(2),
        }
    }
}

/// Mann–Whitney U on all answers of two waves, with its rank-biserial effect size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnpairedTest {
    /// U of the second wave's answers.
    pub u: f64,
    pub p_value: f64,
    pub exact: bool,
    /// Rank-biserial correlation 2U/(n₁n₂) − 1: positive when the second wave is higher.
    pub rank_biserial: f64,
}

/// Compares one statement's answers (participant code → score) between two waves.
pub fn compare(
    statement: (&str, &str, &str),
    from: &BTreeMap<String, f64>,
    to: &BTreeMap<String, f64>,
    rule: &DisclosureRule,
) -> ComparedStatement {
    let values = |m: &BTreeMap<String, f64>| m.values().copied().collect::<Vec<f64>>();
    let a = stats::describe(&values(from));
    let b = stats::describe(&values(to));
    let d: Vec<f64> = from
        .iter()
        .filter_map(|(code, x)| to.get(code).map(|y| y - x))
        .collect();
    let n_paired = d.len() as u64;
    let mean_cell = |s: stats::Summary| match s.mean {
        Some(m) => rule.mean(m, s.n as u64),
        None => rule.mean(0.0, 0),
    };
    let change = stats::describe(&d);
    let mean_change = match change.mean {
        Some(m) => rule.mean(m, n_paired),
        None => rule.mean(0.0, 0),
    };
    let shown = !mean_change.is_suppressed();
    let mut mean_from = mean_cell(a);
    let mut mean_to = mean_cell(b);
    // When everyone who answered one wave answered both, that wave's mean and the mean change
    // give the paired people's mean in the other wave; beside that wave's mean over everyone,
    // it would give the mean of the few who answered only it (one person's answer, when one).
    let few_unpaired =
        |n: usize| n as u64 > n_paired && rule.mean(0.0, n as u64 - n_paired).is_suppressed();
    if shown && b.n as u64 == n_paired && few_unpaired(a.n) && !mean_to.is_suppressed() {
        mean_from = Cell::Suppressed(Suppression::Complementary);
    }
    if shown && a.n as u64 == n_paired && few_unpaired(b.n) && !mean_from.is_suppressed() {
        mean_to = Cell::Suppressed(Suppression::Complementary);
    }
    let sd_cell = |s: stats::Summary, mean: Cell<f64>| match (s.sd, mean) {
        (Some(sd), Cell::Shown(_)) => Cell::Shown(sd),
        (_, Cell::Suppressed(why)) => Cell::Suppressed(why),
        (None, Cell::Shown(_)) => Cell::Suppressed(Suppression::SmallMeanN),
    };
    let (sd_from, sd_to) = (sd_cell(a, mean_from), sd_cell(b, mean_to));
    let unpaired = if !mean_from.is_suppressed() && !mean_to.is_suppressed() {
        let (x, y) = (values(to), values(from));
        stats::mann_whitney(&x, &y).ok().map(|t| UnpairedTest {
            u: t.u,
            p_value: t.p_value,
            exact: t.exact,
            rank_biserial: 2.0 * t.u / (x.len() * y.len()) as f64 - 1.0,
        })
    } else {
        None
    };
    let test = if shown {
        stats::wilcoxon(&d, WilcoxonOptions::default()).ok()
    } else {
        None
    };
    ComparedStatement {
        code: statement.0.to_string(),
        aim: statement.1.to_string(),
        text: statement.2.to_string(),
        n_from: a.n as u64,
        n_to: b.n as u64,
        n_paired,
        mean_from,
        mean_to,
        sd_from,
        sd_to,
        mean_change,
        p_value: test.map(|t| t.p_value),
        method: test.map(|t| t.method.as_str()),
        effect_r: if shown {
            stats::effect_size_r(&d).ok()
        } else {
            None
        },
        moved: Moved::of(&d, rule),
        n_shown: [
            rule.count(a.n as u64),
            rule.count(b.n as u64),
            rule.count(n_paired),
        ],
        rank_biserial_paired: if shown {
            stats::rank_biserial(&d).ok()
        } else {
            None
        },
        mann_whitney: unpaired,
        caveat: stats::small_n_caveat(d.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn paired_change_uses_only_people_who_answered_both_waves() {
        let pre = answers(&[
            ("a", 2.0),
            ("b", 3.0),
            ("c", 3.0),
            ("d", 4.0),
            ("e", 2.0),
            ("f", 3.0),
            ("g", 1.0),
            ("h", 2.0),
            ("x", 5.0),
        ]);
        let post = answers(&[
            ("a", 4.0),
            ("b", 4.0),
            ("c", 3.0),
            ("d", 5.0),
            ("e", 3.0),
            ("f", 4.0),
            ("g", 3.0),
            ("h", 2.0),
            ("y", 1.0),
        ]);
        let r = compare(
            ("belonging", "Belonging", "I belong"),
            &pre,
            &post,
            &DisclosureRule::internal(),
        );
        assert_eq!((r.n_from, r.n_to, r.n_paired), (9, 9, 8));
        assert_eq!(r.mean_change, Cell::Shown(1.0), "(2+1+0+1+1+1+2+0)/8");
        assert!(
            r.moved.same.is_suppressed() && r.moved.down.is_suppressed(),
            "2 of 8 stayed the same and none moved down: counts under 5, so their shares are hidden"
        );
        assert_eq!(
            r.moved.up,
            Cell::Suppressed(Suppression::Complementary),
            "6 of 8 moved up beside the paired 8 would tell that 2 did not"
        );
        assert!(r.p_value.unwrap() < 0.05 && r.p_value.unwrap() > 0.0);
        assert!(r.effect_r.unwrap() > 0.0, "post higher: positive r");
        assert!(r.caveat.is_some(), "8 pairs is a small n");
        let mw = r.mann_whitney.unwrap();
        let direct = stats::mann_whitney(&values_of(&post), &values_of(&pre)).unwrap();
        assert_eq!((mw.u, mw.p_value), (direct.u, direct.p_value));
        assert!(
            (mw.rank_biserial - (2.0 * direct.u / 81.0 - 1.0)).abs() < 1e-12,
            "9 × 9 pairs"
        );
        assert!(mw.rank_biserial > 0.0 && r.rank_biserial_paired.unwrap() > 0.0);
    }

    fn values_of(m: &BTreeMap<String, f64>) -> Vec<f64> {
        m.values().copied().collect()
    }

    #[test]
    fn the_publication_rule_hides_averages_of_seven_or_fewer_people_and_the_tests_with_them() {
        let pre = answers(&[
            ("a", 2.0),
            ("b", 3.0),
            ("c", 3.0),
            ("d", 4.0),
            ("e", 2.0),
            ("f", 3.0),
            ("g", 1.0),
            ("h", 2.0),
        ]);
        let post = answers(&[
            ("a", 4.0),
            ("b", 4.0),
            ("c", 3.0),
            ("d", 5.0),
            ("e", 3.0),
            ("f", 4.0),
            ("g", 3.0),
        ]);
        let r = compare(("x", "X", "X"), &pre, &post, &DisclosureRule::publication());
        assert!(!r.mean_from.is_suppressed(), "8 people");
        assert!(
            r.mean_to.is_suppressed() && r.mean_change.is_suppressed(),
            "7 people"
        );
        assert_eq!((r.p_value, r.effect_r), (None, None));
        assert!(
            r.moved.up.is_suppressed(),
            "7 paired: below the percentage base"
        );
        assert_eq!((r.rank_biserial_paired, r.mann_whitney), (None, None));
    }

    /// `(before, after)` answers of people P0, P1, …; `None`: did not answer that wave.
    fn people(
        scores: &[(Option<f64>, Option<f64>)],
    ) -> (BTreeMap<String, f64>, BTreeMap<String, f64>) {
        let mut pre = BTreeMap::new();
        let mut post = BTreeMap::new();
        for (i, (a, b)) in scores.iter().enumerate() {
            if let Some(a) = a {
                pre.insert(format!("P{i:02}"), *a);
            }
            if let Some(b) = b {
                post.insert(format!("P{i:02}"), *b);
            }
        }
        (pre, post)
    }

    #[test]
    fn a_share_that_would_give_away_a_hidden_one_by_subtraction_is_hidden_too() {
        // 13 paired: 6 up, 5 same, 2 down. Beside the paired n, showing "same" (5 of 13) would
        // give away the 2 who moved down.
        let mut s = vec![(Some(2.0), Some(4.0)); 6];
        s.extend(vec![(Some(3.0), Some(3.0)); 5]);
        s.extend(vec![(Some(4.0), Some(3.0)); 2]);
        let (pre, post) = people(&s);
        let r = compare(("x", "X", "X"), &pre, &post, &DisclosureRule::internal());
        assert_eq!(r.n_shown[2], Cell::Shown(13));
        assert!(r.moved.up.shown().is_some());
        assert_eq!(r.moved.down, Cell::Suppressed(Suppression::SmallBase));
        assert_eq!(r.moved.same, Cell::Suppressed(Suppression::Complementary));

        // 8 paired: 6 up, 1 same, 1 down. The two hidden add up to 2, itself a small count that
        // "up" beside the paired n would give away: nothing of who moved is shown.
        let mut s = vec![(Some(2.0), Some(4.0)); 6];
        s.push((Some(3.0), Some(3.0)));
        s.push((Some(4.0), Some(3.0)));
        let (pre, post) = people(&s);
        let r = compare(("x", "X", "X"), &pre, &post, &DisclosureRule::internal());
        assert_eq!(r.moved.up, Cell::Suppressed(Suppression::Complementary));
        assert!(r.moved.same.is_suppressed() && r.moved.down.is_suppressed());
    }

    #[test]
    fn a_wave_mean_is_hidden_when_with_the_change_it_would_give_away_the_answers_of_a_few_unpaired_people()
     {
        // Six answered before, five of them after. The mean after and the mean change are over
        // the same five, so they give those five's mean before; with the mean before of all
        // six it would give the sixth person's answer.
        let mut s = vec![(Some(2.0), Some(4.0)), (Some(3.0), Some(4.0))];
        s.extend(vec![(Some(3.0), Some(3.0)); 3]);
        s.push((Some(5.0), None));
        let (pre, post) = people(&s);
        let r = compare(("x", "X", "X"), &pre, &post, &DisclosureRule::internal());
        assert!(r.mean_to.shown().is_some() && r.mean_change.shown().is_some());
        assert_eq!(r.mean_from, Cell::Suppressed(Suppression::Complementary));
        assert!(r.sd_from.is_suppressed());
        assert_eq!(r.mann_whitney, None);
        assert_eq!(
            r.n_shown[0],
            Cell::Shown(6),
            "how many answered stays shown"
        );

        // The same the other way round (a late joiner answers only after).
        let mut s = vec![(Some(2.0), Some(4.0)), (Some(3.0), Some(4.0))];
        s.extend(vec![(Some(3.0), Some(3.0)); 3]);
        s.push((None, Some(1.0)));
        let (pre, post) = people(&s);
        let r = compare(("x", "X", "X"), &pre, &post, &DisclosureRule::internal());
        assert_eq!(r.mean_to, Cell::Suppressed(Suppression::Complementary));
        assert!(r.mean_from.shown().is_some());

        // Five or more unpaired people: their mean is a figure the rule shows, so nothing more
        // is hidden.
        let mut s = vec![(Some(3.0), Some(4.0)); 5];
        s.extend(vec![(Some(2.0), None); 5]);
        let (pre, post) = people(&s);
        let r = compare(("x", "X", "X"), &pre, &post, &DisclosureRule::internal());
        assert!(r.mean_from.shown().is_some() && r.mean_to.shown().is_some());
    }

    #[test]
    fn waves_round_trip_and_the_default_instruments_hold_the_published_statements() {
        for w in Wave::ALL {
            assert_eq!(Wave::parse(w.as_str()), Some(w));
        }
        let inst = default_instruments();
        assert_eq!(inst[0].1.len(), 4);
        assert!(
            inst[1]
                .1
                .iter()
                .any(|s| s.text.contains("harder to engage"))
        );
        let rate = ResponseRate {
            role: "mentor".into(),
            wave: Wave::Pre,
            responded: 25,
            invited: 26,
        };
        assert_eq!(rate.words(), "25 of 26 before");
    }
}
