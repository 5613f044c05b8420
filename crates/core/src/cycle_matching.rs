//! A cycle's matching problem built from its people (SPEC §3.3): accepted student
//! applications are the mentors, accepted staff invitations the mentees. The engine itself is
//! [`crate::matching`]; this module only translates stored people and the coordinator's rules
//! into its terms, names hand edits in form fields, and says in words who is left over.
use crate::matching::{
    MatchConstraints, MatchError, MatchWeights, MatchingProblem, PairEdit, PairRef, Participant,
    Rematch, rematch_after_dropout,
};
use crate::recruitment;
use std::collections::BTreeSet;

/// A person who can be matched, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Candidate {
    pub user_id: i64,
    pub name: String,
    /// Their School, when known. Unknown Schools never conflict.
    pub school: Option<String>,
    /// Comma-separated interest tags.
    pub interests: String,
    /// Space-separated slot codes such as `tue-pm`.
    pub availability: String,
}

/// The coordinator's rules for one cycle.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rules {
    pub weights: MatchWeights,
    pub allow_same_school: bool,
    pub require_common_availability: bool,
    /// (mentor user id, mentee user id) pairs never to make.
    pub do_not_pair: Vec<(i64, i64)>,
    /// (mentor user id, mentee user id) pairs the coordinator allows across the same-School
    /// rule, one by one.
    pub same_school_allowed: Vec<(i64, i64)>,
}

/// The matcher's id of a student mentor.
pub fn mentor_key(user_id: i64) -> String {
    format!("m{user_id}")
}

/// The matcher's id of a staff mentee.
pub fn mentee_key(user_id: i64) -> String {
    format!("e{user_id}")
}

/// The user id behind a matcher id.
pub fn user_of(key: &str) -> Option<i64> {
    key.get(1..)?.parse().ok()
}

fn participant(key: String, c: &Candidate) -> Participant {
    Participant {
        // Each unknown School is its own, so that it never counts as shared.
        school: c
            .school
            .clone()
            .unwrap_or_else(|| format!("School not known ({key})")),
        name: c.name.clone(),
        interests: recruitment::parse_interests(&c.interests)
            .into_iter()
            .collect(),
        availability: c
            .availability
            .split_whitespace()
            .filter_map(recruitment::slot)
            .collect(),
        preferred_schools: BTreeSet::new(),
        id: key,
    }
}

/// The problem for these mentors and mentees under these rules. Do-not-pair entries and
/// same-School exceptions naming someone not in the problem are left out.
pub fn problem(mentors: &[Candidate], mentees: &[Candidate], rules: &Rules) -> MatchingProblem {
    let mentors: Vec<Participant> = mentors
        .iter()
        .map(|c| participant(mentor_key(c.user_id), c))
        .collect();
    let mentees: Vec<Participant> = mentees
        .iter()
        .map(|c| participant(mentee_key(c.user_id), c))
        .collect();
    let present = |list: &[(i64, i64)]| {
        list.iter()
            .map(|(m, e)| PairRef::new(mentor_key(*m), mentee_key(*e)))
            .filter(|p| {
                mentors.iter().any(|x| x.id == p.mentor) && mentees.iter().any(|x| x.id == p.mentee)
            })
            .collect()
    };
    let do_not_pair = present(&rules.do_not_pair);
    let same_school_allowed = present(&rules.same_school_allowed);
    MatchingProblem {
        mentors,
        mentees,
        weights: rules.weights,
        constraints: MatchConstraints {
            allow_same_school: rules.allow_same_school,
            do_not_pair,
            same_school_allowed,
            require_common_availability: rules.require_common_availability,
            ..MatchConstraints::default()
        },
    }
}

/// A hand edit as a form value: `swap:<mentee>:<mentee>` or `assign:<mentor>:<mentee>`.
pub fn edit_code(edit: &PairEdit) -> String {
    match edit {
        PairEdit::SwapMentors { mentee_a, mentee_b } => format!("swap:{mentee_a}:{mentee_b}"),
        PairEdit::Assign { mentor, mentee } => format!("assign:{mentor}:{mentee}"),
    }
}

/// Reads a form value written by [`edit_code`].
pub fn parse_edit(code: &str) -> Option<PairEdit> {
    let mut parts = code.split(':');
    let (kind, a, b) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || a.is_empty() || b.is_empty() {
        return None;
    }
    match kind {
        "swap" => Some(PairEdit::SwapMentors {
            mentee_a: a.into(),
            mentee_b: b.into(),
        }),
        "assign" => Some(PairEdit::Assign {
            mentor: a.into(),
            mentee: b.into(),
        }),
        _ => None,
    }
}

fn labels<'a>(people: &'a [Participant], ids: &[String]) -> Vec<&'a str> {
    ids.iter()
        .filter_map(|id| people.iter().find(|p| &p.id == id))
        .map(Participant::label)
        .collect()
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Why nobody can be matched, when one side is empty.
pub fn nobody_to_match(problem: &MatchingProblem) -> Option<String> {
    match (problem.mentors.len(), problem.mentees.len()) {
        (0, 0) => Some(
            "Nobody to match yet: no student application and no staff invitation has been accepted."
                .into(),
        ),
        (0, n) => Some(format!(
            "Nobody to match: {} accepted, but no student application has been accepted yet.",
            count(n, "staff mentee has", "staff mentees have")
        )),
        (n, 0) => Some(format!(
            "Nobody to match: {} been accepted, but no staff leader has accepted an invitation yet.",
            count(n, "student mentor has", "student mentors have")
        )),
        _ => None,
    }
}

/// Who a matching leaves without a partner, in words, naming them and how many.
pub fn left_over(
    problem: &MatchingProblem,
    waitlisted_mentors: &[String],
    unmatched_mentees: &[String],
) -> Vec<String> {
    let mut out = Vec::new();
    if !waitlisted_mentors.is_empty() {
        let names = labels(&problem.mentors, waitlisted_mentors);
        out.push(format!(
            "There are more mentors than mentees, so {} without a mentee: {}. They stay available for a re-match after a drop-out.",
            count(names.len(), "mentor would be left", "mentors would be left"),
            names.join(", ")
        ));
    }
    if !unmatched_mentees.is_empty() {
        let names = labels(&problem.mentees, unmatched_mentees);
        out.push(format!(
            "{} without a mentor: {}. Accept more student applications to match them.",
            count(
                names.len(),
                "staff mentee would be left",
                "staff mentees would be left"
            ),
            names.join(", ")
        ));
    }
    out
}

/// Re-matches one person left without a partner, leaving every published pair as it is: the
/// free candidates are everyone on the other side not in a published pair; others on the
/// person's own side who are free wait for their own re-match.
pub fn rematch_person(
    mut problem: MatchingProblem,
    published: &[PairRef],
    person: &str,
) -> Result<Rematch, MatchError> {
    let paired_mentors: BTreeSet<&str> = published.iter().map(|p| p.mentor.as_str()).collect();
    let paired_mentees: BTreeSet<&str> = published.iter().map(|p| p.mentee.as_str()).collect();
    if problem.mentors.iter().any(|p| p.id == person) {
        problem
            .mentors
            .retain(|p| p.id == person || paired_mentors.contains(p.id.as_str()));
    } else {
        problem
            .mentees
            .retain(|p| p.id == person || paired_mentees.contains(p.id.as_str()));
    }
    rematch_after_dropout(&problem, published, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(user_id: i64, school: &str, interests: &str, availability: &str) -> Candidate {
        Candidate {
            user_id,
            name: format!("P{user_id}"),
            school: (!school.is_empty()).then(|| school.to_string()),
            interests: interests.into(),
            availability: availability.into(),
        }
    }

    #[test]
    fn stored_people_become_participants_and_unknown_schools_never_conflict() {
        let p = problem(
            &[c(1, "", "climate, music", "tue-pm")],
            &[c(2, "", "music", "tue-pm wed-am")],
            &Rules::default(),
        );
        let m = crate::matching::solve(&p).unwrap();
        assert_eq!(m.pairs.len(), 1);
        assert_eq!(m.pairs[0].mentor, "m1");
        assert!(m.pairs[0].explanation.summary.contains("music"));
        assert!(
            m.pairs[0]
                .explanation
                .summary
                .contains("Tuesday afternoons")
        );
    }

    #[test]
    fn a_same_school_exception_allows_that_pair_only() {
        let mentors = [
            c(1, "Law", "climate", "tue-pm"),
            c(3, "Law", "climate", "tue-pm"),
        ];
        let mentees = [c(2, "Law", "climate", "tue-pm")];
        let p = problem(&mentors, &mentees, &Rules::default());
        assert!(crate::matching::solve(&p).is_err());

        let rules = Rules {
            same_school_allowed: vec![(3, 2), (9, 2)],
            ..Rules::default()
        };
        let p = problem(&mentors, &mentees, &rules);
        // The exception for someone not in the problem is dropped, not an error.
        assert_eq!(p.constraints.same_school_allowed.len(), 1);
        let m = crate::matching::solve(&p).unwrap();
        assert_eq!(
            (m.pairs[0].mentor.as_str(), m.pairs[0].mentee.as_str()),
            ("m3", "e2")
        );
        assert!(
            m.pairs[0]
                .explanation
                .summary
                .contains("both in Law, which the coordinator allowed")
        );
        let m1 = p
            .assess(&crate::matching::PairRef::new("m1", "e2"))
            .unwrap();
        assert!(!m1.is_allowed());
    }

    #[test]
    fn edits_round_trip_through_their_form_values() {
        for e in [
            PairEdit::SwapMentors {
                mentee_a: "e1".into(),
                mentee_b: "e2".into(),
            },
            PairEdit::Assign {
                mentor: "m3".into(),
                mentee: "e2".into(),
            },
        ] {
            assert_eq!(parse_edit(&edit_code(&e)), Some(e));
        }
        assert_eq!(parse_edit("swap:e1"), None);
        assert_eq!(parse_edit("drop:e1:e2"), None);
        assert_eq!(user_of("m42"), Some(42));
    }

    #[test]
    fn the_left_over_are_named_and_counted() {
        let p = problem(
            &[c(1, "A", "", ""), c(3, "A", "", ""), c(5, "A", "", "")],
            &[c(2, "B", "", "")],
            &Rules::default(),
        );
        let m = crate::matching::solve(&p).unwrap();
        let words = left_over(&p, &m.waitlisted_mentors, &m.unmatched_mentees);
        assert_eq!(words.len(), 1);
        assert!(words[0].contains("2 mentors would be left"), "{}", words[0]);
        assert!(nobody_to_match(&p).is_none());
        let empty = problem(&[], &[c(2, "B", "", "")], &Rules::default());
        assert!(
            nobody_to_match(&empty)
                .unwrap()
                .contains("1 staff mentee has")
        );
    }

    #[test]
    fn re_matching_one_person_changes_no_published_pair() {
        let p = problem(
            &[
                c(1, "A", "x", "mon-am"),
                c(3, "A", "y", "tue-am"),
                c(5, "A", "z", "wed-am"),
            ],
            &[c(2, "B", "x", "mon-am"), c(4, "B", "z", "wed-am")],
            &Rules::default(),
        );
        // m5 is the better partner for e4, but e4 stays with m3: only e2 is re-matched.
        let published = vec![PairRef::new("m3", "e4")];
        let r = rematch_person(p, &published, "e2").unwrap();
        assert_eq!(r.added.len(), 1);
        assert_eq!(r.added[0].mentee, "e2");
        assert_eq!(r.added[0].mentor, "m1");
        assert!(r.pairs.iter().any(|x| x.mentor == "m3" && x.mentee == "e4"));
        assert!(r.removed.is_empty());
    }
}
