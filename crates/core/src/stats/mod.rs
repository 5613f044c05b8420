//! Statistics for survey waves (SPEC §3.6): descriptive statistics, paired change, the
//! Wilcoxon signed-rank test, the Mann–Whitney U test, effect sizes and plain-words caveats.
//!
//! Every test here reproduces SciPy's semantics number for number (to 1e-9), because the
//! product promises results that agree with a reference implementation. Where SciPy makes a
//! choice (how zeros are ranked, when `auto` picks an exact, permutation or normal method,
//! how a non-integral statistic meets an integral null distribution) we make the same one
//! and say so next to the code.
//!
//! The module is pure: numbers in, numbers out, no I/O. Functions that can be undefined for
//! some data (no pairs, every difference zero) return [`Undefined`], whose `Display` is a
//! sentence fit to show a coordinator.
//!
//! | submodule | what it holds |
//! | --- | --- |
//! | [`describe`] | n, mean, sample SD; paired movement shares; the small-n caveat |
//! | [`signed_rank`] | Wilcoxon signed-rank test, effect size r, matched-pairs rank-biserial |
//! | [`mann_whitney`] | two-sided Mann–Whitney U test |
//! | [`rank`] | average ranks and tie groups shared by both rank tests |

pub mod describe;
pub mod mann_whitney;
pub mod rank;
pub mod signed_rank;

pub use describe::{Movement, Summary, describe, movement, small_n_caveat};
pub use mann_whitney::{MannWhitney, mann_whitney};
pub use signed_rank::{
    Method, MethodUsed, Wilcoxon, WilcoxonOptions, ZeroMethod, effect_size_r, rank_biserial,
    wilcoxon,
};

use std::fmt;

/// Why a statistic has no value for the data given. `Display` gives plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undefined {
    /// No paired respondents (no differences at all).
    NoPairs,
    /// Every paired difference is zero, so there is no change to test or measure.
    AllZero,
    /// One of the two groups of a two-sample test is empty.
    EmptyGroup,
    /// An input value was NaN or infinite.
    NotFinite,
    /// The exact null distribution was asked for a sample too large to enumerate.
    ExactTooLarge {
        /// The sample size that was asked for.
        n: usize,
        /// The largest sample size for which the exact distribution is computed.
        max: usize,
    },
}

impl fmt::Display for Undefined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undefined::NoPairs => f.write_str("no respondent answered both waves"),
            Undefined::AllZero => {
                f.write_str("every paired respondent gave the same score in both waves")
            }
            Undefined::EmptyGroup => f.write_str("one of the waves has no responses"),
            Undefined::NotFinite => f.write_str("a value is not a finite number"),
            Undefined::ExactTooLarge { n, max } => write!(
                f,
                "the exact test is computed for at most {max} differences and there are {n}; \
                 use the approximate method"
            ),
        }
    }
}

impl std::error::Error for Undefined {}

/// The standard normal survival function, P(Z > z).
///
/// SciPy computes this as `ndtr(-z)`; statrs' `cdf` is `erfc`-based in the same way, so the
/// far tail keeps its relative precision instead of collapsing to `1 - 1`. statrs 0.18's
/// `erfc` carries a relative error of about 1e-10 (a constant fixed upstream after 0.18,
/// statrs-dev/statrs#412), which keeps p-values within 1e-9 of SciPy's; the reference tests
/// hold us to that.
fn normal_sf(z: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    let standard = Normal::standard();
    standard.cdf(-z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_sf_matches_known_values() {
        // Reference values: SciPy's `special.ndtr(-z)`.
        assert!((normal_sf(0.0) - 0.5).abs() < 1e-15);
        assert!((normal_sf(1.959963984540054) - 0.025).abs() < 1e-10);
        assert!((normal_sf(1.23) - 0.10934855242569191).abs() < 1e-10);
        // Far tail keeps relative precision (would be 0 if computed as 1 - cdf).
        let tail = normal_sf(10.0);
        assert!((tail / 7.61985302416047e-24 - 1.0).abs() < 1e-9);
    }
}
