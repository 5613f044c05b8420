//! Exact minimum-cost allocation of students to personal tutors (SPEC §3.10).
//!
//! Every student is given to exactly one tutor among the tutors allowed for them, no tutor
//! gets more students than their capacity, and the sum of the costs of the chosen pairings is
//! as small as it can be. With an *unplaced cost* `N` a student may also stay unplaced at
//! cost `N`; the instance is then always feasible. Without it an instance in which not every
//! student fits is reported with the number of students that cannot be placed (students
//! minus the maximum number placeable at once).
//!
//! The solver ([`allocate`]) is exact: the result is an optimum of the transportation
//! problem, not a greedy approximation. How it works, and why it is written here rather than
//! taken from a crate, is told in [`solver`]. Turning the School rules into costs is
//! [`rules`].

pub mod rules;
mod solver;

/// Costs (and the unplaced cost) must lie within ±`MAX_ABS_COST`, so that sums over an
/// institution and the solver's prices stay far from `i64` overflow.
pub const MAX_ABS_COST: i64 = 1_000_000_000_000;

/// One allowed pairing of a student with a tutor, and what it costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// Index of the student, `0..students`.
    pub student: u32,
    /// Index of the tutor, `0..tutors`.
    pub tutor: u32,
    /// Cost of the pairing; lower is better. May be negative.
    pub cost: i64,
}

/// An allocation instance in compact form: tutors' capacities and each student's allowed
/// tutors as one compressed sparse row array (an institution has millions of edges, so
/// indices are `u32` and nothing is stored per edge beyond tutor and cost).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    capacities: Vec<u32>,
    /// Student `s` has edges `arcs[offsets[s]..offsets[s + 1]]`.
    offsets: Vec<u32>,
    /// Tutor and cost side by side: the solver reads both for every edge it scans.
    arcs: Vec<Arc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Arc {
    tutor: u32,
    cost: i64,
}

/// Why an instance cannot be built or solved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    /// Not every student fits, and no unplaced cost was given.
    #[error("{unplaceable} of {students} students cannot be placed within tutors' capacities")]
    Infeasible {
        /// Students minus the maximum number that can be placed at once.
        unplaceable: usize,
        /// Number of students in the instance.
        students: usize,
    },
    /// An edge names a student index outside `0..students`.
    #[error("edge names student {student}, but there are only {students} students")]
    UnknownStudent {
        /// The index given.
        student: u32,
        /// Number of students.
        students: usize,
    },
    /// An edge names a tutor index outside `0..tutors`.
    #[error("edge names tutor {tutor}, but there are only {tutors} tutors")]
    UnknownTutor {
        /// The index given.
        tutor: u32,
        /// Number of tutors.
        tutors: usize,
    },
    /// A cost (or the unplaced cost) outside ±[`MAX_ABS_COST`].
    #[error("cost {cost} is outside ±{MAX_ABS_COST}")]
    CostOutOfRange {
        /// The cost given.
        cost: i64,
    },
    /// More students, tutors or edges than `u32` indices can count.
    #[error("instance too large: at most {} students, tutors and edges", u32::MAX - 2)]
    TooLarge,
}

/// Where one student went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// The tutor's index.
    pub tutor: u32,
    /// The cost of the pairing.
    pub cost: i64,
}

/// An optimal allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// For each student, the tutor and the pairing's cost, or `None` when left unplaced
    /// (only possible with an unplaced cost).
    pub placements: Vec<Option<Placement>>,
    /// Number of unplaced students.
    pub unplaced: usize,
    /// Sum of the chosen pairings' costs plus the unplaced cost for each unplaced student.
    pub total_cost: i64,
}

impl Problem {
    /// Builds an instance of `students` students and one tutor per capacity from its edges,
    /// given in any order. Several edges between the same student and tutor are allowed (the
    /// cheapest is the one that counts); a student without edges can only stay unplaced.
    pub fn new(
        capacities: Vec<u32>,
        students: usize,
        edges: &[Edge],
    ) -> Result<Problem, AllocationError> {
        // The solver keeps two `u32` values as markers, so at most `u32::MAX - 2` of each.
        let limit = (u32::MAX - 2) as usize;
        if students > limit || capacities.len() > limit || edges.len() > limit {
            return Err(AllocationError::TooLarge);
        }
        // Counting sort by student: two passes over the edges, no comparison sort.
        let mut offsets = vec![0u32; students + 1];
        for e in edges {
            if e.student as usize >= students {
                return Err(AllocationError::UnknownStudent {
                    student: e.student,
                    students,
                });
            }
            if e.tutor as usize >= capacities.len() {
                return Err(AllocationError::UnknownTutor {
                    tutor: e.tutor,
                    tutors: capacities.len(),
                });
            }
            check_cost(e.cost)?;
            offsets[e.student as usize + 1] += 1;
        }
        for s in 0..students {
            offsets[s + 1] += offsets[s];
        }
        let mut next = offsets.clone();
        let mut arcs = vec![Arc::default(); edges.len()];
        for e in edges {
            let slot = &mut next[e.student as usize];
            arcs[*slot as usize] = Arc {
                tutor: e.tutor,
                cost: e.cost,
            };
            *slot += 1;
        }
        Ok(Problem {
            capacities,
            offsets,
            arcs,
        })
    }

    /// Number of students.
    pub fn students(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of tutors.
    pub fn tutors(&self) -> usize {
        self.capacities.len()
    }

    /// Number of allowed pairings.
    pub fn edges(&self) -> usize {
        self.arcs.len()
    }

    /// Tutors' capacities.
    pub fn capacities(&self) -> &[u32] {
        &self.capacities
    }

    /// The allowed tutors of `student`, with costs.
    pub fn edges_of(&self, student: usize) -> impl Iterator<Item = (u32, i64)> + '_ {
        let range = self.offsets[student] as usize..self.offsets[student + 1] as usize;
        self.arcs[range].iter().map(|a| (a.tutor, a.cost))
    }
}

fn check_cost(cost: i64) -> Result<(), AllocationError> {
    if cost.abs() > MAX_ABS_COST {
        Err(AllocationError::CostOutOfRange { cost })
    } else {
        Ok(())
    }
}

/// Solves `problem` exactly: every student placed within capacity at minimum total cost, or,
/// with `unplaced_cost`, each student either placed or left unplaced at that cost, whichever
/// makes the total smallest.
pub fn allocate(
    problem: &Problem,
    unplaced_cost: Option<i64>,
) -> Result<Allocation, AllocationError> {
    if let Some(n) = unplaced_cost {
        check_cost(n)?;
    }
    let solution = solver::solve(problem, unplaced_cost);
    let students = problem.students();
    let mut placements = Vec::with_capacity(students);
    let mut unplaced = 0usize;
    let mut total_cost = 0i64;
    for &edge in &solution.edge_of {
        match edge {
            solver::Choice::Edge(e) => {
                let Arc { tutor, cost } = problem.arcs[e as usize];
                total_cost += cost;
                placements.push(Some(Placement { tutor, cost }));
            }
            solver::Choice::Unplaced => {
                unplaced += 1;
                total_cost += unplaced_cost.unwrap_or(0);
                placements.push(None);
            }
        }
    }
    if solution.unplaceable > 0 {
        return Err(AllocationError::Infeasible {
            unplaceable: solution.unplaceable,
            students,
        });
    }
    Ok(Allocation {
        placements,
        unplaced,
        total_cost,
    })
}

#[cfg(test)]
mod tests;
