//! Whether a call reached widely enough (SPEC §3.2): each identity label's share of the
//! applicant pool beside its share of the organisation's population, where that is known.
//!
//! Shares are computed only from counts the disclosure rule lets the page show, so the
//! comparison can never reveal a hidden count.
use crate::disclosure::LabelTable;

/// The organisation's population figures, as entered by an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Population {
    /// Everyone in the population (e.g. all students).
    pub total: u64,
    /// People holding each label, by label name; a label missing here is not known.
    pub by_label: Vec<(String, u64)>,
}

/// How the pool compares with the population for one label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The pool's count is hidden under the disclosure rule.
    Hidden,
    /// The population figure for the label is not known.
    PopulationUnknown,
    /// Under four fifths of the population share.
    Fewer,
    /// Within a quarter either side of the population share.
    About,
    /// More than a quarter above the population share.
    More,
}

impl Reach {
    pub fn words(self) -> &'static str {
        match self {
            Reach::Hidden => "not shown (the count is hidden)",
            Reach::PopulationUnknown => "population figure not known",
            Reach::Fewer => "fewer than in the population",
            Reach::About => "about as in the population",
            Reach::More => "more than in the population",
        }
    }
}

/// One label's comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct ReachRow {
    pub label: String,
    /// Percentage of the pool holding the label, when its count and the total are shown.
    pub pool_percent: Option<f64>,
    /// Percentage of the population holding the label, when known.
    pub population_percent: Option<f64>,
    pub reach: Reach,
}

/// Compares every label of the pool's table with the population.
pub fn compare(pool: &LabelTable, population: &Population) -> Vec<ReachRow> {
    let total = pool.total.shown().filter(|&t| t > 0);
    pool.labels
        .iter()
        .map(|row| {
            let pool_percent = match (row.count.shown(), total) {
                (Some(n), Some(t)) => Some(100.0 * n as f64 / t as f64),
                _ => None,
            };
            let population_percent = population
                .by_label
                .iter()
                .find(|(name, _)| name == &row.label)
                .filter(|_| population.total > 0)
                .map(|(_, n)| 100.0 * *n as f64 / population.total as f64);
            let reach = match (pool_percent, population_percent) {
                (None, _) => Reach::Hidden,
                (Some(_), None) => Reach::PopulationUnknown,
                (Some(p), Some(q)) if p < 0.8 * q => Reach::Fewer,
                (Some(p), Some(q)) if p > 1.25 * q => Reach::More,
                (Some(_), Some(_)) => Reach::About,
            };
            ReachRow {
                label: row.label.clone(),
                pool_percent,
                population_percent,
                reach,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::DisclosureRule;
    use std::collections::BTreeSet;

    fn people(spec: &[(&str, usize)]) -> Vec<BTreeSet<String>> {
        spec.iter()
            .flat_map(|(label, n)| std::iter::repeat_n(BTreeSet::from([label.to_string()]), *n))
            .collect()
    }

    #[test]
    fn shares_are_compared_with_the_population_and_worded() {
        // 40 applicants: 20 Black, 10 Asian, 10 Mature.
        let pool = DisclosureRule::internal_with_min(5).labels(&people(&[
            ("Black", 20),
            ("Asian", 10),
            ("Mature", 10),
        ]));
        let population = Population {
            total: 1000,
            by_label: vec![("Black".into(), 100), ("Asian".into(), 400)],
        };
        let rows = compare(&pool, &population);
        let find = |l: &str| rows.iter().find(|r| r.label == l).unwrap();
        assert_eq!(find("Black").pool_percent, Some(50.0));
        assert_eq!(find("Black").population_percent, Some(10.0));
        assert_eq!(find("Black").reach, Reach::More);
        assert_eq!(find("Asian").reach, Reach::Fewer);
        assert_eq!(find("Mature").reach, Reach::PopulationUnknown);
        assert_eq!(find("Mature").population_percent, None);
    }

    #[test]
    fn a_hidden_count_gives_no_share_away() {
        // 3 applicants hold "Care leaver": below the minimum cell of 5. The rule also hides
        // a second count so that the 3 cannot be found by subtraction from the total.
        let pool = DisclosureRule::internal_with_min(5).labels(&people(&[
            ("Black", 30),
            ("Asian", 10),
            ("Care leaver", 3),
        ]));
        let population = Population {
            total: 1000,
            by_label: vec![
                ("Care leaver".into(), 10),
                ("Black".into(), 600),
                ("Asian".into(), 100),
            ],
        };
        let rows = compare(&pool, &population);
        for r in &rows {
            let cell = pool.labels.iter().find(|c| c.label == r.label).unwrap();
            assert_eq!(
                r.pool_percent.is_none(),
                cell.count.is_suppressed(),
                "{r:?}"
            );
            assert_eq!(
                r.reach == Reach::Hidden,
                cell.count.is_suppressed(),
                "{r:?}"
            );
        }
        let care = rows.iter().find(|r| r.label == "Care leaver").unwrap();
        assert_eq!(care.reach, Reach::Hidden);
        assert_eq!(rows.iter().filter(|r| r.reach == Reach::Hidden).count(), 2);
        let black = rows.iter().find(|r| r.label == "Black").unwrap();
        // 30 of 43 (69.8%) is within a quarter of 60%: about as in the population.
        assert_eq!(black.reach, Reach::About);
    }
}
