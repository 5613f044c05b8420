//! Optimal reverse-mentoring matching (SPEC §3.3): students are mentors, staff leaders are
//! mentees.
//!
//! The coordinator supplies the accepted [`Participant`]s on both sides, [`MatchWeights`] and
//! [`MatchConstraints`]; [`solve`] returns the [`Matching`] of minimum total cost, with a
//! plain-words [`PairExplanation`] for every pair, or a [`MatchError`] that names the
//! constraint making the problem impossible.
//!
//! # Cost of a pair (lower is better)
//! Each component is a mismatch on a 0–100 scale, multiplied by its weight:
//! * interests: `100 − 100·|shared| / |union|` (100 when neither side gave interests);
//! * availability: `100 − 100·|shared slots| / |smaller availability|` (100 when either side
//!   gave none), so a pair whose every slot of the busier person is shared costs nothing;
//! * preferences: 50 for each side whose stated preferred Schools do not include the other's
//!   School (a side that states no preference costs nothing).
//!
//! # Hard constraints
//! A pair is *forbidden* when mentor and mentee share a School (line of assessment) unless the
//! coordinator allows same-School pairs globally or for that pair, when the pair is on the
//! do-not-pair list, or — if the coordinator asks for it — when they share no weekly slot.
//! Pinned pairs are kept as they are; they must themselves be allowed.
//!
//! # Rectangular problems
//! Every participant on the smaller side gets a partner (with equal sides, everyone does):
//! * more mentors than mentees: every mentee is matched; the mentors left over are
//!   [`Matching::waitlisted_mentors`], kept for drop-outs;
//! * more mentees than mentors: every mentor is matched; the leaders left over are
//!   [`Matching::unmatched_mentees`], for the coordinator to recruit more students for.
//!
//! When the smaller side cannot be fully matched, the problem is infeasible and the error
//! says why: a participant with no allowed partner at all (and why each candidate is ruled
//! out), or a group of k participants who together have fewer than k allowed partners
//! (Hall's condition), found from a maximum matching.
//!
//! Editing by hand ([`Matching::edit`], [`evaluate_pairs`]) reports the cost of the edit
//! against the optimum and refuses edits that break a hard constraint; [`rematch_after_dropout`]
//! re-matches only the partners of a drop-out from the free pool, leaving every other pair as
//! published.

mod cost;
mod edit;
mod levels;
mod solve;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

pub(crate) use cost::join_words;
pub use cost::{CostBreakdown, ForbiddenReason, PairAssessment, PairExplanation};
pub use edit::{EditedMatching, PairEdit, Rematch, evaluate_pairs, rematch_after_dropout};
pub use levels::{WeightLevel, cost_in_words};
pub use solve::solve;

/// The largest weight a coordinator may set; keeps every cost sum far inside `i64`.
pub const MAX_WEIGHT: u32 = 1000;

/// A day of the week, for weekly availability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl Weekday {
    /// The English name, e.g. "Tuesday".
    pub fn name(self) -> &'static str {
        match self {
            Self::Monday => "Monday",
            Self::Tuesday => "Tuesday",
            Self::Wednesday => "Wednesday",
            Self::Thursday => "Thursday",
            Self::Friday => "Friday",
            Self::Saturday => "Saturday",
            Self::Sunday => "Sunday",
        }
    }
}

/// A part of the day, for weekly availability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartOfDay {
    /// Before lunch.
    Morning,
    /// After lunch.
    Afternoon,
    /// After the working day.
    Evening,
}

impl PartOfDay {
    /// The plural used in sentences, e.g. "afternoons".
    pub fn plural(self) -> &'static str {
        match self {
            Self::Morning => "mornings",
            Self::Afternoon => "afternoons",
            Self::Evening => "evenings",
        }
    }
}

/// One recurring weekly slot in which a participant can meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Slot {
    /// The weekday.
    pub day: Weekday,
    /// The part of that day.
    pub part: PartOfDay,
}

impl Slot {
    /// A slot on `day` in `part` of the day.
    pub fn new(day: Weekday, part: PartOfDay) -> Self {
        Self { day, part }
    }
}

impl fmt::Display for Slot {
    /// "Tuesday afternoons".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.day.name(), self.part.plural())
    }
}

/// Which side of a pair a participant is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// A student mentor.
    Mentor,
    /// A staff leader being mentored.
    Mentee,
}

impl Side {
    /// "mentor" or "mentee".
    pub fn noun(self) -> &'static str {
        match self {
            Self::Mentor => "mentor",
            Self::Mentee => "mentee",
        }
    }

    /// The plural noun, "mentors" or "mentees".
    pub fn plural(self) -> &'static str {
        match self {
            Self::Mentor => "mentors",
            Self::Mentee => "mentees",
        }
    }

    /// The other side.
    pub fn other(self) -> Self {
        match self {
            Self::Mentor => Self::Mentee,
            Self::Mentee => Self::Mentor,
        }
    }
}

/// An accepted mentor or mentee as the matcher sees them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Participant {
    /// Identifier, unique across mentors *and* mentees of one problem.
    pub id: String,
    /// How messages and explanations name this person (the id when empty).
    pub name: String,
    /// School or line of assessment (same-School pairs are a conflict of interest).
    pub school: String,
    /// Interest tags, e.g. "climate", "music".
    pub interests: BTreeSet<String>,
    /// Weekly slots in which this person can meet.
    pub availability: BTreeSet<Slot>,
    /// Schools this person would like their partner to come from (empty: no preference).
    pub preferred_schools: BTreeSet<String>,
}

impl Participant {
    /// The name used in messages: `name`, or the id when no name was given.
    pub fn label(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }
}

/// How much each component of the cost counts (each 0..=[`MAX_WEIGHT`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchWeights {
    /// Weight of interest mismatch.
    pub interests: u32,
    /// Weight of availability mismatch.
    pub availability: u32,
    /// Weight of unmet stated preferences.
    pub preferences: u32,
}

impl Default for MatchWeights {
    fn default() -> Self {
        Self {
            interests: 2,
            availability: 2,
            preferences: 1,
        }
    }
}

/// A (mentor, mentee) pair named by ids.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PairRef {
    /// The mentor's id.
    pub mentor: String,
    /// The mentee's id.
    pub mentee: String,
}

impl PairRef {
    /// The pair `mentor`–`mentee`.
    pub fn new(mentor: impl Into<String>, mentee: impl Into<String>) -> Self {
        Self {
            mentor: mentor.into(),
            mentee: mentee.into(),
        }
    }
}

/// The coordinator's hard rules.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MatchConstraints {
    /// Allow pairs inside one School for everyone.
    pub allow_same_school: bool,
    /// Same-School pairs the coordinator allows one by one.
    pub same_school_allowed: BTreeSet<PairRef>,
    /// Pairs that must never be made.
    pub do_not_pair: BTreeSet<PairRef>,
    /// Pairs fixed by the coordinator; the rest is optimised around them.
    pub pinned: BTreeSet<PairRef>,
    /// Forbid pairs with no weekly slot in common.
    pub require_common_availability: bool,
}

/// Everything the matcher needs for one cycle.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MatchingProblem {
    /// Accepted student mentors.
    pub mentors: Vec<Participant>,
    /// Staff leaders to be mentored.
    pub mentees: Vec<Participant>,
    /// The coordinator's weights.
    pub weights: MatchWeights,
    /// The coordinator's hard rules.
    pub constraints: MatchConstraints,
}

/// One pair of a matching, with its cost and explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedPair {
    /// The mentor's id.
    pub mentor: String,
    /// The mentee's id.
    pub mentee: String,
    /// Cost of this pair and its parts.
    pub cost: CostBreakdown,
    /// Whether the coordinator pinned this pair.
    pub pinned: bool,
    /// Why this pair fits, in words.
    pub explanation: PairExplanation,
}

impl MatchedPair {
    /// The pair's ids.
    pub fn pair_ref(&self) -> PairRef {
        PairRef::new(self.mentor.clone(), self.mentee.clone())
    }
}

/// An optimal matching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matching {
    /// The pairs, in the order of the mentees in the problem.
    pub pairs: Vec<MatchedPair>,
    /// Sum of the pairs' costs (pinned pairs included).
    pub total_cost: i64,
    /// Mentors without a mentee (kept for drop-outs), in problem order.
    pub waitlisted_mentors: Vec<String>,
    /// Mentees without a mentor (only when there are more mentees than mentors).
    pub unmatched_mentees: Vec<String>,
}

impl Matching {
    /// The pairs' ids.
    pub fn pair_refs(&self) -> Vec<PairRef> {
        self.pairs.iter().map(MatchedPair::pair_ref).collect()
    }

    /// Applies hand edits in order to this (optimal) matching and reports the cost of the
    /// result against it; an edit that breaks a hard rule is refused with a clear message.
    pub fn edit(
        &self,
        problem: &MatchingProblem,
        edits: &[PairEdit],
    ) -> Result<EditedMatching, MatchError> {
        let mut pairs = self.pair_refs();
        for e in edits {
            pairs = edit::apply_edit(&pairs, e)?;
        }
        evaluate_pairs(problem, &pairs, self.total_cost)
    }
}

/// Why a matching cannot be made or an edit is refused; `Display` is the message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MatchError {
    /// Two participants share an id.
    #[error("the id {id} is used by more than one participant")]
    DuplicateId {
        /// The repeated id.
        id: String,
    },
    /// A rule or pair names someone who is not in the problem.
    #[error("no {side} has the id {id}", side = .side.noun())]
    UnknownParticipant {
        /// The side on which the id was looked for.
        side: Side,
        /// The unknown id.
        id: String,
    },
    /// A drop-out names someone who is not in the problem.
    #[error("no mentor or mentee has the id {id}")]
    UnknownDropout {
        /// The unknown id.
        id: String,
    },
    /// A weight above [`MAX_WEIGHT`].
    #[error("the {which} weight is {value}; weights go from 0 to {max}", max = MAX_WEIGHT)]
    WeightTooLarge {
        /// Which weight.
        which: String,
        /// The value given.
        value: u32,
    },
    /// Someone appears in two pins or two pairs.
    #[error("{who} appears in more than one pair")]
    InTwoPairs {
        /// Label of the person.
        who: String,
    },
    /// A pinned or hand-made pair breaks a hard rule.
    #[error("{mentor} and {mentee} cannot be paired: {reason}")]
    PairNotAllowed {
        /// Label of the mentor.
        mentor: String,
        /// Label of the mentee.
        mentee: String,
        /// The rule broken, in words.
        reason: String,
    },
    /// Someone on the side that must be fully matched has no allowed partner at all.
    #[error("{side} {who} has no allowed {other}: {why}", side = .side.noun(), other = .side.other().noun())]
    NoAllowedPartner {
        /// The side of the person who cannot be matched.
        side: Side,
        /// Their label.
        who: String,
        /// Why every candidate is ruled out.
        why: String,
    },
    /// k people on the side that must be fully matched have fewer than k allowed partners.
    #[error(
        "these {k} {group_side} together have only {m} allowed {other} ({allowed}), so at least one of them cannot be matched: {members}",
        k = .group.len(), group_side = .side.plural(), m = .allowed.len(),
        other = .side.other().plural(), allowed = .allowed.join(", "), members = .group.join(", ")
    )]
    TooFewPartners {
        /// The side of the group.
        side: Side,
        /// Labels of the group.
        group: Vec<String>,
        /// Labels of every partner allowed for anyone in the group.
        allowed: Vec<String>,
    },
    /// An edit removed a pinned pair.
    #[error("the pair {mentor}–{mentee} is pinned by the coordinator; unpin it before editing it")]
    PinnedPairChanged {
        /// Label of the mentor.
        mentor: String,
        /// Label of the mentee.
        mentee: String,
    },
    /// An edit leaves someone on the fully matched side without a partner.
    #[error("{side} {who} is left without a {other}; every {side} must have one", side = .side.noun(), other = .side.other().noun())]
    LeftUnmatched {
        /// The side of the person.
        side: Side,
        /// Their label.
        who: String,
    },
    /// An edit names a mentee who is not in any pair.
    #[error("{who} is not in any pair")]
    NotInAPair {
        /// Label (or id) of the person.
        who: String,
    },
}

/// Indexes of a problem's participants, built once per call.
pub(crate) struct Index<'a> {
    pub(crate) mentor: BTreeMap<&'a str, usize>,
    pub(crate) mentee: BTreeMap<&'a str, usize>,
}

impl<'a> Index<'a> {
    /// Checks ids and weights and indexes the participants.
    pub(crate) fn new(problem: &'a MatchingProblem) -> Result<Self, MatchError> {
        let w = problem.weights;
        for (which, value) in [
            ("interests", w.interests),
            ("availability", w.availability),
            ("preferences", w.preferences),
        ] {
            if value > MAX_WEIGHT {
                return Err(MatchError::WeightTooLarge {
                    which: which.to_owned(),
                    value,
                });
            }
        }
        let mut seen = BTreeSet::new();
        for p in problem.mentors.iter().chain(&problem.mentees) {
            if !seen.insert(p.id.as_str()) {
                return Err(MatchError::DuplicateId { id: p.id.clone() });
            }
        }
        let index = Self {
            mentor: problem
                .mentors
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.as_str(), i))
                .collect(),
            mentee: problem
                .mentees
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.as_str(), i))
                .collect(),
        };
        let c = &problem.constraints;
        for pair in c
            .same_school_allowed
            .iter()
            .chain(&c.do_not_pair)
            .chain(&c.pinned)
        {
            index.pair(pair)?;
        }
        Ok(index)
    }

    /// The mentor's index.
    pub(crate) fn mentor(&self, id: &str) -> Result<usize, MatchError> {
        self.mentor
            .get(id)
            .copied()
            .ok_or_else(|| MatchError::UnknownParticipant {
                side: Side::Mentor,
                id: id.to_owned(),
            })
    }

    /// The mentee's index.
    pub(crate) fn mentee(&self, id: &str) -> Result<usize, MatchError> {
        self.mentee
            .get(id)
            .copied()
            .ok_or_else(|| MatchError::UnknownParticipant {
                side: Side::Mentee,
                id: id.to_owned(),
            })
    }

    /// (mentor index, mentee index) of a pair.
    pub(crate) fn pair(&self, pair: &PairRef) -> Result<(usize, usize), MatchError> {
        Ok((self.mentor(&pair.mentor)?, self.mentee(&pair.mentee)?))
    }
}
