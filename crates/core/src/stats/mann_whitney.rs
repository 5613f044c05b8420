//! The two-sided Mann–Whitney U test with SciPy's defaults
//! (`scipy.stats.mannwhitneyu(x, y)`: `use_continuity=True`, `method="auto"`).
//!
//! SciPy's `auto` uses the exact null distribution when either sample has at most 8 values
//! and there are no ties, and otherwise the normal approximation with tie correction and
//! continuity correction. The exact distribution is counted here: the number of arrangements
//! with U = u is the coefficient of qᵘ in the Gaussian binomial ⌈m+n choose m⌉_q, which we
//! expand by polynomial products. No crate we know of exposes that distribution.

use super::rank::{average_rank, for_each_tie_group, tie_term};
use super::{Undefined, normal_sf};

/// The result of a two-sided Mann–Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U of the first sample (`x`): the number of (x, y) pairs with x > y, ties counting ½.
    pub u: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Whether the exact null distribution was used (else the normal approximation).
    pub exact: bool,
}

/// Samples up to this size (the smaller one) may use the exact distribution, as in SciPy.
const EXACT_MAX_SMALLER: usize = 8;

/// Two-sided Mann–Whitney U test of `x` against `y`; `u` is `x`'s U.
pub fn mann_whitney(x: &[f64], y: &[f64]) -> Result<MannWhitney, Undefined> {
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        return Err(Undefined::NotFinite);
    }
    if x.is_empty() || y.is_empty() {
        return Err(Undefined::EmptyGroup);
    }
    let (n1, n2) = (x.len(), y.len());
    let mut pooled: Vec<(f64, bool)> = x
        .iter()
        .map(|v| (*v, true))
        .chain(y.iter().map(|v| (*v, false)))
        .collect();
    pooled.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let (mut r1, mut ties, mut has_ties) = (0.0, 0.0, false);
    for_each_tie_group(
        &pooled,
        |p| p.0,
        |start, end| {
            let rank = average_rank(start, end);
            let in_x = pooled[start..end].iter().filter(|p| p.1).count();
            r1 += rank * in_x as f64;
            ties += tie_term(end - start);
            has_ties |= end - start > 1;
        },
    );
    let (f1, f2) = (n1 as f64, n2 as f64);
    let u1 = r1 - f1 * (f1 + 1.0) / 2.0;
    let u2 = f1 * f2 - u1;
    let u = u1.max(u2);
    let small = n1.min(n2) <= EXACT_MAX_SMALLER;
    // Without ties U is an integer, and the upper tail P(U ≥ u) equals the lower tail
    // P(U ≤ n1·n2 − u) by symmetry; SciPy sums the lower one.
    let exact_tail = (small && !has_ties)
        .then(|| exact_lower_tail(n1, n2, (f1 * f2 - u) as usize))
        .flatten();
    let exact = exact_tail.is_some();
    let p = 2.0 * exact_tail.unwrap_or_else(|| normal_p(u, f1, f2, ties));
    Ok(MannWhitney {
        u: u1,
        p_value: p.clamp(0.0, 1.0),
        exact,
    })
}

/// One-sided normal tail of U with tie and continuity correction, as SciPy's `_get_mwu_z`.
/// When every value is tied the spread is zero, z is −∞ and the tail is 1, as in SciPy.
fn normal_p(u: f64, n1: f64, n2: f64, ties: f64) -> f64 {
    let mu = n1 * n2 / 2.0;
    let n = n1 + n2;
    let s = (n1 * n2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)))).sqrt();
    let z = (u - mu - 0.5) / s;
    normal_sf(z)
}

/// P(U ≤ k) for samples of sizes m and n without ties, or `None` if the counts would
/// overflow (only for samples far beyond anything a survey produces).
fn exact_lower_tail(m: usize, n: usize, k: usize) -> Option<f64> {
    let (m, n) = (m.min(n), m.max(n));
    // Coefficients of q⁰..q^k of Π_{i=1..m} (1 − q^{n+i}) / (1 − q^i).
    let mut c = vec![0i128; k + 1];
    c[0] = 1;
    for i in 1..=m {
        let shift = n + i;
        for j in (shift..=k).rev() {
            c[j] = c[j].checked_sub(c[j - shift])?;
        }
    }
    for i in 1..=m {
        for j in i..=k {
            c[j] = c[j].checked_add(c[j - i])?;
        }
    }
    let below: i128 = c.iter().try_fold(0i128, |acc, v| acc.checked_add(*v))?;
    let mut total = 1f64; // C(m + n, m)
    for i in 1..=m {
        total = total * (n + i) as f64 / i as f64;
    }
    Some(below as f64 / total)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values from SciPy 1.17 `mannwhitneyu(x, y)`.
    #[test]
    fn small_untied_samples_use_the_exact_distribution() {
        let r = mann_whitney(&[1.0, 2.0, 3.0], &[4.0, 5.0]).unwrap();
        assert!(r.exact);
        assert_eq!(r.u, 0.0);
        assert!((r.p_value - 0.2).abs() < 1e-12);
    }

    #[test]
    fn exact_counts_match_the_full_enumeration() {
        // C(7, 3) = 35 arrangements; U ≤ 2 in 1 + 1 + 2 of them.
        let p = exact_lower_tail(3, 4, 2).unwrap();
        assert!((p - 4.0 / 35.0).abs() < 1e-15);
        assert!((exact_lower_tail(4, 3, 12).unwrap() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn all_values_tied_give_p_of_one() {
        let r = mann_whitney(&[1.0, 1.0], &[1.0, 1.0]).unwrap();
        assert_eq!(r.u, 2.0);
        assert_eq!(r.p_value, 1.0);
    }

    #[test]
    fn empty_group_is_undefined() {
        assert_eq!(mann_whitney(&[], &[1.0]), Err(Undefined::EmptyGroup));
    }
}
