use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;

const HIDDEN: Cell<u64> = Cell::Suppressed(Suppression::SmallCount);
const COMPLEMENTARY: Cell<u64> = Cell::Suppressed(Suppression::Complementary);

#[test]
fn the_internal_rule_hides_counts_under_five_and_says_so() {
    let rule = DisclosureRule::internal();
    assert_eq!(rule.name(), "Counts under 5 suppressed (internal rule)");
    assert_eq!(rule.count(4), HIDDEN);
    assert_eq!(rule.count(0), HIDDEN);
    assert_eq!(rule.count(5), Cell::Shown(5));
    assert_eq!(rule.count(123), Cell::Shown(123));
    assert_eq!(
        rule.footnote(Suppression::SmallCount),
        "– fewer than 5 people"
    );
}

#[test]
fn an_edited_rule_describes_what_it_now_does() {
    let mut rule = DisclosureRule::internal_with_min(10);
    assert_eq!(rule.name(), "Counts under 10 suppressed (internal rule)");
    assert_eq!(rule.count(9), HIDDEN);
    rule.show_zeros = true;
    assert_eq!(rule.count(0), Cell::Shown(0));
    rule.rounding_base = 5;
    assert_eq!(
        rule.name(),
        "Counts under 10 suppressed, others rounded to the nearest 5 (custom rule)"
    );
    assert_eq!(rule.count(12), Cell::Shown(10));
}

#[test]
fn the_publication_rule_rounds_counts_the_hesa_way() {
    let rule = DisclosureRule::publication();
    assert_eq!(
        rule.name(),
        "Counts rounded to the nearest 5 (publication rule, HESA rounding strategy)"
    );
    let rounded: Vec<u64> = (0..=13).map(|n| rule.count(n).shown().unwrap()).collect();
    assert_eq!(
        rounded,
        vec![0, 0, 0, 5, 5, 5, 5, 5, 10, 10, 10, 10, 10, 15]
    );
    assert_eq!(rule.count(26), Cell::Shown(25));
    assert_eq!(rule.count(28), Cell::Shown(30));
    assert_eq!(
        rule.description(),
        "Counts rounded to the nearest 5 (0 to 2 shown as 0); percentages based on fewer than 22.5 \
         people suppressed; averages based on 7 or fewer people suppressed."
    );
}

#[test]
fn publication_percentages_need_a_base_of_at_least_twenty_two_and_a_half() {
    let rule = DisclosureRule::publication();
    assert_eq!(
        rule.percentage(11, 22),
        Cell::Suppressed(Suppression::SmallBase)
    );
    assert_eq!(rule.percentage(1, 23), Cell::Shown(100.0 / 23.0));
    assert_eq!(
        rule.percentage(0, 0),
        Cell::Suppressed(Suppression::SmallBase)
    );
}

#[test]
fn internal_percentages_of_a_small_count_are_hidden() {
    let rule = DisclosureRule::internal();
    assert_eq!(
        rule.percentage(3, 40),
        Cell::Suppressed(Suppression::SmallBase)
    );
    assert_eq!(rule.percentage(10, 40), Cell::Shown(25.0));
    assert_eq!(
        rule.percentage(4, 4),
        Cell::Suppressed(Suppression::SmallBase)
    );
}

#[test]
fn publication_averages_of_seven_or_fewer_people_are_hidden() {
    let rule = DisclosureRule::publication();
    assert_eq!(rule.mean(3.7, 7), Cell::Suppressed(Suppression::SmallMeanN));
    assert_eq!(rule.mean(3.7, 8), Cell::Shown(3.7));
    let internal = DisclosureRule::internal();
    assert_eq!(
        internal.mean(4.5, 4),
        Cell::Suppressed(Suppression::SmallMeanN)
    );
    assert_eq!(internal.mean(4.5, 5), Cell::Shown(4.5));
}

#[test]
fn a_one_way_table_hides_the_smallest_other_cell_beside_a_small_one() {
    let rule = DisclosureRule::internal();
    let t = rule.one_way(&[
        ("International", 3),
        ("Mature", 10),
        ("Widening participation", 12),
    ]);
    let counts: Vec<Cell<u64>> = t.rows.iter().map(|r| r.count).collect();
    assert_eq!(counts, vec![HIDDEN, COMPLEMENTARY, Cell::Shown(12)]);
    assert_eq!(t.total, Cell::Shown(25));
    assert_eq!(t.rule, "Counts under 5 suppressed (internal rule)");
}

#[test]
fn hidden_cells_that_add_up_to_a_small_count_get_company() {
    let rule = DisclosureRule::internal();
    let t = rule.one_way(&[("A", 1), ("B", 1), ("C", 20), ("D", 30)]);
    let counts: Vec<Cell<u64>> = t.rows.iter().map(|r| r.count).collect();
    // 1 + 1 = 2 would itself be a small count, so C is hidden too.
    assert_eq!(counts, vec![HIDDEN, HIDDEN, COMPLEMENTARY, Cell::Shown(30)]);
}

#[test]
fn a_table_with_nothing_small_is_shown_whole() {
    let t = DisclosureRule::internal()
        .two_way(&["a", "b"], &["pre", "post"], &[vec![10, 20], vec![30, 40]])
        .unwrap();
    assert!(t.cells.iter().flatten().all(|c| !c.is_suppressed()));
    assert_eq!(t.grand_total, Cell::Shown(100));
    assert_eq!(t.row_totals, vec![Cell::Shown(30), Cell::Shown(70)]);
}

#[test]
fn a_two_way_table_rejects_counts_of_the_wrong_shape() {
    let err = DisclosureRule::internal()
        .two_way(&["a"], &["pre", "post"], &[vec![1]])
        .unwrap_err();
    assert_eq!(
        err,
        DisclosureError::ShapeMismatch {
            rows: 1,
            columns: 2
        }
    );
}

#[test]
fn a_cell_fixed_by_chaining_rows_and_columns_is_protected() {
    // Two blocks of small cells joined by one small cell (1, 2): every row and column holds two
    // or more hidden cells, yet (1, 2) alone is fixed by the equations, so more must go.
    let counts = vec![
        vec![3, 3, 50, 50],
        vec![3, 3, 3, 50],
        vec![50, 50, 3, 3],
        vec![50, 50, 3, 3],
    ];
    let labels = ["a", "b", "c", "d"];
    let t = DisclosureRule::internal()
        .two_way(&labels, &labels, &counts)
        .unwrap();
    assert!(t.cells.iter().flatten().any(|c| *c == COMPLEMENTARY));
    assert_no_two_way_cell_derivable(&t);
}

#[test]
fn overlapping_labels_do_not_give_away_a_small_intersection() {
    let mut exactly = BTreeMap::new();
    let set = |xs: &[&str]| {
        xs.iter()
            .map(|s| (*s).to_owned())
            .collect::<BTreeSet<String>>()
    };
    exactly.insert(set(&["Mature"]), 10);
    exactly.insert(set(&["Mature", "International"]), 2);
    exactly.insert(set(&["International"]), 12);
    exactly.insert(set(&[]), 20);
    let t = DisclosureRule::internal().label_combinations(&exactly);
    let both = t.combinations.iter().find(|c| c.labels.len() == 2).unwrap();
    assert_eq!(both.count, HIDDEN);
    // "Mature" (12) minus "only Mature" (10) would give the 2 away: one of them must go.
    let mature = t.labels.iter().find(|l| l.label == "Mature").unwrap();
    let only_mature = t
        .combinations
        .iter()
        .find(|c| c.labels == ["Mature"])
        .unwrap();
    assert!(mature.count.is_suppressed() || only_mature.count.is_suppressed());
    assert_no_label_figure_derivable(&t, &exactly);
}

#[test]
fn labels_are_counted_from_each_persons_set() {
    let person = |xs: &[&str]| {
        xs.iter()
            .map(|s| (*s).to_owned())
            .collect::<BTreeSet<String>>()
    };
    let mut people = vec![person(&["International"]); 6];
    people.extend(vec![person(&["International", "Mature"]); 7]);
    people.extend(vec![person(&[]); 9]);
    let t = DisclosureRule::internal().labels(&people);
    let international = t
        .labels
        .iter()
        .find(|l| l.label == "International")
        .unwrap();
    assert_eq!(international.count, Cell::Shown(13));
    assert_eq!(t.total, Cell::Shown(22));
    assert_eq!(t.combinations[0].labels, Vec::<String>::new());
    assert_eq!(t.combinations[0].count, Cell::Shown(9));
}

#[test]
fn cells_serialise_as_shown_or_suppressed_with_a_reason() {
    assert_eq!(
        serde_json::to_string(&Cell::Shown(5u64)).unwrap(),
        r#"{"shown":5}"#
    );
    assert_eq!(
        serde_json::to_string(&COMPLEMENTARY).unwrap(),
        r#"{"suppressed":"complementary"}"#
    );
}

// ---- independent checks used by the property tests ----

/// Rank of a set of row vectors, by Gaussian elimination in floating point (an independent
/// implementation of the exact check the suppression itself uses).
fn rank(rows: &[Vec<f64>]) -> usize {
    let mut m: Vec<Vec<f64>> = rows.to_vec();
    let cols = m.first().map_or(0, Vec::len);
    let mut r = 0;
    for c in 0..cols {
        let Some(p) = (r..m.len()).max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs())) else {
            break;
        };
        if m[p][c].abs() < 1e-9 {
            continue;
        }
        m.swap(r, p);
        let pivot_row = m[r].clone();
        for (i, row) in m.iter_mut().enumerate() {
            if i != r {
                let f = row[c] / pivot_row[c];
                for (x, p) in row.iter_mut().zip(&pivot_row) {
                    *x -= f * p;
                }
            }
        }
        r += 1;
    }
    r
}

/// Asserts no hidden figure is a linear combination of the shown ones.
fn assert_not_derivable(shown: &[Vec<f64>], hidden: &[(String, Vec<f64>)]) {
    let base = rank(shown);
    // A figure over no cells at all (the total of an empty table) is 0 by definition.
    for (name, h) in hidden.iter().filter(|(_, h)| h.iter().any(|x| *x != 0.0)) {
        let mut with = shown.to_vec();
        with.push(h.clone());
        assert_eq!(
            rank(&with),
            base + 1,
            "hidden figure {name} can be worked out from shown ones"
        );
    }
}

fn two_way_figures(t: &TwoWayTable) -> Vec<(String, Cell<u64>, Vec<f64>)> {
    let (r, c) = (t.row_labels.len(), t.column_labels.len());
    let unit = |cells: &[(usize, usize)]| {
        let mut v = vec![0.0; r * c];
        for (i, j) in cells {
            v[i * c + j] = 1.0;
        }
        v
    };
    let mut out = Vec::new();
    for i in 0..r {
        for j in 0..c {
            out.push((format!("cell {i},{j}"), t.cells[i][j], unit(&[(i, j)])));
        }
        out.push((
            format!("row total {i}"),
            t.row_totals[i],
            unit(&(0..c).map(|j| (i, j)).collect::<Vec<_>>()),
        ));
    }
    for j in 0..c {
        out.push((
            format!("column total {j}"),
            t.column_totals[j],
            unit(&(0..r).map(|i| (i, j)).collect::<Vec<_>>()),
        ));
    }
    let all: Vec<(usize, usize)> = (0..r).flat_map(|i| (0..c).map(move |j| (i, j))).collect();
    out.push(("grand total".into(), t.grand_total, unit(&all)));
    out
}

fn assert_no_two_way_cell_derivable(t: &TwoWayTable) {
    let figures = two_way_figures(t);
    let shown: Vec<Vec<f64>> = figures
        .iter()
        .filter(|f| !f.1.is_suppressed())
        .map(|f| f.2.clone())
        .collect();
    let hidden: Vec<(String, Vec<f64>)> = figures
        .iter()
        .filter(|f| f.1.is_suppressed())
        .map(|f| (f.0.clone(), f.2.clone()))
        .collect();
    assert_not_derivable(&shown, &hidden);
}

fn assert_no_label_figure_derivable(t: &LabelTable, exactly: &BTreeMap<BTreeSet<String>, u64>) {
    let combos: Vec<BTreeSet<String>> = t
        .combinations
        .iter()
        .map(|c| c.labels.iter().cloned().collect())
        .collect();
    let n = combos.len();
    assert_eq!(n, exactly.values().filter(|v| **v > 0).count());
    let mut figures: Vec<(String, Cell<u64>, Vec<f64>)> = Vec::new();
    for (i, c) in t.combinations.iter().enumerate() {
        let mut v = vec![0.0; n];
        v[i] = 1.0;
        figures.push((format!("exactly {:?}", c.labels), c.count, v));
    }
    for l in &t.labels {
        let v = combos
            .iter()
            .map(|c| if c.contains(&l.label) { 1.0 } else { 0.0 })
            .collect();
        figures.push((format!("label {}", l.label), l.count, v));
    }
    figures.push(("total".into(), t.total, vec![1.0; n]));
    let shown: Vec<Vec<f64>> = figures
        .iter()
        .filter(|f| !f.1.is_suppressed())
        .map(|f| f.2.clone())
        .collect();
    let hidden: Vec<(String, Vec<f64>)> = figures
        .iter()
        .filter(|f| f.1.is_suppressed())
        .map(|f| (f.0.clone(), f.2.clone()))
        .collect();
    assert_not_derivable(&shown, &hidden);
}

/// An equation as shown: (total, its true value, [(part, its true value)]).
type Line = (Cell<u64>, u64, Vec<(Cell<u64>, u64)>);

/// Every equation (a total and its parts) with a hidden figure has at least two, and where
/// the total is shown the hidden parts add up to at least the minimum cell.
fn assert_lines_safe(lines: &[Line], min: u64) -> Result<(), TestCaseError> {
    for (total, _, parts) in lines {
        let hidden_parts: Vec<u64> = parts
            .iter()
            .filter(|(c, _)| c.is_suppressed())
            .map(|(_, v)| *v)
            .collect();
        let unknowns = hidden_parts.len() + usize::from(total.is_suppressed());
        prop_assert!(unknowns != 1, "a line has exactly one hidden figure");
        if !total.is_suppressed() && !hidden_parts.is_empty() {
            prop_assert!(
                hidden_parts.iter().sum::<u64>() >= min.max(1),
                "hidden parts add up to a small count"
            );
        }
    }
    Ok(())
}

fn tables() -> impl Strategy<Value = (Vec<Vec<u64>>, u64, bool)> {
    (1usize..=5, 1usize..=5, 1u64..=6, any::<bool>()).prop_flat_map(|(r, c, min, zeros)| {
        let value = prop_oneof![0u64..6, 0u64..40];
        (
            proptest::collection::vec(proptest::collection::vec(value, c), r),
            Just(min),
            Just(zeros),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn two_way_suppression_leaves_nothing_to_subtract((counts, min, zeros) in tables()) {
        let mut rule = DisclosureRule::internal_with_min(min);
        rule.show_zeros = zeros;
        let (r, c) = (counts.len(), counts[0].len());
        let rows: Vec<String> = (0..r).map(|i| format!("r{i}")).collect();
        let cols: Vec<String> = (0..c).map(|j| format!("c{j}")).collect();
        let t = rule.two_way(&rows, &cols, &counts).unwrap();

        // Small counts are hidden, shown counts are true, reasons are right.
        for (shown_row, true_row) in t.cells.iter().zip(&counts) {
            for (cell, value) in shown_row.iter().zip(true_row) {
                match *cell {
                    Cell::Shown(v) => { prop_assert_eq!(v, *value); prop_assert!(!rule.hides_count(v)); }
                    Cell::Suppressed(Suppression::SmallCount) => prop_assert!(rule.hides_count(*value)),
                    Cell::Suppressed(s) => prop_assert_eq!(s, Suppression::Complementary),
                }
            }
        }
        let row_sums: Vec<u64> = counts.iter().map(|x| x.iter().sum()).collect();
        let col_sums: Vec<u64> = (0..c).map(|j| counts.iter().map(|x| x[j]).sum()).collect();
        let grand: u64 = row_sums.iter().sum();
        for (cell, v) in t.row_totals.iter().zip(&row_sums).chain(t.column_totals.iter().zip(&col_sums)) {
            if let Cell::Shown(s) = cell { prop_assert_eq!(s, v); }
            if rule.hides_count(*v) { prop_assert!(cell.is_suppressed()); }
        }

        // Single-equation safety, over rows, columns and both margins.
        let mut lines = Vec::new();
        for i in 0..r {
            lines.push((t.row_totals[i], row_sums[i], (0..c).map(|j| (t.cells[i][j], counts[i][j])).collect::<Vec<_>>()));
        }
        for j in 0..c {
            lines.push((t.column_totals[j], col_sums[j], (0..r).map(|i| (t.cells[i][j], counts[i][j])).collect()));
        }
        lines.push((t.grand_total, grand, t.row_totals.iter().copied().zip(row_sums.iter().copied()).collect()));
        lines.push((t.grand_total, grand, t.column_totals.iter().copied().zip(col_sums.iter().copied()).collect()));
        assert_lines_safe(&lines, min)?;

        // And no combination of equations recovers a hidden figure.
        assert_no_two_way_cell_derivable(&t);
    }

    #[test]
    fn one_way_suppression_leaves_nothing_to_subtract(counts in proptest::collection::vec(prop_oneof![0u64..6, 0u64..40], 1..8), min in 1u64..=6) {
        let rule = DisclosureRule::internal_with_min(min);
        let rows: Vec<(String, u64)> = counts.iter().enumerate().map(|(i, v)| (format!("r{i}"), *v)).collect();
        let t = rule.one_way(&rows);
        let total: u64 = counts.iter().sum();
        let parts: Vec<(Cell<u64>, u64)> = t.rows.iter().map(|r| r.count).zip(counts.iter().copied()).collect();
        for (cell, v) in &parts {
            if rule.hides_count(*v) { prop_assert!(cell.is_suppressed()); }
        }
        assert_lines_safe(&[(t.total, total, parts)], min)?;
    }

    #[test]
    fn label_suppression_leaves_nothing_to_subtract(
        people in proptest::collection::vec((any::<bool>(), any::<bool>(), any::<bool>()), 0..60),
        min in 1u64..=6,
    ) {
        let names = ["International", "Mature", "Widening participation"];
        let sets: Vec<BTreeSet<String>> = people
            .iter()
            .map(|(a, b, c)| names.iter().zip([a, b, c]).filter(|(_, x)| **x).map(|(n, _)| (*n).to_owned()).collect())
            .collect();
        let rule = DisclosureRule::internal_with_min(min);
        let t = rule.labels(&sets);
        let mut exactly: BTreeMap<BTreeSet<String>, u64> = BTreeMap::new();
        for s in &sets { *exactly.entry(s.clone()).or_default() += 1; }
        for c in &t.combinations {
            let key: BTreeSet<String> = c.labels.iter().cloned().collect();
            let v = exactly[&key];
            match c.count {
                Cell::Shown(s) => prop_assert_eq!(s, v),
                Cell::Suppressed(_) => {}
            }
            if rule.hides_count(v) { prop_assert!(c.count.is_suppressed()); }
        }
        for l in &t.labels {
            let v = sets.iter().filter(|s| s.contains(&l.label)).count() as u64;
            if let Cell::Shown(s) = l.count { prop_assert_eq!(s, v); }
            if rule.hides_count(v) { prop_assert!(l.count.is_suppressed()); }
        }
        assert_no_label_figure_derivable(&t, &exactly);
    }

    #[test]
    fn publication_rounding_is_to_the_nearest_five(n in 0u64..10_000) {
        let shown = DisclosureRule::publication().count(n).shown().unwrap();
        prop_assert_eq!(shown % 5, 0);
        prop_assert!(shown.abs_diff(n) <= 2);
    }
}
