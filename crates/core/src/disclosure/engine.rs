//! Primary and complementary suppression over any set of published counts that are sums of
//! underlying cells partitioning the population.

use super::{DisclosureRule, Suppression};

/// Beyond this many underlying cells the exact linear-algebra check is skipped (it is cubic);
/// the row/column rules still apply. Tables of people in a programme are far smaller.
const MAX_CELLS_FOR_EXACT_CHECK: usize = 1500;

/// Published counts and the equations that tie them together.
pub(crate) struct Published {
    /// Number of underlying cells (a partition of the population).
    pub(crate) cells: usize,
    /// Each published count: its true value and the underlying cells it adds up.
    pub(crate) figures: Vec<(u64, Vec<usize>)>,
    /// Equations `figures[total] = Σ figures[parts]` a reader can use for subtraction.
    pub(crate) lines: Vec<(usize, Vec<usize>)>,
}

impl Published {
    /// Which figures to hide, and why: primary suppression, then complementary suppression
    /// until no hidden figure can be worked out (see the module documentation).
    pub(crate) fn suppress(&self, rule: &DisclosureRule) -> Vec<Option<Suppression>> {
        let mut hidden: Vec<Option<Suppression>> = self
            .figures
            .iter()
            .map(|(v, _)| rule.hides_count(*v).then_some(Suppression::SmallCount))
            .collect();
        if hidden.iter().all(Option::is_none) {
            return hidden;
        }
        let threshold = rule.min_count.max(1);
        loop {
            if let Some(q) = self.line_breach(&hidden, threshold) {
                hidden[q] = Some(Suppression::Complementary);
                continue;
            }
            if self.cells > MAX_CELLS_FOR_EXACT_CHECK {
                return hidden;
            }
            match self.derivable(&hidden) {
                Some(q) => match self.protector(&hidden, q) {
                    Some(p) => hidden[p] = Some(Suppression::Complementary),
                    None => return hidden,
                },
                None => return hidden,
            }
        }
    }

    /// A shown figure to hide next because some equation gives a hidden figure away (one
    /// unknown), or its hidden parts add up to a small count; `None` when every line is safe.
    fn line_breach(&self, hidden: &[Option<Suppression>], threshold: u64) -> Option<usize> {
        for (total, parts) in &self.lines {
            let unknown_parts: Vec<usize> = parts
                .iter()
                .copied()
                .filter(|&p| hidden[p].is_some())
                .collect();
            let total_hidden = hidden[*total].is_some();
            let unknowns = unknown_parts.len() + usize::from(total_hidden);
            let hidden_sum: u64 = unknown_parts.iter().map(|&p| self.figures[p].0).sum();
            let breach = unknowns == 1
                || (!total_hidden && !unknown_parts.is_empty() && hidden_sum < threshold);
            if !breach {
                continue;
            }
            let shown_parts = parts.iter().copied().filter(|&p| hidden[p].is_none());
            let pick = self
                .smallest(hidden, shown_parts)
                .or((!total_hidden).then_some(*total));
            if pick.is_some() {
                return pick;
            }
        }
        None
    }

    /// The smallest of `candidates`; among equals, one that already shares another line with
    /// a hidden figure (so one more hidden figure protects two lines), then the first.
    fn smallest(
        &self,
        hidden: &[Option<Suppression>],
        candidates: impl Iterator<Item = usize>,
    ) -> Option<usize> {
        candidates.min_by_key(|&q| {
            let shares_hidden = self.lines.iter().any(|(t, parts)| {
                (parts.contains(&q) || *t == q)
                    && (hidden[*t].is_some() || parts.iter().any(|&p| hidden[p].is_some()))
            });
            (self.figures[q].0, !shares_hidden, q)
        })
    }

    /// A hidden figure that a combination of shown figures determines exactly.
    fn derivable(&self, hidden: &[Option<Suppression>]) -> Option<usize> {
        let mut basis = Basis::default();
        for (q, (_, support)) in self.figures.iter().enumerate() {
            if hidden[q].is_none() {
                basis.insert(self.vector(support));
            }
        }
        (0..self.figures.len())
            .find(|&q| hidden[q].is_some() && basis.spans(self.vector(&self.figures[q].1)))
    }

    /// A shown figure whose hiding frees the determined figure `q`: the smallest shown figure
    /// in a line with `q`, else the smallest shown figure overlapping it.
    fn protector(&self, hidden: &[Option<Suppression>], q: usize) -> Option<usize> {
        let in_line = self
            .lines
            .iter()
            .filter(|(t, parts)| *t == q || parts.contains(&q))
            .flat_map(|(t, parts)| parts.iter().copied().chain([*t]))
            .filter(|&p| hidden[p].is_none());
        self.smallest(hidden, in_line).or_else(|| {
            let support = &self.figures[q].1;
            let overlapping = (0..self.figures.len()).filter(|&p| {
                hidden[p].is_none() && self.figures[p].1.iter().any(|c| support.contains(c))
            });
            self.smallest(hidden, overlapping)
        })
    }

    fn vector(&self, support: &[usize]) -> Vec<i128> {
        let mut v = vec![0; self.cells];
        for &c in support {
            v[c] = 1;
        }
        v
    }
}

/// An echelon basis over the rationals, kept as integer rows (fraction-free elimination with
/// each row divided by the gcd of its entries, so values stay small).
#[derive(Default)]
struct Basis {
    rows: Vec<(usize, Vec<i128>)>,
}

impl Basis {
    fn reduce(&self, mut v: Vec<i128>) -> Vec<i128> {
        for (pivot, row) in &self.rows {
            let a = v[*pivot];
            if a == 0 {
                continue;
            }
            let b = row[*pivot];
            for (x, r) in v.iter_mut().zip(row) {
                *x = *x * b - *r * a;
            }
            normalise(&mut v);
        }
        v
    }

    fn insert(&mut self, v: Vec<i128>) {
        let v = self.reduce(v);
        if let Some(pivot) = v.iter().position(|x| *x != 0) {
            self.rows.push((pivot, v));
        }
    }

    /// Whether `v` is a combination of the basis rows.
    fn spans(&self, v: Vec<i128>) -> bool {
        self.reduce(v).iter().all(|x| *x == 0)
    }
}

fn normalise(v: &mut [i128]) {
    let g = v.iter().fold(0i128, |g, x| gcd(g, x.abs()));
    if g > 1 {
        for x in v.iter_mut() {
            *x /= g;
        }
    }
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}
