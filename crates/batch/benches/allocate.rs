//! In-process benchmark of the exact allocation solver on a faculty-shaped instance, a fifth
//! of the institution-wide size that `bench/allocate/compare.py` measures against OR-Tools.

use criterion::{Criterion, criterion_group, criterion_main};
use flipside_core::allocation::{Edge, Problem, allocate};
use rand::{Rng, SeedableRng};

/// Students in faculties; each may have about `per_student` tutors of their own faculty;
/// some faculties have more students than places.
fn instance(students: usize, tutors: usize, per_student: usize, seed: u64) -> Problem {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let faculties = 16;
    let capacities: Vec<u32> = (0..tutors).map(|_| rng.random_range(8..=24)).collect();
    let faculty_of_tutor: Vec<usize> = (0..tutors).map(|t| t % faculties).collect();
    let pools: Vec<Vec<u32>> = (0..faculties)
        .map(|f| {
            (0..tutors as u32)
                .filter(|&t| faculty_of_tutor[t as usize] == f)
                .collect()
        })
        .collect();
    // Faculty weights skewed so that the first few are over-subscribed.
    let weights: Vec<f64> = (0..faculties)
        .map(|f| if f < 4 { 1.3 } else { 0.9 })
        .collect();
    let total: f64 = weights.iter().sum();
    let mut edges = Vec::new();
    for s in 0..students {
        let mut pick = rng.random_range(0.0..total);
        let faculty = weights
            .iter()
            .position(|&w| {
                pick -= w;
                pick < 0.0
            })
            .unwrap_or(faculties - 1);
        let pool = &pools[faculty];
        for _ in 0..per_student.min(pool.len()) {
            let tutor = pool[rng.random_range(0..pool.len())];
            edges.push(Edge {
                student: s as u32,
                tutor,
                cost: rng.random_range(0..700),
            });
        }
    }
    Problem::new(capacities, students, &edges).expect("valid instance")
}

fn bench(c: &mut Criterion) {
    let problem = instance(8_000, 500, 50, 1);
    let mut group = c.benchmark_group("allocate");
    group.sample_size(10);
    group.bench_function("8k students, 500 tutors, 400k edges", |b| {
        b.iter(|| allocate(&problem, Some(10_000)).expect("feasible with an unplaced cost"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
