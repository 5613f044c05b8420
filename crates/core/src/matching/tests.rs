use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;

fn tags(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn person(id: &str, school: &str, interests: &[&str], slots: &[Slot]) -> Participant {
    Participant {
        id: id.to_owned(),
        name: String::new(),
        school: school.to_owned(),
        interests: tags(interests),
        availability: slots.iter().copied().collect(),
        preferred_schools: BTreeSet::new(),
    }
}

const TUE_PM: Slot = Slot {
    day: Weekday::Tuesday,
    part: PartOfDay::Afternoon,
};
const THU_AM: Slot = Slot {
    day: Weekday::Thursday,
    part: PartOfDay::Morning,
};
const FRI_PM: Slot = Slot {
    day: Weekday::Friday,
    part: PartOfDay::Evening,
};

/// Three mentors and three mentees with one obviously best assignment.
fn three_by_three() -> MatchingProblem {
    MatchingProblem {
        mentors: vec![
            person("ada", "History", &["climate", "music"], &[TUE_PM]),
            person("bo", "Physics", &["sport"], &[THU_AM]),
            person("cy", "Law", &["art"], &[FRI_PM]),
        ],
        mentees: vec![
            person("dean-eng", "Engineering", &["climate", "music"], &[TUE_PM]),
            person("dean-med", "Medicine", &["sport"], &[THU_AM]),
            person("dean-arts", "Arts", &["art"], &[FRI_PM]),
        ],
        ..MatchingProblem::default()
    }
}

#[test]
fn the_obvious_pairs_are_found_and_cost_nothing() {
    let m = solve(&three_by_three()).unwrap();
    assert_eq!(
        m.pair_refs(),
        vec![
            PairRef::new("ada", "dean-eng"),
            PairRef::new("bo", "dean-med"),
            PairRef::new("cy", "dean-arts")
        ]
    );
    assert_eq!(m.total_cost, 0);
    assert!(m.waitlisted_mentors.is_empty() && m.unmatched_mentees.is_empty());
}

#[test]
fn a_pair_is_explained_in_plain_words() {
    let mut p = three_by_three();
    p.mentors[0].preferred_schools = tags(&["Engineering"]);
    p.mentees[0].preferred_schools = tags(&["Law", "Physics"]);
    let m = solve(&p).unwrap();
    let pair = &m.pairs[0];
    assert_eq!(pair.mentor, "ada");
    assert_eq!(
        pair.explanation.summary,
        "shared interest in climate and music; both available Tuesday afternoons; \
         mentor asked for a leader in Engineering; mentee asked for a student from Law or Physics, not History"
    );
    assert_eq!(pair.explanation.shared_interests, vec!["climate", "music"]);
    assert_eq!(pair.explanation.shared_slots, vec![TUE_PM]);
    // The unmet mentee preference costs half a preference unit.
    assert_eq!(pair.cost.preferences, 50);
}

#[test]
fn a_pair_with_nothing_in_common_says_so() {
    let p = three_by_three();
    let a = p.assess(&PairRef::new("ada", "dean-med")).unwrap();
    assert_eq!(
        a.explanation.summary,
        "no shared interests; no weekly slot in common"
    );
    assert_eq!(a.cost.total, 2 * 100 + 2 * 100);
    assert!(a.is_allowed());
}

#[test]
fn same_school_pairs_are_never_chosen_unless_allowed() {
    let mut p = three_by_three();
    // The perfect partner of each mentor is now in the mentor's own School.
    p.mentees[0].school = "History".into();
    let m = solve(&p).unwrap();
    assert!(
        m.pairs
            .iter()
            .all(|x| !(x.mentor == "ada" && x.mentee == "dean-eng"))
    );

    p.constraints
        .same_school_allowed
        .insert(PairRef::new("ada", "dean-eng"));
    let m = solve(&p).unwrap();
    assert_eq!(m.total_cost, 0);
    assert!(
        m.pairs[0]
            .explanation
            .summary
            .ends_with("both in History, which the coordinator allowed")
    );
}

#[test]
fn a_mentee_whose_every_mentor_shares_their_school_is_named() {
    let mut p = three_by_three();
    for mentor in &mut p.mentors {
        mentor.school = "Law".into();
    }
    p.mentees[2].school = "Law".into();
    p.mentees[2].name = "Dean of Law".into();
    let err = solve(&p).unwrap_err();
    assert_eq!(
        err.to_string(),
        "mentee Dean of Law has no allowed mentor: every mentor is in the same School (Law) \
         and same-School pairing is not allowed"
    );
}

#[test]
fn mixed_reasons_for_having_no_mentor_are_counted() {
    let mut p = three_by_three();
    p.mentors[0].school = "Arts".into();
    p.mentors[1].school = "Arts".into();
    p.constraints
        .do_not_pair
        .insert(PairRef::new("cy", "dean-arts"));
    let err = solve(&p).unwrap_err();
    assert_eq!(
        err.to_string(),
        "mentee dean-arts has no allowed mentor: of the 3 mentors, 2 are in the same School (Arts) \
         and same-School pairing is not allowed and 1 is marked by the coordinator as not to be paired"
    );
}

#[test]
fn hall_violations_name_the_group_and_their_few_mentors() {
    // Two mentees can each only take mentor "ada"; a third mentor exists but is ruled out.
    let mut p = three_by_three();
    for mentee in ["dean-eng", "dean-med"] {
        for mentor in ["bo", "cy"] {
            p.constraints
                .do_not_pair
                .insert(PairRef::new(mentor, mentee));
        }
    }
    let err = solve(&p).unwrap_err();
    assert_eq!(
        err,
        MatchError::TooFewPartners {
            side: Side::Mentee,
            group: vec!["dean-eng".into(), "dean-med".into()],
            allowed: vec!["ada".into()],
        }
    );
    assert_eq!(
        err.to_string(),
        "these 2 mentees together have only 1 allowed mentors (ada), so at least one of them \
         cannot be matched: dean-eng, dean-med"
    );
}

#[test]
fn extra_mentors_are_waitlisted_and_extra_mentees_listed() {
    let mut p = three_by_three();
    p.mentors.push(person("dee", "Music", &[], &[]));
    let m = solve(&p).unwrap();
    assert_eq!(m.waitlisted_mentors, vec!["dee"]);
    assert_eq!(m.pairs.len(), 3);

    let mut p = three_by_three();
    p.mentees.push(person("dean-sci", "Science", &[], &[]));
    let m = solve(&p).unwrap();
    assert_eq!(m.unmatched_mentees, vec!["dean-sci"]);
    assert_eq!(m.pairs.len(), 3);
}

#[test]
fn pinned_pairs_are_kept_and_must_be_allowed() {
    let mut p = three_by_three();
    p.constraints.pinned.insert(PairRef::new("ada", "dean-med"));
    let m = solve(&p).unwrap();
    let refs = m.pair_refs();
    assert!(refs.contains(&PairRef::new("ada", "dean-med")));
    assert!(m.pairs.iter().any(|x| x.pinned && x.mentor == "ada"));
    assert!(m.total_cost > 0);

    p.mentees[1].school = "History".into();
    let err = solve(&p).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ada and dean-med cannot be paired: they are in the same School (History) and \
         same-School pairing is not allowed"
    );
}

#[test]
fn a_swap_reports_its_cost_against_the_optimum() {
    let p = three_by_three();
    let m = solve(&p).unwrap();
    let edited = m
        .edit(
            &p,
            &[PairEdit::SwapMentors {
                mentee_a: "dean-eng".into(),
                mentee_b: "dean-med".into(),
            }],
        )
        .unwrap();
    let expected = p
        .assess(&PairRef::new("bo", "dean-eng"))
        .unwrap()
        .cost
        .total
        + p.assess(&PairRef::new("ada", "dean-med"))
            .unwrap()
            .cost
            .total;
    assert_eq!(edited.total_cost, expected);
    assert_eq!(edited.change_from_optimal, expected - m.total_cost);
    assert!(edited.change_from_optimal > 0);
}

#[test]
fn assigning_a_mentor_swaps_the_former_partners() {
    let p = three_by_three();
    let m = solve(&p).unwrap();
    let edited = m
        .edit(
            &p,
            &[PairEdit::Assign {
                mentor: "cy".into(),
                mentee: "dean-eng".into(),
            }],
        )
        .unwrap();
    let refs: BTreeSet<PairRef> = edited.pairs.iter().map(MatchedPair::pair_ref).collect();
    assert_eq!(
        refs,
        BTreeSet::from([
            PairRef::new("cy", "dean-eng"),
            PairRef::new("ada", "dean-arts"),
            PairRef::new("bo", "dean-med"),
        ])
    );
}

#[test]
fn edits_that_break_a_hard_rule_are_refused() {
    let mut p = three_by_three();
    p.mentees[1].school = "History".into();
    let m = solve(&p).unwrap();
    let err = m
        .edit(
            &p,
            &[PairEdit::SwapMentors {
                mentee_a: "dean-eng".into(),
                mentee_b: "dean-med".into(),
            }],
        )
        .unwrap_err();
    assert!(matches!(err, MatchError::PairNotAllowed { .. }));
    assert!(err.to_string().contains("same School (History)"));

    p.constraints.pinned.insert(PairRef::new("cy", "dean-arts"));
    let m = solve(&p).unwrap();
    let err = m
        .edit(
            &p,
            &[PairEdit::Assign {
                mentor: "cy".into(),
                mentee: "dean-eng".into(),
            }],
        )
        .unwrap_err();
    assert_eq!(
        err,
        MatchError::PinnedPairChanged {
            mentor: "cy".into(),
            mentee: "dean-arts".into()
        }
    );
}

#[test]
fn an_edit_may_not_leave_a_mentee_without_a_mentor() {
    let mut p = three_by_three();
    p.mentors.push(person("dee", "Music", &[], &[]));
    let m = solve(&p).unwrap();
    let mut pairs = m.pair_refs();
    pairs.pop();
    let err = evaluate_pairs(&p, &pairs, m.total_cost).unwrap_err();
    assert_eq!(
        err.to_string(),
        "mentee dean-arts is left without a mentor; every mentee must have one"
    );
}

#[test]
fn a_dropout_is_replaced_from_the_waitlist_without_touching_other_pairs() {
    let mut p = three_by_three();
    // Two waitlisted mentors: "eve" suits the engineering dean, "dee" does not.
    p.mentors
        .push(person("dee", "Music", &["sport"], &[THU_AM]));
    p.mentors
        .push(person("eve", "Music", &["climate"], &[TUE_PM]));
    let m = solve(&p).unwrap();
    assert_eq!(m.waitlisted_mentors, vec!["dee", "eve"]);
    let r = rematch_after_dropout(&p, &m.pair_refs(), &["ada".to_owned()]).unwrap();
    assert_eq!(r.removed, vec![PairRef::new("ada", "dean-eng")]);
    assert_eq!(
        r.added
            .iter()
            .map(MatchedPair::pair_ref)
            .collect::<Vec<_>>(),
        vec![PairRef::new("eve", "dean-eng")]
    );
    for old in m.pairs.iter().filter(|x| x.mentor != "ada") {
        assert!(r.pairs.contains(old), "pair {old:?} changed");
    }
    assert_eq!(r.waitlisted_mentors, vec!["dee"]);
    assert_eq!(
        r.total_cost,
        r.pairs.iter().map(|x| x.cost.total).sum::<i64>()
    );
}

#[test]
fn a_dropout_with_no_allowed_replacement_leaves_the_partner_listed() {
    let mut p = three_by_three();
    p.mentors
        .push(person("dee", "Engineering", &["climate"], &[TUE_PM]));
    let m = solve(&p).unwrap();
    let r = rematch_after_dropout(&p, &m.pair_refs(), &["ada".to_owned()]).unwrap();
    assert!(r.added.is_empty());
    assert_eq!(r.unmatched_mentees, vec!["dean-eng"]);
    assert_eq!(r.waitlisted_mentors, vec!["dee"]);
    assert_eq!(r.pairs.len(), 2);
}

#[test]
fn a_mentee_dropout_frees_the_mentor_for_a_waiting_mentee() {
    let mut p = three_by_three();
    p.mentees
        .push(person("dean-sci", "Science", &["sport"], &[THU_AM]));
    let m = solve(&p).unwrap();
    assert_eq!(m.unmatched_mentees.len(), 1);
    let waiting = m.unmatched_mentees[0].clone();
    let gone = m
        .pairs
        .iter()
        .find(|x| x.mentee != waiting)
        .unwrap()
        .clone();
    let r = rematch_after_dropout(&p, &m.pair_refs(), std::slice::from_ref(&gone.mentee)).unwrap();
    assert_eq!(r.added.len(), 1);
    assert_eq!(
        r.added[0].pair_ref(),
        PairRef::new(gone.mentor.clone(), waiting)
    );
    assert!(r.unmatched_mentees.is_empty());
}

#[test]
fn results_and_errors_serialise_for_the_web_layer() {
    let m = solve(&three_by_three()).unwrap();
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(
        json["pairs"][0]["explanation"]["shared_slots"][0]["day"],
        "tuesday"
    );
    let err = serde_json::to_value(MatchError::InTwoPairs { who: "ada".into() }).unwrap();
    assert_eq!(err["kind"], "in_two_pairs");
}

// ---- property tests against brute force ----

const SCHOOLS: [&str; 3] = ["Arts", "Law", "Science"];
const TAGS: [&str; 5] = ["climate", "music", "sport", "faith", "food"];
const SLOTS: [Slot; 4] = [
    TUE_PM,
    THU_AM,
    FRI_PM,
    Slot {
        day: Weekday::Monday,
        part: PartOfDay::Morning,
    },
];

fn from_masks(
    id: String,
    (school, interests, slots, preferred): (usize, u8, u8, u8),
) -> Participant {
    Participant {
        id,
        name: String::new(),
        school: SCHOOLS[school].to_owned(),
        interests: TAGS
            .iter()
            .enumerate()
            .filter(|(i, _)| interests >> i & 1 == 1)
            .map(|(_, t)| (*t).to_owned())
            .collect(),
        availability: SLOTS
            .iter()
            .enumerate()
            .filter(|(i, _)| slots >> i & 1 == 1)
            .map(|(_, s)| *s)
            .collect(),
        preferred_schools: SCHOOLS
            .iter()
            .enumerate()
            .filter(|(i, _)| preferred >> i & 1 == 1)
            .map(|(_, s)| (*s).to_owned())
            .collect(),
    }
}

fn masks() -> impl Strategy<Value = (usize, u8, u8, u8)> {
    (0usize..3, 0u8..32, 0u8..16, 0u8..8)
}

prop_compose! {
    fn problems()(n_mentors in 1usize..=7, n_mentees in 1usize..=7)(
        mentors in proptest::collection::vec(masks(), n_mentors),
        mentees in proptest::collection::vec(masks(), n_mentees),
        weights in (0u32..4, 0u32..4, 0u32..4),
        allow_same_school in proptest::bool::weighted(0.2),
        require_common_availability in proptest::bool::weighted(0.2),
        flags in proptest::collection::vec(0u8..20, n_mentors * n_mentees),
        pin in proptest::option::weighted(0.3, (0..n_mentors, 0..n_mentees)),
    ) -> MatchingProblem {
        let mentors: Vec<Participant> = mentors.into_iter().enumerate().map(|(i, m)| from_masks(format!("m{i}"), m)).collect();
        let mentees: Vec<Participant> = mentees.into_iter().enumerate().map(|(i, m)| from_masks(format!("e{i}"), m)).collect();
        let mut constraints = MatchConstraints { allow_same_school, require_common_availability, ..MatchConstraints::default() };
        for (k, flag) in flags.into_iter().enumerate() {
            let pair = PairRef::new(mentors[k / mentees.len()].id.clone(), mentees[k % mentees.len()].id.clone());
            match flag {
                0 | 1 => { constraints.do_not_pair.insert(pair); }
                2 => { constraints.same_school_allowed.insert(pair); }
                _ => {}
            }
        }
        if let Some((m, e)) = pin {
            constraints.pinned.insert(PairRef::new(mentors[m].id.clone(), mentees[e].id.clone()));
        }
        let weights = MatchWeights { interests: weights.0, availability: weights.1, preferences: weights.2 };
        MatchingProblem { mentors, mentees, weights, constraints }
    }
}

/// Minimum cost over every assignment that matches the smaller side fully, keeps the pins
/// and uses only allowed pairs; `None` when there is none.
fn brute_force(p: &MatchingProblem) -> Option<i64> {
    let cost: Vec<Vec<Option<i64>>> = p
        .mentors
        .iter()
        .map(|m| {
            p.mentees
                .iter()
                .map(|e| {
                    let a = p.assess(&PairRef::new(m.id.clone(), e.id.clone())).unwrap();
                    a.is_allowed().then_some(a.cost.total)
                })
                .collect()
        })
        .collect();
    let pinned = |m: usize, e: usize| {
        p.constraints.pinned.contains(&PairRef::new(
            p.mentors[m].id.clone(),
            p.mentees[e].id.clone(),
        ))
    };
    let mentees_smaller = p.mentees.len() <= p.mentors.len();
    let (small, large) = if mentees_smaller {
        (p.mentees.len(), p.mentors.len())
    } else {
        (p.mentors.len(), p.mentees.len())
    };
    let at = |s: usize, l: usize| if mentees_smaller { (l, s) } else { (s, l) };
    let is_pinned_anywhere = |m: usize, e: usize| {
        (0..p.mentees.len()).any(|x| pinned(m, x)) || (0..p.mentors.len()).any(|x| pinned(x, e))
    };

    fn go(
        s: usize,
        used: &mut Vec<bool>,
        sum: i64,
        best: &mut Option<i64>,
        small: usize,
        large: usize,
        ok: &dyn Fn(usize, usize) -> Option<i64>,
    ) {
        if s == small {
            if best.is_none_or(|b| sum < b) {
                *best = Some(sum);
            }
            return;
        }
        for l in 0..large {
            if used[l] {
                continue;
            }
            if let Some(c) = ok(s, l) {
                used[l] = true;
                go(s + 1, used, sum + c, best, small, large, ok);
                used[l] = false;
            }
        }
    }
    let ok = |s: usize, l: usize| {
        let (m, e) = at(s, l);
        // A pinned person may only be with their pinned partner.
        if is_pinned_anywhere(m, e) && !pinned(m, e) {
            return None;
        }
        cost[m][e]
    };
    let mut best = None;
    go(0, &mut vec![false; large], 0, &mut best, small, large, &ok);
    // Every pin has one member on the smaller side, who may only be with their pinned
    // partner, so a full matching of the smaller side contains every pin.
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn solve_is_optimal_and_respects_every_hard_rule(p in problems()) {
        let brute = brute_force(&p);
        match solve(&p) {
            Ok(m) => {
                prop_assert_eq!(Some(m.total_cost), brute, "brute force disagrees");
                prop_assert_eq!(m.pairs.len(), p.mentors.len().min(p.mentees.len()));
                let mut mentors = BTreeSet::new();
                for pair in &m.pairs {
                    let a = p.assess(&pair.pair_ref()).unwrap();
                    prop_assert!(a.is_allowed(), "forbidden pair {:?}: {:?}", pair.pair_ref(), a.forbidden);
                    prop_assert_eq!(a.cost, pair.cost);
                    prop_assert!(mentors.insert(pair.mentor.clone()), "mentor used twice");
                }
                for pin in &p.constraints.pinned {
                    prop_assert!(m.pair_refs().contains(pin), "pin dropped");
                }
                prop_assert_eq!(m.waitlisted_mentors.len() + m.pairs.len(), p.mentors.len());
                prop_assert_eq!(m.unmatched_mentees.len() + m.pairs.len(), p.mentees.len());
                // The unchanged matching, re-evaluated as an edit, costs nothing extra.
                let same = evaluate_pairs(&p, &m.pair_refs(), m.total_cost).unwrap();
                prop_assert_eq!(same.change_from_optimal, 0);
            }
            Err(err) => {
                prop_assert_eq!(brute, None, "solve failed ({}) but a matching exists", err);
                if let MatchError::TooFewPartners { side, group, allowed } = &err {
                    // Check the Hall certificate independently: the group's allowed free
                    // partners are exactly those named, and there are too few of them.
                    prop_assert!(allowed.len() < group.len());
                    let pinned_ids: BTreeSet<&str> = p.constraints.pinned.iter().flat_map(|x| [x.mentor.as_str(), x.mentee.as_str()]).collect();
                    let mut union = BTreeSet::new();
                    for g in group {
                        let partners: &[Participant] = if *side == Side::Mentee { &p.mentors } else { &p.mentees };
                        for q in partners.iter().filter(|q| !pinned_ids.contains(q.id.as_str())) {
                            let pair = if *side == Side::Mentee { PairRef::new(q.id.clone(), g.clone()) } else { PairRef::new(g.clone(), q.id.clone()) };
                            if p.assess(&pair).unwrap().is_allowed() { union.insert(q.id.clone()); }
                        }
                    }
                    prop_assert_eq!(union.into_iter().collect::<Vec<_>>(), allowed.clone());
                }
            }
        }
    }

    #[test]
    fn rematch_keeps_every_other_pair(p in problems(), drop_index in 0usize..14) {
        if let Ok(m) = solve(&p) {
            let ids: Vec<String> = p.mentors.iter().chain(&p.mentees).map(|x| x.id.clone()).collect();
            let dropped = ids[drop_index % ids.len()].clone();
            let r = rematch_after_dropout(&p, &m.pair_refs(), std::slice::from_ref(&dropped)).unwrap();
            for old in &m.pairs {
                let involved = old.mentor == dropped || old.mentee == dropped;
                prop_assert_eq!(r.pairs.contains(old), !involved);
            }
            for new in &r.added {
                prop_assert!(p.assess(&new.pair_ref()).unwrap().is_allowed());
                prop_assert!(new.mentor != dropped && new.mentee != dropped);
            }
            prop_assert!(r.pairs.iter().all(|x| x.mentor != dropped && x.mentee != dropped));
        }
    }
}
