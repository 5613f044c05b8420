//! Average ranks and tie groups, the common ground of both rank tests.
//!
//! Both tests work on sorted data: a run of equal values is a tie group, every member gets
//! the average of the ordinal ranks the run spans (SciPy's `rankdata(method="average")`),
//! and the group contributes `t³ − t` to the tie correction of the normal approximation.

/// The average 1-based rank of the sorted positions `start..end` (end exclusive).
///
/// Equal to SciPy's `ordinal + (count − 1) / 2`; both are exact half-integers in `f64`.
pub fn average_rank(start: usize, end: usize) -> f64 {
    (start + 1 + end) as f64 / 2.0
}

/// The tie-correction term `t³ − t` of a tie group of `t` equal values.
pub fn tie_term(t: usize) -> f64 {
    let t = t as f64;
    t * t * t - t
}

/// Calls `group(start, end)` for each maximal run of equal keys in `sorted` (end exclusive).
///
/// `sorted` must already be ordered by `key`.
pub fn for_each_tie_group<T>(
    sorted: &[T],
    key: impl Fn(&T) -> f64,
    mut group: impl FnMut(usize, usize),
) {
    let mut start = 0;
    while start < sorted.len() {
        let value = key(&sorted[start]);
        let mut end = start + 1;
        while end < sorted.len() && key(&sorted[end]) == value {
            end += 1;
        }
        group(start, end);
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tied_values_share_the_average_of_their_ordinal_ranks() {
        let sorted = [1.0, 2.0, 2.0, 2.0, 5.0, 5.0];
        let mut ranks = Vec::new();
        let mut ties = 0.0;
        for_each_tie_group(
            &sorted,
            |v| *v,
            |start, end| {
                ranks.extend(std::iter::repeat_n(average_rank(start, end), end - start));
                ties += tie_term(end - start);
            },
        );
        assert_eq!(ranks, vec![1.0, 3.0, 3.0, 3.0, 5.5, 5.5]);
        assert_eq!(ties, 24.0 + 6.0);
    }
}
