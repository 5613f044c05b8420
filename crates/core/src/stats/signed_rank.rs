//! The Wilcoxon signed-rank test on paired differences, with SciPy's exact semantics
//! (`scipy.stats.wilcoxon(d, zero_method=…, correction=…, method=…)`, two-sided), and the
//! effect sizes reported beside it.
//!
//! How SciPy (1.11 onwards) decides, and so how we decide:
//! - `zero_method`: `wilcox` drops zero differences before ranking; `pratt` ranks them but
//!   gives their ranks to neither side and adjusts the normal approximation (Cureton); `zsplit`
//!   ranks them and gives half of their rank sum to each side.
//! - `method = auto`: more than 50 differences (zeros included) → normal approximation; else
//!   no ties and no zeros → exact null distribution; else at most 13 differences → all 2ⁿ sign
//!   flips enumerated (SciPy's `PermutationMethod`, reported as `permutation`); else normal
//!   approximation.
//! - `exact` uses the tie-free null distribution of the number of ranked values even when
//!   there are ties or zeros, rounding a half-integral statistic conservatively (SciPy gh-19872).
//! - the normal approximation corrects for ties (`Σ t³ − t`) and, with `correction`, moves the
//!   statistic half a unit towards its mean.
//!
//! The exact and permutation null distributions are computed here by dynamic programming over
//! rank sums. No Rust crate we know of offers them with tie-aware (half-integer) ranks and
//! SciPy's conventions, and they are a few lines each.

use super::rank::{average_rank, for_each_tie_group, tie_term};
use super::{Undefined, normal_sf};

/// How zero differences are treated (SciPy's `zero_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ZeroMethod {
    /// Drop zero differences (SciPy's default).
    #[default]
    Wilcox,
    /// Rank zeros, then drop their ranks (Pratt 1959).
    Pratt,
    /// Rank zeros and split their rank sum equally between the two sides.
    Zsplit,
}

impl ZeroMethod {
    /// The name SciPy and our JSON use.
    pub fn as_str(self) -> &'static str {
        match self {
            ZeroMethod::Wilcox => "wilcox",
            ZeroMethod::Pratt => "pratt",
            ZeroMethod::Zsplit => "zsplit",
        }
    }
}

/// The method asked for (SciPy's `method`; `Approx` is SciPy's `"asymptotic"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// Let the data decide, as SciPy does (see the module documentation).
    #[default]
    Auto,
    /// The exact null distribution of the signed-rank statistic without ties.
    Exact,
    /// The normal approximation with tie correction.
    Approx,
}

/// The method actually used to compute the p-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodUsed {
    /// Exact null distribution.
    Exact,
    /// Exhaustive enumeration of all sign flips (conditional on ties and zeros).
    Permutation,
    /// Normal approximation.
    Approx,
}

impl MethodUsed {
    /// The name our JSON uses.
    pub fn as_str(self) -> &'static str {
        match self {
            MethodUsed::Exact => "exact",
            MethodUsed::Permutation => "permutation",
            MethodUsed::Approx => "approx",
        }
    }
}

/// Options of the signed-rank test; `Default` is SciPy's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WilcoxonOptions {
    /// Treatment of zero differences.
    pub zero_method: ZeroMethod,
    /// Method for the p-value.
    pub method: Method,
    /// Continuity correction in the normal approximation.
    pub correction: bool,
}

/// The result of a two-sided Wilcoxon signed-rank test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wilcoxon {
    /// min(R+, R−), as SciPy reports for a two-sided test.
    pub statistic: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// The method actually used.
    pub method: MethodUsed,
    /// The zero method used.
    pub zero_method: ZeroMethod,
}

/// The largest number of ranked differences for which the exact null distribution is built;
/// beyond it the O(n³) table stops being quick, and the normal approximation is excellent.
pub const EXACT_MAX_N: usize = 1000;

/// The largest sample SciPy's `auto` enumerates sign flips for (2¹³ ≤ its 9,999 resamples).
const PERMUTATION_MAX_N: usize = 13;

/// The largest sample for which SciPy's `auto` considers an exact test.
const AUTO_EXACT_MAX_N: usize = 50;

/// Differences sorted by absolute value and ranked, with the sums each method needs.
struct Ranked {
    /// The ranked values, sorted by absolute value (zeros absent under `wilcox`).
    sorted: Vec<f64>,
    /// Doubled average rank of each entry of `sorted`, so that half ranks stay integers.
    doubled_ranks: Vec<u64>,
    n_zero: usize,
    r_plus: f64,
    r_minus: f64,
    zero_rank_sum: f64,
    /// Σ t³ − t over tie groups, the zero group left out under `pratt` (as SciPy does).
    tie_sum: f64,
    has_ties: bool,
}

fn rank_differences(d: &[f64], zero_method: ZeroMethod) -> Ranked {
    let n_zero = d.iter().filter(|x| **x == 0.0).count();
    let mut sorted: Vec<f64> = match zero_method {
        ZeroMethod::Wilcox => d.iter().copied().filter(|x| *x != 0.0).collect(),
        ZeroMethod::Pratt | ZeroMethod::Zsplit => d.to_vec(),
    };
    sorted.sort_unstable_by(|a, b| a.abs().total_cmp(&b.abs()));
    let mut doubled_ranks = vec![0; sorted.len()];
    let (mut r_plus, mut r_minus, mut zero_rank_sum, mut tie_sum) = (0.0, 0.0, 0.0, 0.0);
    let mut has_ties = false;
    for_each_tie_group(
        &sorted,
        |x| x.abs(),
        |start, end| {
            let rank = average_rank(start, end);
            let t = end - start;
            has_ties |= t > 1;
            let is_zero_group = sorted[start] == 0.0;
            if !(is_zero_group && zero_method == ZeroMethod::Pratt) {
                tie_sum += tie_term(t);
            }
            for i in start..end {
                doubled_ranks[i] = (start + 1 + end) as u64;
                if sorted[i] > 0.0 {
                    r_plus += rank;
                } else if sorted[i] < 0.0 {
                    r_minus += rank;
                } else {
                    zero_rank_sum += rank;
                }
            }
        },
    );
    Ranked {
        sorted,
        doubled_ranks,
        n_zero,
        r_plus,
        r_minus,
        zero_rank_sum,
        tie_sum,
        has_ties,
    }
}

fn check(d: &[f64]) -> Result<(), Undefined> {
    if d.iter().any(|x| !x.is_finite()) {
        return Err(Undefined::NotFinite);
    }
    if d.is_empty() {
        return Err(Undefined::NoPairs);
    }
    if d.iter().all(|x| *x == 0.0) {
        return Err(Undefined::AllZero);
    }
    Ok(())
}

/// The two-sided Wilcoxon signed-rank test of the differences `d` (post − pre).
///
/// Undefined when there are no differences or all are zero: SciPy then returns NaN for the
/// normal approximation and a degenerate p = 1 otherwise, neither of which is a test.
pub fn wilcoxon(d: &[f64], options: WilcoxonOptions) -> Result<Wilcoxon, Undefined> {
    check(d)?;
    let n = d.len();
    let ranked = rank_differences(d, options.zero_method);
    let method = match options.method {
        Method::Exact => MethodUsed::Exact,
        Method::Approx => MethodUsed::Approx,
        Method::Auto if n > AUTO_EXACT_MAX_N => MethodUsed::Approx,
        Method::Auto if !(ranked.has_ties || ranked.n_zero > 0) => MethodUsed::Exact,
        Method::Auto if n <= PERMUTATION_MAX_N => MethodUsed::Permutation,
        Method::Auto => MethodUsed::Approx,
    };
    let zero_half = match options.zero_method {
        ZeroMethod::Zsplit => ranked.zero_rank_sum / 2.0,
        ZeroMethod::Wilcox | ZeroMethod::Pratt => 0.0,
    };
    let r_plus = ranked.r_plus + zero_half;
    let r_minus = ranked.r_minus + zero_half;
    let count = ranked.sorted.len();
    let p_value = match method {
        MethodUsed::Approx => {
            let z = signed_z(&ranked, r_plus, options.zero_method);
            let z = if options.correction {
                z.0 - sign(z.0) * 0.5 / z.1
            } else {
                z.0
            };
            2.0 * normal_sf(z.abs())
        }
        MethodUsed::Exact => exact_p(count, r_plus)?,
        MethodUsed::Permutation => permutation_p(&ranked),
    };
    Ok(Wilcoxon {
        statistic: r_plus.min(r_minus),
        p_value,
        method,
        zero_method: options.zero_method,
    })
}

/// `np.sign`: zero stays zero, so an observed statistic at its mean gets no correction.
fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// (z, standard error) of the normal approximation, in SciPy's order of operations.
fn signed_z(ranked: &Ranked, r_plus: f64, zero_method: ZeroMethod) -> (f64, f64) {
    let count = ranked.sorted.len() as f64;
    let mut mn = count * (count + 1.0) * 0.25;
    let mut se = count * (count + 1.0) * (2.0 * count + 1.0);
    if zero_method == ZeroMethod::Pratt {
        let nz = ranked.n_zero as f64;
        mn -= nz * (nz + 1.0) * 0.25;
        se -= nz * (nz + 1.0) * (2.0 * nz + 1.0);
    }
    let se = ((se - ranked.tie_sum / 2.0) / 24.0).sqrt();
    ((r_plus - mn) / se, se)
}

/// The null distribution of R+ for `n` untied ranks: P(R+ = k), k = 0..=n(n+1)/2.
///
/// Built as SciPy's `_get_wilcoxon_distr` builds it (halving, so the values are identical),
/// in place: rank k either joins the positive side (shift by k) or not.
pub fn signed_rank_pmf(n: usize) -> Vec<f64> {
    let mut pmf = vec![0.0; n * (n + 1) / 2 + 1];
    pmf[0] = 1.0;
    for k in 1..=n {
        let top = k * (k + 1) / 2;
        for i in (0..=top).rev() {
            let stay = if i <= top - k { pmf[i] * 0.5 } else { 0.0 };
            let shifted = if i >= k { pmf[i - k] * 0.5 } else { 0.0 };
            pmf[i] = stay + shifted;
        }
    }
    pmf
}

/// SciPy's exact two-sided p-value: 2·min(sf(⌊R+⌋), cdf(⌈R+⌉)), clipped to 1, each tail
/// summed directly on its own side of the mean and as a complement on the other.
fn exact_p(count: usize, r_plus: f64) -> Result<f64, Undefined> {
    if count > EXACT_MAX_N {
        return Err(Undefined::ExactTooLarge {
            n: count,
            max: EXACT_MAX_N,
        });
    }
    let pmf = signed_rank_pmf(count);
    let mean = count as f64 * (count as f64 + 1.0) / 4.0;
    let lower = |k: usize| pmf.iter().take(k + 1).sum::<f64>(); // P(R+ ≤ k)
    let upper = |k: usize| pmf.iter().skip(k).sum::<f64>(); // P(R+ ≥ k)
    let cdf = |k: usize| {
        if k as f64 <= mean {
            lower(k)
        } else {
            1.0 - upper(k + 1)
        }
    };
    let sf = |k: usize| {
        if k as f64 <= mean {
            upper(k)
        } else {
            1.0 - lower(k.saturating_sub(1))
        }
    };
    let floor = r_plus.floor() as usize;
    let ceil = r_plus.ceil() as usize;
    Ok((2.0 * sf(floor).min(cdf(ceil))).min(1.0))
}

/// The p-value from all 2ⁿ sign flips, as SciPy's exhaustive `permutation_test` finds it.
///
/// Flipping a zero changes nothing, so counting over the non-zero differences gives the same
/// proportions as SciPy's count over all n.
fn permutation_p(ranked: &Ranked) -> f64 {
    let nonzero: Vec<(u64, bool)> = ranked
        .sorted
        .iter()
        .zip(&ranked.doubled_ranks)
        .filter(|(x, _)| **x != 0.0)
        .map(|(x, r)| (*r, *x > 0.0))
        .collect();
    let observed: u64 = nonzero.iter().filter(|(_, pos)| *pos).map(|(r, _)| r).sum();
    let total: u64 = nonzero.iter().map(|(r, _)| r).sum();
    // ways[s] = number of sign assignments whose positive doubled-rank sum is s.
    let mut ways = vec![0u64; total as usize + 1];
    ways[0] = 1;
    let mut reach = 0usize;
    for (r, _) in &nonzero {
        let r = *r as usize;
        for s in (0..=reach).rev() {
            ways[s + r] += ways[s];
        }
        reach += r;
    }
    let flips = 2f64.powi(nonzero.len() as i32);
    let observed = observed as usize;
    let less = ways[..=observed].iter().sum::<u64>() as f64 / flips;
    let greater = ways[observed..].iter().sum::<u64>() as f64 / flips;
    (2.0 * less.min(greater)).min(1.0)
}

/// Effect size r = z / √m over the m non-zero differences: z from the normal approximation
/// (zeros dropped, tie-corrected, no continuity correction), positive when post is higher.
pub fn effect_size_r(d: &[f64]) -> Result<f64, Undefined> {
    check(d)?;
    let ranked = rank_differences(d, ZeroMethod::Wilcox);
    let (z, _) = signed_z(&ranked, ranked.r_plus, ZeroMethod::Wilcox);
    // |z| ≤ √n, with equality when every difference is tied and of one sign; rounding there
    // can land a hair past ±1, which an effect size never is.
    Ok((z / (ranked.sorted.len() as f64).sqrt()).clamp(-1.0, 1.0))
}

/// Matched-pairs rank-biserial correlation (R+ − R−) / (m(m+1)/2) over the m non-zero
/// differences: +1 when everyone who moved went up, −1 when everyone went down.
pub fn rank_biserial(d: &[f64]) -> Result<f64, Undefined> {
    check(d)?;
    let ranked = rank_differences(d, ZeroMethod::Wilcox);
    let m = ranked.sorted.len() as f64;
    Ok((ranked.r_plus - ranked.r_minus) / (m * (m + 1.0) / 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Within SciPy agreement (1e-9) with room to spare; see `normal_sf` on statrs' erfc.
    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-10
    }

    fn opts(zero_method: ZeroMethod, method: Method, correction: bool) -> WilcoxonOptions {
        WilcoxonOptions {
            zero_method,
            method,
            correction,
        }
    }

    /// Found by the `analyse` fuzzer: three people who all rose by the same amount gave
    /// r = 1.0000000000000002. With every difference tied and of one sign, z is exactly √n, so
    /// r is exactly 1; rounding must not carry an effect size past ±1.
    #[test]
    fn an_effect_size_is_never_past_one_however_the_rounding_falls() {
        for n in 1..=40 {
            let up = vec![1.0; n];
            let down = vec![-2.0; n];
            if let Ok(r) = effect_size_r(&up) {
                assert!(r <= 1.0 && close(r, 1.0), "n = {n}: {r}");
            }
            if let Ok(r) = effect_size_r(&down) {
                assert!(r >= -1.0 && close(r, -1.0), "n = {n}: {r}");
            }
        }
    }

    #[test]
    fn pmf_of_three_ranks_counts_the_eight_sign_patterns() {
        let pmf = signed_rank_pmf(3);
        let eighths: Vec<f64> = pmf.iter().map(|p| p * 8.0).collect();
        assert_eq!(eighths, vec![1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0]);
    }

    // Expected values below come from SciPy 1.17 (`scipy.stats.wilcoxon`).
    #[test]
    fn untied_small_sample_uses_the_exact_distribution() {
        let r = wilcoxon(&[1.0, 2.0, -3.0, 4.0, 5.0], WilcoxonOptions::default()).unwrap();
        assert_eq!(r.method, MethodUsed::Exact);
        assert_eq!(r.statistic, 3.0);
        assert!(close(r.p_value, 0.3125), "{}", r.p_value);
    }

    #[test]
    fn zeros_under_auto_switch_to_sign_flip_enumeration() {
        let d = [1.0, 0.0, 2.0, -1.0, 3.0];
        let wilcox = wilcoxon(&d, opts(ZeroMethod::Wilcox, Method::Auto, false)).unwrap();
        assert_eq!(wilcox.method, MethodUsed::Permutation);
        assert_eq!(wilcox.statistic, 1.5);
        assert!(close(wilcox.p_value, 0.375));
        let pratt = wilcoxon(&d, opts(ZeroMethod::Pratt, Method::Exact, false)).unwrap();
        assert_eq!(pratt.statistic, 2.5);
        assert!(close(pratt.p_value, 0.4375));
        let zsplit = wilcoxon(&d, opts(ZeroMethod::Zsplit, Method::Exact, false)).unwrap();
        assert_eq!(zsplit.statistic, 3.0);
        assert!(close(zsplit.p_value, 0.3125));
    }

    #[test]
    fn normal_approximation_matches_scipy_with_and_without_correction() {
        let d = [1.0, 0.0, 2.0, -1.0, 3.0];
        let plain = wilcoxon(&d, opts(ZeroMethod::Pratt, Method::Approx, false)).unwrap();
        assert!(
            close(plain.p_value, 0.21852689230919908),
            "{}",
            plain.p_value
        );
        let zsplit = wilcoxon(&d, opts(ZeroMethod::Zsplit, Method::Approx, false)).unwrap();
        assert!(
            close(zsplit.p_value, 0.2228009911811345),
            "{}",
            zsplit.p_value
        );
        let uncorrected = wilcoxon(&d, opts(ZeroMethod::Wilcox, Method::Approx, false)).unwrap();
        assert!(close(uncorrected.p_value, 0.1974660733580187));
        let corrected = wilcoxon(&d, opts(ZeroMethod::Wilcox, Method::Approx, true)).unwrap();
        assert!(
            close(corrected.p_value, 0.2692941367197367),
            "{}",
            corrected.p_value
        );
    }

    #[test]
    fn all_zero_or_empty_differences_are_undefined() {
        assert_eq!(
            wilcoxon(&[], WilcoxonOptions::default()),
            Err(Undefined::NoPairs)
        );
        assert_eq!(
            wilcoxon(&[0.0, 0.0], WilcoxonOptions::default()),
            Err(Undefined::AllZero)
        );
        assert_eq!(effect_size_r(&[0.0]), Err(Undefined::AllZero));
    }

    #[test]
    fn exact_method_refuses_samples_beyond_its_table_but_approx_does_not() {
        let d: Vec<f64> = (0..=EXACT_MAX_N).map(|i| (i % 7) as f64 - 2.5).collect();
        let exact = wilcoxon(&d, opts(ZeroMethod::Wilcox, Method::Exact, false));
        assert!(matches!(exact, Err(Undefined::ExactTooLarge { .. })));
        let auto = wilcoxon(&d, WilcoxonOptions::default()).unwrap();
        assert_eq!(auto.method, MethodUsed::Approx);
    }

    #[test]
    fn rank_biserial_is_one_when_everyone_who_moved_went_up() {
        assert_eq!(rank_biserial(&[1.0, 0.0, 2.0, 2.0]).unwrap(), 1.0);
        assert_eq!(rank_biserial(&[-1.0, -3.0]).unwrap(), -1.0);
        // R+ = 1.5 + 3, R− = 1.5 over m = 3: (4.5 − 1.5) / 6.
        assert!(close(rank_biserial(&[1.0, -1.0, 2.0]).unwrap(), 0.5));
    }

    #[test]
    fn effect_size_r_is_positive_when_post_is_higher() {
        let up = effect_size_r(&[1.0, 2.0, 1.0, -1.0, 3.0]).unwrap();
        let down = effect_size_r(&[-1.0, -2.0, -1.0, 1.0, -3.0]).unwrap();
        assert!(up > 0.0);
        assert!(close(up, -down));
    }
}
