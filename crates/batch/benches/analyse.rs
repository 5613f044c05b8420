//! In-process benchmark of `flipside analyse` on 1,000,000 response rows (the performance
//! target of the command: well under a second in a release build), and of the statistics
//! alone. `bench/analyse/compare.sh` times the binary against pandas + SciPy end to end.

use std::fmt::Write;

use criterion::{Criterion, criterion_group, criterion_main};
use flipside_batch::analyse::{Options, analyse};
use flipside_core::stats::{self, WilcoxonOptions};
use rand::{Rng, SeedableRng};

/// A shuffled tidy CSV of about `rows` rows over ten items and three waves, with missing
/// post and follow-up answers; the same seed gives the same file.
fn responses_csv(rows: usize, seed: u64) -> String {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut lines = Vec::with_capacity(rows);
    let mut respondent = 0;
    while lines.len() < rows {
        respondent += 1;
        for item in 0..10 {
            let pre: i32 = rng.random_range(1..=5);
            lines.push(format!("R{respondent:07},pre,item_{item:02},{pre}"));
            if rng.random_bool(0.85) {
                let post = (pre + rng.random_range(-1..=2)).clamp(1, 5);
                lines.push(format!("R{respondent:07},post,item_{item:02},{post}"));
            }
            if rng.random_bool(0.4) {
                let follow: i32 = rng.random_range(1..=5);
                lines.push(format!("R{respondent:07},followup,item_{item:02},{follow}"));
            }
        }
    }
    lines.truncate(rows);
    // Fisher–Yates, so that nothing depends on the input being grouped.
    for i in (1..lines.len()).rev() {
        lines.swap(i, rng.random_range(0..=i));
    }
    let mut csv = String::from("respondent_id,wave,item,score\n");
    for line in &lines {
        let _ = writeln!(csv, "{line}");
    }
    csv
}

fn bench_analyse(c: &mut Criterion) {
    let csv = responses_csv(1_000_000, 7);
    let mut group = c.benchmark_group("analyse");
    group.sample_size(10);
    group.bench_function("1M rows, CSV to report", |b| {
        b.iter(|| analyse(csv.as_bytes(), &Options::default()).unwrap())
    });
    group.finish();

    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let differences: Vec<f64> = (0..100_000)
        .map(|_| f64::from(rng.random_range(-4..=4)))
        .collect();
    let pre: Vec<f64> = (0..100_000)
        .map(|_| f64::from(rng.random_range(1..=5)))
        .collect();
    c.bench_function("wilcoxon approx, 100k differences", |b| {
        b.iter(|| stats::wilcoxon(&differences, WilcoxonOptions::default()).unwrap())
    });
    c.bench_function("mann_whitney, 100k vs 100k", |b| {
        b.iter(|| stats::mann_whitney(&differences, &pre).unwrap())
    });
    let small: Vec<f64> = differences
        .iter()
        .copied()
        .filter(|d| *d != 0.0)
        .take(13)
        .collect();
    c.bench_function("wilcoxon sign-flip enumeration, n = 13", |b| {
        b.iter(|| stats::wilcoxon(&small, WilcoxonOptions::default()).unwrap())
    });
}

criterion_group!(benches, bench_analyse);
criterion_main!(benches);
