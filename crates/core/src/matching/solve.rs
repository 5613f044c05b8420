//! The exact assignment (Kuhn–Munkres) and the explanation of infeasibility.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use pathfinding::prelude::{Matrix, kuhn_munkres_min};

use super::cost::join_words;
use super::{Index, MatchError, MatchedPair, Matching, MatchingProblem, PairRef, Side};

/// Minimum-cost assignment of rows to columns that first matches as many rows as possible.
///
/// `costs[r][c]` is `None` for a forbidden pair. Each row also gets a private "unmatched"
/// column whose cost `unmatched` exceeds any sum of real costs, so leaving one more row
/// unmatched never pays; forbidden pairs carry a sentinel above the cost of leaving every row
/// unmatched, so the optimum never contains one. The result is checked again afterwards: a
/// forbidden pair would be reported as unmatched, never returned.
pub(crate) fn assign(costs: &[Vec<Option<i64>>], columns: usize) -> Vec<Option<usize>> {
    let rows = costs.len();
    if rows == 0 || columns == 0 {
        return vec![None; rows];
    }
    let rows_i = i64::try_from(rows).unwrap_or(i64::MAX);
    let max_cost = costs
        .iter()
        .flatten()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(0);
    let unmatched = (max_cost + 1) * rows_i + 1;
    let forbidden = unmatched * (rows_i + 1) + 1;
    let matrix = Matrix::from_fn(rows, columns + rows, |(r, c)| {
        if c < columns {
            costs[r][c].unwrap_or(forbidden)
        } else if c - columns == r {
            unmatched
        } else {
            forbidden
        }
    });
    let (_, chosen) = kuhn_munkres_min(&matrix);
    chosen
        .into_iter()
        .enumerate()
        .map(|(r, c)| (c < columns && costs[r][c].is_some()).then_some(c))
        .collect()
}

/// Finds the matching of minimum total cost (see the module documentation for the rules).
pub fn solve(problem: &MatchingProblem) -> Result<Matching, MatchError> {
    let index = Index::new(problem)?;
    let mut mentor_taken = vec![false; problem.mentors.len()];
    let mut mentee_partner: Vec<Option<usize>> = vec![None; problem.mentees.len()];
    let mut pinned = BTreeSet::new();
    for pin in &problem.constraints.pinned {
        let (m, e) = index.pair(pin)?;
        if mentor_taken[m] {
            return Err(MatchError::InTwoPairs {
                who: problem.mentors[m].label().to_owned(),
            });
        }
        if mentee_partner[e].is_some() {
            return Err(MatchError::InTwoPairs {
                who: problem.mentees[e].label().to_owned(),
            });
        }
        if let Some(reason) = problem.forbidden(m, e).first() {
            return Err(MatchError::PairNotAllowed {
                mentor: problem.mentors[m].label().to_owned(),
                mentee: problem.mentees[e].label().to_owned(),
                reason: reason.describe(),
            });
        }
        mentor_taken[m] = true;
        mentee_partner[e] = Some(m);
        pinned.insert((m, e));
    }

    let free_mentors: Vec<usize> = (0..problem.mentors.len())
        .filter(|&m| !mentor_taken[m])
        .collect();
    let free_mentees: Vec<usize> = (0..problem.mentees.len())
        .filter(|&e| mentee_partner[e].is_none())
        .collect();
    let costs: Vec<Vec<Option<i64>>> = free_mentees
        .iter()
        .map(|&e| {
            free_mentors
                .iter()
                .map(|&m| problem.allowed_cost(m, e))
                .collect()
        })
        .collect();
    let chosen = assign(&costs, free_mentors.len());
    let matched = chosen.iter().flatten().count();
    if matched < free_mentees.len().min(free_mentors.len()) {
        return Err(explain_infeasible(problem, &free_mentors, &free_mentees));
    }
    for (row, c) in chosen.iter().enumerate() {
        if let Some(c) = c {
            mentor_taken[free_mentors[*c]] = true;
            mentee_partner[free_mentees[row]] = Some(free_mentors[*c]);
        }
    }
    Ok(build_matching(problem, &mentee_partner))
}

/// Assembles a [`Matching`] from each mentee's mentor (by index).
pub(crate) fn build_matching(
    problem: &MatchingProblem,
    mentee_partner: &[Option<usize>],
) -> Matching {
    let mut pairs = Vec::new();
    let mut taken = vec![false; problem.mentors.len()];
    let mut unmatched_mentees = Vec::new();
    for (e, partner) in mentee_partner.iter().enumerate() {
        match partner {
            Some(m) => {
                taken[*m] = true;
                pairs.push(matched_pair(problem, *m, e));
            }
            None => unmatched_mentees.push(problem.mentees[e].id.clone()),
        }
    }
    let waitlisted_mentors = problem
        .mentors
        .iter()
        .zip(&taken)
        .filter(|(_, t)| !**t)
        .map(|(p, _)| p.id.clone())
        .collect();
    Matching {
        total_cost: pairs.iter().map(|p| p.cost.total).sum(),
        pairs,
        waitlisted_mentors,
        unmatched_mentees,
    }
}

/// The pair mentor `m`–mentee `e` with its cost and explanation.
pub(crate) fn matched_pair(problem: &MatchingProblem, m: usize, e: usize) -> MatchedPair {
    let key = PairRef::new(problem.mentors[m].id.clone(), problem.mentees[e].id.clone());
    MatchedPair {
        pinned: problem.constraints.pinned.contains(&key),
        mentor: key.mentor,
        mentee: key.mentee,
        cost: problem.cost(m, e),
        explanation: problem.explain(m, e),
    }
}

/// Says why the free participants on the smaller side cannot all be matched: one of them has
/// no allowed partner, or (Hall's condition) a group of k has fewer than k allowed partners.
pub(crate) fn explain_infeasible(
    problem: &MatchingProblem,
    free_mentors: &[usize],
    free_mentees: &[usize],
) -> MatchError {
    // The side that must be fully matched, as (side, its members, the other side's members).
    let (side, group_side, partner_side) = if free_mentees.len() <= free_mentors.len() {
        (Side::Mentee, free_mentees, free_mentors)
    } else {
        (Side::Mentor, free_mentors, free_mentees)
    };
    let allowed = |a: usize, b: usize| match side {
        Side::Mentee => problem.forbidden(b, a).is_empty(),
        Side::Mentor => problem.forbidden(a, b).is_empty(),
    };
    let label = |s: Side, i: usize| match s {
        Side::Mentor => problem.mentors[i].label().to_owned(),
        Side::Mentee => problem.mentees[i].label().to_owned(),
    };

    for &a in group_side {
        if !partner_side.iter().any(|&b| allowed(a, b)) {
            return MatchError::NoAllowedPartner {
                side,
                who: label(side, a),
                why: why_no_partner(problem, side, a, partner_side),
            };
        }
    }

    // Maximum matching by augmenting paths, from the side that must be fully matched.
    let adjacency: Vec<Vec<usize>> = group_side
        .iter()
        .map(|&a| {
            (0..partner_side.len())
                .filter(|&j| allowed(a, partner_side[j]))
                .collect()
        })
        .collect();
    let mut partner_of: Vec<Option<usize>> = vec![None; partner_side.len()];
    let mut exposed = None;
    for i in 0..group_side.len() {
        let mut visited = vec![false; partner_side.len()];
        if !augment(i, &adjacency, &mut partner_of, &mut visited) && exposed.is_none() {
            exposed = Some(i);
        }
    }
    let Some(start) = exposed else {
        // The assignment found fewer pairs than a maximum matching: cannot happen, but say so
        // rather than invent a reason.
        return MatchError::TooFewPartners {
            side,
            group: Vec::new(),
            allowed: Vec::new(),
        };
    };

    // Everyone reachable from the exposed participant by alternating paths forms a group whose
    // allowed partners are all matched inside the group, so there is one partner too few.
    let mut group = BTreeSet::from([start]);
    let mut partners = BTreeSet::new();
    let mut queue = VecDeque::from([start]);
    let owner: BTreeMap<usize, usize> = partner_of
        .iter()
        .enumerate()
        .filter_map(|(j, i)| i.map(|i| (j, i)))
        .collect();
    while let Some(i) = queue.pop_front() {
        for &j in &adjacency[i] {
            if !partners.insert(j) {
                continue;
            }
            let Some(&next) = owner.get(&j) else {
                continue;
            };
            if group.insert(next) {
                queue.push_back(next);
            }
        }
    }
    MatchError::TooFewPartners {
        side,
        group: group.iter().map(|&i| label(side, group_side[i])).collect(),
        allowed: partners
            .iter()
            .map(|&j| label(side.other(), partner_side[j]))
            .collect(),
    }
}

/// Kuhn's augmenting path step: tries to match `i`, re-matching others along the way.
fn augment(
    i: usize,
    adjacency: &[Vec<usize>],
    partner_of: &mut [Option<usize>],
    visited: &mut [bool],
) -> bool {
    for &j in &adjacency[i] {
        if visited[j] {
            continue;
        }
        visited[j] = true;
        let free = match partner_of[j] {
            None => true,
            Some(k) => augment(k, adjacency, partner_of, visited),
        };
        if free {
            partner_of[j] = Some(i);
            return true;
        }
    }
    false
}

/// Why participant `a` on `side` has no allowed partner, over every candidate of the other side.
fn why_no_partner(
    problem: &MatchingProblem,
    side: Side,
    a: usize,
    free_partners: &[usize],
) -> String {
    let other = side.other();
    let candidates = match other {
        Side::Mentor => problem.mentors.len(),
        Side::Mentee => problem.mentees.len(),
    };
    if candidates == 0 {
        return format!("there are no {}", other.plural());
    }
    // Group candidates by the first rule that rules them out.
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    for b in 0..candidates {
        let reason = if !free_partners.contains(&b) {
            format!("pinned to another {}", side.noun())
        } else {
            let (m, e) = match side {
                Side::Mentee => (b, a),
                Side::Mentor => (a, b),
            };
            match problem.forbidden(m, e).first() {
                Some(r) => r.describe_for_many(),
                None => continue,
            }
        };
        *by_reason.entry(reason).or_default() += 1;
    }
    if by_reason.len() == 1 {
        let (reason, n) = by_reason.into_iter().next().unwrap_or_default();
        let every = if n == 1 {
            format!("the only {} is", other.noun())
        } else {
            format!("every {} is", other.noun())
        };
        return format!("{every} {reason}");
    }
    let mut parts: Vec<(usize, String)> = by_reason.into_iter().map(|(r, n)| (n, r)).collect();
    parts.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
    let parts: Vec<String> = parts
        .into_iter()
        .map(|(n, r)| format!("{n} {} {r}", if n == 1 { "is" } else { "are" }))
        .collect();
    format!(
        "of the {candidates} {}, {}",
        other.plural(),
        join_words(&parts)
    )
}
