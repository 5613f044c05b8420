//! Hand edits of a matching and re-matching after a drop-out.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::solve::{assign, build_matching, matched_pair};
use super::{Index, MatchError, MatchedPair, MatchingProblem, PairRef, Side};

/// One hand edit of a set of pairs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PairEdit {
    /// The two mentees exchange their mentors.
    SwapMentors {
        /// One mentee's id.
        mentee_a: String,
        /// The other mentee's id.
        mentee_b: String,
    },
    /// Pair this mentor with this mentee. Their former partners (if any) are paired with each
    /// other; a former partner left alone is freed.
    Assign {
        /// The mentor's id.
        mentor: String,
        /// The mentee's id.
        mentee: String,
    },
}

/// A hand-edited set of pairs with its cost against the optimum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditedMatching {
    /// The pairs, in the order of the mentees in the problem.
    pub pairs: Vec<MatchedPair>,
    /// Sum of the pairs' costs.
    pub total_cost: i64,
    /// The optimum it is compared with.
    pub optimal_cost: i64,
    /// `total_cost − optimal_cost` (never negative when the optimum is current).
    pub change_from_optimal: i64,
    /// Mentors without a mentee.
    pub waitlisted_mentors: Vec<String>,
    /// Mentees without a mentor.
    pub unmatched_mentees: Vec<String>,
}

/// Applies one edit to a set of pairs; refuses to edit someone not in a pair.
pub(crate) fn apply_edit(pairs: &[PairRef], edit: &PairEdit) -> Result<Vec<PairRef>, MatchError> {
    let mut pairs = pairs.to_vec();
    let position_of_mentee =
        |pairs: &[PairRef], id: &str| pairs.iter().position(|p| p.mentee == id);
    match edit {
        PairEdit::SwapMentors { mentee_a, mentee_b } => {
            let a = position_of_mentee(&pairs, mentee_a).ok_or_else(|| MatchError::NotInAPair {
                who: mentee_a.clone(),
            })?;
            let b = position_of_mentee(&pairs, mentee_b).ok_or_else(|| MatchError::NotInAPair {
                who: mentee_b.clone(),
            })?;
            let mentor_a = pairs[a].mentor.clone();
            pairs[a].mentor = std::mem::replace(&mut pairs[b].mentor, mentor_a);
        }
        PairEdit::Assign { mentor, mentee } => {
            let old_mentee = pairs
                .iter()
                .position(|p| &p.mentor == mentor)
                .map(|i| pairs.remove(i));
            let old_mentor = position_of_mentee(&pairs, mentee).map(|i| pairs.remove(i));
            pairs.push(PairRef::new(mentor.clone(), mentee.clone()));
            if let (Some(old_mentee), Some(old_mentor)) = (old_mentee, old_mentor) {
                pairs.push(PairRef::new(old_mentor.mentor, old_mentee.mentee));
            }
        }
    }
    Ok(pairs)
}

/// Checks a hand-made set of pairs against the hard rules and prices it against
/// `optimal_cost` (the total of [`super::solve`]'s result).
///
/// Refused: unknown ids, anyone in two pairs, a forbidden pair, a pinned pair missing, and
/// leaving someone on the side that must be fully matched without a partner.
pub fn evaluate_pairs(
    problem: &MatchingProblem,
    pairs: &[PairRef],
    optimal_cost: i64,
) -> Result<EditedMatching, MatchError> {
    let index = Index::new(problem)?;
    let mut mentee_partner: Vec<Option<usize>> = vec![None; problem.mentees.len()];
    let mut mentor_used = vec![false; problem.mentors.len()];
    for pair in pairs {
        let (m, e) = index.pair(pair)?;
        if std::mem::replace(&mut mentor_used[m], true) {
            return Err(MatchError::InTwoPairs {
                who: problem.mentors[m].label().to_owned(),
            });
        }
        if mentee_partner[e].replace(m).is_some() {
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
    }
    let given: BTreeSet<&PairRef> = pairs.iter().collect();
    if let Some(pin) = problem
        .constraints
        .pinned
        .iter()
        .find(|p| !given.contains(p))
    {
        let (m, e) = index.pair(pin)?;
        return Err(MatchError::PinnedPairChanged {
            mentor: problem.mentors[m].label().to_owned(),
            mentee: problem.mentees[e].label().to_owned(),
        });
    }
    if pairs.len() < problem.mentors.len().min(problem.mentees.len()) {
        let who = if problem.mentees.len() <= problem.mentors.len() {
            let e = mentee_partner
                .iter()
                .position(Option::is_none)
                .unwrap_or_default();
            (Side::Mentee, problem.mentees[e].label())
        } else {
            let m = mentor_used.iter().position(|u| !u).unwrap_or_default();
            (Side::Mentor, problem.mentors[m].label())
        };
        return Err(MatchError::LeftUnmatched {
            side: who.0,
            who: who.1.to_owned(),
        });
    }
    let matching = build_matching(problem, &mentee_partner);
    Ok(EditedMatching {
        change_from_optimal: matching.total_cost - optimal_cost,
        total_cost: matching.total_cost,
        optimal_cost,
        pairs: matching.pairs,
        waitlisted_mentors: matching.waitlisted_mentors,
        unmatched_mentees: matching.unmatched_mentees,
    })
}

/// The outcome of re-matching after drop-outs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rematch {
    /// Every pair after the re-match: the untouched published pairs and the new ones.
    pub pairs: Vec<MatchedPair>,
    /// Published pairs dissolved because a member dropped out.
    pub removed: Vec<PairRef>,
    /// New pairs made from the free pool (each has at least one member who was not in a pair).
    pub added: Vec<MatchedPair>,
    /// Sum of the costs of `pairs`.
    pub total_cost: i64,
    /// Mentors without a mentee afterwards.
    pub waitlisted_mentors: Vec<String>,
    /// Mentees without a mentor afterwards (no free mentor was allowed for them).
    pub unmatched_mentees: Vec<String>,
}

/// Re-matches after participants drop out, without touching any other published pair.
///
/// The pairs of the dropped participants are dissolved. Everyone not in a remaining pair and
/// not dropped (partners left alone, waitlisted mentors, mentees without a mentor) forms the
/// free pool, which is matched at minimum cost, as many pairs as the hard rules allow. A
/// partner for whom no free participant is allowed stays unmatched (and is listed) rather
/// than making the re-match fail. Published pairs are taken as they are, even if the rules
/// changed since.
pub fn rematch_after_dropout(
    problem: &MatchingProblem,
    published: &[PairRef],
    dropped: &[String],
) -> Result<Rematch, MatchError> {
    let index = Index::new(problem)?;
    let dropped: BTreeSet<&str> = dropped.iter().map(String::as_str).collect();
    for id in &dropped {
        if !index.mentor.contains_key(id) && !index.mentee.contains_key(id) {
            return Err(MatchError::UnknownDropout {
                id: (*id).to_owned(),
            });
        }
    }
    let mut mentee_partner: Vec<Option<usize>> = vec![None; problem.mentees.len()];
    let mut mentor_used = vec![false; problem.mentors.len()];
    let mut removed = Vec::new();
    for pair in published {
        let (m, e) = index.pair(pair)?;
        if dropped.contains(pair.mentor.as_str()) || dropped.contains(pair.mentee.as_str()) {
            removed.push(pair.clone());
            continue;
        }
        if std::mem::replace(&mut mentor_used[m], true) {
            return Err(MatchError::InTwoPairs {
                who: problem.mentors[m].label().to_owned(),
            });
        }
        if mentee_partner[e].replace(m).is_some() {
            return Err(MatchError::InTwoPairs {
                who: problem.mentees[e].label().to_owned(),
            });
        }
    }

    let free_mentors: Vec<usize> = (0..problem.mentors.len())
        .filter(|&m| !mentor_used[m] && !dropped.contains(problem.mentors[m].id.as_str()))
        .collect();
    let free_mentees: Vec<usize> = (0..problem.mentees.len())
        .filter(|&e| {
            mentee_partner[e].is_none() && !dropped.contains(problem.mentees[e].id.as_str())
        })
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
    let mut added = Vec::new();
    for (row, c) in assign(&costs, free_mentors.len()).into_iter().enumerate() {
        if let Some(c) = c {
            let (m, e) = (free_mentors[c], free_mentees[row]);
            mentee_partner[e] = Some(m);
            added.push(matched_pair(problem, m, e));
        }
    }

    let mut matching = build_matching(problem, &mentee_partner);
    matching
        .waitlisted_mentors
        .retain(|id| !dropped.contains(id.as_str()));
    matching
        .unmatched_mentees
        .retain(|id| !dropped.contains(id.as_str()));
    Ok(Rematch {
        total_cost: matching.total_cost,
        pairs: matching.pairs,
        removed,
        added,
        waitlisted_mentors: matching.waitlisted_mentors,
        unmatched_mentees: matching.unmatched_mentees,
    })
}
