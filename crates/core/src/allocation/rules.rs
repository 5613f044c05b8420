//! Turning a School's tutoring rules (SPEC §3.10) into the edges and capacities the solver
//! takes: which tutors a student may have, and what each pairing costs.
//!
//! The solver minimises a sum, so each rule is a penalty, and the penalties are ordered so that
//! a stronger rule always outweighs every weaker one added up: keeping last year's tutor beats
//! any amount of School fit and preference, and so on. Load balance is kept by capacities
//! ([`balanced_capacity`]): the solver never exceeds them.

/// What is known about one possible student–tutor pairing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Candidate {
    /// The tutor belongs to the student's own School.
    pub own_school: bool,
    /// The tutor was the student's tutor last year.
    pub last_years_tutor: bool,
    /// The student had a tutor last year and their School requires multi-year continuity.
    pub continuity_required: bool,
    /// The student asked for this tutor (preferences are optional: where none were asked
    /// for, mark every candidate alike and the penalty changes nothing).
    pub preferred: bool,
}

/// Weights of the rules. The defaults keep the order: continuity, then own School, then
/// preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostRules {
    /// Whether tutors outside the student's School are allowed at all.
    pub allow_other_schools: bool,
    /// Penalty for not keeping last year's tutor (when the student had one).
    pub change_of_tutor: i64,
    /// Penalty for a tutor from another School.
    pub other_school: i64,
    /// Penalty for a tutor the student did not prefer.
    pub not_preferred: i64,
}

impl Default for CostRules {
    fn default() -> Self {
        CostRules {
            allow_other_schools: false,
            change_of_tutor: 10_000,
            other_school: 100,
            not_preferred: 1,
        }
    }
}

/// The cost of a pairing under `rules`, or `None` when the rules forbid it: another School
/// when that is not allowed, or anyone but last year's tutor when the School requires
/// continuity. `had_tutor_last_year` says whether "not last year's tutor" is a change at all.
pub fn pairing_cost(
    rules: &CostRules,
    candidate: Candidate,
    had_tutor_last_year: bool,
) -> Option<i64> {
    if !candidate.own_school && !rules.allow_other_schools {
        return None;
    }
    if candidate.continuity_required && !candidate.last_years_tutor {
        return None;
    }
    let mut cost = 0;
    if had_tutor_last_year && !candidate.last_years_tutor {
        cost += rules.change_of_tutor;
    }
    if !candidate.own_school {
        cost += rules.other_school;
    }
    if !candidate.preferred {
        cost += rules.not_preferred;
    }
    Some(cost)
}

/// A capacity that spreads `students` evenly over `tutors`, with `slack` extra places each
/// so the solver can still honour continuity and preferences: ⌈students / tutors⌉ + slack.
pub fn balanced_capacity(students: usize, tutors: usize, slack: u32) -> u32 {
    if tutors == 0 {
        return 0;
    }
    let even = students.div_ceil(tutors);
    u32::try_from(even)
        .unwrap_or(u32::MAX)
        .saturating_add(slack)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeping_last_years_tutor_outweighs_school_and_preference() {
        let rules = CostRules {
            allow_other_schools: true,
            ..CostRules::default()
        };
        let kept = Candidate {
            last_years_tutor: true,
            ..Candidate::default()
        };
        let best_otherwise = Candidate {
            own_school: true,
            preferred: true,
            ..Candidate::default()
        };
        assert!(pairing_cost(&rules, kept, true) < pairing_cost(&rules, best_otherwise, true));
    }

    #[test]
    fn own_school_outweighs_preference() {
        let rules = CostRules {
            allow_other_schools: true,
            ..CostRules::default()
        };
        let own = Candidate {
            own_school: true,
            ..Candidate::default()
        };
        let preferred_elsewhere = Candidate {
            preferred: true,
            ..Candidate::default()
        };
        assert!(
            pairing_cost(&rules, own, false) < pairing_cost(&rules, preferred_elsewhere, false)
        );
    }

    #[test]
    fn forbidden_pairings_have_no_cost() {
        let rules = CostRules::default();
        let elsewhere = Candidate::default();
        assert_eq!(pairing_cost(&rules, elsewhere, false), None);
        let new_tutor_under_continuity = Candidate {
            own_school: true,
            continuity_required: true,
            ..Candidate::default()
        };
        assert_eq!(pairing_cost(&rules, new_tutor_under_continuity, true), None);
    }

    #[test]
    fn balanced_capacity_rounds_up_and_adds_slack() {
        assert_eq!(balanced_capacity(101, 10, 2), 13);
        assert_eq!(balanced_capacity(100, 10, 0), 10);
        assert_eq!(balanced_capacity(5, 0, 3), 0);
    }
}
