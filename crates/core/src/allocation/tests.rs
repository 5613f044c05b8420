use proptest::prelude::*;

use super::*;

fn edge(student: u32, tutor: u32, cost: i64) -> Edge {
    Edge {
        student,
        tutor,
        cost,
    }
}

fn solve(
    capacities: &[u32],
    students: usize,
    edges: &[Edge],
    unplaced_cost: Option<i64>,
) -> Result<Allocation, AllocationError> {
    let problem = Problem::new(capacities.to_vec(), students, edges).expect("valid instance");
    allocate(&problem, unplaced_cost)
}

/// Exhaustive search: every student tries each of its edges (and unplaced, when allowed).
/// Returns the optimal total and the maximum number of students placeable at once.
fn brute_force(
    capacities: &[u32],
    students: usize,
    edges: &[Edge],
    unplaced_cost: Option<i64>,
) -> (Option<i64>, usize) {
    struct Search<'a> {
        by_student: Vec<Vec<(usize, i64)>>,
        capacities: &'a [u32],
        unplaced_cost: Option<i64>,
        load: Vec<u32>,
        best: Option<i64>,
        max_placed: usize,
    }
    impl Search<'_> {
        fn walk(&mut self, s: usize, cost: i64, placed: usize) {
            if s == self.by_student.len() {
                self.max_placed = self.max_placed.max(placed);
                if placed == s || self.unplaced_cost.is_some() {
                    self.best = Some(self.best.map_or(cost, |b| b.min(cost)));
                }
                return;
            }
            for i in 0..self.by_student[s].len() {
                let (t, c) = self.by_student[s][i];
                if self.load[t] < self.capacities[t] {
                    self.load[t] += 1;
                    self.walk(s + 1, cost + c, placed + 1);
                    self.load[t] -= 1;
                }
            }
            // Leaving a student out is always explored, to count the maximum placeable.
            self.walk(s + 1, cost + self.unplaced_cost.unwrap_or(0), placed);
        }
    }
    let mut by_student = vec![Vec::new(); students];
    for e in edges {
        by_student[e.student as usize].push((e.tutor as usize, e.cost));
    }
    let mut search = Search {
        by_student,
        capacities,
        unplaced_cost,
        load: vec![0; capacities.len()],
        best: None,
        max_placed: 0,
    };
    search.walk(0, 0, 0);
    (search.best, search.max_placed)
}

/// Checks that an allocation is consistent with its instance: placements use allowed edges
/// at their cost, capacities hold, and the counts and total add up.
fn assert_consistent(
    capacities: &[u32],
    edges: &[Edge],
    unplaced_cost: Option<i64>,
    allocation: &Allocation,
) {
    let mut load = vec![0u32; capacities.len()];
    let mut total = 0;
    let mut unplaced = 0;
    for (s, placement) in allocation.placements.iter().enumerate() {
        match placement {
            Some(p) => {
                assert!(
                    edges
                        .iter()
                        .any(|e| e.student as usize == s && e.tutor == p.tutor && e.cost == p.cost),
                    "student {s} placed on a pairing that is not an edge: {p:?}"
                );
                load[p.tutor as usize] += 1;
                total += p.cost;
            }
            None => {
                unplaced += 1;
                total += unplaced_cost.expect("unplaced only with an unplaced cost");
            }
        }
    }
    for (t, (&l, &c)) in load.iter().zip(capacities).enumerate() {
        assert!(l <= c, "tutor {t} has {l} students for {c} places");
    }
    assert_eq!(allocation.unplaced, unplaced);
    assert_eq!(allocation.total_cost, total);
}

#[derive(Debug, Clone)]
struct Instance {
    capacities: Vec<u32>,
    students: usize,
    edges: Vec<Edge>,
    unplaced_cost: Option<i64>,
}

fn instances() -> impl Strategy<Value = Instance> {
    (1usize..=4, 0usize..=6).prop_flat_map(|(tutors, students)| {
        let capacities = proptest::collection::vec(0u32..=3, tutors);
        // Each possible pairing is present or not; costs from a small range to force ties,
        // occasionally negative.
        let pairings = proptest::collection::vec(
            proptest::option::weighted(0.6, -3i64..=12),
            tutors * students,
        );
        let unplaced = proptest::option::of(0i64..=15);
        (capacities, pairings, unplaced).prop_map(move |(capacities, pairings, unplaced_cost)| {
            let edges = pairings
                .iter()
                .enumerate()
                .filter_map(|(i, c)| c.map(|c| edge((i / tutors) as u32, (i % tutors) as u32, c)))
                .collect();
            Instance {
                capacities,
                students,
                edges,
                unplaced_cost,
            }
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn matches_brute_force_on_small_instances(inst in instances()) {
        let (best, max_placed) =
            brute_force(&inst.capacities, inst.students, &inst.edges, inst.unplaced_cost);
        match solve(&inst.capacities, inst.students, &inst.edges, inst.unplaced_cost) {
            Ok(allocation) => {
                assert_consistent(&inst.capacities, &inst.edges, inst.unplaced_cost, &allocation);
                prop_assert_eq!(Some(allocation.total_cost), best);
            }
            Err(AllocationError::Infeasible { unplaceable, students }) => {
                prop_assert!(inst.unplaced_cost.is_none());
                prop_assert_eq!(best, None);
                prop_assert_eq!(students, inst.students);
                prop_assert_eq!(unplaceable, inst.students - max_placed);
            }
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }
}

#[test]
fn takes_the_cheapest_tutor_when_there_is_room() {
    let edges = [edge(0, 0, 5), edge(0, 1, 2)];
    let a = solve(&[1, 1], 1, &edges, None).unwrap();
    assert_eq!(a.placements, vec![Some(Placement { tutor: 1, cost: 2 })]);
    assert_eq!(a.total_cost, 2);
}

#[test]
fn moves_a_student_along_to_make_room_when_that_is_cheaper() {
    // Both want tutor 0 (one place); student 0 loses little by moving, student 1 a lot.
    let edges = [edge(0, 0, 1), edge(0, 1, 2), edge(1, 0, 1), edge(1, 1, 50)];
    let a = solve(&[1, 1], 2, &edges, None).unwrap();
    assert_eq!(a.placements[0].unwrap().tutor, 1);
    assert_eq!(a.placements[1].unwrap().tutor, 0);
    assert_eq!(a.total_cost, 3);
}

#[test]
fn a_longer_chain_of_moves_is_found() {
    // Students 0 and 1 both like tutor 0 best; student 1 can only go on to tutor 1 if
    // student 2 in turn moves on to tutor 2, the only other room.
    let edges = [
        edge(0, 0, 0),
        edge(1, 0, 0),
        edge(1, 1, 1),
        edge(2, 1, 0),
        edge(2, 2, 1),
    ];
    let a = solve(&[1, 1, 1], 3, &edges, None).unwrap();
    let tutors: Vec<u32> = a.placements.iter().map(|p| p.unwrap().tutor).collect();
    assert_eq!(tutors, vec![0, 1, 2]);
    assert_eq!(a.total_cost, 2);
    assert_consistent(&[1, 1, 1], &edges, None, &a);
}

#[test]
fn a_tutor_with_zero_capacity_gets_nobody() {
    let edges = [edge(0, 0, 0), edge(0, 1, 9)];
    let a = solve(&[0, 1], 1, &edges, None).unwrap();
    assert_eq!(a.placements, vec![Some(Placement { tutor: 1, cost: 9 })]);
}

#[test]
fn a_tutor_without_edges_is_harmless() {
    let edges = [edge(0, 1, 4)];
    let a = solve(&[5, 1, 5], 1, &edges, None).unwrap();
    assert_eq!(a.total_cost, 4);
}

#[test]
fn a_student_with_one_edge_gets_it_and_others_make_way() {
    let edges = [edge(0, 0, 10), edge(1, 0, 0), edge(1, 1, 1)];
    let a = solve(&[1, 1], 2, &edges, None).unwrap();
    assert_eq!(a.placements[0], Some(Placement { tutor: 0, cost: 10 }));
    assert_eq!(a.total_cost, 11);
}

#[test]
fn infeasible_instances_say_how_many_cannot_be_placed() {
    // Three students share one tutor with two places; a fourth has no edge at all.
    let edges = [edge(0, 0, 1), edge(1, 0, 1), edge(2, 0, 1)];
    let err = solve(&[2], 4, &edges, None).unwrap_err();
    assert_eq!(
        err,
        AllocationError::Infeasible {
            unplaceable: 2,
            students: 4
        }
    );
    assert!(
        err.to_string()
            .starts_with("2 of 4 students cannot be placed")
    );
}

#[test]
fn with_an_unplaced_cost_the_surplus_stays_unplaced() {
    let edges = [edge(0, 0, 1), edge(1, 0, 3), edge(2, 0, 2)];
    let a = solve(&[1], 3, &edges, Some(100)).unwrap();
    assert_eq!(a.unplaced, 2);
    assert_eq!(a.placements[0], Some(Placement { tutor: 0, cost: 1 }));
    assert_eq!(a.total_cost, 201);
}

#[test]
fn leaving_unplaced_wins_when_every_tutor_costs_more() {
    let edges = [edge(0, 0, 7)];
    let a = solve(&[1], 1, &edges, Some(5)).unwrap();
    assert_eq!(a.placements, vec![None]);
    assert_eq!((a.unplaced, a.total_cost), (1, 5));
}

#[test]
fn ties_still_give_the_optimal_total() {
    let edges = [
        edge(0, 0, 1),
        edge(0, 1, 1),
        edge(1, 0, 1),
        edge(1, 1, 1),
        edge(2, 0, 1),
        edge(2, 1, 1),
    ];
    let a = solve(&[2, 1], 3, &edges, None).unwrap();
    assert_eq!(a.total_cost, 3);
    assert_consistent(&[2, 1], &edges, None, &a);
}

#[test]
fn duplicate_edges_count_at_their_cheapest() {
    let edges = [edge(0, 0, 9), edge(0, 0, 4)];
    let a = solve(&[1], 1, &edges, None).unwrap();
    assert_eq!(a.total_cost, 4);
}

#[test]
fn negative_costs_are_allowed() {
    let edges = [edge(0, 0, -5), edge(1, 0, -2), edge(1, 1, 0)];
    let a = solve(&[1, 1], 2, &edges, None).unwrap();
    assert_eq!(a.total_cost, -5);
}

#[test]
fn no_students_cost_nothing() {
    let a = solve(&[3], 0, &[], None).unwrap();
    assert_eq!((a.placements.len(), a.total_cost), (0, 0));
}

#[test]
fn out_of_range_indices_and_costs_are_rejected() {
    assert!(matches!(
        Problem::new(vec![1], 1, &[edge(1, 0, 0)]),
        Err(AllocationError::UnknownStudent { student: 1, .. })
    ));
    assert!(matches!(
        Problem::new(vec![1], 1, &[edge(0, 3, 0)]),
        Err(AllocationError::UnknownTutor { tutor: 3, .. })
    ));
    assert!(matches!(
        Problem::new(vec![1], 1, &[edge(0, 0, MAX_ABS_COST + 1)]),
        Err(AllocationError::CostOutOfRange { .. })
    ));
    let p = Problem::new(vec![1], 1, &[edge(0, 0, 0)]).unwrap();
    assert!(matches!(
        allocate(&p, Some(-MAX_ABS_COST - 1)),
        Err(AllocationError::CostOutOfRange { .. })
    ));
}

/// The optimum by `pathfinding`'s Kuhn–Munkres on the expanded problem: one column per tutor
/// place and one "unplaced" column per student.
fn kuhn_munkres_optimum(
    capacities: &[u32],
    students: usize,
    edges: &[Edge],
    unplaced_cost: i64,
) -> i64 {
    use pathfinding::prelude::{Matrix, kuhn_munkres};
    const FORBIDDEN: i64 = -1_000_000_000;
    let places: Vec<usize> = (0..capacities.len())
        .flat_map(|t| std::iter::repeat_n(t, capacities[t] as usize))
        .collect();
    let mut weights = Matrix::new(students, places.len() + students, FORBIDDEN);
    for e in edges {
        for (column, &t) in places.iter().enumerate() {
            if t == e.tutor as usize {
                let w = &mut weights[(e.student as usize, column)];
                *w = (*w).max(-e.cost);
            }
        }
    }
    for s in 0..students {
        weights[(s, places.len() + s)] = -unplaced_cost;
    }
    -kuhn_munkres(&weights).0
}

fn random_faculty_instance(seed: u64, tutors: usize, students: usize) -> (Vec<u32>, Vec<Edge>) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let capacities: Vec<u32> = (0..tutors).map(|_| rng.random_range(0..=7)).collect();
    let mut edges = Vec::new();
    for s in 0..students {
        let faculty = s % 2;
        for t in (faculty..tutors).step_by(2) {
            if rng.random_bool(0.5) {
                edges.push(edge(s as u32, t as u32, rng.random_range(0..60)));
            }
        }
    }
    (capacities, edges)
}

/// Without an unplaced cost, mid-sized instances either match Kuhn–Munkres (with a prohibitive
/// unplaced cost) or report exactly students minus the maximum number placeable.
#[test]
fn mid_sized_instances_without_unplaced_cost_report_the_exact_shortfall() {
    let mut infeasible = 0;
    for seed in 100..130 {
        let (tutors, students) = (4 + seed as usize % 7, 15 + seed as usize % 25);
        let (capacities, edges) = random_faculty_instance(seed, tutors, students);
        // Each placed student scores 1 and pays nothing else: the optimum counts the most
        // students placeable at once.
        let unit: Vec<Edge> = edges.iter().map(|e| edge(e.student, e.tutor, -1)).collect();
        let max_placed = -kuhn_munkres_optimum(&capacities, students, &unit, 0) as usize;
        match solve(&capacities, students, &edges, None) {
            Ok(a) => {
                assert_eq!(max_placed, students, "seed {seed}");
                assert_consistent(&capacities, &edges, None, &a);
                let best = kuhn_munkres_optimum(&capacities, students, &edges, 1_000_000);
                assert_eq!(a.total_cost, best, "seed {seed}");
            }
            Err(AllocationError::Infeasible { unplaceable, .. }) => {
                infeasible += 1;
                assert_eq!(unplaceable, students - max_placed, "seed {seed}");
            }
            Err(other) => panic!("seed {seed}: {other}"),
        }
    }
    assert!(
        infeasible > 0 && infeasible < 30,
        "both kinds should occur: {infeasible}"
    );
}

/// Mid-sized random instances, where long chains of moves and many price rises happen.
#[test]
fn mid_sized_random_instances_match_kuhn_munkres_on_expanded_places() {
    for seed in 0..40 {
        let (tutors, students) = (4 + seed as usize % 9, 20 + 3 * seed as usize);
        let (capacities, edges) = random_faculty_instance(seed, tutors, students);
        let unplaced_cost = 25 + seed as i64;
        let a = solve(&capacities, students, &edges, Some(unplaced_cost)).unwrap();
        assert_consistent(&capacities, &edges, Some(unplaced_cost), &a);
        let best = kuhn_munkres_optimum(&capacities, students, &edges, unplaced_cost);
        assert_eq!(a.total_cost, best, "seed {seed}");
    }
}
