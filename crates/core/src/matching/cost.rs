//! The cost of one (mentor, mentee) pair, the hard rules that forbid a pair, and the words
//! that explain a pair.

use serde::{Deserialize, Serialize};

use super::{MatchingProblem, PairRef, Participant, Slot};

/// Mismatch scale of each cost component: 0 (perfect) to 100 (nothing in common).
pub(crate) const SCALE: i64 = 100;

/// A pair's cost and its parts (each already multiplied by its weight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CostBreakdown {
    /// Interest mismatch × weight.
    pub interests: i64,
    /// Availability mismatch × weight.
    pub availability: i64,
    /// Unmet preferences × weight.
    pub preferences: i64,
    /// The sum of the three.
    pub total: i64,
}

/// A hard rule that rules a pair out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ForbiddenReason {
    /// Both are in this School and the coordinator has not allowed it.
    SameSchool {
        /// The shared School.
        school: String,
    },
    /// The coordinator said never to pair these two.
    DoNotPair,
    /// They share no weekly slot and the coordinator requires one.
    NoCommonAvailability,
}

impl ForbiddenReason {
    /// The rule in words, e.g. "they are in the same School (Law) and same-School pairing is
    /// not allowed".
    pub fn describe(&self) -> String {
        match self {
            Self::SameSchool { school } => format!(
                "they are in the same School ({school}) and same-School pairing is not allowed"
            ),
            Self::DoNotPair => "the coordinator marked them as not to be paired".to_owned(),
            Self::NoCommonAvailability => {
                "they share no weekly slot and a common slot is required".to_owned()
            }
        }
    }

    /// The rule as said of many candidates at once, e.g. "in the same School (Law) and
    /// same-School pairing is not allowed".
    pub(crate) fn describe_for_many(&self) -> String {
        match self {
            Self::SameSchool { school } => {
                format!("in the same School ({school}) and same-School pairing is not allowed")
            }
            Self::DoNotPair => "marked by the coordinator as not to be paired".to_owned(),
            Self::NoCommonAvailability => {
                "without a weekly slot in common, which is required".to_owned()
            }
        }
    }
}

/// Why a pair fits (or does not), in parts and as one sentence.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PairExplanation {
    /// Interests both hold.
    pub shared_interests: Vec<String>,
    /// Weekly slots both can make.
    pub shared_slots: Vec<Slot>,
    /// Stated preferences this pair meets, in words.
    pub preferences_met: Vec<String>,
    /// Stated preferences this pair does not meet, in words.
    pub preferences_unmet: Vec<String>,
    /// Coordinator decisions that apply (pinned, same School allowed).
    pub notes: Vec<String>,
    /// Everything above as one sentence, e.g. "shared interest in climate and music; both
    /// available Tuesday afternoons; mentor asked for a leader in Engineering".
    pub summary: String,
}

/// A pair's cost, explanation and, if it is forbidden, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairAssessment {
    /// The pair.
    pub pair: PairRef,
    /// Its cost.
    pub cost: CostBreakdown,
    /// The hard rules it breaks (empty when allowed).
    pub forbidden: Vec<ForbiddenReason>,
    /// Why it fits, in words.
    pub explanation: PairExplanation,
}

impl PairAssessment {
    /// Whether the pair breaks no hard rule.
    pub fn is_allowed(&self) -> bool {
        self.forbidden.is_empty()
    }
}

/// "a", "a and b", "a, b and c".
pub(crate) fn join_words<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

/// `round(100 · part / whole)` without floating point.
fn percent(part: usize, whole: usize) -> i64 {
    let (part, whole) = (part as i64, whole as i64);
    (SCALE * part + whole / 2) / whole
}

impl MatchingProblem {
    /// The hard rules that forbid pairing mentor `m` with mentee `e` (by index).
    pub(crate) fn forbidden(&self, m: usize, e: usize) -> Vec<ForbiddenReason> {
        let (mentor, mentee) = (&self.mentors[m], &self.mentees[e]);
        let c = &self.constraints;
        let key = PairRef::new(mentor.id.clone(), mentee.id.clone());
        let mut reasons = Vec::new();
        if mentor.school == mentee.school
            && !c.allow_same_school
            && !c.same_school_allowed.contains(&key)
        {
            reasons.push(ForbiddenReason::SameSchool {
                school: mentor.school.clone(),
            });
        }
        if c.do_not_pair.contains(&key) {
            reasons.push(ForbiddenReason::DoNotPair);
        }
        if c.require_common_availability
            && mentor
                .availability
                .intersection(&mentee.availability)
                .next()
                .is_none()
        {
            reasons.push(ForbiddenReason::NoCommonAvailability);
        }
        reasons
    }

    /// The cost of pairing mentor `m` with mentee `e` (by index), ignoring hard rules.
    pub(crate) fn cost(&self, m: usize, e: usize) -> CostBreakdown {
        let (mentor, mentee) = (&self.mentors[m], &self.mentees[e]);
        let w = self.weights;

        let shared = mentor.interests.intersection(&mentee.interests).count();
        let union = mentor.interests.union(&mentee.interests).count();
        let interest_mismatch = if union == 0 {
            SCALE
        } else {
            SCALE - percent(shared, union)
        };

        let common = mentor
            .availability
            .intersection(&mentee.availability)
            .count();
        let smaller = mentor.availability.len().min(mentee.availability.len());
        let availability_mismatch = if smaller == 0 {
            SCALE
        } else {
            SCALE - percent(common, smaller)
        };

        let unmet = |who: &Participant, other: &Participant| {
            !who.preferred_schools.is_empty() && !who.preferred_schools.contains(&other.school)
        };
        let preference_mismatch =
            (SCALE / 2) * (i64::from(unmet(mentor, mentee)) + i64::from(unmet(mentee, mentor)));

        let interests = i64::from(w.interests) * interest_mismatch;
        let availability = i64::from(w.availability) * availability_mismatch;
        let preferences = i64::from(w.preferences) * preference_mismatch;
        CostBreakdown {
            interests,
            availability,
            preferences,
            total: interests + availability + preferences,
        }
    }

    /// The allowed pair's cost, or `None` when a hard rule forbids it.
    pub(crate) fn allowed_cost(&self, m: usize, e: usize) -> Option<i64> {
        self.forbidden(m, e)
            .is_empty()
            .then(|| self.cost(m, e).total)
    }

    /// The words explaining the pair mentor `m`–mentee `e` (by index).
    pub(crate) fn explain(&self, m: usize, e: usize) -> PairExplanation {
        let (mentor, mentee) = (&self.mentors[m], &self.mentees[e]);
        let c = &self.constraints;
        let key = PairRef::new(mentor.id.clone(), mentee.id.clone());

        let shared_interests: Vec<String> = mentor
            .interests
            .intersection(&mentee.interests)
            .cloned()
            .collect();
        let shared_slots: Vec<Slot> = mentor
            .availability
            .intersection(&mentee.availability)
            .copied()
            .collect();

        let mut preferences_met = Vec::new();
        let mut preferences_unmet = Vec::new();
        let sides: [(&Participant, &Participant, &str, &str); 2] = [
            (mentor, mentee, "mentor", "a leader in"),
            (mentee, mentor, "mentee", "a student from"),
        ];
        for (who, other, role, wanted) in sides {
            if who.preferred_schools.is_empty() {
                continue;
            }
            if who.preferred_schools.contains(&other.school) {
                preferences_met.push(format!("{role} asked for {wanted} {}", other.school));
            } else {
                let schools: Vec<&String> = who.preferred_schools.iter().collect();
                let options = schools.iter().map(|s| s.as_str()).collect::<Vec<_>>();
                preferences_unmet.push(format!(
                    "{role} asked for {wanted} {}, not {}",
                    join_or(&options),
                    other.school
                ));
            }
        }

        let mut notes = Vec::new();
        if c.pinned.contains(&key) {
            notes.push("pinned by the coordinator".to_owned());
        }
        if mentor.school == mentee.school
            && (c.allow_same_school || c.same_school_allowed.contains(&key))
        {
            notes.push(format!(
                "both in {}, which the coordinator allowed",
                mentor.school
            ));
        }

        let mut parts = Vec::new();
        parts.push(match shared_interests.len() {
            0 => "no shared interests".to_owned(),
            _ => format!("shared interest in {}", join_words(&shared_interests)),
        });
        parts.push(if shared_slots.is_empty() {
            "no weekly slot in common".to_owned()
        } else {
            let slots: Vec<String> = shared_slots.iter().map(Slot::to_string).collect();
            format!("both available {}", join_words(&slots))
        });
        parts.extend(preferences_met.iter().cloned());
        parts.extend(preferences_unmet.iter().cloned());
        parts.extend(notes.iter().cloned());
        PairExplanation {
            shared_interests,
            shared_slots,
            preferences_met,
            preferences_unmet,
            notes,
            summary: parts.join("; "),
        }
    }

    /// Cost, rules broken and explanation of any pair; `None` for ids not in the problem.
    pub fn assess(&self, pair: &PairRef) -> Option<PairAssessment> {
        let m = self.mentors.iter().position(|p| p.id == pair.mentor)?;
        let e = self.mentees.iter().position(|p| p.id == pair.mentee)?;
        Some(PairAssessment {
            pair: pair.clone(),
            cost: self.cost(m, e),
            forbidden: self.forbidden(m, e),
            explanation: self.explain(m, e),
        })
    }
}

/// "a", "a or b", "a, b or c".
fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
