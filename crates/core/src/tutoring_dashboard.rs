//! The personal tutoring consistency dashboard's figures as they may be shown (SPEC §3.10).
//! Privacy-critical: every figure about students passes the organisation's disclosure rule,
//! and counts shown with a total are suppressed together so that a hidden cell cannot be
//! worked out from the total and the other cells.
use crate::disclosure::{Cell, DisclosureRule, Suppression};
use crate::tutoring::{Spread, spread};
use std::collections::BTreeMap;

/// One School's raw figures for a year, as counted from the records.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SchoolFigures {
    pub name: String,
    pub students: u64,
    /// Students with at least one contact.
    pub contacted: u64,
    /// Students who kept last year's tutor, of those who had one.
    pub kept: u64,
    pub had_last_year: u64,
    /// Days to each student's first contact, as (days, students).
    pub first_contact_days: Vec<(i64, u64)>,
    /// Tutors' loads, as (students, tutors).
    pub loads: Vec<(i64, u64)>,
    /// Students without a contact by the School's date; `None` while that date has not passed.
    pub no_contact: Option<u64>,
}

/// One row of the dashboard, every figure as it may be shown.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardRow {
    pub name: String,
    pub students: Cell<u64>,
    pub contacted: Cell<u64>,
    pub coverage: Cell<f64>,
    pub median_first: Cell<f64>,
    /// Tutors' load: least, median, most.
    pub load: Option<(Cell<f64>, Cell<f64>, Cell<f64>)>,
    pub continuity: Cell<f64>,
    /// `None` while no School's no-contact-by date has passed.
    pub no_contact: Option<Cell<u64>>,
}

/// The dashboard: one row per School, and the institution's row when asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// The rule followed ([`DisclosureRule::name`]).
    pub rule: String,
    pub rows: Vec<DashboardRow>,
    pub total: Option<DashboardRow>,
}

fn merged(histograms: &[&[(i64, u64)]]) -> Vec<(i64, u64)> {
    let mut all: BTreeMap<i64, u64> = BTreeMap::new();
    for h in histograms {
        for (v, c) in *h {
            *all.entry(*v).or_default() += c;
        }
    }
    all.into_iter().collect()
}

fn spread_cells(
    rule: &DisclosureRule,
    s: Option<Spread>,
) -> Option<(Cell<f64>, Cell<f64>, Cell<f64>)> {
    s.map(|s| {
        (
            rule.mean(s.min as f64, s.n),
            rule.mean(s.median, s.n),
            rule.mean(s.max as f64, s.n),
        )
    })
}

fn median_first(rule: &DisclosureRule, h: &[(i64, u64)]) -> Cell<f64> {
    spread(h).map_or(Cell::Suppressed(Suppression::SmallMeanN), |f| {
        rule.mean(f.median, f.n)
    })
}

/// A percentage of contacted students, hidden whenever the count it is made from is hidden
/// (it would give the count away).
fn coverage(rule: &DisclosureRule, contacted: Cell<u64>, of: u64, students: u64) -> Cell<f64> {
    if contacted.is_suppressed() {
        Cell::Suppressed(Suppression::SmallBase)
    } else {
        rule.percentage(of, students)
    }
}

/// The dashboard of these Schools under `rule`, with the institution's row (the sum of the
/// Schools given) when `with_total`.
pub fn dashboard(rule: &DisclosureRule, schools: &[SchoolFigures], with_total: bool) -> Dashboard {
    let students = rule.one_way(
        &schools
            .iter()
            .map(|s| (s.name.as_str(), s.students))
            .collect::<Vec<_>>(),
    );
    let contacted = rule.one_way(
        &schools
            .iter()
            .map(|s| (s.name.as_str(), s.contacted))
            .collect::<Vec<_>>(),
    );
    // Only Schools whose date has passed are counted, and suppressed together.
    let overdue_rows: Vec<(&str, u64)> = schools
        .iter()
        .filter_map(|s| s.no_contact.map(|n| (s.name.as_str(), n)))
        .collect();
    let overdue = rule.one_way(&overdue_rows);
    let mut overdue_cells = overdue.rows.iter().map(|r| r.count);
    let rows = schools
        .iter()
        .enumerate()
        .map(|(i, s)| DashboardRow {
            name: s.name.clone(),
            students: students.rows[i].count,
            contacted: contacted.rows[i].count,
            coverage: coverage(rule, contacted.rows[i].count, s.contacted, s.students),
            median_first: median_first(rule, &s.first_contact_days),
            load: spread_cells(rule, spread(&s.loads)),
            continuity: rule.percentage(s.kept, s.had_last_year),
            no_contact: s.no_contact.and_then(|_| overdue_cells.next()),
        })
        .collect();
    let total = with_total.then(|| {
        let sum = |f: fn(&SchoolFigures) -> u64| schools.iter().map(f).sum::<u64>();
        let first: Vec<&[(i64, u64)]> = schools
            .iter()
            .map(|s| s.first_contact_days.as_slice())
            .collect();
        let loads: Vec<&[(i64, u64)]> = schools.iter().map(|s| s.loads.as_slice()).collect();
        DashboardRow {
            name: "Whole institution".into(),
            students: students.total,
            contacted: contacted.total,
            coverage: coverage(
                rule,
                contacted.total,
                sum(|s| s.contacted),
                sum(|s| s.students),
            ),
            median_first: median_first(rule, &merged(&first)),
            load: spread_cells(rule, spread(&merged(&loads))),
            continuity: rule.percentage(sum(|s| s.kept), sum(|s| s.had_last_year)),
            no_contact: (!overdue_rows.is_empty()).then_some(overdue.total),
        }
    });
    Dashboard {
        rule: rule.name(),
        rows,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn school(name: &str, students: u64, contacted: u64) -> SchoolFigures {
        SchoolFigures {
            name: name.into(),
            students,
            contacted,
            kept: students / 2,
            had_last_year: students,
            first_contact_days: vec![(3, contacted)],
            loads: vec![(i64::try_from(students).unwrap_or(0), 1)],
            no_contact: None,
        }
    }

    #[test]
    fn a_small_count_is_hidden_and_the_rule_is_named() {
        let rule = DisclosureRule::internal();
        let d = dashboard(
            &rule,
            &[
                school("Law", 40, 30),
                school("History", 40, 2),
                school("Geography", 40, 25),
            ],
            false,
        );
        assert_eq!(d.rule, rule.name());
        assert_eq!(
            d.rows[1].contacted,
            Cell::Suppressed(Suppression::SmallCount)
        );
        // The percentage would give the hidden count away.
        assert!(d.rows[1].coverage.is_suppressed());
        // An average of two people is not shown either.
        assert!(d.rows[1].median_first.is_suppressed());
        assert_eq!(d.rows[1].students, Cell::Shown(40));
        assert!(d.total.is_none());
    }

    #[test]
    fn with_two_schools_hiding_one_hides_the_other() {
        let rule = DisclosureRule::internal();
        let d = dashboard(
            &rule,
            &[school("Law", 40, 30), school("History", 40, 2)],
            true,
        );
        assert_eq!(
            d.rows[1].contacted,
            Cell::Suppressed(Suppression::SmallCount)
        );
        // Otherwise the total less Law's 30 would give History's away.
        assert_eq!(
            d.rows[0].contacted,
            Cell::Suppressed(Suppression::Complementary)
        );
        assert!(d.rows[0].coverage.is_suppressed());
        assert_eq!(d.total.unwrap().contacted, Cell::Shown(32));
    }

    #[test]
    fn a_cell_recoverable_from_the_total_is_hidden_too() {
        let rule = DisclosureRule::internal();
        let d = dashboard(
            &rule,
            &[
                school("Law", 40, 30),
                school("History", 40, 2),
                school("Geography", 40, 25),
            ],
            true,
        );
        let total = d.total.clone().expect("the institution's row");
        let hidden = d
            .rows
            .iter()
            .filter(|r| r.contacted.is_suppressed())
            .count();
        // History's 2 is hidden; were everything else shown, 57 − 30 − 25 would give it away.
        assert!(hidden >= 2 || total.contacted.is_suppressed(), "{d:?}");
        assert!(
            d.rows
                .iter()
                .any(|r| r.contacted.suppression() == Some(Suppression::Complementary))
                || total.contacted.is_suppressed()
        );
    }

    #[test]
    fn overdue_counts_appear_only_for_schools_whose_date_has_passed() {
        let rule = DisclosureRule::internal();
        let mut law = school("Law", 40, 30);
        law.no_contact = Some(10);
        let mut history = school("History", 40, 30);
        history.no_contact = Some(12);
        let geography = school("Geography", 40, 30);
        let d = dashboard(&rule, &[law, history, geography], true);
        assert_eq!(d.rows[0].no_contact, Some(Cell::Shown(10)));
        assert_eq!(d.rows[1].no_contact, Some(Cell::Shown(12)));
        assert_eq!(d.rows[2].no_contact, None);
        assert_eq!(d.total.unwrap().no_contact, Some(Cell::Shown(22)));
    }

    #[test]
    fn the_institution_row_sums_the_schools() {
        let rule = DisclosureRule::internal();
        let d = dashboard(
            &rule,
            &[school("Law", 40, 30), school("History", 60, 45)],
            true,
        );
        let total = d.total.unwrap();
        assert_eq!(total.students, Cell::Shown(100));
        assert_eq!(total.contacted, Cell::Shown(75));
        assert_eq!(total.coverage, Cell::Shown(75.0));
        assert_eq!(total.continuity, Cell::Shown(50.0));
    }

    #[test]
    fn without_schools_nothing_is_shown_and_nothing_panics() {
        let d = dashboard(&DisclosureRule::internal(), &[], true);
        assert!(d.rows.is_empty());
        assert!(d.total.unwrap().median_first.is_suppressed());
    }
}
