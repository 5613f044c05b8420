//! Descriptive statistics of a wave, the movement of paired respondents, and the plain-words
//! caveat for small samples.

/// n, mean and sample standard deviation of one wave's scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean; `None` when there are no values.
    pub mean: Option<f64>,
    /// Sample standard deviation (divisor n − 1); `None` with fewer than two values.
    pub sd: Option<f64>,
}

/// Summarises `values` as NumPy's `mean` and `std(ddof=1)` do (two passes, deviations from
/// the mean), which keeps large samples of similar values accurate.
pub fn describe(values: &[f64]) -> Summary {
    let n = values.len();
    if n == 0 {
        return Summary {
            n,
            mean: None,
            sd: None,
        };
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let sd = (n >= 2).then(|| {
        let squares: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
        (squares / (n - 1) as f64).sqrt()
    });
    Summary {
        n,
        mean: Some(mean),
        sd,
    }
}

/// How paired respondents moved between two waves, as shares of all paired respondents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Movement {
    /// Paired respondents.
    pub n: usize,
    /// Share whose score went up.
    pub up: f64,
    /// Share whose score stayed the same.
    pub same: f64,
    /// Share whose score went down.
    pub down: f64,
}

/// Shares of the differences `d` (post − pre) that are positive, zero and negative;
/// `None` when there are no pairs.
pub fn movement(d: &[f64]) -> Option<Movement> {
    if d.is_empty() {
        return None;
    }
    let n = d.len();
    let up = d.iter().filter(|x| **x > 0.0).count();
    let down = d.iter().filter(|x| **x < 0.0).count();
    let share = |k: usize| k as f64 / n as f64;
    Some(Movement {
        n,
        up: share(up),
        same: share(n - up - down),
        down: share(down),
    })
}

/// Below this many paired respondents a result gets the small-n caveat.
pub const SMALL_N: usize = 10;

/// A plain-words caveat when `n_paired` is too small to read much into, else `None`.
pub fn small_n_caveat(n_paired: usize) -> Option<String> {
    match n_paired {
        0 => Some("No respondent answered both waves, so there is no paired change.".into()),
        1 => Some(
            "Only 1 respondent answered both waves: this describes one person, \
             not a change in the group."
                .into(),
        ),
        n if n < SMALL_N => Some(format!(
            "Only {n} respondents answered both waves: one or two people changing their \
             answer can change the result, so read it as a description of these people, \
             not as evidence about everyone."
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_gives_sample_sd_with_n_minus_one() {
        let s = describe(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.n, 4);
        assert_eq!(s.mean, Some(2.5));
        let sd = s.sd.unwrap();
        assert!((sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn describe_leaves_undefined_values_out() {
        assert_eq!(describe(&[]).mean, None);
        let one = describe(&[4.0]);
        assert_eq!(one.mean, Some(4.0));
        assert_eq!(one.sd, None);
    }

    #[test]
    fn movement_shares_add_up_and_count_each_direction() {
        let m = movement(&[1.0, 0.0, -2.0, 3.0]).unwrap();
        assert_eq!((m.up, m.same, m.down), (0.5, 0.25, 0.25));
        assert_eq!(movement(&[]), None);
    }

    #[test]
    fn caveat_appears_below_ten_pairs_and_names_the_number() {
        assert!(small_n_caveat(7).unwrap().contains("Only 7 respondents"));
        assert!(small_n_caveat(0).is_some());
        assert_eq!(small_n_caveat(SMALL_N), None);
    }
}
