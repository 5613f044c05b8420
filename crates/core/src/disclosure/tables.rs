//! Tables of counts with their totals, suppressed under a rule.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::engine::Published;
use super::{Cell, DisclosureRule, Suppression};

/// A table's input does not have the shape its labels say.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum DisclosureError {
    /// The counts do not match the row and column labels.
    #[error("expected {rows} rows of {columns} counts, one per label")]
    ShapeMismatch {
        /// Number of row labels.
        rows: usize,
        /// Number of column labels.
        columns: usize,
    },
}

/// One labelled count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountRow {
    /// What is counted, e.g. "Mature (21+) entry".
    pub label: String,
    /// The count as it may be shown.
    pub count: Cell<u64>,
}

/// Counts of one breakdown with their total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneWayTable {
    /// The rule followed ([`DisclosureRule::name`]).
    pub rule: String,
    /// One count per category, in input order.
    pub rows: Vec<CountRow>,
    /// The total of all categories.
    pub total: Cell<u64>,
}

/// Counts by two breakdowns (e.g. identity label × wave) with row and column totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwoWayTable {
    /// The rule followed ([`DisclosureRule::name`]).
    pub rule: String,
    /// Row labels.
    pub row_labels: Vec<String>,
    /// Column labels.
    pub column_labels: Vec<String>,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<Cell<u64>>>,
    /// One total per row.
    pub row_totals: Vec<Cell<u64>>,
    /// One total per column.
    pub column_totals: Vec<Cell<u64>>,
    /// The total of the whole table.
    pub grand_total: Cell<u64>,
}

/// A count of people holding exactly one combination of labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CombinationRow {
    /// The labels held, sorted (empty: none of the labels).
    pub labels: Vec<String>,
    /// The count as it may be shown.
    pub count: Cell<u64>,
}

/// Counts of multi-select labels: per label (overlapping) and per exact combination
/// (partitioning the people counted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelTable {
    /// The rule followed ([`DisclosureRule::name`]).
    pub rule: String,
    /// People holding each label (with or without others), by label name.
    pub labels: Vec<CountRow>,
    /// People holding exactly each combination that occurs, fewest labels first.
    pub combinations: Vec<CombinationRow>,
    /// Everyone counted.
    pub total: Cell<u64>,
}

impl DisclosureRule {
    fn cells(&self, published: &Published) -> Vec<Cell<u64>> {
        published
            .suppress(self)
            .into_iter()
            .zip(&published.figures)
            .map(|(s, (v, _))| match s {
                Some(reason) => Cell::Suppressed(reason),
                None => Cell::Shown(self.round(*v)),
            })
            .collect()
    }

    /// A one-way table of counts with its total.
    pub fn one_way<S: AsRef<str>>(&self, rows: &[(S, u64)]) -> OneWayTable {
        let n = rows.len();
        let mut figures: Vec<(u64, Vec<usize>)> = rows
            .iter()
            .enumerate()
            .map(|(i, (_, v))| (*v, vec![i]))
            .collect();
        figures.push((rows.iter().map(|(_, v)| v).sum(), (0..n).collect()));
        let published = Published {
            cells: n,
            figures,
            lines: vec![(n, (0..n).collect())],
        };
        let mut cells = self.cells(&published);
        let total = cells
            .pop()
            .unwrap_or(Cell::Suppressed(Suppression::SmallCount));
        OneWayTable {
            rule: self.name(),
            rows: rows
                .iter()
                .zip(cells)
                .map(|((label, _), count)| CountRow {
                    label: label.as_ref().to_owned(),
                    count,
                })
                .collect(),
            total,
        }
    }

    /// A two-way table: `counts[row][column]`, with row, column and grand totals.
    pub fn two_way<S: AsRef<str>>(
        &self,
        row_labels: &[S],
        column_labels: &[S],
        counts: &[Vec<u64>],
    ) -> Result<TwoWayTable, DisclosureError> {
        let (r, c) = (row_labels.len(), column_labels.len());
        if counts.len() != r || counts.iter().any(|row| row.len() != c) {
            return Err(DisclosureError::ShapeMismatch {
                rows: r,
                columns: c,
            });
        }
        // Figures: cells (row-major), then row totals, column totals, the grand total.
        let cell = |i: usize, j: usize| i * c + j;
        let row_total = |i: usize| r * c + i;
        let column_total = |j: usize| r * c + r + j;
        let grand = r * c + r + c;
        let mut figures: Vec<(u64, Vec<usize>)> = Vec::with_capacity(grand + 1);
        for (i, row) in counts.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                figures.push((*v, vec![cell(i, j)]));
            }
        }
        for (i, row) in counts.iter().enumerate() {
            figures.push((row.iter().sum(), (0..c).map(|j| cell(i, j)).collect()));
        }
        for j in 0..c {
            figures.push((
                counts.iter().map(|row| row[j]).sum(),
                (0..r).map(|i| cell(i, j)).collect(),
            ));
        }
        figures.push((counts.iter().flatten().sum(), (0..r * c).collect()));
        let mut lines: Vec<(usize, Vec<usize>)> = Vec::new();
        for i in 0..r {
            lines.push((row_total(i), (0..c).map(|j| cell(i, j)).collect()));
        }
        for j in 0..c {
            lines.push((column_total(j), (0..r).map(|i| cell(i, j)).collect()));
        }
        lines.push((grand, (0..r).map(row_total).collect()));
        lines.push((grand, (0..c).map(column_total).collect()));
        let shown = self.cells(&Published {
            cells: r * c,
            figures,
            lines,
        });
        Ok(TwoWayTable {
            rule: self.name(),
            row_labels: row_labels.iter().map(|s| s.as_ref().to_owned()).collect(),
            column_labels: column_labels
                .iter()
                .map(|s| s.as_ref().to_owned())
                .collect(),
            cells: (0..r)
                .map(|i| (0..c).map(|j| shown[cell(i, j)]).collect())
                .collect(),
            row_totals: (0..r).map(|i| shown[row_total(i)]).collect(),
            column_totals: (0..c).map(|j| shown[column_total(j)]).collect(),
            grand_total: shown[grand],
        })
    }

    /// Counts of multi-select labels from each person's set of labels (an empty set counts a
    /// person holding none of them).
    pub fn labels(&self, people: &[BTreeSet<String>]) -> LabelTable {
        let mut combinations: BTreeMap<BTreeSet<String>, u64> = BTreeMap::new();
        for held in people {
            *combinations.entry(held.clone()).or_default() += 1;
        }
        self.label_combinations(&combinations)
    }

    /// Counts of multi-select labels from the number of people holding exactly each
    /// combination of labels.
    pub fn label_combinations(&self, exactly: &BTreeMap<BTreeSet<String>, u64>) -> LabelTable {
        let mut combos: Vec<(&BTreeSet<String>, u64)> = exactly
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| (k, *n))
            .collect();
        combos.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(b.0)));
        let names: BTreeSet<&String> = combos.iter().flat_map(|(k, _)| k.iter()).collect();
        let n = combos.len();
        // Figures: each exact combination, then each label, then the total.
        let mut figures: Vec<(u64, Vec<usize>)> = combos
            .iter()
            .enumerate()
            .map(|(i, (_, v))| (*v, vec![i]))
            .collect();
        let mut lines = Vec::new();
        for name in &names {
            let holding: Vec<usize> = (0..n).filter(|&i| combos[i].0.contains(*name)).collect();
            lines.push((figures.len(), holding.clone()));
            figures.push((holding.iter().map(|&i| combos[i].1).sum(), holding));
        }
        lines.push((figures.len(), (0..n).collect()));
        figures.push((combos.iter().map(|(_, v)| v).sum(), (0..n).collect()));
        let mut shown = self.cells(&Published {
            cells: n,
            figures,
            lines,
        });
        let total = shown
            .pop()
            .unwrap_or(Cell::Suppressed(Suppression::SmallCount));
        LabelTable {
            rule: self.name(),
            combinations: combos
                .iter()
                .zip(&shown)
                .map(|((k, _), count)| CombinationRow {
                    labels: k.iter().cloned().collect(),
                    count: *count,
                })
                .collect(),
            labels: names
                .iter()
                .zip(&shown[n..])
                .map(|(name, count)| CountRow {
                    label: (*name).clone(),
                    count: *count,
                })
                .collect(),
            total,
        }
    }
}
